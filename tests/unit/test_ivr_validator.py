"""The flow validator: each rule names the step, the field and the rule, in English and Chinese."""

import copy

import pytest

from agentdesk.ivr.validator import validate


def good() -> dict:
    return {"start": "welcome", "steps": [
        {"id": "welcome", "type": "menu", "prompt": "1 sales, 2 verify",
         "options": {"1": "sales", "2": "card"}, "default": "bye", "retries": 2,
         "timeout_seconds": 5, "invalid_prompt": "Sorry"},
        {"id": "card", "type": "collect", "prompt": "Card then #", "key": "cardNo",
         "min_length": 4, "max_length": 19, "terminator": "#", "first_digit_timeout_seconds": 10,
         "inter_digit_timeout_seconds": 5, "retries": 2, "masked": False, "next": "pin",
         "on_failure": "bye"},
        {"id": "pin", "type": "collect", "prompt": "PIN", "key": "pin", "min_length": 4,
         "max_length": 6, "terminator": "#", "masked": True, "next": "check", "on_failure": "bye"},
        {"id": "check", "type": "interface", "interface_id": 7,
         "body": {"calldata": {"cardNo": "{{cardNo}}", "pin": "{{pin}}"}}, "timeout_seconds": 5,
         "map": {"verifyResult": "calldata.data.verifyResult"}, "next": "route",
         "on_error": "bye"},
        {"id": "route", "type": "branch", "key": "verifyResult", "cases": {"1": "hello"},
         "default": "ret"},
        {"id": "hello", "type": "play", "prompt": "Welcome", "audio": "welcome.wav",
         "next": "mark"},
        {"id": "mark", "type": "set", "values": {"lang": "zh"}, "next": "ret"},
        {"id": "sales", "type": "transfer_queue", "queue_id": 3},
        {"id": "ret", "type": "return_to_agent"},
        {"id": "bye", "type": "release", "prompt": "Goodbye"},
    ]}  # fmt: skip


def step(flow: dict, step_id: str) -> dict:
    return next(s for s in flow["steps"] if s["id"] == step_id)


def errors_of(flow) -> set[tuple]:
    return {(e.step_id, e.field, e.rule) for e in validate(flow)}


def changed(step_id: str, **fields) -> dict:
    flow = copy.deepcopy(good())
    target = step(flow, step_id)
    for name, value in fields.items():
        if value is ...:
            target.pop(name, None)
        else:
            target[name] = value
    return flow


def test_the_guide_like_flow_is_valid():
    assert validate(good()) == []


def test_messages_name_the_step_in_both_languages():
    (error,) = validate(changed("card", next="nowhere"))
    assert error.step_id == "card" and error.field == "next" and error.rule == "unknown_step"
    assert "step card" in error.message_en and "nowhere" in error.message_en
    assert "步骤 card" in error.message_zh and "不存在" in error.message_zh
    assert error.to_dict()["rule"] == "unknown_step"


@pytest.mark.parametrize("flow, expected", [
    ([], (None, "definition", "type")),
    ({"start": "a"}, (None, "steps", "required")),
    ({"start": "a", "steps": []}, (None, "steps", "required")),
    ({"start": "a", "steps": ["x"]}, (None, "steps[0]", "type")),
    ({"start": "a", "steps": [{"id": "1a", "type": "release"}]}, (None, "steps[0].id", "pattern")),
    ({"steps": [{"id": "a", "type": "release"}]}, (None, "start", "required")),
    ({"start": "b", "steps": [{"id": "a", "type": "release"}]}, (None, "start", "unknown_step")),
    ({"start": "a", "steps": [{"id": "a", "type": "dance"}]}, ("a", "type", "choice")),
    ({"start": "a", "extra": 1, "steps": [{"id": "a", "type": "release"}]},
     (None, "extra", "unknown_field")),
    ({"start": "a", "steps": [{"id": "a", "type": "release"}, {"id": "a", "type": "release"}]},
     ("a", "id", "duplicate")),
    ({"start": "a", "steps": [{"id": f"s{i}", "type": "release"} for i in range(101)]},
     (None, "steps", "max_items")),
])  # fmt: skip
def test_shape_rules(flow, expected):
    assert expected in errors_of(flow)


