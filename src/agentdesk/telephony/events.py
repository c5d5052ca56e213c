"""What the workbench (and later the SDK) is told, shaped once, here."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.storage.outbox import append_event
from agentdesk.telephony.models import AgentPresence, Call


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def call_data(call: Call) -> dict:
    """The nine call-data keys of R-POP-5 plus attached data and state, as pages expect them."""
    return {
        "callid": call.callid,
        "callerNum": call.caller,
        "calledNum": call.called,
        "mediaType": call.media,
        "callType": str(call.direction),
        "workNo": "" if call.work_no is None else str(call.work_no),
        "callskill": call.queue_name,
        "callskillid": "" if call.queue_id is None else str(call.queue_id),
        "agentName": call.agent_name,
        "calldata": dict(call.attached_data or {}),
        "state": call.state,
        "outcome": call.outcome,
        "createdAt": _iso(call.created_at),
        "answeredAt": _iso(call.answered_at),
        "endedAt": _iso(call.ended_at),
    }


def presence_data(presence: AgentPresence, callid: str | None) -> dict:
    return {
        "state": presence.state,
        "since": _iso(presence.state_since),
        "acwUntil": _iso(presence.acw_until),
        "pendingState": presence.pending_state,
        "callid": callid,
    }


async def emit_call(session: AsyncSession, call: Call, agent_id: int, type_: str) -> None:
    await append_event(session, call.tenant_id, agent_id, type_, call_data(call))


async def emit_presence(
    session: AsyncSession, presence: AgentPresence, callid: str | None = None
) -> None:
    payload = presence_data(presence, callid)
    await append_event(session, presence.tenant_id, presence.agent_id, "AgentState", payload)
