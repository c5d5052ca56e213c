"""Queries over a tenant's agents and their skills."""

from collections.abc import Iterable

from sqlalchemy import delete, func, select

from agentdesk.auth.models import User
from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.storage.repository import TenantRepository
from agentdesk.tenancy.models import Tenant


class AgentRepository(TenantRepository[Agent]):
    model = Agent
    label = "agent"

    async def lock_tenant(self) -> Tenant:
        """The tenant with its licences, locked so concurrent writers count one at a time."""
        stmt = select(Tenant).where(Tenant.id == self.tenant_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one()

    async def by_work_nos(self, work_nos: Iterable[int]) -> dict[int, Agent]:
        work_nos = list(work_nos)
        if not work_nos:
            return {}
        return {a.work_no: a for a in await self.list(Agent.work_no.in_(work_nos))}

    async def tenant_user(self, user_id: int) -> User | None:
        return await self.session.scalar(
            select(User).where(User.id == user_id, User.tenant_id == self.tenant_id)
        )

    async def type_counts(self, exclude_ids: Iterable[int] = ()) -> dict[str, int]:
        """Agents per agent type (key "intelligent": agents with that flag), minus `exclude_ids`."""
        conditions = [Agent.tenant_id == self.tenant_id]
        if exclude := list(exclude_ids):
            conditions.append(Agent.id.not_in(exclude))
        stmt = select(Agent.agent_type, func.count()).where(*conditions).group_by(Agent.agent_type)
        counts = dict((await self.session.execute(stmt)).all())
        intelligent = select(func.count()).where(*conditions, Agent.intelligent.is_(True))
        counts["intelligent"] = (await self.session.execute(intelligent)).scalar_one()
        return counts

    async def skills_of(self, agent_ids: Iterable[int]) -> dict[int, list[AgentSkill]]:
        ids = list(agent_ids)
        result: dict[int, list[AgentSkill]] = {i: [] for i in ids}
        if not ids:
            return result
        stmt = (
            select(AgentSkill)
            .where(AgentSkill.tenant_id == self.tenant_id, AgentSkill.agent_id.in_(ids))
            .order_by(AgentSkill.skill_weight.desc(), AgentSkill.id)
        )
        for skill in await self.session.scalars(stmt):
            result[skill.agent_id].append(skill)
        return result

    async def replace_skills(self, agent_ids: list[int], skills: list[tuple[int, int]]) -> None:
        """Give each agent exactly `skills` [(queue_id, skill_weight)]."""
        # A statement, not ORM deletes: the unit of work would insert the new rows first and
        # trip the (agent_id, queue_id) unique constraint.
        await self.session.execute(
            delete(AgentSkill).where(
                AgentSkill.tenant_id == self.tenant_id, AgentSkill.agent_id.in_(agent_ids)
            )
        )
        self.session.add_all(
            AgentSkill(tenant_id=self.tenant_id, agent_id=a, queue_id=q, skill_weight=w)
            for a in agent_ids
            for q, w in skills
        )

    async def serving(self, queue_id: int) -> list[tuple[Agent, list[int]]]:
        """Agents with this skill, each with the ids of its other skill queues."""
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
        stmt = select(AgentSkill.agent_id, AgentSkill.queue_id).where(
            AgentSkill.agent_id.in_([a.id for a in agents]), AgentSkill.queue_id != queue_id
        )
        others: dict[int, list[int]] = {}
        for agent_id, other in await self.session.execute(stmt):
            others.setdefault(agent_id, []).append(other)
        return [(agent, others.get(agent.id, [])) for agent in agents]
