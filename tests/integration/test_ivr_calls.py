"""IVR flows on calls through the real APIs, on SQLite and PostgreSQL: an IVR entry on an
access code, queue policies to IVR, identity verification against a real HTTP interface."""

import logging
import re
import time
from datetime import datetime

import pytest
from sqlalchemy import select, update

from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.kit.clock import FakeClock
from agentdesk.observability.logs import DB_DRIVER_LOGGERS, log_config
from agentdesk.telephony.flows.models import IvrRun, IvrStepAttempt
from agentdesk.telephony.models import Call, Timer
from agentdesk.verification.models import VerificationRecord
from examples.third_party_pages import create_app as examples_app
from tests.support import seed
from tests.support.agents import Agent, customer, place_call, seed_demo, wait_for
from tests.support.ivr import CARD_GARBAGE, CARD_OK, CARD_SLOW, PIN_OK, WAIT_PROMPT, seed_ivr
from tests.support.sites import AppSite


@pytest.fixture(scope="module")
def verify_site():
    with AppSite(examples_app("*")) as site:
        yield site


@pytest.fixture
def ivr(server, verify_site):
    url = server.settings.database_url
    seed_demo(url)
    ids = seed_ivr(url, verify_site.origin)
    clock = FakeClock(datetime.utcnow())
    server.app.state.clock = clock
    sim = customer(server.url, server.settings.sim_token)
    yield server, clock, sim, ids
    sim.close()


def heard(sim, callid: str) -> list[str]:
    response = sim.get(f"/api/sim/calls/{callid}/heard")
    assert response.status_code == 200, response.text
    return [item["text"] for item in response.json()["heard"]]


def call_state(sim, callid: str) -> dict:
    return sim.get(f"/api/sim/calls/{callid}").json()


def dtmf(sim, callid: str, digits: str) -> None:
    response = sim.post(f"/api/sim/calls/{callid}/dtmf", json={"digits": digits})
    assert response.status_code == 200, response.text


def set_queue(url: str, name: str, **values) -> None:
    async def change(session):
        await session.execute(update(SkillQueue).where(SkillQueue.name == name).values(**values))

    seed.run(url, change)


def records(url: str) -> list[VerificationRecord]:
    async def read(session):
        return list(
            await session.scalars(select(VerificationRecord).order_by(VerificationRecord.id))
        )

    return seed.run(url, read)


# ---------------------------------------------------------------- IVR entry on an access code


def test_ivr_menu_on_an_access_code_routes_by_key(ivr):
    server, clock, sim, _ids = ivr
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    call = place_call(sim, called="9603589")
    assert call["state"] == "ivr"
    assert heard(sim, call["callid"]) == ["Press 1 for sales, 2 for video"]
    dtmf(sim, call["callid"], "7")  # not an option: the menu says so and asks again
    assert heard(sim, call["callid"])[-2:] == [
        "Sorry, not a valid choice",
        "Press 1 for sales, 2 for video",
    ]
    dtmf(sim, call["callid"], "2")
    now = wait_for(lambda: (c := call_state(sim, call["callid"]))["state"] == "talking" and c)
    assert now["callskill"] == "defaultVideoSkill" and now["workNo"] == "101"
    assert agent.state()["presence"]["state"] == "talking"
    agent.close()


def test_ivr_menu_times_out_by_itself_then_releases(ivr):
    server, clock, sim, _ids = ivr
    call = place_call(sim, called="9603589")
    clock.advance(6)  # first time-out: asked again (1 retry)
    wait_for(lambda: len(heard(sim, call["callid"])) == 2)
    clock.advance(6)  # second: the default branch says goodbye and hangs up
    ended = wait_for(lambda: (c := call_state(sim, call["callid"]))["state"] == "ended" and c)
    assert ended["outcome"] == "ivr_released"
    assert heard(sim, call["callid"])[-2:] == ["Goodbye", "released"]


# ---------------------------------------------------------------- queue policies to IVR


