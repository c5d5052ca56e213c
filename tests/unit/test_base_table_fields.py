"""Field rules of base tables (R-TBL-1): definitions, limits, published changes, masking."""

import pytest

from agentdesk.config_center.basetables import fields as rules


def field(name: str = "f", **values) -> dict:
    base = {
        "key": None,
        "name": name,
        "index": False,
        "encrypted": False,
        "required": False,
        "type": "string",
        "length": 20,
        "mask": False,
        "mask_style": None,
        "items": None,
    }
    return {**base, **values}


def broken(fields: list[dict]) -> set[tuple[str, str]]:
    return {(e.field, e.rule) for e in rules.check_definition(fields)}


def test_a_sound_definition_passes():
    fields = [
        field("手机号", index=True, required=True),
        field("姓名", encrypted=True, mask=True, mask_style="first4"),
        field("级别", type="dictionary", length=None, items=[{"key": "1", "value": "金卡"}]),
        field("生日", type="date", length=None),
        field("时间", type="time", length=None),
        field("积分", type="number", length=30),
    ]
    assert rules.check_definition(fields) == []


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (field(" 姓名"), ("fields.1.name", "whitespace")),
        (field("a\tb"), ("fields.1.name", "control")),
        (field("=cmd"), ("fields.1.name", "formula")),
        (field("@x"), ("fields.1.name", "formula")),
        (field("长", length=None), ("fields.1.length", "required")),
        (field("长", length=257), ("fields.1.length", "range")),
        (field("数", type="number", length=31), ("fields.1.length", "range")),
        (field("日", type="date", length=10), ("fields.1.length", "not_applicable")),
        (field("掩", mask=True), ("fields.1.mask_style", "required")),
        (field("掩", mask_style="last4"), ("fields.1.mask_style", "not_applicable")),
        (field("日", type="date", length=None, mask=True), ("fields.1.mask", "not_applicable")),
        (field("字", type="dictionary", length=None), ("fields.1.items", "required")),
        (
            field("字", items=[{"key": "1", "value": "a"}]),
            ("fields.1.items", "not_applicable"),
        ),
        (
            field(
                "字",
                type="dictionary",
                length=None,
                items=[{"key": "1", "value": "a"}, {"key": "1", "value": "b"}],
            ),
            ("fields.1.items.1.key", "unique"),
        ),
        (field("索", type="date", length=None, index=True), ("fields.1.type", "index_type")),
    ],
)
def test_each_field_rule_names_the_field_and_the_rule(bad, expected):
    assert expected in broken([field("ok"), bad])


def test_names_are_unique_ignoring_case():
    assert ("fields.1.name", "unique") in broken([field("Name"), field("name")])


def test_at_most_one_index_field():
    fields = [field("a", index=True), field("b", index=True)]
    assert broken(fields) == {("fields.1.index", "limit")}
    [error] = rules.check_definition(fields)
    assert error.limit == 1 and "1 index field" in error.message and "索引字段" in error.message_zh


def test_limits_of_ordinary_and_encrypted_fields():
    index = [field("idx", index=True, encrypted=True)]
    at_limit = (
        index
        + [field(f"o{i}") for i in range(30)]
        + [field(f"e{i}", encrypted=True) for i in range(19)]
    )
    assert rules.check_definition(at_limit) == []  # 1 index (encrypted) + 30 + 20 encrypted
    [ordinary] = rules.check_definition(at_limit + [field("o30")])
    assert (ordinary.field, ordinary.rule, ordinary.limit) == ("fields", "limit", 30)
    assert "ordinary fields" in ordinary.message and "this one has 31" in ordinary.message
    [encrypted] = rules.check_definition(at_limit + [field("e19", encrypted=True)])
    assert (encrypted.field, encrypted.rule, encrypted.limit) == ("fields", "limit", 20)
    assert "encrypted fields" in encrypted.message and "当前 21 个" in encrypted.message_zh


def published(fields):
    rules.assign_keys_and_slots(fields, [], False, 1)
    return [dict(f) for f in fields]


def test_published_tables_take_new_optional_fields_and_keep_slots():
    old = published([field("a"), field("b", encrypted=True), field("c")])
    new = [dict(f) for f in old] + [field("d"), field("e", encrypted=True)]
    new[0], new[2] = new[2], new[0]  # reorder
    new[1]["name"] = "renamed"
    assert rules.check_published_change(new, old) == []
    next_no = rules.assign_keys_and_slots(new, old, True, 4)
    assert next_no == 6
    slots = {f["name"]: f["slot"] for f in new}
    assert slots == {"a": 0, "renamed": 0, "c": 1, "d": 2, "e": 1}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda fs: fs.pop(1), ("fields", "published")),
        (lambda fs: fs[0].update(type="number"), ("fields.0.type", "published")),
        (lambda fs: fs[0].update(encrypted=True), ("fields.0.encrypted", "published")),
        (lambda fs: fs[0].update(index=True), ("fields.0.index", "published")),
        (lambda fs: fs[0].update(length=10), ("fields.0.length", "published")),
        (lambda fs: fs[0].update(required=True), ("fields.0.required", "published")),
        (
            lambda fs: fs[2].update(items=[{"key": "2", "value": "b"}]),
            ("fields.2.items", "published"),
        ),
        (lambda fs: fs.append(field("new", required=True)), ("fields.3.required", "published")),
        (lambda fs: fs.append(field("new", index=True)), ("fields.3.index", "published")),
    ],
)
def test_what_a_published_table_refuses(change, expected):
    old = published(
        [
            field("a"),
            field("b"),
            field("c", type="dictionary", length=None, items=[{"key": "1", "value": "a"}]),
        ]
    )
    new = [dict(f) for f in old]
    change(new)
    assert expected in {(e.field, e.rule) for e in rules.check_published_change(new, old)}


def test_what_a_published_table_allows_on_existing_fields():
    old = published(
        [
            field("a", required=True),
            field("c", type="dictionary", length=None, items=[{"key": "1", "value": "a"}]),
        ]
    )
    new = [dict(f) for f in old]
    new[0].update(length=40, required=False, mask=True, mask_style="last4")
    new[1].update(items=[{"key": "1", "value": "改名"}, {"key": "2", "value": "新"}])
    assert rules.check_published_change(new, old) == []


@pytest.mark.parametrize(
    ("value", "style", "shown"),
    [
        ("13812345678", "last4", "*******5678"),
        ("13812345678", "first4", "1381*******"),
        ("张三丰大侠", "first4", "张三丰大*"),
        ("1234", "last4", "1234"),
        ("12", "first4", "12"),
        ("13812345678", None, "13812345678"),
    ],
)
def test_masking(value, style, shown):
    assert rules.mask(value, style) == shown


def test_display_shows_dictionary_labels_and_masks():
    level = field("级别", type="dictionary", items=[{"key": "1", "value": "金卡"}])
    assert rules.display(level, "1") == "金卡"
    assert rules.display(level, "") == ""
    card = field("卡号", mask=True, mask_style="last4")
    assert rules.display(card, "6222020012345678") == "************5678"
