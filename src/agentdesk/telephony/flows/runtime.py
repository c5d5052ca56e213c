"""Flows running on calls: start one, feed it keys and time-outs, perform what it asks.

Every function runs inside the caller's transaction on a call the caller has locked, stores
the run (`IvrRun.state`) and schedules its next wait as a timer row, so whichever worker
claims the next event continues exactly where this one stopped. An interface step is only
recorded here (`IvrStepAttempt`, pending); `interface_step` performs it after the commit.
Nothing here logs attached data: it may hold PINs while the flow needs them.
"""

import logging
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from agentdesk.ivr import engine
from agentdesk.kit.clock import Clock
from agentdesk.telephony import ivr_port, timers
from agentdesk.telephony.flows import core, definitions, verification
from agentdesk.telephony.flows import repository as flow_repo
from agentdesk.telephony.flows.clock_seconds import to_datetime, to_seconds
from agentdesk.telephony.flows.models import CallPrompt, IvrRun, IvrStepAttempt
from agentdesk.telephony.models import Call, Timer

log = logging.getLogger(__name__)
IVR_WAIT = "ivr_wait"  # the run's current deadline: digits or interface answer
# A worker holds an interface step this long beyond its time-out before another may retry it.
LEASE_GRACE_SECONDS = 5
WAKE_KEY = "ivr_interface_pending"


# ---------------------------------------------------------------- starting


async def start_flow(
    session: AsyncSession,
    clock: Clock,
    call: Call,
    flow_id: int,
    purpose: str,
    *,
    data: dict[str, str] | None = None,
    verifying: verification.Verifying | None = None,
) -> IvrRun | None:
    """Put the call into flow `flow_id` (its published version); None when there is none."""
    definition = await definitions.published(session, call.tenant_id, flow_id)
    if definition is None:
        return None
    now = clock.now()
    run = await flow_repo.lock_run(session, call.id)
    if run is None:
        run = IvrRun(
            tenant_id=call.tenant_id,
            call_id=call.id,
            definition=definition,
            state={},
            generation=0,
            started_at=now,
            updated_at=now,
        )
        session.add(run)
        await session.flush()  # its id names the interface steps it records
    run.flow_id, run.definition, run.purpose, run.active = flow_id, definition, purpose, True
    run.generation += 1
    run.step_no, run.started_at, run.updated_at = 0, now, now
    run.verify_result, run.verify_returns = "0", []
    verification.bind(run, verifying)
    core.enter_flow(call, purpose)
    started = dict(call.attached_data or {}) | dict(data or {})
    outcome = engine.begin(definition, started, to_seconds(now))
    await apply_outcome(session, clock, call, run, outcome)
    return run


# ---------------------------------------------------------------- events from outside


async def digits_typed(session: AsyncSession, clock: Clock, call: Call, digits: str) -> bool:
    """Keys the caller pressed, for the flow the call is in (False when it is in none)."""
    run = await flow_repo.active_run(session, call.id)
    if run is None:
        return False
    state = engine.Run.from_dict(run.state)
    outcome = engine.on_digits(run.definition, state, digits, to_seconds(clock.now()))
    await apply_outcome(session, clock, call, run, outcome)
    return True


async def on_wait_over(session: AsyncSession, timer: Timer, clock: Clock) -> None:
    """A digit or interface time-out: the engine ignores it unless the wait really expired."""
    call = await core.lock_live_call(session, timer.call_id)
    run = None if call is None else await flow_repo.active_run(session, call.id)
    if run is None:
        return
    state = engine.Run.from_dict(run.state)
    outcome = engine.on_timeout(run.definition, state, to_seconds(clock.now()))
    if outcome.run == state and not outcome.actions:
        return
    if definitions.step_type(run.definition, state.step_id) == "interface":
        verification.interface_answer(run, None, "timeout")
    await apply_outcome(session, clock, call, run, outcome)


async def interface_answered(
    session: AsyncSession, clock: Clock, attempt: IvrStepAttempt, answer, error: str | None
) -> None:
    """Apply a committed interface answer once: only if the run is still on that step."""
    attempt.status, attempt.finished_at = "done", clock.now()
    stored = await session.get(IvrRun, attempt.run_id)
    call = None if stored is None else await core.lock_live_call(session, stored.call_id)
    run = None if call is None else await flow_repo.active_run(session, call.id)
    if run is None or (run.id, run.generation, run.step_no) != (
        attempt.run_id,
        attempt.generation,
        attempt.step_no,
    ):
        return  # the step timed out meanwhile, or the call ended: this answer comes too late
    state = engine.Run.from_dict(run.state)
    now = to_seconds(clock.now())
    outcome = engine.on_interface_answer(run.definition, state, attempt.step_id, answer, error, now)
    verification.interface_answer(run, answer, error)
    await apply_outcome(session, clock, call, run, outcome)


async def call_ended(session: AsyncSession, clock: Clock, call: Call, previous: str) -> None:
    """The call ended while in a flow (the customer hung up, the agent released it)."""
    run = await flow_repo.active_run(session, call.id)
    if run is None:
        return
    state = engine.Run.from_dict(run.state)
    # Forget the secrets at once: nobody will need them any more.
    run.state = _without_secrets(state).to_dict()
    run.active = False
    await verification.ended_by_hangup(session, clock, call, run, previous)


