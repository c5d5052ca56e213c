"""Logs are JSON lines with the documented fields and never carry a secret."""

import io
import json
import logging

import pytest

from agentdesk.observability.logs import FIELDS, JsonFormatter, log_config
from tests.support.agents import PASSWORDS, Agent, customer, place_call, seed_demo
from tests.support.server import TEST_SECRET_KEY, LiveServer

METRICS_TOKEN = "metrics-secret-token-5f1c2a"
ATTACHED = "order-secret-A77"


@pytest.fixture
def captured():
    """Everything logged while the test runs, formatted as `agentdesk serve` formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    levels = {name: item.get("level") for name, item in log_config("json")["loggers"].items()}
    saved = {name: logging.getLogger(name).level for name in [*levels, ""]}
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    yield stream
    root.removeHandler(handler)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_log_lines_are_json_with_request_ids_and_no_secrets(sqlite_url, make_settings, captured):
    from tests.support import databases

    databases.truncate_all(sqlite_url)
    seed_demo(sqlite_url)
    settings = make_settings(sqlite_url, metrics_token=METRICS_TOKEN)
    with LiveServer(settings) as live:
        agent = Agent(live.url, "agent101")
        agent.act("sign-in")
        sim = customer(live.url, settings.sim_token)
        call = place_call(sim, data={"orderNo": ATTACHED})
        tagged = sim.get(f"/api/sim/calls/{call['callid']}", headers={"X-Request-ID": "req-42"})
        assert tagged.headers["x-request-id"] == "req-42"
        with live.client() as anonymous:
            bad = anonymous.post(
                "/api/auth/login", json={"username": "agent101", "password": "wrong-pw-XYZ"}
            )
            assert bad.status_code in (401, 403, 422)
            anonymous.get("/login", params={"next": "/?token=query-secret-Q1"})
            anonymous.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        session_cookie = "; ".join(agent.http.cookies.values())
        csrf = agent.http.headers["X-CSRF-Token"]

    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert lines
    for line in lines:
        assert {"ts", "level", "logger", "msg", "pid"} <= line.keys()
        assert set(line) <= {*FIELDS, "method", "path", "status", "duration_ms", "client", "exc"}
    access = [line for line in lines if line["logger"] == "agentdesk.access"]
    assert all(line["request_id"] for line in access)
    assert len({line["request_id"] for line in access}) == len(access)
    placed = [line for line in access if line["path"] == "/api/sim/calls"][0]
    assert placed["callid"] == call["callid"] and placed["status"] == 201
    assert isinstance(placed["tenant"], int)
    assert any(
        line["request_id"] == "req-42" and line["callid"] == call["callid"] for line in access
    )
    signed_in = [line for line in access if line["path"] == "/api/workbench/sign-in"][0]
    assert signed_in["tenant"] == placed["tenant"]

    for secret in (
        PASSWORDS["agent101"],
        "wrong-pw-XYZ",
        settings.sim_token,
        METRICS_TOKEN,
        TEST_SECRET_KEY,
        ATTACHED,
        "query-secret-Q1",
        csrf,
        *session_cookie.split("; "),
    ):
        assert secret not in text, f"a secret reached the logs: {secret[:4]}…"
