"""What an agent does from the toolbar [接续条] (do_*). Each runs inside the caller's
transaction, locks the agent's presence first and applies a shared step; nothing commits here.
"""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.channels.adapter import CHANNELS
from agentdesk.contacts.agent_states import IN_CALL, next_state
from agentdesk.contacts.contact_states import OUTBOUND_CALL_START
from agentdesk.contacts.families import AUDIO_VIDEO
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import Conflict, FieldError, Forbidden, ValidationFailed
from agentdesk.kit.ids import new_callid
from agentdesk.telephony import deadlines, steps
from agentdesk.telephony import repository as repo
from agentdesk.telephony.events import emit_call, emit_presence
from agentdesk.telephony.models import AgentPresence, Call
from agentdesk.telephony.numbers import check_number

READY_STATES = ("idle", "busy", "rest")
# However often it is extended, one after-call work lasts at most this long in all.
ACW_MAX_SECONDS = 600


async def _presence(session: AsyncSession, agent_id: int) -> AgentPresence:
    presence = await repo.lock_presence(session, agent_id)
    if presence is None or presence.state == "signed_out":
        raise Conflict("sign in first", code="signed_out")
    return presence


async def _current_call(session: AsyncSession, presence: AgentPresence) -> Call:
    call = None if presence.call_id is None else await repo.lock_call(session, presence.call_id)
    if call is None or call.state == "ended":
        raise Conflict("there is no current call", code="no_call")
    return call


async def do_sign_in(session: AsyncSession, clock: Clock, agent_id: int) -> AgentPresence:
    """Sign in [签入]: the agent becomes idle and may be offered a waiting call at once."""
    agent = await repo.get_agent(session, agent_id)
    presence = await repo.ensure_presence(session, agent, clock.now())
    if presence.state != "signed_out":
        return presence  # a second tab signing in again changes nothing
    steps.set_state(presence, next_state(presence.state, "sign_in"), clock.now())
    presence.pending_state = ""
    await emit_presence(session, presence)
    await steps.dispatch_agent(session, clock, presence)
    return presence


async def do_sign_out(session: AsyncSession, clock: Clock, agent_id: int) -> AgentPresence:
    """Sign out [签出]; refused during a call."""
    presence = await _presence(session, agent_id)
    steps.set_state(presence, next_state(presence.state, "sign_out"), clock.now())
    presence.pending_state = ""
    await deadlines.stop_acw_end(session, agent_id)
    await emit_presence(session, presence)
    return presence


async def do_set_ready_state(
    session: AsyncSession, clock: Clock, agent_id: int, target: str
) -> AgentPresence:
    """Idle [示闲], busy [示忙] or rest [休息]. During a call or ACW it applies afterwards."""
    if target not in READY_STATES:
        raise ValidationFailed.single("state", "choice", "must be idle, busy or rest")
    presence = await _presence(session, agent_id)
    if presence.state in IN_CALL or (presence.state == "acw" and target != "idle"):
        presence.pending_state = "" if target == "idle" else target
        await emit_presence(session, presence, await _callid(session, presence))
        return presence
    if presence.state == "acw":
        await deadlines.stop_acw_end(session, agent_id)
    steps.set_state(presence, next_state(presence.state, f"set_{target}"), clock.now())
    presence.pending_state = ""
    await emit_presence(session, presence)
    if target == "idle":
        await steps.dispatch_agent(session, clock, presence)
    return presence


async def _callid(session: AsyncSession, presence: AgentPresence) -> str | None:
    if presence.call_id is None:
        return None
    call = await session.get(Call, presence.call_id)
    return call.callid if call else None


async def do_answer(session: AsyncSession, clock: Clock, agent_id: int) -> Call:
    """Answer the ringing call."""
    presence = await _presence(session, agent_id)
    call = await _current_call(session, presence)
    if presence.state != "ringing":
        raise Conflict(f"nothing to answer while {presence.state}", code="invalid_state")
    await steps.answer(session, clock, call, presence)
    return call


