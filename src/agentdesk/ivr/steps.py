"""The vocabulary of a flow definition, shared by the validator and the engine (pure)."""

import re

# Steps that wait for the caller's keys: the only ones that may sit on a loop.
INPUT_TYPES = frozenset({"menu", "collect"})
# Steps after which the flow is over (the call leaves the IVR).
END_TYPES = frozenset({"transfer_queue", "return_to_agent", "release"})
AUTOMATIC_TYPES = frozenset({"play", "set", "branch", "interface"})
STEP_TYPES = INPUT_TYPES | END_TYPES | AUTOMATIC_TYPES

DTMF_KEYS = frozenset("0123456789*#")
TERMINATORS = ("#", "*")

STEP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
DATA_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
TEMPLATE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

# Fields naming the step a step goes to next (for the graph checks).
SINGLE_TARGETS = {
    "play": ("next",),
    "set": ("next",),
    "menu": ("default",),
    "collect": ("next", "on_failure"),
    "interface": ("next", "on_error"),
    "branch": ("default",),
}
# Fields holding {value: step id} maps.
MAP_TARGETS = {"menu": "options", "branch": "cases"}


def targets(step: dict) -> list[str]:
    """Every step id this step may go to, in definition order (strings only)."""
    kind = kind_of(step)
    found = [step.get(name) for name in SINGLE_TARGETS.get(kind, ())]
    found.extend(mapping_of(step, MAP_TARGETS.get(kind, "")).values())
    return [t for t in found if isinstance(t, str)]


def kind_of(step: dict) -> str | None:
    """The step's type when it is one of ours (any other value: None)."""
    kind = step.get("type")
    return kind if isinstance(kind, str) and kind in STEP_TYPES else None


def mapping_of(step: dict, name: str) -> dict:
    """A {key: value} field of a step, or {} when it is absent or not an object."""
    value = step.get(name)
    return value if isinstance(value, dict) else {}


def steps_by_id(flow: dict) -> dict[str, dict]:
    steps = flow.get("steps") if isinstance(flow, dict) else None
    if not isinstance(steps, list):
        return {}
    return {s["id"]: s for s in steps if isinstance(s, dict) and isinstance(s.get("id"), str)}
