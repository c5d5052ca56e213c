"""The IVR step engine: pure functions from (flow, run, event, now) to (new run, actions).

No database, no HTTP, no clock: the runtime stores the `Run` (per contact), performs the
actions (say a prompt, schedule a timer at `WaitDigits.deadline`, call an interface outside
any transaction, transfer, return, release) and feeds back what happened. Because every input
is explicit, a run stored by one worker continues identically on another.

Semantics (a definition is assumed to have passed `validator.validate`; a broken one still
never raises here, the call is released instead of being stuck):
- automatic steps (play, set, branch, interface answer) chain until a step waits or ends;
- menu: one key chooses an option; an unknown key or a time-out re-prompts up to `retries`
  times, then the flow goes to `default`;
- collect: digits up to the terminator or `max_length`; a time-out (first digit, then
  between digits) accepts what was typed if it is long enough, otherwise it is a failed try;
  after `retries` failed re-prompts the flow goes to `on_failure`;
- keys typed after a menu choice or a completed collect carry on to the next waiting step
  (type-ahead), and are dropped when the flow reaches a step that does not wait;
- interface: the runtime performs `CallInterface` and calls `on_interface_answer`; mapped
  answer fields land in the data; an error goes to `on_error` (else `next`). The run's
  `deadline` is the interface time-out, so a timer firing then counts as an error;
- masked keys (PINs) are sent in interface bodies (their purpose); the values an interface
  step's body used leave the data as soon as that step has its answer, error or time-out
  (the key name stays in `masked_keys`: collected again, it is masked again), every other
  masked value when the flow ends, and `repr(run)` never shows them.
"""

from dataclasses import dataclass, field, replace

from agentdesk.ivr.steps import DTMF_KEYS, TEMPLATE, TERMINATORS, mapping_of, steps_by_id

# Above this many automatic steps in one go the definition must loop: release the call.
MAX_AUTOMATIC_STEPS = 200
MASK = "****"


@dataclass(frozen=True)
class Run:
    """Where one contact is in its flow. Serialise with to_dict(), restore with from_dict()."""

    step_id: str | None
    data: dict[str, str]
    masked_keys: tuple[str, ...] = ()
    digits: str = ""
    retries: int = 0
    deadline: float | None = None
    path: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.step_id is None

    def public_data(self) -> dict[str, str]:
        """The data with masked values hidden: what may be shown, logged or recorded."""
        return {k: (MASK if k in self.masked_keys else v) for k, v in self.data.items()}

    def to_dict(self) -> dict:
        return {
            "step_id": self.step_id,
            "data": dict(self.data),
            "masked_keys": list(self.masked_keys),
            "digits": self.digits,
            "retries": self.retries,
            "deadline": self.deadline,
            "path": list(self.path),
        }

    @classmethod
    def from_dict(cls, stored: dict) -> "Run":
        return cls(
            step_id=stored.get("step_id"),
            data={str(k): str(v) for k, v in (stored.get("data") or {}).items()},
            masked_keys=tuple(stored.get("masked_keys") or ()),
            digits=str(stored.get("digits") or ""),
            retries=int(stored.get("retries") or 0),
            deadline=stored.get("deadline"),
            path=tuple(stored.get("path") or ()),
        )

    def __repr__(self) -> str:  # never the secret digits, whoever logs a run
        return (
            f"Run(step_id={self.step_id!r}, data={self.public_data()!r}, "
            f"masked_keys={self.masked_keys!r}, digits={'*' * len(self.digits)!r}, "
            f"retries={self.retries}, deadline={self.deadline!r}, path={self.path!r})"
        )


@dataclass(frozen=True)
class Say:
    text: str
    audio: str | None = None


@dataclass(frozen=True)
class WaitDigits:
    deadline: float


@dataclass(frozen=True)
class CallInterface:
    step_id: str
    interface_id: int
    body: dict = field(hash=False)
    timeout_seconds: float = 5.0

    def __repr__(self) -> str:  # the body may hold masked digits
        return (
            f"CallInterface(step_id={self.step_id!r}, interface_id={self.interface_id}, "
            f"timeout_seconds={self.timeout_seconds})"
        )


@dataclass(frozen=True)
class TransferQueue:
    queue_id: int


@dataclass(frozen=True)
class ReturnToAgent:
    pass


@dataclass(frozen=True)
class Release:
    prompt: str | None = None


Action = Say | WaitDigits | CallInterface | TransferQueue | ReturnToAgent | Release


@dataclass(frozen=True)
class Outcome:
    run: Run
    actions: tuple[Action, ...] = ()


# ---- public entry points --------------------------------------------------------------------


