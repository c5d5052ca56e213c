"""The migrations build exactly the schema the models describe, on both databases."""

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.models import metadata


def _diff(url: str) -> list:
    async def run():
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )
        await engine.dispose()
        return diff

    return asyncio.run(run())


def test_sqlite_schema_matches_models(sqlite_url):
    assert _diff(sqlite_url) == []


def test_postgresql_schema_matches_models(pg_url):
    assert _diff(pg_url) == []
