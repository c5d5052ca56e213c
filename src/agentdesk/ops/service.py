"""The operations console's services where tenancy meets its neighbours.

`tenancy` holds the rules of tenants, licences and access codes, but sits below `auth` and the
configuration center, so it can neither create the tenant's admin user nor count the tenant's
agents or called configurations. This module does both and hands tenancy plain numbers.
"""

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.auth.models import User
from agentdesk.auth.passwords import password_errors
from agentdesk.auth.permissions import TENANT_ADMIN
from agentdesk.auth.service import create_user
from agentdesk.config_center.agents.models import Agent
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.kit.errors import ValidationFailed
from agentdesk.tenancy import service as tenancy
from agentdesk.tenancy.models import Tenant
from agentdesk.tenancy.service import AgentUsage


async def agent_usage(session: AsyncSession, tenant_ids: list[int]) -> dict[int, AgentUsage]:
    """Agents per licensed kind for each tenant (tenants without agents are left out)."""
    if not tenant_ids:
        return {}
    stmt = (
        select(
            Agent.tenant_id,
            Agent.agent_type,
            func.count(),
            func.sum(case((Agent.intelligent, 1), else_=0)),
        )
        .where(Agent.tenant_id.in_(tenant_ids))
        .group_by(Agent.tenant_id, Agent.agent_type)
    )
    counts: dict[int, dict[str, int]] = {}
    for tenant_id, agent_type, count, intelligent in await session.execute(stmt):
        row = counts.setdefault(tenant_id, {"intelligent": 0})
        row[agent_type] = row.get(agent_type, 0) + count
        row["intelligent"] += intelligent or 0
    known = set(AgentUsage.__dataclass_fields__)
    return {
        tid: AgentUsage(**{k: v for k, v in row.items() if k in known})
        for tid, row in counts.items()
    }


async def usage_of(session: AsyncSession, tenant_id: int) -> AgentUsage:
    return (await agent_usage(session, [tenant_id])).get(tenant_id, AgentUsage())


async def called_configs_using(session: AsyncSession, access_code_id: int) -> int:
    """How many called configurations [被叫配置] route calls with this access code."""
    stmt = select(func.count()).where(CalledConfig.access_code_id == access_code_id)
    return await session.scalar(stmt) or 0


# ---- tenants -------------------------------------------------------------------------------


async def _check_admin_fields(session: AsyncSession, values: dict) -> None:
    username, password = values.get("admin_username"), values.get("admin_password")
    if username and not password:
        raise ValidationFailed.single("admin_password", "required", "required with a username")
    if password and not username:
        raise ValidationFailed.single("admin_username", "required", "required with a password")
    if username and await session.scalar(select(User.id).where(User.username == username)):
        message = f"username {username} is already taken"
        raise ValidationFailed.single("admin_username", "unique", message)
    if username and (errors := password_errors(password, username, "admin_password")):
        raise ValidationFailed(errors)


async def create_tenant(session: AsyncSession, values: dict) -> Tenant:
    """Create a tenant with its licences and, when a login is given, its tenant admin."""
    await _check_admin_fields(session, values)
    tenant = await tenancy.create_tenant(session, values)
    if values.get("admin_username"):
        await create_user(
            session,
            username=values["admin_username"],
            password=values["admin_password"],
            role=TENANT_ADMIN,
            tenant_id=tenant.id,
            display_name=f"{tenant.name} admin",
        )
    return tenant


async def update_tenant(session: AsyncSession, tenant_id: int, changes: dict) -> Tenant:
    """Change a tenant's name or licences; licences never drop below the agents in use.

    The tenant row is locked first so that an agent created meanwhile is counted.
    """
    tenant = await tenancy.get_tenant(session, tenant_id, for_update=True)
    tenancy.update_tenant(tenant, changes, await usage_of(session, tenant_id))
    await session.flush()
    return tenant


async def delete_tenant(session: AsyncSession, tenant_id: int) -> None:
    """Delete a tenant that has no agents (see `tenancy.service.delete_tenant`)."""
    tenant = await tenancy.get_tenant(session, tenant_id, for_update=True)
    agents = await session.scalar(select(func.count()).where(Agent.tenant_id == tenant_id))
    await tenancy.delete_tenant(session, tenant, agents or 0)


# ---- access codes --------------------------------------------------------------------------


async def update_access_code(session: AsyncSession, code_id: int, changes: dict):
    """Renumber, retype, assign or unassign an access code no routing depends on."""
    code = await tenancy.get_access_code(session, code_id, for_update=True)
    in_use = await called_configs_using(session, code_id)
    return await tenancy.update_access_code(session, code, changes, in_use)


async def delete_access_code(session: AsyncSession, code_id: int) -> None:
    """Delete an access code no called configuration uses."""
    code = await tenancy.get_access_code(session, code_id, for_update=True)
    await tenancy.delete_access_code(session, code, await called_configs_using(session, code_id))
