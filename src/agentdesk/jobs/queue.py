"""The job table's operations: enqueue (in the caller's transaction), claim, renew, finish.

Claims take the oldest due job that nobody holds: a queued one, or a running one whose lease
has run out (its worker stopped). On PostgreSQL `FOR UPDATE SKIP LOCKED` lets any number of
workers claim at once without ever taking the same row; SQLite has a single writer anyway.
Every update after the claim is conditional on the claim token, so a worker that lost its
lease (it was too slow, another took over) can no longer overwrite what the new one does.
"""

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.jobs.models import ACTIVE, DONE, FAILED, QUEUED, RUNNING, Job

JOBS_ENQUEUED = "agentdesk.jobs_enqueued"  # session.info flag: wake the runner after commit
ERROR_CHARS = 2000


@dataclass(frozen=True)
class Claimed:
    """A claimed job, detached from any session (the handler runs outside transactions)."""

    id: int
    kind: str
    payload: dict
    tenant_id: int | None
    idempotency_key: str | None
    attempts: int
    token: str


def _insert(session: AsyncSession):
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict | None = None,
    *,
    now: datetime,
    delay_seconds: float = 0.0,
    tenant_id: int | None = None,
    idempotency_key: str | None = None,
    runs_on: str | None = None,
) -> int | None:
    """Add a job to the caller's transaction; it exists iff that transaction commits.

    `runs_on`: a host name (`this_host()`) when only that host's workers can do the work.

    With an `idempotency_key`, a job that already has that key (whatever its state) stays
    the only one: returns None instead of the new id."""
    values = {
        "kind": kind,
        "payload": payload or {},
        "tenant_id": tenant_id,
        "idempotency_key": idempotency_key,
        "runs_on": runs_on,
        "status": QUEUED,
        "due_at": now + timedelta(seconds=delay_seconds),
        "attempts": 0,
        "created_at": now,
    }
    stmt = _insert(session)(Job).values(**values).returning(Job.id)
    if idempotency_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[Job.idempotency_key])
    job_id = (await session.execute(stmt)).scalar_one_or_none()
    if job_id is not None:
        session.info[JOBS_ENQUEUED] = True
    return job_id


def this_host() -> str:
    return socket.gethostname()[:64]


async def claim(
    session: AsyncSession, kinds: list[str], now: datetime, token: str, lease_of
) -> Claimed | None:
    """Claim the oldest due job of one of `kinds` nobody holds and this host may run;
    `lease_of(kind)` is seconds."""
    if not kinds:
        return None
    stmt = (
        select(Job)
        .where(
            Job.kind.in_(kinds),
            Job.status.in_(ACTIVE),
            Job.due_at <= now,
            or_(Job.claimed_until.is_(None), Job.claimed_until < now),
            or_(Job.runs_on.is_(None), Job.runs_on == this_host()),
        )
        .order_by(Job.due_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = (await session.scalars(stmt)).first()
    if job is None:
        return None
    job.status, job.claimed_by, job.attempts = RUNNING, token, job.attempts + 1
    job.claimed_until = now + timedelta(seconds=lease_of(job.kind))
    return Claimed(
        job.id, job.kind, dict(job.payload or {}), job.tenant_id, job.idempotency_key,
        job.attempts, token,
    )  # fmt: skip


def _held(job: Claimed):
    return update(Job).where(Job.id == job.id, Job.claimed_by == job.token, Job.status == RUNNING)


async def renew(session: AsyncSession, job: Claimed, until: datetime) -> bool:
    """Extend the lease; False when the job is no longer ours."""
    result = await session.execute(_held(job).values(claimed_until=until))
    return result.rowcount == 1


async def finish(session: AsyncSession, job: Claimed, now: datetime) -> bool:
    values = {"status": DONE, "finished_at": now, "claimed_by": None, "claimed_until": None}
    return (await session.execute(_held(job).values(**values))).rowcount == 1


async def reschedule(
    session: AsyncSession, job: Claimed, due_at: datetime, *, error: str | None, reset: bool
) -> bool:
    """Queue the job again at `due_at` (a retry, or a periodic job's next round when `reset`,
    which also starts its attempt count afresh)."""
    values = {"status": QUEUED, "due_at": due_at, "claimed_by": None, "claimed_until": None}
    values["last_error"] = error[:ERROR_CHARS] if error else None
    if reset:
        values["attempts"] = 0
    return (await session.execute(_held(job).values(**values))).rowcount == 1


async def give_up(session: AsyncSession, job: Claimed, now: datetime, error: str) -> bool:
    values = {"status": FAILED, "finished_at": now, "last_error": error[:ERROR_CHARS]}
    values |= {"claimed_by": None, "claimed_until": None}
    return (await session.execute(_held(job).values(**values))).rowcount == 1


async def release(session: AsyncSession, job: Claimed) -> bool:
    """Hand a job back untried (this worker is stopping): due at once, the attempt not
    counted, so another worker takes it without waiting for the lease."""
    values = {"status": QUEUED, "claimed_by": None, "claimed_until": None}
    values["attempts"] = Job.attempts - 1
    return (await session.execute(_held(job).values(**values))).rowcount == 1


async def get(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id)


def periodic_key(kind: str) -> str:
    return f"periodic:{kind}"


async def ensure_periodic(session: AsyncSession, kind: str, now: datetime) -> None:
    """The one row of a periodic kind, due at once when new (every worker may call this)."""
    await enqueue(session, kind, now=now, idempotency_key=periodic_key(kind))
