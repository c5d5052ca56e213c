"""Which skill queue a dialled number reaches: access code + extension (R-CC-2)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.tenancy.models import AccessCode


async def resolve_called(
    session: AsyncSession, tenant_id: int, dialled: str
) -> tuple[CalledConfig, AccessCode, SkillQueue | None] | None:
    """The called configuration whose access code + extension equals `dialled` exactly.

    "960358" reaches the configuration without extension, "9603581" the one with extension 1;
    when codes overlap ("96" and "960358"), the longest access code wins. An IVR entry
    (device type ivr) has no queue: its flow (`config.flow_id`) decides.
    """
    stmt = (
        select(CalledConfig, AccessCode, SkillQueue)
        .join(AccessCode, AccessCode.id == CalledConfig.access_code_id)
        .outerjoin(SkillQueue, SkillQueue.id == CalledConfig.queue_id)
        .where(CalledConfig.tenant_id == tenant_id, AccessCode.tenant_id == tenant_id)
    )
    matches = [
        (config, code, queue)
        for config, code, queue in (await session.execute(stmt)).all()
        if code.code + config.extension == dialled
    ]
    if not matches:
        return None
    return max(matches, key=lambda m: len(m[1].code))
