"""REST API of screen pops: /api/config/screen-pops (tenant admins). The whitelist's API is
config_center.whitelist.api."""

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from agentdesk.auth.deps import TenantAdmin, require_tenant
from agentdesk.auth.permissions import CONFIG_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.screenpop import checker, opening, service
from agentdesk.config_center.screenpop.choices import TABS
from agentdesk.config_center.screenpop.models import PopPage
from agentdesk.config_center.screenpop.schemas import (
    PopEnabled,
    PopInstruction,
    PopMove,
    PopPageList,
    PopPageRead,
    PopPageWrite,
    PopParamList,
    PopParamRead,
    PopParamWrite,
    SampleCall,
)
from agentdesk.kit.validation import Id
from agentdesk.resources import AppClock, AppSettings, Db
from agentdesk.tenancy.params import get_param
from agentdesk.web.i18n import api_language

router = APIRouter(prefix="/api/config/screen-pops", tags=["config: screen pops"])
admin = require_tenant(CONFIG_MANAGE)


def _language(request: Request) -> str:
    return api_language(request.cookies.get("lang"), request.headers.get("accept-language"))


def _read(page: PopPage, entries, param_count: int, lang: str = "en") -> PopPageRead:
    """A page as the API shows it: the stored check's reasons and advice in `lang`."""
    return PopPageRead(
        id=page.id,
        tab=page.tab,
        position=page.position,
        name=page.name,
        page_type=page.page_type,
        open_mode=page.open_mode,
        url=page.url,
        custom_page_id=page.custom_page_id,
        integration=page.integration,
        enabled=page.enabled,
        signed=bool(page.secret),
        whitelisted=page.page_type == "internal" or opening.is_whitelisted(page.url, entries),
        check_result=checker.in_language(page.check_result, lang),
        param_count=param_count,
    )


async def _page_read(request: Request, tenant_id: int, page_id: int) -> PopPageRead:
    async with request.app.state.db.reader() as session:
        page = await service.get_page(session, tenant_id, page_id)
        entries = await service.whitelist_entries(session)
        counts = await service.param_counts(session, tenant_id, [page])
        return _read(page, entries, counts.get(page.id, 0), _language(request))


async def _check_and_store(request: Request, tenant_id: int, page_id: int) -> PopPageRead:
    """Check reachability and framing of a whitelisted page (outside any transaction: it waits
    on the network), then store the result next to the page."""
    db, settings = request.app.state.db, request.app.state.settings
    async with db.reader() as session:
        page = await service.get_page(session, tenant_id, page_id)
        entries = await service.whitelist_entries(session)
    if opening.is_whitelisted(page.url, entries) and page.page_type == "external":
        # Every redirect hop is matched against the whitelist again (see checker).
        result = await checker.check_page(
            page.url,
            workbench_origin=settings.origin,
            entries=entries,
            clock=request.app.state.clock,
        )
        async with db.transaction() as session:
            await service.store_check(session, tenant_id, page_id, result)
    return await _page_read(request, tenant_id, page_id)


@router.get("", response_model=PopPageList)
async def list_pages(
    request: Request,
    db: Db,
    tab: Literal[TABS] = Query("audio_video", description="音视频 / 多媒体"),
    principal: Principal = Depends(admin),
) -> PopPageList:
    """The tab's pop pages in the order they open (top first)."""
    async with db.reader() as session:
        pages = await service.list_pages(session, principal.tenant_id, tab)
        entries = await service.whitelist_entries(session)
        counts = await service.param_counts(session, principal.tenant_id, pages)
        limit = await get_param(session, "max_pop_pages_per_tab")
    lang = _language(request)
    items = [_read(page, entries, counts.get(page.id, 0), lang) for page in pages]
    return PopPageList(items=items, total=len(items), limit=limit)


@router.post("", response_model=PopPageRead, status_code=201)
async def create_page(
    body: PopPageWrite, request: Request, db: Db, principal: TenantAdmin
) -> PopPageRead:
    """Create a pop page at the bottom of its tab; the page is checked right away."""
    async with db.transaction() as session:
        page = await service.create_page(session, principal.tenant_id, body)
    return await _check_and_store(request, principal.tenant_id, page.id)


@router.get("/{page_id}", response_model=PopPageRead)
async def get_page(page_id: Id, request: Request, principal: TenantAdmin):
    return await _page_read(request, principal.tenant_id, page_id)


