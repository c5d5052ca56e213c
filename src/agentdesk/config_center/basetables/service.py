"""Base-table rules (R-TBL-1, R-TBL-2). Services validate and change rows; the edge commits.

Key material never comes from here: the edge builds the key ring (`data_keys`) from the
application secret and the environment and passes it down.
"""

import json
from collections.abc import Mapping
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.basetables import fields as rules
from agentdesk.config_center.basetables.models import (
    INDEX_BLIND,
    INDEX_NONE,
    INDEX_PLAIN,
    PUBLISHED,
    BaseTable,
    BaseTableRow,
)
from agentdesk.config_center.basetables.repository import (
    RowRepository,
    TableRepository,
    lookup_rows,
)
from agentdesk.config_center.basetables.rowcodec import (
    RowCodec,
    aad_for,
    blind_scope,
    normalise_index,
)
from agentdesk.config_center.basetables.schemas import TableWrite
from agentdesk.kit.clock import Clock
from agentdesk.kit.crypto import KeyRing, data_keyring
from agentdesk.kit.errors import Conflict, FieldError, LimitReached, ValidationFailed


def data_keys(secret_key: str, env: Mapping[str, str]) -> KeyRing:
    """The application's key ring (`kit.crypto.data_keyring`), which base tables use."""
    return data_keyring(secret_key, env)


def index_mode_of(fields: list[dict]) -> str:
    index = rules.index_field(fields)
    if index is None:
        return INDEX_NONE
    return INDEX_BLIND if index["encrypted"] else INDEX_PLAIN


def codec_for(table: BaseTable, keys: KeyRing | None) -> RowCodec:
    return RowCodec(table.fields, keys, table.tenant_id, table.id)


# ---- tables --------------------------------------------------------------------------------


async def list_tables(session: AsyncSession, tenant_id: int) -> list[BaseTable]:
    return await TableRepository(session, tenant_id).list(order_by=BaseTable.id)


async def get_table(
    session: AsyncSession, tenant_id: int, table_id: int, *, for_update: bool = False
) -> BaseTable:
    return await TableRepository(session, tenant_id).get(table_id, for_update=for_update)


async def create_table(session: AsyncSession, tenant_id: int, data: TableWrite) -> BaseTable:
    """Create a table (at most 5 per tenant) with its fields, as a draft."""
    repo = TableRepository(session, tenant_id)
    await repo.lock_tenant()
    if await repo.count() >= rules.MAX_TABLES:
        raise LimitReached(
            "name",
            rules.MAX_TABLES,
            "a tenant has at most {limit} base tables",
            "每个租户最多 {limit} 个基础表",
        )
    table = BaseTable(name=data.name, description=data.description, fields=[], next_field_no=1)
    await _apply(repo, table, data)
    repo.add(table)
    await _flush(session)
    return table


async def update_table(
    session: AsyncSession, tenant_id: int, table_id: int, data: TableWrite
) -> BaseTable:
    """Replace a table's name, description and fields (published: see `fields.py`)."""
    repo = TableRepository(session, tenant_id)
    table = await repo.get(table_id, for_update=True)
    await _apply(repo, table, data)
    table.version += 1
    await _flush(session)
    return table


async def delete_table(session: AsyncSession, tenant_id: int, table_id: int) -> None:
    """Delete a table with its rows and import history."""
    repo = TableRepository(session, tenant_id)
    table = await repo.get(table_id, for_update=True)
    await RowRepository(session, tenant_id, table.id).delete_all()
    await repo.delete(table)
    await session.flush()


async def publish_table(
    session: AsyncSession, tenant_id: int, table_id: int, clock: Clock
) -> BaseTable:
    """Publish [发布] a table: its rows can then be imported and pages can use it."""
    table = await TableRepository(session, tenant_id).get(table_id, for_update=True)
    if table.status == PUBLISHED:
        return table
    if not table.fields:
        raise ValidationFailed.single(
            "fields", "required", "add at least one field before publishing"
        )
    table.status = PUBLISHED
    table.published_at = clock.now()
    table.version += 1
    await session.flush()
    return table


async def _apply(repo: TableRepository, table: BaseTable, data: TableWrite) -> None:
    errors: list[FieldError] = []
    same_name = await repo.by_name(data.name)
    if same_name is not None and same_name.id != table.id:
        errors.append(FieldError("name", "unique", f"base table {data.name} already exists"))
    new = [_field_dict(f) for f in data.fields]
    old = list(table.fields or [])
    known = {f["key"] for f in old}
    for i, f in enumerate(new):
        if f["key"] and f["key"] not in known:
            errors.append(FieldError(f"fields.{i}.key", "not_found", f"no field {f['key']}"))
    errors += rules.check_definition(new)
    published = table.status == PUBLISHED
    if published:
        errors += rules.check_published_change(new, old)
    if errors:
        raise ValidationFailed(errors)
    table.next_field_no = rules.assign_keys_and_slots(new, old, published, table.next_field_no)
    table.name, table.description, table.fields = data.name, data.description, new
    table.index_mode = index_mode_of(new)


def _field_dict(f) -> dict:
    value = f.model_dump()
    value["required"] = value["required"] or value["index"]  # an index value is never empty
    if value["items"] is not None and value["type"] != "dictionary" and not value["items"]:
        value["items"] = None
    return value


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer took the name first
        raise ValidationFailed.single(
            "name", "unique", "a base table with this name exists"
        ) from exc


# ---- rows ----------------------------------------------------------------------------------


def require_published(table: BaseTable) -> None:
    if table.status != PUBLISHED:
        raise Conflict(f"base table {table.name} is not published yet", code="not_published")


