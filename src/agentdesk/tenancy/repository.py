"""Queries of the platform-owned tables: tenants, access codes, outbound numbers.

These rows belong to the platform, not to a tenant, so they do not go through the
tenant-scoped repository base; only operations admins reach them (see the platform API).
"""

from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.tenancy.models import AccessCode, OutboundNumber, Tenant

M = TypeVar("M", Tenant, AccessCode, OutboundNumber)


async def get(session: AsyncSession, model: type[M], id_: int, *, for_update: bool = False):
    """The row with this id (locked when asked), or None."""
    stmt = select(model).where(model.id == id_)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def find(session: AsyncSession, column: Any, value: Any, *, exclude_id: int | None = None):
    """The first row whose `column` equals `value` (another row than `exclude_id`), or None."""
    model = column.class_
    stmt = select(model).where(column == value)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def page(
    session: AsyncSession,
    model: type[M],
    *conditions: Any,
    order_by: Any,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[M], int]:
    """One page of rows matching `conditions`, and how many match in all."""
    stmt = select(model).where(*conditions).order_by(order_by, model.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    items = list((await session.execute(stmt)).scalars())
    total = await session.scalar(select(func.count()).select_from(model).where(*conditions))
    return items, total or 0


def assignment_filter(
    model: type[AccessCode] | type[OutboundNumber], tenant_id: int | None, assigned: bool | None
) -> list:
    """Conditions for "assigned to this tenant" and "assigned to anyone / to nobody"."""
    conditions = []
    if tenant_id is not None:
        conditions.append(model.tenant_id == tenant_id)
    if assigned is not None:
        conditions.append(model.tenant_id.is_not(None) if assigned else model.tenant_id.is_(None))
    return conditions