@pytest.mark.parametrize("policy", ["no_agent", "overflow", "timeout"])
def test_each_queue_policy_transfers_to_its_ivr_flow(ivr, policy):
    server, clock, sim, ids = ivr
    url = server.settings.database_url
    set_queue(
        url,
        "defaultVoiceSkill",
        **{f"{policy}_action": "transfer_ivr", f"{policy}_target_ivr_id": ids["flows"]["busy"]},
        max_queued_calls=1,
        max_wait_seconds=10,
    )
    agent = None
    if policy != "no_agent":  # signed in but busy: calls queue
        agent = Agent(server.url, "agent101")
        agent.act("sign-in")
        agent.act("ready-state", {"state": "busy"})
    if policy == "overflow":
        place_call(sim, caller="13800000009")  # fills the queue
    call = place_call(sim)
    if policy == "timeout":
        assert call["state"] == "queued"
        clock.advance(11)
    wait_for(lambda: call_state(sim, call["callid"])["state"] == "ivr")
    assert heard(sim, call["callid"]) == ["All agents are busy. Press 1 to wait"]
    if policy == "no_agent":
        clock.advance(6)  # nobody presses anything: the flow says goodbye
        wait_for(lambda: call_state(sim, call["callid"])["state"] == "ended")
        assert "Please call again later" in heard(sim, call["callid"])
    else:
        if policy == "timeout":
            dtmf(sim, call["callid"], "1")  # back into the queue it timed out of
            assert call_state(sim, call["callid"])["state"] == "queued"
            agent.act("ready-state", {"state": "idle"})
            wait_for(lambda: call_state(sim, call["callid"])["state"] in ("ringing", "talking"))
        agent.close()


# ---------------------------------------------------------------- IVR waiting treatment


def _queued_with_waiting_flow(ivr, **queue):
    server, clock, sim, ids = ivr
    set_queue(
        server.settings.database_url, "defaultVoiceSkill",
        wait_treatment="ivr", wait_ivr_id=ids["flows"]["wait"], **queue,
    )  # fmt: skip
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    agent.act("ready-state", {"state": "busy"})  # signed in, not idle: the call waits
    call = place_call(sim)
    assert call["state"] == "queued"
    assert heard(sim, call["callid"]) == [WAIT_PROMPT]
    return agent, call


def flow_timers(url: str, callid: str) -> list[Timer]:
    async def read(session):
        stmt = (
            select(Timer)
            .join(Call, Call.id == Timer.call_id)
            .where(Call.callid == callid, Timer.kind == "ivr_wait")
        )
        return list(await session.scalars(stmt))

    return seed.run(url, read)


def test_a_queued_caller_runs_the_waiting_flow_until_an_agent_is_offered_the_call(ivr):
    server, clock, sim, ids = ivr
    url = server.settings.database_url
    agent, call = _queued_with_waiting_flow(ivr, max_wait_seconds=600)
    callid = call["callid"]
    dtmf(sim, callid, "1")  # the menu answers while the call stays queued
    assert heard(sim, callid)[-2:] == ["We are open 9 to 5", WAIT_PROMPT]
    assert call_state(sim, callid)["state"] == "queued"
    clock.advance(6)  # the menu's own time-out runs while waiting: asked again
    wait_for(lambda: len(heard(sim, callid)) == 4)
    assert flow_timers(url, callid)

    agent.act("ready-state", {"state": "idle"})
    wait_for(lambda: call_state(sim, callid)["state"] in ("ringing", "talking"))
    # The waiting treatment ended with the offer: its run is closed, its timer gone.
    assert stored_run(url, callid).active is False
    assert flow_timers(url, callid) == []
    before = heard(sim, callid)
    clock.advance(6)  # the menu's time-out would have prompted again by now
    dtmf(sim, callid, "9")  # and this key would have hung up: it reaches the agent instead
    time.sleep(1.0)  # give the timer workers their chance
    assert heard(sim, callid) == before
    assert call_state(sim, callid)["state"] in ("ringing", "talking")
    agent.close()


