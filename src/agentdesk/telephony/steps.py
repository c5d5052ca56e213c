"""Steps shared by the customer-side and agent-side actions and the timer handlers: queueing,
offering, answering, ending a call and freeing its agent. Each runs inside the caller's
transaction on rows the caller has locked; nothing commits here.
"""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.contacts.agent_states import next_state, state_after_call
from agentdesk.contacts.contact_states import CALL
from agentdesk.contacts.families import AUDIO_VIDEO
from agentdesk.contacts.presence import can_take_one_more, holding_after
from agentdesk.kit.clock import Clock
from agentdesk.observability.metrics import count_call_ended
from agentdesk.telephony import deadlines, ivr_port, routing
from agentdesk.telephony import repository as repo
from agentdesk.telephony.events import emit_call, emit_presence
from agentdesk.telephony.models import AgentPresence, Call
from agentdesk.tenancy.params import get_param

# How many idle candidates routing reads at a time.
CANDIDATE_PAGE = 20


def set_state(presence: AgentPresence, state: str, now: datetime) -> None:
    presence.state = state
    presence.state_since = now
    if state == "idle":
        presence.idle_since = now
    if state != "acw":
        presence.acw_until = None


def move_call(call: Call, event: str) -> None:
    """The call's next state by its machine (`contact_states.CALL`)."""
    call.state = CALL.next(call.state, event)


def holding(presence: AgentPresence) -> int:
    """How many contacts of its family the presence holds. For audio/video that is its
    current call: a row the previous release changed (rolling upgrade) may lag in `active`."""
    if presence.family == AUDIO_VIDEO:
        return 0 if presence.call_id is None else 1
    return presence.active


def accepts_contact(presence: AgentPresence) -> bool:
    """Whether the agent may be offered one more contact of this presence's family."""
    return can_take_one_more(presence.family, presence.state, holding(presence), presence.capacity)


def take_call(presence: AgentPresence, call: Call) -> None:
    """The agent now holds the call: it counts against their audio/video capacity."""
    presence.call_id = call.id
    presence.active = holding_after(presence.active, +1, presence.capacity)


def let_go_of_call(presence: AgentPresence) -> None:
    presence.call_id = None
    presence.active = holding_after(presence.active, -1, presence.capacity)


# ---------------------------------------------------------------- queueing and offering


async def route_into_queue(
    session: AsyncSession, clock: Clock, call: Call, queue: SkillQueue
) -> None:
    """The call enters `queue`: offered at once, waiting with a time-out (and the queue's IVR
    waiting treatment, if it has one), or the queue's no-agent/overflow policy."""
    now = clock.now()
    await ivr_port.stop_waiting_flow(session, call)  # a previous queue's waiting flow
    move_call(call, "enqueue")
    call.queue_id, call.queue_name, call.queued_at = queue.id, queue.name, now
    candidates, queued = await repo.idle_candidates_and_queued(session, queue.id)
    # An idle agent is a signed-in agent: count the others only when nobody is idle.
    signed_in = len(candidates) or await repo.signed_in_count(session, queue.id)
    admission = routing.admit(
        signed_in_agents=signed_in,
        idle_agents=len(candidates),
        queued_calls=queued - 1,  # minus this call
        max_queued=queue.max_queued_calls,
    )
    # Offered at once: this routing scheduled no queue time-out there would be to cancel.
    if admission.outcome == "offer" and await offer_to_first(
        session, clock, call, queue.id, candidates, queue_timer=False
    ):
        return
    if admission.outcome in ("no_agent", "overflow"):
        await apply_policy(session, clock, call, queue, admission.outcome)
        return
    deadlines.start_queue_timeout(session, call, now + timedelta(seconds=queue.max_wait_seconds))
    if queue.wait_treatment == "ivr" and queue.wait_ivr_id is not None:
        # No flow to start (unpublished since): the caller simply waits with the tone.
        await ivr_port.start_flow(session, clock, call, queue.wait_ivr_id, "wait")


