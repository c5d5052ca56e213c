"""The state machine of a contact, per media family. Pure data (see `machine.py`).

Tags say what the actions ask: `live` (not ended yet: may end), `waiting_for_agent` (the
customer has not reached an agent: hanging up abandons), `ringing_customer` (an outbound
contact not picked up: hanging up rejects), `conversation` (customer and agent talked, so
after-call work follows), `in_flow` (the caller is in an IVR flow, which takes their keys).
"""

from agentdesk.contacts.families import AUDIO_VIDEO, MULTIMEDIA
from agentdesk.contacts.machine import State, StateMachine, Transition

LIVE = frozenset({"live"})

CALL = StateMachine(
    "call",
    states=(
        State("queued", "排队中", "Queued", frozenset({"live", "waiting_for_agent"})),
        State("ringing", "振铃", "Ringing", frozenset({"live", "waiting_for_agent"})),
        State("dialing", "外呼中", "Dialing", frozenset({"live", "ringing_customer"})),
        State("talking", "通话中", "Talking", frozenset({"live", "conversation"})),
        State("held", "保持", "On hold", frozenset({"live", "conversation"})),
        # In an IVR flow before reaching an agent (an IVR entry, a transfer-to-IVR policy).
        State("ivr", "IVR流程中", "In IVR", frozenset({"live", "waiting_for_agent", "in_flow"})),
        # In a verification flow the agent sent them to; the agent stays bound to the call.
        State(
            "verifying",
            "身份验证中",
            "In verification",
            frozenset({"live", "conversation", "in_flow"}),
        ),
        State("ended", "已结束", "Ended", frozenset({"final"})),
    ),
    transitions=(
        # Into a queue: the first one, or another one by a transfer policy.
        Transition("enqueue", "queued", frozenset({"queued", "ivr"})),  # ivr: the flow's choice
        Transition("offer", "ringing", frozenset({"queued"})),
        Transition("enter_ivr", "ivr", frozenset({"queued", "ivr"})),
        Transition("verify", "verifying", frozenset({"talking"})),
        Transition("return_to_agent", "talking", frozenset({"verifying"})),
        Transition("requeue", "queued", frozenset({"ringing"})),  # the agent did not answer
        Transition("answer", "talking", frozenset({"ringing"})),
        Transition("connect", "talking", frozenset({"dialing"})),  # the customer picked up
        Transition("hold", "held", frozenset({"talking"})),
        Transition("unhold", "talking", frozenset({"held"})),
        Transition("end", "ended", source_tags=LIVE),
    ),
)

# Where a call starts: inbound calls wait for an agent, outbound calls ring at the customer.
INBOUND_CALL_START = "queued"
OUTBOUND_CALL_START = "dialing"

# Ready for the chat workbench (issue 11): no action uses it yet.
CHAT = StateMachine(
    "chat",
    states=(
        State("queued", "排队中", "Queued", frozenset({"live", "waiting_for_agent"})),
        State("offered", "待接入", "Offered", frozenset({"live", "waiting_for_agent"})),
        State("active", "会话中", "In session", frozenset({"live", "conversation"})),
        State("ended", "已结束", "Ended", frozenset({"final"})),
    ),
    transitions=(
        Transition("enqueue", "queued", frozenset({"queued"})),
        Transition("offer", "offered", frozenset({"queued"})),
        Transition("requeue", "queued", frozenset({"offered"})),
        Transition("accept", "active", frozenset({"offered"})),
        Transition("end", "ended", source_tags=LIVE),
    ),
)

CONTACT_MACHINES = {AUDIO_VIDEO: CALL, MULTIMEDIA: CHAT}


def hangup_outcome(machine: StateMachine, state: str) -> str:
    """What the customer hanging up in `state` means for the contact record."""
    if machine.has(state, "waiting_for_agent"):
        return "abandoned"
    if machine.has(state, "ringing_customer"):
        return "rejected"
    return "completed"
