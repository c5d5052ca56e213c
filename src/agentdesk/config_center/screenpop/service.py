"""Screen-pop rules (R-POP, R-WB-3): pages per tab, parameters, whitelist, what a call opens.

Services validate and change rows; the edge commits. Nothing here reaches the network: the
page check lives in `checker` and is run by the API after the commit.
"""

from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.custompages.models import CustomPage
from agentdesk.config_center.screenpop import popparams
from agentdesk.config_center.screenpop.models import PopPage, PopParam, WhitelistEntry
from agentdesk.config_center.screenpop.repository import (
    PopPageRepository,
    PopParamRepository,
    as_entry,
    whitelist_rows,
)
from agentdesk.config_center.screenpop.schemas import (
    PopInstruction,
    PopPageWrite,
    PopParamWrite,
    WhitelistWrite,
)
from agentdesk.config_center.screenpop.whitelist import (
    BadUrl,
    Entry,
    find_entry,
    parse_entry,
    parse_url,
)
from agentdesk.kit.errors import FieldError, LimitReached, NotFound, ValidationFailed
from agentdesk.tenancy.params import get_param

NOT_WHITELISTED = "not in the address whitelist [地址白名单]; ask the operations admin to add it"


# ---------------------------------------------------------------- whitelist (operations admin)


async def list_whitelist(session: AsyncSession) -> list[WhitelistEntry]:
    return await whitelist_rows(session)


async def whitelist_entries(session: AsyncSession) -> list[tuple[Entry, bool]]:
    """Every entry with its allow_private flag, for matching."""
    return [(as_entry(row), row.allow_private) for row in await whitelist_rows(session)]


def _parsed_entry(pattern: str) -> Entry:
    try:
        return parse_entry(pattern)
    except BadUrl as exc:
        raise ValidationFailed.single("pattern", "format", str(exc)) from exc


async def _refuse_duplicate(session, entry: Entry, own_id: int | None = None) -> None:
    stmt = select(WhitelistEntry.id).where(
        WhitelistEntry.scheme == entry.scheme,
        WhitelistEntry.host == entry.host,
        WhitelistEntry.port == entry.port,
        WhitelistEntry.path_prefix == entry.path_prefix,
    )
    existing = await session.scalar(stmt)
    if existing is not None and existing != own_id:
        raise ValidationFailed.single("pattern", "unique", f"{entry.pattern} is already listed")


async def create_whitelist_entry(session: AsyncSession, data: WhitelistWrite) -> WhitelistEntry:
    entry = _parsed_entry(data.pattern)
    await _refuse_duplicate(session, entry)
    row = WhitelistEntry(
        scheme=entry.scheme,
        host=entry.host,
        port=entry.port,
        path_prefix=entry.path_prefix,
        allow_private=data.allow_private,
        note=data.note,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)  # server-side timestamps, read here rather than lazily later
    return row


async def get_whitelist_entry(session: AsyncSession, entry_id: int) -> WhitelistEntry:
    row = await session.get(WhitelistEntry, entry_id)
    if row is None:
        raise NotFound(f"whitelist entry {entry_id} not found")
    return row


async def update_whitelist_entry(
    session: AsyncSession, entry_id: int, data: WhitelistWrite
) -> WhitelistEntry:
    row = await get_whitelist_entry(session, entry_id)
    entry = _parsed_entry(data.pattern)
    await _refuse_duplicate(session, entry, own_id=row.id)
    row.scheme, row.host, row.port, row.path_prefix = (
        entry.scheme,
        entry.host,
        entry.port,
        entry.path_prefix,
    )
    row.allow_private, row.note = data.allow_private, data.note
    await session.flush()
    await session.refresh(row)
    return row


async def delete_whitelist_entry(session: AsyncSession, entry_id: int) -> None:
    await session.delete(await get_whitelist_entry(session, entry_id))


def match_whitelist(url: str, entries: list[tuple[Entry, bool]]) -> tuple[Entry, bool] | None:
    """The entry (and its allow_private flag) a page URL matches, if any."""
    allow_private = dict(entries)
    found = find_entry(url, list(allow_private))
    return None if found is None else (found, allow_private[found])


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
        if data.integration == "webapi" and data.open_mode != "embed":
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
    custom = await session.scalar(
        select(CustomPage).where(
            CustomPage.id == data.custom_page_id, CustomPage.tenant_id == tenant_id
        )
    )
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


