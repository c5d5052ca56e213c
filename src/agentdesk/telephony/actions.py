"""Telephony actions (do_*): each runs inside the caller's transaction, locks what it changes,
applies a pure decision, appends outbox events and (re)schedules timers. Nothing commits here.
"""

import re
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.called.lookup import resolve_called
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from agentdesk.kit.ids import new_callid
from agentdesk.observability.metrics import count_call_ended
from agentdesk.storage.outbox import append_event
from agentdesk.telephony import ivr_port, routing, timers
from agentdesk.telephony import repository as repo
from agentdesk.telephony.events import emit_call, emit_presence
from agentdesk.telephony.models import AgentPresence, Call, Timer
from agentdesk.telephony.states import next_state, state_after_call
from agentdesk.tenancy.params import get_param

PHONE_NUMBER = re.compile(r"^\+?[0-9]{3,24}$")
DTMF = re.compile(r"^[0-9*#A-D]{1,32}$")
QUEUE_TIMEOUT, RING_TIMEOUT, ACW_END = "queue_timeout", "ring_timeout", "acw_end"


def check_number(field: str, number: str) -> str:
    number = (number or "").strip()
    if not PHONE_NUMBER.match(number):
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    "phone_number",
                    "must be 3-24 digits, optional +",
                    "号码须为 3–24 位数字，可以 + 开头",
                )
            ]
        )
    return number


def _set_state(presence: AgentPresence, state: str, now: datetime) -> None:
    presence.state = state
    presence.state_since = now
    if state == "idle":
        presence.idle_since = now
    if state != "acw":
        presence.acw_until = None


# ---------------------------------------------------------------- customer side (channels)


async def do_inbound_call(
    session: AsyncSession,
    clock: Clock,
    *,
    tenant_code: str,
    caller: str,
    called: str,
    media: str | None = None,
    attached_data: dict | None = None,
    channel: str = "simulator",
) -> Call:
    """A customer calls an access code (+ extension): create the call and route it."""
    tenant = await repo.tenant_by_code(session, tenant_code)
    if tenant is None:
        raise NotFound(f"tenant {tenant_code} not found")
    caller = check_number("caller", caller)
    called = check_number("called", called)
    resolved = await resolve_called(session, tenant.id, called)
    if resolved is None:
        raise ValidationFailed.single(
            "called",
            "not_configured",
            f"{called} is not a configured access code (+ extension) of {tenant_code}",
        )
    config, access_code, queue = resolved
    if access_code.type != "voice_video" or (queue is not None and queue.type == "multimedia"):
        raise ValidationFailed.single(
            "called", "media", f"{called} is not an audio/video access code"
        )
    now = clock.now()
    call = Call(
        tenant_id=tenant.id,
        callid=new_callid(),
        channel=channel,
        direction=0,
        media=media or ("video" if queue and queue.type.startswith("video") else "audio"),
        caller=caller,
        called=called,
        access_code=access_code.code,
        extension=called[len(access_code.code) :],
        attached_data=dict(attached_data or {}),
        created_at=now,
        state="queued",
    )
    if queue is None:  # an IVR entry [IVR流程]: the flow decides where the call goes
        await _enter_flow(session, clock, call, config.flow_id)
        return call
    session.add(call)  # inserted by the first query of the routing, queue fields included
    await _route_into_queue(session, clock, call, queue)
    return call


async def _enter_flow(session, clock, call: Call, flow_id: int | None) -> None:
    session.add(call)
    await session.flush()  # the run refers to the call
    if not await ivr_port.start_flow(session, clock, call, flow_id, "entry"):
        await _end_call(session, clock, call, outcome="ivr_unavailable", ended_by="system")


async def _customer_call(session: AsyncSession, callid: str) -> Call:
    call = await repo.lock_call_by_callid(session, callid)
    if call is None:
        raise NotFound(f"call {callid} not found")
    if call.state == "ended":
        raise Conflict(f"call {callid} has already ended", code="call_ended")
    return call


async def do_customer_hangup(session: AsyncSession, clock: Clock, callid: str) -> Call:
    """The customer hangs up, whatever state the call is in."""
    call = await _customer_call(session, callid)
    outcome = {
        "queued": "abandoned",
        "ringing": "abandoned",
        "dialing": "rejected",
    }.get(call.state, "completed")
    await _end_call(session, clock, call, outcome=outcome, ended_by="customer")
    return call


