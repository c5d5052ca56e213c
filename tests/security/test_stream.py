"""The workbench stream under hostile or broken clients: a bad `after`, an outbox that lost
events, and a client that never reads (items 7 and 8 of the hardening issue)."""

import asyncio
import base64
import json
import os
import socket
import struct
import time
import uuid

import pytest
from sqlalchemy import delete
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from agentdesk.config_center.agents.models import Agent as AgentRow
from agentdesk.storage import outbox
from tests.support import seed
from tests.support.agents import Agent, seed_demo
from tests.support.server import LiveServer


def _bus(kind: str, redis_url: str | None) -> str:
    if kind == "memory":
        return "memory://"
    sep = "&" if "?" in redis_url else "?"
    return f"{redis_url}{sep}channel=agentdesk-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["memory", "redis"])
def live(request, database_url, make_settings):
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    seed_demo(database_url)
    settings = make_settings(
        database_url,
        bus_url=_bus(request.param, redis_url),
        stream_max_backlog=50,
        stream_send_timeout_seconds=1.0,
    )
    with LiveServer(settings) as server:
        yield server


def _ws_url(server: LiveServer, query: str = "") -> str:
    return server.url.replace("http://", "ws://") + "/api/workbench/stream" + query


def _open(server: LiveServer, agent: Agent, query: str = ""):
    cookie = "; ".join(f"{k}={v}" for k, v in agent.http.cookies.items())
    return connect(
        _ws_url(server, query),
        additional_headers={"Cookie": cookie},
        origin=server.url,
        open_timeout=10,
    )


class OutboxReads:
    """Counts the hub's outbox reads: a spinning drain loop shows up as thousands of them."""

    def __init__(self, hub):
        self.count = 0
        original = hub.load_after

        async def counted(*args, **kwargs):
            self.count += 1
            return await original(*args, **kwargs)

        hub.load_after = counted


def _assert_idle(server: LiveServer, seconds: float = 1.5) -> None:
    """No connection keeps reading the outbox, and the process stays (nearly) idle."""
    reads = OutboxReads(server.app.state.hub)
    cpu = time.process_time()
    time.sleep(seconds)
    assert reads.count <= 5, f"{reads.count} outbox reads in {seconds}s: the drain loop spins"
    assert time.process_time() - cpu < 0.5 * seconds


# ------------------------------------------------------------------ `after` validation


@pytest.mark.parametrize(
    ("after", "rule"),
    [("-1", "integer"), ("abc", "integer"), ("1.5", "integer"), ("", "integer")],
)
def test_an_after_that_is_not_a_sequence_is_refused_with_a_reason(live, after, rule):
    agent = Agent(live.url, "agent101")
    agent.act("sign-in")  # the stream has events, so a spinning loop would have work forever
    with _open(live, agent, f"?after={after}") as ws:
        error = json.loads(ws.recv(timeout=5))
        assert error["kind"] == "error"
        assert error["errors"][0]["field"] == "after"
        assert error["errors"][0]["rule"] == rule
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4422
    assert "after" in closed.value.rcvd.reason
    assert live.app.state.hub.connection_count == 0
    _assert_idle(live)


def test_an_after_beyond_the_head_is_refused(live):
    agent = Agent(live.url, "agent101")
    agent.act("sign-in")
    head = agent.state()["head"]
    with _open(live, agent, f"?after={head + 1}") as ws:
        error = json.loads(ws.recv(timeout=5))
        assert error["errors"][0] == {
            "field": "after",
            "rule": "maximum",
            "message": f"after must not exceed the stream's head ({head})",
        }
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4422
    _assert_idle(live)


def test_after_within_the_stream_still_replays_and_then_the_loop_rests(live):
    agent = Agent(live.url, "agent101")
    agent.act("sign-in")
    agent.act("ready-state", {"state": "busy"})
    head = agent.state()["head"]
    with _open(live, agent, "?after=0") as ws:
        seqs = [json.loads(ws.recv(timeout=5))["seq"] for _ in range(head)]
        assert seqs == list(range(1, head + 1))
        _assert_idle(live)  # connected, caught up: no reads beyond the periodic sweep


def _prune_first_events(url: str, agent_id: int, up_to: int) -> None:
    async def prune(session):
        await session.execute(
            delete(outbox.OutboxEvent).where(
                outbox.OutboxEvent.stream_id == agent_id, outbox.OutboxEvent.seq <= up_to
            )
        )

    seed.run(url, prune)


