"""The enterprise interface's answer (R-EXT-2, guide 5.3), checked and made ready to display.

The answer is a JSON list of objects `{objectName, values: [{valueNo, name, value, type, length,
isMandatory, maskStyle, dictItems}]}`. Types: 1 string, 2 number, 3 date, 4 time, 5 dictionary
(`dictItems` `[{key, value}]` required; the item's value is shown for the key). `length` is at
most 256 and the value may not be longer; without `length` the limit is 256. maskStyle 1 shows
the last four characters, 2 the first four, empty or absent shows the value as it is.

Numbers in the guide's example are strings ("type": "1", "length": "128"); plain JSON numbers are
accepted too. Everything else that breaks a rule raises `AnswerError`, whose message names the
place (`answer[0].values[2]`, with the value's name when it has one) and the rule, so an admin
can hand it to the interface's developers.

Note: the guide's printed example splits its "付费方式" value across two objects (one with
`dictItems` but no name or type, one of type 5 without `dictItems`); as printed it is rejected
here, and examples/third_party_pages.py serves the intended single object.

Pure functions only: no I/O, no logging of values.
"""

import json
import re
from datetime import datetime
from typing import Any

MAX_LENGTH = 256
TYPES = {"1": "string", "2": "number", "3": "date", "4": "time", "5": "dictionary"}
TYPE_LABELS = "1 string, 2 number, 3 date, 4 time, 5 dictionary"
MASK_STYLES = {"": None, "1": "last4", "2": "first4"}
MASK_CHAR = "*"
NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
TIME_FORMATS = ("%H:%M:%S", "%H:%M")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S")


