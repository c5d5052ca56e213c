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
    WORKBENCH_USE,
)
from agentdesk.auth.principal import Principal
from agentdesk.config_center.agents import service as agents
from agentdesk.kit.errors import Forbidden, NotFound
from agentdesk.telephony.numbers import PHONE_NUMBER
from agentdesk.web import TEMPLATES_DIR

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Section:
    slug: str
    zh: str
    en: str
    permission: str
    # Opens third-party pages ("Try it" of pop pages): its CSP lets frames and forms reach them.
    opens_pages: bool = False
    # A page another change adds (IVR flows, identity verification): listed once its
    # template exists, so the menu has its place as the guide names it and never a dead link.
    when_built: bool = False

    @property
    def template(self) -> str:
        return f"admin/{self.slug.replace('-', '_')}.html"

    @property
    def built(self) -> bool:
        return not self.when_built or (TEMPLATES_DIR / self.template).is_file()


@dataclass(frozen=True)
class Group:
    """A menu group as the vendor guide names it ("配置中心 > 员工中心 > 技能队列")."""

    zh: str
    en: str
    sections: tuple[Section, ...]


OPS_GROUPS = (
    Group(
        "租户管理", "Tenant management", (Section("tenants", "租户", "Tenants", PLATFORM_MANAGE),)
    ),
    Group(
        "呼叫中心管理",
        "Call center management",
        (
            Section("whitelist", "地址白名单管理", "Address whitelist", PLATFORM_MANAGE),
            Section("access-codes", "接入码", "Access codes", PLATFORM_MANAGE),
            Section("outbound-numbers", "外呼号码", "Outbound numbers", PLATFORM_MANAGE),
            Section("interfaces", "接口管理", "Interfaces", PLATFORM_MANAGE),
            Section("system-parameters", "系统参数", "System parameters", PLATFORM_MANAGE),
        ),
    ),
)

CONFIG_GROUPS = (
    Group(
        "员工中心",
        "Staff center",
        (
            Section("queues", "技能队列", "Skill queues", CONFIG_MANAGE),
            Section("agents", "座席管理", "Agents", CONFIG_MANAGE),
            Section("users", "业务账号", "Business accounts", USERS_MANAGE),
            Section("roles", "角色", "Roles", USERS_MANAGE),
        ),
    ),
    Group(
        "接入配置",
        "Access configuration",
        (
            Section("called", "被叫配置", "Called configuration", CONFIG_MANAGE),
            Section("tenant-access-codes", "接入码", "Access codes", CONFIG_MANAGE),
        ),
    ),
    Group(
        "扩展与集成管理",
        "Extension and integration",
        (
            Section("screen-pops", "弹屏配置", "Screen pop", CONFIG_MANAGE, opens_pages=True),
            Section("base-tables", "基础表配置", "Base tables", CONFIG_MANAGE),
            Section("table-data", "数据表查询", "Table data", CONFIG_MANAGE),
            Section("custom-pages", "页面配置", "Custom pages", CONFIG_MANAGE),
            # IVR flows and identity verification (guide 4.4.5).
            Section("ivr-flows", "流程管理", "IVR flows", CONFIG_MANAGE),
            Section(
                "verification-methods",
                "身份验证流程",
                "Verification methods",
                VERIFICATION_CONFIGURE,
            ),
        ),
    ),
    Group(
        "客户接触历史",
        "Contact history",
        (
            Section("records", "接触记录", "Contact records", RECORDS_READ),
            Section(
                "verification-records",
                "身份认证记录",
                "Verification records",
                VERIFICATION_RECORDS,
            ),
        ),
    ),
)

CONSOLE_NAMES = {"ops": ("运营管理", "Operations"), "config": ("配置中心", "Configuration center")}
OPS_SECTIONS = tuple(s for g in OPS_GROUPS for s in g.sections if s.built)
CONFIG_SECTIONS = tuple(s for g in CONFIG_GROUPS for s in g.sections if s.built)


async def workbench_link(request: Request, principal: Principal) -> bool:
    """Offer the workbench only to whom it opens for: the permission alone is not enough,
    the account must be configured as an agent (座席管理), or the page refuses it."""
    if WORKBENCH_USE not in principal.permissions or not principal.tenant_id:
        return False
    async with request.app.state.db.reader() as session:
        return await agents.is_agent(session, principal.tenant_id, principal.user_id)


def _visible(groups: tuple[Group, ...], principal: Principal) -> list[Group]:
    """The groups and sections this user may open (a group with none is left out)."""
    visible = []
    for group in groups:
        allowed = tuple(
            s for s in group.sections if s.built and s.permission in principal.permissions
        )
        if allowed:
            visible.append(Group(group.zh, group.en, allowed))
    return visible


async def _page(
    request: Request,
    principal: Principal,
    console: str,
    groups: tuple[Group, ...],
    slug: str,
    permission: str,
):
    """Render one section of a console, or a 403 page the user can act on."""
    found = [(g, s) for g in groups for s in g.sections if s.slug == slug and s.built]
    if not found:
        raise NotFound(f"no page {console}/{slug}")
    group, section = found[0]
    try:
        principal.require(permission)
        principal.require(section.permission)
    except Forbidden:
        return _forbidden(request, principal)
    return render(
        request,
        section.template,
        principal,
        third_party_frames=section.opens_pages,
        console=console,
        console_name=CONSOLE_NAMES[console],
        groups=_visible(groups, principal),
        group=group,
        section=section,
        # The one phone-number rule, for pages that check numbers in the browser ("Try it").
        phone_pattern=PHONE_NUMBER.pattern,
        workbench_link=await workbench_link(request, principal),
    )


def _forbidden(request: Request, principal: Principal):
    response = render(request, "admin/forbidden.html", principal)
    response.status_code = 403
    return response


@router.get("/ops", response_class=HTMLResponse)
async def ops_home(request: Request, principal: Principal = Depends(current_principal)):
    """Operations admin console: tenants and their licences."""
    return await _page(request, principal, "ops", OPS_GROUPS, "tenants", PLATFORM_MANAGE)


@router.get("/ops/{slug}", response_class=HTMLResponse)
async def ops_section(
    slug: str, request: Request, principal: Principal = Depends(current_principal)
):
    """One section of the operations admin console."""
    return await _page(request, principal, "ops", OPS_GROUPS, slug, PLATFORM_MANAGE)


@router.get("/config", response_class=HTMLResponse)
async def config_home(request: Request, principal: Principal = Depends(current_principal)):
    """The tenant's configuration center [配置中心]: skill queues first."""
    return await _page(request, principal, "config", CONFIG_GROUPS, "queues", CONFIG_MANAGE)


@router.get("/config/{slug}", response_class=HTMLResponse)
async def config_section(
    slug: str, request: Request, principal: Principal = Depends(current_principal)
):
    """One section of the configuration center."""
    return await _page(request, principal, "config", CONFIG_GROUPS, slug, CONFIG_MANAGE)
