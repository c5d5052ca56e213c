"""The outbox keeps events for `event_retention_hours` and no longer: pruned on schedule, in
batches, safely by several workers at once; a workbench further behind than the retention gets
a fresh state (`reload`) instead of a silent gap. On SQLite and PostgreSQL."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from agentdesk.config_center.agents.models import Agent as AgentRow
from agentdesk.kit.clock import Clock
from agentdesk.storage import outbox, retention
from agentdesk.storage.database import Database
from agentdesk.storage.outbox import OutboxEvent
from agentdesk.tenancy.models import SystemParameter
from agentdesk.tenancy.params import get_param
from tests.support import seed
from tests.support.agents import Agent, customer, place_call, seed_demo, wait_for
from tests.support.server import LiveServer

ALL_KINDS = ("event", "snapshot", "reload")


async def _retention(session) -> int:
    return await get_param(session, "event_retention_hours")


async def _append(db: Database, stream_id: int, count: int) -> None:
    async with db.transaction() as session:
        for number in range(count):
            await outbox.append_event(session, 1, stream_id, "Test", {"n": number})


async def _backdate(db: Database, hours: float, stream_id: int, up_to_seq: int) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.stream_id == stream_id, OutboxEvent.seq <= up_to_seq)
            .values(created_at=Clock().now() - timedelta(hours=hours))
        )


async def _kept(db: Database) -> list[tuple[int, int]]:
    async with db.reader() as session:
        rows = await session.execute(
            select(OutboxEvent.stream_id, OutboxEvent.seq).order_by(
                OutboxEvent.stream_id, OutboxEvent.seq
            )
        )
        return [tuple(row) for row in rows]


async def _set_retention(db: Database, hours: int) -> None:
    async with db.transaction() as session:
        session.add(SystemParameter(key="event_retention_hours", value=hours))


def test_prune_drops_only_events_past_the_retention_parameter_in_batches(database_url):
    async def scenario():
        db = Database(database_url)
        try:
            await _set_retention(db, 2)
            await _append(db, 7, 5)
            await _append(db, 8, 3)
            await _backdate(db, 3, stream_id=7, up_to_seq=4)  # past the 2 hours
            await _backdate(db, 1, stream_id=8, up_to_seq=3)  # within them
            deleted = await retention.prune_expired(db, _retention, Clock().now(), limit=3)
            assert deleted == 4  # two batches: 3, then 1
            assert await _kept(db) == [(7, 5), (8, 1), (8, 2), (8, 3)]
            async with db.reader() as session:
                assert await outbox.covers(session, 7, 4, head=5)
                assert not await outbox.covers(session, 7, 3, head=5)
                assert not await outbox.covers(session, 7, 0, head=5)
                assert await outbox.covers(session, 7, 5, head=5)
                assert await outbox.covers(session, 8, 0, head=3)
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_several_workers_pruning_at_once_delete_each_old_event_once(pg_url):
    """Several workers run on PostgreSQL (SQLite has one process): three engines, as three
    processes would have."""
    from tests.support import databases

    databases.truncate_all(pg_url)

    async def scenario():
        setup, one, two = Database(pg_url), Database(pg_url), Database(pg_url)
        try:
            await _append(setup, 7, 40)
            await _backdate(setup, 100, stream_id=7, up_to_seq=30)  # past the default 72 hours
            now = Clock().now()
            counts = await asyncio.gather(
                retention.prune_expired(one, _retention, now, limit=4),
                retention.prune_expired(two, _retention, now, limit=4),
            )
            assert sum(counts) == 30
            assert await _kept(setup) == [(7, seq) for seq in range(31, 41)]
        finally:
            for db in (setup, one, two):
                await db.dispose()

    asyncio.run(scenario())


@pytest.fixture
def pruning_server(database_url, make_settings):
    """The demo on a server that prunes every fraction of a second, retention one hour."""
    seed_demo(database_url)

    async def one_hour(session):
        session.add(SystemParameter(key="event_retention_hours", value=1))

    seed.run(database_url, one_hour)
    with LiveServer(make_settings(database_url, outbox_prune_seconds=0.1)) as live:
        yield live


def _stream_id(url: str, work_no: int) -> int:
    async def find(session):
        return await session.scalar(select(AgentRow.id).where(AgentRow.work_no == work_no))

    return seed.run(url, find)


def _oldest_seq(url: str, stream_id: int) -> int | None:
    async def find(session):
        return await session.scalar(
            select(func.min(OutboxEvent.seq)).where(OutboxEvent.stream_id == stream_id)
        )

    return seed.run(url, find)


def test_a_workbench_behind_the_retention_reloads_and_one_within_it_gets_the_exact_events(
    pruning_server,
):
    server, url = pruning_server, pruning_server.settings.database_url
    agent = Agent(server.url, "agent101")
    sim = customer(server.url, server.settings.sim_token)
    agent.act("sign-in")
    call = place_call(sim)
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    agent.act("ready-state", {"state": "idle"})
    head = agent.state()["head"]
    kept_from = head - 2
    assert kept_from > 2
    stream_id = _stream_id(url, 101)

    async def age(session):
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.stream_id == stream_id, OutboxEvent.seq < kept_from)
            .values(created_at=Clock().now() - timedelta(hours=2))
        )

    seed.run(url, age)
    wait_for(lambda: _oldest_seq(url, stream_id) == kept_from, timeout=10)

    # Its next event is gone: the whole state instead of a replay with a hole in it.
    behind = agent.stream(after=kept_from - 2)
    reload = behind.next(kinds=ALL_KINDS)
    assert reload["kind"] == "reload" and reload["reason"] == "events_pruned"
    assert reload["head"] == head and reload["presence"]["state"] == "idle"
    assert reload["agent"]["workNo"] == 101 and reload["call"] is None
    assert behind.drain() == []
    agent.act("ready-state", {"state": "busy"})  # and it goes on live from that head
    busy = behind.next(kinds=ALL_KINDS)
    assert busy["kind"] == "event" and busy["seq"] == head + 1
    behind.close()

    from_start = agent.stream(after=0)
    assert from_start.next(kinds=ALL_KINDS)["kind"] == "reload"
    from_start.close()

    # Still within the retention: exactly what it missed, no reload.
    within = agent.stream(after=kept_from - 1)
    replayed = [within.next(kinds=ALL_KINDS) for _ in range(head + 1 - (kept_from - 1))]
    assert [(m["kind"], m["seq"]) for m in replayed] == [
        ("event", seq) for seq in range(kept_from, head + 2)
    ]
    assert within.drain() == []
    within.close()
    sim.close()
