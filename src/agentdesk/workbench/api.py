"""Toolbar [接续条] actions and the real-time stream of the agent's events."""

import asyncio
import contextlib
import json
import re
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field

from agentdesk.auth import service as auth_service
from agentdesk.auth.deps import SESSION_COOKIE, AppSigner, require_tenant
from agentdesk.auth.permissions import WORKBENCH_USE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.screenpop import service as screenpop
from agentdesk.config_center.screenpop.popparams import pop_values
from agentdesk.kit.errors import ValidationFailed
from agentdesk.observability.metrics import observe_frame
from agentdesk.realtime.hub import StreamClosed, StreamGap
from agentdesk.resources import AppClock, AppHub, AppSettings, Db
from agentdesk.storage import outbox
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


class AcwExtension(BaseModel):
    seconds: int = Field(30, ge=5, le=300, description="seconds to add to after-call work")


class Dial(BaseModel):
    number: str = Field(min_length=3, max_length=25)
    mode: str = Field(default="audio", pattern="^(audio|video)$")


async def current_agent(
    db: Db, principal: Principal = Depends(require_tenant(WORKBENCH_USE))
) -> tuple[Principal, AgentRef]:
    async with db.reader() as session:
        return principal, await agent_of(session, principal)


# The signed-in agent of a workbench route: (principal, agent).
CurrentAgent = Annotated[tuple[Principal, AgentRef], Depends(current_agent)]


async def _act(request: Request, ref: AgentRef, action, *args) -> dict:
    result = await run_action(
        request.app.state.db, request.app.state.clock, action, ref.agent_id, *args
    )
    if hasattr(result, "callid"):
        return {"call": call_data(result)}
    return {"presence": presence_data(result, None)}


@router.get("/state")
async def workbench_state(db: Db, who: CurrentAgent) -> dict:
    """The agent, their state, the current call and the stream position (head)."""
    principal, ref = who
    async with db.reader() as session:
        return await snapshot(session, ref, principal)


@router.get("/pops")
async def pops(
    callid: str, db: Db, settings: AppSettings, clock: AppClock, who: CurrentAgent
) -> dict:
    """The pop pages [来电弹屏] to open for one of the agent's calls, in list order (R-WB-3):
    final GET URLs or POST forms, or why a page is blocked. Read at every call, so
    configuration changes apply to the next call."""
    _principal, ref = who
    async with db.reader() as session:
        call = await agent_call(session, ref, callid)
        data = call_data(call)
        pages = await screenpop.instructions_for_call(
            session,
            ref.tenant_id,
            "audio_video",
            pop_values(data),
            data["calldata"],
            settings.origin,
            int(clock.timestamp()),
        )
    return {"callid": callid, "pages": [page.model_dump() for page in pages]}


@router.get("/webapi-pages")
async def webapi_pages(db: Db, clock: AppClock, who: CurrentAgent) -> dict:
    """The Web API pop pages to open with the workbench (R-SDK-9), or why one is blocked."""
    _principal, ref = who
    async with db.reader() as session:
        pages = await screenpop.webapi_pages(
            session, ref.tenant_id, "audio_video", int(clock.timestamp())
        )
    return {"pages": [page.model_dump() for page in pages]}


@router.post("/sign-in")
async def sign_in(request: Request, who: CurrentAgent) -> dict:
    """Sign in [签入]."""
    return await _act(request, who[1], agent_actions.do_sign_in)


@router.post("/sign-out")
async def sign_out(request: Request, who: CurrentAgent) -> dict:
    """Sign out [签出]."""
    return await _act(request, who[1], agent_actions.do_sign_out)


@router.post("/ready-state")
async def ready_state(body: ReadyState, request: Request, who: CurrentAgent) -> dict:
    """Idle [示闲], busy [示忙] or rest [休息] (after the call when in one)."""
    return await _act(request, who[1], agent_actions.do_set_ready_state, body.state)


@router.post("/answer")
async def answer(request: Request, who: CurrentAgent) -> dict:
    """Answer the ringing call [应答]."""
    return await _act(request, who[1], agent_actions.do_answer)


@router.post("/hangup")
async def hangup(request: Request, who: CurrentAgent) -> dict:
    """Hang up [挂断]."""
    return await _act(request, who[1], agent_actions.do_agent_hangup)


@router.post("/hold")
async def hold(request: Request, who: CurrentAgent) -> dict:
    """Hold [保持]."""
    return await _act(request, who[1], agent_actions.do_hold, True)


@router.post("/unhold")
async def unhold(request: Request, who: CurrentAgent) -> dict:
    """Resume a held call [取消保持]."""
    return await _act(request, who[1], agent_actions.do_hold, False)


@router.post("/acw/extend")
async def extend_acw(body: AcwExtension, request: Request, who: CurrentAgent) -> dict:
    """Extend after-call work [延长整理态] (at most 10 minutes in all)."""
    return await _act(request, who[1], agent_actions.do_extend_acw, body.seconds)


@router.post("/acw/finish")
async def finish_acw(request: Request, who: CurrentAgent) -> dict:
    """Finish after-call work now [结束整理态]."""
    return await _act(request, who[1], agent_actions.do_finish_acw)


@router.post("/dial")
async def dial(body: Dial, request: Request, who: CurrentAgent) -> dict:
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


# Close codes of the stream (4000-4999: the application's own). After 4422 and 4410 the client
# reconnects without `after` and gets a snapshot; after 4408 it resumes with `after`.
CLOSE_SLOW_CONSUMER = 4408
CLOSE_SESSION_ENDED = 4401  # as at connect: the page's login is no longer valid
CLOSE_GAP = 4410
CLOSE_BAD_AFTER = 4422
_AFTER = re.compile(r"[0-9]{1,18}")