def begin(flow: dict, data: dict[str, str], now: float) -> Outcome:
    """Start `flow` with the contact's attached data (call data, e.g. verifyServiceNo)."""
    run = Run(step_id=None, data={str(k): str(v) for k, v in data.items()})
    return _advance(flow, run, flow.get("start") if isinstance(flow, dict) else None, now)


def on_digits(flow: dict, run: Run, digits: str, now: float) -> Outcome:
    """The caller typed one or more keys (anything but 0-9 * # is ignored)."""
    actions: list[Action] = []
    for key in digits:
        if key not in DTMF_KEYS:
            continue
        step = _current(flow, run)
        if step is None or step.get("type") not in ("menu", "collect"):
            break  # nobody is listening any more: the rest of the keys are dropped
        if step["type"] == "menu":
            outcome = _menu_key(flow, run, step, key, now)
        else:
            outcome = _collect_key(flow, run, step, key, now)
        run = outcome.run
        actions.extend(outcome.actions)
    return Outcome(run, tuple(actions))


def on_timeout(flow: dict, run: Run, now: float) -> Outcome:
    """A timer fired. Ignored unless the current wait has really expired."""
    if run.finished or run.deadline is None or run.deadline > now:
        return Outcome(run)
    step = _current(flow, run)
    kind = step.get("type") if step else None
    if kind == "menu":
        return _retry_or(flow, run, step, step.get("default"), now, invalid=False)
    if kind == "collect":
        if run.digits and len(run.digits) >= _int(step, "min_length", 1):
            return _collected(flow, run, step, now)
        # Too few digits before the pause is a wrong input; no digit at all is silence.
        return _retry_or(flow, run, step, step.get("on_failure"), now, invalid=bool(run.digits))
    if kind == "interface":
        return on_interface_answer(flow, run, run.step_id, None, "timeout", now)
    return Outcome(run)


def on_interface_answer(
    flow: dict, run: Run, step_id: str, answer: object | None, error: str | None, now: float
) -> Outcome:
    """The answer (decoded JSON) or error of the interface call of step `step_id`.

    An answer for a step the run is no longer on (a duplicate, or after a time-out) is
    ignored, so an interface outcome is applied at most once."""
    step = _current(flow, run)
    if run.step_id != step_id or step is None or step.get("type") != "interface":
        return Outcome(run)
    run = _forget_used_secrets(run, step)
    if error is None:
        data = {**run.data, **_mapped(step.get("map"), answer)}
        return _advance(flow, replace(run, data=data), step.get("next"), now)
    target = step.get("on_error") or step.get("next")
    return _advance(flow, run, target, now)


# ---- helpers --------------------------------------------------------------------------------


def render(template: object, data: dict[str, str]) -> object:
    """`{{key}}` in every string of a body template, replaced by the attached data value
    (empty when the key is absent)."""
    if isinstance(template, str):
        return TEMPLATE.sub(lambda m: data.get(m.group(1), ""), template)
    if isinstance(template, dict):
        return {k: render(v, data) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, data) for v in template]
    return template


