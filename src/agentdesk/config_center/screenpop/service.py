"""Screen-pop rules (R-POP, R-WB-3): pages per tab, their parameters, what a call opens.

Services validate and change rows; the edge commits. Nothing here reaches the network: the
page check lives in `checker` and is run by the API after the commit. How each integration
mode opens a page is the registry's (`integrations`), the instruction is `opening`'s; the
whitelist and custom pages are asked through their services.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.custompages import service as custom_pages
from agentdesk.config_center.screenpop import integrations, opening, popparams
from agentdesk.config_center.screenpop.models import PopPage, PopParam
from agentdesk.config_center.screenpop.opening import is_whitelisted
from agentdesk.config_center.screenpop.repository import PopPageRepository, PopParamRepository
from agentdesk.config_center.screenpop.schemas import PopInstruction, PopPageWrite, PopParamWrite
from agentdesk.config_center.whitelist import service as whitelist
from agentdesk.config_center.whitelist.matching import BadUrl, parse_url
from agentdesk.kit.errors import FieldError, LimitReached, NotFound, ValidationFailed
from agentdesk.tenancy.params import get_param

__all__ = ["instructions_for_call", "is_whitelisted", "shows_custom_page", "webapi_pages"]


async def whitelist_entries(session: AsyncSession):
    """The address whitelist, for matching this request's pages (asked once per request)."""
    return await whitelist.entries(session)


# ---------------------------------------------------------------- pop pages (tenant admin)


async def list_pages(session: AsyncSession, tenant_id: int, tab: str) -> list[PopPage]:
    return await PopPageRepository(session, tenant_id).in_tab(tab)


async def param_counts(session: AsyncSession, tenant_id: int, pages: list[PopPage]) -> dict:
    return await PopPageRepository(session, tenant_id).param_counts([p.id for p in pages])


async def get_page(session: AsyncSession, tenant_id: int, page_id: int) -> PopPage:
    return await PopPageRepository(session, tenant_id).get(page_id)


async def _check_page_rules(session: AsyncSession, tenant_id: int, data: PopPageWrite) -> None:
    errors = []
    if data.page_type == "internal":
        errors += await _internal_page_errors(session, tenant_id, data)
    else:
        try:
            parse_url(data.url)
        except BadUrl as exc:
            errors.append(("url", "format", str(exc)))
        if integrations.mode_of(data.integration).embed_only and data.open_mode != "embed":
            errors.append(
                ("open_mode", "embed_only", "Web API pages talk to the workbench: use embed [嵌入]")
            )
    if errors:
        raise ValidationFailed([FieldError(*error) for error in errors])


async def _internal_page_errors(session, tenant_id: int, data: PopPageWrite) -> list[tuple]:
    """Internal pages: audio/video tab only, showing a published custom page of the tenant."""
    errors = []
    if data.tab != "audio_video":
        errors.append(
            ("tab", "audio_video_only", "internal pages are for the audio/video tab [音视频] only")
        )
    if data.custom_page_id is None:
        return [*errors, ("custom_page_id", "required", "choose a published custom page")]
    custom = await custom_pages.find_page(session, tenant_id, data.custom_page_id)
    if custom is None:
        errors.append(("custom_page_id", "exists", "no such custom page [页面配置]"))
    elif not custom.published:
        errors.append(
            ("custom_page_id", "published", f"publish the custom page {custom.name} first [发布]")
        )
    return errors


async def create_page(session: AsyncSession, tenant_id: int, data: PopPageWrite) -> PopPage:
    """A new page at the bottom of its tab, within the tab's limit (R-POP-2)."""
    await _check_page_rules(session, tenant_id, data)
    repo = PopPageRepository(session, tenant_id)
    limit = await get_param(session, "max_pop_pages_per_tab")
    if await repo.count(PopPage.tab == data.tab) >= limit:
        raise LimitReached(
            "tab",
            limit,
            "at most {limit} pop pages per tab (system parameter max_pop_pages_per_tab)",
            "每个页签最多 {limit} 个弹屏页面（系统参数 max_pop_pages_per_tab）",
        )
    values = data.model_dump()
    if data.page_type == "internal":
        values.update(url="", integration="get", secret=None)
    else:
        values["custom_page_id"] = None
    page = PopPage(position=await repo.next_position(data.tab), **values)
    repo.add(page)
    await session.flush()
    return page


async def update_page(
    session: AsyncSession, tenant_id: int, page_id: int, data: PopPageWrite
) -> PopPage:
    await _check_page_rules(session, tenant_id, data)
    repo = PopPageRepository(session, tenant_id)
    page = await repo.get(page_id, for_update=True)
    if data.tab != page.tab:
        raise ValidationFailed.single(
            "tab", "immutable", "a page stays on its tab; delete it and create it on the other"
        )
    values = data.model_dump()
    if data.page_type == "internal":
        values.update(url="", integration="get", secret=None)
    else:
        values["custom_page_id"] = None
    if data.secret is None and data.page_type != "internal":
        values.pop("secret")  # an edit without a new secret keeps the old one
    if values["url"] != page.url:
        page.check_result = None
    for key, value in values.items():
        setattr(page, key, value)
    await session.flush()
    return page


async def clear_secret(session: AsyncSession, tenant_id: int, page_id: int) -> PopPage:
    page = await PopPageRepository(session, tenant_id).get(page_id, for_update=True)
    page.secret = None
    return page


async def set_enabled(session: AsyncSession, tenant_id: int, page_id: int, enabled: bool):
    page = await PopPageRepository(session, tenant_id).get(page_id, for_update=True)
    page.enabled = enabled
    return page


