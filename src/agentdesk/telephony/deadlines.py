"""Every deadline of a call or an agent is set and cleared here, one pair of functions per
timer kind, so that a kind is never scheduled differently in two places."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.telephony import timers
from agentdesk.telephony.models import AgentPresence, Call, Timer
from agentdesk.tenancy.params import get_param

QUEUE_TIMEOUT, RING_TIMEOUT, ACW_END = "queue_timeout", "ring_timeout", "acw_end"
# An outbound call rings at the customer this many times as long as an offer rings at an
# agent: a customer has to find the phone, an agent is at the desk.
OUTBOUND_RING_FACTOR = 3


def start_queue_timeout(session: AsyncSession, call: Call, due_at: datetime) -> None:
    """The call leaves its queue by the time-out policy [排队超时] at `due_at`."""
    timers.schedule(
        session, tenant_id=call.tenant_id, kind=QUEUE_TIMEOUT, due_at=due_at, call_id=call.id
    )


async def stop_queue_timeout(session: AsyncSession, call: Call) -> None:
    await timers.cancel(session, QUEUE_TIMEOUT, call_id=call.id)


async def start_ring_timeout(
    session: AsyncSession, call: Call, agent_id: int, now: datetime
) -> None:
    """Nobody answers in time: the tenant's ring time-out, longer for an outbound call."""
    seconds = await get_param(session, "ring_timeout_seconds")
    if call.direction == 1:
        seconds *= OUTBOUND_RING_FACTOR
    timers.schedule(
        session,
        tenant_id=call.tenant_id,
        kind=RING_TIMEOUT,
        due_at=now + timedelta(seconds=seconds),
        call_id=call.id,
        agent_id=agent_id,
    )


async def stop_ring_timeout(session: AsyncSession, call: Call) -> None:
    await timers.cancel(session, RING_TIMEOUT, call_id=call.id)


def start_acw_end(session: AsyncSession, presence: AgentPresence) -> None:
    """After-call work ends at `presence.acw_until`."""
    timers.schedule(
        session,
        tenant_id=presence.tenant_id,
        kind=ACW_END,
        due_at=presence.acw_until,
        agent_id=presence.agent_id,
    )


async def stop_acw_end(session: AsyncSession, agent_id: int) -> None:
    await timers.cancel(session, ACW_END, agent_id=agent_id)


async def stop_call_deadlines(session: AsyncSession, call: Call) -> None:
    """An ended call waits for nothing more (the agent's after-call work is the agent's)."""
    await session.execute(delete(Timer).where(Timer.call_id == call.id, Timer.kind != ACW_END))
