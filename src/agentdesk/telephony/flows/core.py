"""The telephony core's steps the flow runtime uses, in one place (the core's own names)."""

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.contacts.agent_states import next_state
from agentdesk.kit.clock import Clock
from agentdesk.telephony import deadlines, steps
from agentdesk.telephony import repository as repo
from agentdesk.telephony.events import emit_call, emit_presence
from agentdesk.telephony.models import AgentPresence, Call
from agentdesk.tenancy.params import get_param


async def lock_live_call(session: AsyncSession, call_id: int | None) -> Call | None:
    call = None if call_id is None else await repo.lock_call(session, call_id)
    return None if call is None or call.state == "ended" else call


def enter_flow(call: Call, purpose: str) -> None:
    """The call's state while in a flow: in verification (the agent's call) or in IVR; a
    waiting-treatment flow leaves it queued (it is offered to the first agent free)."""
    if purpose == "wait":
        return
    if purpose == "verification":
        steps.move_call(call, "verify")
    elif call.state != "ivr":
        steps.move_call(call, "enter_ivr")


async def transfer_to_queue(session: AsyncSession, clock: Clock, call: Call, queue_id: int) -> None:
    """A flow's *transfer to skill queue*: an audio/video queue of the call's tenant, else the
    call is released (the validator checks the target; a queue deleted since is possible)."""
    queue = await repo.get_queue(session, queue_id)
    if queue is None or queue.tenant_id != call.tenant_id or queue.type == "multimedia":
        await release(session, clock, call, "ivr_bad_queue")
        return
    await steps.route_into_queue(session, clock, call, queue)


async def transfer_while_waiting(
    session: AsyncSession, clock: Clock, call: Call, queue_id: int
) -> None:
    """A waiting-treatment flow's *transfer to skill queue*: the call leaves its queue (its
    time-out with it), counted as a transfer so a flow sending calls back to its own queue
    ends like queue-to-queue loops do."""
    if call.transfers >= await get_param(session, "max_queue_transfers"):
        await release(session, clock, call, "too_many_transfers")
        return
    call.transfers += 1
    await deadlines.stop_queue_timeout(session, call)
    await transfer_to_queue(session, clock, call, queue_id)


async def release(session: AsyncSession, clock: Clock, call: Call, outcome: str) -> None:
    await steps.end_call(session, clock, call, outcome=outcome, ended_by="system")


async def lock_agent(session: AsyncSession, agent_id: int) -> AgentPresence | None:
    return await repo.lock_presence(session, agent_id)


async def agent_waits_on_verification(
    session: AsyncSession, clock: Clock, call: Call, presence: AgentPresence
) -> None:
    """The agent stays bound to the call while the customer is in the verification flow."""
    steps.set_state(presence, next_state(presence.state, "start_verification"), clock.now())
    await emit_presence(session, presence, call.callid)


async def back_to_agent(
    session: AsyncSession, clock: Clock, call: Call, presence: AgentPresence | None
) -> None:
    """The verification is over: the customer talks to the agent again."""
    steps.move_call(call, "return_to_agent")
    if presence is not None and presence.state == "verifying" and presence.call_id == call.id:
        steps.set_state(presence, next_state(presence.state, "end_verification"), clock.now())
        await emit_presence(session, presence, call.callid)
    if call.agent_id is not None:
        await emit_call(session, call, call.agent_id, "Talking")
