"""The real-time path: memory bus and Redis; resume with a last-event id; two instances."""

import uuid

import pytest

from tests.support.agents import Agent, customer, place_call, seed_demo
from tests.support.server import LiveServer


def _redis_bus(redis_url: str) -> str:
    """A channel of its own, so parallel runs sharing one Redis never hear each other."""
    sep = "&" if "?" in redis_url else "?"
    return f"{redis_url}{sep}channel=agentdesk-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["memory", "redis"])
def rt_server(request, database_url, make_settings):
    bus = (
        "memory://"
        if request.param == "memory"
        else _redis_bus(request.getfixturevalue("redis_url"))
    )
    seed_demo(database_url)
    with LiveServer(make_settings(database_url, bus_url=bus)) as live:
        yield live


def _call_cycle(sim, agent):
    call = place_call(sim)
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    agent.act("ready-state", {"state": "idle"})
    return call


def test_reconnect_with_last_event_id_replays_exactly_the_missed_events(rt_server):
    agent = Agent(rt_server.url, "agent101")
    sim = customer(rt_server.url, rt_server.settings.sim_token)
    agent.act("sign-in")
    first = agent.stream()
    snapshot = first.next()
    assert snapshot["kind"] == "snapshot"
    call = place_call(sim)
    seen = first.until(lambda m: m["type"] == "AgentState" and m["payload"]["state"] == "talking")
    last_seen = seen[-1]["seq"]
    first.close()

    # While disconnected: the call ends, after-call work is cut short, a second call comes in.
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    agent.act("ready-state", {"state": "idle"})
    second = place_call(sim)
    head = agent.state()["head"]

    resumed = agent.stream(after=last_seen)
    replayed = resumed.until(lambda m: m["seq"] == head)
    assert [m["seq"] for m in replayed] == list(range(last_seen + 1, head + 1))
    types = [m["type"] for m in replayed]
    assert types[0] == "Release" and "Ringing" in types and types[-1] == "AgentState"
    assert replayed[-1]["payload"]["callid"] == second["callid"]
    assert resumed.drain() == []  # nothing twice, nothing extra
    resumed.close()


def test_two_tabs_of_one_agent_see_the_same_events(rt_server):
    agent = Agent(rt_server.url, "agent101")
    sim = customer(rt_server.url, rt_server.settings.sim_token)
    agent.act("sign-in")
    tabs = [agent.stream(), agent.stream()]
    heads = [tab.next()["head"] for tab in tabs]
    assert heads[0] == heads[1]
    _call_cycle(sim, agent)
    final = agent.state()["head"]
    got = [tab.until(lambda m: m["seq"] == final) for tab in tabs]
    assert [(m["seq"], m["type"]) for m in got[0]] == [(m["seq"], m["type"]) for m in got[1]]
    for tab in tabs:
        tab.close()


def test_events_of_one_agent_never_reach_another(rt_server):
    first, second = Agent(rt_server.url, "agent101"), Agent(rt_server.url, "agent102")
    sim = customer(rt_server.url, rt_server.settings.sim_token)
    first.act("sign-in")
    watcher = second.stream()
    watcher.next()
    place_call(sim)
    assert watcher.drain(quiet=0.5) == []


def test_stream_refuses_other_origins_and_anonymous_clients(rt_server):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    agent = Agent(rt_server.url, "agent101")
    cookie = "; ".join(f"{k}={v}" for k, v in agent.http.cookies.items())
    url = rt_server.url.replace("http://", "ws://") + "/api/workbench/stream"
    for headers, origin in (({"Cookie": cookie}, "http://evil.example"), ({}, rt_server.url)):
        with pytest.raises((InvalidStatus, Exception)):
            ws = connect(url, additional_headers=headers, origin=origin, open_timeout=5)
            ws.recv(timeout=5)


@pytest.fixture
def two_instances(pg_url, redis_url, make_settings):
    """Two app instances sharing PostgreSQL and Redis, as `serve --workers 2` runs them."""
    from tests.support import databases

    databases.truncate_all(pg_url)
    seed_demo(pg_url)
    bus = _redis_bus(redis_url)
    # A long poll interval proves the Redis doorbell, not the outbox sweep, delivered the event.
    settings = make_settings(pg_url, bus_url=bus, stream_poll_seconds=60)
    with LiveServer(settings) as one, LiveServer(settings.with_changes(port=0)) as two:
        yield one, two


def test_event_caused_through_instance_one_reaches_a_workbench_on_instance_two(two_instances):
    one, two = two_instances
    agent_on_two = Agent(two.url, "agent101")
    agent_on_two.act("sign-in")
    stream = agent_on_two.stream()
    stream.next()
    sim_on_one = customer(one.url, one.settings.sim_token)
    call = place_call(sim_on_one)
    talking = stream.until(lambda m: m["type"] == "Talking", timeout=5)
    assert talking[-1]["payload"]["callid"] == call["callid"]
    stream.close()


def test_lost_doorbells_cost_latency_not_events(pg_url, make_settings):
    """Instance one cannot reach Redis at all; instance two still gets every event from the
    outbox sweep."""
    from tests.support import databases

    databases.truncate_all(pg_url)
    seed_demo(pg_url)
    dead = make_settings(pg_url, bus_url="redis://127.0.0.1:1/0", stream_poll_seconds=0.5)
    alive = make_settings(pg_url, stream_poll_seconds=0.5)
    with LiveServer(dead) as one, LiveServer(alive) as two:
        agent = Agent(two.url, "agent101")
        agent.act("sign-in")
        stream = agent.stream()
        stream.next()
        call = place_call(customer(one.url, one.settings.sim_token))
        events = stream.until(lambda m: m["type"] == "Talking", timeout=5)
        assert events[-1]["payload"]["callid"] == call["callid"]
        assert [m["seq"] for m in events] == sorted(m["seq"] for m in events)


def test_ping_is_answered_on_the_stream_and_other_frames_are_ignored(rt_server):
    agent = Agent(rt_server.url, "agent101")
    tab = agent.stream()
    assert tab.next()["kind"] == "snapshot"
    tab.ws.send("not json")
    tab.ws.send('{"kind": "ping", "id": 7}')
    assert tab.next(kinds=("pong",)) == {"kind": "pong", "id": 7}
    agent.act("sign-in")  # the stream still works after the ignored frame
    assert tab.until(lambda m: m["type"] == "AgentState")[-1]["payload"]["state"] == "idle"
    tab.close()
