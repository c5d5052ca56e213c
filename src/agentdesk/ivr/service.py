"""IVR flow rules: drafts, copies, publishing. Services change rows; the edge commits.

A draft may be incomplete (it is saved as the admin works); publishing checks it fully
(validator.py plus what only the database knows: the skill queues are the tenant's voice or
video queues, the interfaces are mapped to the tenant) and copies it to `published`.
"""

import json
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.called import service as called
from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.config_center.queues import service as queues
from agentdesk.ivr.models import IvrFlow, empty_definition
from agentdesk.ivr.repository import FlowRepository
from agentdesk.ivr.schemas import FlowWrite
from agentdesk.ivr.steps import steps_by_id
from agentdesk.ivr.validator import FlowError, validate
from agentdesk.kit.errors import Conflict, FieldError, ValidationFailed

MAX_DEFINITION_CHARS = 64_000
COPY_SUFFIX = "-copy"


def draft_changed(flow: IvrFlow) -> bool:
    return flow.published is None or flow.published != flow.draft


def step_count(definition: dict | None) -> int:
    steps = (definition or {}).get("steps")
    return len(steps) if isinstance(steps, list) else 0


def as_field_error(problem: FlowError) -> FieldError:
    """A flow problem as the API's field error: `definition.steps.<step>.<field>`."""
    where = f"steps.{problem.step_id}.{problem.field}" if problem.step_id else problem.field
    return FieldError(f"definition.{where}", problem.rule, problem.message_en, problem.message_zh)


async def list_flows(session: AsyncSession, tenant_id: int) -> list[IvrFlow]:
    return await FlowRepository(session, tenant_id).list(order_by=IvrFlow.name)


async def get_flow(session: AsyncSession, tenant_id: int, flow_id: int) -> IvrFlow:
    return await FlowRepository(session, tenant_id).get(flow_id)


async def flows_by_id(session: AsyncSession, tenant_id: int, ids: set[int]) -> dict[int, IvrFlow]:
    """The tenant's flows among `ids` (another tenant's ids are simply absent)."""
    return await FlowRepository(session, tenant_id).by_ids(ids)


async def published_definition(session: AsyncSession, tenant_id: int, flow_id: int) -> dict:
    """What a call runs; Conflict when the flow was never published."""
    flow = await get_flow(session, tenant_id, flow_id)
    if flow.published is None:
        raise Conflict(f"IVR flow {flow.name} is not published", code="not_published")
    return flow.published


def _check_draft(definition: dict) -> None:
    size = len(json.dumps(definition, ensure_ascii=False))
    if size > MAX_DEFINITION_CHARS:
        raise ValidationFailed([FieldError(
            "definition", "max_length",
            f"the definition is at most {MAX_DEFINITION_CHARS} characters of JSON ({size})",
            f"流程定义最多 {MAX_DEFINITION_CHARS} 个字符的 JSON（当前 {size}）",
        )])  # fmt: skip


async def _check_name(repo: FlowRepository, name: str, flow: IvrFlow | None) -> None:
    existing = await repo.by_name(name)
    if existing is not None and (flow is None or existing.id != flow.id):
        raise ValidationFailed([_name_taken(name)])


def _name_taken(name: str) -> FieldError:
    return FieldError(
        "name", "unique", f"an IVR flow named {name} exists", f"已存在名为 {name} 的流程"
    )