async def do_customer_answer(session: AsyncSession, clock: Clock, callid: str) -> Call:
    """The customer picks up an outbound call the agent placed."""
    call = await _customer_call(session, callid)
    if call.state != "dialing":
        raise Conflict(f"call {callid} is not ringing at the customer (it is {call.state})")
    presence = await repo.lock_presence(session, call.agent_id)
    _set_state(presence, next_state(presence.state, "connect"), clock.now())
    await timers.cancel(session, RING_TIMEOUT, call_id=call.id)
    call.state, call.answered_at = "talking", clock.now()
    await emit_call(session, call, call.agent_id, "Talking")
    await emit_presence(session, presence, call.callid)
    return call


async def do_customer_dtmf(session: AsyncSession, clock: Clock, callid: str, digits: str) -> Call:
    """The customer presses keys; they are kept on the call (IVR flows read them later)."""
    if not DTMF.match(digits or ""):
        raise ValidationFailed.single("digits", "dtmf", "must be 1-32 of 0-9 * # A-D")
    call = await _customer_call(session, callid)
    call.dtmf = (call.dtmf + digits)[-200:]
    if call.state == "ivr" and await ivr_port.digits_typed(session, clock, call, digits):
        return call  # a flow's input: the agent (if any, waiting on verification) never sees it
    if call.agent_id is not None:
        payload = {"callid": call.callid, "digits": digits}
        await append_event(session, call.tenant_id, call.agent_id, "Dtmf", payload)
    return call


# ---------------------------------------------------------------- queueing and offering


async def _route_into_queue(
    session: AsyncSession, clock: Clock, call: Call, queue: SkillQueue
) -> None:
    now = clock.now()
    call.queue_id, call.queue_name, call.queued_at, call.state = queue.id, queue.name, now, "queued"
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
    if admission.outcome == "offer" and await _offer_to_first(
        session, clock, call, queue.id, candidates, queue_timer=False
    ):
        return
    if admission.outcome in ("no_agent", "overflow"):
        await _apply_policy(session, clock, call, queue, admission.outcome)
        return
    due = now + timedelta(seconds=queue.max_wait_seconds)
    timers.schedule(
        session, tenant_id=call.tenant_id, kind=QUEUE_TIMEOUT, due_at=due, call_id=call.id
    )


async def _offer_to_first(
    session, clock, call: Call, queue_id: int, first_page=None, *, queue_timer: bool = True
) -> bool:
    """Offer the call to the best idle agent still idle once locked, reading further pages of
    candidates when needed.

    Several workers route at once and rank agents alike: an agent another transaction holds
    is skipped rather than waited for (PostgreSQL SKIP LOCKED), and only waited for when no
    other agent could be taken, so that an idle agent is never left out."""
    page_size, offset = 20, 0
    candidates = first_page
    skipped: list[int] = []
    while True:
        if candidates is None:
            candidates = await repo.idle_candidates(
                session, queue_id, limit=page_size, offset=offset
            )
        for candidate in routing.rank_agents(candidates):
            presence = await repo.lock_presence(session, candidate.agent_id, skip_locked=True)
            if presence is None:
                skipped.append(candidate.agent_id)
            elif presence.state == "idle":
                await _offer(session, clock, call, presence, queue_timer=queue_timer)
                return True
        if len(candidates) < page_size:
            break
        offset += page_size
        candidates = None
    for agent_id in skipped:
        presence = await repo.lock_presence(session, agent_id)
        if presence is not None and presence.state == "idle":
            await _offer(session, clock, call, presence, queue_timer=queue_timer)
            return True
    return False


async def _apply_policy(session, clock, call: Call, queue: SkillQueue, kind: str) -> None:
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
        await timers.cancel(session, QUEUE_TIMEOUT, call_id=call.id)
        await _route_into_queue(session, clock, call, target)
        return
    outcome = decision.reason or f"{kind}_released"
    await _end_call(session, clock, call, outcome=outcome, ended_by="system")


