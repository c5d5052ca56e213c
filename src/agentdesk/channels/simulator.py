"""The simulator channel: a simulated telephone network whose customer side is driven over
REST (`/api/sim/...`, `agentdesk sim`), for demos, tests and integrators without a network.

The first channel adapter: it hands the contact core calls placed by a tester or a script
and lets them answer the outbound calls agents place. Its routes act only through the
customer-side actions, like any other channel would.
"""

import secrets
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from agentdesk.auth.deps import optional_principal
from agentdesk.auth.permissions import CONFIG_MANAGE, PLATFORM_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.kit.errors import Forbidden, NotFound, Unauthorized
from agentdesk.observability.logs import bind as bind_log
from agentdesk.telephony import customer_actions
from agentdesk.telephony import repository as repo
from agentdesk.telephony.events import call_data
from agentdesk.telephony.flows import repository as flow_repo
from agentdesk.telephony.models import Call
from agentdesk.telephony.service import run_action


@dataclass(frozen=True)
class SimulatorChannel:
    """Carries audio/video calls both ways; outbound calls ring until a tester answers."""

    name: str = "simulator"
    families: frozenset[str] = frozenset({"audio_video"})
    places_outbound: bool = True


SIMULATOR = SimulatorChannel()

router = APIRouter(prefix="/api/sim", tags=["simulator (customer side)"])


class SimCallCreate(BaseModel):
    tenant: str = Field(min_length=1, max_length=32, description="tenant code, e.g. demo")
    caller: str = Field(min_length=3, max_length=25, description="the customer's number")
    called: str = Field(min_length=3, max_length=32, description="access code + extension")
    media: str | None = Field(default=None, pattern="^(audio|video)$")
    data: dict[str, str] = Field(default_factory=dict, description="attached data [随路数据]")


class SimDtmf(BaseModel):
    digits: str = Field(min_length=1, max_length=32)


async def simulator_caller(request: Request) -> Principal | None:
    """The simulator token (a channel credential), or an admin acting as a customer."""
    settings = request.app.state.settings
    if not settings.simulator_enabled:
        raise NotFound("the simulator is disabled on this instance")
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and secrets.compare_digest(
        auth[7:].strip(), settings.sim_token
    ):
        return None
    principal = await optional_principal(request)
    if principal is None:
        raise Unauthorized("send the simulator token or log in as an admin")
    if not principal.permissions & {PLATFORM_MANAGE, CONFIG_MANAGE}:
        raise Forbidden("only admins may act as customers")
    return principal


def _check_tenant(principal: Principal | None, call: Call) -> None:
    if (
        principal is not None
        and not principal.is_ops_admin
        and principal.tenant_id != call.tenant_id
    ):
        raise NotFound(f"call {call.callid} not found")


async def _run(request: Request, action, *args, **kwargs):
    return await run_action(request.app.state.db, request.app.state.clock, action, *args, **kwargs)


async def _authorised_call(request: Request, principal: Principal | None, callid: str) -> Call:
    """The call, if the caller may act on it (another tenant's call is simply not found)."""
    async with request.app.state.db.reader() as session:
        call = await session.scalar(select(Call).where(Call.callid == callid))
    if call is None:
        raise NotFound(f"call {callid} not found")
    _check_tenant(principal, call)
    return call


@router.post("/calls", status_code=201)
async def sim_place_call(
    body: SimCallCreate, request: Request, principal=Depends(simulator_caller)
) -> dict:
    """A customer calls an access code (+ extension) with attached data; returns the callid."""
    if principal is not None and not principal.is_ops_admin:
        async with request.app.state.db.reader() as session:
            tenant = await repo.tenant_by_code(session, body.tenant)
        if tenant is None or tenant.id != principal.tenant_id:
            raise NotFound(f"tenant {body.tenant} not found")
    call = await _run(
        request,
        customer_actions.do_inbound_call,
        tenant_code=body.tenant,
        caller=body.caller,
        called=body.called,
        media=body.media,
        attached_data=body.data,
        channel=SIMULATOR.name,
    )
    bind_log(tenant=call.tenant_id, callid=call.callid)
    return call_data(call)


@router.get("/calls/{callid}")
async def sim_show_call(callid: str, request: Request, principal=Depends(simulator_caller)) -> dict:
    """The call as the network sees it."""
    return call_data(await _authorised_call(request, principal, callid))


@router.post("/calls/{callid}/hangup")
async def sim_hangup(callid: str, request: Request, principal=Depends(simulator_caller)) -> dict:
    """The customer hangs up."""
    await _authorised_call(request, principal, callid)
    return call_data(await _run(request, customer_actions.do_customer_hangup, callid))


@router.post("/calls/{callid}/answer")
async def sim_answer(callid: str, request: Request, principal=Depends(simulator_caller)) -> dict:
    """The customer answers an outbound call placed by an agent."""
    await _authorised_call(request, principal, callid)
    return call_data(await _run(request, customer_actions.do_customer_answer, callid))


@router.post("/calls/{callid}/dtmf")
async def sim_dtmf(
    callid: str, body: SimDtmf, request: Request, principal=Depends(simulator_caller)
) -> dict:
    """The customer presses keys."""
    await _authorised_call(request, principal, callid)
    return call_data(await _run(request, customer_actions.do_customer_dtmf, callid, body.digits))


@router.get("/outbound")
async def sim_outbound_calls(
    request: Request, tenant: str, principal=Depends(simulator_caller)
) -> dict:
    """Calls agents placed that are ringing at customers now (so a tester can answer them)."""
    async with request.app.state.db.reader() as session:
        found = await repo.tenant_by_code(session, tenant)
        if found is None or (
            principal is not None and not principal.is_ops_admin and principal.tenant_id != found.id
        ):
            raise NotFound(f"tenant {tenant} not found")
        calls = await session.scalars(
            select(Call).where(Call.tenant_id == found.id, Call.state == "dialing")
        )
    return {"items": [call_data(c) for c in calls]}


@router.get("/calls/{callid}/heard")
async def sim_heard(
    callid: str,
    request: Request,
    after: int = Query(0, ge=0, le=2**63 - 1, description="the last id already seen"),
    principal=Depends(simulator_caller),
) -> dict:
    """What the caller heard since `after` (each IVR prompt's text) and where the call went,
    with the call as the network sees it now. Poll it to follow a call (`sim call --follow`)."""
    call = await _authorised_call(request, principal, callid)
    async with request.app.state.db.reader() as session:
        prompts = await flow_repo.prompts_after(session, call.id, after)
    heard = [
        {"id": p.id, "kind": p.kind, "text": p.text, "at": p.at.isoformat() + "Z"} for p in prompts
    ]
    return {"call": call_data(call), "heard": heard}