class AnswerError(ValueError):
    """The answer breaks a rule: `path` says where, `rule` which one (a stable code)."""

    def __init__(self, path: str, rule: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.rule = rule
        self.message = f"{path}: {message}"


# ---------------------------------------------------------------- helpers


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _code(value: Any) -> str | None:
    """A small code sent as "1" or 1 ("type", "maskStyle"), as a string; None if neither."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _text(value: Any) -> str:
    """A JSON string or number as the text a person reads (5 is "5", 2.5 is "2.5")."""
    return str(value)


def mask(text: str, style: str | None) -> str:
    """Keep the last four ("last4") or first four ("first4") characters, star the rest."""
    if style is None or len(text) <= 4:
        return text
    if style == "last4":
        return MASK_CHAR * (len(text) - 4) + text[-4:]
    return text[:4] + MASK_CHAR * (len(text) - 4)


# ---------------------------------------------------------------- one value


def _where(path: str, item: dict) -> str:
    name = item.get("name")
    return f'{path} ("{name}")' if isinstance(name, str) and name.strip() else path


def _type_of(item: dict, where: str) -> str:
    if "type" not in item:
        raise AnswerError(where, "type_required", f"type is missing (one of {TYPE_LABELS})")
    code = _code(item["type"])
    if code not in TYPES:
        raise AnswerError(
            where, "type_invalid", f"type {json.dumps(item['type'])} is not one of {TYPE_LABELS}"
        )
    return TYPES[code]


def _length_of(item: dict, where: str) -> int:
    raw = item.get("length")
    if raw is None or raw == "":
        return MAX_LENGTH
    code = _code(raw)
    if code is None or not code.isdigit() or not 1 <= int(code) <= MAX_LENGTH:
        raise AnswerError(
            where,
            "length_invalid",
            f"length {json.dumps(raw)} must be a whole number from 1 to {MAX_LENGTH}",
        )
    return int(code)


def _mandatory_of(item: dict, where: str) -> bool:
    if "isMandatory" not in item:
        raise AnswerError(where, "mandatory_required", "isMandatory is missing (true or false)")
    raw = item["isMandatory"]
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise AnswerError(
        where, "mandatory_invalid", f"isMandatory must be true or false, got {_kind(raw)}"
    )


def _mask_of(item: dict, where: str) -> str | None:
    raw = item.get("maskStyle")
    code = "" if raw is None else _code(raw)
    if code not in MASK_STYLES:
        raise AnswerError(
            where,
            "mask_style_invalid",
            f"maskStyle {json.dumps(raw)} must be 1 (show the last four), 2 (show the first "
            "four) or empty",
        )
    return MASK_STYLES[code]


def _dictionary(item: dict, where: str) -> dict[str, str]:
    items = item.get("dictItems")
    if not isinstance(items, list) or not items:
        raise AnswerError(
            where,
            "dict_items_required",
            "type 5 (dictionary) requires dictItems, a non-empty list of {key, value}",
        )
    table: dict[str, str] = {}
    for index, entry in enumerate(items):
        at = f"{where}.dictItems[{index}]"
        if not isinstance(entry, dict):
            raise AnswerError(at, "dict_item_invalid", f"must be an object, got {_kind(entry)}")
        for part in ("key", "value"):
            if not (isinstance(entry.get(part), str) or _is_number(entry.get(part))):
                raise AnswerError(
                    at, "dict_item_invalid", f"{part} is missing or not a string or number"
                )
        table.setdefault(_text(entry["key"]), _text(entry["value"]))
    return table


def _parse_when(text: str, formats: tuple[str, ...]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _display(kind: str, raw: str, item: dict, where: str) -> str:
    """The text shown for a non-empty value of `kind`, after the type's own check."""
    if kind == "number":
        if not NUMBER_RE.fullmatch(raw.strip()):
            raise AnswerError(where, "number_invalid", f'value "{raw}" is not a number (type 2)')
        return raw.strip()
    if kind == "date":
        parsed = _parse_when(raw.strip(), DATE_FORMATS)
        if parsed is None:
            raise AnswerError(
                where, "date_invalid", f'value "{raw}" is not a date like 2024-01-31 (type 3)'
            )
        return parsed.date().isoformat()
    if kind == "time":
        text = raw.strip()
        if _parse_when(text, TIME_FORMATS) is None and _parse_when(text, DATETIME_FORMATS) is None:
            raise AnswerError(
                where,
                "time_invalid",
                f'value "{raw}" is not a time like 14:30:00 or 2024-01-31 14:30:00 (type 4)',
            )
        return text.replace("T", " ")
    if kind == "dictionary":
        table = _dictionary(item, where)
        if raw not in table:
            keys = ", ".join(list(table)[:10])
            raise AnswerError(
                where, "dict_key_unknown", f'value "{raw}" is not a key of dictItems ({keys})'
            )
        return table[raw]
    return raw


def parse_value(item: Any, path: str) -> dict:
    """One entry of `values` as a display field: label, display (masked), mandatory, type."""
    if not isinstance(item, dict):
        raise AnswerError(path, "value_invalid", f"must be an object, got {_kind(item)}")
    where = _where(path, item)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AnswerError(where, "name_required", "name is missing or empty")
    kind = _type_of(item, where)
    length = _length_of(item, where)
    mandatory = _mandatory_of(item, where)
    style = _mask_of(item, where)
    if "value" not in item:
        raise AnswerError(where, "value_required", "value is missing")
    raw = item["value"]
    if raw is not None and not isinstance(raw, str) and not _is_number(raw):
        raise AnswerError(
            where, "value_invalid", f"value must be a string or a number, got {_kind(raw)}"
        )
    text = "" if raw is None else _text(raw)
    if len(text) > length:
        raise AnswerError(
            where,
            "value_too_long",
            f"value has {len(text)} characters, more than its length {length}",
        )
    if kind == "dictionary":
        _dictionary(item, where)  # required even when the value is empty
    display = _display(kind, text, item, where) if text.strip() else ""
    return {
        "label": name.strip(),
        "display": mask(display, style),
        "mandatory": mandatory,
        "type": kind,
        "masked": style is not None,
    }


# ---------------------------------------------------------------- the answer


def parse_object(obj: Any, path: str) -> dict:
    if not isinstance(obj, dict):
        raise AnswerError(path, "object_invalid", f"must be an object, got {_kind(obj)}")
    name = obj.get("objectName")
    if not isinstance(name, str) or not name.strip():
        raise AnswerError(path, "object_name_required", "objectName is missing or empty")
    where = f'{path} ("{name.strip()}")'
    values = obj.get("values")
    if not isinstance(values, list):
        raise AnswerError(where, "values_required", f"values must be a list, got {_kind(values)}")
    fields = [parse_value(item, f"{path}.values[{i}]") for i, item in enumerate(values)]
    return {"name": name.strip(), "fields": fields}


def parse_answer(data: Any) -> list[dict]:
    """The decoded JSON answer as `[{"name", "fields": [{"label", "display", "mandatory",
    "type", "masked"}]}]`; raises AnswerError naming the place and the rule."""
    if not isinstance(data, list):
        raise AnswerError(
            "answer", "not_a_list", f"must be a JSON list of objects, got {_kind(data)}"
        )
    return [parse_object(obj, f"answer[{i}]") for i, obj in enumerate(data)]


def parse_answer_bytes(body: bytes) -> list[dict]:
    """Decode a UTF-8 JSON body (a BOM is tolerated) and parse it like `parse_answer`."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswerError("answer", "not_utf8", f"is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise AnswerError("answer", "empty", "is empty; expected a JSON list of objects")
    try:
        data = json.loads(text)
    except ValueError as exc:
        reason = getattr(exc, "msg", "invalid JSON")
        line, column = getattr(exc, "lineno", "?"), getattr(exc, "colno", "?")
        raise AnswerError(
            "answer", "not_json", f"is not valid JSON ({reason} at line {line} column {column})"
        ) from None
    return parse_answer(data)