async def store_check(session: AsyncSession, tenant_id: int, page_id: int, result: dict):
    page = await PopPageRepository(session, tenant_id).get(page_id, for_update=True)
    page.check_result = result
    return page


async def delete_page(session: AsyncSession, tenant_id: int, page_id: int) -> None:
    repo = PopPageRepository(session, tenant_id)
    page = await repo.get(page_id, for_update=True)
    await repo.delete(page)
    await session.flush()
    for position, other in enumerate(await repo.in_tab(page.tab), start=1):
        other.position = position


async def move_page(session: AsyncSession, tenant_id: int, page_id: int, direction: str):
    """Swap with the neighbour above or below (上移 / 下移); the ends stay where they are."""
    repo = PopPageRepository(session, tenant_id)
    page = await repo.get(page_id, for_update=True)
    pages = await repo.in_tab(page.tab)
    index = next(i for i, p in enumerate(pages) if p.id == page.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(pages):
        pages[index], pages[other] = pages[other], pages[index]
    for position, item in enumerate(pages, start=1):
        item.position = position
    await session.flush()
    return page


# ---------------------------------------------------------------- parameters


async def list_params(session: AsyncSession, tenant_id: int, page_id: int) -> list[PopParam]:
    await get_page(session, tenant_id, page_id)
    return await PopParamRepository(session, tenant_id).of_page(page_id)


def _check_param(data: PopParamWrite) -> None:
    if data.source == "call_data" and data.key not in popparams.CALL_DATA_KEYS:
        raise ValidationFailed.single(
            "key",
            "one_of",
            "call data is one of: " + ", ".join(popparams.CALL_DATA_KEYS),
        )


async def _refuse_duplicate_param(repo, page_id: int, name: str, own_id: int | None = None):
    existing = await repo.find(PopParam.page_id == page_id, PopParam.name == name)
    if existing is not None and existing.id != own_id:
        raise ValidationFailed.single("name", "unique", f"the page already sends {name}")


async def add_param(
    session: AsyncSession, tenant_id: int, page_id: int, data: PopParamWrite
) -> PopParam:
    _check_param(data)
    page = await PopPageRepository(session, tenant_id).get(page_id, for_update=True)
    if page.page_type != "external":
        raise ValidationFailed.single(
            "page", "external_only", "only external pages take URL parameters"
        )
    repo = PopParamRepository(session, tenant_id)
    existing = await repo.of_page(page_id)
    limit = await get_param(session, "max_pop_params_per_page")
    if len(existing) >= limit:
        raise LimitReached(
            "name",
            limit,
            "at most {limit} parameters per page (system parameter max_pop_params_per_page)",
            "每个页面最多 {limit} 个参数（系统参数 max_pop_params_per_page）",
        )
    await _refuse_duplicate_param(repo, page_id, data.name)
    position = max((p.position for p in existing), default=0) + 1
    param = repo.add(PopParam(page_id=page_id, position=position, **data.model_dump()))
    await session.flush()
    return param


async def update_param(
    session: AsyncSession, tenant_id: int, page_id: int, param_id: int, data: PopParamWrite
) -> PopParam:
    _check_param(data)
    repo = PopParamRepository(session, tenant_id)
    param = await repo.get(param_id, for_update=True)
    if param.page_id != page_id:
        raise NotFound(f"pop parameter {param_id} not found")
    await _refuse_duplicate_param(repo, page_id, data.name, own_id=param.id)
    for key, value in data.model_dump().items():
        setattr(param, key, value)
    await session.flush()
    return param


async def delete_param(session: AsyncSession, tenant_id: int, page_id: int, param_id: int):
    repo = PopParamRepository(session, tenant_id)
    param = await repo.get(param_id, for_update=True)
    if param.page_id != page_id:
        raise NotFound(f"pop parameter {param_id} not found")
    await repo.delete(param)


# ---------------------------------------------------------------- what a call opens


async def instructions_for_call(
    session: AsyncSession,
    tenant_id: int,
    tab: str,
    call: dict,
    attached: dict,
    workbench_origin: str,
    now_seconds: int,
) -> list[PopInstruction]:
    """Every enabled page of the tab that opens per call, in list order, for this call
    (R-WB-3). Read at each call, so configuration changes apply to the next call (R-WB-5)."""
    pages = [
        page
        for page in await PopPageRepository(session, tenant_id).in_tab(tab, enabled_only=True)
        if integrations.mode_of(page.integration).per_call
    ]
    params = await PopParamRepository(session, tenant_id).of_pages([p.id for p in pages])
    entries = await whitelist_entries(session)
    return [
        opening.instruction(
            page, params[page.id], entries, call, attached, workbench_origin, now_seconds
        )
        for page in pages
    ]


async def webapi_pages(
    session: AsyncSession, tenant_id: int, tab: str, now_seconds: int
) -> list[PopInstruction]:
    """The tab's enabled pages that open with the workbench and stay open across calls
    (Web API, driven by AICCSupport.js, R-SDK-9)."""
    pages = [
        page
        for page in await PopPageRepository(session, tenant_id).in_tab(tab, enabled_only=True)
        if not integrations.mode_of(page.integration).per_call
    ]
    entries = await whitelist_entries(session)
    return [opening.instruction(page, [], entries, {}, {}, "", now_seconds) for page in pages]


async def shows_custom_page(session: AsyncSession, tenant_id: int, custom_page_id: int) -> bool:
    """Whether an enabled internal pop page of the tenant shows this custom page."""
    found = await PopPageRepository(session, tenant_id).find(
        PopPage.page_type == "internal",
        PopPage.custom_page_id == custom_page_id,
        PopPage.enabled.is_(True),
    )
    return found is not None
