"""The job runner on SQLite and PostgreSQL: a job exists iff its transaction commits, an
idempotency key enqueues once, retries back off on an injected clock, a killed worker's job is
finished by another after the lease, two application instances never run a job twice, and the
periodic outbox pruning honours `event_retention_hours`."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from agentdesk.app import OUTBOX_PRUNE_KIND, _outbox_prune_kind, create_app
from agentdesk.jobs import backoff, queue
from agentdesk.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job
from agentdesk.jobs.registry import JobKind, JobRegistry
from agentdesk.jobs.runner import JobRunner
from agentdesk.kit.clock import Clock, FakeClock
from agentdesk.storage import outbox
from agentdesk.storage.database import Database
from agentdesk.storage.outbox import OutboxEvent
from agentdesk.tenancy.models import SystemParameter

KIND = "test.effect"


async def _enqueue(db: Database, now, count=1, kind=KIND, **kwargs) -> list[int | None]:
    async with db.transaction() as session:
        return [
            await queue.enqueue(session, kind, {"n": n}, now=now, **kwargs) for n in range(count)
        ]


async def _job(db: Database, job_id: int) -> Job:
    async with db.reader() as session:
        return await session.get(Job, job_id)


async def _count(db: Database, kind: str = KIND) -> int:
    async with db.reader() as session:
        return await session.scalar(select(func.count()).select_from(Job).where(Job.kind == kind))


def _run(database_url, scenario):
    async def wrapped():
        db = Database(database_url)
        try:
            await scenario(db)
        finally:
            await db.dispose()

    asyncio.run(wrapped())


def test_a_job_exists_iff_its_transaction_commits(database_url):
    async def scenario(db):
        now = Clock().now()
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                await queue.enqueue(session, KIND, {"n": 1}, now=now)
                raise RuntimeError("the caller's transaction fails")
        assert await _count(db) == 0
        (job_id,) = await _enqueue(db, now)
        job = await _job(db, job_id)
        assert (job.status, job.attempts, job.payload) == (QUEUED, 0, {"n": 0})

    _run(database_url, scenario)


def test_a_job_with_an_idempotency_key_is_enqueued_once(database_url):
    async def scenario(db):
        now = Clock().now()
        first = await _enqueue(db, now, idempotency_key="deliver:42")
        again = await _enqueue(db, now, idempotency_key="deliver:42")
        other = await _enqueue(db, now, idempotency_key="deliver:43")
        assert first[0] is not None and again == [None] and other[0] not in (None, first[0])
        assert await _count(db) == 2

    _run(database_url, scenario)


def test_retries_back_off_on_the_injected_clock_then_succeed_or_fail_for_good(database_url):
    clock = FakeClock()
    calls = []

    async def flaky(job):
        calls.append((job.job_id, job.attempt, job.now))
        if job.payload["n"] == 0 and job.attempt < 3:
            raise ValueError(f"provider said no ({job.attempt})")
        if job.payload["n"] == 1:
            raise ValueError("always refused")

    kind = JobKind(KIND, flaky, max_attempts=3, retry_base_seconds=10)

    async def scenario(db):
        runner = JobRunner(db, JobRegistry([kind]), clock.now)
        ok, doomed = await _enqueue(db, clock.now(), count=2)
        assert {await runner.run_once(), await runner.run_once()} == {ok, doomed}
        assert await runner.run_once() is None  # both wait for their back-off
        job = await _job(db, ok)
        assert (job.status, job.attempts, job.last_error) == (
            QUEUED,
            1,
            "ValueError: provider said no (1)",
        )
        assert job.due_at == clock.now() + timedelta(seconds=10)
        clock.advance(9)
        assert await runner.run_once() is None
        clock.advance(1)
        assert {await runner.run_once(), await runner.run_once()} == {ok, doomed}
        assert (await _job(db, ok)).due_at == clock.now() + timedelta(seconds=20)  # doubled
        clock.advance(20)
        assert {await runner.run_once(), await runner.run_once()} == {ok, doomed}
        done, failed = await _job(db, ok), await _job(db, doomed)
        assert (done.status, done.attempts, done.finished_at) == (DONE, 3, clock.now())
        assert (failed.status, failed.attempts) == (FAILED, 3)
        assert failed.last_error == "ValueError: always refused"
        clock.advance(3600)
        assert await runner.run_once() is None  # nothing runs again
        assert [attempt for job_id, attempt, _ in calls if job_id == ok] == [1, 2, 3]

    _run(database_url, scenario)


def test_back_off_doubles_up_to_a_cap():
    assert [backoff.retry_delay(n, base=5, cap=60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    now = FakeClock().now()
    assert backoff.next_try(now, 2, 3, base=5) == now + timedelta(seconds=10)
    assert backoff.next_try(now, 3, 3) is None


def test_a_claimed_job_is_taken_over_after_its_lease_and_its_effect_runs_once(database_url):
    clock = FakeClock()
    effects = []

    async def effect(job):
        effects.append((job.job_id, job.attempt, job.idempotency_key))

    kind = JobKind(KIND, effect, lease_seconds=30)

    async def scenario(db):
        first = JobRunner(db, JobRegistry([kind]), clock.now)
        second = JobRunner(db, JobRegistry([kind]), clock.now)
        (job_id,) = await _enqueue(db, clock.now(), idempotency_key="send:1")
        claimed = await first._claim()  # the first worker claims it and is killed
        assert claimed.id == job_id and (await _job(db, job_id)).status == RUNNING
        assert await second.run_once() is None  # held by the lease
        clock.advance(29)
        assert await second.run_once() is None
        clock.advance(2)
        assert await second.run_once() == job_id
        assert effects == [(job_id, 2, "send:1")]  # once, and the handler is told it is a retry
        job = await _job(db, job_id)
        assert (job.status, job.attempts, job.claimed_by) == (DONE, 2, None)
        async with db.transaction() as session:  # the first worker's late word changes nothing
            assert not await queue.finish(session, claimed, clock.now())
            assert not await queue.reschedule(session, claimed, clock.now(), error="x", reset=False)
        assert (await _job(db, job_id)).status == DONE

    _run(database_url, scenario)


# ---- a worker process killed mid-job ------------------------------------------------------


def _child_main(database_url: str, log_path: str) -> None:
    """A worker that claims the job, notes it started, and hangs until it is killed."""

    async def hang(job):
        with open(log_path, "a") as log:
            log.write(f"started {job.job_id} attempt {job.attempt}\n")
        await asyncio.sleep(3600)

    async def main():
        db = Database(database_url)
        runner = JobRunner(db, JobRegistry([JobKind(KIND, hang, lease_seconds=1.5)]), Clock().now)
        await runner.run_once()

    asyncio.run(main())


def test_a_worker_killed_mid_job_leaves_it_to_another_after_the_lease(database_url, tmp_path):
    log_path = tmp_path / "effects.log"

    async def finish(job):
        with open(log_path, "a") as log:
            log.write(f"done {job.job_id} attempt {job.attempt}\n")

    async def scenario(db):
        (job_id,) = await _enqueue(db, Clock().now())
        root = Path(__file__).resolve().parents[2]
        code = "import sys; from tests.integration.test_jobs import _child_main; _child_main(*sys.argv[1:])"
        env = {**os.environ, "PYTHONPATH": f"{root / 'src'}:{root}"}
        child = subprocess.Popen([sys.executable, "-c", code, database_url, str(log_path)], env=env)
        try:
            deadline = time.monotonic() + 20
            while not (log_path.exists() and log_path.read_text()):
                assert time.monotonic() < deadline and child.poll() is None
                await asyncio.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        runner = JobRunner(db, JobRegistry([JobKind(KIND, finish, lease_seconds=1.5)]), Clock().now)
        # (that the lease holds until it runs out is timed on a fake clock above; here the
        # real one runs, and a loaded machine may pass 1.5 s before this line)
        assert (await _job(db, job_id)).status == RUNNING  # as the killed worker left it
        deadline = time.monotonic() + 10
        while (ran := await runner.run_once()) is None:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        assert ran == job_id
        assert log_path.read_text().splitlines() == [
            f"started {job_id} attempt 1",
            f"done {job_id} attempt 2",
        ]
        assert (await _job(db, job_id)).status == DONE

    _run(database_url, scenario)


# ---- two application instances on PostgreSQL ------------------------------------------------


def test_two_app_instances_never_run_the_same_job(pg_url, make_settings):
    from tests.support import databases

    databases.truncate_all(pg_url)
    ran: list[tuple[str, int]] = []

    def counting(name):
        async def record(job):
            ran.append((name, job.job_id))
            await asyncio.sleep(0.02)

        return JobKind(KIND, record)

    async def scenario():
        settings = make_settings(pg_url, run_background_tasks=False, job_poll_seconds=0.05)
        apps = [create_app(settings, job_kinds=[counting(name)]) for name in ("a", "b")]
        first, second = (app.router.lifespan_context(app) for app in apps)
        async with first, second:
            db = apps[0].state.db
            ids = await _enqueue(db, Clock().now(), count=40)
            deadline = time.monotonic() + 30
            while len(ran) < 40:
                assert time.monotonic() < deadline, ran
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # a double run would show now
            async with db.reader() as session:
                states = set(await session.scalars(select(Job.status).where(Job.kind == KIND)))
        assert sorted(job_id for _, job_id in ran) == sorted(ids)  # each exactly once
        assert {name for name, _ in ran} == {"a", "b"}  # both instances claimed some
        assert states == {DONE}

    asyncio.run(scenario())


# ---- outbox pruning as a periodic job --------------------------------------------------------


def test_outbox_pruning_is_one_periodic_job_that_honours_the_retention(database_url, make_settings):
    clock = FakeClock(Clock().now())
    settings = make_settings(database_url, outbox_prune_seconds=600)

    async def scenario(db):
        async with db.transaction() as session:
            session.add(SystemParameter(key="event_retention_hours", value=2))
            for n in range(3):
                await outbox.append_event(session, 1, 5, "Test", {"n": n})
        async with db.transaction() as session:
            old = clock.now() - timedelta(hours=3)
            await session.execute(
                update(OutboxEvent).where(OutboxEvent.seq <= 2).values(created_at=old)
            )
            recent = clock.now() - timedelta(hours=1)
            await session.execute(
                update(OutboxEvent).where(OutboxEvent.seq == 3).values(created_at=recent)
            )
        registry = JobRegistry([_outbox_prune_kind(settings)])
        workers = [JobRunner(db, registry, clock.now) for _ in range(2)]
        for _ in workers:  # every worker makes sure the row exists at start: still one
            async with db.transaction() as session:
                await queue.ensure_periodic(session, OUTBOX_PRUNE_KIND, clock.now())
        assert await _count(db, OUTBOX_PRUNE_KIND) == 1
        assert await workers[0].run_once() is not None
        assert await workers[1].run_once() is None  # one run per round
        async with db.reader() as session:
            kept = list(await session.scalars(select(OutboxEvent.seq)))
            job = (await session.scalars(select(Job).where(Job.kind == OUTBOX_PRUNE_KIND))).one()
        assert kept == [3]  # older than the 2 hours went, the one within them stayed
        assert (job.status, job.due_at) == (QUEUED, clock.now() + timedelta(seconds=600))
        async with db.transaction() as session:
            await session.execute(
                update(SystemParameter)
                .where(SystemParameter.key == "event_retention_hours")
                .values(value=1)
            )
        clock.advance(600)
        assert await workers[1].run_once() == job.id  # the next round, read afresh
        async with db.reader() as session:
            assert list(await session.scalars(select(OutboxEvent.seq))) == []

    _run(database_url, scenario)


def test_a_job_for_one_host_is_claimed_only_by_that_hosts_workers(database_url):
    ran = []

    async def record(job):
        ran.append(job.job_id)

    async def scenario(db):
        now = Clock().now()
        runner = JobRunner(db, JobRegistry([JobKind(KIND, record)]), Clock().now)
        (elsewhere,) = await _enqueue(db, now, runs_on="another-host")
        (here,) = await _enqueue(db, now, runs_on=queue.this_host())
        assert await runner.run_once() == here
        assert await runner.run_once() is None
        assert ran == [here] and (await _job(db, elsewhere)).status == QUEUED

    _run(database_url, scenario)