def test_a_waiting_flow_that_releases_hangs_up_and_the_queue_time_out_still_applies(ivr):
    server, clock, sim, ids = ivr
    agent, call = _queued_with_waiting_flow(ivr, max_wait_seconds=600)
    dtmf(sim, call["callid"], "9")
    ended = wait_for(lambda: (c := call_state(sim, call["callid"]))["state"] == "ended" and c)
    assert ended["outcome"] == "ivr_released"
    assert heard(sim, call["callid"])[-2:] == ["Goodbye from the queue", "released"]

    set_queue(server.settings.database_url, "defaultVoiceSkill", max_wait_seconds=10)
    other = place_call(sim, caller="13800000009")
    assert heard(sim, other["callid"]) == [WAIT_PROMPT]
    clock.advance(11)  # the queue's time-out policy (release) wins over the waiting menu
    ended = wait_for(lambda: (c := call_state(sim, other["callid"]))["state"] == "ended" and c)
    assert ended["outcome"] != "ivr_released"
    assert stored_run(server.settings.database_url, other["callid"]).active is False
    agent.close()


# ---------------------------------------------------------------- identity verification


def _talking_with_agent101(ivr):
    server, clock, sim, ids = ivr
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    stream = agent.stream()
    call = place_call(sim)
    wait_for(lambda: agent.state()["presence"]["state"] == "talking")
    return agent, stream, call


def _verify(agent, ids) -> dict:
    return agent.act("verification", {"method_id": ids["method_id"]})


@pytest.mark.parametrize(
    ("card", "pin", "result"),
    [
        (CARD_OK, PIN_OK, "1"),
        (CARD_OK, "9999", "2"),
        (CARD_SLOW, "1111", "3"),
        (CARD_GARBAGE, "1111", "3"),
    ],
)
def test_verification_round_trip_against_a_real_interface(ivr, card, pin, result, caplog):
    caplog.set_level(logging.DEBUG)
    server, clock, sim, ids = ivr
    agent, stream, call = _talking_with_agent101(ivr)
    started = _verify(agent, ids)
    assert started["active"] and started["verification"]["verifyTypeCode"] == "CARDVERIFY"
    assert agent.state()["presence"]["state"] == "verifying"
    assert call_state(sim, call["callid"])["state"] == "verifying"
    assert heard(sim, call["callid"]) == ["Enter your card number then #"]
    dtmf(sim, call["callid"], card + "#")
    dtmf(sim, call["callid"], pin + "#")
    events = stream.until(lambda m: m["type"] == "IvrReturn", timeout=15)
    returned = events[-1]["payload"]
    assert returned["verifyTypeCode"] == "CARDVERIFY" and returned["callid"] == call["callid"]
    assert returned["verifyResult"] == result
    assert set(returned) >= {"verifyReturn1", "verifyReturn2", "verifyReturn3"}
    wait_for(lambda: agent.state()["presence"]["state"] == "talking")
    assert call_state(sim, call["callid"])["state"] == "talking"
    # The agent's stream never carried the digits the customer typed.
    assert not any(m["type"] == "Dtmf" for m in events)
    assert pin not in str(events)
    [record] = records(server.settings.database_url)
    assert record.result == result and record.ended_reason == "completed"
    assert record.method_code == "CARDVERIFY" and record.agent_work_no == "101"
    assert record.caller == "13800000001" and record.callid == call["callid"]
    # Masked digits are gone from the stored run once the flow is over.
    run = stored_run(server.settings.database_url, call["callid"])
    assert "pin" not in run.state["data"] and pin not in str(run.state)
    # Nor in the verification record, the interface step kept for the path, or any log line.
    assert not _holds(pin, *(getattr(record, c.key) for c in VerificationRecord.__table__.c))
    attempts = attempts_of(server.settings.database_url, run.id)
    assert attempts and all(a.body is None for a in attempts)
    assert not _holds(pin, *(a.answer for a in attempts))
    # Every log record of ours; the database drivers' debug lines show query parameters and
    # are silenced by the app's logging configuration (checked here too).
    assert all(log_config("text")["loggers"][d]["level"] == "WARNING" for d in DB_DRIVER_LOGGERS)
    ours = [r for r in caplog.records if not r.name.startswith(DB_DRIVER_LOGGERS)]
    leaked = [r.getMessage() for r in ours if _holds(pin, r.getMessage())]
    assert not leaked, leaked[:5]
    agent.close()


def _holds(pin: str, *values) -> bool:
    """Whether the PIN appears as a number of its own in any value (not inside a longer one)."""
    pattern = re.compile(rf"(?<!\d){pin}(?!\d)")
    return any(pattern.search(str(value)) for value in values)