def parse_after(raw: str | None, head: int) -> int | None:
    """The client's `after` (last seq it saw), or None when it has seen nothing yet.

    Only 0..head is a position in the stream: anything else would ask the outbox for events
    that can never exist."""
    if raw is None:
        return None
    if not _AFTER.fullmatch(raw):
        raise ValidationFailed.single(
            "after", "integer", "after must be a whole number ≥ 0 (the last seq received)"
        )
    value = int(raw)
    if value > head:
        raise ValidationFailed.single(
            "after", "maximum", f"after must not exceed the stream's head ({head})"
        )
    return value


@router.websocket("/stream")
async def stream(
    websocket: WebSocket, db: Db, hub: AppHub, signer: AppSigner, after: str | None = None
) -> None:
    """Events of the signed-in agent, in order; `after` = last seq seen (replays the gap)."""
    principal = await _websocket_principal(websocket)
    if principal is None or WORKBENCH_USE not in principal.permissions:
        await websocket.close(code=4401)
        return
    async with db.reader() as session:
        ref = await agent_of(session, principal)
        state = await snapshot(session, ref, principal)
        try:
            last_seq, refused = parse_after(after, state["head"]), None
        except ValidationFailed as exc:
            last_seq, refused = None, exc
        covered = last_seq is None or await outbox.covers(
            session, ref.agent_id, last_seq, state["head"]
        )
    await websocket.accept()
    if refused is not None:
        errors = [e.as_dict() for e in refused.errors]
        error = {"kind": "error", "code": refused.code, "errors": errors}
        await _send_within(websocket, error, hub.send_timeout)
        await _close_within(websocket, CLOSE_BAD_AFTER, refused.message, hub.send_timeout)
        return
    if last_seq is None or not covered:
        # Without `after`: a snapshot. Further behind than the outbox keeps
        # (event_retention_hours): a replay would skip events, so the page reloads its state
        # from this snapshot and resumes at its head.
        first = {"kind": "snapshot"}
        if last_seq is not None:
            first = {"kind": "reload", "reason": "events_pruned"}
        if not await _send_within(websocket, {**first, **state}, hub.send_timeout):
            return
        last_seq = state["head"]

    async def send(message: dict) -> None:
        await websocket.send_json({"kind": "event", **message})
        observe_frame(message)

    cookie = websocket.cookies.get(SESSION_COOKIE, "")

    async def still_signed_in() -> bool:
        async with db.reader() as session:
            return await auth_service.session_alive(session, signer, cookie)

    connection = hub.connect(ref.agent_id, last_seq, send)
    pump = asyncio.create_task(connection.run())
    try:
        await _until_closed(websocket, pump, hub.send_timeout, still_signed_in)
    finally:
        hub.disconnect(connection)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
    ended = None if pump.cancelled() else pump.exception()
    if isinstance(ended, StreamClosed):
        code = CLOSE_GAP if isinstance(ended, StreamGap) else CLOSE_SLOW_CONSUMER
        await _close_within(websocket, code, str(ended), hub.send_timeout)


async def _send_within(websocket: WebSocket, message: dict, timeout: float) -> bool:
    """Send one frame unless the client has not read for `timeout` seconds (or is gone)."""
    try:
        await asyncio.wait_for(websocket.send_json(message), timeout)
    except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
        return False
    return True


async def _close_within(websocket: WebSocket, code: int, reason: str, timeout: float) -> None:
    """Close with a reason; a client that does not read gets its socket closed regardless."""
    with contextlib.suppress(TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
        await asyncio.wait_for(websocket.close(code=code, reason=reason[:120]), timeout)


async def _answer_ping(websocket: WebSocket, text: str, timeout: float) -> bool:
    """`{"kind":"ping","id":…}` → `{"kind":"pong","id":…}`: lets a page (or the benchmark)
    check that the connection is alive end to end; anything else is ignored."""
    try:
        message = json.loads(text)
    except ValueError:
        return True
    if isinstance(message, dict) and message.get("kind") == "ping":
        return await _send_within(websocket, {"kind": "pong", "id": message.get("id")}, timeout)
    return True


async def _until_closed(
    websocket: WebSocket, pump: asyncio.Task, timeout: float, still_signed_in
) -> None:
    """Read client frames (answering pings); heartbeat; every so often check that the login
    session still exists (a logout elsewhere ends the stream too); stop when either side goes
    away or a frame cannot be sent within `timeout`."""
    check_every = websocket.app.state.settings.stream_session_check_seconds
    next_check = time.monotonic() + check_every
    next_beat = time.monotonic() + HEARTBEAT_SECONDS
    receive: asyncio.Task | None = None
    try:
        while not pump.done():
            receive = receive or asyncio.create_task(websocket.receive_text())
            wait = max(0.0, min(next_beat, next_check) - time.monotonic())
            done, _ = await asyncio.wait(
                {receive, pump}, timeout=wait, return_when=asyncio.FIRST_COMPLETED
            )
            if receive in done:
                if receive.exception() is not None:
                    return
                if not await _answer_ping(websocket, receive.result(), timeout):
                    return
                receive = None
            now = time.monotonic()
            if now >= next_check:
                next_check = now + check_every
                if not await still_signed_in():
                    await _close_within(websocket, CLOSE_SESSION_ENDED, "session ended", timeout)
                    return
            if now >= next_beat:
                next_beat = now + HEARTBEAT_SECONDS
                if not await _send_within(websocket, {"kind": "heartbeat"}, timeout):
                    return
    finally:
        if receive is not None:
            receive.cancel()
