"""Background CSV imports into base tables [导入数据], all or nothing.

The upload is checked at the edge (name, size, encoding, control characters, header), kept
in a private temporary file, a job row is committed as "queued" and an asyncio task runs it.

The task reads the file once, 500 records at a time: it validates the chunk column by
column, encrypts it and streams it into the table (COPY on PostgreSQL, executemany on
SQLite) — all inside ONE database transaction, which also marks the job "done". The unique
(tenant_id, table_id, index_key) index catches a repeated index value, within the file or
already stored. A refused record or such a violation stops the writing and rolls the
transaction back: the table is exactly as it was. The job then reads the file a second time,
with line numbers, to list every problem (the first 1000: line, field, reason) and is
stored as "failed". Any refused row fails the whole import.

Progress lives in memory for this process and, on PostgreSQL, also in the job row (short
transactions beside the import's, which double as a heartbeat). On SQLite the import holds
the single write lock for its duration (about a second for 20 MB), so the job row is only
written at the start and the end. A job still "queued"/"running" that no live task owns —
its process stopped — is shown as failed ("interrupted"), and stored so by the next import
of its table: its transaction never committed, so nothing of it was written.

A job's `worker` is `host:pid:token`. A process that crashed cannot say it stopped, so:
at start-up every process stores as failed the active jobs of dead workers of its host (no
such pid, or its own pid under another token: a restarted container), with the reason; and
a new import treats such a job as dead at once. Jobs of workers on other hosts are dead once
their lease runs out (no heartbeat for STALE_AFTER; on SQLite there is one host).
"""

import asyncio
import logging
import os
import secrets
import socket
import time
from datetime import timedelta
from itertools import repeat

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.basetables import csvfile, repository
from agentdesk.config_center.basetables.models import (
    JOB_ACTIVE,
    JOB_DONE,
    JOB_FAILED,
    JOB_QUEUED,
    JOB_RUNNING,
    PUBLISHED,
    BaseTable,
    ImportJob,
)
from agentdesk.config_center.basetables.repository import (
    JobRepository,
    RowRepository,
    TableRepository,
)
from agentdesk.config_center.basetables.rowcodec import Rejection, RowCodec
from agentdesk.config_center.basetables.service import (
    codec_for,
    require_published,
)
from agentdesk.config_center.basetables.upload import Findings, Upload
from agentdesk.kit.clock import Clock
from agentdesk.kit.crypto import KeyRing
from agentdesk.kit.errors import Conflict
from agentdesk.storage.database import Database

log = logging.getLogger(__name__)

CHUNK_ROWS = 500
PROGRESS_SECONDS = 0.5
STALE_AFTER = timedelta(seconds=20)
INTERRUPTED = "interrupted: the server stopped during the import; nothing was written"
DEAD_WORKER = "interrupted: the worker {worker} that ran the import stopped; nothing was written"
# error_code of a failed job, for the UI to explain in the user's language
ROWS, STOPPED, NO_ROWS, TABLE_GONE, TABLE_CHANGED, INTERNAL = (
    "rows_refused",
    "interrupted",
    "no_rows",
    "table_deleted",
    "table_changed",
    "internal",
)


class _Refused(Exception):
    """The import found problems: roll back and report them."""

    def __init__(
        self, findings: Findings | None = None, error: str | None = None, code: str = ROWS
    ):
        super().__init__(error or "rows refused")
        self.findings = findings
        self.error = error
        self.code = code


class _NeedsReport(Exception):
    """Rows were refused, or an index value repeats (a unique-index violation)."""

    def __init__(self, codec: RowCodec):
        super().__init__("rows refused")
        self.codec = codec


def _unique_violation(exc: BaseException) -> bool:
    import sqlite3

    from asyncpg.exceptions import UniqueViolationError

    return isinstance(exc, (UniqueViolationError, sqlite3.IntegrityError))


# ---- workers -------------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _host() -> str:
    return socket.gethostname()[:30]


def worker_is_dead(worker: str, own: str) -> bool:
    """A worker of this host that is certainly gone (see the module docstring)."""
    host, _, rest = worker.partition(":")
    pid, _, token = rest.partition(":")
    if host != _host() or not pid.isdigit() or worker == own:
        return False
    if int(pid) == os.getpid():
        return True  # this pid, another token: the process before this one
    return not pid_alive(int(pid))


# ---- the runner ----------------------------------------------------------------------------