def answer_field(answer: object, path: str) -> object | None:
    """The value at a dotted path (`calldata.data.verifyResult`, `items.0.name`), or None."""
    node = answer
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _mapped(mapping: object, answer: object) -> dict[str, str]:
    if not isinstance(mapping, dict):
        return {}
    found = {}
    for key, path in mapping.items():
        value = answer_field(answer, path) if isinstance(path, str) else None
        if isinstance(value, bool):
            found[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            found[key] = str(value)
    return found


def _current(flow: dict, run: Run) -> dict | None:
    return steps_by_id(flow).get(run.step_id) if run.step_id else None


def _int(step: dict, name: str, default: int) -> int:
    value = step.get(name, default)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else default


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _seconds(step: dict, name: str, default: float) -> float:
    return float(_int(step, name, default))


def template_keys(template: object) -> set[str]:
    """The attached-data keys a body template names (`{{key}}` in any of its strings)."""
    if isinstance(template, str):
        return set(TEMPLATE.findall(template))
    if isinstance(template, dict):
        return set().union(*(template_keys(v) for v in template.values()))
    if isinstance(template, list):
        return set().union(*(template_keys(v) for v in template))
    return set()


def _forget_used_secrets(run: Run, step: dict) -> Run:
    """The interface step that needed the masked values is over: they leave the data."""
    used = template_keys(step.get("body")) & set(run.masked_keys)
    if not used:
        return run
    return replace(run, data={k: v for k, v in run.data.items() if k not in used})


def _finish(run: Run, action: Action) -> Outcome:
    """The flow is over: forget the secrets it needed and say how the call leaves."""
    data = {k: v for k, v in run.data.items() if k not in run.masked_keys}
    ended = replace(run, step_id=None, data=data, masked_keys=(), digits="", deadline=None)
    return Outcome(ended, (action,))


def _advance(flow: dict, run: Run, target: object, now: float) -> Outcome:
    """Enter `target` and chain automatic steps until one waits or the flow ends."""
    steps = steps_by_id(flow)
    actions: list[Action] = []
    for _ in range(MAX_AUTOMATIC_STEPS):
        step = steps.get(target) if isinstance(target, str) else None
        if step is None:  # a dangling target (the validator refuses these): hang up cleanly
            outcome = _finish(run, Release(None))
            return Outcome(outcome.run, (*actions, *outcome.actions))
        run = replace(run, step_id=step["id"], digits="", retries=0, deadline=None,
                      path=(*run.path, step["id"]))  # fmt: skip
        kind = step.get("type")
        if kind == "play":
            actions.append(Say(_text(step.get("prompt")) or "", _text(step.get("audio"))))
            target = step.get("next")
        elif kind == "set":
            values = mapping_of(step, "values")
            run = replace(run, data={**run.data, **{k: str(render(v, run.data))
                                                     for k, v in values.items()}})  # fmt: skip
            target = step.get("next")
        elif kind == "branch":
            value = run.data.get(str(step.get("key")), "")
            target = mapping_of(step, "cases").get(value, step.get("default"))
        elif kind in ("menu", "collect"):
            outcome = _prompt(run, step, now)
            return Outcome(outcome.run, (*actions, *outcome.actions))
        elif kind == "interface":
            timeout = _seconds(step, "timeout_seconds", 5)
            body = render(step.get("body") or {}, run.data)
            run = replace(run, deadline=now + timeout)
            call = CallInterface(step["id"], _whole(step.get("interface_id")), body, timeout)
            return Outcome(run, (*actions, call))
        else:
            outcome = _finish(run, _end_action(step))
            return Outcome(outcome.run, (*actions, *outcome.actions))
    outcome = _finish(run, Release(None))
    return Outcome(outcome.run, (*actions, *outcome.actions))


def _end_action(step: dict) -> Action:
    kind = step.get("type")
    if kind == "transfer_queue":
        return TransferQueue(_whole(step.get("queue_id")))
    if kind == "return_to_agent":
        return ReturnToAgent()
    return Release(_text(step.get("prompt")))


def _prompt(run: Run, step: dict, now: float, before: tuple[Action, ...] = ()) -> Outcome:
    """Say the step's prompt and wait for the first key."""
    name = "timeout_seconds" if step["type"] == "menu" else "first_digit_timeout_seconds"
    deadline = now + _seconds(step, name, 5 if step["type"] == "menu" else 10)
    run = replace(run, digits="", deadline=deadline)
    say = Say(_text(step.get("prompt")) or "", _text(step.get("audio")))
    return Outcome(run, (*before, say, WaitDigits(deadline)))


def _retry_or(
    flow: dict, run: Run, step: dict, fallback: object, now: float, *, invalid: bool = True
) -> Outcome:
    """A wrong input (its `invalid_prompt` first) or a time-out (the prompt alone): prompt
    again while tries remain, else go to `fallback`."""
    if run.retries >= _int(step, "retries", 0):
        return _advance(flow, run, fallback, now)
    text = step.get("invalid_prompt") if invalid else None
    before = (Say(str(text)),) if text else ()
    return _prompt(replace(run, retries=run.retries + 1), step, now, before)


def _menu_key(flow: dict, run: Run, step: dict, key: str, now: float) -> Outcome:
    options = mapping_of(step, "options")
    if key in options:
        return _advance(flow, run, options[key], now)
    return _retry_or(flow, run, step, step.get("default"), now)


def _collect_key(flow: dict, run: Run, step: dict, key: str, now: float) -> Outcome:
    terminator = step.get("terminator") or None
    if terminator in TERMINATORS and key == terminator:
        if len(run.digits) >= _int(step, "min_length", 1):
            return _collected(flow, run, step, now)
        return _retry_or(flow, run, step, step.get("on_failure"), now)
    digits = run.digits + key
    if len(digits) >= _int(step, "max_length", 32):
        return _collected(flow, replace(run, digits=digits), step, now)
    deadline = now + _seconds(step, "inter_digit_timeout_seconds", 5)
    return Outcome(replace(run, digits=digits, deadline=deadline), (WaitDigits(deadline),))


def _collected(flow: dict, run: Run, step: dict, now: float) -> Outcome:
    key = str(step.get("key"))
    masked = run.masked_keys
    if step.get("masked") and key not in masked:
        masked = (*masked, key)
    elif not step.get("masked"):
        masked = tuple(k for k in masked if k != key)
    run = replace(run, data={**run.data, key: run.digits}, masked_keys=masked, digits="")
    return _advance(flow, run, step.get("next"), now)
