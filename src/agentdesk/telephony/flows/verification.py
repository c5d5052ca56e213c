"""Identity verification during a call [身份验证] (guide 4.4.5), the runtime side.

The agent sends the customer into a method's flow and stays bound to the call ("verifying");
the flow's interface answer is read by `verification.answer`; when the flow returns (or the
customer hangs up) one verification record is written, the agent's workbench hears
`IvrReturn` and the call is the agent's again. The record and the event carry the result
and the returns, never what the customer typed."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.clock import Clock
from agentdesk.storage.outbox import append_event
from agentdesk.telephony.flows import core
from agentdesk.telephony.flows.models import IvrRun
from agentdesk.telephony.models import Call
from agentdesk.verification.answer import parse_verify_answer
from agentdesk.verification.models import VerificationRecord

NOT_RETURNED, ERROR = "0", "3"


@dataclass(frozen=True)
class Verifying:
    method_id: int
    method_code: str
    method_name: str
    agent_id: int


def bind(run: IvrRun, verifying: Verifying | None) -> None:
    if verifying is None:
        run.method_id, run.method_code, run.method_name, run.agent_id = None, "", "", None
        return
    run.method_id, run.method_code = verifying.method_id, verifying.method_code
    run.method_name, run.agent_id = verifying.method_name, verifying.agent_id


def interface_answer(run: IvrRun, answer, error: str | None) -> None:
    """The latest interface answer of a verification flow is its result."""
    if run.purpose != "verification":
        return
    parsed = parse_verify_answer(answer, error)
    run.verify_result, run.verify_returns = parsed.result, list(parsed.returns)


def result_payload(call: Call, run: IvrRun) -> dict:
    """`IvrReturn` as the SDK delivers it (guide 4.5.3)."""
    returns = (list(run.verify_returns or []) + ["", "", ""])[:3]
    return {
        "verifyTypeCode": run.method_code,
        "verifyTypeName": run.method_name,
        "verifyResult": run.verify_result or NOT_RETURNED,
        "verifyReturn1": returns[0],
        "verifyReturn2": returns[1],
        "verifyReturn3": returns[2],
        "callid": call.callid,
    }


async def finish(
    session: AsyncSession, clock: Clock, call: Call, run: IvrRun, *, released: bool = False
) -> None:
    """The flow returned (or released the customer): record, tell the agent, give the call
    back (a released customer ends the call instead)."""
    outcome = "error" if released else "completed"
    await _record(session, clock, call, run, outcome)
    await _tell_agent(session, call, run)
    if not released:
        await core.back_to_agent(session, clock, call, await core.lock_agent(session, run.agent_id))


async def cancelled(session: AsyncSession, clock: Clock, call: Call, run: IvrRun) -> None:
    """The agent cancelled: result "0" (not returned), the call is theirs again at once."""
    run.verify_result, run.verify_returns = NOT_RETURNED, []
    await _record(session, clock, call, run, "cancelled")
    await _tell_agent(session, call, run)
    await core.back_to_agent(session, clock, call, await core.lock_agent(session, run.agent_id))


async def ended_by_hangup(
    session: AsyncSession, clock: Clock, call: Call, run: IvrRun, previous: str
) -> None:
    if run.purpose != "verification":
        return
    outcome = "customer_hung_up" if call.ended_by == "customer" else "error"
    await _record(session, clock, call, run, outcome)
    await _tell_agent(session, call, run)


async def _tell_agent(session: AsyncSession, call: Call, run: IvrRun) -> None:
    if run.agent_id is not None:
        payload = result_payload(call, run)
        await append_event(session, call.tenant_id, run.agent_id, "IvrReturn", payload)


async def _record(session: AsyncSession, clock: Clock, call: Call, run: IvrRun, reason: str):
    """One record per verification: result and returns, never a collected digit."""
    now = clock.now()
    returns = (list(run.verify_returns or []) + ["", "", ""])[:3]
    session.add(
        VerificationRecord(
            tenant_id=call.tenant_id,
            started_at=run.started_at,
            ended_at=now,
            callid=call.callid,
            caller=call.caller,
            agent_work_no="" if call.work_no is None else str(call.work_no),
            method_id=run.method_id,
            method_name=run.method_name,
            method_code=run.method_code,
            result=run.verify_result or NOT_RETURNED,
            return1=returns[0],
            return2=returns[1],
            return3=returns[2],
            duration_seconds=max(0, round((now - run.started_at).total_seconds())),
            ended_reason=reason,
        )
    )
