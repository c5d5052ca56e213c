"""The verification interface's answer (guide 4.4.5): every field, every malformed shape -> 3."""

import json

import pytest

from agentdesk.verification.answer import ERROR_ANSWER, VerifyAnswer, parse_verify_answer


def answer(**data) -> dict:
    return {"calldata": {"data": data}}


@pytest.mark.parametrize("value, result", [
    (0, "0"), (1, "1"), (2, "2"), (3, "3"), ("0", "0"), ("1", "1"), ("2", "2"), (" 3 ", "3"),
])  # fmt: skip
def test_result_as_int_or_digit_string(value, result):
    assert parse_verify_answer(answer(verifyResult=value)).result == result


def test_returns_are_read_in_order_numbers_as_text_null_and_absent_as_empty():
    got = parse_verify_answer(
        answer(verifyResult=1, verifyReturn1="VIP", verifyReturn2=42, verifyReturn3=None)
    )
    assert got == VerifyAnswer("1", ("VIP", "42", ""))
    assert parse_verify_answer(answer(verifyResult=2)) == VerifyAnswer("2", ("", "", ""))


def test_bytes_and_text_bodies_are_decoded():
    body = json.dumps(answer(verifyResult=1, verifyReturn1="张三"), ensure_ascii=False)
    assert parse_verify_answer(body.encode()) == VerifyAnswer("1", ("张三", "", ""))
    assert parse_verify_answer(body) == VerifyAnswer("1", ("张三", "", ""))


def test_extra_fields_are_ignored():
    payload = {"calldata": {"data": {"verifyResult": 1, "other": [1]}, "x": 1}, "y": 2}
    assert parse_verify_answer(payload).result == "1"


@pytest.mark.parametrize("payload", [
    None, b"", b"not json", b"\xff\xfe", "{", "[]", "null", "1", [], 3, "text",
    {}, {"calldata": None}, {"calldata": []}, {"calldata": "x"}, {"calldata": {}},
    {"calldata": {"data": None}}, {"calldata": {"data": []}}, {"calldata": {"data": "1"}},
    {"data": {"verifyResult": 1}}, {"verifyResult": 1},
    answer(), answer(verifyResult=None), answer(verifyResult=4), answer(verifyResult=-1),
    answer(verifyResult="4"), answer(verifyResult="01"), answer(verifyResult="one"),
    answer(verifyResult=""), answer(verifyResult=1.0), answer(verifyResult=True),
    answer(verifyResult=[1]), answer(verifyResult={"v": 1}),
    answer(verifyResult=1, verifyReturn1={"a": 1}), answer(verifyResult=1, verifyReturn2=[1]),
    answer(verifyResult=1, verifyReturn3=True), answer(verifyResult=1, verifyReturn1="x" * 257),
])  # fmt: skip
def test_every_malformed_shape_is_result_3_with_empty_returns(payload):
    assert parse_verify_answer(payload) == ERROR_ANSWER == VerifyAnswer("3", ("", "", ""))


@pytest.mark.parametrize("error", ["timeout", "http 500", "connection refused", ""])
def test_a_failed_call_is_result_3_whatever_the_body(error):
    assert parse_verify_answer(answer(verifyResult=1), error=error) == ERROR_ANSWER


def test_a_return_of_exactly_the_column_width_is_kept():
    assert parse_verify_answer(answer(verifyResult=1, verifyReturn1="x" * 256)).returns[0] == (
        "x" * 256
    )
