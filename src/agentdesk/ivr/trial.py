"""Try it [试运行]: a flow run in the browser without a call.

Each request carries the run the previous answer returned plus one event (begin, digits,
time-out); the engine moves, and every interface step it reaches is performed for real
(interface_call.py) - outside any database session: the edge resolves the interfaces
first - and its answer fed back, until the flow waits for keys or ends. What happened comes
back in order: prompts, waits, the exact request body and the answer, how the call leaves.
"""

from collections.abc import Mapping

from agentdesk.config_center.interfaces.caller import CallSpec
from agentdesk.ivr import engine
from agentdesk.ivr.interface_call import StepCall, call_step_interface
from agentdesk.ivr.schemas import TryEvent, TryResult, TryStep

# A published flow has no loop without input, so this only bounds a hand-made run.
MAX_CALLS_PER_TRY = 10


class BadRun(ValueError):
    """The run sent back is not one this flow could have produced."""


def restore_run(flow: dict, stored: dict | None) -> engine.Run:
    if stored is None:
        raise BadRun("send the run of the previous answer (or begin)")
    try:
        run = engine.Run.from_dict(stored)
    except (TypeError, ValueError, AttributeError) as exc:
        raise BadRun("the run is not well-formed") from exc
    known = {s.get("id") for s in flow.get("steps", []) if isinstance(s, dict)}
    if run.step_id is not None and run.step_id not in known:
        raise BadRun(f"the run is at step {run.step_id!r}, which this flow does not have")
    return run


def _describe(action: engine.Action) -> TryStep:
    if isinstance(action, engine.Say):
        return TryStep(kind="say", text=action.text, audio=action.audio)
    if isinstance(action, engine.WaitDigits):
        return TryStep(kind="wait", deadline=action.deadline)
    if isinstance(action, engine.TransferQueue):
        return TryStep(kind="transfer", queue_id=action.queue_id)
    if isinstance(action, engine.ReturnToAgent):
        return TryStep(kind="return")
    if isinstance(action, engine.Release):
        return TryStep(kind="release", text=action.prompt)
    raise TypeError(action)


def _answered(call: StepCall) -> TryStep:
    body = call.answer if call.error is None else call.text
    return TryStep(kind="answer", status=call.status, elapsed_ms=call.elapsed_ms,
                   error=call.error, body=body)  # fmt: skip


def _first_move(flow: dict, event: TryEvent, run: engine.Run | None, data: dict, now: float):
    if event.type == "begin":
        return engine.begin(flow, data, now)
    if event.type == "digits":
        return engine.on_digits(flow, run, event.digits or "", now)
    return engine.on_timeout(flow, run, now)


async def try_flow(
    flow: dict,
    event: TryEvent,
    stored_run: dict | None,
    data: dict[str, str],
    now: float,
    specs: Mapping[int, CallSpec | str],
) -> TryResult:
    """`specs`: the tenant's interface of each id the flow names, or why it cannot be used."""
    run = None if event.type == "begin" else restore_run(flow, stored_run)
    if event.type == "timeout" and run is not None and run.deadline is not None:
        now = max(now, run.deadline)  # "time out now": nobody waits for a try-it time-out
    outcome = _first_move(flow, event, run, data, now)
    events: list[TryStep] = []
    for _ in range(MAX_CALLS_PER_TRY + 1):
        pending = None
        for action in outcome.actions:
            if isinstance(action, engine.CallInterface):
                pending = action
            else:
                events.append(_describe(action))
        if pending is None:
            break
        spec = specs.get(pending.interface_id)
        name = spec.name if isinstance(spec, CallSpec) else f"#{pending.interface_id}"
        events.append(TryStep(kind="request", step_id=pending.step_id, interface=name,
                              body=pending.body))  # fmt: skip
        if isinstance(spec, CallSpec):
            call = await call_step_interface(spec, pending.body, pending.timeout_seconds)
        else:
            call = StepCall(None, spec or f"interface {pending.interface_id} is not available")
        events.append(_answered(call))
        outcome = engine.on_interface_answer(
            flow, outcome.run, pending.step_id, call.answer, call.error, now
        )
    final = outcome.run
    return TryResult(
        now=now,
        run=final.to_dict(),
        finished=final.finished,
        waiting=final.deadline is not None and not final.finished,
        step_id=final.step_id,
        path=list(final.path),
        data=final.public_data(),
        events=events,
    )
