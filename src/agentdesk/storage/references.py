"""Which rows of other tables keep a row from being deleted (foreign keys ON DELETE RESTRICT).

A domain that owns a row asks this before deleting it, to refuse with a message naming the
referring row, without importing the referring domain's models: the knowledge "a pop page may
show a custom page" stays with pop pages (their foreign key), and custom pages stay below them.
A referring table names itself for messages with `info={"label": ...}` in its table args.
"""

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession


def _restricting_keys(target: Table):
    for table in target.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table is target and (key.ondelete or "").upper() == "RESTRICT":
                yield table, key.parent


async def first_restricting(
    session: AsyncSession, target: Table, row_id: int
) -> tuple[str, str] | None:
    """(label, name) of the first row whose RESTRICT foreign key points at `row_id`, or None.

    Referring tables without a `name` column are named by their id."""
    for table, column in _restricting_keys(target):
        shown = table.c.name if "name" in table.c else table.c.id
        found = await session.scalar(select(shown).where(column == row_id).limit(1))
        if found is not None:
            return table.info.get("label", table.name), str(found)
    return None
