"""Queries over a tenant's access codes and called configurations."""

from sqlalchemy import column, select, table

from agentdesk.config_center.called.models import CalledConfig
from agentdesk.storage.repository import TenantRepository
from agentdesk.tenancy.models import AccessCode

# The IVR flows table, by name only: flows (agentdesk.ivr) sit above the configuration center,
# so an IVR entry checks its flow without importing them (as queue policies do).
IVR_FLOWS = table("ivr_flows", column("id"), column("tenant_id"), column("published_version"))


class AccessCodeRepository(TenantRepository[AccessCode]):
    """Access codes the operations admin assigned to this tenant."""

    model = AccessCode
    label = "access code"


class CalledRepository(TenantRepository[CalledConfig]):
    model = CalledConfig
    label = "called configuration"

    async def with_codes(
        self, *conditions, limit: int | None = None, offset: int = 0
    ) -> list[tuple[CalledConfig, str]]:
        """Configurations with their access code, in dialled-number order."""
        stmt = (
            select(CalledConfig, AccessCode.code)
            .join(AccessCode, AccessCode.id == CalledConfig.access_code_id)
            .where(CalledConfig.tenant_id == self.tenant_id, *conditions)
            .order_by(AccessCode.code, CalledConfig.extension, CalledConfig.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return [(config, code) for config, code in await self.session.execute(stmt)]

    async def routing_to(self, queue_id: int) -> list[tuple[str, str, str]]:
        """(access code, extension, access code type) of the configurations using the queue."""
        stmt = (
            select(AccessCode.code, CalledConfig.extension, AccessCode.type)
            .join(AccessCode, AccessCode.id == CalledConfig.access_code_id)
            .where(CalledConfig.tenant_id == self.tenant_id, CalledConfig.queue_id == queue_id)
            .order_by(AccessCode.code, CalledConfig.extension)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]

    async def published_flow_exists(self, flow_id: int) -> bool:
        stmt = select(IVR_FLOWS.c.id).where(
            IVR_FLOWS.c.id == flow_id,
            IVR_FLOWS.c.tenant_id == self.tenant_id,
            IVR_FLOWS.c.published_version > 0,
        )
        return await self.session.scalar(stmt) is not None

    async def entering_flow(self, flow_id: int) -> list[tuple[str, str]]:
        """(access code, extension) of the IVR entries that start the flow."""
        stmt = (
            select(AccessCode.code, CalledConfig.extension)
            .join(AccessCode, AccessCode.id == CalledConfig.access_code_id)
            .where(CalledConfig.tenant_id == self.tenant_id, CalledConfig.flow_id == flow_id)
            .order_by(AccessCode.code, CalledConfig.extension)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]
