"""Outbox retention: drop events older than the system parameter `event_retention_hours`.

Apart from the outbox itself because it needs the database (sessions per batch), which in turn
imports the outbox to write pending events at commit.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.clock import Clock
from agentdesk.storage.database import Database
from agentdesk.storage.outbox import PRUNE_BATCH, prune_events_before

log = logging.getLogger(__name__)

RetentionHours = Callable[[AsyncSession], Awaitable[int]]


async def prune_expired(
    db: Database, retention_hours: RetentionHours, now: datetime, limit: int = PRUNE_BATCH
) -> int:
    """Delete every event older than the retention, one short transaction per batch (SQLite's
    single writer is never held for long); returns how many went."""
    total = 0
    while True:
        async with db.transaction() as session:
            cutoff = now - timedelta(hours=await retention_hours(session))
            deleted = await prune_events_before(session, cutoff, limit)
        total += deleted
        if deleted < limit:
            return total
        await asyncio.sleep(0)  # let waiting writers in between batches


async def prune_forever(
    db: Database, retention_hours: RetentionHours, every: float, clock: Clock | None = None
) -> None:
    """Prune the outbox every `every` seconds until cancelled; a failure waits for the next
    round (nothing is lost by pruning late)."""
    while True:
        try:
            deleted = await prune_expired(db, retention_hours, (clock or Clock()).now())
            if deleted:
                log.info("pruned %d outbox events past the retention", deleted)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox prune failed; retrying next round")
        await asyncio.sleep(every)
