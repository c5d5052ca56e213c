"""The audio/video workbench page [音视频工作台]."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from agentdesk.auth.deps import current_principal
from agentdesk.auth.pages import render
from agentdesk.auth.permissions import VERIFICATION_PERFORM, WORKBENCH_USE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.basetables.api import keys_of
from agentdesk.config_center.custompages.render import load_render_plan, run_render_plan
from agentdesk.config_center.screenpop import service as screenpop
from agentdesk.contacts.agent_states import LABELS
from agentdesk.kit.errors import NotFound
from agentdesk.kit.validation import Id
from agentdesk.resources import AppSettings, Db
from agentdesk.telephony.numbers import PHONE_NUMBER
from agentdesk.workbench.service import agent_call, agent_of

router = APIRouter(include_in_schema=False)


@router.get("/workbench", response_class=HTMLResponse)
async def workbench_page(request: Request, principal: Principal = Depends(current_principal)):
    principal.require(WORKBENCH_USE)
    return render(
        request,
        "workbench.html",
        principal,
        third_party_frames=True,
        state_labels=LABELS,
        phone_pattern=PHONE_NUMBER.pattern,
        can_verify=VERIFICATION_PERFORM in principal.permissions,
    )


@router.get("/workbench/custom-pages/{custom_page_id}", response_class=HTMLResponse)
async def internal_pop_page(
    custom_page_id: Id,
    callid: str,
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal = Depends(current_principal),
):
    """An internal pop page [内部页面]: the tenant's published custom page filled with the data
    of this call's customer, from the enterprise interface or the base tables (R-EXT, R-TBL).

    Only for a call of the signed-in agent, and only for a custom page an enabled internal pop
    page of the agent's tenant shows; errors come back as a message in the page."""
    principal.require(WORKBENCH_USE)
    async with db.reader() as session:
        ref = await agent_of(session, principal)
        call = await agent_call(session, ref, callid)
        if not await screenpop.shows_custom_page(session, ref.tenant_id, custom_page_id):
            raise NotFound(f"custom page {custom_page_id} is not an enabled pop page")
        customer = call.caller if call.direction == 0 else call.called
        plan = await load_render_plan(session, ref.tenant_id, custom_page_id, settings=settings)
        if plan.is_internal:
            page = await run_render_plan(plan, customer, session=session, keys=keys_of(request))
    if not plan.is_internal:
        page = await run_render_plan(plan, customer)  # the interface is called outside the session
    response = render(
        request,
        "custom_page.html",
        principal,
        page=page,
        caller=customer,
        looked_up=True,
        preview=False,
    )
    # Customer data: never cached; render's policy lets only the workbench itself frame it.
    response.headers["Cache-Control"] = "no-store"
    return response