@pytest.mark.parametrize("step_id, fields, expected", [
    # every target exists
    ("card", {"next": "zz"}, ("card", "next", "unknown_step")),
    ("card", {"on_failure": ...}, ("card", "on_failure", "required")),
    ("welcome", {"default": ...}, ("welcome", "default", "required")),
    ("welcome", {"options": {"1": "zz"}}, ("welcome", "options", "unknown_step")),
    ("route", {"cases": {"1": "zz"}}, ("route", "cases", "unknown_step")),
    ("check", {"on_error": "zz"}, ("check", "on_error", "unknown_step")),
    ("hello", {"next": ...}, ("hello", "next", "required")),
    # keys well-formed
    ("card", {"key": "card no"}, ("card", "key", "key_pattern")),
    ("card", {"key": "1card"}, ("card", "key", "key_pattern")),
    ("route", {"key": ""}, ("route", "key", "key_pattern")),
    ("mark", {"values": {"bad-key": "x"}}, ("mark", "values", "key_pattern")),
    ("check", {"map": {"ok": "calldata..x"}}, ("check", "map", "path_pattern")),
    ("check", {"map": {"b d": "calldata.x"}}, ("check", "map", "key_pattern")),
    ("check", {"body": {"x": "{{not a key}}"}}, ("check", "body", "key_pattern")),
    # menu fields
    ("welcome", {"options": {"12": "sales"}}, ("welcome", "options", "dtmf_key")),
    ("welcome", {"options": {}}, ("welcome", "options", "required")),
    ("welcome", {"options": {str(i): "sales" for i in range(10)} | {"*": "bye", "#": "bye"}
                 | {f"x{i}": "bye" for i in range(9)}}, ("welcome", "options", "max_items")),
    ("welcome", {"retries": 6}, ("welcome", "retries", "range")),
    ("welcome", {"retries": -1}, ("welcome", "retries", "range")),
    ("welcome", {"timeout_seconds": 0}, ("welcome", "timeout_seconds", "range")),
    ("welcome", {"timeout_seconds": True}, ("welcome", "timeout_seconds", "range")),
    ("welcome", {"prompt": ""}, ("welcome", "prompt", "required")),
    ("welcome", {"prompt": "x" * 501}, ("welcome", "prompt", "max_length")),
    ("welcome", {"invalid_prompt": 5}, ("welcome", "invalid_prompt", "max_length")),
    ("welcome", {"colour": "red"}, ("welcome", "colour", "unknown_field")),
    ("welcome", {"label": "x" * 51}, ("welcome", "label", "max_length")),
    # collect fields
    ("card", {"min_length": 0}, ("card", "min_length", "range")),
    ("card", {"max_length": 33}, ("card", "max_length", "range")),
    ("card", {"max_length": ...}, ("card", "max_length", "range")),
    ("card", {"min_length": 8, "max_length": 4}, ("card", "max_length", "min_max")),
    ("card", {"terminator": "5"}, ("card", "terminator", "choice")),
    ("card", {"first_digit_timeout_seconds": 61}, ("card", "first_digit_timeout_seconds", "range")),
    ("card", {"inter_digit_timeout_seconds": 31}, ("card", "inter_digit_timeout_seconds", "range")),
    ("card", {"retries": 9}, ("card", "retries", "range")),
    ("card", {"masked": "yes"}, ("card", "masked", "type")),
    # interface fields
    ("check", {"interface_id": 0}, ("check", "interface_id", "required")),
    ("check", {"interface_id": "7"}, ("check", "interface_id", "required")),
    ("check", {"timeout_seconds": 31}, ("check", "timeout_seconds", "range")),
    ("check", {"timeout_seconds": 0}, ("check", "timeout_seconds", "range")),
    ("check", {"body": []}, ("check", "body", "type")),
    ("check", {"body": {"x": "y" * 4000}}, ("check", "body", "max_length")),
    # play, set, branch, transfer, release
    ("hello", {"prompt": ..., "audio": ...}, ("hello", "prompt", "required")),
    ("hello", {"audio": "../etc/passwd"}, ("hello", "audio", "pattern")),
    ("mark", {"values": {}}, ("mark", "values", "required")),
    ("mark", {"values": {"k": 1}}, ("mark", "values", "max_length")),
    ("mark", {"values": {"k": "x" * 201}}, ("mark", "values", "max_length")),
    ("route", {"cases": {"x" * 65: "ret"}}, ("route", "cases", "max_length")),
    ("route", {"cases": []}, ("route", "cases", "required")),
    ("sales", {"queue_id": None}, ("sales", "queue_id", "required")),
    ("bye", {"prompt": ["x"]}, ("bye", "prompt", "max_length")),
    ("bye", {"next": "welcome"}, ("bye", "next", "unknown_field")),
])  # fmt: skip
def test_step_field_rules(step_id, fields, expected):
    assert expected in errors_of(changed(step_id, **fields))


def test_optional_fields_may_be_left_out():
    flow = changed("card", terminator=..., retries=..., masked=..., invalid_prompt=...,
                   first_digit_timeout_seconds=..., inter_digit_timeout_seconds=...)  # fmt: skip
    flow = copy.deepcopy(flow)
    step(flow, "check").pop("on_error")
    step(flow, "check").pop("map")
    step(flow, "hello").pop("audio")
    step(flow, "bye").pop("prompt")
    assert validate(flow) == []


def test_every_path_must_end():
    flow = {"start": "a", "steps": [
        {"id": "a", "type": "menu", "prompt": "x", "options": {"1": "b"}, "default": "a"},
        {"id": "b", "type": "play", "prompt": "y", "next": "a"},
        {"id": "z", "type": "release"},
    ]}  # fmt: skip
    found = errors_of(flow)
    assert ("a", "next", "no_end") in found and ("b", "next", "no_end") in found
    assert not any(step_id == "z" for step_id, _, _ in found)


def test_a_loop_through_a_menu_is_allowed():
    flow = changed("hello", next="welcome")
    assert validate(flow) == []


def test_a_loop_without_customer_input_is_refused():
    flow = changed("mark", next="route")  # route -> hello -> mark -> route
    step(flow, "route")["default"] = "ret"
    found = errors_of(flow)
    assert any(rule == "loop_without_input" for _, _, rule in found)
    (error,) = [e for e in validate(flow) if e.rule == "loop_without_input"]
    assert error.step_id in {"route", "hello", "mark"}
    assert "循环" in error.message_zh and "loop" in error.message_en


def test_a_self_loop_of_an_interface_step_is_refused():
    flow = changed("check", on_error="check")
    assert ("check", "next", "loop_without_input") in errors_of(flow)


def test_graph_rules_wait_for_well_formed_steps():
    # a broken target is reported once, not also as a path that never ends
    assert errors_of(changed("card", next="zz")) == {("card", "next", "unknown_step")}
