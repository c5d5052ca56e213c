"""What a call opens (R-WB-3, R-POP-4…7): one instruction per page, for the workbench and for
"try it", built by the page's integration mode (`integrations`).

Pure: page rows and plain data in, instructions out; no queries, no web framework.
"""

from urllib.parse import quote

from agentdesk.config_center.screenpop import integrations, popparams
from agentdesk.config_center.screenpop.schemas import PopInstruction
from agentdesk.config_center.whitelist.matching import Entry, parse_url, permission

NOT_WHITELISTED = "not in the address whitelist [地址白名单]; ask the operations admin to add it"
NOT_WHITELISTED_CODE = "not_whitelisted"

Entries = list[tuple[Entry, bool]]


def internal_page_url(workbench_origin: str, custom_page_id: int, callid: str) -> str:
    return f"{workbench_origin}/workbench/custom-pages/{custom_page_id}?callid={quote(callid)}"


def is_whitelisted(url: str, entries: Entries) -> bool:
    return permission(url, entries) is not None


def _base(page) -> dict:
    return {
        "id": page.id,
        "name": page.name,
        "open_mode": page.open_mode,
        "integration": page.integration,
        "page_type": page.page_type,
    }


def _internal(page, call: dict, workbench_origin: str) -> PopInstruction:
    """Rendered by agentdesk itself, on the workbench's own origin."""
    url = internal_page_url(workbench_origin, page.custom_page_id, call.get("callid", ""))
    return PopInstruction(**_base(page), status="open", url=url, page_origin=workbench_origin)


def instruction(
    page,
    params: list,
    entries: Entries,
    call: dict,
    attached: dict,
    workbench_origin: str,
    now_seconds: int,
) -> PopInstruction:
    """How the workbench (or the preview) opens `page` for a call with `call`'s data."""
    if page.page_type == "internal":
        return _internal(page, call, workbench_origin)
    if not is_whitelisted(page.url, entries):
        return PopInstruction(
            **_base(page),
            status="blocked",
            reason=NOT_WHITELISTED,
            reason_code=NOT_WHITELISTED_CODE,
        )
    context = integrations.PopContext(
        url=page.url,
        page_origin=parse_url(page.url).origin,
        secret=page.secret,
        params=[popparams.ParamSpec(p.name, p.source, p.key) for p in params],
        call=call,
        attached=attached,
        workbench_origin=workbench_origin,
        now_seconds=now_seconds,
    )
    opening = integrations.mode_of(page.integration).open(context)
    return PopInstruction(
        **_base(page),
        status="open",
        method=opening.method,
        url=opening.url,
        fields=list(opening.fields),
        page_origin=context.page_origin,
    )


def preview_instruction(
    page,
    params: list,
    entries: Entries,
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
