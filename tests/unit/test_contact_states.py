"""The contact and presence state machines and the per-family presence rules, as data."""

import pytest

from agentdesk.contacts.agent_states import AGENT_MACHINES, IN_CALL, NOT_READY, VOICE_AGENT
from agentdesk.contacts.contact_states import CALL, CHAT, CONTACT_MACHINES, hangup_outcome
from agentdesk.contacts.families import (
    AUDIO_VIDEO,
    DEFAULT_CAPACITY,
    MULTIMEDIA,
    family_of_media,
    family_of_queue_type,
)
from agentdesk.contacts.machine import InvalidTransition, State, StateMachine, Transition
from agentdesk.contacts.presence import can_take_one_more, holding_after


@pytest.mark.parametrize(
    ("state", "event", "expected"),
    [
        ("queued", "enqueue", "queued"),
        ("queued", "offer", "ringing"),
        ("ringing", "requeue", "queued"),
        ("ringing", "answer", "talking"),
        ("dialing", "connect", "talking"),
        ("talking", "hold", "held"),
        ("held", "unhold", "talking"),
        ("queued", "end", "ended"),
        ("ringing", "end", "ended"),
        ("dialing", "end", "ended"),
        ("held", "end", "ended"),
    ],
)
def test_call_transitions(state, event, expected):
    assert CALL.next(state, event) == expected


@pytest.mark.parametrize(
    ("state", "event"),
    [("ended", "end"), ("ended", "offer"), ("queued", "answer"), ("talking", "offer")],
)
def test_refused_call_transitions_name_event_and_state(state, event):
    with pytest.raises(InvalidTransition) as err:
        CALL.next(state, event)
    assert event in err.value.message and state in err.value.message
    assert err.value.status_code == 409


def test_hangup_outcome_follows_the_state_tags():
    assert [hangup_outcome(CALL, s) for s in ("queued", "ringing", "dialing", "talking")] == [
        "abandoned",
        "abandoned",
        "rejected",
        "completed",
    ]
    assert hangup_outcome(CHAT, "offered") == "abandoned"


def test_machines_per_family():
    assert CONTACT_MACHINES == {AUDIO_VIDEO: CALL, MULTIMEDIA: CHAT}
    assert set(AGENT_MACHINES) == {AUDIO_VIDEO, MULTIMEDIA}
    assert CHAT.next("offered", "accept") == "active"
    assert AGENT_MACHINES[MULTIMEDIA].next("busy", "set_idle") == "idle"
    with pytest.raises(InvalidTransition):
        AGENT_MACHINES[MULTIMEDIA].next("idle", "offer")  # chats do not change the state


def test_agent_state_sets_come_from_tags():
    # verifying (issue 10): the customer is in a verification flow, the agent still on the call.
    assert {"ringing", "dialing", "talking", "held", "verifying"} == IN_CALL
    assert {"busy", "rest"} == NOT_READY
    assert VOICE_AGENT.next("ringing", "miss") == "busy"


def test_one_new_state_joins_tagged_transitions_without_touching_the_others():
    """How issue 10 adds "in IVR": one state tagged live + its own transitions."""
    with_ivr = CALL.extended(
        [State("in_ivr", "自助语音", "In IVR", frozenset({"live", "waiting_for_agent"}))],
        [Transition("leave_ivr", "queued", frozenset({"in_ivr"}))],
        also_from={"enqueue": ["in_ivr"]},
    )
    assert with_ivr.next("in_ivr", "end") == "ended"  # by its tag
    assert with_ivr.next("in_ivr", "leave_ivr") == "queued"
    assert with_ivr.next("in_ivr", "enqueue") == "queued"
    assert hangup_outcome(with_ivr, "in_ivr") == "abandoned"
    assert with_ivr.next("queued", "offer") == "ringing"  # the rest unchanged
    assert "in_ivr" not in CALL.names  # the original is untouched

    # (The real "verifying" is now part of VOICE_AGENT: the example uses another name.)
    verifying = VOICE_AGENT.extended(
        [State("example_waiting", "等待验证", "Waiting on verification",
               frozenset({"signed_in", "in_contact"}))],
        [Transition("await_example", "example_waiting", frozenset({"talking"})),
         Transition("example_done", "talking", frozenset({"example_waiting"}))],
    )  # fmt: skip
    assert "example_waiting" in verifying.tagged("in_contact")
    with pytest.raises(InvalidTransition):
        verifying.next("example_waiting", "sign_out")  # refused, as during any contact


def test_the_ivr_states_of_a_call():
    """Issue 10: a caller in a flow; `in_flow` says the flow takes their keys."""
    assert CALL.next("queued", "enter_ivr") == "ivr"
    assert CALL.next("ivr", "enqueue") == "queued"  # the flow transfers to a queue
    assert hangup_outcome(CALL, "ivr") == "abandoned"  # nobody had answered yet
    assert CALL.next("talking", "verify") == "verifying"
    assert CALL.next("verifying", "return_to_agent") == "talking"
    assert hangup_outcome(CALL, "verifying") == "completed"  # the agent had talked to them
    assert CALL.has("verifying", "conversation")  # so after-call work follows
    assert CALL.next("verifying", "end") == "ended"
    assert {s for s in ("ivr", "verifying", "talking") if CALL.has(s, "in_flow")} == {
        "ivr",
        "verifying",
    }
    assert VOICE_AGENT.next("talking", "start_verification") == "verifying"
    assert VOICE_AGENT.next("verifying", "end_verification") == "talking"
    with pytest.raises(InvalidTransition):
        VOICE_AGENT.next("verifying", "sign_out")


def test_a_machine_refuses_unknown_states_and_duplicates():
    with pytest.raises(ValueError):
        StateMachine("x", (State("a", "", ""),), (Transition("go", "b", frozenset({"a"})),))
    with pytest.raises(ValueError):
        StateMachine("x", (State("a", "", ""), State("a", "", "")), ())


def test_can_take_one_more_per_family_and_capacity():
    assert can_take_one_more(AUDIO_VIDEO, "idle", 0, 1)
    assert not can_take_one_more(AUDIO_VIDEO, "idle", 1, 1)
    assert not can_take_one_more(AUDIO_VIDEO, "busy", 0, 1)
    assert not can_take_one_more(AUDIO_VIDEO, "talking", 0, 1)
    assert can_take_one_more(MULTIMEDIA, "idle", 4, DEFAULT_CAPACITY[MULTIMEDIA])
    assert not can_take_one_more(MULTIMEDIA, "idle", 5, 5)
    assert not can_take_one_more(MULTIMEDIA, "rest", 0, 5)


def test_holding_count_stays_within_zero_and_capacity():
    assert holding_after(0, +1, 1) == 1
    assert holding_after(1, +1, 1) == 1
    assert holding_after(1, -1, 1) == 0
    assert holding_after(0, -1, 1) == 0


def test_families_of_media_and_queue_types():
    assert family_of_media("audio") == family_of_media("video") == AUDIO_VIDEO
    assert family_of_media("text") == MULTIMEDIA
    assert family_of_queue_type("voice_click") == AUDIO_VIDEO
    assert family_of_queue_type("multimedia") == MULTIMEDIA
