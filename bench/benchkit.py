"""What the benchmarks share: ports, percentiles, the agentdesk command, a clean database."""

import socket
import sys
from pathlib import Path

from sqlalchemy import text

from agentdesk.storage.database import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def agentdesk_command() -> str:
    """The `agentdesk` command of the virtual environment running this script."""
    return str(Path(sys.executable).with_name("agentdesk"))


async def reset_postgresql(url: str) -> None:
    """Create the bench database when missing and drop everything in it."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    name = dsn.rsplit("/", 1)[1]
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    db = Database(url)
    async with db.transaction() as session:
        await session.execute(text("DROP SCHEMA public CASCADE"))
        await session.execute(text("CREATE SCHEMA public"))
    await db.dispose()
