"""Agent rules (R-CC-3): work numbers, skills that fit the agent type, licences, batches."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.config_center.agents.repository import AgentRepository
from agentdesk.config_center.agents.schemas import (
    MAX_BATCH,
    AgentBatch,
    AgentSettings,
    AgentWrite,
)
from agentdesk.config_center.queues import service as queues
from agentdesk.kit.errors import FieldError, ValidationFailed
from agentdesk.tenancy.models import Tenant

AgentWithSkills = tuple[Agent, list[AgentSkill]]
LICENCE_FIELDS = {
    "audio": "licence_audio",
    "video": "licence_video",
    "multimedia": "licence_multimedia",
    "allround": "licence_allround",
    "intelligent": "licence_intelligent",
}
LICENCE_ZH = {
    "audio": "音频",
    "video": "视频",
    "multimedia": "多媒体",
    "allround": "全能",
    "intelligent": "智能识别",
}


async def is_agent(session: AsyncSession, tenant_id: int, user_id: int) -> bool:
    """Whether this business account is configured as an agent (can use the workbench)."""
    found = await session.scalar(
        select(Agent.id).where(Agent.tenant_id == tenant_id, Agent.user_id == user_id)
    )
    return found is not None


async def list_agents(
    session: AsyncSession, tenant_id: int, *, page: int | None = None, page_size: int = 100
) -> tuple[list[AgentWithSkills], int]:
    """One page of the tenant's agents by work number (all of them when `page` is None)."""
    repo = AgentRepository(session, tenant_id)
    limit, offset = (None, 0) if page is None else (page_size, (page - 1) * page_size)
    agents = await repo.list(order_by=Agent.work_no, limit=limit, offset=offset)
    skills = await repo.skills_of(a.id for a in agents)
    return [(a, skills[a.id]) for a in agents], await repo.count()


async def get_agent(session: AsyncSession, tenant_id: int, agent_id: int) -> AgentWithSkills:
    repo = AgentRepository(session, tenant_id)
    agent = await repo.get(agent_id)
    return agent, (await repo.skills_of([agent.id]))[agent.id]


async def create_agent(session: AsyncSession, tenant_id: int, data: AgentWrite) -> AgentWithSkills:
    """Configure an agent within the tenant's licences."""
    return await _write(AgentRepository(session, tenant_id), None, data)


async def update_agent(
    session: AsyncSession, tenant_id: int, agent_id: int, data: AgentWrite
) -> AgentWithSkills:
    """Replace an agent's settings and skills."""
    return await _write(AgentRepository(session, tenant_id), agent_id, data)


async def delete_agent(session: AsyncSession, tenant_id: int, agent_id: int) -> None:
    repo = AgentRepository(session, tenant_id)
    await repo.delete(await repo.get(agent_id, for_update=True))
    await session.flush()


async def serving_queue(
    session: AsyncSession, tenant_id: int, queue_id: int
) -> list[tuple[int, str, list[str]]]:
    """(work number, agent type, types of its other skill queues) of the queue's agents."""
    served = await AgentRepository(session, tenant_id).serving(queue_id)
    others = {queue_id for _, ids in served for queue_id in ids}
    found = await queues.queues_by_id(session, tenant_id, others)
    return [
        (agent.work_no, agent.agent_type, [found[i].type for i in ids if i in found])
        for agent, ids in served
    ]


async def batch_configure(
    session: AsyncSession, tenant_id: int, data: AgentBatch
) -> tuple[list[AgentWithSkills], int]:
    """Create or update every agent of a work-number list or range with the same settings.

    All or nothing: any broken rule refuses the whole batch, naming each offending row.
    Returns the agents and how many of them were created.
    """
    repo = AgentRepository(session, tenant_id)
    work_nos = _batch_work_nos(data)
    tenant = await repo.lock_tenant()
    existing = await repo.by_work_nos(work_nos)
    errors = await _check_skills(repo, data)
    errors += await _check_licences(repo, tenant, [e.id for e in existing.values()], data, work_nos)
    if errors:
        raise ValidationFailed(errors)
    settings = data.model_dump(include=set(AgentSettings.model_fields) - {"skills"})
    agents = []
    for work_no in work_nos:
        agent = existing.get(work_no) or repo.add(Agent(work_no=work_no))
        for key, value in settings.items():
            setattr(agent, key, value)
        agents.append(agent)
    await _flush(session)
    await repo.replace_skills([a.id for a in agents], _skill_pairs(data))
    skills = await repo.skills_of(a.id for a in agents)
    return [(a, skills[a.id]) for a in agents], len(work_nos) - len(existing)


def _batch_work_nos(data: AgentBatch) -> list[int]:
    """The batch's work numbers: the list or the range, never both."""
    ranged = data.range is not None or data.range_start is not None or data.range_end is not None
    if data.work_nos and ranged:
        raise ValidationFailed.single("range", "exclusive", "give a list or a range, not both")
    if ranged:
        return _range_work_nos(data)
    if not data.work_nos:
        raise ValidationFailed.single("work_nos", "required", "give work numbers or a range")
    return _listed_work_nos(data.work_nos)


def _range_work_nos(data: AgentBatch) -> list[int]:
    """`range` {start, end} as the admin UI sends it, or flat range_start / range_end."""
    if data.range is not None:
        prefix, start, end = "range.", data.range.start, data.range.end
    else:
        prefix, start, end = "range_", data.range_start, data.range_end
    missing = [(name, value) for name, value in (("start", start), ("end", end)) if value is None]
    if missing:
        raise ValidationFailed(
            [FieldError(f"{prefix}{n}", "missing", "required") for n, _ in missing]
        )
    if end < start:
        raise ValidationFailed.single(f"{prefix}end", "order", "must not be below the start")
    if end - start + 1 > MAX_BATCH:
        message = f"at most {MAX_BATCH} work numbers at once"
        raise ValidationFailed.single(f"{prefix}end", "too_many", message)
    return list(range(start, end + 1))