async def offer_to_first(
    session: AsyncSession,
    clock: Clock,
    call: Call,
    queue_id: int,
    first_page=None,
    *,
    queue_timer: bool = True,
) -> bool:
    """Offer the call to the best idle agent still idle once locked, reading further pages of
    candidates when needed.

    Several workers route at once and rank agents alike: an agent another transaction holds
    is skipped rather than waited for (PostgreSQL SKIP LOCKED), and only waited for when no
    other agent could be taken, so that an idle agent is never left out."""
    offset = 0
    candidates = first_page
    skipped: list[int] = []
    while True:
        if candidates is None:
            candidates = await repo.idle_candidates(
                session, queue_id, limit=CANDIDATE_PAGE, offset=offset
            )
        for candidate in routing.rank_agents(candidates):
            presence = await repo.lock_presence(session, candidate.agent_id, skip_locked=True)
            if presence is None:
                skipped.append(candidate.agent_id)
            elif accepts_contact(presence):
                await offer(session, clock, call, presence, queue_timer=queue_timer)
                return True
        if len(candidates) < CANDIDATE_PAGE:
            break
        offset += CANDIDATE_PAGE
        candidates = None
    for agent_id in skipped:
        presence = await repo.lock_presence(session, agent_id)
        if presence is not None and accepts_contact(presence):
            await offer(session, clock, call, presence, queue_timer=queue_timer)
            return True
    return False


async def apply_policy(
    session: AsyncSession, clock: Clock, call: Call, queue: SkillQueue, kind: str
) -> None:
    """The queue's `kind` policy (no_agent, overflow, timeout): transfer or release."""
    action = getattr(queue, f"{kind}_action")
    target_id = getattr(queue, f"{kind}_target_queue_id")
    max_transfers = await get_param(session, "max_queue_transfers")
    if action == "transfer_ivr":
        await _policy_to_flow(session, clock, call, queue, kind, max_transfers)
        return
    decision = routing.apply_policy(action, target_id, call.transfers, max_transfers)
    target = await repo.get_queue(session, decision.target_queue_id)
    if decision.action == "transfer" and target is not None and target.type == queue.type:
        call.transfers += 1
        await deadlines.stop_queue_timeout(session, call)
        await route_into_queue(session, clock, call, target)
        return
    outcome = decision.reason or f"{kind}_released"
    await end_call(session, clock, call, outcome=outcome, ended_by="system")


async def _policy_to_flow(
    session: AsyncSession,
    clock: Clock,
    call: Call,
    queue: SkillQueue,
    kind: str,
    max_transfers: int,
) -> None:
    """*Transfer to IVR* [转接IVR流程]: the call leaves the queue for the flow (which may bring it
    back to a queue: counted as a transfer, so a loop ends like queue-to-queue ones do)."""
    if call.transfers >= max_transfers:
        await end_call(session, clock, call, outcome="too_many_transfers", ended_by="system")
        return
    call.transfers += 1
    await deadlines.stop_queue_timeout(session, call)
    flow_id = getattr(queue, f"{kind}_target_ivr_id")
    if not await ivr_port.start_flow(session, clock, call, flow_id, "queue"):
        await end_call(session, clock, call, outcome=f"{kind}_released", ended_by="system")


async def offer(
    session: AsyncSession,
    clock: Clock,
    call: Call,
    presence: AgentPresence,
    *,
    queue_timer: bool = True,
) -> None:
    """Ring the agent; answer at once when the agent answers automatically."""
    now = clock.now()
    # Read before changing anything: each query would flush the changes made so far.
    agent, agent_name = await repo.agent_with_username(session, presence.agent_id)
    await ivr_port.stop_waiting_flow(session, call)  # the waiting treatment ends here
    if queue_timer:
        await deadlines.stop_queue_timeout(session, call)
    set_state(presence, next_state(presence.state, "offer"), now)
    take_call(presence, call)
    move_call(call, "offer")
    call.offered_at = now
    call.agent_id, call.work_no, call.agent_name = agent.id, agent.work_no, agent_name
    await emit_call(session, call, agent.id, "Ringing")
    await emit_presence(session, presence, call.callid)
    if agent.auto_answer:
        await answer(session, clock, call, presence, ring_timer=False)
        return
    await deadlines.start_ring_timeout(session, call, agent.id, now)


