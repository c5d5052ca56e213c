"""The enterprise interface's answer parser (R-EXT-2): display structure, masks, dictionaries,
and a clear error naming the place and the rule for every malformed answer."""

import json

import pytest

from agentdesk.config_center.interfaces.answer import (
    AnswerError,
    mask,
    parse_answer,
    parse_answer_bytes,
)
from examples.third_party_pages import customer_answer


def value(**fields) -> dict:
    base = {"valueNo": "1", "name": "姓名", "value": "张三", "type": "1", "isMandatory": True}
    return {**base, **fields}


def answer(*values, name="客户信息") -> list:
    return [{"objectName": name, "values": list(values)}]


def field(*values) -> dict:
    return parse_answer(answer(*values))[0]["fields"][0]


def refused(data, rule: str) -> str:
    with pytest.raises(AnswerError) as caught:
        parse_answer(data)
    assert caught.value.rule == rule, caught.value.message
    return caught.value.message


# ---------------------------------------------------------------- good answers


def test_display_structure():
    parsed = parse_answer(answer(value(), value(name="余额", type="2", value="12.5")))
    assert parsed == [
        {
            "name": "客户信息",
            "fields": [
                {
                    "label": "姓名",
                    "display": "张三",
                    "mandatory": True,
                    "type": "string",
                    "masked": False,
                },
                {
                    "label": "余额",
                    "display": "12.5",
                    "mandatory": True,
                    "type": "number",
                    "masked": False,
                },
            ],
        }
    ]


def test_every_type_accepts_json_numbers_or_strings_for_codes():
    assert field(value(type=1, length=128))["type"] == "string"
    assert field(value(type="2", value=42))["display"] == "42"
    assert field(value(type=2, value=-3.25))["display"] == "-3.25"
    assert field(value(type="3", value="2024-01-31"))["display"] == "2024-01-31"
    assert field(value(type="3", value="2024/01/31"))["display"] == "2024-01-31"
    assert field(value(type="3", value="20240131"))["display"] == "2024-01-31"
    assert field(value(type="4", value="14:30"))["display"] == "14:30"
    assert field(value(type="4", value="14:30:05"))["type"] == "time"
    assert field(value(type="4", value="2024-01-31T14:30:05"))["display"] == "2024-01-31 14:30:05"


def test_dictionary_shows_the_items_value_for_the_key():
    items = [{"key": "1", "value": "预付费"}, {"key": "2", "value": "后付费"}]
    shown = field(value(name="付费方式", type="5", value="2", dictItems=items))
    assert shown["display"] == "后付费"
    assert shown["type"] == "dictionary"
    numeric = [{"key": 1, "value": "预付费"}]
    assert field(value(type=5, value=1, dictItems=numeric))["display"] == "预付费"


def test_masks():
    assert field(value(value="13800001234", maskStyle="1"))["display"] == "*******1234"
    assert field(value(value="13800001234", maskStyle=2))["display"] == "1380*******"
    plain = field(value(value="13800001234", maskStyle=""))
    assert plain["display"] == "13800001234"
    assert plain["masked"] is False
    assert field(value(value="13800001234", maskStyle=None))["display"] == "13800001234"
    assert field(value(value="13800001234", maskStyle="1"))["masked"] is True
    # Masks apply to what is shown: a dictionary's value, a number's text.
    items = [{"key": "k", "value": "VIP客户等级金卡"}]
    assert field(value(type="5", value="k", dictItems=items, maskStyle="2"))["display"] == (
        "VIP客" + "*" * 5
    )
    assert field(value(type="2", value=123456789, maskStyle="1"))["display"] == "*****6789"


def test_mask_function_edges():
    assert mask("1234", "last4") == "1234"
    assert mask("abc", "first4") == "abc"
    assert mask("", "last4") == ""
    assert mask("12345", None) == "12345"
    assert mask("张三丰先生你好", "first4") == "张三丰先***"


def test_mandatory_accepts_boolean_strings_and_marks_fields():
    assert field(value(isMandatory=False))["mandatory"] is False
    assert field(value(isMandatory="true"))["mandatory"] is True
    assert field(value(isMandatory="FALSE"))["mandatory"] is False


def test_empty_values_and_empty_answers():
    assert field(value(value=None))["display"] == ""
    assert field(value(value="", type="3"))["display"] == ""
    assert parse_answer([]) == []
    assert parse_answer([{"objectName": "空", "values": []}]) == [{"name": "空", "fields": []}]


def test_length_limits_the_value():
    assert field(value(value="a" * 10, length="10"))["display"] == "a" * 10
    assert field(value(value="a" * 256))["display"] == "a" * 256  # no length: 256
    assert field(value(value="张" * 5, length=5))["display"] == "张" * 5  # characters, not bytes


def test_example_server_answer_is_valid_and_complete():
    parsed = parse_answer(json.loads(json.dumps(customer_answer("13800000001"))))
    fields = {f["label"]: f for obj in parsed for f in obj["fields"]}
    assert {f["type"] for f in fields.values()} == {
        "string",
        "number",
        "date",
        "time",
        "dictionary",
    }
    assert fields["手机号码"]["display"] == "*******0001"
    assert fields["证件号码"]["display"] == "1101" + "*" * 14
    assert fields["付费方式"]["display"] == "预付费"
    assert fields["查询号码"]["display"] == "13800000001"
    assert fields["姓名"]["mandatory"] and not fields["开户日期"]["mandatory"]


# ---------------------------------------------------------------- malformed answers


