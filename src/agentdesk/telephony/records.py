"""Contact records [接触记录]: every call, queryable by the tenant's admins."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.telephony.models import Call

RECORD_FIELDS = (
    "callid",
    "direction",
    "media",
    "caller",
    "called",
    "access_code",
    "extension",
    "queue_id",
    "queue_name",
    "work_no",
    "agent_name",
    "state",
    "outcome",
    "ended_by",
    "attached_data",
    "dtmf",
    "transfers",
    "created_at",
    "queued_at",
    "offered_at",
    "answered_at",
    "ended_at",
)


def record_dict(call: Call) -> dict:
    return {name: getattr(call, name) for name in RECORD_FIELDS}


async def query_records(
    session: AsyncSession,
    tenant_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    number: str | None = None,
    work_no: int | None = None,
    queue_id: int | None = None,
    callid: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Call], int]:
    """Filter the tenant's calls by time, number (either side), agent, queue or callid."""
    conditions = [Call.tenant_id == tenant_id]
    if start:
        conditions.append(Call.created_at >= start)
    if end:
        conditions.append(Call.created_at <= end)
    if number:
        conditions.append(or_(Call.caller == number, Call.called == number))
    if work_no is not None:
        conditions.append(Call.work_no == work_no)
    if queue_id is not None:
        conditions.append(Call.queue_id == queue_id)
    if callid:
        conditions.append(Call.callid == callid)
    total = await session.scalar(select(func.count()).select_from(Call).where(*conditions))
    rows = await session.scalars(
        select(Call)
        .where(*conditions)
        .order_by(Call.created_at.desc(), Call.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list(rows), total or 0