async def _policy_to_flow(session, clock, call: Call, queue, kind: str, max_transfers: int):
    """*Transfer to IVR* [转接IVR流程]: the call leaves the queue for the flow (which may bring it
    back to a queue: counted as a transfer, so a loop ends like queue-to-queue ones do)."""
    flow_id = getattr(queue, f"{kind}_target_ivr_id")
    if call.transfers >= max_transfers:
        await _end_call(session, clock, call, outcome="too_many_transfers", ended_by="system")
        return
    call.transfers += 1
    await timers.cancel(session, QUEUE_TIMEOUT, call_id=call.id)
    if not await ivr_port.start_flow(session, clock, call, flow_id, "queue"):
        await _end_call(session, clock, call, outcome=f"{kind}_released", ended_by="system")


async def _offer(
    session, clock, call: Call, presence: AgentPresence, *, queue_timer: bool = True
) -> None:
    """Ring the agent; answer at once when the agent answers automatically."""
    now = clock.now()
    # Read before changing anything: each query would flush the changes made so far.
    agent, agent_name = await repo.agent_with_username(session, presence.agent_id)
    if queue_timer:
        await timers.cancel(session, QUEUE_TIMEOUT, call_id=call.id)
    _set_state(presence, next_state(presence.state, "offer"), now)
    presence.call_id = call.id
    call.state, call.offered_at = "ringing", now
    call.agent_id, call.work_no, call.agent_name = agent.id, agent.work_no, agent_name
    await emit_call(session, call, agent.id, "Ringing")
    await emit_presence(session, presence, call.callid)
    if agent.auto_answer:
        await _answer(session, clock, call, presence, ring_timer=False)
        return
    ring_seconds = await get_param(session, "ring_timeout_seconds")
    timers.schedule(
        session,
        tenant_id=call.tenant_id,
        kind=RING_TIMEOUT,
        due_at=now + timedelta(seconds=ring_seconds),
        call_id=call.id,
        agent_id=agent.id,
    )


async def _answer(
    session, clock, call: Call, presence: AgentPresence, *, ring_timer: bool = True
) -> None:
    now = clock.now()
    if ring_timer:
        await timers.cancel(session, RING_TIMEOUT, call_id=call.id)
    _set_state(presence, next_state(presence.state, "answer"), now)
    call.state, call.answered_at = "talking", now
    await emit_call(session, call, presence.agent_id, "Talking")
    await emit_presence(session, presence, call.callid)


async def _dispatch_agent(session, clock, presence: AgentPresence) -> None:
    """An agent just became idle: offer them the best waiting call, if any."""
    for waiting in routing.rank_calls(await repo.waiting_calls_for(session, presence.agent_id)):
        call = await repo.lock_call(session, waiting.call_id)
        if call is not None and call.state == "queued":
            await _offer(session, clock, call, presence)
            return


# ---------------------------------------------------------------- ending calls


async def _end_call(session, clock, call: Call, *, outcome: str, ended_by: str) -> None:
    now = clock.now()
    previous = call.state
    call.state, call.outcome, call.ended_by, call.ended_at = "ended", outcome, ended_by, now
    count_call_ended(session, outcome)
    await session.execute(
        Timer.__table__.delete().where(Timer.call_id == call.id, Timer.kind != ACW_END)
    )
    if previous == "ivr":
        await ivr_port.call_ended(session, clock, call, previous)
    if call.agent_id is None:
        return
    await emit_call(session, call, call.agent_id, "Release")
    presence = await repo.lock_presence(session, call.agent_id)
    if presence is None or presence.call_id != call.id:
        return
    presence.call_id = None
    # A customer in verification was talking to the agent, who stayed bound to the call.
    talked = previous in ("talking", "held") or presence.state == "verifying"
    acw_seconds = await _acw_seconds(session, call) if talked else 0
    state = state_after_call(acw_seconds, presence.pending_state)
    _set_state(presence, state, now)
    if state == "acw":
        presence.acw_until = now + timedelta(seconds=acw_seconds)
        timers.schedule(
            session,
            tenant_id=call.tenant_id,
            kind=ACW_END,
            due_at=presence.acw_until,
            agent_id=presence.agent_id,
        )
    else:
        presence.pending_state = ""
    await emit_presence(session, presence, None)
    if state == "idle":
        await _dispatch_agent(session, clock, presence)


async def _acw_seconds(session, call: Call) -> int:
    queue = await repo.get_queue(session, call.queue_id)
    return queue.acw_seconds if queue is not None else 0
