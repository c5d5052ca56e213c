"""Revision 0002 carries existing API tokens over: they keep working for 90 more days."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.migrations.migrate import upgrade
from tests.conftest import PG_ENV
from tests.support import databases


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    base = databases.service_url(PG_ENV)
    url = databases.create_pg_database(base)
    yield url
    databases.drop_pg_database(base, url)


async def _execute(url: str, *statements: str) -> list:
    engine = create_async_engine(url)
    rows = []
    async with engine.begin() as conn:
        for statement in statements:
            result = await conn.execute(text(statement))
            rows = list(result) if result.returns_rows else rows
    await engine.dispose()
    return rows


def test_existing_tokens_get_an_expiry_and_stay_valid(empty_url):
    upgrade(empty_url, "0001")
    asyncio.run(
        _execute(
            empty_url,
            "INSERT INTO users (id, username, display_name, password_hash, role, active,"
            " session_version) VALUES (1, 'old', '', 'x', 'ops_admin', true, 1)",
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)"
            " VALUES (1, 1, 'legacy', 'abc', '2026-01-01 00:00:00')",
        )
    )
    before = datetime.now(UTC).replace(tzinfo=None)
    upgrade(empty_url)
    rows = asyncio.run(_execute(empty_url, "SELECT expires_at, revoked_at FROM api_tokens"))
    expires_at, revoked_at = rows[0]
    if isinstance(expires_at, str):  # SQLite hands DATETIME back as text here
        expires_at = datetime.fromisoformat(expires_at)
    assert revoked_at is None
    assert before + timedelta(days=90) - timedelta(minutes=5) <= expires_at
    assert expires_at <= before + timedelta(days=90, minutes=5)
