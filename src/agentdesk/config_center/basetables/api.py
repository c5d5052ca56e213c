"""REST API of base tables [基础表配置] and their data [数据表查询]:
/api/config/base-tables (tenant admins).

The key ring is the application's one (built by create_app from the settings).

Rows are searched by POST (`/rows/search`): a search value may be an encrypted field's
value, and a URL's query ends up in access logs, proxies and browser history.
"""

import asyncio
import logging
import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse

from agentdesk.auth.deps import TenantAdmin, require_tenant
from agentdesk.auth.permissions import CONFIG_MANAGE, DATA_EXPORT_CLEAR
from agentdesk.auth.principal import Principal
from agentdesk.config_center.basetables import csvfile, importer, service
from agentdesk.config_center.basetables.fields import MAX_TABLES
from agentdesk.config_center.basetables.models import BaseTable, ImportJob
from agentdesk.config_center.basetables.repository import JobRepository
from agentdesk.config_center.basetables.schemas import (
    FieldRead,
    ImportList,
    ImportRead,
    RowPage,
    RowRead,
    RowSearch,
    TableList,
    TableRead,
    TableWrite,
)
from agentdesk.config_center.basetables.upload import (
    check_upload,
    count_records,
    new_upload_file,
)
from agentdesk.kit.crypto import KeyRing
from agentdesk.kit.errors import NotFound, ValidationFailed
from agentdesk.kit.messages import translate
from agentdesk.kit.validation import INT64_MAX, Id, PageNumber
from agentdesk.resources import AppClock, AppSettings, Db
from agentdesk.web.i18n import request_language

log = logging.getLogger(__name__)
audit = logging.getLogger("agentdesk.audit")


router = APIRouter(prefix="/api/config/base-tables", tags=["config: base tables"])
admin = require_tenant(CONFIG_MANAGE)
UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_\-\u3400-\u4dbf\u4e00-\u9fff]+")


def keys_of(request: Request) -> KeyRing:
    """The application's key ring (built once by create_app; interfaces use it too)."""
    return request.app.state.keys


def runner_of(request: Request) -> importer.ImportRunner:
    return request.app.state.imports


def _import_read(view: dict, lang: str) -> ImportRead:
    """An import's result with its reasons and error in the user's language (stored in
    English, the language of the rule codes)."""
    rejected = [{**r, "reason": translate(r["reason"], lang)} for r in view.get("rejected") or []]
    error = translate(view["error"], lang) if view.get("error") else view.get("error")
    return ImportRead.model_validate({**view, "rejected": rejected, "error": error})


def _read(table: BaseTable) -> TableRead:
    return TableRead.model_validate(table)


def _download(file_name: str) -> dict:
    # The plain `filename` (for clients without RFC 5987) is ASCII, and keeps the extension.
    stem, _, extension = file_name.rpartition(".")
    ascii_stem = UNSAFE_FILE_CHARS.sub("_", stem.encode("ascii", "replace").decode()).strip("_")
    ascii_name = f"{ascii_stem or 'table'}.{extension}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
    return {"Content-Disposition": disposition, "Cache-Control": "no-store"}


def _file_stem(table: BaseTable) -> str:
    """A name the import accepts as it is: Chinese, letters, digits, hyphens, underscores."""
    return UNSAFE_FILE_CHARS.sub("_", table.name).strip("_") or f"table_{table.id}"


# ---- tables --------------------------------------------------------------------------------


@router.get("", response_model=TableList)
async def list_tables(db: Db, principal: TenantAdmin) -> TableList:
    """The tenant's base tables (at most 5), oldest first."""
    async with db.reader() as session:
        tables = await service.list_tables(session, principal.tenant_id)
        return TableList(items=[_read(t) for t in tables], total=len(tables), limit=MAX_TABLES)


@router.post("", response_model=TableRead, status_code=201)
async def create_table(body: TableWrite, db: Db, principal: TenantAdmin) -> TableRead:
    """Create a base table with its fields (a draft until published)."""
    async with db.transaction() as session:
        return _read(await service.create_table(session, principal.tenant_id, body))


@router.get("/{table_id}", response_model=TableRead)
async def show_table(table_id: Id, db: Db, principal: TenantAdmin) -> TableRead:
    """One base table with its fields."""
    async with db.reader() as session:
        return _read(await service.get_table(session, principal.tenant_id, table_id))


@router.put("/{table_id}", response_model=TableRead)
async def update_table(table_id: Id, body: TableWrite, db: Db, principal: TenantAdmin) -> TableRead:
    """Replace a table's name, description and fields (limited once published)."""
    async with db.transaction() as session:
        return _read(await service.update_table(session, principal.tenant_id, table_id, body))


@router.delete("/{table_id}", status_code=204)
async def delete_table(table_id: Id, db: Db, principal: TenantAdmin) -> Response:
    """Delete a base table, its rows and its import history."""
    async with db.transaction() as session:
        await service.delete_table(session, principal.tenant_id, table_id)
    return Response(status_code=204)


