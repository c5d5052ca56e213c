"""Timers are rows with a due time. Each process claims due ones; on PostgreSQL two workers
never claim the same row (FOR UPDATE SKIP LOCKED); SQLite has a single writer anyway."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.clock import Clock
from agentdesk.observability.metrics import TIMER_LAG
from agentdesk.storage.database import Database
from agentdesk.telephony.models import Timer

log = logging.getLogger(__name__)
TimerHandler = Callable[[AsyncSession, Timer, Clock], Awaitable[None]]
HANDLERS: dict[str, TimerHandler] = {}


def register_handler(kind: str, handler: TimerHandler) -> None:
    """What fires timers of `kind`. Called at start-up by whoever owns the kind; a kind
    registered again keeps the last handler."""
    HANDLERS[kind] = handler


def schedule(
    session: AsyncSession,
    *,
    tenant_id: int,
    kind: str,
    due_at: datetime,
    call_id: int | None = None,
    agent_id: int | None = None,
) -> None:
    session.add(
        Timer(tenant_id=tenant_id, kind=kind, due_at=due_at, call_id=call_id, agent_id=agent_id)
    )


async def cancel(
    session: AsyncSession, kind: str, *, call_id: int | None = None, agent_id: int | None = None
) -> None:
    stmt = delete(Timer).where(Timer.kind == kind)
    if call_id is not None:
        stmt = stmt.where(Timer.call_id == call_id)
    if agent_id is not None:
        stmt = stmt.where(Timer.agent_id == agent_id)
    await session.execute(stmt)


async def _claim_one(session: AsyncSession, now: datetime) -> Timer | None:
    stmt = (
        select(Timer)
        .where(Timer.due_at <= now)
        .order_by(Timer.due_at, Timer.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def run_due_timers(db: Database, clock: Clock, limit: int = 200) -> int:
    """Fire due timers, one transaction each; returns how many fired."""
    fired = 0
    while fired < limit:
        async with db.transaction() as session:
            timer = await _claim_one(session, clock.now())
            if timer is None:
                return fired
            await session.delete(timer)
            TIMER_LAG.observe(max(0.0, (clock.now() - timer.due_at).total_seconds()))
            handler = HANDLERS.get(timer.kind)
            if handler is None:
                log.error("no handler for timer kind %s; dropped", timer.kind)
            else:
                await handler(session, timer, clock)
        fired += 1
    return fired


async def next_due_in(db: Database, clock: Clock, cap: float) -> float:
    async with db.reader() as session:
        due = await session.scalar(select(Timer.due_at).order_by(Timer.due_at).limit(1))
    if due is None:
        return cap
    return max(0.0, min(cap, (due - clock.now()) / timedelta(seconds=1)))


async def run_timers_forever(db: Database, settings, clock_source: Callable[[], Clock]) -> None:
    """Fire due timers until cancelled. The clock is looked up each round so tests can swap it.
    Handlers are registered beforehand (`telephony.runner`)."""
    while True:
        clock = clock_source()
        try:
            await run_due_timers(db, clock)
            await asyncio.sleep(await next_due_in(db, clock, settings.timer_poll_seconds))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("timer loop failed; retrying")
            await asyncio.sleep(1)
