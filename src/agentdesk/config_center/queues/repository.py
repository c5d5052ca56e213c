"""Queries over a tenant's skill queues (what other domains have that refers to a queue is
asked through their services: see `service.QueueUsers`)."""

from sqlalchemy import or_, select

from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.storage.repository import TenantRepository
from agentdesk.tenancy.models import Tenant


class QueueRepository(TenantRepository[SkillQueue]):
    model = SkillQueue
    label = "skill queue"

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
