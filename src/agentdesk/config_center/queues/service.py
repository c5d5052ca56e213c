"""Skill-queue rules (R-CC-1). Services validate and change rows; the edge commits."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.config_center.queues.repository import QueueRepository
from agentdesk.config_center.queues.schemas import POLICIES, QueueWrite
from agentdesk.kit.errors import Conflict, FieldError, LimitReached, ValidationFailed
from agentdesk.tenancy.params import get_param

VOICE_VIDEO, MULTIMEDIA = "voice_video", "multimedia"


@dataclass(frozen=True)
class QueueUsers:
    """What other domains have that refers to a queue, as plain data.

    Called numbers and agents depend on queues (they import this service), so queues cannot
    ask them; the edge gathers their answers (`called.service.routes_to_queue`,
    `agents.service.serving_queue`) through `UsersOf`, called once the queue is locked."""

    routes: list[tuple[str, str, str]] = field(default_factory=list)  # code, extension, type
    agents: list[tuple[int, str, list[str]]] = field(default_factory=list)  # work no, type, others


UsersOf = Callable[[int], Awaitable[QueueUsers]]


def family_of(queue_type: str) -> str:
    """Media family of a queue type: what access codes and agents it pairs with."""
    return MULTIMEDIA if queue_type == "multimedia" else VOICE_VIDEO


def fits_agent(agent_type: str, queue_type: str) -> bool:
    """Audio/video agents serve voice/video queues, multimedia agents multimedia ones."""
    if agent_type == "allround":
        return True
    return (agent_type == "multimedia") == (queue_type == "multimedia")


async def list_queues(
    session: AsyncSession, tenant_id: int, *, page: int | None = None, page_size: int = 100
) -> tuple[list[SkillQueue], int]:
    """One page of the tenant's queues by name (all of them when `page` is None)."""
    repo = QueueRepository(session, tenant_id)
    limit, offset = (None, 0) if page is None else (page_size, (page - 1) * page_size)
    items = await repo.list(order_by=SkillQueue.name, limit=limit, offset=offset)
    return items, await repo.count()


async def get_queue(session: AsyncSession, tenant_id: int, queue_id: int) -> SkillQueue:
    return await QueueRepository(session, tenant_id).get(queue_id)


async def queues_by_id(session: AsyncSession, tenant_id: int, ids: set[int]) -> dict:
    """The tenant's queues among `ids` (another tenant's ids are simply absent)."""
    return await QueueRepository(session, tenant_id).by_ids(ids)


async def queues_using_flow(session: AsyncSession, tenant_id: int, flow_id: int) -> list[str]:
    """Names of the queues whose policies or waiting treatment use IVR flow `flow_id`."""
    return [q.name for q in await QueueRepository(session, tenant_id).using_flow(flow_id)]


async def create_queue(session: AsyncSession, tenant_id: int, data: QueueWrite) -> SkillQueue:
    """Create a queue within the tenant's limit (system parameter max_skill_queues)."""
    repo = QueueRepository(session, tenant_id)
    await repo.lock_tenant()
    limit = await get_param(session, "max_skill_queues")
    if await repo.count() >= limit:
        raise LimitReached(
            "name",
            limit,
            "a tenant has at most {limit} skill queues (system parameter max_skill_queues)",
            "每个租户最多 {limit} 个技能队列（系统参数 max_skill_queues）",
        )
    values = await _validated(repo, data, None)
    queue = repo.add(SkillQueue(**values))
    await _flush(session)
    return queue


async def update_queue(
    session: AsyncSession, tenant_id: int, queue_id: int, data: QueueWrite, *, users_of: UsersOf
) -> SkillQueue:
    """Replace a queue's settings; a type change must keep everything that refers to it valid."""
    repo = QueueRepository(session, tenant_id)
    queue = await repo.get(queue_id, for_update=True)
    values = await _validated(repo, data, queue)
    if values["type"] != queue.type:
        await _check_type_change(repo, queue, values["type"], await users_of(queue.id))
    for key, value in values.items():
        setattr(queue, key, value)
    await _flush(session)
    return queue


async def delete_queue(
    session: AsyncSession, tenant_id: int, queue_id: int, *, users_of: UsersOf
) -> None:
    """Delete a queue nothing routes to; its agents lose that skill."""
    repo = QueueRepository(session, tenant_id)
    queue = await repo.get(queue_id, for_update=True)
    routes = (await users_of(queue.id)).routes
    users = [f"skill queue {q.name}" for q in await repo.transferring_to(queue.id)]
    users += [f"called number {c}{e}" for c, e, _ in routes]
    if users:
        raise Conflict(
            f"skill queue {queue.name} is still used by: {', '.join(users)}", code="in_use"
        )
    await repo.delete(queue)
    await session.flush()


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer took the name first
        raise ValidationFailed.single(
            "name", "unique", "a skill queue with this name exists"
        ) from exc