def _listed_work_nos(work_nos: list[int]) -> list[int]:
    """The list as given; each repeated work number is an error on its own row."""
    seen: set[int] = set()
    errors = []
    for index, work_no in enumerate(work_nos):
        if work_no in seen:
            message = f"{work_no} is listed twice"
            errors.append(FieldError(f"work_nos.{index}", "duplicate", message))
        seen.add(work_no)
    if errors:
        raise ValidationFailed(errors)
    return list(work_nos)


async def _write(repo: AgentRepository, agent_id: int | None, data: AgentWrite) -> AgentWithSkills:
    # The tenant row first, as every agent writer does: one lock order, no deadlocks.
    tenant = await repo.lock_tenant()
    agent = None if agent_id is None else await repo.get(agent_id, for_update=True)
    errors = await _check_work_no(repo, agent, data.work_no)
    errors += await _check_user(repo, agent, data.user_id)
    errors += await _check_skills(repo, data)
    kept = [agent.id] if agent is not None else []
    errors += await _check_licences(repo, tenant, kept, data, [data.work_no])
    if errors:
        raise ValidationFailed(errors)
    if agent is None:
        agent = repo.add(Agent())
    for key, value in data.model_dump(exclude={"skills"}).items():
        setattr(agent, key, value)
    await _flush(repo.session)
    await repo.replace_skills([agent.id], _skill_pairs(data))
    return agent, (await repo.skills_of([agent.id]))[agent.id]


def _skill_pairs(data: AgentSettings) -> list[tuple[int, int]]:
    return [(s.queue_id, s.skill_weight) for s in data.skills]


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer took the work number or the account
        raise ValidationFailed.single(
            "work_no", "unique", "work number or business account already in use"
        ) from exc


async def _check_work_no(repo: AgentRepository, agent: Agent | None, work_no: int) -> list:
    other = (await repo.by_work_nos([work_no])).get(work_no)
    if other is not None and (agent is None or other.id != agent.id):
        return [FieldError("work_no", "unique", f"work number {work_no} is already configured")]
    return []


async def _check_user(repo: AgentRepository, agent: Agent | None, user_id: int | None) -> list:
    """The business account must be the tenant's and not another agent's."""
    if user_id is None:
        return []
    user = await repo.tenant_user(user_id)
    if user is None:
        return [FieldError("user_id", "not_found", f"business account {user_id} not found")]
    other = await repo.find(Agent.user_id == user_id)
    if other is not None and (agent is None or other.id != agent.id):
        message = f"{user.username} is already agent {other.work_no}"
        return [FieldError("user_id", "unique", message)]
    return []


async def _check_skills(repo: AgentRepository, data: AgentSettings) -> list[FieldError]:
    """Skill queues exist, are listed once, fit the agent type and share one media type."""
    ids = {s.queue_id for s in data.skills}
    found = await queues.queues_by_id(repo.session, repo.tenant_id, ids)
    errors, seen = [], set()
    for index, skill in enumerate(data.skills):
        field = f"skills.{index}.queue_id"
        queue = found.get(skill.queue_id)
        if queue is None:
            errors.append(FieldError(field, "not_found", f"skill queue {skill.queue_id} not found"))
        elif skill.queue_id in seen:
            errors.append(
                FieldError(field, "duplicate", f"skill queue {queue.name} is listed twice")
            )
        seen.add(skill.queue_id)
    if errors or data.agent_type == "allround":
        return errors
    if len({queues.family_of(q.type) for q in found.values()}) > 1:
        message = "an agent's skill queues must share one media type unless it is all-round"
        return [FieldError("skills", "mixed_media", message)]
    for index, skill in enumerate(data.skills):
        queue = found[skill.queue_id]
        if not queues.fits_agent(data.agent_type, queue.type):
            message = f"skill queue {queue.name} is {queue.type}; a {data.agent_type} agent cannot serve it"
            errors.append(FieldError(f"skills.{index}.queue_id", "media_type", message))
    return errors


async def _check_licences(
    repo: AgentRepository,
    tenant: Tenant,
    rewritten_ids: list[int],
    data: AgentSettings,
    work_nos: list[int],
) -> list[FieldError]:
    """After the write, no agent type (nor the intelligent flag) may exceed the tenant's licence.

    A count that does not grow is never refused, so lowering a licence below today's
    configuration still lets the admin edit the agents they have.
    """
    before = await repo.type_counts()
    after = await repo.type_counts(rewritten_ids)
    checks = [("agent_type", data.agent_type)]
    if data.intelligent:
        checks.append(("intelligent", "intelligent"))
    errors = []
    for field, key in checks:
        count = after.get(key, 0) + len(work_nos)
        allowed = getattr(tenant, LICENCE_FIELDS[key])
        if count > allowed and count > before.get(key, 0):
            what = "intelligent-recognition" if key == "intelligent" else key
            errors.append(
                FieldError.limit_reached(
                    field,
                    allowed,
                    f"the tenant's licence allows {{limit}} {what} agents, this needs {count}",
                    f"租户的{LICENCE_ZH[key]}座席许可为 {{limit}} 个，此操作需要 {count} 个",
                )
            )
    return errors
