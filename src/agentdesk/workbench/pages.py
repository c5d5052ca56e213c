"""The audio/video workbench page [音视频工作台]."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from agentdesk.auth.deps import current_principal
from agentdesk.auth.pages import render
from agentdesk.auth.permissions import WORKBENCH_USE
from agentdesk.auth.principal import Principal
from agentdesk.telephony.states import LABELS

router = APIRouter(include_in_schema=False)


@router.get("/workbench", response_class=HTMLResponse)
async def workbench_page(request: Request, principal: Principal = Depends(current_principal)):
    principal.require(WORKBENCH_USE)
    return render(request, "workbench.html", principal, state_labels=LABELS)
