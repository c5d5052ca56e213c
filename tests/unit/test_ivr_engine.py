"""The IVR step engine over plain data with an injected clock (issue 10)."""

import json
import logging

from agentdesk.ivr.engine import (
    CallInterface,
    Release,
    ReturnToAgent,
    Run,
    Say,
    TransferQueue,
    WaitDigits,
    begin,
    on_digits,
    on_interface_answer,
    on_timeout,
    render,
)

T0 = 1000.0


def menu_flow(**menu) -> dict:
    step = {"id": "welcome", "type": "menu", "prompt": "Press 1 for sales", "options": {"1": "sales"},
            "default": "bye", "retries": 2, "timeout_seconds": 5,
            "invalid_prompt": "Not a valid choice"}  # fmt: skip
    step.update(menu)
    return {"start": "welcome", "steps": [
        step,
        {"id": "sales", "type": "transfer_queue", "queue_id": 3},
        {"id": "bye", "type": "release", "prompt": "Goodbye"},
    ]}  # fmt: skip


def collect_flow(**collect) -> dict:
    step = {"id": "card", "type": "collect", "prompt": "Card number then #", "key": "cardNo",
            "min_length": 4, "max_length": 8, "terminator": "#",
            "first_digit_timeout_seconds": 10, "inter_digit_timeout_seconds": 5, "retries": 1,
            "masked": False, "next": "done", "on_failure": "bye"}  # fmt: skip
    step.update(collect)
    return {"start": "card", "steps": [
        step,
        {"id": "done", "type": "return_to_agent"},
        {"id": "bye", "type": "release", "prompt": "Goodbye"},
    ]}  # fmt: skip


def says(outcome) -> list[str]:
    return [a.text for a in outcome.actions if isinstance(a, Say)]


# ---- menu -----------------------------------------------------------------------------------


def test_menu_prompts_and_waits_until_its_timeout():
    out = begin(menu_flow(), {}, T0)
    assert out.actions == (Say("Press 1 for sales"), WaitDigits(T0 + 5))
    assert out.run.step_id == "welcome" and out.run.deadline == T0 + 5
    assert out.run.path == ("welcome",)


def test_menu_key_routes_to_its_option():
    out = on_digits(menu_flow(), begin(menu_flow(), {}, T0).run, "1", T0 + 1)
    assert out.actions == (TransferQueue(3),)
    assert out.run.finished and out.run.path == ("welcome", "sales")


def test_menu_invalid_key_reprompts_then_goes_to_default_after_retries():
    flow = menu_flow()
    run = begin(flow, {}, T0).run
    first = on_digits(flow, run, "9", T0 + 1)
    assert says(first) == ["Not a valid choice", "Press 1 for sales"]
    assert first.actions[-1] == WaitDigits(T0 + 6)
    assert first.run.retries == 1
    second = on_digits(flow, first.run, "8", T0 + 2)
    assert second.run.retries == 2 and second.run.step_id == "welcome"
    third = on_digits(flow, second.run, "7", T0 + 3)
    assert third.actions == (Release("Goodbye"),)
    assert third.run.path == ("welcome", "bye")


def test_menu_timeout_counts_as_a_try_and_without_retries_goes_to_default():
    flow = menu_flow(retries=1)
    run = begin(flow, {}, T0).run
    again = on_timeout(flow, run, T0 + 5)
    assert says(again) == ["Press 1 for sales"]  # a time-out re-prompts without "invalid"
    assert again.run.retries == 1 and again.run.deadline == T0 + 10
    gone = on_timeout(flow, again.run, T0 + 10)
    assert gone.actions == (Release("Goodbye"),)


def test_a_timer_that_fires_early_or_twice_changes_nothing():
    flow = menu_flow()
    run = begin(flow, {}, T0).run
    early = on_timeout(flow, run, T0 + 4.9)
    assert early.run == run and early.actions == ()
    finished = on_digits(flow, run, "1", T0 + 1).run
    assert on_timeout(flow, finished, T0 + 100).actions == ()


def test_keys_other_than_dtmf_are_ignored_and_keys_after_the_end_are_dropped():
    flow = menu_flow()
    run = begin(flow, {}, T0).run
    out = on_digits(flow, run, "x1 23", T0 + 1)
    assert out.actions == (TransferQueue(3),)
    assert out.run.finished


# ---- collect --------------------------------------------------------------------------------


