"""Key rotation [密钥轮换] of base-table rows.

Configure the new key first in `AGENTDESK_DATA_KEYS` (`new:…,old:…`): from then on new rows
are encrypted under it and old rows stay readable. `rotate_keys` then re-encrypts every
row still under another key, a batch per transaction: a stop half way leaves rows under
either key, all readable, and running it again continues. Once it reports 0, the old key
can be dropped from the list. (The blind-index key is separate and not rotated here.)
"""

from agentdesk.config_center.basetables import service
from agentdesk.kit.crypto import KeyRing
from agentdesk.storage.database import Database


async def rotate_keys(db: Database, keys: KeyRing, batch: int = 1000) -> int:
    """Re-encrypt every tenant's rows under the active key; returns how many changed."""
    async with db.reader() as session:
        tables = await service.tables_with_rows(session)
    changed = 0
    for table in tables:
        after_id, done = 0, False
        while not done:
            async with db.transaction() as session:
                after_id, count, done = await service.reencrypt_batch(
                    session, table, keys, after_id, batch
                )
            changed += count
    return changed
