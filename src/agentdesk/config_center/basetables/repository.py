"""Queries over a tenant's base tables, their rows and import jobs.

Rows are written in bulk on the driver connection of the session's transaction: a COPY on
PostgreSQL (asyncpg), `executemany` on SQLite. Either way they are part of the transaction
the edge (or the import job) commits or rolls back, so a failed import writes nothing.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.basetables.models import (
    INDEX_NONE,
    JOB_ACTIVE,
    PUBLISHED,
    BaseTable,
    BaseTableRow,
    ImportJob,
)
from agentdesk.storage.repository import TenantRepository
from agentdesk.tenancy.models import Tenant

ROW_COLUMNS = ("tenant_id", "table_id", "index_key", "plain", "secret")
_SQLITE_INSERT = f"INSERT INTO base_table_rows ({', '.join(ROW_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"  # noqa: S608


class TableRepository(TenantRepository[BaseTable]):
    model = BaseTable
    label = "base table"

    async def lock_tenant(self) -> None:
        """Serialise writers that check the per-tenant limit (no-op on SQLite: one writer)."""
        stmt = select(Tenant.id).where(Tenant.id == self.tenant_id).with_for_update()
        await self.session.execute(stmt)

    async def by_name(self, name: str) -> BaseTable | None:
        return await self.find(BaseTable.name == name)

    async def lock_for_import(self, table_id: int) -> BaseTable | None:
        """The table, locked against definition changes and other imports until commit.

        FOR NO KEY UPDATE, not FOR UPDATE: each imported row's foreign-key check takes a
        KEY SHARE lock on this row, which is cheap under NO KEY UPDATE and measurably not
        under FOR UPDATE (PostgreSQL; SQLite has one writer anyway)."""
        stmt = self.query().where(BaseTable.id == table_id).with_for_update(key_share=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()


class RowRepository:
    """Rows of one table of one tenant."""

    def __init__(self, session: AsyncSession, tenant_id: int, table_id: int):
        self.session = session
        self.tenant_id = tenant_id
        self.table_id = table_id

    def _where(self):
        return (BaseTableRow.tenant_id == self.tenant_id, BaseTableRow.table_id == self.table_id)

    async def by_index(self, key: str) -> list[tuple]:
        stmt = select(BaseTableRow.index_key, BaseTableRow.plain, BaseTableRow.secret).where(
            *self._where(), BaseTableRow.index_key == key
        )
        return [tuple(row) for row in await self.session.execute(stmt)]

    async def page(
        self, *, index_key: str | None, text: str | None, limit: int | None, offset: int
    ) -> tuple[list[tuple], int]:
        """Rows by id (optionally matching the index exactly or a plain value in part)."""
        conditions = list(self._where())
        matches = []
        if index_key is not None:
            matches.append(BaseTableRow.index_key == index_key)
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            matches.append(BaseTableRow.plain.like(pattern + "%", escape="\\"))
        if matches:
            conditions.append(or_(*matches))
        stmt = (
            select(BaseTableRow.id, BaseTableRow.index_key, BaseTableRow.plain, BaseTableRow.secret)
            .where(*conditions)
            .order_by(BaseTableRow.id)
            .offset(offset)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = [tuple(row) for row in await self.session.execute(stmt)]
        count = select(func.count()).select_from(BaseTableRow).where(*conditions)
        return rows, (await self.session.execute(count)).scalar_one()

    async def batch_after(self, last_id: int, limit: int) -> list[tuple]:
        """(id, index_key, plain, secret) of the next rows by id (export walks them all)."""
        stmt = (
            select(BaseTableRow.id, BaseTableRow.index_key, BaseTableRow.plain, BaseTableRow.secret)
            .where(*self._where(), BaseTableRow.id > last_id)
            .order_by(BaseTableRow.id)
            .limit(limit)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]

    async def existing_keys(self, keys: Sequence[str], batch: int = 500) -> set[str]:
        """Which of `keys` the table already has."""
        found: set[str] = set()
        for start in range(0, len(keys), batch):
            part = keys[start : start + batch]
            stmt = select(BaseTableRow.index_key).where(
                *self._where(), BaseTableRow.index_key.in_(part)
            )
            found.update(await self.session.scalars(stmt))
        return found

    async def delete_all(self) -> None:
        await self.session.execute(delete(BaseTableRow).where(*self._where()))

    async def count(self) -> int:
        stmt = select(func.count()).select_from(BaseTableRow).where(*self._where())
        return (await self.session.execute(stmt)).scalar_one()

    async def after_id(self, last_id: int, limit: int) -> list[tuple]:
        """(id, secret) of the next rows with an envelope, for re-encryption."""
        stmt = (
            select(BaseTableRow.id, BaseTableRow.secret)
            .where(*self._where(), BaseTableRow.id > last_id, BaseTableRow.secret.is_not(None))
            .order_by(BaseTableRow.id)
            .limit(limit)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]

    async def set_secret(self, row_id: int, secret: bytes) -> None:
        await self.session.execute(
            update(BaseTableRow).where(BaseTableRow.id == row_id).values(secret=secret)
        )


# The pop lookup, in the driver's own dialect: one round trip (on SQLite one hop to the
# connection's thread instead of the four a SQLAlchemy cursor takes). The row condition
# holds only parameters, so both databases probe the unique (tenant_id, table_id,
# index_key) index for both candidate keys; the caller keeps the one the table's mode uses.
_LOOKUP = (
    "SELECT CAST(t.fields AS TEXT), t.index_mode, r.index_key, r.plain, r.secret "  # noqa: S608
    "FROM base_tables t LEFT JOIN base_table_rows r ON r.tenant_id = {tenant} "
    "AND r.table_id = {table} AND r.index_key IN ({plain}, {blind}) "
    "WHERE t.id = {table} AND t.tenant_id = {tenant} AND t.status = '{published}' "
    "AND t.index_mode <> '{no_index}'"
)
_MODES = {"published": PUBLISHED, "no_index": INDEX_NONE}
_LOOKUP_SQLITE = _LOOKUP.format(tenant="?1", table="?2", plain="?3", blind="?4", **_MODES)
_LOOKUP_POSTGRES = _LOOKUP.format(tenant="$1", table="$2", plain="$3", blind="$4", **_MODES)


async def lookup_rows(
    session: AsyncSession, tenant_id: int, table_id: int, plain_key: str, blind_key: str
) -> list[tuple]:
    """(fields JSON text, index mode, index_key, plain, secret) for the rows whose index key
    is either candidate; one row with index_key None when no row matches; nothing when the
    table is not a published table of the tenant with an index field."""
    driver = await driver_connection(session)
    params = (tenant_id, table_id, plain_key, blind_key)
    if session.get_bind().dialect.name == "postgresql":
        return [tuple(row) for row in await driver.fetch(_LOOKUP_POSTGRES, *params)]
    return list(await driver.execute_fetchall(_LOOKUP_SQLITE, params))


async def refresh_statistics(session: AsyncSession) -> None:
    """After a bulk import on PostgreSQL: fresh planner statistics, so the pop lookup probes
    the whole (tenant_id, table_id, index_key) key rather than filtering a table's rows
    (autovacuum would get there too, later)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("ANALYZE base_table_rows"))


