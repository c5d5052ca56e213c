"""What a customer does, whichever channel carries it (do_*): call in, answer an outbound
call, press keys, hang up. Each runs inside the caller's transaction; nothing commits here.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.called.lookup import resolve_called
from agentdesk.contacts.agent_states import next_state
from agentdesk.contacts.contact_states import CALL, INBOUND_CALL_START, hangup_outcome
from agentdesk.contacts.families import family_of_media
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import Conflict, NotFound, ValidationFailed
from agentdesk.kit.ids import new_callid
from agentdesk.storage.outbox import append_event
from agentdesk.telephony import deadlines, ivr_port, steps
from agentdesk.telephony import repository as repo
from agentdesk.telephony.events import emit_call, emit_presence
from agentdesk.telephony.models import Call
from agentdesk.telephony.numbers import check_dtmf, check_number


async def do_inbound_call(
    session: AsyncSession,
    clock: Clock,
    *,
    tenant_code: str,
    caller: str,
    called: str,
    channel: str,
    media: str | None = None,
    attached_data: dict | None = None,
) -> Call:
    """A customer calls an access code (+ extension) through `channel`: create the call and
    route it."""
    tenant = await repo.tenant_by_code(session, tenant_code)
    if tenant is None:
        raise NotFound(f"tenant {tenant_code} not found")
    caller = check_number("caller", caller)
    called = check_number("called", called)
    resolved = await resolve_called(session, tenant.id, called)
    if resolved is None:
        raise ValidationFailed.single(
            "called",
            "not_configured",
            f"{called} is not a configured access code (+ extension) of {tenant_code}",
        )
    config, access_code, queue = resolved
    if access_code.type != "voice_video" or (queue is not None and queue.type == "multimedia"):
        raise ValidationFailed.single(
            "called", "media", f"{called} is not an audio/video access code"
        )
    now = clock.now()
    media = media or ("video" if queue is not None and queue.type.startswith("video") else "audio")
    call = Call(
        tenant_id=tenant.id,
        callid=new_callid(),
        channel=channel,
        family=family_of_media(media),
        direction=0,
        media=media,
        caller=caller,
        called=called,
        access_code=access_code.code,
        extension=called[len(access_code.code) :],
        attached_data=dict(attached_data or {}),
        created_at=now,
        state=INBOUND_CALL_START,
    )
    if queue is None:  # an IVR entry [IVR流程]: the flow decides where the call goes
        await _enter_flow(session, clock, call, config.flow_id)
        return call
    session.add(call)  # inserted by the first query of the routing, queue fields included
    await steps.route_into_queue(session, clock, call, queue)
    return call


async def _enter_flow(session: AsyncSession, clock: Clock, call: Call, flow_id) -> None:
    session.add(call)
    await session.flush()  # the flow's run refers to the call
    if not await ivr_port.start_flow(session, clock, call, flow_id, "entry"):
        await steps.end_call(session, clock, call, outcome="ivr_unavailable", ended_by="system")


async def _live_call(session: AsyncSession, callid: str) -> Call:
    call = await repo.lock_call_by_callid(session, callid)
    if call is None:
        raise NotFound(f"call {callid} not found")
    if call.state == "ended":
        raise Conflict(f"call {callid} has already ended", code="call_ended")
    return call


async def do_customer_hangup(session: AsyncSession, clock: Clock, callid: str) -> Call:
    """The customer hangs up, whatever state the call is in."""
    call = await _live_call(session, callid)
    outcome = hangup_outcome(CALL, call.state)
    await steps.end_call(session, clock, call, outcome=outcome, ended_by="customer")
    return call


async def do_customer_answer(session: AsyncSession, clock: Clock, callid: str) -> Call:
    """The customer picks up an outbound call the agent placed."""
    call = await _live_call(session, callid)
    if call.state != "dialing":
        raise Conflict(f"call {callid} is not ringing at the customer (it is {call.state})")
    presence = await repo.lock_presence(session, call.agent_id)
    steps.set_state(presence, next_state(presence.state, "connect"), clock.now())
    await deadlines.stop_ring_timeout(session, call)
    steps.move_call(call, "connect")
    call.answered_at = clock.now()
    await emit_call(session, call, call.agent_id, "Talking")
    await emit_presence(session, presence, call.callid)
    return call


async def do_customer_dtmf(session: AsyncSession, clock: Clock, callid: str, digits: str) -> Call:
    """The customer presses keys; they are kept on the call (IVR flows read them later)."""
    check_dtmf(digits)
    call = await _live_call(session, callid)
    call.dtmf = (call.dtmf + digits)[-200:]
    # In a flow, or queued with the queue's IVR waiting treatment running.
    listening = CALL.has(call.state, "in_flow") or call.state == "queued"
    if listening and await ivr_port.digits_typed(session, clock, call, digits):
        return call  # a flow's input: the agent (waiting on a verification) never sees it
    if call.agent_id is not None:
        payload = {"callid": call.callid, "digits": digits}
        await append_event(session, call.tenant_id, call.agent_id, "Dtmf", payload)
    return call
