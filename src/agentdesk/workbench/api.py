"""Toolbar [接续条] actions and the real-time stream of the agent's events."""

import asyncio
import contextlib
import json
import time

from fastapi import APIRouter, Depends, Request, WebSocket
from pydantic import BaseModel, Field

from agentdesk.auth import service as auth_service
from agentdesk.auth.deps import SESSION_COOKIE, require_tenant
from agentdesk.auth.permissions import WORKBENCH_USE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.screenpop import service as screenpop
from agentdesk.config_center.screenpop.popparams import pop_values
from agentdesk.observability.metrics import observe_frame
from agentdesk.telephony import agent_actions
from agentdesk.telephony.events import call_data, presence_data
from agentdesk.telephony.service import run_action
from agentdesk.workbench.service import AgentRef, agent_call, agent_of, snapshot

router = APIRouter(prefix="/api/workbench", tags=["workbench"])
HEARTBEAT_SECONDS = 15


class ReadyState(BaseModel):
    state: str = Field(
        pattern="^(idle|busy|rest)$", description="idle 示闲 | busy 示忙 | rest 休息"
    )


class Dial(BaseModel):
    number: str = Field(min_length=3, max_length=25)
    mode: str = Field(default="audio", pattern="^(audio|video)$")


async def current_agent(
    request: Request, principal: Principal = Depends(require_tenant(WORKBENCH_USE))
) -> tuple[Principal, AgentRef]:
    async with request.app.state.db.reader() as session:
        return principal, await agent_of(session, principal)


async def _act(request: Request, ref: AgentRef, action, *args) -> dict:
    result = await run_action(
        request.app.state.db, request.app.state.clock, action, ref.agent_id, *args
    )
    if hasattr(result, "callid"):
        return {"call": call_data(result)}
    return {"presence": presence_data(result, None)}


@router.get("/state")
async def workbench_state(request: Request, who=Depends(current_agent)) -> dict:
    """The agent, their state, the current call and the stream position (head)."""
    principal, ref = who
    async with request.app.state.db.reader() as session:
        return await snapshot(session, ref, principal)


@router.get("/pops")
async def pops(callid: str, request: Request, who=Depends(current_agent)) -> dict:
    """The pop pages [来电弹屏] to open for one of the agent's calls, in list order (R-WB-3):
    final GET URLs or POST forms, or why a page is blocked. Read at every call, so
    configuration changes apply to the next call."""
    _principal, ref = who
    async with request.app.state.db.reader() as session:
        call = await agent_call(session, ref, callid)
        data = call_data(call)
        pages = await screenpop.instructions_for_call(
            session,
            ref.tenant_id,
            "audio_video",
            pop_values(data),
            data["calldata"],
            request.app.state.settings.origin,
            int(time.time()),
        )
    return {"callid": callid, "pages": [page.model_dump() for page in pages]}


@router.get("/webapi-pages")
async def webapi_pages(request: Request, who=Depends(current_agent)) -> dict:
    """The Web API pop pages to open with the workbench (R-SDK-9), or why one is blocked."""
    _principal, ref = who
    async with request.app.state.db.reader() as session:
        pages = await screenpop.webapi_pages(
            session, ref.tenant_id, "audio_video", int(time.time())
        )
    return {"pages": [page.model_dump() for page in pages]}


@router.post("/sign-in")
async def sign_in(request: Request, who=Depends(current_agent)) -> dict:
    """Sign in [签入]."""
    return await _act(request, who[1], agent_actions.do_sign_in)


@router.post("/sign-out")
async def sign_out(request: Request, who=Depends(current_agent)) -> dict:
    """Sign out [签出]."""
    return await _act(request, who[1], agent_actions.do_sign_out)


@router.post("/ready-state")
async def ready_state(body: ReadyState, request: Request, who=Depends(current_agent)) -> dict:
    """Idle [示闲], busy [示忙] or rest [休息] (after the call when in one)."""
    return await _act(request, who[1], agent_actions.do_set_ready_state, body.state)


@router.post("/answer")
async def answer(request: Request, who=Depends(current_agent)) -> dict:
    """Answer the ringing call [应答]."""
    return await _act(request, who[1], agent_actions.do_answer)


@router.post("/hangup")
async def hangup(request: Request, who=Depends(current_agent)) -> dict:
    """Hang up [挂断]."""
    return await _act(request, who[1], agent_actions.do_agent_hangup)


@router.post("/hold")
async def hold(request: Request, who=Depends(current_agent)) -> dict:
    """Hold [保持]."""
    return await _act(request, who[1], agent_actions.do_hold, True)


@router.post("/unhold")
async def unhold(request: Request, who=Depends(current_agent)) -> dict:
    """Resume a held call [取消保持]."""
    return await _act(request, who[1], agent_actions.do_hold, False)


@router.post("/dial")
async def dial(body: Dial, request: Request, who=Depends(current_agent)) -> dict:
    """Place an outbound call [外呼] to a customer number."""
    return await _act(request, who[1], agent_actions.do_dial, body.number, body.mode)


async def _websocket_principal(websocket: WebSocket) -> Principal | None:
    """Cookie session of a same-origin page only: refuses cross-site WebSocket hijacking."""
    settings = websocket.app.state.settings
    origin = websocket.headers.get("origin")
    if origin is not None and origin != settings.origin:
        return None
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    async with websocket.app.state.db.reader() as session:
        return await auth_service.principal_from_session(
            session, websocket.app.state.signer, cookie
        )


@router.websocket("/stream")
async def stream(websocket: WebSocket, after: int | None = None) -> None:
    """Events of the signed-in agent, in order; `after` = last seq seen (replays the gap)."""
    principal = await _websocket_principal(websocket)
    if principal is None or WORKBENCH_USE not in principal.permissions:
        await websocket.close(code=4401)
        return
    db, hub = websocket.app.state.db, websocket.app.state.hub
    async with db.reader() as session:
        ref = await agent_of(session, principal)
        state = await snapshot(session, ref, principal)
    await websocket.accept()
    if after is None or after > state["head"]:
        await websocket.send_json({"kind": "snapshot", **state})
        after = state["head"]

    async def send(message: dict) -> None:
        await websocket.send_json({"kind": "event", **message})
        observe_frame(message)

    connection = hub.connect(ref.agent_id, after, send)
    pump = asyncio.create_task(connection.run())
    try:
        await _until_closed(websocket, pump)
    finally:
        hub.disconnect(connection)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


async def _answer_ping(websocket: WebSocket, text: str) -> None:
    """`{"kind":"ping","id":…}` → `{"kind":"pong","id":…}`: lets a page (or the benchmark)
    check that the connection is alive end to end; anything else is ignored."""
    try:
        message = json.loads(text)
    except ValueError:
        return
    if isinstance(message, dict) and message.get("kind") == "ping":
        await websocket.send_json({"kind": "pong", "id": message.get("id")})


async def _until_closed(websocket: WebSocket, pump: asyncio.Task) -> None:
    """Read client frames (answering pings); heartbeat; stop when either side goes away."""
    receive: asyncio.Task | None = None
    try:
        while not pump.done():
            receive = receive or asyncio.create_task(websocket.receive_text())
            done, _ = await asyncio.wait(
                {receive, pump}, timeout=HEARTBEAT_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if receive in done:
                if receive.exception() is not None:
                    return
                await _answer_ping(websocket, receive.result())
                receive = None
            elif not done:
                await websocket.send_json({"kind": "heartbeat"})
    finally:
        if receive is not None:
            receive.cancel()
