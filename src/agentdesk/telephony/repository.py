"""Queries of the telephony core. Locks are taken here (`FOR UPDATE`; a no-op on SQLite)."""

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.auth.models import User
from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.contacts.families import AUDIO_VIDEO, DEFAULT_CAPACITY, family_of_queue_type
from agentdesk.telephony import routing
from agentdesk.telephony.models import AgentPresence, Call
from agentdesk.telephony.routing import AgentCandidate, WaitingCall
from agentdesk.tenancy.models import AccessCode, OutboundNumber, Tenant


def _voice_presence(agent_id_column):
    """The join to an agent's audio/video presence row."""
    return (AgentPresence.agent_id == agent_id_column) & (AgentPresence.family == AUDIO_VIDEO)


def _takes_inbound():
    """The agents routing may offer an inbound call to (`routing.takes_inbound`)."""
    return Agent.platform_role.not_in(routing.NO_INBOUND_ROLES)


async def lock_presence(
    session: AsyncSession, agent_id: int, *, skip_locked: bool = False
) -> AgentPresence | None:
    """The agent's audio/video presence row (the agent's lock), locked; with `skip_locked`,
    None when another transaction holds it (or when there is none)."""
    stmt = (
        select(AgentPresence)
        .where(AgentPresence.agent_id == agent_id, AgentPresence.family == AUDIO_VIDEO)
        .with_for_update(skip_locked=skip_locked)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def ensure_presence(session: AsyncSession, agent: Agent, now: datetime) -> AgentPresence:
    presence = await lock_presence(session, agent.id)
    if presence is None:
        presence = AgentPresence(
            agent_id=agent.id,
            family=AUDIO_VIDEO,
            tenant_id=agent.tenant_id,
            state="signed_out",
            state_since=now,
            capacity=DEFAULT_CAPACITY[AUDIO_VIDEO],
            active=0,
        )
        session.add(presence)
        await session.flush()
    return presence


async def lock_call(session: AsyncSession, call_id: int) -> Call | None:
    stmt = select(Call).where(Call.id == call_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def lock_call_by_callid(session: AsyncSession, callid: str) -> Call | None:
    stmt = select(Call).where(Call.callid == callid).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_agent(session: AsyncSession, agent_id: int) -> Agent | None:
    return await session.get(Agent, agent_id)


async def agent_for_user(session: AsyncSession, user_id: int) -> Agent | None:
    return await session.scalar(select(Agent).where(Agent.user_id == user_id))


async def agent_with_username(session: AsyncSession, agent_id: int) -> tuple[Agent, str]:
    """The agent and the username of its business account, in one query."""
    stmt = (
        select(Agent, User.username)
        .outerjoin(User, User.id == Agent.user_id)
        .where(Agent.id == agent_id)
    )
    agent, username = (await session.execute(stmt)).one()
    return agent, username or ""


async def agent_username(session: AsyncSession, agent: Agent) -> str:
    if agent.user_id is None:
        return ""
    return await session.scalar(select(User.username).where(User.id == agent.user_id)) or ""


async def get_queue(session: AsyncSession, queue_id: int | None) -> SkillQueue | None:
    return None if queue_id is None else await session.get(SkillQueue, queue_id)


async def tenant_by_code(session: AsyncSession, code: str) -> Tenant | None:
    return await session.scalar(select(Tenant).where(Tenant.code == code))


async def idle_candidates(
    session: AsyncSession, queue_id: int, *, limit: int = 20, offset: int = 0
) -> list[AgentCandidate]:
    """Idle agents with the skill, best first (the order of `routing.rank_agents`), one page."""
    candidates, _ = await _idle_candidates(session, queue_id, limit=limit, offset=offset)
    return candidates


async def idle_candidates_and_queued(
    session: AsyncSession, queue_id: int
) -> tuple[list[AgentCandidate], int]:
    """The first page of idle candidates and the number of calls waiting in the queue, in one
    round trip when anyone is idle (the hot path of every inbound call)."""
    candidates, queued = await _idle_candidates(session, queue_id, with_queued=True)
    if queued is None:
        queued = await queued_count(session, queue_id)
    return candidates, queued


async def _idle_candidates(
    session: AsyncSession,
    queue_id: int,
    *,
    limit: int = 20,
    offset: int = 0,
    with_queued: bool = False,
) -> tuple[list[AgentCandidate], int | None]:
    """Ranked by the database so a queue with thousands of idle agents costs one short read."""
    columns = [Agent.id, AgentSkill.skill_weight, Agent.agent_weight, AgentPresence.idle_since]
    if with_queued:
        waiting = (
            select(func.count())
            .select_from(Call)
            .where(Call.queue_id == queue_id, Call.state == "queued")
            .scalar_subquery()
        )
        columns.append(waiting)
    stmt = (
        select(*columns)
        .join(AgentSkill, AgentSkill.agent_id == Agent.id)
        .join(AgentPresence, _voice_presence(Agent.id))
        .where(
            AgentSkill.queue_id == queue_id,
            # Idle is below capacity for audio/video (one call at a time, and idle means none);
            # the locked row is asked again (`steps.accepts_contact`) before any offer.
            AgentPresence.state == "idle",
            _takes_inbound(),
        )
        .order_by(
            AgentSkill.skill_weight.desc(),
            Agent.agent_weight.desc(),
            AgentPresence.idle_since.asc().nulls_first(),
            Agent.id,
        )
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(stmt)).all()
    candidates = [
        AgentCandidate(agent_id, skill_weight, agent_weight, idle_since or datetime.min)
        for agent_id, skill_weight, agent_weight, idle_since, *_ in rows
    ]
    queued = rows[0][4] if with_queued and rows else None
    return candidates, queued


async def signed_in_count(session: AsyncSession, queue_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(AgentSkill)
        .join(AgentPresence, _voice_presence(AgentSkill.agent_id))
        .join(Agent, Agent.id == AgentSkill.agent_id)
        .where(
            AgentSkill.queue_id == queue_id,
            AgentPresence.state != "signed_out",
            _takes_inbound(),
        )
    )
    return (await session.execute(stmt)).scalar_one()


async def queued_count(session: AsyncSession, queue_id: int) -> int:
    stmt = select(func.count()).where(Call.queue_id == queue_id, Call.state == "queued")
    return (await session.execute(stmt.select_from(Call))).scalar_one()


async def waiting_calls_for(session: AsyncSession, agent_id: int) -> list[WaitingCall]:
    """Calls waiting in the agent's queues, best first (the order of `routing.rank_calls`):
    the limit must not cut off a call of a stronger skill that arrived later."""
    stmt = (
        select(Call.id, Call.queue_id, Call.queued_at, AgentSkill.skill_weight)
        .join(AgentSkill, AgentSkill.queue_id == Call.queue_id)
        .join(Agent, Agent.id == AgentSkill.agent_id)
        .where(AgentSkill.agent_id == agent_id, Call.state == "queued", _takes_inbound())
        .order_by(AgentSkill.skill_weight.desc(), Call.queued_at, Call.id)
        .limit(50)
    )
    return [WaitingCall(*row) for row in await session.execute(stmt)]


async def outbound_caller_number(session: AsyncSession, tenant_id: int) -> str:
    """The tenant's outbound caller number, else its first audio/video access code."""
    number = await session.scalar(
        select(OutboundNumber.number)
        .where(OutboundNumber.tenant_id == tenant_id)
        .order_by(OutboundNumber.id)
    )
    if number:
        return number
    code = await session.scalar(
        select(AccessCode.code)
        .where(AccessCode.tenant_id == tenant_id, AccessCode.type == "voice_video")
        .order_by(AccessCode.id)
    )
    return code or ""


async def agent_skill_families(session: AsyncSession, agent_id: int) -> set[str]:
    stmt = (
        select(SkillQueue.type)
        .join(AgentSkill, AgentSkill.queue_id == SkillQueue.id)
        .where(AgentSkill.agent_id == agent_id)
    )
    families = {family_of_queue_type(t) for t in await session.scalars(stmt)}
    # Callers speak of access-code types, where audio/video is "voice_video".
    return {"voice_video" if f == AUDIO_VIDEO else f for f in families}


async def outbound_queue(session: AsyncSession, agent_id: int, media: str) -> SkillQueue | None:
    """The queue an agent's outbound call is recorded under: their strongest skill of the
    call's media (`routing.outbound_queue_types`), else their strongest audio/video skill."""
    ranks = {type_: rank for rank, type_ in enumerate(routing.outbound_queue_types(media))}
    fit = [case(ranks, value=SkillQueue.type, else_=len(ranks))] if ranks else []
    stmt = (
        select(SkillQueue)
        .join(AgentSkill, AgentSkill.queue_id == SkillQueue.id)
        .where(AgentSkill.agent_id == agent_id, SkillQueue.type != "multimedia")
        .order_by(*fit, AgentSkill.skill_weight.desc(), SkillQueue.id)
        .limit(1)
    )
    return await session.scalar(stmt)
