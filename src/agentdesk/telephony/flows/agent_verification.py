"""What the agent does about identity verification from the toolbar: start, cancel."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.contacts.families import AUDIO_VIDEO
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import Conflict, NotFound
from agentdesk.storage.outbox import append_event
from agentdesk.telephony import repository as repo
from agentdesk.telephony import timers
from agentdesk.telephony.events import call_data
from agentdesk.telephony.flows import core, runtime, verification
from agentdesk.telephony.flows import repository as flow_repo
from agentdesk.telephony.flows.models import IvrRun
from agentdesk.telephony.models import AgentPresence, Call
from agentdesk.verification.models import VerificationMethod


async def enabled_methods(session: AsyncSession, tenant_id: int) -> list[VerificationMethod]:
    stmt = (
        select(VerificationMethod)
        .where(VerificationMethod.tenant_id == tenant_id, VerificationMethod.enabled.is_(True))
        .order_by(VerificationMethod.name)
    )
    return list(await session.scalars(stmt))


async def _talking_call(session: AsyncSession, agent_id: int):
    presence = await repo.lock_presence(session, agent_id)
    if presence is None or presence.state == "signed_out":
        raise Conflict("sign in first", code="signed_out")
    call = None if presence.call_id is None else await repo.lock_call(session, presence.call_id)
    if call is None or call.state == "ended":
        raise Conflict("there is no current call", code="no_call")
    return presence, call


async def do_start_verification(
    session: AsyncSession, clock: Clock, agent_id: int, tenant_id: int, method_id: int
) -> tuple[Call, IvrRun]:
    """Send the customer of the agent's current call into the method's flow [身份验证]."""
    method = await session.get(VerificationMethod, method_id)
    if method is None or method.tenant_id != tenant_id or not method.enabled:
        raise NotFound(f"verification method {method_id} not found or not enabled")
    presence, call = await _talking_call(session, agent_id)
    if presence.state != "talking" or call.state != "talking":
        raise Conflict(
            f"verification starts during a conversation (now {presence.state})",
            code="invalid_state",
        )
    agent = await repo.get_agent(session, agent_id)
    data = {"verifyServiceNo": call.caller, "verifyWorkNo": str(agent.work_no)}
    verifying = verification.Verifying(method.id, method.code, method.name, agent_id)
    await core.agent_waits_on_verification(session, clock, call, presence)
    run = await runtime.start_flow(
        session, clock, call, method.flow_id, "verification", data=data, verifying=verifying
    )
    if run is None:
        raise Conflict(
            f"the flow of method {method.code} is not published", code="flow_unpublished"
        )
    if run.active:  # a flow that ended at once has already told the agent
        await append_event(
            session, call.tenant_id, agent_id, "Verifying", verifying_payload(call, run)
        )
    return call, run


def verifying_payload(call: Call, run: IvrRun) -> dict:
    return {
        "callid": call.callid,
        "verifyTypeCode": run.method_code,
        "verifyTypeName": run.method_name,
        "since": run.started_at.isoformat() + "Z",
    }


async def do_cancel_verification(session: AsyncSession, clock: Clock, agent_id: int) -> Call:
    """The agent takes the customer back before the flow ends (result 0, not returned)."""
    presence, call = await _talking_call(session, agent_id)
    run = await flow_repo.active_run(session, call.id)
    if presence.state != "verifying" or run is None or run.purpose != "verification":
        raise Conflict("the customer is not in a verification", code="not_verifying")
    await timers.cancel(session, runtime.IVR_WAIT, call_id=call.id)
    await runtime.leave(run)
    await verification.cancelled(session, clock, call, run)
    return call


async def current_verification(session: AsyncSession, agent_id: int) -> dict | None:
    """The verification the agent's customer is in now (the toolbar after a reload)."""
    presence = await session.scalar(
        select(AgentPresence).where(
            AgentPresence.agent_id == agent_id, AgentPresence.family == AUDIO_VIDEO
        )
    )
    if presence is None or presence.state != "verifying" or presence.call_id is None:
        return None
    call = await session.get(Call, presence.call_id)
    run = await session.scalar(select(IvrRun).where(IvrRun.call_id == presence.call_id))
    if call is None or run is None or not run.active:
        return None
    return verifying_payload(call, run) | {"call": call_data(call)}
