"""Any JSON at all, given to the validator, the diagram layout or the engine, is answered -
never an exception (the designer's Check endpoint sends whatever the admin typed)."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.ivr import engine
from agentdesk.ivr.diagram import layout
from agentdesk.ivr.validator import validate

KEYS = st.sampled_from(["id", "type", "next", "options", "default", "cases", "values", "key",
                        "prompt", "map", "body", "retries", "min_length", "max_length",
                        "terminator", "on_failure", "on_error", "interface_id", "queue_id",
                        "timeout_seconds", "masked", "audio", "label"])  # fmt: skip
TYPES = st.sampled_from(["play", "menu", "collect", "interface", "set", "branch",
                         "transfer_queue", "return_to_agent", "release", "dance"])  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 40), st.floats(allow_nan=False),
                    st.sampled_from(["a", "b", "1", "#", "", "{{x}}", "{{ bad key }}"]))  # fmt: skip
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(KEYS, st.text(max_size=3)), inner,
                                                 max_size=5)), max_leaves=20)  # fmt: skip
STEP = st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["a", "b", "c"]), JSON), "type": st.one_of(TYPES, JSON)},
    optional={k: st.one_of(st.sampled_from(["a", "b", "c"]), JSON)
              for k in ("next", "default", "on_failure", "on_error")}
    | {k: JSON for k in ("options", "cases", "values", "key", "prompt", "map", "body",
                          "retries", "min_length", "max_length", "terminator")},
)  # fmt: skip
FLOW = st.one_of(JSON, st.fixed_dictionaries(
    {"start": st.one_of(st.sampled_from(["a", "b"]), JSON), "steps": st.lists(STEP, max_size=5)}))  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(FLOW, st.text(alphabet="0123456789*#x", max_size=6))
def test_anything_is_answered_never_raised(flow, digits):
    problems = validate(flow)
    assert all(p.rule and p.message_en and p.message_zh for p in problems)
    json.dumps(layout(flow))
    if isinstance(flow, dict):
        outcome = engine.begin(flow, {"x": "1"}, 0.0)
        outcome = engine.on_digits(flow, outcome.run, digits, 1.0)
        outcome = engine.on_timeout(flow, outcome.run, 100.0)
        if outcome.run.step_id:
            engine.on_interface_answer(flow, outcome.run, outcome.run.step_id, {"a": 1}, None, 2.0)
        json.dumps(outcome.run.to_dict())
