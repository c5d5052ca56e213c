"""Called configuration rules (R-CC-2): which skill queue or IVR flow a dialled number reaches."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.called.repository import AccessCodeRepository, CalledRepository
from agentdesk.config_center.called.schemas import CalledWrite
from agentdesk.config_center.queues import service as queues
from agentdesk.kit.errors import FieldError, ValidationFailed
from agentdesk.tenancy.models import AccessCode


def _page(page: int | None, page_size: int) -> tuple[int | None, int]:
    return (None, 0) if page is None else (page_size, (page - 1) * page_size)


async def list_access_codes(session: AsyncSession, tenant_id: int) -> list[AccessCode]:
    """The access codes assigned to the tenant."""
    return await AccessCodeRepository(session, tenant_id).list(order_by=AccessCode.code)


async def list_configs(
    session: AsyncSession, tenant_id: int, *, page: int | None = None, page_size: int = 100
) -> tuple[list[tuple[CalledConfig, str]], int]:
    """One page of (configuration, access code), all of them when `page` is None."""
    repo = CalledRepository(session, tenant_id)
    limit, offset = _page(page, page_size)
    return await repo.with_codes(limit=limit, offset=offset), await repo.count()


async def get_config(
    session: AsyncSession, tenant_id: int, config_id: int
) -> tuple[CalledConfig, str]:
    config = await CalledRepository(session, tenant_id).get(config_id)
    code = await session.get(AccessCode, config.access_code_id)
    return config, code.code


async def create_config(
    session: AsyncSession, tenant_id: int, data: CalledWrite
) -> tuple[CalledConfig, str]:
    """Point access code + extension at a skill queue or an IVR flow."""
    repo = CalledRepository(session, tenant_id)
    code = await _validate(repo, data, None)
    config = repo.add(CalledConfig(**_values(data)))
    await _flush(session)
    return config, code.code


async def update_config(
    session: AsyncSession, tenant_id: int, config_id: int, data: CalledWrite
) -> tuple[CalledConfig, str]:
    """Replace a called configuration."""
    repo = CalledRepository(session, tenant_id)
    config = await repo.get(config_id, for_update=True)
    code = await _validate(repo, data, config)
    for key, value in _values(data).items():
        setattr(config, key, value)
    await _flush(session)
    return config, code.code


async def delete_config(session: AsyncSession, tenant_id: int, config_id: int) -> None:
    repo = CalledRepository(session, tenant_id)
    await repo.delete(await repo.get(config_id, for_update=True))
    await session.flush()


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer configured the same number
        raise ValidationFailed.single(
            "extension", "unique", "this access code and extension are already configured"
        ) from exc


def _values(data: CalledWrite) -> dict:
    """The row: only the target of the chosen device type is kept."""
    values = data.model_dump()
    if data.device_type == "ivr":
        values["queue_id"] = None
    else:
        values["flow_id"] = None
    return values


async def _validate(repo: CalledRepository, data: CalledWrite, config: CalledConfig | None):
    """The access code, once the tenant owns it and the target and number fit."""
    code = await AccessCodeRepository(repo.session, repo.tenant_id).find(
        AccessCode.id == data.access_code_id
    )
    if code is None:
        raise ValidationFailed.single(
            "access_code_id", "not_found", "not an access code assigned to this tenant"
        )
    if data.device_type == "ivr":
        errors = await _check_flow(repo, code, data.flow_id)
    else:
        errors = await _check_queue(repo, code, data.queue_id)
    errors += await _check_number(repo, code, data.extension, config)
    if errors:
        raise ValidationFailed(errors)
    return code


async def _check_queue(
    repo: CalledRepository, code: AccessCode, queue_id: int | None
) -> list[FieldError]:
    if queue_id is None:
        return [FieldError("queue_id", "required", "choose the skill queue the number reaches")]
    queue = (await queues.queues_by_id(repo.session, repo.tenant_id, {queue_id})).get(queue_id)
    if queue is None:
        return [FieldError("queue_id", "not_found", f"skill queue {queue_id} not found")]
    if queues.family_of(queue.type) != code.type:
        return [
            FieldError(
                "queue_id",
                "media_type",
                f"skill queue {queue.name} is {queue.type}; access code {code.code} "
                f"needs a {code.type.replace('_', '/')} queue",
            )
        ]
    return []


async def _check_flow(
    repo: CalledRepository, code: AccessCode, flow_id: int | None
) -> list[FieldError]:
    """An IVR entry: a published flow of the tenant, on an audio/video access code."""
    if code.type != queues.VOICE_VIDEO:
        return [
            FieldError(
                "device_type",
                "media_type",
                f"access code {code.code} is multimedia; an IVR answers audio/video calls only",
            )
        ]
    if flow_id is None:
        return [FieldError("flow_id", "required", "choose the IVR flow the number starts")]
    if not await repo.published_flow_exists(flow_id):
        return [
            FieldError("flow_id", "not_found", f"IVR flow {flow_id} not found or not published")
        ]
    return []


async def _check_number(
    repo: CalledRepository, code: AccessCode, extension: str, config: CalledConfig | None
) -> list[FieldError]:
    """Each dialled number reaches one queue: no duplicate code + extension, no overlap."""
    dialled = code.code + extension
    for other, other_code in await repo.with_codes():
        if config is not None and other.id == config.id:
            continue
        if other.access_code_id == code.id and other.extension == extension:
            shown = f"extension {extension}" if extension else "no extension"
            message = f"access code {code.code} with {shown} is already configured"
            return [FieldError("extension", "unique", message)]
        if other_code + other.extension == dialled:
            message = f"{dialled} is already reached through access code {other_code}"
            return [FieldError("extension", "unique", message)]
    return []


async def routes_to_queue(
    session: AsyncSession, tenant_id: int, queue_id: int
) -> list[tuple[str, str, str]]:
    """(access code, extension, access code type) of every called number reaching the queue."""
    return await CalledRepository(session, tenant_id).routing_to(queue_id)


async def routes_to_flow(session: AsyncSession, tenant_id: int, flow_id: int) -> list[str]:
    """The dialled numbers (access code + extension) whose IVR entry starts the flow."""
    return [
        code + ext
        for code, ext in await CalledRepository(session, tenant_id).entering_flow(flow_id)
    ]
