"""Field rules of base tables: definitions, limits, what a publish freezes, and masking.

Pure functions over field dicts (no database). A stored field is
`{key, name, index, encrypted, required, type, length, mask, mask_style, items, slot}`:
`key` (f1, f2, …) names the field for good; `slot` is its position among the plain values
(unencrypted, non-index fields) or among the encrypted values of a row. A plain index field
has no slot: its value is the row's `index_key`.

After publish [发布] rows may exist, so a definition may only change in ways that keep every
stored value valid and in place:

* allowed: new fields (neither index nor required), renaming and reordering fields, the table's
  name and description, a longer length, required → optional, mask display and style,
  new dictionary items and new labels for existing keys;
* refused (422, rule "published"): removing a field, changing its type, its index or encrypted
  flag, a shorter length, optional → required, removing a dictionary key.
"""

from agentdesk.kit.errors import FieldError

MAX_TABLES = 5
MAX_INDEX_FIELDS = 1
MAX_ORDINARY_FIELDS = 30  # neither index nor encrypted
MAX_ENCRYPTED_FIELDS = 20  # an encrypted index field counts here too
TYPES = ("string", "number", "date", "time", "dictionary")
MASKABLE = ("string", "number")
INDEX_TYPES = ("string", "number")
MASK_STYLES = ("last4", "first4")
STRING_MAX_LENGTH = 256
NUMBER_MAX_LENGTH = 30
FORMULA_PREFIXES = ("=", "+", "-", "@")


def is_ordinary(field: dict) -> bool:
    return not field["index"] and not field["encrypted"]


def index_field(fields: list[dict]) -> dict | None:
    return next((f for f in fields if f["index"]), None)


def check_definition(fields: list[dict]) -> list[FieldError]:
    """Every rule of a field list that does not depend on the stored table."""
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    indexes = 0
    for i, field in enumerate(fields):
        errors += _check_field(i, field)
        folded = field["name"].casefold()
        if folded in seen:
            errors.append(
                FieldError(
                    f"fields.{i}.name", "unique", f"field name {field['name']} is used twice"
                )
            )
        seen.setdefault(folded, i)
        if field["index"]:
            indexes += 1
            if indexes > MAX_INDEX_FIELDS:
                errors.append(
                    FieldError.limit_reached(
                        f"fields.{i}.index",
                        MAX_INDEX_FIELDS,
                        "a table has at most {limit} index field",
                        "一个基础表最多 {limit} 个索引字段",
                    )
                )
    errors += _check_limits(fields)
    return errors


def _check_limits(fields: list[dict]) -> list[FieldError]:
    errors = []
    ordinary = sum(1 for f in fields if is_ordinary(f))
    encrypted = sum(1 for f in fields if f["encrypted"])
    if ordinary > MAX_ORDINARY_FIELDS:
        errors.append(
            FieldError.limit_reached(
                "fields",
                MAX_ORDINARY_FIELDS,
                "a table has at most {limit} ordinary fields (neither index nor encrypted); "
                f"this one has {ordinary}",
                f"普通字段（非索引、非加密）最多 {{limit}} 个，当前 {ordinary} 个",
            )
        )
    if encrypted > MAX_ENCRYPTED_FIELDS:
        errors.append(
            FieldError.limit_reached(
                "fields",
                MAX_ENCRYPTED_FIELDS,
                f"a table has at most {{limit}} encrypted fields; this one has {encrypted}",
                f"加密字段最多 {{limit}} 个，当前 {encrypted} 个",
            )
        )
    return errors


def _check_field(i: int, f: dict) -> list[FieldError]:
    at = f"fields.{i}"
    errors = _check_name(at, f["name"])
    kind = f["type"]
    if f["index"] and kind not in INDEX_TYPES:
        errors.append(
            FieldError(f"{at}.type", "index_type", "an index field must be a string or a number")
        )
    if kind in MASKABLE:
        errors += _check_length(at, f)
        if f["mask"] and f["mask_style"] is None:
            errors.append(
                FieldError(f"{at}.mask_style", "required", "choose show last 4 or show first 4")
            )
        if not f["mask"] and f["mask_style"] is not None:
            errors.append(
                FieldError(f"{at}.mask_style", "not_applicable", "only masked fields have a style")
            )
    else:
        for name in ("length", "mask_style"):
            if f[name] is not None:
                errors.append(_not_applicable(at, name, kind))
        if f["mask"]:
            errors.append(_not_applicable(at, "mask", kind))
    if kind == "dictionary":
        errors += _check_items(at, f["items"])
    elif f["items"]:
        errors.append(_not_applicable(at, "items", kind))
    return errors


def _not_applicable(at: str, name: str, kind: str) -> FieldError:
    return FieldError(f"{at}.{name}", "not_applicable", f"a {kind} field has no {name}")


def _check_name(at: str, name: str) -> list[FieldError]:
    if name != name.strip():
        return [FieldError(f"{at}.name", "whitespace", "no spaces at the start or the end")]
    if any(ord(ch) < 32 or ch == "\x7f" for ch in name):
        return [FieldError(f"{at}.name", "control", "no control characters")]
    if name.startswith(FORMULA_PREFIXES):
        return [
            FieldError(
                f"{at}.name",
                "formula",
                "a field name must not start with = + - or @ (spreadsheets run it as a formula)",
            )
        ]
    return []