async def driver_connection(session: AsyncSession):
    """The asyncpg/aiosqlite connection under the session's (started) transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def insert_rows(session: AsyncSession, is_postgres: bool, chunks: AsyncIterator) -> int:
    """Write every chunk of row tuples (ROW_COLUMNS order) inside the session's transaction."""
    driver = await driver_connection(session)
    count = 0
    if is_postgres:
        if not driver.is_in_transaction():  # the COPY must be part of the import's transaction
            raise RuntimeError("bulk insert outside a transaction")

        async def records():
            nonlocal count
            async for chunk in chunks:
                count += len(chunk)
                for record in chunk:
                    yield record

        await driver.copy_records_to_table(
            "base_table_rows", records=records(), columns=list(ROW_COLUMNS)
        )
        return count
    # aiosqlite runs each executemany in its own thread, and SQLite releases the GIL while it
    # works: the next chunk is prepared here while the previous one is being written.
    pending: asyncio.Future | None = None
    try:
        async for chunk in chunks:
            if pending is not None:
                await pending
            pending = asyncio.ensure_future(driver.executemany(_SQLITE_INSERT, chunk))
            count += len(chunk)
        if pending is not None:
            await pending
    finally:
        if pending is not None and not pending.done():
            await asyncio.gather(pending, return_exceptions=True)
    return count


class JobRepository(TenantRepository[ImportJob]):
    model = ImportJob
    label = "import"

    async def active_for(self, table_id: int) -> list[ImportJob]:
        return await self.list(ImportJob.table_id == table_id, ImportJob.status.in_(JOB_ACTIVE))

    async def recent(self, table_id: int, limit: int = 20) -> list[ImportJob]:
        stmt = (
            self.query()
            .where(ImportJob.table_id == table_id)
            .order_by(ImportJob.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())


async def active_jobs(session: AsyncSession) -> list[ImportJob]:
    """Every tenant's queued or running imports, locked (start-up recovery)."""
    stmt = select(ImportJob).where(ImportJob.status.in_(JOB_ACTIVE)).with_for_update()
    return list((await session.execute(stmt)).scalars())


async def update_job(session: AsyncSession, job_id: int, **values) -> None:
    """Set columns of a job by id (the job runner's own writes)."""
    await session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))
