"""blind index per tenant and table; row counts from the rows; headers under the key ring

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:30:00

Three data changes, no schema change:

1. Blind indexes: an encrypted index field's rows were keyed by HMAC(blind key, value), the
   same in every tenant and table; they are now keyed under a key derived per tenant and
   table (`KeyRing.blind_index(value, scope="base-table:<tenant>:<table>")`). Every such
   row is re-indexed from its decrypted index value.
2. `base_tables.row_count` is set from the rows (the demo seeding wrote rows without it, and
   key rotation used to skip tables whose count was 0).
3. Interface auth headers sealed the old way (`v1.`, a key of their own derived from the
   secret key) are re-sealed under the application's key ring (`e1.`), so they rotate.

Steps 1 and 3 need the keys, read exactly as the application reads them
(`Settings.from_env()`): `AGENTDESK_SECRET_KEY` or the `secret_key` file of
`AGENTDESK_DATA_DIR` (default `var/`), plus `AGENTDESK_DATA_KEYS` and
`AGENTDESK_BLIND_INDEX_KEY`. So run `agentdesk migrate` with the same environment as the
server. The keys are only read when there is something to re-index or re-seal: a new
database migrates without them. A row that does not open with those keys stops the
migration (nothing is changed: one transaction), rather than leaving rows no lookup finds;
a header that no longer opens is left as it is (it was unusable before, too).
"""

import base64
import hmac
import os

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEP = "\x1f"
LEGACY_HEADER = "v1."
HEADER_AAD = b"external_interfaces.auth_header"

tables = sa.table(
    "base_tables",
    sa.column("id", sa.BigInteger),
    sa.column("tenant_id", sa.BigInteger),
    sa.column("fields", sa.JSON),
    sa.column("index_mode", sa.String),
    sa.column("row_count", sa.Integer),
)
rows = sa.table(
    "base_table_rows",
    sa.column("id", sa.BigInteger),
    sa.column("tenant_id", sa.BigInteger),
    sa.column("table_id", sa.BigInteger),
    sa.column("index_key", sa.String),
    sa.column("secret", sa.LargeBinary),
)
interfaces = sa.table(
    "external_interfaces",
    sa.column("id", sa.BigInteger),
    sa.column("auth_header_sealed", sa.Text),
)


def _app_keys():
    """(key ring, application secret), read as the application reads them."""
    from agentdesk.config import Settings
    from agentdesk.kit.crypto import data_keyring

    settings = Settings.from_env()
    return data_keyring(settings.secret_key, os.environ), settings.secret_key


def _legacy_blind_index(keys, value: str) -> str:
    """The blind index before this revision: one key for every tenant and table (the
    ring's base blind-index key, which scoped keys are now derived from)."""
    digest = hmac.digest(keys._blind_key, value.encode(), "sha256")[:16]  # noqa: SLF001
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _scoped_blind_index(keys, value: str, tenant_id: int, table_id: int) -> str:
    return keys.blind_index(value, scope=f"base-table:{tenant_id}:{table_id}")


def _reindex(bind, keys, index_of) -> int:
    """Recompute the index key of every row of every blind-indexed table."""
    changed = 0
    blind_tables = bind.execute(
        sa.select(tables.c.id, tables.c.tenant_id, tables.c.fields).where(
            tables.c.index_mode == "blind"
        )
    ).all()
    for table_id, tenant_id, fields in blind_tables:
        index = next((f for f in fields or [] if f.get("index") and f.get("encrypted")), None)
        if index is None:
            continue
        aad = f"base-table:{tenant_id}:{table_id}".encode()
        found = bind.execute(
            sa.select(rows.c.id, rows.c.secret).where(
                rows.c.table_id == table_id, rows.c.secret.is_not(None)
            )
        ).all()
        updates = []
        for row_id, secret in found:
            values = keys.decrypt(secret, aad).decode().split(SEP)
            value = values[index["slot"]].strip()
            updates.append({"row_id": row_id, "key": index_of(keys, value, tenant_id, table_id)})
        if updates:
            stmt = (
                rows.update()
                .where(rows.c.id == sa.bindparam("row_id"))
                .values(index_key=sa.bindparam("key"))
            )
            bind.execute(stmt, updates)
            changed += len(updates)
    return changed


def _has_blind_rows(bind) -> bool:
    stmt = (
        sa.select(sa.func.count())
        .select_from(rows.join(tables, rows.c.table_id == tables.c.id))
        .where(tables.c.index_mode == "blind")
    )
    return bind.execute(stmt).scalar_one() > 0


def _sealed_headers(bind, prefix: str) -> list:
    stmt = sa.select(interfaces.c.id, interfaces.c.auth_header_sealed).where(
        interfaces.c.auth_header_sealed.like(prefix + "%")
    )
    return bind.execute(stmt).all()


def _set_header(bind, interface_id: int, sealed: str) -> None:
    bind.execute(
        interfaces.update().where(interfaces.c.id == interface_id).values(auth_header_sealed=sealed)
    )


def _recount(bind) -> None:
    count = (
        sa.select(sa.func.count())
        .select_from(rows)
        .where(rows.c.table_id == tables.c.id)
        .scalar_subquery()
    )
    bind.execute(tables.update().values(row_count=count))


def upgrade() -> None:
    from agentdesk.config_center.interfaces.sealing import UnsealError, unseal

    bind = op.get_bind()
    _recount(bind)
    legacy = _sealed_headers(bind, LEGACY_HEADER)
    if not legacy and not _has_blind_rows(bind):
        return
    keys, secret_key = _app_keys()
    _reindex(bind, keys, _scoped_blind_index)
    for interface_id, sealed in legacy:
        try:
            value = unseal(sealed, secret_key)
        except UnsealError:  # already unusable (the secret changed): the admin re-enters it
            continue
        _set_header(bind, interface_id, keys.encrypt_text(value, HEADER_AAD))


def downgrade() -> None:
    from agentdesk.config_center.interfaces.sealing import seal

    bind = op.get_bind()
    current = _sealed_headers(bind, "e1.")
    if not current and not _has_blind_rows(bind):
        return
    keys, secret_key = _app_keys()
    _reindex(bind, keys, lambda k, value, _t, _b: _legacy_blind_index(k, value))
    for interface_id, sealed in current:
        _set_header(bind, interface_id, seal(keys.decrypt_text(sealed, HEADER_AAD), secret_key))
