"""Migration 0005 (jobs) carries the imports over: finished ones as they were, ones left
"queued"/"running" by the stopped server stored as failed (interrupted), with the answer the
API already gave for them; the new jobs table is empty. On SQLite and PostgreSQL."""

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.migrations.migrate import upgrade
from tests.integration.test_migrations import downgrade, fresh_url  # noqa: F401 - fixture

STATES = ("done", "failed", "queued", "running")


async def _seed(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO tenants (id, code, name, licence_audio, licence_video,"
                " licence_multimedia, licence_allround, licence_intelligent)"
                " VALUES (1, 't1', 't1', 1, 1, 1, 1, 1)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO base_tables (id, tenant_id, name, description, status, fields,"
                " index_mode, next_field_no, version, row_count)"
                " VALUES (5, 1, 'c', '', 'published', '[]', 'none', 1, 1, 0)"
            )
        )
        for n, status in enumerate(STATES, start=1):
            await conn.execute(
                text(
                    "INSERT INTO base_table_imports (id, tenant_id, table_id, table_version,"
                    " file_name, file_size, encoding, mode, status, progress, processed_rows,"
                    " imported_rows, rejected_count, rejected, worker, error, error_code)"
                    " VALUES (:id, 1, 5, 1, 'a.csv', 10, 'utf-8', 'append', :status, 0, 0,"
                    " :imported, 0, '[]', 'h:1:t', :error, :code)"
                ),
                {
                    "id": n,
                    "status": status,
                    "imported": 3 if status == "done" else 0,
                    "error": "1 row(s) refused" if status == "failed" else None,
                    "code": "rows_refused" if status == "failed" else None,
                },
            )
    await engine.dispose()


async def _imports(url: str) -> list[tuple]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT id, status, error_code, error, imported_rows, finished_at IS NOT NULL"
                " FROM base_table_imports ORDER BY id"
            )
        )
        jobs = (await conn.execute(text("SELECT count(*) FROM jobs"))).scalar_one()
    await engine.dispose()
    return [tuple(r) for r in rows], jobs


def test_0005_stores_imports_left_active_as_interrupted_and_keeps_the_rest(fresh_url):  # noqa: F811
    upgrade(fresh_url, "0003")
    asyncio.run(_seed(fresh_url))
    upgrade(fresh_url, "0005")
    rows, jobs = asyncio.run(_imports(fresh_url))
    interrupted = "interrupted: the server stopped during the import; nothing was written"
    assert rows == [
        (1, "done", None, None, 3, False),
        (2, "failed", "rows_refused", "1 row(s) refused", 0, False),
        (3, "failed", "interrupted", interrupted, 0, True),
        (4, "failed", "interrupted", interrupted, 0, True),
    ]
    assert jobs == 0
    downgrade(fresh_url, "0003")  # and back: the table goes, the imports stay
    engine_rows = asyncio.run(_count_imports(fresh_url))
    assert engine_rows == 4


async def _count_imports(url: str) -> int:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM base_table_imports"))).scalar_one()
    await engine.dispose()
    return count
