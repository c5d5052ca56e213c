"""REST API of custom pages [页面配置]: /api/config/custom-pages (tenant admins), and the
admin's HTML preview at /config/custom-pages/{id}/preview."""

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from agentdesk.auth.deps import TenantAdmin, require_tenant
from agentdesk.auth.pages import render
from agentdesk.auth.permissions import CONFIG_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.basetables.api import keys_of
from agentdesk.config_center.custompages import service
from agentdesk.config_center.custompages.models import MAX_PAGES, CustomPage
from agentdesk.config_center.custompages.render import load_render_plan, run_render_plan
from agentdesk.config_center.custompages.schemas import (
    CustomPageList,
    CustomPageRead,
    CustomPageWrite,
    PageObjectRead,
    PreviewRequest,
    RenderedPage,
)
from agentdesk.kit.validation import Id
from agentdesk.resources import AppClock, Db

router = APIRouter(prefix="/api/config/custom-pages", tags=["config: custom pages"])
pages_router = APIRouter(include_in_schema=False)
admin = require_tenant(CONFIG_MANAGE)


def _read(page: CustomPage, objects: list, names: dict[int, str]) -> CustomPageRead:
    return CustomPageRead(
        id=page.id,
        name=page.name,
        layout=page.layout,
        columns=page.columns,
        interface_type=page.interface_type,
        interface_id=page.interface_id,
        interface_name=names.get(page.interface_id) if page.interface_id else None,
        objects=[
            PageObjectRead(name=o.name, table_id=o.table_id, fields=o.fields) for o in objects
        ],
        published=page.published,
        published_at=page.published_at,
        created_at=page.created_at,
        updated_at=page.updated_at,
    )


async def _reread(request: Request, tenant_id: int, page_id: int) -> CustomPageRead:
    async with request.app.state.db.reader() as session:
        page, objects = await service.get_page(session, tenant_id, page_id)
        names = await service.interface_names(session, tenant_id)
    return _read(page, objects, names)


@router.get("", response_model=CustomPageList)
async def list_pages(db: Db, principal: TenantAdmin) -> CustomPageList:
    """The tenant's custom pages by name (at most 5)."""
    async with db.reader() as session:
        rows = await service.list_pages(session, principal.tenant_id)
        names = await service.interface_names(session, principal.tenant_id)
    items = [_read(page, objects, names) for page, objects in rows]
    return CustomPageList(items=items, total=len(items), limit=MAX_PAGES)


@router.post("", response_model=CustomPageRead, status_code=201)
async def create_page(
    body: CustomPageWrite, request: Request, db: Db, principal: TenantAdmin
) -> CustomPageRead:
    """Create a custom page (unpublished)."""
    async with db.transaction() as session:
        page = await service.create_page(session, principal.tenant_id, body)
    return await _reread(request, principal.tenant_id, page.id)


@router.get("/{page_id}", response_model=CustomPageRead)
async def show_page(page_id: Id, request: Request, principal: TenantAdmin) -> CustomPageRead:
    return await _reread(request, principal.tenant_id, page_id)


@router.put("/{page_id}", response_model=CustomPageRead)
async def update_page(
    page_id: Id, body: CustomPageWrite, request: Request, db: Db, principal: TenantAdmin
) -> CustomPageRead:
    """Replace a page's layout and interface; a published page stays published and the next
    call shows the new version."""
    async with db.transaction() as session:
        await service.update_page(session, principal.tenant_id, page_id, body)
    return await _reread(request, principal.tenant_id, page_id)


@router.delete("/{page_id}", status_code=204)
async def delete_page(page_id: Id, db: Db, principal: TenantAdmin):
    async with db.transaction() as session:
        await service.delete_page(session, principal.tenant_id, page_id)
    return Response(status_code=204)


@router.post("/{page_id}/publish", response_model=CustomPageRead)
async def publish_page(
    page_id: Id, request: Request, db: Db, clock: AppClock, principal: TenantAdmin
) -> CustomPageRead:
    """Publish [发布]: pop pages of type internal may then show it."""
    async with db.transaction() as session:
        await service.publish_page(session, principal.tenant_id, page_id, clock.now())
    return await _reread(request, principal.tenant_id, page_id)


@router.post("/{page_id}/unpublish", response_model=CustomPageRead)
async def unpublish_page(
    page_id: Id, request: Request, db: Db, principal: TenantAdmin
) -> CustomPageRead:
    async with db.transaction() as session:
        await service.unpublish_page(session, principal.tenant_id, page_id)
    return await _reread(request, principal.tenant_id, page_id)


async def _preview(request: Request, tenant_id: int, page_id: int, caller: str) -> dict:
    """The page for a sample caller, published or not. An external interface is called after
    the database session is closed; an internal page reads its base tables in it."""
    settings = request.app.state.settings
    async with request.app.state.db.reader() as session:
        plan = await load_render_plan(
            session, tenant_id, page_id, settings=settings, require_published=False
        )
        if plan.is_internal:
            return await run_render_plan(plan, caller, session=session, keys=keys_of(request))
    return await run_render_plan(plan, caller)


@router.post("/{page_id}/preview", response_model=RenderedPage)
async def preview_page(
    page_id: Id, body: PreviewRequest, request: Request, principal: TenantAdmin
) -> RenderedPage:
    """Preview with a sample number: the data the page would show, or the clear error."""
    await _reread(request, principal.tenant_id, page_id)  # 404 for another tenant's page
    result = await _preview(request, principal.tenant_id, page_id, body.caller)
    return RenderedPage(**result)


@pages_router.get("/config/custom-pages/{page_id}/preview", response_class=HTMLResponse)
async def preview_html(
    page_id: Id,
    request: Request,
    caller: str = Query("", max_length=64),
    principal: Principal = Depends(admin),
):
    """The page as the agent would see it, for a sample caller number."""
    read = await _reread(request, principal.tenant_id, page_id)
    page = {"page_id": read.id, "name": read.name, "layout": read.layout, "columns": read.columns}
    page["objects"] = []
    if caller.strip():
        page = await _preview(request, principal.tenant_id, page_id, caller.strip())
    return render(
        request,
        "custom_page.html",
        principal,
        page=page,
        caller=caller.strip(),
        looked_up=bool(caller.strip()),
        preview=True,
    )
