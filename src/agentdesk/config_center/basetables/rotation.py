"""Key rotation [密钥轮换] of base-table rows (`agentdesk keys rotate`).

Configure the new key first in `AGENTDESK_DATA_KEYS` (`new:…,old:…`): from then on new rows
are encrypted under it and old rows stay readable. `rotate_keys` then re-encrypts every row
still under another key, ONE transaction per table with the table locked against imports:
a table is rotated entirely or not at all, a stop half way leaves the finished tables
rotated and the others as they were (all readable), and running it again continues where
it stopped (rows already under the active key are skipped). Once it reports 0, the old key
can be dropped from the list. (The blind-index key is separate and not rotated here.)

Tables are found by their rows, not by `row_count`, and each rotated table's `row_count`
is set from its rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from agentdesk.config_center.basetables import service
from agentdesk.config_center.basetables.repository import TableRepository
from agentdesk.kit.crypto import KeyRing
from agentdesk.storage.database import Database


@dataclass(frozen=True)
class TableRotated:
    """Progress of a rotation: the n-th of `of` tables is done."""

    n: int
    of: int
    tenant_id: int
    table_id: int
    name: str
    rows: int
    changed: int


async def rotate_keys(
    db: Database,
    keys: KeyRing,
    batch: int = 1000,
    progress: Callable[[TableRotated], None] | None = None,
) -> int:
    """Re-encrypt every tenant's rows under the active key; returns how many changed."""
    async with db.reader() as session:
        tables = [(t.tenant_id, t.id) for t in await service.tables_with_rows(session)]
    changed = 0
    for n, (tenant_id, table_id) in enumerate(tables, start=1):
        async with db.transaction() as session:
            table = await TableRepository(session, tenant_id).lock_for_import(table_id)
            if table is None:  # deleted meanwhile
                continue
            count = await service.reencrypt_table(session, table, keys, batch)
            done = TableRotated(
                n, len(tables), tenant_id, table_id, table.name, table.row_count, count
            )
        changed += count
        if progress is not None:
            progress(done)
    return changed