def test_a_position_the_outbox_no_longer_holds_ends_the_stream_instead_of_spinning(live):
    agent = Agent(live.url, "agent101")
    agent.act("sign-in")
    for state in ("busy", "idle", "busy"):
        agent.act("ready-state", {"state": state})
    state = agent.state()
    _prune_first_events(live.settings.database_url, state["agent"]["id"], 2)
    with _open(live, agent, "?after=0") as ws:
        # The page is told to reload its state from this snapshot, and resumes at its head.
        first = json.loads(ws.recv(timeout=5))
        assert (first["kind"], first["reason"]) == ("reload", "events_pruned")
        assert first["head"] == state["head"]
        _assert_idle(live)
        agent.act("ready-state", {"state": "idle"})
        event = json.loads(ws.recv(timeout=5))
        assert (event["kind"], event["seq"]) == ("event", state["head"] + 1)
    with _open(live, agent) as ws:  # ... and without `after` it gets a snapshot
        assert json.loads(ws.recv(timeout=5))["kind"] == "snapshot"


# ------------------------------------------------------------------ slow consumers


class NeverReads:
    """A WebSocket client on a raw socket with a tiny receive window that, after the
    handshake, reads nothing until told to."""

    def __init__(self, server: LiveServer, agent: Agent, after: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", server.port))
        cookie = "; ".join(f"{k}={v}" for k, v in agent.http.cookies.items())
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /api/workbench/stream?after={after} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {server.url}\r\nCookie: {cookie}\r\n\r\n"
            ).encode()
        )
        self.data = b""
        while b"\r\n\r\n" not in self.data:
            self.data += self.sock.recv(1)  # byte by byte: not a frame more than the handshake
        assert self.data.startswith(b"HTTP/1.1 101"), self.data
        self.data = b""

    def read_all(self, timeout: float = 10) -> tuple[list[dict], int | None]:
        """Read until the server ends the connection: the text frames, and the close code
        (None when the socket was closed without a close frame)."""
        self.sock.settimeout(timeout)
        while chunk := self.sock.recv(65536):
            self.data += chunk
        self.sock.close()
        frames, code, data = [], None, self.data
        while len(data) >= 2:
            opcode, length, start = data[0] & 0x0F, data[1] & 0x7F, 2
            if length == 126:
                length, start = struct.unpack("!H", data[2:4])[0], 4
            elif length == 127:
                length, start = struct.unpack("!Q", data[2:10])[0], 10
            payload, data = data[start : start + length], data[start + length :]
            if opcode == 1:
                frames.append(json.loads(payload))
            elif opcode == 8:
                code = struct.unpack("!H", payload[:2])[0]
        return frames, code


async def _flood(db, agent_id: int, count: int, size: int) -> None:
    """Append `count` events of about `size` bytes to an agent's stream, the way actions do:
    in transactions whose events go on the bus after commit."""
    async with db.reader() as session:
        tenant_id = (await session.get(AgentRow, agent_id)).tenant_id
    for start in range(0, count, 20):
        async with db.transaction() as session:
            for i in range(start, min(start + 20, count)):
                await outbox.append_event(
                    session, tenant_id, agent_id, "Flood", {"i": i, "pad": "x" * size}
                )


def test_a_client_that_never_reads_is_dropped_with_bounded_memory_and_resumes(live):
    agent = Agent(live.url, "agent101")
    agent.act("sign-in")
    state = agent.state()
    agent_id, after = state["agent"]["id"], state["head"]
    hub = live.app.state.hub
    slow = NeverReads(live, agent, after)
    deadline = time.monotonic() + 10
    while hub.connection_count == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert hub.connection_count == 1

    backlogs = []
    # On the server's own loop, sampling the connection's backlog meanwhile.
    future = asyncio.run_coroutine_threadsafe(
        _flood(live.app.state.db, agent_id, 500, 20000), live.loop
    )
    while not future.done():
        backlogs.append(hub.backlog(agent_id))
        time.sleep(0.005)
    future.result()
    deadline = time.monotonic() + 10
    while hub.connection_count and time.monotonic() < deadline:
        backlogs.append(hub.backlog(agent_id))
        time.sleep(0.05)

    assert hub.connection_count == 0, "the slow consumer was never dropped"
    assert max(backlogs) <= live.settings.stream_max_backlog
    head = agent.state()["head"]
    assert head == after + 500

    # The client wakes up: it reads what was sent before the drop, then the connection ends.
    frames, code = slow.read_all()
    events = [f for f in frames if f["kind"] == "event"]
    assert code in (4408, None)
    got = [e["seq"] for e in events]
    assert got == list(range(after + 1, after + 1 + len(got)))
    assert len(got) < 500  # it really fell behind

    # It resumes by `after` from the outbox: exactly the rest, in order.
    last = got[-1] if got else after
    with _open(live, agent, f"?after={last}") as ws:
        rest = [json.loads(ws.recv(timeout=10))["seq"] for _ in range(head - last)]
    assert rest == list(range(last + 1, head + 1))