def test_not_a_list():
    message = refused({"objectName": "x", "values": []}, "not_a_list")
    assert message == "answer: must be a JSON list of objects, got an object"
    assert "got a string" in refused("[]", "not_a_list")
    assert "got null" in refused(None, "not_a_list")


def test_object_rules():
    assert refused(["x"], "object_invalid") == "answer[0]: must be an object, got a string"
    message = refused([{"values": []}], "object_name_required")
    assert message == "answer[0]: objectName is missing or empty"
    refused([{"objectName": "  ", "values": []}], "object_name_required")
    message = refused([{"objectName": "客户信息"}], "values_required")
    assert message == 'answer[0] ("客户信息"): values must be a list, got null'


def test_missing_name_names_the_object_and_value_index():
    data = answer(value(), value(name=None)) + answer(value(name=""), name="账户")
    message = refused(data, "name_required")
    assert message == "answer[0].values[1]: name is missing or empty"
    nameless = {k: v for k, v in value().items() if k != "name"}
    assert refused(answer(nameless), "name_required").startswith("answer[0].values[0]:")


def test_dictionary_without_dict_items():
    message = refused(answer(value(name="付费方式", type="5", value="1")), "dict_items_required")
    assert message == (
        'answer[0].values[0] ("付费方式"): type 5 (dictionary) requires dictItems, '
        "a non-empty list of {key, value}"
    )
    refused(answer(value(type="5", value="1", dictItems=[])), "dict_items_required")
    refused(answer(value(type="5", value="", dictItems=None)), "dict_items_required")


def test_dictionary_item_and_key_rules():
    message = refused(
        answer(value(type="5", value="1", dictItems=[{"key": "1"}])), "dict_item_invalid"
    )
    assert message.startswith('answer[0].values[0] ("姓名").dictItems[0]: value is missing')
    refused(answer(value(type="5", value="1", dictItems=["1"])), "dict_item_invalid")
    message = refused(
        answer(value(type="5", value="3", dictItems=[{"key": "1", "value": "a"}])),
        "dict_key_unknown",
    )
    assert 'value "3" is not a key of dictItems (1)' in message


def test_value_too_long():
    message = refused(answer(value(value="abcdef", length="5")), "value_too_long")
    assert message == (
        'answer[0].values[0] ("姓名"): value has 6 characters, more than its length 5'
    )
    refused(answer(value(value="a" * 257)), "value_too_long")


def test_length_rules():
    assert "from 1 to 256" in refused(answer(value(length="257")), "length_invalid")
    refused(answer(value(length="0")), "length_invalid")
    refused(answer(value(length="ten")), "length_invalid")
    refused(answer(value(length=12.5)), "length_invalid")


def test_bad_type():
    message = refused(answer(value(type="6")), "type_invalid")
    assert message == (
        'answer[0].values[0] ("姓名"): type "6" is not one of 1 string, 2 number, 3 date, '
        "4 time, 5 dictionary"
    )
    refused(answer(value(type="string")), "type_invalid")
    refused(answer(value(type=True)), "type_invalid")
    without = {k: v for k, v in value().items() if k != "type"}
    refused(answer(without), "type_required")


def test_typed_value_rules():
    assert 'value "abc" is not a number' in refused(
        answer(value(type="2", value="abc")), "number_invalid"
    )
    refused(answer(value(type="3", value="31.01.2024")), "date_invalid")
    refused(answer(value(type="3", value="2024-02-30")), "date_invalid")
    refused(answer(value(type="4", value="25:00")), "time_invalid")


def test_value_and_flag_rules():
    assert "got an object" in refused(answer(value(value={"a": 1})), "value_invalid")
    refused(answer(value(value=True)), "value_invalid")
    without = {k: v for k, v in value().items() if k != "value"}
    refused(answer(without), "value_required")
    refused(answer(value(isMandatory="yes")), "mandatory_invalid")
    without = {k: v for k, v in value().items() if k != "isMandatory"}
    refused(answer(without), "mandatory_required")
    assert "maskStyle" in refused(answer(value(maskStyle="3")), "mask_style_invalid")
    refused(answer(["x"]), "value_invalid")


def test_the_guides_printed_example_is_refused_clearly():
    """As printed (split across two objects), the "付费方式" value breaks the rules."""
    printed = [
        {
            "objectName": "客户信息",
            "values": [
                {
                    "valueNo": "1",
                    "length": "128",
                    "type": "1",
                    "value": "zengxiangyu01",
                    "isMandatory": True,
                    "name": "姓名",
                },
                {
                    "valueNo": "2",
                    "dictItems": [{"value": "预付费", "key": "1"}, {"value": "后付费", "key": "2"}],
                },
                {"type": "5", "value": "1", "isMandatory": True, "name": "付费方式"},
            ],
        }
    ]
    assert refused(printed, "name_required") == "answer[0].values[1]: name is missing or empty"


# ---------------------------------------------------------------- bytes


def test_bytes_decoding():
    data = json.dumps(answer(value())).encode("utf-8")
    assert parse_answer_bytes(data)[0]["name"] == "客户信息"
    assert parse_answer_bytes(b"\xef\xbb\xbf" + data)[0]["fields"][0]["display"] == "张三"
    for body, rule in (
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"<html>oops</html>", "not_json"),
        (b'[{"objectName": "x",', "not_json"),
        ("客户".encode("gb18030"), "not_utf8"),
        (b'{"code": 0}', "not_a_list"),
    ):
        with pytest.raises(AnswerError) as caught:
            parse_answer_bytes(body)
        assert caught.value.rule == rule
    with pytest.raises(AnswerError) as caught:
        parse_answer_bytes(b"[1, 2")
    assert "is not valid JSON" in caught.value.message and "line 1" in caught.value.message