async def answer(
    session: AsyncSession,
    clock: Clock,
    call: Call,
    presence: AgentPresence,
    *,
    ring_timer: bool = True,
) -> None:
    now = clock.now()
    if ring_timer:
        await deadlines.stop_ring_timeout(session, call)
    set_state(presence, next_state(presence.state, "answer"), now)
    move_call(call, "answer")
    call.answered_at = now
    await emit_call(session, call, presence.agent_id, "Talking")
    await emit_presence(session, presence, call.callid)


async def dispatch_agent(session: AsyncSession, clock: Clock, presence: AgentPresence) -> None:
    """An agent just became idle: offer them the best waiting call, if any."""
    for waiting in routing.rank_calls(await repo.waiting_calls_for(session, presence.agent_id)):
        call = await repo.lock_call(session, waiting.call_id)
        if call is not None and call.state == "queued":
            await offer(session, clock, call, presence)
            return


async def return_to_queue(session: AsyncSession, clock: Clock, call: Call) -> None:
    """The agent did not answer: they are set busy (not ready) and the call is offered again."""
    presence = await repo.lock_presence(session, call.agent_id)
    await emit_call(session, call, call.agent_id, "Release")
    if presence is not None and presence.call_id == call.id:
        let_go_of_call(presence)
        set_state(presence, next_state(presence.state, "miss"), clock.now())
        await emit_presence(session, presence)
    move_call(call, "requeue")
    call.agent_id, call.work_no, call.agent_name = None, None, ""
    queue = await repo.get_queue(session, call.queue_id)
    if await offer_to_first(session, clock, call, queue.id):
        return
    due = call.queued_at + timedelta(seconds=queue.max_wait_seconds)
    deadlines.start_queue_timeout(session, call, max(due, clock.now()))


# ---------------------------------------------------------------- ending calls and ACW


async def end_call(
    session: AsyncSession, clock: Clock, call: Call, *, outcome: str, ended_by: str
) -> None:
    """End the call and free its agent: after-call work, the state they asked for, or idle
    (then offered the next waiting call)."""
    now = clock.now()
    previous = call.state
    move_call(call, "end")
    call.outcome, call.ended_by, call.ended_at = outcome, ended_by, now
    count_call_ended(session, outcome)
    await deadlines.stop_call_deadlines(session, call)
    if CALL.has(previous, "in_flow") or previous == "queued":  # queued: a waiting flow
        await ivr_port.call_ended(session, clock, call, previous)
    if call.agent_id is None:
        return
    await emit_call(session, call, call.agent_id, "Release")
    presence = await repo.lock_presence(session, call.agent_id)
    if presence is None or presence.call_id != call.id:
        return
    let_go_of_call(presence)
    talked = CALL.has(previous, "conversation")
    acw_seconds = await acw_seconds_after(session, call) if talked else 0
    state = state_after_call(acw_seconds, presence.pending_state)
    set_state(presence, state, now)
    if state == "acw":
        presence.acw_until = now + timedelta(seconds=acw_seconds)
        deadlines.start_acw_end(session, presence)
    else:
        presence.pending_state = ""
    await emit_presence(session, presence, None)
    if state == "idle":
        await dispatch_agent(session, clock, presence)


async def acw_seconds_after(session: AsyncSession, call: Call) -> int:
    """How long the after-call work of a call of this queue lasts."""
    queue = await repo.get_queue(session, call.queue_id)
    return queue.acw_seconds if queue is not None else 0


async def leave_acw(session: AsyncSession, clock: Clock, presence: AgentPresence) -> None:
    """After-call work is over: the state asked for meanwhile, else idle (and dispatched)."""
    target = presence.pending_state or "idle"
    set_state(presence, target, clock.now())
    presence.pending_state = ""
    await emit_presence(session, presence)
    if target == "idle":
        await dispatch_agent(session, clock, presence)
