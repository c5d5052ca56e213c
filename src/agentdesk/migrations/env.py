"""Alembic environment: async engines, batch mode on SQLite so ALTERs work there."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.models import metadata

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run_sync(connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run() -> None:
    engine = create_async_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


existing = config.attributes.get("connection")
if existing is not None:
    _run_sync(existing)
else:
    asyncio.run(_run())
