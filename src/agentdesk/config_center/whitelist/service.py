"""Rules of the address whitelist, and what its peers ask of it.

The operations admin keeps the entries (create, change, delete); screen pops and the page check
ask `entries` once per request and then match URLs against them with the pure functions here.
Services never commit; the edge does.
"""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.whitelist import repository
from agentdesk.config_center.whitelist.matching import (
    BadUrl,
    Entry,
    find_entry,
    parse_entry,
    permission,
)
from agentdesk.config_center.whitelist.models import WhitelistEntry
from agentdesk.config_center.whitelist.schemas import WhitelistWrite
from agentdesk.kit.errors import NotFound, ValidationFailed

# What a peer holds after `entries`: every entry with its allow_private flag.
Entries = Sequence[tuple[Entry, bool]]


async def list_entries(session: AsyncSession) -> list[WhitelistEntry]:
    return await repository.all_rows(session)


async def entries(session: AsyncSession) -> list[tuple[Entry, bool]]:
    """Every entry with its allow_private flag, for matching."""
    return [(repository.as_entry(row), row.allow_private) for row in await list_entries(session)]


def _parsed_entry(pattern: str) -> Entry:
    try:
        return parse_entry(pattern)
    except BadUrl as exc:
        raise ValidationFailed.single("pattern", "format", str(exc)) from exc


async def _refuse_duplicate(session, entry: Entry, own_id: int | None = None) -> None:
    existing = await repository.id_of(session, entry)
    if existing is not None and existing != own_id:
        raise ValidationFailed.single("pattern", "unique", f"{entry.pattern} is already listed")


async def create_entry(session: AsyncSession, data: WhitelistWrite) -> WhitelistEntry:
    entry = _parsed_entry(data.pattern)
    await _refuse_duplicate(session, entry)
    row = WhitelistEntry(
        scheme=entry.scheme,
        host=entry.host,
        port=entry.port,
        path_prefix=entry.path_prefix,
        allow_private=data.allow_private,
        note=data.note,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)  # server-side timestamps, read here rather than lazily later
    return row


async def get_entry(session: AsyncSession, entry_id: int) -> WhitelistEntry:
    row = await session.get(WhitelistEntry, entry_id)
    if row is None:
        raise NotFound(f"whitelist entry {entry_id} not found")
    return row


async def update_entry(
    session: AsyncSession, entry_id: int, data: WhitelistWrite
) -> WhitelistEntry:
    row = await get_entry(session, entry_id)
    entry = _parsed_entry(data.pattern)
    await _refuse_duplicate(session, entry, own_id=row.id)
    row.scheme, row.host, row.port = entry.scheme, entry.host, entry.port
    row.path_prefix = entry.path_prefix
    row.allow_private, row.note = data.allow_private, data.note
    await session.flush()
    await session.refresh(row)
    return row


async def delete_entry(session: AsyncSession, entry_id: int) -> None:
    await session.delete(await get_entry(session, entry_id))


def match(url: str, entries: Entries) -> tuple[Entry, bool] | None:
    """The entry (and its allow_private flag) a page URL matches, if any."""
    allow_private = dict(entries)
    found = find_entry(url, list(allow_private))
    return None if found is None else (found, allow_private[found])


def is_whitelisted(url: str, entries: Entries) -> bool:
    return match(url, entries) is not None


def may_reach_private(url: str, entries: Entries) -> bool | None:
    """The allow_private flag of the entry `url` matches, or None when it matches none."""
    return permission(url, entries)


def pattern_of(row: WhitelistEntry) -> str:
    return repository.as_entry(row).pattern
