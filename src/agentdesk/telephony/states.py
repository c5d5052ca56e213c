"""Agent state machine (R-CC-4). Pure: which action is allowed from which state."""

from agentdesk.kit.errors import Conflict

# verifying: the customer is in a verification flow, the agent stays bound to the call.
IN_CALL = frozenset({"ringing", "dialing", "talking", "held", "verifying"})
NOT_READY = frozenset({"busy", "rest"})

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "sign_in": (frozenset({"signed_out"}), "idle"),
    "sign_out": (frozenset({"idle", "busy", "rest", "acw"}), "signed_out"),
    "set_idle": (frozenset({"idle", "busy", "rest", "acw"}), "idle"),
    "set_busy": (frozenset({"idle", "busy", "rest"}), "busy"),
    "set_rest": (frozenset({"idle", "busy", "rest"}), "rest"),
    "offer": (frozenset({"idle"}), "ringing"),
    "answer": (frozenset({"ringing"}), "talking"),
    "hold": (frozenset({"talking"}), "held"),
    "unhold": (frozenset({"held"}), "talking"),
    "dial": (frozenset({"idle", "busy", "rest", "acw"}), "dialing"),
    "connect": (frozenset({"dialing"}), "talking"),
    "start_verification": (frozenset({"talking"}), "verifying"),
    "end_verification": (frozenset({"verifying"}), "talking"),
}

LABELS = {
    "signed_out": ("未签入", "Signed out"),
    "idle": ("空闲", "Idle"),
    "busy": ("示忙", "Busy"),
    "rest": ("休息", "Rest"),
    "ringing": ("振铃", "Ringing"),
    "dialing": ("外呼中", "Dialing"),
    "talking": ("通话中", "Talking"),
    "held": ("保持", "On hold"),
    "acw": ("整理态", "After-call work"),
    "verifying": ("身份验证中", "Customer in verification"),
}


class InvalidTransition(Conflict):
    code = "invalid_state"


def next_state(state: str, action: str) -> str:
    """The state after `action`, or InvalidTransition naming both."""
    allowed, target = TRANSITIONS[action]
    if state not in allowed:
        raise InvalidTransition(
            f"cannot {action.replace('_', ' ')} while {state.replace('_', ' ')}"
        )
    return target


def state_after_call(acw_seconds: int, pending_state: str) -> str:
    """After a conversation: after-call work when the queue asks for it, else what was pending."""
    if acw_seconds > 0:
        return "acw"
    return pending_state or "idle"