async def do_agent_hangup(session: AsyncSession, clock: Clock, agent_id: int) -> Call:
    """Hang up the current call (talking, on hold, or an outbound call still ringing)."""
    presence = await _presence(session, agent_id)
    call = await _current_call(session, presence)
    if presence.state == "ringing":
        raise Conflict(
            "answer the call first; an offered call cannot be hung up", code="invalid_state"
        )
    outcome = "cancelled" if call.state == "dialing" else "completed"
    await steps.end_call(session, clock, call, outcome=outcome, ended_by="agent")
    return call


async def do_hold(session: AsyncSession, clock: Clock, agent_id: int, hold: bool) -> Call:
    """Hold [保持] or resume the current call."""
    presence = await _presence(session, agent_id)
    call = await _current_call(session, presence)
    steps.set_state(presence, next_state(presence.state, "hold" if hold else "unhold"), clock.now())
    steps.move_call(call, "hold" if hold else "unhold")
    await emit_call(session, call, agent_id, "Hold" if hold else "Unhold")
    await emit_presence(session, presence, call.callid)
    return call


async def do_dial(
    session: AsyncSession, clock: Clock, agent_id: int, number: str, media: str = "audio"
) -> Call:
    """Place an outbound call (R-CC-6): caller = the tenant's outbound number or access code."""
    if media not in ("audio", "video"):
        raise ValidationFailed.single("mode", "choice", "must be audio or video")
    number = check_number("number", number)
    presence = await _presence(session, agent_id)
    agent = await repo.get_agent(session, agent_id)
    if "voice_video" not in await repo.agent_skill_families(session, agent_id):
        raise Forbidden(
            "outbound audio/video calls need an audio/video skill queue", code="no_skill"
        )
    queue = await repo.outbound_queue(session, agent_id, media)
    now = clock.now()
    state = next_state(presence.state, "dial")
    call = Call(
        tenant_id=agent.tenant_id,
        callid=new_callid(),
        channel=CHANNELS.outbound_for(AUDIO_VIDEO).name,
        family=AUDIO_VIDEO,
        direction=1,
        media=media,
        caller=await repo.outbound_caller_number(session, agent.tenant_id),
        called=number,
        queue_id=queue.id if queue else None,
        queue_name=queue.name if queue else "",
        agent_id=agent.id,
        work_no=agent.work_no,
        agent_name=await repo.agent_username(session, agent),
        state=OUTBOUND_CALL_START,
        created_at=now,
        offered_at=now,
    )
    session.add(call)
    await session.flush()
    if presence.state == "acw":
        await deadlines.stop_acw_end(session, agent_id)
    steps.set_state(presence, state, now)
    steps.take_call(presence, call)
    await deadlines.start_ring_timeout(session, call, agent_id, now)
    await emit_call(session, call, agent_id, "Dialing")
    await emit_presence(session, presence, call.callid)
    return call


async def _acw_presence(session: AsyncSession, agent_id: int) -> AgentPresence:
    presence = await _presence(session, agent_id)
    if presence.state != "acw" or presence.acw_until is None:
        raise Conflict(
            f"not in after-call work (the agent is {presence.state})", code="invalid_state"
        )
    return presence


async def do_extend_acw(
    session: AsyncSession, clock: Clock, agent_id: int, seconds: int
) -> AgentPresence:
    """Extend after-call work [延长整理态] by `seconds`, up to ACW_MAX_SECONDS in all."""
    presence = await _acw_presence(session, agent_id)
    until = max(presence.acw_until, clock.now()) + timedelta(seconds=seconds)
    if until > presence.state_since + timedelta(seconds=ACW_MAX_SECONDS):
        raise ValidationFailed(
            [
                FieldError.limit_reached(
                    "seconds",
                    ACW_MAX_SECONDS,
                    "after-call work lasts at most {limit} s in all",
                    "整理态总时长最多 {limit} 秒",
                )
            ]
        )
    presence.acw_until = until
    await deadlines.stop_acw_end(session, agent_id)
    deadlines.start_acw_end(session, presence)
    await emit_presence(session, presence)
    return presence


async def do_finish_acw(session: AsyncSession, clock: Clock, agent_id: int) -> AgentPresence:
    """Finish after-call work now [结束整理态]: the state asked for meanwhile, else idle."""
    presence = await _acw_presence(session, agent_id)
    await deadlines.stop_acw_end(session, agent_id)
    await steps.leave_acw(session, clock, presence)
    return presence