def internal_page_url(workbench_origin: str, custom_page_id: int, callid: str) -> str:
    return f"{workbench_origin}/workbench/custom-pages/{custom_page_id}?callid={quote(callid)}"


def preview_instruction(
    page: PopPage,
    params: list[PopParam],
    entries: list[tuple[Entry, bool]],
    call: dict,
    attached: dict,
    origin: str,
    now_seconds: int,
) -> PopInstruction:
    """What "try it" shows: the workbench's instruction, except that an internal page opens the
    custom page's own preview for the sample caller (the admin is no agent on a call)."""
    result = instruction(page, params, entries, call, attached, origin, now_seconds)
    if page.page_type == "internal":
        caller = quote(call.get("callerNum", ""), safe="")
        result.url = f"{origin}/config/custom-pages/{page.custom_page_id}/preview?caller={caller}"
    return result


def instruction(
    page: PopPage,
    params: list[PopParam],
    entries: list[tuple[Entry, bool]],
    call: dict,
    attached: dict,
    workbench_origin: str,
    now_seconds: int,
) -> PopInstruction:
    """How the workbench (or the preview) opens `page` for a call with `call`'s data."""
    base = {
        "id": page.id,
        "name": page.name,
        "open_mode": page.open_mode,
        "integration": page.integration,
        "page_type": page.page_type,
    }
    if page.page_type == "internal":
        # Rendered by agentdesk itself, on the workbench's own origin.
        return PopInstruction(
            **base,
            status="open",
            url=internal_page_url(workbench_origin, page.custom_page_id, call.get("callid", "")),
            page_origin=workbench_origin,
        )
    matched = match_whitelist(page.url, entries)
    if matched is None:
        return PopInstruction(**base, status="blocked", reason=NOT_WHITELISTED)
    page_origin = parse_url(page.url).origin
    if page.integration == "webapi":
        return PopInstruction(**base, status="open", url=page.url, page_origin=page_origin)
    specs = [popparams.ParamSpec(p.name, p.source, p.key) for p in params]
    values = popparams.select_params(call, attached, specs) + [("origin", workbench_origin)]
    if page.secret:
        values = popparams.sign(values, page.secret, now_seconds)
    if page.integration == "post":
        return PopInstruction(
            **base,
            status="open",
            method="POST",
            url=page.url,
            fields=values,
            page_origin=page_origin,
        )
    url = popparams.get_url(page.url, values)
    return PopInstruction(**base, status="open", url=url, page_origin=page_origin)


async def instructions_for_call(
    session: AsyncSession,
    tenant_id: int,
    tab: str,
    call: dict,
    attached: dict,
    workbench_origin: str,
    now_seconds: int,
) -> list[PopInstruction]:
    """Every enabled external page of the tab, in list order, for this call (R-WB-3).

    Read at each call, so configuration changes apply to the next call (R-WB-5)."""
    pages = [
        page
        for page in await PopPageRepository(session, tenant_id).in_tab(tab, enabled_only=True)
        if page.integration != "webapi"
    ]
    params = await PopParamRepository(session, tenant_id).of_pages([p.id for p in pages])
    entries = await whitelist_entries(session)
    return [
        instruction(page, params[page.id], entries, call, attached, workbench_origin, now_seconds)
        for page in pages
    ]


async def webapi_pages(
    session: AsyncSession, tenant_id: int, tab: str, now_seconds: int
) -> list[PopInstruction]:
    """The tab's enabled Web API pages: they open with the workbench and stay open across
    calls, driven by AICCSupport.js (R-SDK-9)."""
    pages = [
        page
        for page in await PopPageRepository(session, tenant_id).in_tab(tab, enabled_only=True)
        if page.integration == "webapi"
    ]
    entries = await whitelist_entries(session)
    return [instruction(page, [], entries, {}, {}, "", now_seconds) for page in pages]


async def shows_custom_page(session: AsyncSession, tenant_id: int, custom_page_id: int) -> bool:
    """Whether an enabled internal pop page of the tenant shows this custom page."""
    found = await PopPageRepository(session, tenant_id).find(
        PopPage.page_type == "internal",
        PopPage.custom_page_id == custom_page_id,
        PopPage.enabled.is_(True),
    )
    return found is not None


def is_whitelisted(url: str, entries: list[tuple[Entry, bool]]) -> bool:
    return match_whitelist(url, entries) is not None
