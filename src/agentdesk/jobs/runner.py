"""The worker side: claim due jobs, run their handlers outside any transaction, record the
outcome (done, retried with back-off, failed, or the next round of a periodic kind).

Any number of processes run a `JobRunner` on the same database. A claim holds for the kind's
lease and is renewed while the handler runs; a worker that is killed stops renewing, and once
the lease has passed another worker claims the job again (its `attempt` then says so, and a
handler with outside effects uses the job's id or idempotency key not to repeat them).
"""

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from agentdesk.jobs import backoff, queue
from agentdesk.jobs.registry import JobContext, JobKind, JobRegistry
from agentdesk.storage.database import Database

log = logging.getLogger(__name__)
Now = Callable[[], datetime]


def _worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


class JobRunner:
    def __init__(
        self,
        db: Database,
        registry: JobRegistry,
        now: Now,
        *,
        poll_seconds: float = 0.5,
        concurrency: int = 2,
    ):
        self.db = db
        self.registry = registry
        self.now = now
        self.poll_seconds = poll_seconds
        self.worker = _worker_name()
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._loop: asyncio.Task | None = None
        self._running: set[asyncio.Task] = set()

    # -- life cycle (owned by create_app's lifespan)

    async def start(self) -> None:
        """Make sure every periodic kind has its row, then claim jobs until `stop`."""
        self.db.after_commit_info_hooks.append(self._on_commit)
        async with self.db.transaction() as session:
            for kind in self.registry.periodic():
                await queue.ensure_periodic(session, kind.name, self.now())
        self._loop = asyncio.create_task(self._claim_forever(), name="job-runner")

    async def stop(self) -> None:
        """Stop claiming; cancel running handlers, each job handed back for another worker."""
        with contextlib.suppress(ValueError):
            self.db.after_commit_info_hooks.remove(self._on_commit)
        tasks = [t for t in (self._loop, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def wake(self) -> None:
        """Look for due jobs now rather than at the next poll (a job was just committed)."""
        self._wake.set()

    def _on_commit(self, info: dict) -> None:
        if info.get(queue.JOBS_ENQUEUED):
            self.wake()

    # -- claiming

    async def run_once(self) -> int | None:
        """Claim one due job and run it to its end here; the id, or None when none was due."""
        job = await self._claim()
        if job is None:
            return None
        await self._run(job)
        return job.id

    async def _claim(self) -> queue.Claimed | None:
        token = f"{self.worker}:{secrets.token_hex(4)}"  # one per claim: a takeover is told
        async with self.db.transaction() as session:
            return await queue.claim(
                session, self.registry.names(), self.now(), token, self._lease_of
            )

    def _lease_of(self, kind: str) -> float:
        return self.registry.get(kind).lease_seconds

    async def _claim_forever(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                job = await self._claim()
            except asyncio.CancelledError:
                self._slots.release()
                raise
            except Exception:
                log.exception("claiming a job failed; trying again at the next poll")
                job = None
            if job is None:
                self._slots.release()
                await self._idle()
                continue
            task = asyncio.create_task(self._run_in_slot(job), name=f"job-{job.kind}-{job.id}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _idle(self) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def _run_in_slot(self, job: queue.Claimed) -> None:
        try:
            await self._run(job)
        finally:
            self._slots.release()
            self.wake()  # there may be more due

    # -- running one job

    async def _run(self, job: queue.Claimed) -> None:
        kind = self.registry.get(job.kind)
        context = JobContext(
            job.id, job.kind, job.payload, job.tenant_id, job.idempotency_key,
            job.attempts, self.db, self.now(),
        )  # fmt: skip
        renewal = asyncio.create_task(self._renew_forever(job, kind))
        try:
            await kind.handler(context)
        except asyncio.CancelledError:
            await asyncio.shield(self._record(queue.release, job))
            raise
        except Exception as exc:
            log.exception("job %s (%s) attempt %d failed", job.id, job.kind, job.attempts)
            await self._failed(job, kind, f"{type(exc).__name__}: {exc}")
        else:
            await self._succeeded(job, kind)
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal

    async def _renew_forever(self, job: queue.Claimed, kind: JobKind) -> None:
        every = kind.lease_seconds / 3
        while True:
            await asyncio.sleep(every)
            try:
                until = self.now() + timedelta(seconds=kind.lease_seconds)
                if not await self._record(queue.renew, job, until):
                    log.warning("job %s: lease lost to another worker", job.id)
                    return
            except Exception:
                log.exception("renewing the lease of job %s failed", job.id)

    async def _succeeded(self, job: queue.Claimed, kind: JobKind) -> None:
        now = self.now()
        if kind.every_seconds is None:
            kept = await self._record(queue.finish, job, now)
        else:
            due = now + timedelta(seconds=kind.every_seconds)
            kept = await self._record(queue.reschedule, job, due, error=None, reset=True)
        if not kept:
            log.warning("job %s finished after its lease was taken over", job.id)

    async def _failed(self, job: queue.Claimed, kind: JobKind, error: str) -> None:
        now = self.now()
        retry = backoff.next_try(now, job.attempts, kind.max_attempts, kind.retry_base_seconds)
        if retry is None and kind.every_seconds is not None:
            # A periodic kind never dies: after its retries it waits for its next round.
            due = now + timedelta(seconds=kind.every_seconds)
            await self._record(queue.reschedule, job, due, error=error, reset=True)
        elif retry is None:
            log.error("job %s (%s) failed for good after %d attempts", job.id, kind.name,
                      job.attempts)  # fmt: skip
            await self._record(queue.give_up, job, now, error)
        else:
            await self._record(queue.reschedule, job, retry, error=error, reset=False)

    async def _record(self, operation, job: queue.Claimed, *args, **kwargs) -> bool:
        async with self.db.transaction() as session:
            return await operation(session, job, *args, **kwargs)
