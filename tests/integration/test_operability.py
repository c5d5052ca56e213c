"""Health, readiness and metrics through a real server (SQLite and PostgreSQL)."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.agents import Agent, customer, place_call, seed_demo, wait_for
from tests.support.databases import migrate
from tests.support.pg_instance import PostgresInstance
from tests.support.server import LiveServer

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def ops_server(database_url, make_settings):
    seed_demo(database_url)
    with LiveServer(make_settings(database_url, metrics_token=METRICS_TOKEN)) as live:
        yield live


def scrape(server: LiveServer) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = server.client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def delta(before, after, name: str, **labels) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def total(samples, name: str) -> float:
    return sum(v for (n, _), v in samples.items() if n == name)


def test_health_and_readiness_answer(ops_server):
    with ops_server.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": True, "bus": True}}


def test_metrics_are_not_public(ops_server, database_url, make_settings):
    with ops_server.client() as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert METRICS_TOKEN not in wrong.text
    with LiveServer(make_settings(database_url)) as off, off.client() as client:
        assert client.get("/metrics").status_code == 404  # no token configured: off


def test_metrics_count_a_simulated_call(ops_server):
    before = scrape(ops_server)
    agent = Agent(ops_server.url, "agent101")
    sim = customer(ops_server.url, ops_server.settings.sim_token)
    agent.act("sign-in")
    stream = agent.stream()
    stream.next()
    during = scrape(ops_server)
    assert value(during, "agentdesk_connected_sockets") == 1
    call = place_call(sim)
    stream.until(lambda m: m["type"] == "Ringing")
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    release = stream.until(lambda m: m["type"] == "Release")[-1]
    after = scrape(ops_server)

    outcome = release["payload"]["outcome"]
    assert outcome
    assert delta(before, after, "agentdesk_calls_total", outcome=outcome) == 1
    assert total(after, "agentdesk_calls_total") - total(before, "agentdesk_calls_total") == 1
    assert delta(before, after, "agentdesk_pop_latency_seconds_count") == 1
    assert value(after, "agentdesk_pop_latency_seconds_bucket", le="+Inf") >= 1
    states = {dict(k)["state"]: v for (n, k), v in after.items() if n == "agentdesk_agents"}
    assert states == {agent.state()["presence"]["state"]: 1}
    assert "agentdesk_timers_overdue" in {n for n, _ in after}
    stream.close()


def test_metrics_show_a_waiting_call_and_its_wait(ops_server):
    agent = Agent(ops_server.url, "agent101")
    agent.act("sign-in")
    agent.act("ready-state", {"state": "busy"})  # signed in, not idle: the call waits
    sim = customer(ops_server.url, ops_server.settings.sim_token)
    place_call(sim)
    samples = wait_for(
        lambda: (
            (s := scrape(ops_server))
            and any(n == "agentdesk_queue_waiting_calls" and v == 1 for (n, _), v in s.items())
            and s
        )
    )
    longest = [v for (n, _), v in samples.items() if n == "agentdesk_queue_longest_wait_seconds"]
    assert longest and longest[0] >= 0


@pytest.fixture
def own_postgres(pg_url):  # pg_url: PostgreSQL is required here (CI), and its binaries
    instance = PostgresInstance().start()
    yield instance
    instance.destroy()


def test_readiness_fails_while_the_database_is_stopped(own_postgres, make_settings):
    migrate(own_postgres.url)
    with LiveServer(make_settings(own_postgres.url)) as live, live.client() as client:
        assert client.get("/readyz").status_code == 200
        own_postgres.stop()
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.json() == {"status": "not ready", "checks": {"database": False, "bus": True}}
        assert client.get("/healthz").status_code == 200  # alive: don't restart it, route away
        own_postgres.start()
        wait_for(lambda: client.get("/readyz").status_code == 200)


def test_readiness_checks_redis(redis_url, database_url, make_settings):
    bus = f"{redis_url}{'&' if '?' in redis_url else '?'}channel=agentdesk-test-ready"
    with LiveServer(make_settings(database_url, bus_url=bus)) as live, live.client() as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["bus"] is True
