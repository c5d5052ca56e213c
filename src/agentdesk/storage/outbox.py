"""The event outbox: the replay log of everything a workbench is told.

Each stream (one per agent) has its own gap-free sequence. The counter row is updated inside
the caller's transaction, which also serialises concurrent writers to the same stream, so a
sequence number is never committed out of order: a reconnect with `last_seq` is exact.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin
from agentdesk.storage.database import PENDING_EVENTS


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


async def next_seq(session: AsyncSession, tenant_id: int, stream_id: int) -> int:
    insert = _upsert(session)
    stmt = (
        insert(EventStream)
        .values(stream_id=stream_id, tenant_id=tenant_id, last_seq=1)
        .on_conflict_do_update(
            index_elements=[EventStream.stream_id],
            set_={"last_seq": EventStream.last_seq + 1},
        )
        .returning(EventStream.last_seq)
    )
    return (await session.execute(stmt)).scalar_one()


async def append_event(
    session: AsyncSession, tenant_id: int, stream_id: int, type_: str, payload: dict
) -> dict:
    """Record an event for one stream in the current transaction; it is published after commit."""
    seq = await next_seq(session, tenant_id, stream_id)
    session.add(
        OutboxEvent(tenant_id=tenant_id, stream_id=stream_id, seq=seq, type=type_, payload=payload)
    )
    message = {"stream": stream_id, "seq": seq, "type": type_, "payload": payload}
    session.info.setdefault(PENDING_EVENTS, []).append(message)
    return message


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


async def prune_events_before(session: AsyncSession, cutoff: datetime) -> int:
    from sqlalchemy import delete

    result = await session.execute(delete(OutboxEvent).where(OutboxEvent.created_at < cutoff))
    return result.rowcount or 0