def test_collect_with_terminator_stores_the_digits_and_moves_on():
    flow = collect_flow()
    run = begin(flow, {"verifyServiceNo": "88880011"}, T0).run
    assert run.deadline == T0 + 10  # first-digit time-out
    out = on_digits(flow, run, "12345#", T0 + 2)
    assert out.actions[-1] == ReturnToAgent()
    assert out.run.data == {"verifyServiceNo": "88880011", "cardNo": "12345"}
    assert out.run.path == ("card", "done")


def test_collect_completes_at_max_length_without_terminator():
    flow = collect_flow(max_length=4)
    out = on_digits(flow, begin(flow, {}, T0).run, "1234", T0 + 1)
    assert out.actions[-1] == ReturnToAgent()
    assert out.run.data["cardNo"] == "1234"


def test_collect_too_short_at_terminator_reprompts_then_fails():
    flow = collect_flow(invalid_prompt="Too short")
    run = begin(flow, {}, T0).run
    retry = on_digits(flow, run, "12#", T0 + 1)
    assert says(retry) == ["Too short", "Card number then #"]
    assert retry.run.digits == "" and retry.run.retries == 1
    assert retry.run.deadline == T0 + 11  # first-digit time-out again
    failed = on_digits(flow, retry.run, "9#", T0 + 2)
    assert failed.actions == (WaitDigits(T0 + 7), Release("Goodbye"))
    assert "cardNo" not in failed.run.data


def test_collect_each_digit_moves_the_deadline_to_the_inter_digit_timeout():
    flow = collect_flow()
    run = begin(flow, {}, T0).run
    out = on_digits(flow, run, "12", T0 + 3)
    assert out.run.digits == "12" and out.run.deadline == T0 + 8
    assert out.actions == (WaitDigits(T0 + 8), WaitDigits(T0 + 8))


def test_collect_inter_digit_timeout_accepts_enough_digits_and_retries_too_few():
    flow = collect_flow()
    run = begin(flow, {}, T0).run
    enough = on_digits(flow, run, "12345", T0 + 1).run
    assert on_timeout(flow, enough, T0 + 6).run.data["cardNo"] == "12345"
    few = on_digits(flow, run, "12", T0 + 1).run
    retried = on_timeout(flow, few, T0 + 6)
    assert retried.run.step_id == "card" and retried.run.retries == 1
    assert retried.run.digits == ""


def test_collect_first_digit_timeout_retries_then_goes_to_on_failure():
    flow = collect_flow(retries=1)
    run = begin(flow, {}, T0).run
    assert on_timeout(flow, run, T0 + 9).actions == ()  # not yet
    retried = on_timeout(flow, run, T0 + 10)
    assert says(retried) == ["Card number then #"]
    failed = on_timeout(flow, retried.run, T0 + 20)
    assert failed.actions == (Release("Goodbye"),)
    assert failed.run.path == ("card", "bye")


def test_typed_ahead_digits_carry_on_to_the_next_collect_step():
    flow = {"start": "menu", "steps": [
        {"id": "menu", "type": "menu", "prompt": "2 to verify", "options": {"2": "card"},
         "default": "bye"},
        {"id": "card", "type": "collect", "prompt": "Card", "key": "cardNo", "min_length": 4,
         "max_length": 8, "terminator": "#", "next": "done", "on_failure": "bye"},
        {"id": "done", "type": "return_to_agent"},
        {"id": "bye", "type": "release"},
    ]}  # fmt: skip
    out = on_digits(flow, begin(flow, {}, T0).run, "21234#", T0 + 1)
    assert out.run.data["cardNo"] == "1234"
    assert out.run.path == ("menu", "card", "done")


# ---- masked input ---------------------------------------------------------------------------


def pin_flow() -> dict:
    return {"start": "pin", "steps": [
        {"id": "pin", "type": "collect", "prompt": "PIN", "key": "pin", "min_length": 4,
         "max_length": 6, "terminator": "#", "masked": True, "next": "check", "on_failure": "bye"},
        {"id": "check", "type": "interface", "interface_id": 7, "timeout_seconds": 5,
         "body": {"calldata": {"pin": "{{pin}}", "no": "{{verifyServiceNo}}"}},
         "map": {"verifyResult": "calldata.data.verifyResult"}, "next": "ret", "on_error": "bye"},
        {"id": "ret", "type": "return_to_agent"},
        {"id": "bye", "type": "release"},
    ]}  # fmt: skip


