"""Engines chosen by URL, one-transaction units of work, and after-commit hooks."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from agentdesk.storage.outbox import write_pending

AfterCommitHook = Callable[[list[dict]], Awaitable[None]]
# Told the committed session's `info` (flags set during the transaction, e.g. "a job was
# enqueued"); plain and quick, they run before the event hooks.
AfterCommitInfoHook = Callable[[dict], None]


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str):
    if url.startswith("sqlite"):
        engine = create_async_engine(url, pool_size=20, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True)


class Database:
    """Owns the engine. `transaction()` is the unit of work: the edge commits, services never.

    Events that services append to the outbox are handed to after-commit hooks (the bus) only
    once the transaction has committed, so nobody ever hears of a change that was rolled back.
    """

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = make_engine(url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.after_commit_hooks: list[AfterCommitHook] = []
        self.after_commit_info_hooks: list[AfterCommitInfoHook] = []
        # SQLite has one writer: serialising our own writers avoids SQLITE_BUSY upgrades.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._maybe_lock(), self.sessionmaker() as session:
            try:
                yield session
                events = await write_pending(session)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        for info_hook in self.after_commit_info_hooks:
            info_hook(session.info)
        if events:
            await self._after_commit(events)

    @asynccontextmanager
    async def _maybe_lock(self):
        if self._write_lock is None:
            yield
            return
        async with self._write_lock:
            yield

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A read-only session (no commit); never takes the SQLite write lock."""
        async with self.sessionmaker() as session:
            yield session

    async def _after_commit(self, events: list[dict]) -> None:
        for hook in self.after_commit_hooks:
            await hook(events)

    async def dispose(self) -> None:
        await self.engine.dispose()
