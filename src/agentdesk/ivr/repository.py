"""Queries over a tenant's IVR flows."""

from agentdesk.ivr.models import IvrFlow
from agentdesk.storage.repository import TenantRepository


class FlowRepository(TenantRepository[IvrFlow]):
    model = IvrFlow
    label = "IVR flow"

    async def by_name(self, name: str) -> IvrFlow | None:
        return await self.find(IvrFlow.name == name)

    async def by_ids(self, ids: set[int]) -> dict[int, IvrFlow]:
        if not ids:
            return {}
        return {f.id: f for f in await self.list(IvrFlow.id.in_(ids))}
