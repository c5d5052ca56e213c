"""The deployment guide for real: two `agentdesk serve` processes behind nginx with the
documented configuration (docs/deploy/nginx.conf), on PostgreSQL + Redis. A workbench connected
through the proxy hears of events caused through either process, and reconnects through the
proxy when the process holding its socket stops."""

import re
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import databases
from tests.support.agents import Agent, customer, place_call, seed_demo
from tests.support.nginx import Nginx
from tests.support.processes import ServeProcess
from tests.support.server import TEST_SECRET_KEY

SIM_TOKEN = "deployment-sim-token"
METRICS_TOKEN = "deployment-metrics-token"


def _metric(url: str, name: str) -> float:
    response = httpx.get(
        f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return sum(
        s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
        if s.name == name
    )


@pytest.fixture
def deployment(pg_url, redis_url, tmp_path):
    databases.truncate_all(pg_url)
    seed_demo(pg_url)
    sep = "&" if "?" in redis_url else "?"
    env = {
        "AGENTDESK_DATABASE_URL": pg_url,
        "AGENTDESK_BUS_URL": f"{redis_url}{sep}channel=agentdesk-deploy-{uuid.uuid4().hex[:8]}",
        "AGENTDESK_SECRET_KEY": TEST_SECRET_KEY,
        "AGENTDESK_SIM_TOKEN": SIM_TOKEN,
        "AGENTDESK_METRICS_TOKEN": METRICS_TOKEN,
    }
    first = ServeProcess(env, tmp_path / "host-a")
    second = ServeProcess(env, tmp_path / "host-b", workers=2)
    proxy = Nginx([first.port, second.port])
    # Every host is told the public origin: the stream checks a page's Origin against it.
    for host in (first, second):
        host.env["AGENTDESK_PUBLIC_ORIGIN"] = proxy.url
    try:
        first.start(), second.start(), proxy.start()
        yield first, second, proxy
    finally:
        proxy.stop()
        first.stop()
        second.stop()


def test_a_workbench_behind_nginx_hears_events_from_either_process(deployment):
    first, second, proxy = deployment
    agent = Agent(proxy.url, "agent101")
    agent.act("sign-in")
    stream = agent.stream()
    stream.next()

    call = place_call(customer(first.url, SIM_TOKEN))  # caused through process A
    ringing = stream.until(lambda m: m["type"] == "Ringing")[-1]
    assert ringing["payload"]["callid"] == call["callid"]
    sim_b = customer(second.url, SIM_TOKEN)
    sim_b.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()  # through B
    release = stream.until(lambda m: m["type"] == "Release")[-1]
    assert release["payload"]["callid"] == call["callid"]
    agent.act("ready-state", {"state": "idle"})
    later = place_call(sim_b)
    last = stream.until(lambda m: m["type"] == "Ringing")[-1]
    assert last["payload"]["callid"] == later["callid"]

    # The proxy passes its request id on; the app echoes it.
    health = httpx.get(f"{proxy.url}/healthz", timeout=10)
    assert health.status_code == 200 and re.fullmatch(
        r"[0-9a-f]{32}", health.headers["x-request-id"]
    )
    # Metrics: never through the public name; per host, summed over that host's workers.
    assert (
        httpx.get(
            f"{proxy.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        ).status_code
        == 404
    )
    for _ in range(4):  # whichever of B's two workers answers, it answers for both
        assert _metric(second.url, "agentdesk_calls_total") == 1
    assert _metric(first.url, "agentdesk_calls_total") == 0
    pops = _metric(first.url, "agentdesk_pop_latency_seconds_count")
    assert pops + _metric(second.url, "agentdesk_pop_latency_seconds_count") == 2

    # Process A stops: the workbench reconnects through the proxy and resumes where it was.
    first.stop()
    resumed = agent.stream(after=last["seq"])
    sim_b.post(f"/api/sim/calls/{later['callid']}/hangup").raise_for_status()
    replay = resumed.until(lambda m: m["type"] == "Release")
    assert replay[0]["seq"] == last["seq"] + 1
    assert replay[-1]["payload"]["callid"] == later["callid"]
    resumed.close()
    stream.close()