async def _flush(session: AsyncSession, name: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer took the name first
        raise ValidationFailed([_name_taken(name)]) from exc


async def create_flow(session: AsyncSession, tenant_id: int, data: FlowWrite) -> IvrFlow:
    repo = FlowRepository(session, tenant_id)
    definition = data.definition if data.definition is not None else empty_definition()
    _check_draft(definition)
    await _check_name(repo, data.name, None)
    flow = repo.add(IvrFlow(name=data.name, description=data.description, draft=definition,
                            published=None, published_version=0))  # fmt: skip
    await _flush(session, data.name)
    return flow


async def update_flow(
    session: AsyncSession, tenant_id: int, flow_id: int, data: FlowWrite
) -> IvrFlow:
    """Rename / describe, and replace the draft when one is given (calls keep running the
    published version until the next publish)."""
    repo = FlowRepository(session, tenant_id)
    flow = await repo.get(flow_id, for_update=True)
    await _check_name(repo, data.name, flow)
    flow.name, flow.description = data.name, data.description
    if data.definition is not None:
        _check_draft(data.definition)
        flow.draft = data.definition
    await _flush(session, data.name)
    return flow


async def copy_flow(
    session: AsyncSession, tenant_id: int, flow_id: int, name: str | None
) -> IvrFlow:
    """A new, unpublished flow whose draft is the source's draft."""
    repo = FlowRepository(session, tenant_id)
    source = await repo.get(flow_id)
    if name is None:
        name = await _free_copy_name(repo, source.name)
    data = FlowWrite(name=name, description=source.description, definition=source.draft)
    return await create_flow(session, tenant_id, data)


async def _free_copy_name(repo: FlowRepository, base: str) -> str:
    for n in range(1, 100):
        suffix = COPY_SUFFIX if n == 1 else f"{COPY_SUFFIX}{n}"
        name = base[: 50 - len(suffix)] + suffix
        if await repo.by_name(name) is None:
            return name
    raise ValidationFailed([_name_taken(base + COPY_SUFFIX)])


async def delete_flow(session: AsyncSession, tenant_id: int, flow_id: int) -> None:
    """Delete a flow nothing refers to. Called numbers and queues are asked (their foreign keys
    would silently drop or clear the reference); a verification method refers to its flow with
    a restricting foreign key. Either way: refused (409), and said so."""
    repo = FlowRepository(session, tenant_id)
    flow = await repo.get(flow_id, for_update=True)
    name = flow.name
    users = [f"called number {n}" for n in await called.routes_to_flow(session, tenant_id, flow_id)]
    users += [
        f"skill queue {n}" for n in await queues.queues_using_flow(session, tenant_id, flow_id)
    ]
    if users:
        raise Conflict(f"IVR flow {name} is still used by: {', '.join(users)}", code="in_use")
    await repo.delete(flow)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"IVR flow {name} is in use (a verification method, an access code or a queue "
            "policy uses it); change those first",
            code="in_use",
        ) from exc


async def reference_problems(
    session: AsyncSession, tenant_id: int, definition: dict
) -> list[FlowError]:
    """Queues and interfaces the steps name that the tenant does not have (or may not use)."""
    steps = steps_by_id(definition).values()
    queue_ids = {s["queue_id"] for s in steps if s.get("type") == "transfer_queue"
                 and isinstance(s.get("queue_id"), int)}  # fmt: skip
    found = await queues.queues_by_id(session, tenant_id, queue_ids)
    mapped = {i.id for i in await interfaces.tenant_interfaces(session, tenant_id)}
    problems = []
    for step in steps:
        if step.get("type") == "transfer_queue":
            queue = found.get(step.get("queue_id"))
            if queue is None:
                problems.append(FlowError(step["id"], "queue_id", "not_found",
                    f"step {step['id']}: skill queue {step.get('queue_id')} does not exist",
                    f"步骤 {step['id']}：技能队列 {step.get('queue_id')} 不存在"))  # fmt: skip
            elif queue.type == "multimedia":
                problems.append(FlowError(step["id"], "queue_id", "queue_type",
                    f"step {step['id']}: an IVR transfers to voice or video queues only",
                    f"步骤 {step['id']}：IVR 只能转接到语音或视频技能队列"))  # fmt: skip
        elif step.get("type") == "interface" and step.get("interface_id") not in mapped:
            problems.append(FlowError(step["id"], "interface_id", "not_found",
                f"step {step['id']}: interface {step.get('interface_id')} is not available "
                "to this tenant (接口管理 / 字典值映射)",
                f"步骤 {step['id']}：接口 {step.get('interface_id')} 未映射到本租户"))  # fmt: skip
    return problems


async def check_definition(session: AsyncSession, tenant_id: int, definition: dict) -> list:
    """Every problem that would stop a publish."""
    problems = validate(definition)
    if not problems:
        problems = await reference_problems(session, tenant_id, definition)
    return problems


async def publish_flow(
    session: AsyncSession, tenant_id: int, flow_id: int, now: datetime
) -> IvrFlow:
    """Check the draft and make it what calls run; 422 naming each step and rule if not."""
    repo = FlowRepository(session, tenant_id)
    flow = await repo.get(flow_id, for_update=True)
    problems = await check_definition(session, tenant_id, flow.draft)
    if problems:
        raise ValidationFailed([as_field_error(p) for p in problems])
    flow.published = json.loads(json.dumps(flow.draft))  # a copy, never the same object
    flow.published_version += 1
    flow.published_at = now
    await session.flush()
    return flow