async def _validated(repo: QueueRepository, data: QueueWrite, queue: SkillQueue | None) -> dict:
    """The row values for `data`, after the rules that span fields or rows."""
    values = data.model_dump()
    errors: list[FieldError] = []
    existing = await repo.by_name(data.name)
    if existing is not None and (queue is None or existing.id != queue.id):
        errors.append(FieldError("name", "unique", f"skill queue {data.name} already exists"))
    if data.type == "multimedia":
        if data.subtype is None:
            errors.append(FieldError("subtype", "required", "required for multimedia queues"))
        # Waiting and hold treatments exist for voice/video only.
        values["wait_treatment"] = values["hold_treatment"] = "default_tone"
    else:
        values["subtype"] = None
    for prefix in POLICIES:
        errors += await _check_policy(repo, values, prefix, queue)
    errors += await _check_wait_flow(repo, values)
    if errors:
        raise ValidationFailed(errors)
    return values


async def _check_policy(
    repo: QueueRepository, values: dict, prefix: str, queue: SkillQueue | None
) -> list[FieldError]:
    if values[f"{prefix}_action"] == "transfer_ivr":
        values[f"{prefix}_target_queue_id"] = None
        return await _check_flow_target(repo, values, prefix)
    values[f"{prefix}_target_ivr_id"] = None
    field = f"{prefix}_target_queue_id"
    target_id = values[field]
    if values[f"{prefix}_action"] != "transfer_queue":
        values[field] = None
        return []
    if target_id is None:
        return [FieldError(field, "required", "choose the skill queue to transfer to")]
    if queue is not None and target_id == queue.id:
        return [FieldError(field, "self", "a queue cannot transfer to itself")]
    target = (await repo.by_ids({target_id})).get(target_id)
    if target is None:
        return [FieldError(field, "not_found", f"skill queue {target_id} not found")]
    if target.type != values["type"]:
        return [
            FieldError(
                field,
                "type_mismatch",
                f"target queue {target.name} is {target.type}; it must be {values['type']} too",
            )
        ]
    return []


async def _check_flow_target(repo: QueueRepository, values: dict, prefix: str) -> list[FieldError]:
    field = f"{prefix}_target_ivr_id"
    flow_id = values[field]
    if values["type"] == "multimedia":
        return [
            FieldError(
                f"{prefix}_action", "media", "transfer to IVR exists for voice/video queues only"
            )
        ]
    if flow_id is None:
        return [FieldError(field, "required", "choose the IVR flow to transfer to")]
    if not await repo.published_flow_exists(flow_id):
        return [FieldError(field, "not_found", f"IVR flow {flow_id} not found or not published")]
    return []


async def _check_wait_flow(repo: QueueRepository, values: dict) -> list[FieldError]:
    """The IVR waiting treatment [排队等待处理 - IVR]: a published flow of the tenant (voice and
    video queues only: a multimedia queue's treatment was reset to the default tone above)."""
    if values["wait_treatment"] != "ivr":
        values["wait_ivr_id"] = None
        return []
    flow_id = values["wait_ivr_id"]
    if flow_id is None:
        return [
            FieldError("wait_ivr_id", "required", "choose the IVR flow callers run while waiting")
        ]
    if not await repo.published_flow_exists(flow_id):
        return [
            FieldError("wait_ivr_id", "not_found", f"IVR flow {flow_id} not found or not published")
        ]
    return []


async def _check_type_change(
    repo: QueueRepository, queue: SkillQueue, new_type: str, others: QueueUsers
) -> None:
    """Refuse a type that would break transfers, called numbers or agents using this queue."""
    users = [
        f"skill queue {q.name} transfers to it"
        for q in await repo.transferring_to(queue.id)
        if q.type != new_type
    ]
    family = family_of(new_type)
    for code, extension, code_type in others.routes:
        if code_type != family:
            users.append(f"called number {code}{extension} is a {code_type} access code")
    for work_no, agent_type, other_types in others.agents:
        if not fits_agent(agent_type, new_type):
            users.append(f"agent {work_no} is a {agent_type} agent")
        elif agent_type != "allround" and any(family_of(t) != family for t in other_types):
            users.append(f"agent {work_no} serves queues of another media type")
    if users:
        raise ValidationFailed.single(
            "type", "in_use", f"cannot change the type to {new_type}: {'; '.join(users)}"
        )
