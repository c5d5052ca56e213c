"""The internal interface [内部接口] of custom pages: objects over the tenant's base tables.

These two functions are the only places custom pages touch base tables (through the
base-table service): checking an object when a page is saved or published, and reading the
caller's row of each object's table when the page is shown. Objects keep field *names*, as the
admin chose them; a field renamed in its table afterwards is reported by the next save or
publish and left out of the page until then.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.basetables import service as base_tables
from agentdesk.kit.crypto import KeyRing
from agentdesk.kit.errors import Conflict, DomainError, FieldError, NotFound


async def validate_internal_object(
    session: AsyncSession, tenant_id: int, table_id: int, fields: list[str]
) -> list[FieldError]:
    """What is wrong with one object: its table must be one of the tenant's published base
    tables with an index field (rows are found by the caller number), holding every chosen
    field. Field names in the errors are relative to the object ("table_id", "fields")."""
    try:
        table = await base_tables.get_table(session, tenant_id, table_id)
    except NotFound:
        return [FieldError("table_id", "not_found", f"base table {table_id} not found")]
    errors = []
    try:
        base_tables.require_published(table)
    except Conflict as exc:
        errors.append(FieldError("table_id", "not_published", exc.message))
    if not any(f["index"] for f in table.fields):
        errors.append(
            FieldError(
                "table_id",
                "no_index",
                f"base table {table.name} has no index field, so no row can be found by the "
                "caller number",
            )
        )
    known = {f["name"] for f in table.fields}
    unknown = [name for name in fields if name not in known]
    if unknown:
        errors.append(
            FieldError(
                "fields",
                "not_found",
                f"base table {table.name} has no field {', '.join(unknown)}",
            )
        )
    return errors


def _field(meta: dict, row: dict[str, str]) -> dict:
    return {
        "label": meta["name"],
        "display": row.get(meta["name"], ""),
        "mandatory": bool(meta.get("required") or meta.get("index")),
        "type": meta["type"],
        "masked": bool(meta.get("mask")),
    }


async def render_internal_objects(
    session: AsyncSession, tenant_id: int, objects: list[dict], caller: str, *, keys: KeyRing
) -> list[dict]:
    """The display objects `[{"name", "fields": [{"label", "display", "mandatory", "type",
    "masked"}]}]` of `objects` (each {"name", "table_id", "fields"}): the row whose index field
    equals `caller` in each object's table, values as the table shows them (dictionary labels,
    masks). An object whose table has no row for the caller is left out."""
    shown = []
    for obj in objects:
        try:
            table = await base_tables.get_table(session, tenant_id, obj["table_id"])
        except NotFound:
            raise DomainError(f"the base table of object {obj['name']} no longer exists") from None
        rows = await base_tables.rows_for_caller(
            session, tenant_id, table.id, caller, obj["fields"], keys=keys
        )
        if not rows:
            continue
        meta = {f["name"]: f for f in table.fields}
        fields = [_field(meta[name], rows[0]) for name in obj["fields"] if name in meta]
        shown.append({"name": obj["name"], "fields": fields})
    return shown
