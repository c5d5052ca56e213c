"""Test databases: a fresh SQLite file or a fresh PostgreSQL database per test session."""

import asyncio
import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.migrations.migrate import upgrade
from agentdesk.models import metadata


def service_url(env_var: str) -> str | None:
    url = os.environ.get(env_var, "")
    if url in ("", "unavailable"):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{env_var} is not available and CI=true: no suite may be skipped")
        pytest.skip(f"{env_var} not available (run `make test` to start one)")
    return url


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


def create_pg_database(base_url: str) -> str:
    name = f"agentdesk_t_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(base_url, f'CREATE DATABASE "{name}"'))
    # A throwaway database need not wait for the disk at each commit (what a crash would
    # lose is the test's own data); the app's transactions are unchanged.
    asyncio.run(_admin(base_url, f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(base_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrate(url: str) -> None:
    upgrade(url)


async def _delete_rows(conn) -> None:
    for table in reversed(metadata.sorted_tables):
        await conn.execute(table.delete())


async def _restart_pg_sequences(conn) -> None:
    names = await conn.scalars(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
    )
    for name in names.all():
        await conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


async def _truncate(url: str) -> None:
    """Empty every table, ids starting again at 1. On PostgreSQL, DELETE in dependency order
    and restarting the sequences takes a fifth of the time of TRUNCATE on these small tables
    (TRUNCATE makes new files for each table and its indexes); TRUNCATE stays the fallback."""
    engine = create_async_engine(url)
    try:
        if not url.startswith("postgresql"):
            async with engine.begin() as conn:
                await _delete_rows(conn)
            return
        try:
            async with engine.begin() as conn:
                await _delete_rows(conn)
                await _restart_pg_sequences(conn)
        except DBAPIError:  # rows that refer to each other across tables
            async with engine.begin() as conn:
                names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


def truncate_all(url: str) -> None:
    asyncio.run(_truncate(url))
