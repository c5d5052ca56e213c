"""Queries of the flow runtime. Locks are taken here (`FOR UPDATE`; a no-op on SQLite)."""

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.telephony.flows.models import CallPrompt, IvrRun, IvrStepAttempt


async def lock_run(session: AsyncSession, call_id: int) -> IvrRun | None:
    stmt = select(IvrRun).where(IvrRun.call_id == call_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_run(session: AsyncSession, call_id: int) -> IvrRun | None:
    run = await lock_run(session, call_id)
    return run if run is not None and run.active else None


async def lock_attempt(session: AsyncSession, attempt_id: int) -> IvrStepAttempt | None:
    stmt = select(IvrStepAttempt).where(IvrStepAttempt.id == attempt_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_due_attempt(session: AsyncSession, now: datetime) -> IvrStepAttempt | None:
    """An attempt nobody is working on: never started, answered but not yet applied, or
    claimed by a worker whose lease ran out before it made the call. On PostgreSQL two
    workers never take the same row (SKIP LOCKED)."""
    stmt = (
        select(IvrStepAttempt)
        .where(
            or_(
                IvrStepAttempt.status == "pending",
                IvrStepAttempt.status.in_(("calling", "answered"))
                & (IvrStepAttempt.lease_until.is_(None) | (IvrStepAttempt.lease_until < now)),
            )
        )
        .order_by(IvrStepAttempt.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def prompts_after(
    session: AsyncSession, call_id: int, after_id: int, limit: int = 200
) -> list[CallPrompt]:
    stmt = (
        select(CallPrompt)
        .where(CallPrompt.call_id == call_id, CallPrompt.id > after_id)
        .order_by(CallPrompt.id)
        .limit(limit)
    )
    return list(await session.scalars(stmt))