async def stop_waiting(session: AsyncSession, call: Call) -> None:
    """The call leaves its queue's waiting: its waiting-treatment flow is over at once (no
    prompt, no timer, no interface answer acts on it after this; its path stays)."""
    run = await flow_repo.active_run(session, call.id)
    if run is None or run.purpose != "wait":
        return
    await leave(run)
    run.step_no += 1  # an interface step still pending belongs to a step no longer current
    await timers.cancel(session, IVR_WAIT, call_id=call.id)


# ---------------------------------------------------------------- performing an outcome


async def apply_outcome(
    session: AsyncSession, clock: Clock, call: Call, run: IvrRun, outcome: engine.Outcome
) -> None:
    """Store the new run and perform its actions, in order, in this transaction."""
    now = clock.now()
    run.state = outcome.run.to_dict()
    run.step_no += 1
    run.updated_at = now
    await timers.cancel(session, IVR_WAIT, call_id=call.id)
    for action in outcome.actions:
        await _perform(session, clock, call, run, action)


async def _perform(session, clock, call: Call, run: IvrRun, action) -> None:
    now = clock.now()
    match action:
        case engine.Say(text=text):
            say(session, call, "say", text, now)
        case engine.WaitDigits(deadline=deadline):
            _wait_until(session, call, deadline)
        case engine.CallInterface():
            _record_interface_step(session, call, run, action, now)
            _wait_until(session, call, engine.Run.from_dict(run.state).deadline)
        case engine.TransferQueue(queue_id=queue_id):
            await _leave(session, clock, call, run)
            if run.purpose == "verification":
                await verification.finish(session, clock, call, run)
                return
            say(session, call, "route", f"queue #{queue_id}", now)
            if run.purpose == "wait":
                await core.transfer_while_waiting(session, clock, call, queue_id)
                return
            await core.transfer_to_queue(session, clock, call, queue_id)
        case engine.ReturnToAgent():
            await _leave(session, clock, call, run)
            if run.purpose == "verification":
                await verification.finish(session, clock, call, run)
                return
            if run.purpose == "wait":  # the flow is over; the call keeps waiting for an agent
                say(session, call, "route", f"waiting in queue {call.queue_name}", now)
                return
            say(session, call, "end", "released (no agent to return to)", now)
            await core.release(session, clock, call, "ivr_completed")
        case engine.Release(prompt=prompt):
            await _leave(session, clock, call, run)
            if prompt:
                say(session, call, "say", prompt, now)
            if run.purpose == "verification":
                await verification.finish(session, clock, call, run, released=True)
            say(session, call, "end", "released", now)
            await core.release(session, clock, call, "ivr_released")


async def _leave(session, clock, call: Call, run: IvrRun) -> None:
    await leave(run)


async def leave(run: IvrRun) -> None:
    """The flow is over: the run keeps its path (records), never a secret."""
    run.active = False
    run.state = _without_secrets(engine.Run.from_dict(run.state)).to_dict()


def _without_secrets(state: engine.Run) -> engine.Run:
    data = {k: v for k, v in state.data.items() if k not in state.masked_keys}
    return engine.Run(
        step_id=state.step_id, data=data, masked_keys=(), path=state.path, retries=state.retries
    )


def _wait_until(session: AsyncSession, call: Call, deadline: float | None) -> None:
    if deadline is None:
        return
    timers.schedule(
        session,
        tenant_id=call.tenant_id,
        kind=IVR_WAIT,
        due_at=to_datetime(deadline),
        call_id=call.id,
    )


def _record_interface_step(session, call: Call, run: IvrRun, action, now) -> None:
    """Recorded now, performed after the commit by whichever worker claims it first."""
    session.add(
        IvrStepAttempt(
            tenant_id=call.tenant_id,
            run_id=run.id,
            generation=run.generation,
            step_no=run.step_no,
            step_id=action.step_id,
            interface_id=action.interface_id,
            timeout_seconds=float(action.timeout_seconds),
            body=action.body,
            status="pending",
            created_at=now,
        )
    )
    session.info[WAKE_KEY] = True


def say(session: AsyncSession, call: Call, kind: str, text: str, now) -> None:
    session.add(CallPrompt(tenant_id=call.tenant_id, call_id=call.id, kind=kind, text=text, at=now))


def lease_until(now, timeout_seconds: float):
    return now + timedelta(seconds=timeout_seconds + LEASE_GRACE_SECONDS)


# ---------------------------------------------------------------- waking the performer


_wake_listeners: list = []


def on_interface_pending(listener) -> None:
    """`listener()` runs after every commit that recorded an interface step (same process)."""
    _wake_listeners.append(listener)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(WAKE_KEY, False):
        for listener in _wake_listeners:
            listener()


# ---------------------------------------------------------------- the core's way in


async def _start_for_core(session, clock, call: Call, flow_id: int, purpose: str) -> bool:
    return await start_flow(session, clock, call, flow_id, purpose) is not None


def register_flows() -> None:
    """Connect the runtime to the core (idempotent): calls enter flows through `ivr_port`,
    and the flows' waits are `ivr_wait` timers."""
    ivr_port.register(
        ivr_port.FlowEntryPoints(
            start=_start_for_core,
            digits=digits_typed,
            ended=call_ended,
            stop_waiting=stop_waiting,
        )
    )
    timers.register_handler(IVR_WAIT, on_wait_over)