@router.post("/{table_id}/publish", response_model=TableRead)
async def publish_table(table_id: Id, db: Db, clock: AppClock, principal: TenantAdmin) -> TableRead:
    """Publish [发布] a table: rows can be imported, custom pages can use it."""
    async with db.transaction() as session:
        table = await service.publish_table(session, principal.tenant_id, table_id, clock)
        return _read(table)


# ---- data ----------------------------------------------------------------------------------


@router.get("/{table_id}/template.csv", response_class=Response)
async def template(table_id: Id, db: Db, principal: TenantAdmin):
    """The import template [导出模板]: the header row, UTF-8 with BOM."""
    async with db.reader() as session:
        table = await service.get_table(session, principal.tenant_id, table_id)
    body = csvfile.template_bytes([f["name"] for f in table.fields])
    headers = _download(f"{_file_stem(table)}.csv")
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/{table_id}/export.csv", response_class=StreamingResponse)
async def export(table_id: Id, request: Request, db: Db, principal: TenantAdmin):
    """Every row as an import reads it back (dictionary keys, cells that start a formula
    escaped). Encrypted and masked fields are in clear for users with the permission to
    export encrypted data (audited), otherwise left out."""
    db, keys = db, keys_of(request)
    clear = DATA_EXPORT_CLEAR in principal.permissions
    async with db.reader() as session:
        table = await service.get_table(session, principal.tenant_id, table_id)
    sensitive = service.sensitive_fields(table)
    if clear and sensitive:
        audit.info(
            "export in clear: user %s (id %s) of tenant %s exported base table %s (id %s), "
            "fields %s",
            principal.username,
            principal.user_id,
            principal.tenant_id,
            table.name,
            table.id,
            ", ".join(sensitive),
        )

    async def body():
        yield csvfile.BOM.encode()
        async with db.reader() as session:
            rows = service.export_rows(session, principal.tenant_id, table_id, keys, clear=clear)
            batch = []
            async for row in rows:
                batch.append(row)
                if len(batch) >= 1000:
                    for piece in csvfile.csv_lines(batch):
                        yield piece
                    batch = []
            for piece in csvfile.csv_lines(batch):
                yield piece

    name = f"{_file_stem(table)}_{date.today().isoformat().replace('-', '')}.csv"
    headers = _download(name)
    headers["X-Fields-Left-Out"] = quote(",".join([] if clear else sensitive))
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)


async def _rows_page(request: Request, principal: Principal, table_id: int, search: RowSearch):
    async with request.app.state.db.reader() as session:
        table, items, total = await service.browse_rows(
            session,
            principal.tenant_id,
            table_id,
            keys_of(request),
            q=search.q,
            page=search.page,
            page_size=search.page_size,
        )
    return RowPage(
        fields=[FieldRead.model_validate(f) for f in table.fields],
        items=[RowRead(id=row_id, values=values) for row_id, values in items],
        total=total,
        page=search.page,
        page_size=search.page_size,
    )


@router.get("/{table_id}/rows", response_model=RowPage)
async def browse_rows(
    table_id: Id,
    request: Request,
    page: Annotated[PageNumber, Query()] = 1,
    page_size: int = Query(20, ge=1, le=100),
    principal: Principal = Depends(admin),
) -> RowPage:
    """Browse rows [数据表查询]: display values, masked fields masked (search: POST
    /rows/search, so that search values stay out of URLs and access logs)."""
    search = RowSearch(page=page, page_size=page_size)
    return await _rows_page(request, principal, table_id, search)


@router.post("/{table_id}/rows/search", response_model=RowPage)
async def search_rows(
    table_id: Id, body: RowSearch, request: Request, principal: TenantAdmin
) -> RowPage:
    """Search rows [数据表查询]: `q` matches the index exactly (also an encrypted one) or
    part of an unencrypted value; the value travels in the body, never in the URL."""
    return await _rows_page(request, principal, table_id, body)


# ---- imports -------------------------------------------------------------------------------