def _check_length(at: str, f: dict) -> list[FieldError]:
    limit = STRING_MAX_LENGTH if f["type"] == "string" else NUMBER_MAX_LENGTH
    if f["length"] is None:
        return [FieldError(f"{at}.length", "required", f"give the length (1–{limit})")]
    if not 1 <= f["length"] <= limit:
        return [FieldError(f"{at}.length", "range", f"a {f['type']} length is 1–{limit}")]
    return []


def _check_items(at: str, items: list[dict] | None) -> list[FieldError]:
    if not items:
        return [FieldError(f"{at}.items", "required", "a dictionary needs at least one item")]
    errors = []
    seen = set()
    for j, item in enumerate(items):
        if item["key"] in seen:
            errors.append(
                FieldError(f"{at}.items.{j}.key", "unique", f"key {item['key']} is used twice")
            )
        seen.add(item["key"])
        if item["key"] != item["key"].strip():
            errors.append(
                FieldError(f"{at}.items.{j}.key", "whitespace", "no spaces at the start or end")
            )
    return errors


# ---- changes to a published table --------------------------------------------------------


def check_published_change(new: list[dict], old: list[dict]) -> list[FieldError]:
    """What a published table's fields may not do (see the module docstring)."""
    errors = []
    old_by_key = {f["key"]: f for f in old}
    kept = {f["key"] for f in new if f.get("key")}
    for f in old:
        if f["key"] not in kept:
            errors.append(
                FieldError(
                    "fields",
                    "published",
                    f"field {f['name']} cannot be removed: the table is published",
                )
            )
    for i, f in enumerate(new):
        before = old_by_key.get(f.get("key"))
        errors += _new_field(i, f) if before is None else _changed_field(i, f, before)
    return errors


def _new_field(i: int, f: dict) -> list[FieldError]:
    errors = []
    if f["index"]:
        errors.append(
            FieldError(
                f"fields.{i}.index", "published", "a published table cannot get an index field"
            )
        )
    if f["required"]:
        errors.append(
            FieldError(
                f"fields.{i}.required",
                "published",
                "a field added after publishing must be optional: existing rows have no value",
            )
        )
    return errors


def _changed_field(i: int, f: dict, before: dict) -> list[FieldError]:
    def refuse(name: str, message: str) -> FieldError:
        return FieldError(f"fields.{i}.{name}", "published", f"{before['name']}: {message}")

    errors = []
    if f["type"] != before["type"]:
        errors.append(refuse("type", "the type of a published field cannot change"))
    if f["index"] != before["index"]:
        errors.append(refuse("index", "the index field of a published table cannot change"))
    if f["encrypted"] != before["encrypted"]:
        errors.append(refuse("encrypted", "encryption of a published field cannot change"))
    if (f["length"] or 0) < (before["length"] or 0) and f["type"] == before["type"]:
        errors.append(
            refuse("length", f"the length can grow but not shrink below {before['length']}")
        )
    if f["required"] and not before["required"]:
        errors.append(refuse("required", "an optional published field cannot become required"))
    if before["type"] == "dictionary" and f["type"] == "dictionary":
        missing = {it["key"] for it in before["items"] or []} - {
            it["key"] for it in f["items"] or []
        }
        if missing:
            errors.append(
                refuse("items", f"dictionary keys in use cannot be removed: {sorted(missing)}")
            )
    return errors


def assign_keys_and_slots(
    fields: list[dict], old: list[dict], published: bool, next_no: int
) -> int:
    """Give new fields a key, and every field its slot; returns the next field number.

    Before publish there are no rows, so slots are simply renumbered; afterwards existing
    fields keep theirs and new fields take the next free slot of their kind."""
    old_by_key = {f["key"]: f for f in old}
    for f in fields:
        if not f.get("key"):
            f["key"] = f"f{next_no}"
            next_no += 1
    if not published:
        counters = {"plain": 0, "secret": 0}
        for f in fields:
            f["slot"] = _take(counters, _kind(f))
        return next_no
    used = {"plain": -1, "secret": -1}
    for f in old:
        if _kind(f):
            used[_kind(f)] = max(used[_kind(f)], f["slot"])
    for f in fields:
        before = old_by_key.get(f["key"])
        if before is not None:
            f["slot"] = before["slot"]
        elif _kind(f):
            used[_kind(f)] += 1
            f["slot"] = used[_kind(f)]
        else:
            f["slot"] = None
    return next_no


def _kind(f: dict) -> str | None:
    if f["encrypted"]:
        return "secret"
    return None if f["index"] else "plain"


def _take(counters: dict, kind: str | None) -> int | None:
    if kind is None:
        return None
    counters[kind] += 1
    return counters[kind] - 1


def slot_count(fields: list[dict], kind: str) -> int:
    slots = [f["slot"] for f in fields if _kind(f) == kind]
    return max(slots) + 1 if slots else 0


# ---- display ------------------------------------------------------------------------------


def mask(value: str, style: str | None) -> str:
    """last4: only the last four characters shown; first4: only the first four; rest `*`."""
    if not style or len(value) <= 4:
        return value
    hidden = "*" * (len(value) - 4)
    return hidden + value[-4:] if style == "last4" else value[:4] + hidden


def display(field: dict, value: str) -> str:
    """What a user sees for a stored value: the dictionary label, masked when configured."""
    if not value:
        return ""
    if field["type"] == "dictionary":
        return next((it["value"] for it in field["items"] or [] if it["key"] == value), value)
    if field["mask"]:
        return mask(value, field["mask_style"])
    return value
