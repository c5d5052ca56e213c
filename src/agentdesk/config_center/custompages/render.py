"""What a custom page shows for one caller (the pop of an internal page, and the preview).

`render_custom_page` answers the display structure

    {"page_id", "name", "layout", "columns", "interface_type",
     "objects": [{"name", "fields": [{"label", "display", "mandatory", "type", "masked"}]}]}

or the same keys plus `"error"`: a clear message (interface unreachable, time-out, malformed
answer, page not published...) to show in the tab instead of a broken page. It never raises.

An external interface is called over the network. `load_render_plan` (database only) and
`run_render_plan` (network, or base-table rows for internal pages) are the two halves, for
callers that want to close their session before waiting on the network; `render_custom_page`
does both.
"""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config import Settings
from agentdesk.config_center.basetables import service as base_tables
from agentdesk.config_center.custompages import service
from agentdesk.config_center.custompages.internal import render_internal_objects
from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.config_center.interfaces.caller import CallSpec, call_interface
from agentdesk.kit.crypto import KeyRing
from agentdesk.kit.errors import DomainError, NotFound


@dataclass
class RenderPlan:
    page: dict  # page_id, name, layout, columns, interface_type
    error: str | None = None
    spec: CallSpec | None = None  # external interface
    objects: list[dict] = field(default_factory=list)  # internal interface: name, table_id, fields
    tenant_id: int | None = None

    @property
    def is_internal(self) -> bool:
        return self.error is None and self.spec is None


def _head(page) -> dict:
    return {
        "page_id": page.id,
        "name": page.name,
        "layout": page.layout,
        "columns": page.columns,
        "interface_type": page.interface_type,
    }


async def load_render_plan(
    session: AsyncSession,
    tenant_id: int,
    page_id: int,
    *,
    settings: Settings,
    require_published: bool = True,
) -> RenderPlan:
    """Everything the page needs from the database; problems become `plan.error`."""
    try:
        page, objects = await service.get_page(session, tenant_id, page_id)
    except NotFound:
        return RenderPlan(page={"page_id": page_id}, error=f"custom page {page_id} not found")
    plan = RenderPlan(page=_head(page), tenant_id=tenant_id)
    if require_published and not page.published:
        plan.error = f"custom page {page.name} is not published"
    elif page.interface_type is None:
        plan.error = f"custom page {page.name} has no page interface configured"
    elif page.interface_type == "external":
        await _plan_external(session, plan, page, settings)
    else:
        plan.objects = [
            {"name": o.name, "table_id": o.table_id, "fields": o.fields} for o in objects
        ]
    return plan


async def _plan_external(session: AsyncSession, plan: RenderPlan, page, settings) -> None:
    if page.interface_id is None:
        plan.error = f"custom page {page.name} has no external interface chosen"
        return
    try:
        plan.spec = await interfaces.spec_for_tenant(
            session,
            page.tenant_id,
            page.interface_id,
            keys=base_tables.data_keys(settings.secret_key, settings.key_material),
            secret_key=settings.secret_key,
        )
    except NotFound:
        plan.error = "the page's interface is no longer available to this tenant"
    except interfaces.InterfaceUnusable as exc:
        plan.error = exc.message


async def run_render_plan(
    plan: RenderPlan,
    caller: str,
    *,
    session: AsyncSession | None = None,
    keys: KeyRing | None = None,
) -> dict:
    """The display structure for `caller`. Internal pages read base-table rows: they need
    `session` and the base-table key ring `keys`."""
    result = {**plan.page, "objects": []}
    if plan.error:
        return {**result, "error": plan.error}
    caller = (caller or "").strip()
    if not caller:
        return {**result, "error": "the call has no caller number to look up"}
    if plan.spec is not None:
        outcome = await call_interface(plan.spec, caller)
        if not outcome.ok:
            return {**result, "error": outcome.error}
        return {**result, "objects": outcome.objects}
    if session is None or keys is None:
        return {**result, "error": "internal pages need a database session and the data keys"}
    try:
        objects = await render_internal_objects(
            session, plan.tenant_id, plan.objects, caller, keys=keys
        )
    except DomainError as exc:  # e.g. a base table deleted since the page was saved
        return {**result, "error": exc.message}
    return {**result, "objects": objects}


async def render_custom_page(
    session: AsyncSession,
    tenant_id: int,
    page_id: int,
    caller: str,
    *,
    settings: Settings,
    keys: KeyRing | None = None,
    require_published: bool = True,
) -> dict:
    """The page for this caller, or the same keys plus "error" (never raises).

    `keys`: the base-table key ring (pass `basetables.api.keys_of(request)`, which is built
    once per app); without it, it is derived from `settings` here. Pop
    time uses `require_published=True`; the admin's preview passes False."""
    plan = await load_render_plan(
        session, tenant_id, page_id, settings=settings, require_published=require_published
    )
    if plan.is_internal and keys is None:
        keys = base_tables.data_keys(settings.secret_key, settings.key_material)
    return await run_render_plan(plan, caller, session=session, keys=keys)
