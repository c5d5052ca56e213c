"""The published definition of a tenant's flow, as the runtime needs it."""

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.ivr.models import IvrFlow
from agentdesk.ivr.steps import steps_by_id


async def published(session: AsyncSession, tenant_id: int, flow_id: int) -> dict | None:
    """The flow's published definition; None when absent, another tenant's or unpublished."""
    flow = await session.get(IvrFlow, flow_id)
    if flow is None or flow.tenant_id != tenant_id:
        return None
    return flow.published or None


def step_type(definition: dict, step_id: str | None) -> str | None:
    step = steps_by_id(definition).get(step_id) if step_id else None
    return None if step is None else step.get("type")
