"""REST edges of flows on calls: what the simulated caller hears (`sim call --follow`)."""

from fastapi import APIRouter, Depends, Query, Request

from agentdesk.telephony import api as telephony_api
from agentdesk.telephony.events import call_data
from agentdesk.telephony.flows import repository as flow_repo
from agentdesk.telephony.flows import runtime  # noqa: F401 - registers the flows with the core

sim_heard_router = APIRouter(prefix="/api/sim", tags=["simulator (customer side)"])


def _iso(value) -> str:
    return value.isoformat() + "Z"


@sim_heard_router.get("/calls/{callid}/heard")
async def sim_heard(
    callid: str,
    request: Request,
    after: int = Query(0, ge=0, description="the last id already seen"),
    principal=Depends(telephony_api.simulator_caller),
) -> dict:
    """What the caller heard since `after` (each prompt's text) and where the call went,
    with the call as the network sees it now. Poll it to follow a call."""
    call = await telephony_api._authorised_call(request, principal, callid)
    async with request.app.state.db.reader() as session:
        prompts = await flow_repo.prompts_after(session, call.id, after)
    return {
        "call": call_data(call),
        "heard": [{"id": p.id, "kind": p.kind, "text": p.text, "at": _iso(p.at)} for p in prompts],
    }
