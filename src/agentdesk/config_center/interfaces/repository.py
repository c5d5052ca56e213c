"""Queries over the platform's interfaces and their tenant mapping."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.interfaces.models import ExternalInterface, InterfaceTenant
from agentdesk.kit.errors import NotFound
from agentdesk.tenancy.models import Tenant


async def get(session: AsyncSession, interface_id: int, *, for_update=False) -> ExternalInterface:
    stmt = select(ExternalInterface).where(ExternalInterface.id == interface_id)
    if for_update:
        stmt = stmt.with_for_update()
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"interface {interface_id} not found")
    return found


async def all_interfaces(session: AsyncSession) -> list[ExternalInterface]:
    stmt = select(ExternalInterface).order_by(ExternalInterface.name)
    return list((await session.execute(stmt)).scalars())


async def by_name(session: AsyncSession, name: str) -> ExternalInterface | None:
    stmt = select(ExternalInterface).where(ExternalInterface.name == name)
    return (await session.execute(stmt)).scalars().first()


async def tenant_ids_of(session: AsyncSession, interface_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {i: [] for i in interface_ids}
    if interface_ids:
        stmt = (
            select(InterfaceTenant.interface_id, InterfaceTenant.tenant_id)
            .where(InterfaceTenant.interface_id.in_(interface_ids))
            .order_by(InterfaceTenant.tenant_id)
        )
        for interface_id, tenant_id in await session.execute(stmt):
            result[interface_id].append(tenant_id)
    return result


async def existing_tenants(session: AsyncSession, tenant_ids: set[int]) -> set[int]:
    if not tenant_ids:
        return set()
    stmt = select(Tenant.id).where(Tenant.id.in_(tenant_ids))
    return set((await session.execute(stmt)).scalars())


async def replace_tenants(session: AsyncSession, interface_id: int, tenant_ids: set[int]) -> None:
    await session.execute(
        delete(InterfaceTenant).where(InterfaceTenant.interface_id == interface_id)
    )
    session.add_all(InterfaceTenant(interface_id=interface_id, tenant_id=t) for t in tenant_ids)


async def mapped_to(session: AsyncSession, tenant_id: int) -> list[ExternalInterface]:
    """The interfaces a tenant may use, by name."""
    stmt = (
        select(ExternalInterface)
        .join(InterfaceTenant, InterfaceTenant.interface_id == ExternalInterface.id)
        .where(InterfaceTenant.tenant_id == tenant_id)
        .order_by(ExternalInterface.name)
    )
    return list((await session.execute(stmt)).scalars())


async def mapped_one(session: AsyncSession, tenant_id: int, interface_id: int) -> ExternalInterface:
    """One interface the tenant may use; NotFound for any other (unmapped looks like absent)."""
    stmt = (
        select(ExternalInterface)
        .join(InterfaceTenant, InterfaceTenant.interface_id == ExternalInterface.id)
        .where(InterfaceTenant.tenant_id == tenant_id, ExternalInterface.id == interface_id)
    )
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"interface {interface_id} not found")
    return found
