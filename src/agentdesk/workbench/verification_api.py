"""Identity verification from the audio/video toolbar [身份验证] (guide 4.4.5).

Only agents whose role has *perform verification* see the methods or start one."""

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from agentdesk.auth.deps import require_tenant
from agentdesk.auth.permissions import VERIFICATION_PERFORM
from agentdesk.auth.principal import Principal
from agentdesk.kit.validation import Id
from agentdesk.telephony.events import call_data
from agentdesk.telephony.flows import agent_verification
from agentdesk.telephony.service import run_action
from agentdesk.workbench.service import AgentRef, agent_of

router = APIRouter(prefix="/api/workbench/verification", tags=["workbench"])


class StartVerification(BaseModel):
    method_id: Id


async def verifying_agent(
    request: Request, principal: Principal = Depends(require_tenant(VERIFICATION_PERFORM))
) -> tuple[Principal, AgentRef]:
    async with request.app.state.db.reader() as session:
        return principal, await agent_of(session, principal)


@router.get("/methods")
async def verification_methods(request: Request, who=Depends(verifying_agent)) -> dict:
    """The tenant's enabled verification methods, by name."""
    principal, _ref = who
    async with request.app.state.db.reader() as session:
        methods = await agent_verification.enabled_methods(session, principal.tenant_id)
    return {"items": [{"id": m.id, "name": m.name, "code": m.code} for m in methods]}


@router.get("")
async def current_verification(request: Request, who=Depends(verifying_agent)) -> dict:
    """The verification the agent's customer is in now, if any."""
    _principal, ref = who
    async with request.app.state.db.reader() as session:
        return {
            "verification": await agent_verification.current_verification(session, ref.agent_id)
        }


@router.post("")
async def start_verification(
    body: StartVerification, request: Request, who=Depends(verifying_agent)
) -> dict:
    """Send the customer of the current conversation into the method's flow; the agent stays
    on the call ("customer in verification") until the flow returns, or they cancel."""
    principal, ref = who
    call, run = await run_action(
        request.app.state.db,
        request.app.state.clock,
        agent_verification.do_start_verification,
        ref.agent_id,
        principal.tenant_id,
        body.method_id,
    )
    return {
        "call": call_data(call),
        "verification": agent_verification.verifying_payload(call, run),
        "active": run.active,
    }


@router.post("/cancel")
async def cancel_verification(request: Request, who=Depends(verifying_agent)) -> dict:
    """Take the customer back before the flow ends: the result is 0 (not returned)."""
    _principal, ref = who
    call = await run_action(
        request.app.state.db,
        request.app.state.clock,
        agent_verification.do_cancel_verification,
        ref.agent_id,
    )
    return {"call": call_data(call)}