class ImportRunner:
    """Runs this process's imports and knows which jobs are alive here."""

    def __init__(self, db: Database, keys: KeyRing, clock: Clock):
        self.db = db
        self.keys = keys
        self.clock = clock
        self.worker = f"{_host()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.tasks: dict[int, asyncio.Task] = {}
        self.reserved: set[int] = set()  # created, not committed or started yet
        self.progress: dict[int, dict] = {}

    # -- jobs as users see them

    def is_live(self, job: ImportJob) -> bool:
        return job.id in self.tasks or job.id in self.reserved

    def is_orphan(self, job: ImportJob) -> bool:
        """An active job no task runs: this process lost it, or its process went silent."""
        if job.status not in JOB_ACTIVE or self.is_live(job):
            return False
        if job.worker == self.worker or worker_is_dead(job.worker, self.worker):
            return True
        return job.heartbeat_at is None or job.heartbeat_at < self.clock.now() - STALE_AFTER

    async def fail_dead_jobs(self) -> int:
        """At start-up: store the active jobs of dead workers of this host as failed, with
        the reason, so the next import of their table is accepted at once."""
        async with self.db.transaction() as session:
            jobs = await repository.active_jobs(session)
            dead = [j for j in jobs if worker_is_dead(j.worker, self.worker)]
            for job in dead:
                job.status, job.error_code = JOB_FAILED, STOPPED
                job.error = DEAD_WORKER.format(worker=job.worker)
                job.finished_at = self.clock.now()
        for job in dead:
            log.warning("import %s failed: its worker %s stopped", job.id, job.worker)
        return len(dead)

    def view(self, job: ImportJob) -> dict:
        """The job's fields with this process's fresher progress, and orphans failed."""
        values = {c: getattr(job, c) for c in _JOB_FIELDS}
        if self.is_orphan(job):
            values.update(status=JOB_FAILED, error=INTERRUPTED, error_code=STOPPED)
        elif self.is_live(job):
            values.update(self.progress.get(job.id, {}))
        return values

    async def create_job(
        self, session: AsyncSession, tenant_id: int, table: BaseTable, upload: Upload, user_id
    ) -> ImportJob:
        """Record a queued job (the edge commits it, then calls `start`)."""
        require_published(table)
        jobs = JobRepository(session, tenant_id)
        for job in await jobs.active_for(table.id):
            if not self.is_orphan(job):
                raise Conflict(
                    f"an import into {table.name} is still running (job {job.id})",
                    code="import_running",
                )
            job.status, job.error, job.error_code = JOB_FAILED, INTERRUPTED, STOPPED
            job.finished_at = self.clock.now()
        job = jobs.add(
            ImportJob(
                table_id=table.id,
                table_version=table.version,
                file_name=upload.file_name,
                file_size=upload.size,
                encoding="gb18030" if upload.encoding == csvfile.GB18030 else "utf-8",
                mode=upload.mode,
                status=JOB_QUEUED,
                worker=self.worker,
                heartbeat_at=self.clock.now(),
                created_by=user_id,
                rejected=[],
            )
        )
        await session.flush()
        self.reserved.add(job.id)
        return job

    def release(self, job: ImportJob) -> None:
        """Forget a job whose creating transaction failed."""
        self.reserved.discard(job.id)

    def start(self, job: ImportJob, upload: Upload) -> asyncio.Task:
        """Run a committed job in the background; it deletes the upload when finished."""
        self.reserved.discard(job.id)
        self.progress[job.id] = {"status": JOB_QUEUED}
        task = asyncio.create_task(
            self._run(job.id, job.tenant_id, job.table_id, job.table_version, upload),
            name=f"base-table-import-{job.id}",
        )
        self.tasks[job.id] = task
        return task

    async def stop(self) -> None:
        """Cancel the running imports and wait until each has rolled back and said so."""
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- running one job

    async def _run(
        self, job_id: int, tenant_id: int, table_id: int, version: int, upload: Upload
    ) -> None:
        try:
            await self._set(job_id, status=JOB_RUNNING, heartbeat_at=self.clock.now())
            self.progress[job_id] = {"status": JOB_RUNNING, "progress": 0}
            await self._import(job_id, tenant_id, table_id, version, upload)
        except _Refused as refused:
            await self._fail(job_id, refused)
        except asyncio.CancelledError:
            stopped = self._finish(job_id, status=JOB_FAILED, error=INTERRUPTED, error_code=STOPPED)
            await asyncio.shield(stopped)
            raise
        except Exception as exc:
            log.exception("import %s failed", job_id)
            await self._finish(
                job_id, status=JOB_FAILED, error=f"internal error: {exc}", error_code=INTERNAL
            )
        finally:
            upload.discard()
            self.tasks.pop(job_id, None)
            self.progress.pop(job_id, None)

    async def _import(
        self, job_id: int, tenant_id: int, table_id: int, version: int, upload: Upload
    ) -> None:
        try:
            await self._write(job_id, tenant_id, table_id, version, upload)
        except _NeedsReport as failed:
            raise _Refused(await self._report_rows(failed.codec, upload)) from failed
        if not self.db.is_sqlite:
            async with self.db.transaction() as session:
                await repository.refresh_statistics(session)

    async def _write(
        self, job_id: int, tenant_id: int, table_id: int, version: int, upload: Upload
    ) -> None:
        """The one transaction: rows and the job's "done" commit together, or nothing does."""
        findings = Findings()
        async with self.db.transaction() as session:
            table = await self._locked_table(session, tenant_id, table_id, version)
            codec = codec_for(table, self.keys)
            rows = RowRepository(session, tenant_id, table_id)
            if upload.mode == "replace":
                await rows.delete_all()
            chunks = self._rows(job_id, codec, upload, findings, tenant_id, table_id)
            try:
                written = await repository.insert_rows(session, not self.db.is_sqlite, chunks)
            except Exception as exc:
                if not _unique_violation(exc):
                    raise
                raise _NeedsReport(codec) from exc  # an index value repeats
            if findings.failed:
                raise _NeedsReport(codec)
            if findings.total == 0:
                raise _Refused(error="the file has no data rows", code=NO_ROWS)
            table.row_count = written if upload.mode == "replace" else table.row_count + written
            now = self.clock.now()
            await repository.update_job(
                session,
                job_id,
                status=JOB_DONE,
                progress=100,
                processed_rows=findings.total,
                total_rows=findings.total,
                imported_rows=written,
                heartbeat_at=now,
                finished_at=now,
            )

    async def _locked_table(
        self, session: AsyncSession, tenant_id: int, table_id: int, version: int
    ) -> BaseTable:
        table = await TableRepository(session, tenant_id).lock_for_import(table_id)
        if table is None:
            raise _Refused(error="the table was deleted", code=TABLE_GONE)
        if table.status != PUBLISHED or table.version != version:
            raise _Refused(
                error="the table's fields changed after the upload; import again",
                code=TABLE_CHANGED,
            )
        return table

    async def _rows(self, job_id, codec: RowCodec, upload: Upload, findings, tenant_id, table_id):
        """Chunks of row tuples to write, until a record is refused.

        Duplicate index values are left to the unique index: one within the file or one
        already stored stops the writing with a violation. Either way `_report_rows` then
        reads the file again to name every refused line."""
        last_report = time.monotonic()
        for records, read in csvfile.fast_chunks(upload.source, upload.encoding, CHUNK_ROWS):
            columns = codec.valid_columns(records)
            if columns is None:
                findings.failed = True
                return
            findings.total += len(records)
            stored = codec.encode(columns, codec.index_keys(columns))
            yield list(zip(repeat(tenant_id), repeat(table_id), *stored, strict=False))
            if time.monotonic() - last_report >= PROGRESS_SECONDS:
                last_report = time.monotonic()
                await self._report(job_id, findings, read * 100 // max(upload.size, 1))
            await asyncio.sleep(0)  # a chunk is ~10 ms of work: let requests through

    async def _report_rows(self, codec: RowCodec, upload: Upload) -> Findings:
        """After a refused import: every problem of the file, duplicate index values within
        it, and (when adding rows) index values the table already has."""
        findings = Findings()
        index = codec.fields[codec.index_pos] if codec.index_pos is not None else None
        chunks = csvfile.record_chunks(upload.source, upload.encoding, CHUNK_ROWS)
        for lines, records, _ in chunks:
            chunk = codec.check(lines, records)
            findings.total += len(records)
            findings.add(chunk.rejections)
            if index is not None and chunk.lines:
                findings.check_duplicates(
                    codec.index_keys(chunk.columns), chunk.lines, index["name"]
                )
            await asyncio.sleep(0)
        if index is not None and upload.mode == "append":
            async with self.db.reader() as session:
                rows = RowRepository(session, codec.tenant_id, codec.table_id)
                taken = await rows.existing_keys(list(findings.first_line))
            findings.add(
                [
                    Rejection(
                        findings.first_line[key],
                        index["name"],
                        "stored",
                        "index value already in the table",
                    )
                    for key in taken
                ]
            )
        if not findings.failed:
            clash = "an index value clashed with a stored row; try again"
            findings.add([Rejection(0, "", "stored", clash)])
        return findings

    async def _report(self, job_id: int, findings: Findings, percent: int) -> None:
        progress = {
            "status": JOB_RUNNING,
            "progress": min(percent, 99),
            "processed_rows": findings.total,
            "rejected_count": len(findings.rejected_lines),
        }
        self.progress[job_id] = progress
        if not self.db.is_sqlite:  # SQLite: the import itself holds the write lock
            await self._set(job_id, heartbeat_at=self.clock.now(), **progress)

    async def _fail(self, job_id: int, refused: _Refused) -> None:
        values = {"status": JOB_FAILED, "error": refused.error, "error_code": refused.code}
        if refused.findings is not None:
            values.update(refused.findings.summary())
            values["processed_rows"] = values["total_rows"] = refused.findings.total
            if values["error"] is None:
                values["error"] = f"{values['rejected_count']} row(s) refused; nothing was imported"
        await self._finish(job_id, **values)

    async def _finish(self, job_id: int, **values) -> None:
        now = self.clock.now()
        await self._set(job_id, heartbeat_at=now, finished_at=now, **values)

    async def _set(self, job_id: int, **values) -> None:
        async with self.db.transaction() as session:
            await repository.update_job(session, job_id, **values)


_JOB_FIELDS = (
    "id",
    "table_id",
    "file_name",
    "file_size",
    "encoding",
    "mode",
    "status",
    "progress",
    "processed_rows",
    "total_rows",
    "imported_rows",
    "rejected_count",
    "rejected",
    "error",
    "error_code",
    "created_at",
    "finished_at",
)
