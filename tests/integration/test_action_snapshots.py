"""For every do_* action and timer handler: the events it emits, applied to the workbench
snapshot taken before it (`workbench.service.apply_event`, what workbench.js does), give the
snapshot taken after it. Real actions on a real database (SQLite and PostgreSQL), in process.
"""

import asyncio
from datetime import datetime

from sqlalchemy import select, update

from agentdesk.auth.principal import Principal
from agentdesk.config_center.agents.models import Agent
from agentdesk.kit.clock import FakeClock
from agentdesk.routes import register_channels
from agentdesk.storage.database import Database
from agentdesk.storage.outbox import events_after
from agentdesk.telephony import agent_actions as agent
from agentdesk.telephony import customer_actions as customer
from agentdesk.telephony.service import run_action
from agentdesk.telephony.timer_handlers import register_timer_handlers
from agentdesk.telephony.timers import run_due_timers
from agentdesk.workbench.service import AgentRef, apply_event, snapshot
from tests.support.agents import seed_demo

ACCESS_CODE, CALLER = "960358", "13800000001"


class Desk:
    """The demo contact center and agent 101's workbench view of it."""

    def __init__(self, url: str):
        self.db = Database(url)
        self.clock = FakeClock(datetime(2026, 12, 1, 9, 0, 0))
        self.checked: list[str] = []

    async def start(self, work_no: int = 101) -> None:
        async with self.db.reader() as session:
            row = await session.scalar(select(Agent).where(Agent.work_no == work_no))
        self.ref = AgentRef(row.id, row.tenant_id, row.work_no)
        self.principal = Principal(
            user_id=row.user_id or 0, username=f"agent{work_no}",
            display_name=f"Agent {work_no}", tenant_id=row.tenant_id, role="agent",
            permissions=frozenset(),
        )  # fmt: skip

    async def set_auto_answer(self, value: bool) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(Agent).where(Agent.id == self.ref.agent_id).values(auto_answer=value)
            )

    async def view(self) -> dict:
        async with self.db.reader() as session:
            return await snapshot(session, self.ref, self.principal)

    async def events_since(self, head: int) -> list[dict]:
        async with self.db.reader() as session:
            return await events_after(session, self.ref.agent_id, head)

    async def check(self, action, *args, emits: bool = True, **kwargs):
        """Run `action`; the agent's events applied to the view before give the view after."""
        before = await self.view()
        result = await run_action(self.db, self.clock, action, *args, **kwargs)
        await self._compare(before, action.__name__, emits)
        return result

    async def check_timers(self, seconds: float, *, emits: bool = True) -> None:
        before = await self.view()
        self.clock.advance(seconds)
        assert await run_due_timers(self.db, self.clock) >= 1
        await self._compare(before, f"timers after {seconds}s", emits)

    async def _compare(self, before: dict, what: str, emits: bool) -> None:
        after = await self.view()
        events = await self.events_since(before["head"])
        assert bool(events) == emits, f"{what}: events {[e['type'] for e in events]}"
        applied = before
        for event in events:
            applied = apply_event(applied, event)
        applied.pop("serverTime"), after.pop("serverTime")
        assert applied == after, what
        self.checked.append(what)


def _run(url: str, scenario) -> list[str]:
    register_channels()
    register_timer_handlers()
    seed_demo(url)

    async def go():
        desk = Desk(url)
        try:
            await desk.start()
            await scenario(desk)
            return desk.checked
        finally:
            await desk.db.dispose()

    return asyncio.run(go())


def _call(**extra):
    return {"tenant_code": "demo", "caller": CALLER, "called": ACCESS_CODE, **extra}


def test_agent_actions_and_an_inbound_call_answered_automatically(database_url):
    async def scenario(desk: Desk):
        await desk.check(agent.do_sign_in, desk.ref.agent_id)
        await desk.check(agent.do_set_ready_state, desk.ref.agent_id, "busy")
        await desk.check(agent.do_set_ready_state, desk.ref.agent_id, "rest")
        await desk.check(agent.do_set_ready_state, desk.ref.agent_id, "idle")
        call = await desk.check(
            customer.do_inbound_call, **_call(channel="simulator", attached_data={"k": "v"})
        )
        assert (await desk.view())["call"]["state"] == "talking"  # auto answer
        await desk.check(customer.do_customer_dtmf, call.callid, "12#")
        await desk.check(agent.do_hold, desk.ref.agent_id, True)
        await desk.check(agent.do_hold, desk.ref.agent_id, False)
        # Asked for during a call: applies afterwards (the event says so meanwhile).
        await desk.check(agent.do_set_ready_state, desk.ref.agent_id, "rest")
        await desk.check(agent.do_agent_hangup, desk.ref.agent_id)
        assert (await desk.view())["presence"]["state"] == "acw"
        await desk.check(agent.do_extend_acw, desk.ref.agent_id, 10)
        await desk.check(agent.do_finish_acw, desk.ref.agent_id)
        assert (await desk.view())["presence"]["state"] == "rest"
        await desk.check(agent.do_sign_out, desk.ref.agent_id)

    checked = _run(database_url, scenario)
    assert len(checked) == 13


def test_offer_answered_by_hand_customer_hangs_up_and_acw_ends_by_timer(database_url):
    async def scenario(desk: Desk):
        await desk.set_auto_answer(False)
        await desk.check(agent.do_sign_in, desk.ref.agent_id)
        call = await desk.check(customer.do_inbound_call, **_call(channel="simulator"))
        assert (await desk.view())["call"]["state"] == "ringing"
        await desk.check(agent.do_answer, desk.ref.agent_id)
        await desk.check(customer.do_customer_hangup, call.callid)
        await desk.check_timers(60)  # after-call work ends: idle again

    checked = _run(database_url, scenario)
    assert len(checked) == 5


def test_a_missed_offer_goes_back_to_the_queue_and_the_caller_gives_up(database_url):
    async def scenario(desk: Desk):
        await desk.set_auto_answer(False)
        await desk.check(agent.do_sign_in, desk.ref.agent_id)
        call = await desk.check(customer.do_inbound_call, **_call(channel="simulator"))
        await desk.check_timers(21)  # ring time-out (20 s): the agent is set busy
        assert (await desk.view())["presence"]["state"] == "busy"
        # The call waits in the queue now; its end concerns no agent.
        await desk.check(customer.do_customer_hangup, call.callid, emits=False)

    checked = _run(database_url, scenario)
    assert len(checked) == 4


def test_outbound_call_answered_then_not_answered(database_url):
    async def scenario(desk: Desk):
        await desk.check(agent.do_sign_in, desk.ref.agent_id)
        call = await desk.check(agent.do_dial, desk.ref.agent_id, "13900000009", "audio")
        assert call.channel == "simulator"  # from the channel registry
        await desk.check(customer.do_customer_answer, call.callid)
        await desk.check(customer.do_customer_hangup, call.callid)
        await desk.check(agent.do_finish_acw, desk.ref.agent_id)
        await desk.check(agent.do_dial, desk.ref.agent_id, "13900000009", "video")
        await desk.check_timers(3600)  # nobody picks up: the call ends, no after-call work
        assert (await desk.view())["presence"]["state"] == "idle"

    checked = _run(database_url, scenario)
    assert len(checked) == 7
