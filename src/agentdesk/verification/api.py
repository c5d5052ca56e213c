"""REST API of identity verification: /api/config/verification-methods (configure
permission) and /api/config/verification-records (query permission), tenant-scoped."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from agentdesk.auth.deps import require_tenant
from agentdesk.auth.permissions import VERIFICATION_CONFIGURE, VERIFICATION_RECORDS
from agentdesk.auth.principal import Principal
from agentdesk.config_center.basetables import csvfile
from agentdesk.kit.validation import Id, PageNumber
from agentdesk.verification import service
from agentdesk.verification.repository import RecordFilter
from agentdesk.verification.schemas import (
    MethodEnabled,
    MethodList,
    MethodRead,
    MethodWrite,
    RecordList,
    RecordRead,
)
from agentdesk.web.i18n import pick_language

methods_router = APIRouter(
    prefix="/api/config/verification-methods", tags=["config: verification methods"]
)
records_router = APIRouter(
    prefix="/api/config/verification-records", tags=["config: verification records"]
)
configure = require_tenant(VERIFICATION_CONFIGURE)
query = require_tenant(VERIFICATION_RECORDS)

ResultCode = Annotated[str | None, Query(pattern=r"^[0-3]$", description="0 1 2 3")]
MethodCodeQuery = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_]{1,32}$")]
WorkNo = Annotated[str | None, Query(pattern=r"^[0-9]{1,16}$", description="座席工号")]
CallId = Annotated[str | None, Query(max_length=40)]


async def _read(session, tenant_id: int, methods: list) -> list[MethodRead]:
    names = await service.flow_names(session, tenant_id, methods)
    return [
        MethodRead.model_validate(m).model_copy(update={"flow_name": names.get(m.flow_id, "")})
        for m in methods
    ]


async def _reread(request: Request, tenant_id: int, method_id: int) -> MethodRead:
    async with request.app.state.db.reader() as session:
        method = await service.get_method(session, tenant_id, method_id)
        return (await _read(session, tenant_id, [method]))[0]


@methods_router.get("", response_model=MethodList)
async def list_methods(request: Request, principal: Principal = Depends(configure)):
    """The tenant's verification methods by name."""
    async with request.app.state.db.reader() as session:
        methods = await service.list_methods(session, principal.tenant_id)
        items = await _read(session, principal.tenant_id, methods)
    return MethodList(items=items, total=len(items))


@methods_router.post("", response_model=MethodRead, status_code=201)
async def create_method(body: MethodWrite, request: Request, principal=Depends(configure)):
    """新增身份验证流程: name, code, flow, enabled."""
    async with request.app.state.db.transaction() as session:
        method_id = (await service.create_method(session, principal.tenant_id, body)).id
    return await _reread(request, principal.tenant_id, method_id)


@methods_router.get("/{method_id}", response_model=MethodRead)
async def show_method(method_id: Id, request: Request, principal=Depends(configure)):
    return await _reread(request, principal.tenant_id, method_id)


@methods_router.put("/{method_id}", response_model=MethodRead)
async def update_method(
    method_id: Id, body: MethodWrite, request: Request, principal=Depends(configure)
):
    """Replace a method's name, code, flow and enabled flag."""
    async with request.app.state.db.transaction() as session:
        await service.update_method(session, principal.tenant_id, method_id, body)
    return await _reread(request, principal.tenant_id, method_id)


@methods_router.put("/{method_id}/enabled", response_model=MethodRead)
async def set_enabled(
    method_id: Id, body: MethodEnabled, request: Request, principal=Depends(configure)
):
    """是否启用: enable or disable (enabling needs the flow published)."""
    async with request.app.state.db.transaction() as session:
        await service.set_enabled(session, principal.tenant_id, method_id, body.enabled)
    return await _reread(request, principal.tenant_id, method_id)


@methods_router.delete("/{method_id}", status_code=204)
async def delete_method(method_id: Id, request: Request, principal=Depends(configure)):
    """Delete a method (its records stay, with its name and code)."""
    async with request.app.state.db.transaction() as session:
        await service.delete_method(session, principal.tenant_id, method_id)
    return Response(status_code=204)


def _naive(value: datetime | None) -> datetime | None:
    """Stored times are naive UTC; accept aware input and convert."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _filter(start, end, work_no, method_code, result, callid) -> RecordFilter:
    return RecordFilter(start=_naive(start), end=_naive(end), work_no=work_no,
                        method_code=method_code, result=result, callid=callid)  # fmt: skip


@records_router.get("", response_model=RecordList)
async def list_records(
    request: Request,
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
    work_no: WorkNo = None,
    method_code: MethodCodeQuery = None,
    result: ResultCode = None,
    callid: CallId = None,
    page: Annotated[PageNumber, Query()] = 1,
    page_size: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(query),
) -> RecordList:
    """身份认证记录 by time range, agent work number, method code, result or callid; newest
    first."""
    f = _filter(start, end, work_no, method_code, result, callid)
    async with request.app.state.db.reader() as session:
        items, total = await service.query_records(
            session, principal.tenant_id, f, page=page, page_size=page_size
        )
    return RecordList(items=[RecordRead.model_validate(r) for r in items], total=total)


@records_router.get("/export.csv", response_class=StreamingResponse)
async def export_records(
    request: Request,
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
    work_no: WorkNo = None,
    method_code: MethodCodeQuery = None,
    result: ResultCode = None,
    callid: CallId = None,
    principal: Principal = Depends(query),
):
    """The matching records as CSV (UTF-8 with BOM, cells that start a formula escaped)."""
    f = _filter(start, end, work_no, method_code, result, callid)
    db, tenant_id = request.app.state.db, principal.tenant_id
    lang = pick_language(request.cookies.get("lang"), request.headers.get("accept-language"))

    async def body():
        yield csvfile.BOM.encode()
        yield b"".join(csvfile.csv_lines([service.export_header(lang)]))
        async with db.reader() as session:
            batch = []
            async for row in service.export_rows(session, tenant_id, f, lang):
                batch.append(row)
                if len(batch) >= 500:
                    yield b"".join(csvfile.csv_lines(batch))
                    batch = []
            if batch:
                yield b"".join(csvfile.csv_lines(batch))

    stamp = request.app.state.clock.now().strftime("%Y%m%d")
    headers = {
        "Content-Disposition": f'attachment; filename="verification-records-{stamp}.csv"',
        "Cache-Control": "no-store",
    }
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)