async def browse_rows(
    session: AsyncSession,
    tenant_id: int,
    table_id: int,
    keys: KeyRing,
    *,
    q: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[BaseTable, list[tuple[int, dict]], int]:
    """One page of rows with display values; `q` matches the index exactly (also an
    encrypted one, through its blind index) or any unencrypted value in part."""
    table = await get_table(session, tenant_id, table_id)
    codec = codec_for(table, keys)
    q = (q or "").strip()
    index_key = codec.lookup_key(q) if q and codec.index_pos is not None else None
    text = q if codec.plain_slots and q else None
    if q and index_key is None and text is None:
        return table, [], 0
    rows, total = await RowRepository(session, tenant_id, table.id).page(
        index_key=index_key, text=text, limit=page_size, offset=(page - 1) * page_size
    )
    items = [(row_id, codec.shown(codec.decode(*stored))) for row_id, *stored in rows]
    return table, items, total


def is_sensitive(f: dict) -> bool:
    """Encrypted or masked: exported in clear only with DATA_EXPORT_CLEAR."""
    return bool(f["encrypted"] or f["mask"])


def sensitive_fields(table: BaseTable) -> list[str]:
    return [f["name"] for f in table.fields if is_sensitive(f)]


async def export_rows(
    session: AsyncSession, tenant_id: int, table_id: int, keys: KeyRing, *, clear: bool
):
    """The header, then each row's stored values (dictionary keys, dates as stored: what
    an import reads back), in batches. Encrypted and masked fields are in clear when `clear`
    (the edge checks the permission and audits it), otherwise left out: a masked value
    re-imported would replace the real one."""
    table = await get_table(session, tenant_id, table_id)
    codec = codec_for(table, keys)
    keep = [pos for pos, f in enumerate(table.fields) if clear or not is_sensitive(f)]
    repo = RowRepository(session, tenant_id, table.id)
    yield [codec.header[pos] for pos in keep]
    last_id = 0
    while rows := await repo.batch_after(last_id, 2000):
        for _row_id, *stored in rows:
            values = codec.decode(*stored)
            yield [values[pos] for pos in keep]
        last_id = rows[-1][0]


async def rows_for_caller(
    session: AsyncSession,
    tenant_id: int,
    table_id: int,
    caller: str,
    field_names: list[str] | None,
    *,
    keys: KeyRing,
) -> list[dict[str, str]]:
    """Rows of a published table whose index field equals `caller`, as display values
    (dictionary labels, masks) by field name, limited to `field_names` when given.

    One query: the table's definition joined to its matching rows through the unique
    (tenant_id, table_id, index_key) index, probed with the caller number or, for an
    encrypted index field, its blind index. A table without an index field, a draft table
    or another tenant's table gives no rows."""
    value = normalise_index(caller)
    if not value:
        return []
    blind = keys.blind_index(value, scope=blind_scope(tenant_id, table_id))
    found = await lookup_rows(session, tenant_id, table_id, value, blind)
    if not found:
        return []
    wanted = blind if found[0][1] == INDEX_BLIND else value
    codec = _codec(found[0][0], keys, tenant_id, table_id)
    names = set(field_names) if field_names is not None else None
    return [
        codec.shown(codec.decode(key, plain, secret), names)
        for _fields, _mode, key, plain, secret in found
        if key == wanted
    ]


@lru_cache(maxsize=64)
def _codec(fields_json: str, keys: KeyRing, tenant_id: int, table_id: int) -> RowCodec:
    """A table's codec, kept while its definition (the JSON text) stays the same."""
    return RowCodec(json.loads(fields_json), keys, tenant_id, table_id)


# ---- key rotation --------------------------------------------------------------------------


async def reencrypt_batch(
    session: AsyncSession, table: BaseTable, keys: KeyRing, after_id: int, limit: int = 1000
) -> tuple[int, int, bool]:
    """Re-encrypt, under the active key, the next `limit` rows after `after_id` whose
    envelope names another key. Returns (last row id seen, rows re-encrypted, done)."""
    aad = aad_for(table.tenant_id, table.id)
    rows = await RowRepository(session, table.tenant_id, table.id).after_id(after_id, limit)
    changes = [
        {"row_id": row_id, "new_secret": keys.encrypt(keys.decrypt(secret, aad), aad)}
        for row_id, secret in rows
        if keys.needs_rotation(secret)
    ]
    if changes:
        rows_table = BaseTableRow.__table__
        stmt = (
            rows_table.update()
            .where(rows_table.c.id == bindparam("row_id"))
            .values(secret=bindparam("new_secret"))
        )
        await session.execute(stmt, changes)
    last_id = rows[-1][0] if rows else after_id
    return last_id, len(changes), len(rows) < limit


async def reencrypt_table(
    session: AsyncSession, table: BaseTable, keys: KeyRing, batch: int = 1000
) -> int:
    """Re-encrypt every row of a (locked) table under the active key, in batches of one
    transaction, and set its `row_count` from its rows; returns the rows re-encrypted."""
    after_id, changed, done = 0, 0, False
    while not done:
        after_id, count, done = await reencrypt_batch(session, table, keys, after_id, batch)
        changed += count
    table.row_count = await RowRepository(session, table.tenant_id, table.id).count()
    await session.flush()
    return changed


async def tables_with_rows(session: AsyncSession) -> list[BaseTable]:
    """Every tenant's tables that hold rows (key rotation walks them all). By the rows
    themselves, not `row_count`: a counter that missed a write must not hide rows from a
    rotation, after which the old key is dropped and they could no longer be read."""
    has_rows = select(BaseTableRow.id).where(BaseTableRow.table_id == BaseTable.id).exists()
    stmt = select(BaseTable).where(has_rows).order_by(BaseTable.id)
    return list((await session.execute(stmt)).scalars())
