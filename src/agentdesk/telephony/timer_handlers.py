"""What each telephony timer does when it falls due. Registered explicitly by
`register_timer_handlers` (called by the process that runs timers), never on import."""

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.clock import Clock
from agentdesk.telephony import repository as repo
from agentdesk.telephony import steps, timers
from agentdesk.telephony.deadlines import ACW_END, QUEUE_TIMEOUT, RING_TIMEOUT
from agentdesk.telephony.models import Timer


async def on_queue_timeout(session: AsyncSession, timer: Timer, clock: Clock) -> None:
    """The call waited the queue's maximum: apply the time-out policy [排队超时]."""
    call = await repo.lock_call(session, timer.call_id)
    if call is None or call.state != "queued":
        return
    queue = await repo.get_queue(session, call.queue_id)
    await steps.apply_policy(session, clock, call, queue, "timeout")


async def on_ring_timeout(session: AsyncSession, timer: Timer, clock: Clock) -> None:
    """Nobody answered: an outbound call ends; an inbound call goes back to its queue."""
    call = await repo.lock_call(session, timer.call_id)
    if call is None or call.agent_id != timer.agent_id:
        return
    if call.state == "dialing":
        await steps.end_call(session, clock, call, outcome="no_answer", ended_by="system")
    elif call.state == "ringing":
        await steps.return_to_queue(session, clock, call)


async def on_acw_end(session: AsyncSession, timer: Timer, clock: Clock) -> None:
    """After-call work is over: idle (or the busy/rest asked for meanwhile)."""
    presence = await repo.lock_presence(session, timer.agent_id)
    if presence is None or presence.state != "acw":
        return
    await steps.leave_acw(session, clock, presence)


TELEPHONY_TIMER_HANDLERS: dict[str, timers.TimerHandler] = {
    QUEUE_TIMEOUT: on_queue_timeout,
    RING_TIMEOUT: on_ring_timeout,
    ACW_END: on_acw_end,
}


def register_timer_handlers() -> None:
    """Fill the timer registry with the telephony kinds (idempotent)."""
    for kind, handler in TELEPHONY_TIMER_HANDLERS.items():
        timers.register_handler(kind, handler)
