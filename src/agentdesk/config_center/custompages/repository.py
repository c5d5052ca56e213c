"""Queries over a tenant's custom pages and their internal objects."""

from sqlalchemy import delete, select

from agentdesk.config_center.custompages.models import CustomPage, CustomPageObject
from agentdesk.storage.repository import TenantRepository
from agentdesk.tenancy.models import Tenant


class CustomPageRepository(TenantRepository[CustomPage]):
    model = CustomPage
    label = "custom page"

    async def lock_tenant(self) -> None:
        """Serialise writers that check the per-tenant limit (no-op on SQLite: one writer)."""
        stmt = select(Tenant.id).where(Tenant.id == self.tenant_id).with_for_update()
        await self.session.execute(stmt)

    async def by_name(self, name: str) -> CustomPage | None:
        return await self.find(CustomPage.name == name)

    async def objects_of(self, page_ids: list[int]) -> dict[int, list[CustomPageObject]]:
        result: dict[int, list[CustomPageObject]] = {page_id: [] for page_id in page_ids}
        if page_ids:
            stmt = (
                select(CustomPageObject)
                .where(
                    CustomPageObject.tenant_id == self.tenant_id,
                    CustomPageObject.page_id.in_(page_ids),
                )
                .order_by(CustomPageObject.page_id, CustomPageObject.position)
            )
            for row in (await self.session.execute(stmt)).scalars():
                result[row.page_id].append(row)
        return result

    async def replace_objects(self, page_id: int, objects: list[dict]) -> None:
        await self.session.execute(
            delete(CustomPageObject).where(
                CustomPageObject.tenant_id == self.tenant_id, CustomPageObject.page_id == page_id
            )
        )
        self.session.add_all(
            CustomPageObject(tenant_id=self.tenant_id, page_id=page_id, position=i, **obj)
            for i, obj in enumerate(objects)
        )


async def pages_using_interface(session, interface_id: int) -> list[tuple[str, str]]:
    """(tenant code, page name) of every page, of any tenant, using the interface."""
    stmt = (
        select(Tenant.code, CustomPage.name)
        .join(Tenant, Tenant.id == CustomPage.tenant_id)
        .where(CustomPage.interface_id == interface_id)
        .order_by(Tenant.code, CustomPage.name)
    )
    return [tuple(row) for row in await session.execute(stmt)]
