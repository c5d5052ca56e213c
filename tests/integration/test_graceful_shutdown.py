"""A stopping worker lets go: its claimed timer is fired by another worker at once, and its
workbench sockets are closed with 1012 (service restart) so clients reconnect elsewhere."""

import asyncio
import threading
import time
from datetime import timedelta

from sqlalchemy import func, select
from websockets.exceptions import ConnectionClosed

from agentdesk.kit.clock import Clock
from agentdesk.telephony.models import Timer
from agentdesk.telephony.timers import HANDLERS
from tests.support import databases, seed
from tests.support.agents import Agent, seed_demo, wait_for
from tests.support.server import LiveServer

KIND = "test_handover"


class SlowFirstHandler:
    """Hangs in the first worker that claims the timer; records the thread of any later one."""

    def __init__(self, stuck_thread: threading.Thread):
        self.stuck_thread = stuck_thread
        self.claimed_by_stuck = threading.Event()
        self.fired_in: list[int] = []

    async def __call__(self, session, timer, clock) -> None:
        if threading.get_ident() == self.stuck_thread.ident:
            self.claimed_by_stuck.set()
            await asyncio.sleep(120)  # e.g. a handler stuck on a lock: holds the row meanwhile
        self.fired_in.append(threading.get_ident())


def _due_timer(url: str) -> None:
    async def add(session):
        due = Clock().now() - timedelta(seconds=1)
        session.add(Timer(tenant_id=1, kind=KIND, due_at=due))

    seed.run(url, add)


def _timers_left(url: str) -> int:
    async def count(session):
        return await session.scalar(
            select(func.count()).select_from(Timer).where(Timer.kind == KIND)
        )

    return seed.run(url, count)


def test_a_stopping_worker_hands_over_its_claimed_timer_and_drains_its_sockets(
    pg_url, make_settings
):
    databases.truncate_all(pg_url)
    seed_demo(pg_url)
    first = LiveServer(make_settings(pg_url))
    handler = SlowFirstHandler(first._thread)
    HANDLERS[KIND] = handler
    try:
        first.start()
        agent = Agent(first.url, "agent101")
        agent.act("sign-in")
        stream = agent.stream()
        stream.next()
        _due_timer(pg_url)
        assert handler.claimed_by_stuck.wait(10)
        with LiveServer(make_settings(pg_url)) as second:
            time.sleep(0.5)
            assert handler.fired_in == []  # claimed (row-locked) by the first worker
            stopping = time.monotonic()
            first.stop()
            wait_for(lambda: handler.fired_in, timeout=5)
            handed_over_after = time.monotonic() - stopping
            assert handler.fired_in == [second._thread.ident]
            assert _timers_left(pg_url) == 0
            assert handed_over_after < 5
            # The workbench was told to go elsewhere, not left hanging.
            try:
                stream.ws.recv(timeout=5)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 1012
            else:
                raise AssertionError("the stopping worker kept the socket open")
            resumed = Agent(second.url, "agent101").stream()
            assert resumed.next()["kind"] == "snapshot"
            resumed.close()
    finally:
        HANDLERS.pop(KIND, None)
        first.stop()
