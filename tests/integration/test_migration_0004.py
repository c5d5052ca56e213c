"""Revision 0004 carries every call, contact record and presence over into the contact model
and the per-family presence, on SQLite and PostgreSQL, and back on downgrade."""

import asyncio
import json
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.contacts.families import AUDIO_VIDEO
from agentdesk.contacts.models import AgentPresence
from agentdesk.migrations.migrate import alembic_config, upgrade
from agentdesk.storage.database import Database
from agentdesk.telephony import records
from tests.support import databases

T0 = datetime(2026, 11, 30, 9, 0, 0)
T1 = datetime(2026, 11, 30, 9, 5, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    base = databases.service_url("AGENTDESK_TEST_PG_URL")
    url = databases.create_pg_database(base)
    yield url
    databases.drop_pg_database(base, url)


CALLS = [
    # An ended inbound call (a contact record) and a call still in progress.
    {"id": 1, "callid": "c-ended", "state": "ended", "outcome": "completed", "agent_id": 7,
     "work_no": 101, "media": "audio", "direction": 0, "data": {"orderId": "A-17"},
     "answered_at": T0, "ended_at": T1},
    {"id": 2, "callid": "c-live", "state": "talking", "outcome": "", "agent_id": 8,
     "work_no": 102, "media": "video", "direction": 1, "data": {},
     "answered_at": T1, "ended_at": None},
]  # fmt: skip
PRESENCE = [
    {"agent_id": 7, "state": "acw", "call_id": None, "pending_state": "rest", "acw_until": T1},
    {"agent_id": 8, "state": "talking", "call_id": 2, "pending_state": "", "acw_until": None},
]


async def _seed_0003(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO tenants (id, code, name, licence_audio, licence_video,"
                " licence_multimedia, licence_allround, licence_intelligent)"
                " VALUES (1, 't1', 't1', 1, 1, 1, 1, 1)"
            )
        )
        for agent_id, work_no in ((7, 101), (8, 102)):
            await conn.execute(
                text(
                    "INSERT INTO agents (id, tenant_id, work_no, platform_role, agent_type,"
                    " phone, intelligent, single_phone, display_through, agent_weight,"
                    " auto_answer) VALUES (:id, 1, :w, 'normal', 'voice', '', false, false,"
                    " false, 1, false)"
                ),
                {"id": agent_id, "w": work_no},
            )
        for c in CALLS:
            await conn.execute(
                text(
                    "INSERT INTO calls (id, tenant_id, callid, channel, direction, media, caller,"
                    " called, access_code, extension, queue_name, agent_id, work_no, agent_name,"
                    " state, outcome, ended_by, attached_data, dtmf, transfers, created_at,"
                    " queued_at, offered_at, answered_at, ended_at) VALUES (:id, 1, :callid,"
                    " 'simulator', :direction, :media, '13800000001', '960358', '960358', '',"
                    " 'defaultVoiceSkill', :agent_id, :work_no, 'agent', :state, :outcome, '',"
                    " :data, '12#', 0, :t0, :t0, :t0, :answered_at, :ended_at)"
                ),
                {**c, "data": json.dumps(c["data"]), "t0": T0},
            )
        for p in PRESENCE:
            await conn.execute(
                text(
                    "INSERT INTO agent_presence (agent_id, tenant_id, state, state_since,"
                    " idle_since, call_id, acw_until, pending_state) VALUES (:agent_id, 1,"
                    " :state, :t0, :t0, :call_id, :acw_until, :pending_state)"
                ),
                {**p, "t0": T0},
            )
    await engine.dispose()


async def _read(url: str) -> tuple[list[dict], int, list[tuple]]:
    db = Database(url)
    try:
        async with db.reader() as session:
            found, total = await records.query_records(session, 1)
            presence = (
                await session.scalars(select(AgentPresence).order_by(AgentPresence.agent_id))
            ).all()
            return (
                [records.record_dict(c) | {"family": c.family} for c in found],
                total,
                [
                    (p.agent_id, p.family, p.state, p.call_id, p.pending_state, p.acw_until,
                     p.capacity, p.active)
                    for p in presence
                ],
            )  # fmt: skip
    finally:
        await db.dispose()


async def _raw_presence(url: str) -> list[tuple]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT agent_id, state, call_id, pending_state FROM agent_presence")
        )
        result = sorted(tuple(r) for r in rows)
    await engine.dispose()
    return result


