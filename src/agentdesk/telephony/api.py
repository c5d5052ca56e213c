"""REST edge of contact records [接触记录]."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from agentdesk.auth.deps import require_tenant
from agentdesk.auth.permissions import RECORDS_READ
from agentdesk.auth.principal import Principal
from agentdesk.kit.validation import Id, PageNumber
from agentdesk.telephony import records

records_router = APIRouter(prefix="/api/config", tags=["contact records"])


@records_router.get("/contact-records")
async def list_contact_records(
    request: Request,
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
    number: str | None = Query(None, max_length=32),
    work_no: int | None = Query(None, ge=101, le=999999),
    queue_id: Id | None = None,
    callid: str | None = Query(None, max_length=40),
    page: Annotated[PageNumber, Query()] = 1,
    page_size: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(require_tenant(RECORDS_READ)),
) -> dict:
    """Query contact records [接触记录] by time, number, agent work number, queue or callid."""
    async with request.app.state.db.reader() as session:
        items, total = await records.query_records(
            session,
            principal.tenant_id,
            start=_naive(start),
            end=_naive(end),
            number=number,
            work_no=work_no,
            queue_id=queue_id,
            callid=callid,
            page=page,
            page_size=page_size,
        )
    return {"items": [records.record_dict(c) for c in items], "total": total}


def _naive(value: datetime | None) -> datetime | None:
    """Stored times are naive UTC; accept aware input and convert."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
