"""Background CSV imports into base tables [导入数据], all or nothing, run as jobs.

The upload is checked at the edge (name, size, encoding, control characters, header), kept
in a private temporary file, and an import row ("queued") is committed together with a job
of kind `base_tables.import` (`jobs.queue.enqueue`, same transaction): the job exists iff the
import does. A `JobRunner` of any worker of this host (the upload is in the shared data
directory; the job `runs_on` this host) claims it and calls `ImportRunner.run_job`, outside
any transaction.

The job reads the file once, 500 records at a time: it validates the chunk column by
column, encrypts it and streams it into the table (COPY on PostgreSQL, executemany on
SQLite) — all inside ONE database transaction, which also marks the import "done". The
unique (tenant_id, table_id, index_key) index catches a repeated index value, within the file
or already stored. A refused record or such a violation stops the writing and rolls the
transaction back: the table is exactly as it was. The job then reads the file a second time,
with line numbers, to list every problem (the first 1000: line, field, reason) and is
stored as "failed". Any refused row fails the whole import.

Progress lives in memory for this process and, on PostgreSQL, also in the import row (short
transactions beside the import's, which double as a heartbeat). On SQLite the import holds
the single write lock for its duration (about a second for 20 MB), so the row is only
written at the start and the end. An import still "queued"/"running" that no live worker
owns — its process stopped — is shown as failed ("interrupted"), and stored so by the next
import of its table: its transaction never committed, so nothing of it was written.

A stopping worker cancels its imports: each rolls back, is stored as failed ("interrupted")
and its job handed back; whoever claims the job again finds the import finished and does
nothing. A worker killed mid-import cannot say so; its job's lease runs out and another
worker claims it: the import's transaction never committed, so that worker stores it as
failed ("interrupted") rather than importing a file whose first run may have been seen
half-way by nobody but also may have been deleted since (uploads of dead processes are).

An import's `worker` is `host:pid:token`. At start-up every process stores as failed the
active imports of dead workers of its host (no such pid, or its own pid under another token:
a restarted container), with the reason; and a new import treats such an import as dead at
once. Imports of workers on other hosts are dead once their heartbeat is older than
STALE_AFTER (on SQLite there is one host).
"""

import asyncio
import logging
import os
import secrets
import socket
import time
from datetime import timedelta
from itertools import repeat
from pathlib import Path

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
from agentdesk.config_center.basetables.upload import Findings, Upload, clean_uploads
from agentdesk.jobs import queue
from agentdesk.jobs.registry import JobContext, JobKind
from agentdesk.kit.clock import Clock
from agentdesk.kit.crypto import KeyRing
from agentdesk.kit.errors import Conflict
from agentdesk.storage.database import Database

log = logging.getLogger(__name__)

CHUNK_ROWS = 500
PROGRESS_SECONDS = 0.5
STALE_AFTER = timedelta(seconds=20)
IMPORT_KIND = "base_tables.import"
# Renewed while the import runs; only a killed worker lets it run out.
IMPORT_LEASE_SECONDS = 60.0
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


async def start_up(runner: "ImportRunner", data_dir: Path) -> None:
    """At start-up, delete uploads dead processes left behind and fail the imports of dead
    workers of this host (called by create_app's lifespan)."""
    removed = clean_uploads(data_dir, pid_alive)
    if removed:
        log.info("deleted %d upload(s) left by stopped processes", removed)
    try:
        await runner.fail_dead_jobs()
    except Exception:  # never keep the server from starting; the heartbeat still ages out
        log.exception("could not fail the imports of stopped workers")


# ---- the runner ----------------------------------------------------------------------------


class ImportRunner:
    """Runs this process's imports and knows which jobs are alive here."""

    def __init__(self, db: Database, keys: KeyRing, clock: Clock):
        self.db = db
        self.keys = keys
        self.clock = clock
        self.worker = f"{_host()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.tasks: dict[int, asyncio.Task] = {}
        self.progress: dict[int, dict] = {}

    def job_kind(self) -> JobKind:
        """The job kind that runs imports (registered by create_app). One attempt: a failed
        import is a result the user reads, not something to try again behind their back."""

        async def run(context: JobContext) -> None:
            await self.run_job(context)  # looked up per run, so a wrapped method is seen

        return JobKind(IMPORT_KIND, run, max_attempts=1, lease_seconds=IMPORT_LEASE_SECONDS)

    # -- jobs as users see them

    def is_live(self, job: ImportJob) -> bool:
        return job.id in self.tasks

    def is_orphan(self, job: ImportJob) -> bool:
        """An active job no task runs: this process lost it, or its process went silent."""
        if job.status not in JOB_ACTIVE or self.is_live(job):
            return False
        if job.status == JOB_QUEUED and not job.worker:
            return False  # waiting for a worker: its job row guarantees one will run it
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
        """Record a queued import and the job that runs it (the edge commits both)."""
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
                # No worker until one claims the job; the heartbeat ages out when none does.
                worker="",
                heartbeat_at=self.clock.now(),
                created_by=user_id,
                rejected=[],
            )
        )
        await session.flush()
        await queue.enqueue(
            session,
            IMPORT_KIND,
            _payload(job.id, upload),
            now=self.clock.now(),
            tenant_id=tenant_id,
            idempotency_key=f"{IMPORT_KIND}:{job.id}",
            runs_on=queue.this_host(),  # the upload is in this host's data directory
        )
        return job

    # -- running one job

    async def run_job(self, context: JobContext) -> None:
        """The job's handler: run the import unless it is already over or was lost."""
        import_id = context.payload["import_id"]
        upload = _upload_of(context.payload)
        try:
            async with self.db.reader() as session:
                job = await session.get(ImportJob, import_id)
            if job is None or job.status not in JOB_ACTIVE:
                return  # deleted with its table, or finished by a stopping worker
            if context.attempt > 1 or self.is_orphan(job) or not _exists(upload):
                # A worker died with it (its transaction never committed) or the user was
                # already told it failed: say so in the row rather than start it now.
                await self._finish(
                    import_id, status=JOB_FAILED, error=INTERRUPTED, error_code=STOPPED
                )
                return
            self.tasks[import_id] = asyncio.current_task()
            await self._run(import_id, job.tenant_id, job.table_id, job.table_version, upload)
        finally:
            self.tasks.pop(import_id, None)
            upload.discard()

    async def _run(
        self, job_id: int, tenant_id: int, table_id: int, version: int, upload: Upload
    ) -> None:
        try:
            await self._set(
                job_id, status=JOB_RUNNING, heartbeat_at=self.clock.now(), worker=self.worker
            )
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


def _payload(import_id: int, upload: Upload) -> dict:
    """What the job needs to find the upload again (a path in the private upload folder)."""
    return {
        "import_id": import_id,
        "path": str(upload.source),
        "file_name": upload.file_name,
        "size": upload.size,
        "encoding": upload.encoding,
        "mode": upload.mode,
    }


def _upload_of(payload: dict) -> Upload:
    source = Path(payload["path"])
    return Upload(
        payload["file_name"], source, payload["size"], payload["encoding"], payload["mode"]
    )


def _exists(upload: Upload) -> bool:
    return isinstance(upload.source, Path) and upload.source.exists()


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
