"""REST API of IVR flows [流程管理]: /api/config/ivr-flows (tenant admins).

Network calls (Try it) run after the database session is closed."""

from datetime import UTC

from fastapi import APIRouter, Depends, Request, Response

from agentdesk.auth.deps import require_tenant
from agentdesk.auth.permissions import CONFIG_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.basetables.api import keys_of  # the application's one key ring
from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.ivr import service
from agentdesk.ivr.diagram import layout
from agentdesk.ivr.models import IvrFlow
from agentdesk.ivr.schemas import (
    CheckRequest,
    CheckResult,
    FlowCopy,
    FlowList,
    FlowProblem,
    FlowRead,
    FlowSummary,
    FlowWrite,
    TryRequest,
    TryResult,
)
from agentdesk.ivr.steps import steps_by_id
from agentdesk.ivr.trial import BadRun, try_flow
from agentdesk.kit.errors import FieldError, NotFound, ValidationFailed
from agentdesk.kit.validation import Id
from agentdesk.web.i18n import pick_language

router = APIRouter(prefix="/api/config/ivr-flows", tags=["config: IVR flows"])
admin = require_tenant(CONFIG_MANAGE)


def _summary(flow: IvrFlow) -> dict:
    return {
        "id": flow.id,
        "name": flow.name,
        "description": flow.description,
        "published_version": flow.published_version,
        "published_at": flow.published_at,
        "updated_at": flow.updated_at,
        "draft_changed": service.draft_changed(flow),
        "steps": service.step_count(flow.draft),
    }


def _read(flow: IvrFlow) -> FlowRead:
    return FlowRead(**_summary(flow), draft=flow.draft, published=flow.published)


def _lang(request: Request) -> str:
    return pick_language(request.cookies.get("lang"), request.headers.get("accept-language"))


def _problems(request: Request, problems: list) -> list[FlowProblem]:
    zh = _lang(request) == "zh"
    return [
        FlowProblem(
            step_id=p.step_id,
            field=p.field,
            rule=p.rule,
            message=p.message_zh if zh else p.message_en,
        )  # fmt: skip
        for p in problems
    ]


async def _reread(request: Request, tenant_id: int, flow_id: int) -> FlowRead:
    async with request.app.state.db.reader() as session:
        return _read(await service.get_flow(session, tenant_id, flow_id))


@router.get("", response_model=FlowList)
async def list_flows(request: Request, principal: Principal = Depends(admin)) -> FlowList:
    """The tenant's IVR flows by name."""
    async with request.app.state.db.reader() as session:
        flows = await service.list_flows(session, principal.tenant_id)
    return FlowList(items=[FlowSummary(**_summary(f)) for f in flows], total=len(flows))


@router.post("", response_model=FlowRead, status_code=201)
async def create_flow(
    body: FlowWrite, request: Request, principal: Principal = Depends(admin)
) -> FlowRead:
    """Create a flow (its draft may be empty or incomplete)."""
    async with request.app.state.db.transaction() as session:
        flow = await service.create_flow(session, principal.tenant_id, body)
        flow_id = flow.id
    return await _reread(request, principal.tenant_id, flow_id)


@router.post("/check", response_model=CheckResult)
async def check_definition(
    body: CheckRequest, request: Request, principal: Principal = Depends(admin)
) -> CheckResult:
    """What publishing this definition would refuse, and the diagram of it (for the editor)."""
    async with request.app.state.db.reader() as session:
        problems = await service.check_definition(session, principal.tenant_id, body.definition)
    return CheckResult(
        ok=not problems, problems=_problems(request, problems), diagram=layout(body.definition)
    )


@router.get("/{flow_id}", response_model=FlowRead)
async def show_flow(flow_id: Id, request: Request, principal: Principal = Depends(admin)):
    """One flow with its draft and published definitions."""
    return await _reread(request, principal.tenant_id, flow_id)


@router.put("/{flow_id}", response_model=FlowRead)
async def update_flow(
    flow_id: Id, body: FlowWrite, request: Request, principal: Principal = Depends(admin)
) -> FlowRead:
    """Rename, describe, and (with `definition`) replace the draft."""
    async with request.app.state.db.transaction() as session:
        await service.update_flow(session, principal.tenant_id, flow_id, body)
    return await _reread(request, principal.tenant_id, flow_id)


@router.delete("/{flow_id}", status_code=204)
async def delete_flow(flow_id: Id, request: Request, principal: Principal = Depends(admin)):
    """Delete a flow nothing uses."""
    async with request.app.state.db.transaction() as session:
        await service.delete_flow(session, principal.tenant_id, flow_id)
    return Response(status_code=204)


@router.post("/{flow_id}/copy", response_model=FlowRead, status_code=201)
async def copy_flow(
    flow_id: Id, body: FlowCopy, request: Request, principal: Principal = Depends(admin)
) -> FlowRead:
    """A new unpublished flow with this flow's draft."""
    async with request.app.state.db.transaction() as session:
        flow = await service.copy_flow(session, principal.tenant_id, flow_id, body.name)
        new_id = flow.id
    return await _reread(request, principal.tenant_id, new_id)


@router.post("/{flow_id}/publish", response_model=FlowRead)
async def publish_flow(
    flow_id: Id, request: Request, principal: Principal = Depends(admin)
) -> FlowRead:
    """Check the draft and make it what calls run (422 names each step and rule)."""
    now = request.app.state.clock.now()
    async with request.app.state.db.transaction() as session:
        await service.publish_flow(session, principal.tenant_id, flow_id, now)
    return await _reread(request, principal.tenant_id, flow_id)


async def _interface_specs(request: Request, session, tenant_id: int, definition: dict) -> dict:
    ids = {s.get("interface_id") for s in steps_by_id(definition).values()
           if s.get("type") == "interface"}  # fmt: skip
    secret_key = request.app.state.settings.secret_key
    specs: dict = {}
    for interface_id in ids:
        try:
            specs[interface_id] = await interfaces.spec_for_tenant(
                session, tenant_id, interface_id, keys=keys_of(request), secret_key=secret_key
            )
        except NotFound:
            specs[interface_id] = f"interface {interface_id} is not mapped to this tenant"
        except interfaces.InterfaceUnusable as exc:
            specs[interface_id] = exc.message
    return specs


@router.post("/{flow_id}/try", response_model=TryResult)
async def try_it(
    flow_id: Id, body: TryRequest, request: Request, principal: Principal = Depends(admin)
) -> TryResult:
    """Run the draft or the published flow one event at a time, without a call: prompts,
    the interface requests (performed for real) and answers, the path taken."""
    async with request.app.state.db.reader() as session:
        flow = await service.get_flow(session, principal.tenant_id, flow_id)
        definition = flow.draft if body.version == "draft" else flow.published
        if definition is None:
            raise ValidationFailed([FieldError("version", "not_published",
                "this flow is not published yet: try the draft", "该流程尚未发布：请试运行草稿")])  # fmt: skip
        problems = await service.check_definition(session, principal.tenant_id, definition)
        if problems:
            raise ValidationFailed([service.as_field_error(p) for p in problems])
        specs = await _interface_specs(request, session, principal.tenant_id, definition)
    now = request.app.state.clock.now().replace(tzinfo=UTC).timestamp()
    try:
        return await try_flow(definition, body.event, body.run, body.data, now, specs)
    except BadRun as exc:
        raise ValidationFailed([FieldError("run", "invalid", str(exc),
                                           "试运行状态无效：请重新开始")]) from None  # fmt: skip