def attempts_of(url: str, run_id: int) -> list[IvrStepAttempt]:
    async def read(session):
        return list(
            await session.scalars(select(IvrStepAttempt).where(IvrStepAttempt.run_id == run_id))
        )

    return seed.run(url, read)


def stored_run(url: str, callid: str) -> IvrRun:
    async def read(session):
        stmt = select(IvrRun).join(Call, Call.id == IvrRun.call_id).where(Call.callid == callid)
        return await session.scalar(stmt)

    return seed.run(url, read)


def test_customer_hanging_up_during_verification_ends_the_call_and_the_record_says_so(ivr):
    server, clock, sim, ids = ivr
    agent, stream, call = _talking_with_agent101(ivr)
    _verify(agent, ids)
    dtmf(sim, call["callid"], CARD_OK + "#")
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    stream.until(lambda m: m["type"] == "IvrReturn")
    assert call_state(sim, call["callid"])["outcome"] == "completed"
    wait_for(lambda: agent.state()["presence"]["state"] in ("acw", "idle"))
    [record] = records(server.settings.database_url)
    assert record.ended_reason == "customer_hung_up" and record.result == "0"
    agent.close()


def test_agent_cancels_a_verification_and_talks_again(ivr):
    server, clock, sim, ids = ivr
    agent, stream, call = _talking_with_agent101(ivr)
    _verify(agent, ids)
    assert agent.act("verification/cancel")["call"]["state"] == "talking"
    assert agent.state()["presence"]["state"] == "talking"
    [record] = records(server.settings.database_url)
    assert record.ended_reason == "cancelled" and record.result == "0"
    agent.close()


def test_an_agent_without_the_permission_cannot_start_a_verification(ivr):
    server, clock, sim, ids = ivr
    agent = Agent(server.url, "agent103")
    agent.act("sign-in")
    assert agent.http.get("/api/workbench/verification/methods").status_code == 403
    assert agent.post("verification", {"method_id": ids["method_id"]}).status_code == 403
    allowed = Agent(server.url, "agent101")
    methods = allowed.http.get("/api/workbench/verification/methods").json()["items"]
    assert [m["code"] for m in methods] == ["CARDVERIFY"]
    agent.close()
    allowed.close()


def test_verification_refused_outside_a_conversation(ivr):
    server, clock, sim, ids = ivr
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    refused = agent.post("verification", {"method_id": ids["method_id"]})
    assert refused.status_code == 409, refused.text
    agent.close()


# ---------------------------------------------------------------- two instances


@pytest.fixture
def two_instances(pg_url, redis_url, make_settings, verify_site):
    """Two app instances sharing PostgreSQL and Redis, as `serve --workers 2` runs them."""
    import uuid

    from tests.support import databases

    databases.truncate_all(pg_url)
    seed_demo(pg_url)
    ids = seed_ivr(pg_url, verify_site.origin)
    sep = "&" if "?" in redis_url else "?"
    bus = f"{redis_url}{sep}channel=agentdesk-ivr-{uuid.uuid4().hex[:8]}"
    settings = make_settings(pg_url, bus_url=bus)
    from tests.support.server import LiveServer

    with LiveServer(settings) as one, LiveServer(settings.with_changes(port=0)) as two:
        yield one, two, ids


def test_a_verification_started_on_one_instance_continues_on_the_other(two_instances):
    one, two, ids = two_instances
    agent = Agent(one.url, "agent101")
    agent.act("sign-in")
    stream = agent.stream()
    sim_one = customer(one.url, one.settings.sim_token)
    sim_two = customer(two.url, two.settings.sim_token)
    call = place_call(sim_one)
    wait_for(lambda: agent.state()["presence"]["state"] == "talking")
    _verify(agent, ids)  # on instance 1
    dtmf(sim_two, call["callid"], CARD_OK + "#")  # the customer's keys reach instance 2
    dtmf(sim_two, call["callid"], PIN_OK + "#")
    returned = stream.until(lambda m: m["type"] == "IvrReturn", timeout=15)[-1]["payload"]
    assert returned["verifyResult"] == "1" and returned["callid"] == call["callid"]
    wait_for(lambda: agent.state()["presence"]["state"] == "talking")
    assert [r.result for r in records(one.settings.database_url)] == ["1"]
    for client in (sim_one, sim_two):
        client.close()
    agent.close()
