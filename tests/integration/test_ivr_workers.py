"""An interface step survives the worker performing it: claimed once, never called twice
unless the first call never completed, and the flow completes once. Workers are driven by
hand here (no background tasks), against a real database and a real HTTP interface."""

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from agentdesk.config_center.agents.models import Agent
from agentdesk.contacts.families import AUDIO_VIDEO
from agentdesk.kit.clock import FakeClock
from agentdesk.kit.crypto import data_keyring
from agentdesk.storage.database import Database
from agentdesk.telephony import agent_actions, customer_actions
from agentdesk.telephony.flows import agent_verification
from agentdesk.telephony.flows.interface_step import InterfaceSteps, call_outside_transaction
from agentdesk.telephony.flows.models import IvrStepAttempt
from agentdesk.telephony.flows.runtime import register_flows
from agentdesk.telephony.models import AgentPresence, Call
from agentdesk.telephony.service import run_action
from agentdesk.telephony.timers import run_due_timers
from agentdesk.verification.models import VerificationRecord
from examples.third_party_pages import create_app as examples_app
from tests.support.agents import seed_demo
from tests.support.ivr import CARD_OK, PIN_OK, seed_ivr
from tests.support.server import TEST_SECRET_KEY
from tests.support.sites import AppSite


class CountingInterface:
    """The sample verification interface, counting the requests it receives."""

    def __init__(self):
        self.app, self.calls = examples_app("*"), 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/api/verify-card":
            self.calls += 1
        await self.app(scope, receive, send)


@pytest.fixture
def interface():
    counting = CountingInterface()
    with AppSite(counting) as site:
        yield site, counting


@pytest.fixture
def world(database_url, interface):
    site, counting = interface
    seed_demo(database_url)
    ids = seed_ivr(database_url, site.origin)
    return database_url, ids, counting


async def _in_interface_step(url: str, ids: dict):
    """agent101 talking with a customer who has typed card and PIN: the step is pending."""
    register_flows()  # as every process running calls does
    db, clock = Database(url), FakeClock(datetime.utcnow())
    async with db.reader() as session:
        agent_id = await session.scalar(select(Agent.id).where(Agent.work_no == 101))
    await run_action(db, clock, agent_actions.do_sign_in, agent_id)
    call = await run_action(
        db,
        clock,
        customer_actions.do_inbound_call,
        channel="simulator",
        tenant_code="demo",
        caller="13800000001",
        called="960358",
    )
    assert call.state == "talking"
    await run_action(
        db,
        clock,
        agent_verification.do_start_verification,
        agent_id,
        ids["tenant_id"],
        ids["method_id"],
    )
    await run_action(db, clock, customer_actions.do_customer_dtmf, call.callid, CARD_OK + "#")
    await run_action(db, clock, customer_actions.do_customer_dtmf, call.callid, PIN_OK + "#")
    return db, clock, agent_id, call.callid


def _worker(db, clock) -> InterfaceSteps:
    keys = data_keyring(TEST_SECRET_KEY, {})
    return InterfaceSteps(db, lambda: clock, TEST_SECRET_KEY, lambda: keys)


async def _outcome(db, agent_id: int, callid: str):
    async with db.reader() as session:
        records = list(await session.scalars(select(VerificationRecord)))
        presence = await session.scalar(
            select(AgentPresence).where(
                AgentPresence.agent_id == agent_id, AgentPresence.family == AUDIO_VIDEO
            )
        )
        call = await session.scalar(select(Call).where(Call.callid == callid))
        attempts = list(await session.scalars(select(IvrStepAttempt)))
    return records, presence.state, call.state, attempts


def test_a_worker_dying_during_the_call_never_leads_to_a_second_call(world):
    url, ids, counting = world

    async def scenario():
        db, clock, agent_id, callid = await _in_interface_step(url, ids)
        dead, alive = _worker(db, clock), _worker(db, clock)
        claimed = await dead.claim(clock)  # claims it, then dies before its request arrives
        assert claimed is not None and claimed.body["calldata"]["pin"] == PIN_OK
        assert await alive.run_due() == 0  # the lease holds: nobody else takes it
        clock.advance(3)  # the step's 2 s time-out: the flow takes its error branch, once
        await run_due_timers(db, clock)
        clock.advance(10)  # and after the lease ran out, the stale step is only closed
        assert await alive.run_due() == 1
        await alive.wait_idle()
        outcome = await _outcome(db, agent_id, callid)
        await db.dispose()
        return outcome

    records, agent_state, call_state, attempts = asyncio.run(scenario())
    assert counting.calls == 0
    assert [(r.result, r.ended_reason) for r in records] == [("3", "completed")]
    assert (agent_state, call_state) == ("talking", "talking")
    assert [(a.status, a.body) for a in attempts] == [("done", None)]


def test_an_answer_committed_by_a_dying_worker_is_applied_without_calling_again(world):
    url, ids, counting = world

    async def scenario():
        db, clock, agent_id, callid = await _in_interface_step(url, ids)
        dead, alive = _worker(db, clock), _worker(db, clock)
        claimed = await dead.claim(clock)
        answer, error = await call_outside_transaction(claimed)
        assert await dead.store_answer(claimed.attempt_id, answer, error)  # then dies
        assert await alive.run_due() == 0  # still held by the worker that stored it
        clock.advance(10)
        assert await alive.run_due() == 1
        await alive.wait_idle()
        outcome = await _outcome(db, agent_id, callid)
        await db.dispose()
        return outcome

    records, agent_state, call_state, attempts = asyncio.run(scenario())
    assert counting.calls == 1
    assert [(r.result, r.ended_reason) for r in records] == [("1", "completed")]
    assert (agent_state, call_state) == ("talking", "talking")
    assert [a.status for a in attempts] == ["done"]
    assert attempts[0].body is None and PIN_OK not in str(attempts[0].answer)


def test_a_step_nobody_started_is_performed_by_any_worker_once(world):
    url, ids, counting = world

    async def scenario():
        db, clock, agent_id, callid = await _in_interface_step(url, ids)
        first, second = _worker(db, clock), _worker(db, clock)
        started = await first.run_due() + await second.run_due()
        await first.wait_idle()
        await second.wait_idle()
        outcome = await _outcome(db, agent_id, callid)
        await db.dispose()
        return started, outcome

    started, (records, agent_state, call_state, _attempts) = asyncio.run(scenario())
    assert started == 1 and counting.calls == 1
    assert [(r.result, r.ended_reason) for r in records] == [("1", "completed")]
    assert (agent_state, call_state) == ("talking", "talking")
