"""One resource: a number the platform owns and assigns to at most one tenant.

Access codes [接入码] (what customers dial) and outbound numbers [外呼主叫号码] (what agents
present) are the same thing to the operations admin: a unique number, optionally assigned to a
tenant, listed, created, changed and deleted the same way. `NumberKind` says which table and
how to name it; the rules are written once here. What only access codes have (a media type, and
the called configurations that route with them) is handed in by the caller as a `guard`.
Services never commit; the edge does.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.errors import NotFound, ValidationFailed
from agentdesk.tenancy import repository as repo
from agentdesk.tenancy.models import AccessCode, OutboundNumber, Tenant


@dataclass(frozen=True)
class NumberKind:
    model: type
    field: str  # the number's column and API field
    noun: str  # "access code" / "outbound number", in not-found messages
    taken: str  # "access code {n} already exists" / "number {n} already exists"

    def value_of(self, row) -> str:
        return getattr(row, self.field)

    @property
    def column(self) -> Any:
        return getattr(self.model, self.field)


ACCESS_CODES = NumberKind(AccessCode, "code", "access code", "access code {number} already exists")
OUTBOUND_NUMBERS = NumberKind(
    OutboundNumber, "number", "outbound number", "number {number} already exists"
)

# Checks a change against what depends on the row (raises Conflict); called before applying.
Guard = Callable[[Any, dict], None]


def _taken(kind: NumberKind, number: str) -> ValidationFailed:
    return ValidationFailed.single(kind.field, "unique", kind.taken.format(number=number))


async def _flush_unique(session: AsyncSession, kind: NumberKind, number: str) -> None:
    """Flush; a unique constraint that a concurrent writer beat us to is still a 422."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise _taken(kind, number) from exc


async def _check_free(session, kind: NumberKind, number: str, exclude_id: int | None = None):
    if await repo.find(session, kind.column, number, exclude_id=exclude_id):
        raise _taken(kind, number)


async def check_tenant_exists(session: AsyncSession, tenant_id: int | None) -> None:
    if tenant_id is not None and await repo.get(session, Tenant, tenant_id) is None:
        raise ValidationFailed.single("tenant_id", "exists", f"tenant {tenant_id} does not exist")


async def get(session: AsyncSession, kind: NumberKind, row_id: int, *, for_update=False):
    row = await repo.get(session, kind.model, row_id, for_update=for_update)
    if row is None:
        raise NotFound(f"{kind.noun} {row_id} not found")
    return row


async def page(
    session: AsyncSession,
    kind: NumberKind,
    *,
    tenant_id: int | None,
    assigned: bool | None,
    offset: int,
    limit: int,
):
    """One page of numbers by number, filtered by tenant and by assigned / free."""
    conditions = repo.assignment_filter(kind.model, tenant_id, assigned)
    return await repo.page(
        session, kind.model, *conditions, order_by=kind.column, offset=offset, limit=limit
    )


async def create(session: AsyncSession, kind: NumberKind, values: dict):
    """Add a number to the platform, optionally assigned to a tenant."""
    await _check_free(session, kind, values[kind.field])
    await check_tenant_exists(session, values.get("tenant_id"))
    row = kind.model(**values)
    session.add(row)
    await _flush_unique(session, kind, values[kind.field])
    return row


async def update(
    session: AsyncSession, kind: NumberKind, row, changes: dict, guard: Guard | None = None
):
    """Renumber, assign or unassign a number (and whatever else `changes` names)."""
    if kind.field in changes:
        await _check_free(session, kind, changes[kind.field], exclude_id=row.id)
    if "tenant_id" in changes:
        await check_tenant_exists(session, changes["tenant_id"])
    if guard is not None:
        guard(row, changes)
    for key, value in changes.items():
        setattr(row, key, value)
    await _flush_unique(session, kind, kind.value_of(row))
    return row


async def delete(session: AsyncSession, row) -> None:
    """Remove a number (the caller has refused it first if something depends on it)."""
    await session.delete(row)
    await session.flush()
