"""The event outbox: the replay log of everything a workbench is told.

Each stream (one per agent) has its own gap-free sequence. Events are collected during a
transaction and written just before its commit: one counter update per stream (which also
locks the stream's row until commit, so a sequence number is never committed out of order and
a reconnect with `last_seq` is exact) and one insert for all of them.

The log is kept for the retention (system parameter `event_retention_hours`): the periodic job
`outbox.prune` (storage/retention.py) deletes older events in small batches, on every worker at once if need be (the deletes are
idempotent and skip rows another worker is deleting). A cursor whose next event is gone is no
longer `covered`: the stream then hands the workbench a fresh snapshot instead of a gap.
"""

import logging
from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.kit.clock import Clock
from agentdesk.storage.base import Base, BigId, IdMixin

log = logging.getLogger(__name__)
PENDING_EVENTS = "agentdesk.pending_events"
PRUNE_BATCH = 1000


class EventStream(Base):
    __tablename__ = "event_streams"

    stream_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class OutboxEvent(IdMixin, Base):
    __tablename__ = "outbox_events"
    __table_args__ = (UniqueConstraint("stream_id", "seq"),)

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    stream_id: Mapped[int] = mapped_column(BigId)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)


def _upsert(session: AsyncSession):
    dialect = session.bind.dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def reserve_seqs(session: AsyncSession, tenant_id: int, stream_id: int, count: int) -> int:
    """Advance a stream's counter by `count`; returns the last reserved sequence number."""
    insert = _upsert(session)
    stmt = (
        insert(EventStream)
        .values(stream_id=stream_id, tenant_id=tenant_id, last_seq=count)
        .on_conflict_do_update(
            index_elements=[EventStream.stream_id],
            set_={"last_seq": EventStream.last_seq + count},
        )
        .returning(EventStream.last_seq)
    )
    return (await session.execute(stmt)).scalar_one()


async def append_event(
    session: AsyncSession, tenant_id: int, stream_id: int, type_: str, payload: dict
) -> None:
    """Record an event for one stream in the current transaction.

    It gets its sequence number when the transaction commits (`write_pending`) and is
    published after the commit."""
    pending = session.info.setdefault(PENDING_EVENTS, [])
    pending.append((tenant_id, stream_id, type_, payload))


async def write_pending(session: AsyncSession) -> list[dict]:
    """Number and store the transaction's events; returns them as bus messages, in order."""
    pending = session.info.pop(PENDING_EVENTS, [])
    if not pending:
        return []
    by_stream: dict[int, list[tuple]] = {}
    for event in pending:
        by_stream.setdefault(event[1], []).append(event)
    messages, rows = [], []
    # Stamped here in UTC, not by the database's now(): the prune cutoff is computed in UTC
    # too, whatever time zone the database session runs in.
    created_at = Clock().now()
    # Streams in a fixed order: two transactions never wait for each other's stream rows
    # the other way round (no deadlock on PostgreSQL).
    for stream_id in sorted(by_stream):
        events = by_stream[stream_id]
        last = await reserve_seqs(session, events[0][0], stream_id, len(events))
        for offset, (tenant_id, _, type_, payload) in enumerate(events):
            seq = last - len(events) + 1 + offset
            rows.append(
                {"tenant_id": tenant_id, "stream_id": stream_id, "seq": seq, "type": type_}
                | {"payload": payload, "created_at": created_at}
            )
            messages.append({"stream": stream_id, "seq": seq, "type": type_, "payload": payload})
    await session.execute(insert(OutboxEvent), rows)  # one executemany for all of them
    return messages


async def events_after(
    session: AsyncSession, stream_id: int, after_seq: int, limit: int = 500
) -> list[dict]:
    rows = await session.execute(
        select(OutboxEvent.seq, OutboxEvent.type, OutboxEvent.payload)
        .where(OutboxEvent.stream_id == stream_id, OutboxEvent.seq > after_seq)
        .order_by(OutboxEvent.seq)
        .limit(limit)
    )
    return [
        {"stream": stream_id, "seq": seq, "type": type_, "payload": payload}
        for seq, type_, payload in rows
    ]


async def stream_heads(session: AsyncSession, stream_ids: list[int]) -> dict[int, int]:
    if not stream_ids:
        return {}
    rows = await session.execute(
        select(EventStream.stream_id, EventStream.last_seq).where(
            EventStream.stream_id.in_(stream_ids)
        )
    )
    return dict(rows.all())


async def stream_head(session: AsyncSession, stream_id: int) -> int:
    return (await stream_heads(session, [stream_id])).get(stream_id, 0)


async def covers(session: AsyncSession, stream_id: int, after_seq: int, head: int) -> bool:
    """Whether the outbox can still replay everything after `after_seq` up to `head`.

    Events are pruned oldest first and sequences have no gaps, so the cursor is covered when
    nothing follows it or the event right after it is still stored."""
    if after_seq >= head:
        return True
    found = await session.scalar(
        select(OutboxEvent.id).where(
            OutboxEvent.stream_id == stream_id, OutboxEvent.seq == after_seq + 1
        )
    )
    return found is not None


async def prune_events_before(
    session: AsyncSession, cutoff: datetime, limit: int = PRUNE_BATCH
) -> int:
    """Delete up to `limit` events created before `cutoff`; returns how many went.

    Rows another worker is deleting are skipped (PostgreSQL SKIP LOCKED), so several workers
    pruning at once neither wait for nor trip over each other."""
    ids = (
        await session.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.created_at < cutoff)
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not ids:
        return 0
    await session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))
    return len(ids)
