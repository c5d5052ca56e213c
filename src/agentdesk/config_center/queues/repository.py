"""Queries over a tenant's skill queues, and over what refers to them."""

from sqlalchemy import column, or_, select, table

from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.storage.repository import TenantRepository
from agentdesk.tenancy.models import AccessCode, Tenant

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

    async def access_codes_routing_to(self, queue_id: int) -> list[tuple[str, str, str]]:
        """(access code, extension, access code type) of the called configurations using it."""
        stmt = (
            select(AccessCode.code, CalledConfig.extension, AccessCode.type)
            .join(AccessCode, AccessCode.id == CalledConfig.access_code_id)
            .where(CalledConfig.tenant_id == self.tenant_id, CalledConfig.queue_id == queue_id)
            .order_by(AccessCode.code, CalledConfig.extension)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]

    async def agents_serving(self, queue_id: int) -> list[tuple[Agent, list[str]]]:
        """Agents with this skill, each with the types of all its other skill queues."""
        agents = list(
            await self.session.scalars(
                select(Agent)
                .join(AgentSkill, AgentSkill.agent_id == Agent.id)
                .where(Agent.tenant_id == self.tenant_id, AgentSkill.queue_id == queue_id)
                .order_by(Agent.work_no)
            )
        )
        if not agents:
            return []
        stmt = (
            select(AgentSkill.agent_id, SkillQueue.type)
            .join(SkillQueue, SkillQueue.id == AgentSkill.queue_id)
            .where(AgentSkill.agent_id.in_([a.id for a in agents]), AgentSkill.queue_id != queue_id)
        )
        others: dict[int, list[str]] = {}
        for agent_id, queue_type in await self.session.execute(stmt):
            others.setdefault(agent_id, []).append(queue_type)
        return [(agent, others.get(agent.id, [])) for agent in agents]
