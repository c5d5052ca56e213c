"""Admin pages: the operations console (/ops) and the tenant's configuration center (/config).

Each page is a server-rendered shell (left nav, headings, both languages) plus a small ES
module that drives the JSON API through `static/crud.js`; the rules shown in forms come from
the API's OpenAPI schema, so the pages never restate validation the server owns.
"""

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from agentdesk.auth.deps import current_principal
from agentdesk.auth.pages import render
from agentdesk.auth.permissions import (
    CONFIG_MANAGE,
    PLATFORM_MANAGE,
    RECORDS_READ,
    USERS_MANAGE,
    VERIFICATION_CONFIGURE,
    VERIFICATION_RECORDS,
)
from agentdesk.auth.principal import Principal
from agentdesk.kit.errors import Forbidden, NotFound

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Section:
    slug: str
    zh: str
    en: str
    permission: str
    # Opens third-party pages ("Try it" of pop pages): its CSP lets frames and forms reach them.
    opens_pages: bool = False

    @property
    def template(self) -> str:
        return f"admin/{self.slug.replace('-', '_')}.html"


OPS_SECTIONS = (
    Section("tenants", "租户", "Tenants", PLATFORM_MANAGE),
    Section("access-codes", "接入码", "Access codes", PLATFORM_MANAGE),
    Section("outbound-numbers", "外呼号码", "Outbound numbers", PLATFORM_MANAGE),
    Section("system-parameters", "系统参数", "System parameters", PLATFORM_MANAGE),
    Section("whitelist", "地址白名单", "Address whitelist", PLATFORM_MANAGE),
    Section("interfaces", "接口管理", "Interfaces", PLATFORM_MANAGE),
)

CONFIG_SECTIONS = (
    Section("queues", "技能队列", "Skill queues", CONFIG_MANAGE),
    Section("called", "被叫配置", "Called configuration", CONFIG_MANAGE),
    Section("screen-pops", "弹屏配置", "Screen pop", CONFIG_MANAGE, opens_pages=True),
    Section("base-tables", "基础表配置", "Base tables", CONFIG_MANAGE),
    Section("table-data", "数据表查询", "Table data", CONFIG_MANAGE),
    Section("custom-pages", "页面配置", "Custom pages", CONFIG_MANAGE),
    # 扩展与集成管理: IVR flows and identity verification (guide 4.4.5).
    Section("ivr-flows", "流程管理", "IVR flows", CONFIG_MANAGE),
    Section("verification-methods", "身份验证流程", "Verification methods", VERIFICATION_CONFIGURE),
    Section("agents", "座席管理", "Agents", CONFIG_MANAGE),
    Section("users", "业务帐号", "Business accounts", USERS_MANAGE),
    Section("roles", "角色", "Roles", USERS_MANAGE),
    Section("tenant-access-codes", "接入码", "Access codes", CONFIG_MANAGE),
    Section("records", "接触记录", "Contact records", RECORDS_READ),
    Section("verification-records", "身份认证记录", "Verification records", VERIFICATION_RECORDS),
)


def _page(
    request: Request,
    principal: Principal,
    console: str,
    sections: tuple[Section, ...],
    slug: str,
    permission: str,
):
    """Render one section of a console, or a 403 page the user can act on."""
    section = next((s for s in sections if s.slug == slug), None)
    if section is None:
        raise NotFound(f"no page {console}/{slug}")
    try:
        principal.require(permission)
        principal.require(section.permission)
    except Forbidden:
        return _forbidden(request, principal)
    allowed = [s for s in sections if s.permission in principal.permissions]
    return render(
        request,
        section.template,
        principal,
        third_party_frames=section.opens_pages,
        console=console,
        sections=allowed,
        section=section,
    )


def _forbidden(request: Request, principal: Principal):
    response = render(request, "admin/forbidden.html", principal)
    response.status_code = 403
    return response


@router.get("/ops", response_class=HTMLResponse)
async def ops_home(request: Request, principal: Principal = Depends(current_principal)):
    """Operations admin console: tenants and their licences."""
    return _page(request, principal, "ops", OPS_SECTIONS, "tenants", PLATFORM_MANAGE)


@router.get("/ops/{slug}", response_class=HTMLResponse)
async def ops_section(
    slug: str, request: Request, principal: Principal = Depends(current_principal)
):
    """One section of the operations admin console."""
    return _page(request, principal, "ops", OPS_SECTIONS, slug, PLATFORM_MANAGE)


@router.get("/config", response_class=HTMLResponse)
async def config_home(request: Request, principal: Principal = Depends(current_principal)):
    """The tenant's configuration center [配置中心]: skill queues first."""
    return _page(request, principal, "config", CONFIG_SECTIONS, "queues", CONFIG_MANAGE)


@router.get("/config/{slug}", response_class=HTMLResponse)
async def config_section(
    slug: str, request: Request, principal: Principal = Depends(current_principal)
):
    """One section of the configuration center."""
    return _page(request, principal, "config", CONFIG_SECTIONS, slug, CONFIG_MANAGE)
