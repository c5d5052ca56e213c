"""REST API of base tables [基础表配置] and their data [数据表查询]:
/api/config/base-tables (tenant admins).

Key material is read here, at the edge: the application secret from the settings and
optional explicit keys from the environment (see `service.data_keys`).
"""

import asyncio
import os
import re
import tempfile
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from agentdesk.auth.deps import require_tenant
from agentdesk.auth.permissions import CONFIG_MANAGE
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
    TableList,
    TableRead,
    TableWrite,
)
from agentdesk.config_center.basetables.upload import check_upload
from agentdesk.kit.crypto import KeyRing
from agentdesk.kit.errors import NotFound, ValidationFailed
from agentdesk.kit.validation import Id, PageNumber


@asynccontextmanager
async def _lifespan(app):
    """On shutdown, stop this process's imports: each rolls back and is marked failed."""
    yield
    runner = getattr(app.state, "base_table_imports", None)
    if runner is not None:
        await runner.stop()


router = APIRouter(
    prefix="/api/config/base-tables", tags=["config: base tables"], lifespan=_lifespan
)
admin = require_tenant(CONFIG_MANAGE)
UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_\u3400-\u4dbf\u4e00-\u9fff]+")


def keys_of(request: Request) -> KeyRing:
    """The base-table key ring of this application (built once)."""
    state = request.app.state
    if getattr(state, "base_table_keys", None) is None:
        state.base_table_keys = service.data_keys(state.settings.secret_key, os.environ)
    return state.base_table_keys


def runner_of(request: Request) -> importer.ImportRunner:
    state = request.app.state
    if getattr(state, "base_table_imports", None) is None:
        state.base_table_imports = importer.ImportRunner(state.db, keys_of(request), state.clock)
    return state.base_table_imports


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
    """A name the import accepts as it is: Chinese, letters, digits, underscores only."""
    return UNSAFE_FILE_CHARS.sub("_", table.name).strip("_") or f"table_{table.id}"


# ---- tables --------------------------------------------------------------------------------


@router.get("", response_model=TableList)
async def list_tables(request: Request, principal: Principal = Depends(admin)) -> TableList:
    """The tenant's base tables (at most 5), oldest first."""
    async with request.app.state.db.reader() as session:
        tables = await service.list_tables(session, principal.tenant_id)
        return TableList(items=[_read(t) for t in tables], total=len(tables), limit=MAX_TABLES)


@router.post("", response_model=TableRead, status_code=201)
async def create_table(
    body: TableWrite, request: Request, principal: Principal = Depends(admin)
) -> TableRead:
    """Create a base table with its fields (a draft until published)."""
    async with request.app.state.db.transaction() as session:
        return _read(await service.create_table(session, principal.tenant_id, body))


@router.get("/{table_id}", response_model=TableRead)
async def show_table(
    table_id: Id, request: Request, principal: Principal = Depends(admin)
) -> TableRead:
    """One base table with its fields."""
    async with request.app.state.db.reader() as session:
        return _read(await service.get_table(session, principal.tenant_id, table_id))


@router.put("/{table_id}", response_model=TableRead)
async def update_table(
    table_id: Id, body: TableWrite, request: Request, principal: Principal = Depends(admin)
) -> TableRead:
    """Replace a table's name, description and fields (limited once published)."""
    async with request.app.state.db.transaction() as session:
        return _read(await service.update_table(session, principal.tenant_id, table_id, body))


@router.delete("/{table_id}", status_code=204)
async def delete_table(
    table_id: Id, request: Request, principal: Principal = Depends(admin)
) -> Response:
    """Delete a base table, its rows and its import history."""
    async with request.app.state.db.transaction() as session:
        await service.delete_table(session, principal.tenant_id, table_id)
    return Response(status_code=204)


@router.post("/{table_id}/publish", response_model=TableRead)
async def publish_table(
    table_id: Id, request: Request, principal: Principal = Depends(admin)
) -> TableRead:
    """Publish [发布] a table: rows can be imported, custom pages can use it."""
    async with request.app.state.db.transaction() as session:
        table = await service.publish_table(
            session, principal.tenant_id, table_id, request.app.state.clock
        )
        return _read(table)


# ---- data ----------------------------------------------------------------------------------


