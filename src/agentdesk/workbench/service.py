"""Read models for the workbench: who the agent is, their state and their current call."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.auth.principal import Principal
from agentdesk.config_center.agents.models import Agent
from agentdesk.contacts.families import AUDIO_VIDEO
from agentdesk.kit.errors import Forbidden, NotFound
from agentdesk.storage import outbox
from agentdesk.telephony import repository as repo
from agentdesk.telephony.events import call_data, presence_data
from agentdesk.telephony.models import AgentPresence, Call

# Events that carry the agent's current call as a whole (see telephony/events.py).
CALL_EVENTS = frozenset({"Ringing", "Talking", "Hold", "Unhold", "Dialing"})


@dataclass(frozen=True)
class AgentRef:
    agent_id: int
    tenant_id: int
    work_no: int


async def agent_of(session: AsyncSession, principal: Principal) -> AgentRef:
    """The agent configured for this business account, or a clear refusal."""
    agent: Agent | None = await repo.agent_for_user(session, principal.user_id)
    if agent is None or agent.tenant_id != principal.tenant_id:
        raise Forbidden(
            "this business account is not configured as an agent (座席管理 / Agents)",
            code="not_an_agent",
        )
    return AgentRef(agent.id, agent.tenant_id, agent.work_no)


async def agent_call(session: AsyncSession, ref: AgentRef, callid: str) -> Call:
    """One of this agent's calls; any other call (another agent's, another tenant's) is
    simply not found."""
    call = await session.scalar(
        select(Call).where(Call.callid == callid, Call.agent_id == ref.agent_id)
    )
    if call is None:
        raise NotFound(f"call {callid} not found")
    return call


async def snapshot(session: AsyncSession, ref: AgentRef, principal: Principal) -> dict:
    """Everything the workbench shows, plus the stream position it is consistent with.

    The head is read first: anything committed after it is replayed on top by the stream,
    and replaying a state event onto a newer state is harmless (events carry whole states).
    """
    head = await outbox.stream_head(session, ref.agent_id)
    agent = await session.get(Agent, ref.agent_id)
    presence = await session.get(AgentPresence, (ref.agent_id, AUDIO_VIDEO))
    call = None
    if presence is not None and presence.call_id is not None:
        call = await session.get(Call, presence.call_id)
    callid = call.callid if call else None
    return {
        "head": head,
        "serverTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "agent": {
            "id": agent.id,
            "workNo": agent.work_no,
            "agentType": agent.agent_type,
            "autoAnswer": agent.auto_answer,
            "name": principal.display_name,
            "username": principal.username,
        },
        "presence": presence_data(presence, callid) if presence else {"state": "signed_out"},
        "call": call_data(call) if call else None,
    }


def apply_event(view: dict, event: dict) -> dict:
    """The stream contract: what a client does with one event of its stream, given the view
    (a snapshot, or what earlier events made of it). `workbench.js` (applyEvent) does the
    same; applying a transaction's events to the snapshot before it gives the snapshot after
    it (tests/integration/test_action_snapshots.py checks it for every action)."""
    if event["seq"] <= view["head"]:
        return view  # already applied (replay overlap)
    view = {**view, "head": event["seq"]}
    type_, payload = event["type"], event["payload"]
    if type_ == "AgentState":
        view["presence"] = payload
    elif type_ == "Release":
        if view["call"] is not None and view["call"]["callid"] == payload["callid"]:
            view["call"] = None
    elif type_ in CALL_EVENTS:
        view["call"] = payload
    return view
