"""`agentdesk keys rotate`: re-encrypt every encrypted value under the active key.

Rotation, step by step (README "Key rotation"):

1. put the new key FIRST in `AGENTDESK_DATA_KEYS` (`new:…,old:…`) on every worker and
   restart them: new values are encrypted under it, old ones stay readable;
2. run `agentdesk keys rotate` with the same environment: base-table rows (one transaction
   per table: a table is rotated entirely or not at all) and interface auth headers (also
   those sealed before the key ring existed) are re-encrypted under the new key, with a
   line of progress per table;
3. when it reports nothing left under another key, drop the old key from the list.

Stopped half way (Ctrl-C, a crash), it leaves every value readable; run it again and it
continues with what is still under another key.
"""

import asyncio

from agentdesk.config import Settings
from agentdesk.config_center.basetables.rotation import TableRotated, rotate_keys
from agentdesk.config_center.interfaces.service import reseal_headers
from agentdesk.kit.crypto import data_keyring
from agentdesk.storage.database import Database


def _print_table(done: TableRotated) -> None:
    print(
        f"[{done.n}/{done.of}] tenant {done.tenant_id}, base table {done.table_id} "
        f"({done.name}): {done.changed} of {done.rows} row(s) re-encrypted",
        flush=True,
    )


async def rotate(settings: Settings, batch: int = 1000) -> tuple[int, int]:
    """Rotate rows and headers; returns (rows re-encrypted, headers re-sealed)."""
    keys = data_keyring(settings.secret_key, settings.key_material)
    print(f"active key: {keys.active_id}; keys that still decrypt: {', '.join(keys.key_ids)}")
    db = Database(settings.database_url)
    try:
        rows = await rotate_keys(db, keys, batch=batch, progress=_print_table)
        async with db.transaction() as session:
            headers = await reseal_headers(session, keys, settings.secret_key)
    finally:
        await db.dispose()
    print(f"interface auth headers re-sealed: {headers}")
    print(f"done: {rows} row(s) and {headers} header(s) now under key {keys.active_id}")
    return rows, headers


def cmd_rotate(args) -> int:
    settings = Settings.from_env()
    asyncio.run(rotate(settings, batch=args.batch))
    return 0


def add_commands(sub) -> None:
    keys = sub.add_parser("keys", help="encryption keys (AGENTDESK_DATA_KEYS)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    p = keys_sub.add_parser(
        "rotate",
        help="re-encrypt base-table rows and interface headers under the first key "
        "(resumable, all or nothing per table)",
    )
    p.add_argument("--batch", type=int, default=1000, help="rows read per query")
    p.set_defaults(func=cmd_rotate)