@router.post(
    "/{table_id}/imports",
    response_model=ImportRead,
    status_code=202,
    responses={422: {"description": "refused; `confirm_replace`: see `expected_rows`"}},
)
async def start_import(
    table_id: Id,
    request: Request,
    db: Db,
    settings: AppSettings,
    file: UploadFile = File(description=".csv, ≤20 MB, name of Chinese/letters/digits/-/_"),
    mode: Literal["append", "replace"] = Form(
        "append", description="append to the rows, or replace them all"
    ),
    expected_rows: int | None = Form(
        None,
        ge=0,
        le=INT64_MAX,
        description="replace only: the table's current row count, to confirm deleting them "
        "(without it, or when it changed, 422 `confirm_replace` with current_rows and new_rows)",
    ),
    principal: Principal = Depends(admin),
) -> ImportRead:
    """Upload a CSV [导入数据]; it is imported in the background, all or nothing."""
    db, runner = db, runner_of(request)
    async with db.reader() as session:
        table = await service.get_table(session, principal.tenant_id, table_id)
    service.require_published(table)
    name = file.filename or ""
    csvfile.check_upload(name, min(file.size or 1, csvfile.MAX_FILE_BYTES + 1))
    header = [f["name"] for f in table.fields]
    path = await _save_upload(file, settings.data_dir)
    job = None
    try:
        upload = await asyncio.to_thread(check_upload, name, path, header)
        upload.mode = mode
        if mode == "replace" and _unconfirmed(expected_rows, table.row_count):
            return await _confirm_replace(table.row_count, upload, request_language(request))
        async with db.transaction() as session:
            table = await service.get_table(session, principal.tenant_id, table_id, for_update=True)
            if [f["name"] for f in table.fields] != header:
                raise ValidationFailed.single(
                    "file", "header", "the table's fields just changed; export the template again"
                )
            if mode == "replace" and _unconfirmed(expected_rows, table.row_count):
                raise _ReplaceChanged(table.row_count)
            job = await runner.create_job(
                session, principal.tenant_id, table, upload, principal.user_id
            )
    except _ReplaceChanged as changed:
        return await _confirm_replace(changed.args[0], upload, request_language(request))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        if job is None:
            path.unlink(missing_ok=True)
    # Committed: the job (woken by the commit) owns the file from here and deletes it.
    return ImportRead.model_validate(runner.view(job))


def _unconfirmed(expected: int | None, current: int) -> bool:
    """Replacing rows needs the current count confirmed (an empty table has none to lose)."""
    return expected != current if expected is not None or current else False


class _ReplaceChanged(Exception):
    """The row count changed between the confirmation check and the locked re-check."""


async def _confirm_replace(current: int, upload, lang: str) -> JSONResponse:
    """422 asking to confirm "replace all data" with the current and the new row counts."""
    new = await asyncio.to_thread(count_records, upload)
    message = (
        f"replacing deletes the table's {current} row(s) and imports the file's {new}: "
        f"send expected_rows={current} to confirm"
    )
    message = translate(message, lang)
    body = {
        "detail": f"expected_rows: {message}",
        "code": "confirm_replace",
        "errors": [{"field": "expected_rows", "rule": "confirm", "message": message}],
        "current_rows": current,
        "new_rows": new,
    }
    return JSONResponse(body, status_code=422)


async def _save_upload(file: UploadFile, data_dir: Path) -> Path:
    """Copy the upload to a private file (0600, in a 0700 folder of the data directory) for
    the background job, refusing it as soon as it passes 20 MB."""
    handle, path = new_upload_file(data_dir)
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            while piece := await file.read(1 << 20):
                size += len(piece)
                if size > csvfile.MAX_FILE_BYTES:
                    csvfile.check_upload(file.filename or "", size)
                out.write(piece)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


@router.get("/{table_id}/imports", response_model=ImportList)
async def list_imports(
    table_id: Id, request: Request, db: Db, principal: TenantAdmin
) -> ImportList:
    """The table's latest imports and their results, newest first."""
    runner = runner_of(request)
    async with db.reader() as session:
        await service.get_table(session, principal.tenant_id, table_id)
        jobs = await JobRepository(session, principal.tenant_id).recent(table_id)
        lang = request_language(request)
        return ImportList(items=[_import_read(runner.view(j), lang) for j in jobs])


@router.get("/{table_id}/imports/{job_id}", response_model=ImportRead)
async def show_import(
    table_id: Id, job_id: Id, request: Request, db: Db, principal: TenantAdmin
) -> ImportRead:
    """Progress and result [导入结果] of one import."""
    runner = runner_of(request)
    async with db.reader() as session:
        job: ImportJob = await JobRepository(session, principal.tenant_id).get(job_id)
        if job.table_id != table_id:
            raise NotFound(f"import {job_id} not found")
        return _import_read(runner.view(job), request_language(request))


@router.get("/{table_id}/imports/{job_id}/rejected.csv", response_class=Response)
async def rejected_csv(table_id: Id, job_id: Id, request: Request, db: Db, principal: TenantAdmin):
    """The refused lines of an import as CSV: line, field, rule, reason (never the values)."""
    async with db.reader() as session:
        job: ImportJob = await JobRepository(session, principal.tenant_id).get(job_id)
        if job.table_id != table_id:
            raise NotFound(f"import {job_id} not found")
        table = await service.get_table(session, principal.tenant_id, table_id)
    lines = [["line", "field", "rule", "reason"]]
    lang = request_language(request)
    lines += [
        [str(r["line"]), r["field"], r["rule"], translate(r["reason"], lang)]
        for r in job.rejected or []
    ]
    body = b"".join(csvfile.csv_lines(lines, bom=True))
    headers = _download(f"{_file_stem(table)}_rejected_{job.id}.csv")
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