@router.put("/{page_id}", response_model=PopPageRead)
async def update_page(
    page_id: Id, body: PopPageWrite, request: Request, db: Db, principal: TenantAdmin
) -> PopPageRead:
    """Change a page (a missing `secret` keeps the current one); the page is checked again."""
    async with db.transaction() as session:
        await service.update_page(session, principal.tenant_id, page_id, body)
    return await _check_and_store(request, principal.tenant_id, page_id)


@router.delete("/{page_id}", status_code=204)
async def delete_page(page_id: Id, db: Db, principal: TenantAdmin):
    async with db.transaction() as session:
        await service.delete_page(session, principal.tenant_id, page_id)
    return Response(status_code=204)


@router.post("/{page_id}/enabled", response_model=PopPageRead)
async def set_enabled(
    page_id: Id, body: PopEnabled, request: Request, db: Db, principal: TenantAdmin
) -> PopPageRead:
    """Enable or disable a page (是否启用)."""
    async with db.transaction() as session:
        await service.set_enabled(session, principal.tenant_id, page_id, body.enabled)
    return await _page_read(request, principal.tenant_id, page_id)


@router.post("/{page_id}/move", response_model=PopPageRead)
async def move_page(
    page_id: Id, body: PopMove, request: Request, db: Db, principal: TenantAdmin
) -> PopPageRead:
    """Move a page up or down (上移 / 下移): the list order is the opening order."""
    async with db.transaction() as session:
        await service.move_page(session, principal.tenant_id, page_id, body.direction)
    return await _page_read(request, principal.tenant_id, page_id)


@router.post("/{page_id}/check", response_model=PopPageRead)
async def check_page(page_id: Id, request: Request, principal: TenantAdmin):
    """Check the page now: whitelisted, reachable, framing allowed, HTTPS."""
    return await _check_and_store(request, principal.tenant_id, page_id)


@router.delete("/{page_id}/secret", response_model=PopPageRead)
async def clear_secret(page_id: Id, request: Request, db: Db, principal: TenantAdmin):
    """Stop signing this page's parameters."""
    async with db.transaction() as session:
        await service.clear_secret(session, principal.tenant_id, page_id)
    return await _page_read(request, principal.tenant_id, page_id)


@router.post("/{page_id}/preview", response_model=PopInstruction)
async def preview(
    page_id: Id,
    body: SampleCall,
    db: Db,
    settings: AppSettings,
    clock: AppClock,
    principal: TenantAdmin,
) -> PopInstruction:
    """Try it [测试弹屏]: exactly what the agent's workbench would open for this sample call,
    enabled or not."""
    call = body.model_dump(exclude={"calldata"})
    async with db.reader() as session:
        page = await service.get_page(session, principal.tenant_id, page_id)
        params = await service.list_params(session, principal.tenant_id, page_id)
        entries = await service.whitelist_entries(session)
    return opening.preview_instruction(
        page, params, entries, call, body.calldata, settings.origin, int(clock.timestamp())
    )


@router.get("/{page_id}/params", response_model=PopParamList)
async def list_params(page_id: Id, db: Db, principal: TenantAdmin):
    """The page's configured URL parameters [配置参数]; none configured = the nine defaults."""
    async with db.reader() as session:
        params = await service.list_params(session, principal.tenant_id, page_id)
        limit = await get_param(session, "max_pop_params_per_page")
    items = [PopParamRead.model_validate(p) for p in params]
    return PopParamList(items=items, total=len(items), limit=limit)


@router.post("/{page_id}/params", response_model=PopParamRead, status_code=201)
async def add_param(
    page_id: Id, body: PopParamWrite, db: Db, principal: TenantAdmin
) -> PopParamRead:
    async with db.transaction() as session:
        param = await service.add_param(session, principal.tenant_id, page_id, body)
        return PopParamRead.model_validate(param)


@router.put("/{page_id}/params/{param_id}", response_model=PopParamRead)
async def update_param(
    page_id: Id,
    param_id: Id,
    body: PopParamWrite,
    db: Db,
    principal: TenantAdmin,
) -> PopParamRead:
    async with db.transaction() as session:
        param = await service.update_param(session, principal.tenant_id, page_id, param_id, body)
        return PopParamRead.model_validate(param)


@router.delete("/{page_id}/params/{param_id}", status_code=204)
async def delete_param(page_id: Id, param_id: Id, db: Db, principal: TenantAdmin):
    async with db.transaction() as session:
        await service.delete_param(session, principal.tenant_id, page_id, param_id)
    return Response(status_code=204)
