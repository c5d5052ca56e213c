"""Which skill queue a dialled number reaches: access code + extension (R-CC-2)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.queues import service as queues
from agentdesk.tenancy.models import AccessCode


async def resolve_called(session: AsyncSession, tenant_id: int, dialled: str) -> tuple | None:
    """(called configuration, access code, skill queue or None) whose access code + extension
    equals `dialled` exactly.

    "960358" reaches the configuration without extension, "9603581" the one with extension 1;
    when codes overlap ("96" and "960358"), the longest access code wins. An IVR entry
    (device type ivr) has no queue: its flow (`config.flow_id`) decides. The queue is asked
    of the queue service (a peer's rows come through its service, never its model).
    """
    stmt = (
        select(CalledConfig, AccessCode)
        .join(AccessCode, AccessCode.id == CalledConfig.access_code_id)
        .where(CalledConfig.tenant_id == tenant_id, AccessCode.tenant_id == tenant_id)
    )
    matches = [
        (config, code)
        for config, code in (await session.execute(stmt)).all()
        if code.code + config.extension == dialled
    ]
    if not matches:
        return None
    config, code = max(matches, key=lambda m: len(m[1].code))
    if config.queue_id is None:
        return config, code, None
    queue = (await queues.queues_by_id(session, tenant_id, {config.queue_id})).get(config.queue_id)
    return None if queue is None else (config, code, queue)