def test_0004_carries_calls_records_and_presence_over(fresh_url):
    upgrade(fresh_url, "0003")
    asyncio.run(_seed_0003(fresh_url))
    upgrade(fresh_url, "head")
    contacts, total, presence = asyncio.run(_read(fresh_url))

    assert total == 2
    by_callid = {c["callid"]: c for c in contacts}
    ended, live = by_callid["c-ended"], by_callid["c-live"]
    assert ended["state"] == "ended" and ended["outcome"] == "completed"
    assert ended["attached_data"] == {"orderId": "A-17"} and ended["dtmf"] == "12#"
    assert ended["answered_at"] == T0 and ended["ended_at"] == T1 and ended["work_no"] == 101
    assert live["state"] == "talking" and live["media"] == "video" and live["direction"] == 1
    assert {c["family"] for c in contacts} == {AUDIO_VIDEO}

    # Each agent's presence is now their audio/video row, holding their call if any.
    assert presence == [
        (7, AUDIO_VIDEO, "acw", None, "rest", T1, 1, 0),
        (8, AUDIO_VIDEO, "talking", 2, "", None, 1, 1),
    ]

    command.downgrade(alembic_config(fresh_url), "0003")
    assert asyncio.run(_raw_presence(fresh_url)) == [
        (7, "acw", None, "rest"),
        (8, "talking", 2, ""),
    ]


def test_0004_a_second_family_row_per_agent_is_allowed(fresh_url):
    """The primary key is (agent, family): a multimedia row beside the audio/video one."""
    upgrade(fresh_url, "0003")
    asyncio.run(_seed_0003(fresh_url))
    upgrade(fresh_url, "head")

    async def add_multimedia_row():
        db = Database(fresh_url)
        try:
            async with db.transaction() as session:
                session.add(
                    AgentPresence(
                        agent_id=7, family="multimedia", tenant_id=1, state="idle",
                        state_since=T1, pending_state="", capacity=5, active=2,
                    )
                )  # fmt: skip
            async with db.reader() as session:
                rows = await session.scalars(
                    select(AgentPresence.family).where(AgentPresence.agent_id == 7)
                )
                return sorted(rows)
        finally:
            await db.dispose()

    assert asyncio.run(add_multimedia_row()) == [AUDIO_VIDEO, "multimedia"]


def test_0004_rows_written_the_0003_way_still_insert(fresh_url):
    """A host still on the previous release (rolling upgrade) writes calls and presence
    without the new columns: they get the audio/video defaults."""
    upgrade(fresh_url, "0003")
    asyncio.run(_seed_0003(fresh_url))
    upgrade(fresh_url, "head")

    async def write_and_read():
        engine = create_async_engine(fresh_url)
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM agent_presence WHERE agent_id = 7"))
            await conn.execute(
                text(
                    "INSERT INTO agent_presence (agent_id, tenant_id, state, state_since,"
                    " pending_state) VALUES (7, 1, 'signed_out', :t, '')"
                ),
                {"t": T1},
            )
            await conn.execute(
                text(
                    "INSERT INTO calls (id, tenant_id, callid, channel, direction, media, caller,"
                    " called, access_code, extension, queue_name, agent_name, state, outcome,"
                    " ended_by, attached_data, dtmf, transfers, created_at) VALUES (3, 1, 'c-old',"
                    " 'simulator', 0, 'audio', '13800000001', '960358', '960358', '', '', '',"
                    " 'queued', '', '', '{}', '', 0, :t)"
                ),
                {"t": T1},
            )
            presence = (
                await conn.execute(
                    text("SELECT family, capacity, active FROM agent_presence WHERE agent_id = 7")
                )
            ).one()
            family = await conn.scalar(text("SELECT family FROM calls WHERE id = 3"))
        await engine.dispose()
        return tuple(presence), family

    assert asyncio.run(write_and_read()) == ((AUDIO_VIDEO, 1, 0), AUDIO_VIDEO)