def test_masked_digits_go_to_the_interface_but_never_into_path_repr_or_the_ended_run(caplog):
    flow = pin_flow()
    run = begin(flow, {"verifyServiceNo": "88880011"}, T0).run
    typing = on_digits(flow, run, "98", T0 + 1).run
    assert "98" not in repr(typing)
    at_interface = on_digits(flow, typing, "76#", T0 + 2)
    call = at_interface.actions[-1]
    assert isinstance(call, CallInterface)
    assert call.body == {"calldata": {"pin": "9876", "no": "88880011"}}  # its purpose
    assert "9876" not in repr(call)
    waiting = at_interface.run
    assert waiting.masked_keys == ("pin",)
    assert waiting.public_data() == {"verifyServiceNo": "88880011", "pin": "****"}
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("run %r action %r", waiting, call)
    assert "9876" not in caplog.text
    assert all("9876" not in step for step in waiting.path)
    answered = on_interface_answer(
        flow, waiting, "check", {"calldata": {"data": {"verifyResult": 1}}}, None, T0 + 3
    )
    assert answered.actions == (ReturnToAgent(),)
    assert answered.run.data == {"verifyServiceNo": "88880011", "verifyResult": "1"}
    assert "9876" not in json.dumps(answered.run.to_dict())


def pin_then_more_flow() -> dict:
    """PIN to the interface, then the flow goes on (a menu): the PIN must not wait there."""
    flow = pin_flow()
    steps = {s["id"]: s for s in flow["steps"]}
    steps["check"]["next"] = steps["check"]["on_error"] = "more"
    extra = {"id": "more", "type": "menu", "prompt": "1 agent", "options": {"1": "ret"},
             "default": "bye", "timeout_seconds": 5, "retries": 0}  # fmt: skip
    return {"start": "pin", "steps": [*steps.values(), extra]}


def test_masked_values_leave_the_data_right_after_the_interface_step_that_used_them():
    flow = pin_then_more_flow()
    waiting = on_digits(flow, begin(flow, {"verifyServiceNo": "8888"}, T0).run, "9876#", T0 + 1)
    assert waiting.run.data["pin"] == "9876"  # needed until the interface step is done
    for how in ("answer", "error", "timeout"):
        if how == "answer":
            answer = {"calldata": {"data": {"verifyResult": 2}}}
            after = on_interface_answer(flow, waiting.run, "check", answer, None, T0 + 2)
        elif how == "error":
            after = on_interface_answer(flow, waiting.run, "check", None, "http 500", T0 + 2)
        else:
            after = on_timeout(flow, waiting.run, T0 + 10)
        assert after.run.step_id == "more", how  # the flow goes on, still running
        assert "pin" not in after.run.data, how
        assert after.run.masked_keys == ("pin",), how  # collected again, masked again
        assert "9876" not in json.dumps(after.run.to_dict()), how
        assert "9876" not in repr(after), how


def test_a_masked_value_an_interface_step_does_not_use_stays_for_the_step_that_does():
    flow = pin_flow()
    steps = {s["id"]: s for s in flow["steps"]}
    first = {
        **steps["check"],
        "id": "lookup",
        "body": {"no": "{{verifyServiceNo}}"},
        "next": "check",
    }
    steps["pin"]["next"] = "lookup"
    flow = {"start": "pin", "steps": [*steps.values(), first]}
    waiting = on_digits(flow, begin(flow, {"verifyServiceNo": "8888"}, T0).run, "9876#", T0 + 1)
    assert waiting.run.step_id == "lookup"
    second = on_interface_answer(flow, waiting.run, "lookup", {}, None, T0 + 2)
    assert second.run.step_id == "check" and second.run.data["pin"] == "9876"
    assert second.actions[-1].body["calldata"]["pin"] == "9876"
    done = on_interface_answer(flow, second.run, "check", {}, None, T0 + 3)
    assert "pin" not in done.run.data


def test_run_survives_a_round_trip_through_its_stored_form():
    flow = pin_flow()
    run = on_digits(flow, begin(flow, {"a": "1"}, T0).run, "12", T0 + 1).run
    stored = json.loads(json.dumps(run.to_dict()))
    again = Run.from_dict(stored)
    assert again == run
    assert on_digits(flow, again, "34#", T0 + 2) == on_digits(flow, run, "34#", T0 + 2)


# ---- interface ------------------------------------------------------------------------------


def interface_run(flow: dict) -> Run:
    run = begin(flow, {"verifyServiceNo": "88880011"}, T0).run
    return on_digits(flow, run, "1234#", T0 + 1).run


