"""Queries of the screen-pop domain: tenant-scoped pages and parameters."""

from sqlalchemy import func, select

from agentdesk.config_center.screenpop.models import PopPage, PopParam
from agentdesk.storage.repository import TenantRepository


class PopPageRepository(TenantRepository[PopPage]):
    model = PopPage
    label = "pop page"

    async def in_tab(self, tab: str, *, enabled_only: bool = False) -> list[PopPage]:
        conditions = [PopPage.tab == tab]
        if enabled_only:
            conditions.append(PopPage.enabled.is_(True))
        return await self.list(*conditions, order_by=PopPage.position)

    async def next_position(self, tab: str) -> int:
        stmt = select(func.max(PopPage.position)).where(
            PopPage.tenant_id == self.tenant_id, PopPage.tab == tab
        )
        return ((await self.session.execute(stmt)).scalar_one() or 0) + 1

    async def param_counts(self, page_ids: list[int]) -> dict[int, int]:
        if not page_ids:
            return {}
        stmt = (
            select(PopParam.page_id, func.count())
            .where(PopParam.tenant_id == self.tenant_id, PopParam.page_id.in_(page_ids))
            .group_by(PopParam.page_id)
        )
        return dict((await self.session.execute(stmt)).all())


class PopParamRepository(TenantRepository[PopParam]):
    model = PopParam
    label = "pop parameter"

    async def of_page(self, page_id: int) -> list[PopParam]:
        return await self.list(PopParam.page_id == page_id, order_by=PopParam.position)

    async def of_pages(self, page_ids: list[int]) -> dict[int, list[PopParam]]:
        result: dict[int, list[PopParam]] = {page_id: [] for page_id in page_ids}
        if page_ids:
            rows = await self.list(PopParam.page_id.in_(page_ids), order_by=PopParam.position)
            for row in rows:
                result[row.page_id].append(row)
        return result
