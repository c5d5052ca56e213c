"""Test databases: a fresh SQLite file or a fresh PostgreSQL database per test session."""

import asyncio
import os
import uuid

import pytest
from sqlalchemy import text
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
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(base_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrate(url: str) -> None:
    upgrade(url)


async def _truncate(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        if url.startswith("postgresql"):
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                await conn.execute(table.delete())
    await engine.dispose()


def truncate_all(url: str) -> None:
    asyncio.run(_truncate(url))