@router.get("/{table_id}/template.csv", response_class=Response)
async def template(table_id: Id, request: Request, principal: Principal = Depends(admin)):
    """The import template [导出模板]: the header row, UTF-8 with BOM."""
    async with request.app.state.db.reader() as session:
        table = await service.get_table(session, principal.tenant_id, table_id)
    body = csvfile.template_bytes([f["name"] for f in table.fields])
    headers = _download(f"{_file_stem(table)}.csv")
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/{table_id}/export.csv", response_class=StreamingResponse)
async def export(table_id: Id, request: Request, principal: Principal = Depends(admin)):
    """Every row as shown (masked fields masked), cells that start a formula escaped."""
    db, keys = request.app.state.db, keys_of(request)
    async with db.reader() as session:
        table = await service.get_table(session, principal.tenant_id, table_id)

    async def body():
        yield csvfile.BOM.encode()
        async with db.reader() as session:
            rows = service.export_rows(session, principal.tenant_id, table_id, keys)
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
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=_download(name))


@router.get("/{table_id}/rows", response_model=RowPage)
async def browse_rows(
    table_id: Id,
    request: Request,
    q: str | None = Query(
        None, max_length=256, description="the index value, or part of an unencrypted value"
    ),
    page: Annotated[PageNumber, Query()] = 1,
    page_size: int = Query(20, ge=1, le=100),
    principal: Principal = Depends(admin),
) -> RowPage:
    """Browse and search rows [数据表查询]: display values, masked fields masked."""
    async with request.app.state.db.reader() as session:
        table, items, total = await service.browse_rows(
            session,
            principal.tenant_id,
            table_id,
            keys_of(request),
            q=q,
            page=page,
            page_size=page_size,
        )
    return RowPage(
        fields=[FieldRead.model_validate(f) for f in table.fields],
        items=[RowRead(id=row_id, values=values) for row_id, values in items],
        total=total,
        page=page,
        page_size=page_size,
    )


# ---- imports -------------------------------------------------------------------------------


@router.post("/{table_id}/imports", response_model=ImportRead, status_code=202)
async def start_import(
    table_id: Id,
    request: Request,
    file: UploadFile = File(description=".csv, ≤20 MB, name of Chinese/letters/digits/_"),
    mode: Literal["append", "replace"] = Form(
        "append", description="append to the rows, or replace them all"
    ),
    principal: Principal = Depends(admin),
) -> ImportRead:
    """Upload a CSV [导入数据]; it is imported in the background, all or nothing."""
    db, runner = request.app.state.db, runner_of(request)
    async with db.reader() as session:
        table = await service.get_table(session, principal.tenant_id, table_id)
    service.require_published(table)
    name = file.filename or ""
    csvfile.check_upload(name, min(file.size or 1, csvfile.MAX_FILE_BYTES + 1))
    header = [f["name"] for f in table.fields]
    path = await _save_upload(file)
    job = None
    try:
        upload = await asyncio.to_thread(check_upload, name, path, header)
        upload.mode = mode
        async with db.transaction() as session:
            table = await service.get_table(session, principal.tenant_id, table_id, for_update=True)
            if [f["name"] for f in table.fields] != header:
                raise ValidationFailed.single(
                    "file", "header", "the table's fields just changed; export the template again"
                )
            job = await runner.create_job(
                session, principal.tenant_id, table, upload, principal.user_id
            )
    except BaseException:
        if job is not None:
            runner.release(job)
        path.unlink(missing_ok=True)
        raise
    runner.start(job, upload)  # the job owns the file from here and deletes it
    return ImportRead.model_validate(runner.view(job))


async def _save_upload(file: UploadFile) -> Path:
    """Copy the upload to a private temporary file (0600) for the background job, refusing
    it as soon as it passes 20 MB."""
    handle, name = tempfile.mkstemp(prefix="agentdesk-import-", suffix=".csv")
    path, size = Path(name), 0
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
    table_id: Id, request: Request, principal: Principal = Depends(admin)
) -> ImportList:
    """The table's latest imports and their results, newest first."""
    runner = runner_of(request)
    async with request.app.state.db.reader() as session:
        await service.get_table(session, principal.tenant_id, table_id)
        jobs = await JobRepository(session, principal.tenant_id).recent(table_id)
        return ImportList(items=[ImportRead.model_validate(runner.view(j)) for j in jobs])


@router.get("/{table_id}/imports/{job_id}", response_model=ImportRead)
async def show_import(
    table_id: Id, job_id: Id, request: Request, principal: Principal = Depends(admin)
) -> ImportRead:
    """Progress and result [导入结果] of one import."""
    runner = runner_of(request)
    async with request.app.state.db.reader() as session:
        job: ImportJob = await JobRepository(session, principal.tenant_id).get(job_id)
        if job.table_id != table_id:
            raise NotFound(f"import {job_id} not found")
        return ImportRead.model_validate(runner.view(job))
