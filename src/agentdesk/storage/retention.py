"""Outbox retention: drop events older than the system parameter `event_retention_hours`.

Run by the periodic job `outbox.prune` (registered in `create_app`).

Apart from the outbox itself because it needs the database (sessions per batch), which in turn
imports the outbox to write pending events at commit.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.storage.database import Database
from agentdesk.storage.outbox import PRUNE_BATCH, prune_events_before

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
