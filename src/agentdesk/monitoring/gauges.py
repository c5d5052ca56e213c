"""Gauges read from the database at scrape time: the same answer from whichever worker."""

from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.basetables.models import ImportJob
from agentdesk.contacts.families import AUDIO_VIDEO
from agentdesk.telephony.models import AgentPresence, Call, Timer


def _seconds_since(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then else 0.0


async def _queues(session: AsyncSession, now: datetime) -> list:
    waiting = GaugeMetricFamily(
        "agentdesk_queue_waiting_calls", "Calls waiting in a queue", labels=["tenant", "queue"]
    )
    longest = GaugeMetricFamily(
        "agentdesk_queue_longest_wait_seconds",
        "How long the oldest waiting call of a queue has waited",
        labels=["tenant", "queue"],
    )
    rows = await session.execute(
        select(Call.tenant_id, Call.queue_id, func.count(), func.min(Call.queued_at))
        .where(Call.state == "queued")
        .group_by(Call.tenant_id, Call.queue_id)
    )
    for tenant_id, queue_id, count, oldest in rows:
        labels = [str(tenant_id), "" if queue_id is None else str(queue_id)]
        waiting.add_metric(labels, count)
        longest.add_metric(labels, _seconds_since(now, oldest))
    return [waiting, longest]


async def _agents(session: AsyncSession) -> list:
    agents = GaugeMetricFamily("agentdesk_agents", "Agents by state", labels=["tenant", "state"])
    rows = await session.execute(
        select(AgentPresence.tenant_id, AgentPresence.state, func.count())
        .where(AgentPresence.family == AUDIO_VIDEO)  # an agent counted once, by their calls
        .group_by(AgentPresence.tenant_id, AgentPresence.state)
    )
    for tenant_id, state, count in rows:
        agents.add_metric([str(tenant_id), state], count)
    return [agents]


async def _timers(session: AsyncSession, now: datetime) -> list:
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(Timer.due_at)).where(Timer.due_at <= now)
        )
    ).one()
    return [
        GaugeMetricFamily("agentdesk_timers_overdue", "Timers past their due time", value=count),
        GaugeMetricFamily(
            "agentdesk_timer_overdue_seconds",
            "How far past its due time the oldest unfired timer is",
            value=_seconds_since(now, oldest),
        ),
    ]


async def _imports(session: AsyncSession) -> list:
    jobs = GaugeMetricFamily(
        "agentdesk_import_jobs", "Base-table import jobs by status", labels=["status"]
    )
    rows = await session.execute(select(ImportJob.status, func.count()).group_by(ImportJob.status))
    for status, count in rows:
        jobs.add_metric([status], count)
    return [jobs]


async def database_families(session: AsyncSession, now: datetime) -> list:
    """Every database-derived metric family, read in one session."""
    return [
        *await _queues(session, now),
        *await _agents(session),
        *await _timers(session, now),
        *await _imports(session),
    ]