def test_interface_answer_maps_fields_including_numbers_and_booleans():
    flow = pin_flow()
    flow["steps"][1]["map"] = {"verifyResult": "calldata.data.verifyResult",
                               "ok": "calldata.ok", "first": "items.0.name",
                               "missing": "calldata.nothing"}  # fmt: skip
    answer = {"calldata": {"data": {"verifyResult": 2}, "ok": True}, "items": [{"name": "x"}]}
    out = on_interface_answer(flow, interface_run(flow), "check", answer, None, T0 + 2)
    assert out.run.data["verifyResult"] == "2"
    assert out.run.data["ok"] == "true" and out.run.data["first"] == "x"
    assert "missing" not in out.run.data


def test_interface_error_goes_to_on_error_and_a_late_answer_is_ignored():
    flow = pin_flow()
    waiting = interface_run(flow)
    assert waiting.deadline == T0 + 6
    failed = on_interface_answer(flow, waiting, "check", None, "http 500", T0 + 2)
    assert failed.actions == (Release(None),)
    assert failed.run.path == ("pin", "check", "bye")
    late = on_interface_answer(flow, failed.run, "check", {"calldata": {}}, None, T0 + 3)
    assert late.actions == () and late.run == failed.run


def test_interface_timeout_timer_counts_as_an_error():
    flow = pin_flow()
    waiting = interface_run(flow)
    assert on_timeout(flow, waiting, T0 + 5).actions == ()
    out = on_timeout(flow, waiting, T0 + 6)
    assert out.run.path[-1] == "bye"


def test_interface_without_on_error_continues_at_next():
    flow = pin_flow()
    del flow["steps"][1]["on_error"]
    out = on_interface_answer(flow, interface_run(flow), "check", None, "timeout", T0 + 2)
    assert out.actions == (ReturnToAgent(),)


def test_answer_for_another_step_is_ignored():
    flow = pin_flow()
    waiting = interface_run(flow)
    assert on_interface_answer(flow, waiting, "other", {}, None, T0 + 2).actions == ()


def test_render_substitutes_every_string_and_leaves_other_values():
    body = {"a": "{{x}}-{{ y }}", "n": 3, "l": ["{{x}}", True], "{{x}}": "{{absent}}"}
    assert render(body, {"x": "1", "y": "2"}) == {"a": "1-2", "n": 3, "l": ["1", True],
                                                  "{{x}}": ""}  # fmt: skip


# ---- set, branch, play, ends ----------------------------------------------------------------


def test_set_and_branch_route_on_attached_data():
    flow = {"start": "hello", "steps": [
        {"id": "hello", "type": "play", "prompt": "Welcome", "audio": "welcome.wav",
         "next": "mark"},
        {"id": "mark", "type": "set", "values": {"lang": "zh", "who": "{{caller}}"},
         "next": "route"},
        {"id": "route", "type": "branch", "key": "lang", "cases": {"zh": "q1", "en": "q2"},
         "default": "bye"},
        {"id": "q1", "type": "transfer_queue", "queue_id": 1},
        {"id": "q2", "type": "transfer_queue", "queue_id": 2},
        {"id": "bye", "type": "release"},
    ]}  # fmt: skip
    out = begin(flow, {"caller": "138"}, T0)
    assert out.actions == (Say("Welcome", "welcome.wav"), TransferQueue(1))
    assert out.run.data == {"caller": "138", "lang": "zh", "who": "138"}
    assert out.run.path == ("hello", "mark", "route", "q1")
    flow["steps"][1]["values"]["lang"] = "fr"
    assert begin(flow, {}, T0).run.path[-1] == "bye"


def test_a_dangling_target_or_an_automatic_loop_releases_instead_of_hanging():
    dangling = {"start": "a", "steps": [{"id": "a", "type": "play", "prompt": "x", "next": "zz"}]}
    out = begin(dangling, {}, T0)
    assert out.actions[-1] == Release(None) and out.run.finished
    loop = {"start": "a", "steps": [
        {"id": "a", "type": "play", "prompt": "x", "next": "b"},
        {"id": "b", "type": "set", "values": {"k": "v"}, "next": "a"},
    ]}  # fmt: skip
    out = begin(loop, {}, T0)
    assert out.actions[-1] == Release(None) and out.run.finished
    assert begin({}, {}, T0).actions == (Release(None),)
