"""Queries of the platform whitelist (platform-owned rows: no tenant scope)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.whitelist.matching import Entry
from agentdesk.config_center.whitelist.models import WhitelistEntry


async def all_rows(session: AsyncSession) -> list[WhitelistEntry]:
    stmt = select(WhitelistEntry).order_by(WhitelistEntry.host, WhitelistEntry.port)
    return list((await session.execute(stmt)).scalars())


async def id_of(session: AsyncSession, entry: Entry) -> int | None:
    """The id of the row listing exactly this entry, if any."""
    stmt = select(WhitelistEntry.id).where(
        WhitelistEntry.scheme == entry.scheme,
        WhitelistEntry.host == entry.host,
        WhitelistEntry.port == entry.port,
        WhitelistEntry.path_prefix == entry.path_prefix,
    )
    return await session.scalar(stmt)


def as_entry(row: WhitelistEntry) -> Entry:
    return Entry(row.scheme, row.host, row.port, row.path_prefix)
