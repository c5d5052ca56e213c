"""Run telephony actions as units of work: one transaction, retried on a lost lock race."""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.clock import Clock
from agentdesk.storage.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE_PG_CODES = {"40P01", "40001"}  # deadlock detected, serialization failure


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "pgcode", None) or getattr(exc.orig, "sqlstate", None)
    return code in RETRYABLE_PG_CODES


async def run_action(
    db: Database,
    clock: Clock,
    action: Callable[..., Awaitable[T]],
    *args,
    attempts: int = 3,
    **kwargs,
) -> T:
    """Run `action(session, clock, ...)` in its own transaction; events go out after commit."""
    for attempt in range(1, attempts + 1):
        try:
            async with db.transaction() as session:
                result = await action(session, clock, *args, **kwargs)
                await session.flush()
                return result
        except DBAPIError as exc:
            if attempt == attempts or not _retryable(exc):
                raise
            log.info("retrying %s after a lock conflict", action.__name__)
    raise AssertionError("unreachable")


async def read(db: Database, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with db.reader() as session:
        return await query(session)
