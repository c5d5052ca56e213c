"""The state machine of an agent's presence, per media family (R-CC-4). Pure data.

Tags: `signed_in`; `ready` (may be offered a contact); `not_ready` (busy [示忙], rest [休息]);
`in_contact` (handling a contact: a ready-state change waits until it is over, signing out
is refused); `after_contact` (after-call work [整理态]).
"""

from agentdesk.contacts.families import AUDIO_VIDEO, MULTIMEDIA
from agentdesk.contacts.machine import InvalidTransition, State, StateMachine, Transition

__all__ = [
    "AGENT_MACHINES",
    "IN_CALL",
    "InvalidTransition",
    "LABELS",
    "NOT_READY",
    "VOICE_AGENT",
    "next_state",
    "state_after_call",
]

_READY = frozenset({"signed_in", "ready"})
_NOT_READY = frozenset({"signed_in", "not_ready"})
_IN_CONTACT = frozenset({"signed_in", "in_contact"})
# Where an agent may change their own ready state from, or sign out.
_AT_THE_DESK = frozenset({"ready", "not_ready", "after_contact"})
_NOT_IN_ACW = frozenset({"ready", "not_ready"})

# Signing in and out and the ready states: the same in every media family.
_DESK_STATES = (
    State("signed_out", "未签入", "Signed out"),
    State("idle", "空闲", "Idle", _READY),
    State("busy", "示忙", "Busy", _NOT_READY),
    State("rest", "休息", "Rest", _NOT_READY),
)
_DESK_TRANSITIONS = (
    Transition("sign_in", "idle", frozenset({"signed_out"})),
    Transition("sign_out", "signed_out", source_tags=_AT_THE_DESK),
    Transition("set_idle", "idle", source_tags=_AT_THE_DESK),
    Transition("set_busy", "busy", source_tags=_NOT_IN_ACW),
    Transition("set_rest", "rest", source_tags=_NOT_IN_ACW),
)

VOICE_AGENT = StateMachine(
    "agent_audio_video",
    states=(
        *_DESK_STATES,
        State("ringing", "振铃", "Ringing", _IN_CONTACT),
        State("dialing", "外呼中", "Dialing", _IN_CONTACT),
        State("talking", "通话中", "Talking", _IN_CONTACT),
        State("held", "保持", "On hold", _IN_CONTACT),
        State("acw", "整理态", "After-call work", frozenset({"signed_in", "after_contact"})),
        # The customer is in a verification flow; the agent stays bound to the call.
        State("verifying", "等待身份验证", "Waiting on verification", _IN_CONTACT),
    ),
    transitions=(
        *_DESK_TRANSITIONS,
        Transition("offer", "ringing", frozenset({"idle"})),
        Transition("answer", "talking", frozenset({"ringing"})),
        Transition("hold", "held", frozenset({"talking"})),
        Transition("unhold", "talking", frozenset({"held"})),
        Transition("dial", "dialing", source_tags=_AT_THE_DESK),
        Transition("connect", "talking", frozenset({"dialing"})),
        # An offer nobody answered: the agent is set not ready so the next call goes elsewhere.
        Transition("miss", "busy", frozenset({"ringing"})),
        Transition("start_verification", "verifying", frozenset({"talking"})),
        Transition("end_verification", "talking", frozenset({"verifying"})),
    ),
)

# Chats do not change the agent's multimedia state: how many are held is counted against the
# capacity instead (see `presence.py`). Ready for issue 11; no action uses it yet.
MULTIMEDIA_AGENT = StateMachine(
    "agent_multimedia",
    states=(*_DESK_STATES,),
    transitions=(*_DESK_TRANSITIONS,),
)

AGENT_MACHINES = {AUDIO_VIDEO: VOICE_AGENT, MULTIMEDIA: MULTIMEDIA_AGENT}

IN_CALL = VOICE_AGENT.tagged("in_contact")
NOT_READY = VOICE_AGENT.tagged("not_ready")
LABELS = VOICE_AGENT.labels()


def next_state(state: str, action: str) -> str:
    """The audio/video presence state after `action`, or InvalidTransition naming both."""
    return VOICE_AGENT.next(state, action)


def state_after_call(acw_seconds: int, pending_state: str) -> str:
    """After a conversation: after-call work when the queue asks for it, else what was pending."""
    if acw_seconds > 0:
        return "acw"
    return pending_state or "idle"
