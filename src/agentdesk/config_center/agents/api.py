"""REST API of agent management [座席管理]: /api/config/agents (tenant admins)."""

from fastapi import APIRouter, Depends, Query, Response

from agentdesk.auth.deps import TenantAdmin, require_tenant
from agentdesk.auth.permissions import CONFIG_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.agents import service
from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.config_center.agents.schemas import (
    AgentBatch,
    AgentList,
    AgentRead,
    AgentWrite,
    BatchResult,
    SkillRead,
)
from agentdesk.kit.validation import Id, PageNumber
from agentdesk.resources import Db

router = APIRouter(prefix="/api/config/agents", tags=["config: agents"])
admin = require_tenant(CONFIG_MANAGE)


def _read(agent: Agent, skills: list[AgentSkill]) -> AgentRead:
    columns = {name: getattr(agent, name) for name in AgentRead.model_fields if name != "skills"}
    return AgentRead(**columns, skills=[SkillRead.model_validate(s) for s in skills])


@router.get("", response_model=AgentList)
async def list_agents(
    db: Db,
    page: PageNumber | None = Query(None, description="omit for every agent"),
    page_size: int = Query(100, ge=1, le=1000),
    principal: Principal = Depends(admin),
) -> AgentList:
    """List the tenant's agents by work number, with their skills."""
    async with db.reader() as session:
        rows, total = await service.list_agents(
            session, principal.tenant_id, page=page, page_size=page_size
        )
        return AgentList(items=[_read(*row) for row in rows], total=total)


@router.post("", response_model=AgentRead, status_code=201)
async def create_agent(body: AgentWrite, db: Db, principal: TenantAdmin) -> AgentRead:
    """Configure an agent."""
    async with db.transaction() as session:
        return _read(*await service.create_agent(session, principal.tenant_id, body))


@router.post("/batch", response_model=BatchResult)
async def batch_configure(body: AgentBatch, db: Db, principal: TenantAdmin) -> BatchResult:
    """Create or update many agents at once (work-number list or range), all or nothing."""
    async with db.transaction() as session:
        rows, created = await service.batch_configure(session, principal.tenant_id, body)
        items = [_read(*row) for row in rows]
    return BatchResult(items=items, created=created, updated=len(items) - created, total=len(items))


@router.get("/{agent_id}", response_model=AgentRead)
async def show_agent(agent_id: Id, db: Db, principal: TenantAdmin) -> AgentRead:
    """One agent."""
    async with db.reader() as session:
        return _read(*await service.get_agent(session, principal.tenant_id, agent_id))


@router.put("/{agent_id}", response_model=AgentRead)
async def update_agent(agent_id: Id, body: AgentWrite, db: Db, principal: TenantAdmin) -> AgentRead:
    """Replace an agent's settings and skills."""
    async with db.transaction() as session:
        return _read(*await service.update_agent(session, principal.tenant_id, agent_id, body))


@router.delete("/{agent_id}", status_code=204)
async def delete_agent(agent_id: Id, db: Db, principal: TenantAdmin) -> Response:
    """Delete an agent and its skills."""
    async with db.transaction() as session:
        await service.delete_agent(session, principal.tenant_id, agent_id)
    return Response(status_code=204)
