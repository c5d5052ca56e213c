"""Queries over a tenant's skill queues (what other domains have that refers to a queue is
asked through their services: see `service.QueueUsers`)."""

from sqlalchemy import column, or_, select, table

from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.storage.repository import TenantRepository
from agentdesk.tenancy.models import Tenant

# The IVR flows table, by name only: flows (agentdesk.ivr) sit above the configuration
# center and refer to queues, so a queue policy checks its flow target without importing them.
IVR_FLOWS = table("ivr_flows", column("id"), column("tenant_id"), column("published_version"))


class QueueRepository(TenantRepository[SkillQueue]):
    model = SkillQueue
    label = "skill queue"

    async def published_flow_exists(self, flow_id: int) -> bool:
        stmt = select(IVR_FLOWS.c.id).where(
            IVR_FLOWS.c.id == flow_id,
            IVR_FLOWS.c.tenant_id == self.tenant_id,
            IVR_FLOWS.c.published_version > 0,
        )
        return await self.session.scalar(stmt) is not None

    async def lock_tenant(self) -> None:
        """Serialise writers that check a per-tenant limit (no-op on SQLite: one writer)."""
        stmt = select(Tenant.id).where(Tenant.id == self.tenant_id).with_for_update()
        await self.session.execute(stmt)

    async def by_name(self, name: str) -> SkillQueue | None:
        return await self.find(SkillQueue.name == name)

    async def by_ids(self, ids: set[int]) -> dict[int, SkillQueue]:
        if not ids:
            return {}
        return {q.id: q for q in await self.list(SkillQueue.id.in_(ids))}

    async def using_flow(self, flow_id: int) -> list[SkillQueue]:
        """Queues whose policies transfer to the flow or whose waiting treatment runs it."""
        return await self.list(
            or_(
                SkillQueue.timeout_target_ivr_id == flow_id,
                SkillQueue.overflow_target_ivr_id == flow_id,
                SkillQueue.no_agent_target_ivr_id == flow_id,
                SkillQueue.wait_ivr_id == flow_id,
            ),
        )

    async def transferring_to(self, queue_id: int) -> list[SkillQueue]:
        """Other queues whose policies transfer calls to this one."""
        return await self.list(
            SkillQueue.id != queue_id,
            or_(
                SkillQueue.timeout_target_queue_id == queue_id,
                SkillQueue.overflow_target_queue_id == queue_id,
                SkillQueue.no_agent_target_queue_id == queue_id,
            ),
        )
