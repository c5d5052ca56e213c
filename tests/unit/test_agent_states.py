import pytest

from agentdesk.contacts.agent_states import InvalidTransition, next_state, state_after_call


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        ("signed_out", "sign_in", "idle"),
        ("idle", "offer", "ringing"),
        ("ringing", "answer", "talking"),
        ("talking", "hold", "held"),
        ("held", "unhold", "talking"),
        ("idle", "dial", "dialing"),
        ("dialing", "connect", "talking"),
        ("idle", "set_busy", "busy"),
        ("busy", "set_rest", "rest"),
        ("rest", "set_idle", "idle"),
        ("acw", "set_idle", "idle"),
        ("acw", "sign_out", "signed_out"),
    ],
)
def test_allowed_transitions(state, action, expected):
    assert next_state(state, action) == expected


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("signed_out", "offer"),
        ("busy", "offer"),
        ("talking", "sign_out"),
        ("ringing", "hold"),
        ("idle", "answer"),
        ("talking", "dial"),
        ("held", "hold"),
    ],
)
def test_refused_transitions_name_the_action_and_state(state, action):
    with pytest.raises(InvalidTransition) as err:
        next_state(state, action)
    assert state.replace("_", " ") in err.value.message
    assert err.value.status_code == 409


def test_after_call_work_only_when_the_queue_has_acw_seconds():
    assert state_after_call(5, "") == "acw"
    assert state_after_call(0, "") == "idle"
    assert state_after_call(0, "rest") == "rest"
