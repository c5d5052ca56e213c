"""The call flow end to end through the real APIs, on SQLite and PostgreSQL."""

import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from agentdesk.config_center.agents.models import Agent as AgentRow
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.kit.clock import FakeClock
from tests.support import seed
from tests.support.agents import Agent, customer, place_call, seed_demo, wait_for


def set_queue(url: str, name: str, **values) -> None:
    async def change(session):
        await session.execute(update(SkillQueue).where(SkillQueue.name == name).values(**values))

    seed.run(url, change)


def queue_id(url: str, name: str) -> int:
    async def find(session):
        from sqlalchemy import select

        return await session.scalar(select(SkillQueue.id).where(SkillQueue.name == name))

    return seed.run(url, find)


def set_agent(url: str, work_no: int, **values) -> None:
    async def change(session):
        await session.execute(update(AgentRow).where(AgentRow.work_no == work_no).values(**values))

    seed.run(url, change)


@pytest.fixture
def cc(server):
    """The demo contact center with a fake clock the test moves, and a customer."""
    seed_demo(server.settings.database_url)
    set_queue(server.settings.database_url, "defaultVoiceSkill", acw_seconds=2)
    clock = FakeClock(datetime.utcnow())
    server.app.state.clock = clock
    sim = customer(server.url, server.settings.sim_token)
    yield server, clock, sim
    sim.close()


def records(server, **params):
    admin = Agent(server.url, "demo-admin")
    try:
        response = admin.http.get("/api/config/contact-records", params=params)
        assert response.status_code == 200, response.text
        return response.json()
    finally:
        admin.close()


def test_inbound_call_rings_is_answered_automatically_ends_and_leaves_a_record(cc):
    server, clock, sim = cc
    agent = Agent(server.url, "agent101")
    assert agent.act("sign-in")["presence"]["state"] == "idle"
    stream = agent.stream()
    assert stream.next()["kind"] == "snapshot"
    call = place_call(sim, data={"orderId": "A-17"})
    events = stream.until(lambda m: m["type"] == "Talking")
    types = [m["type"] for m in events]
    assert types.index("Ringing") < types.index("Talking")
    talking = events[-1]["payload"]
    assert talking["callid"] == call["callid"]
    assert talking["callerNum"] == "13800000001" and talking["calledNum"] == "960358"
    assert talking["workNo"] == "101" and talking["callskill"] == "defaultVoiceSkill"
    assert talking["calldata"] == {"orderId": "A-17"} and talking["callType"] == "0"
    assert agent.state()["presence"]["state"] == "talking"

    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    released = stream.until(lambda m: m["type"] == "AgentState" and m["payload"]["state"] == "acw")
    assert any(m["type"] == "Release" for m in released)
    clock.advance(3)
    stream.until(lambda m: m["type"] == "AgentState" and m["payload"]["state"] == "idle")
    record = records(server, callid=call["callid"])["items"][0]
    assert record["outcome"] == "completed" and record["ended_by"] == "customer"
    assert record["work_no"] == 101 and record["attached_data"] == {"orderId": "A-17"}
    stream.close()


def test_manual_answer_hold_and_agent_hangup(cc):
    server, clock, sim = cc
    set_agent(server.settings.database_url, 101, auto_answer=False)
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    call = place_call(sim)
    wait_for(lambda: agent.state()["presence"]["state"] == "ringing")
    assert agent.post("hold").status_code == 409
    assert agent.post("hangup").status_code == 409
    assert agent.act("answer")["call"]["state"] == "talking"
    assert agent.act("hold")["call"]["state"] == "held"
    assert agent.state()["presence"]["state"] == "held"
    assert agent.act("unhold")["call"]["state"] == "talking"
    assert agent.act("hangup")["call"]["outcome"] == "completed"
    assert agent.state()["presence"]["state"] == "acw"
    assert records(server, callid=call["callid"])["items"][0]["ended_by"] == "agent"


def test_access_code_plus_extension_reaches_the_video_queue(cc):
    server, _clock, sim = cc
    agent = Agent(server.url, "agent102")
    agent.act("sign-in")
    call = place_call(sim, called="9603581")
    assert call["callskill"] == "defaultVideoSkill" and call["mediaType"] == "video"
    assert agent.state()["call"]["callid"] == call["callid"]


def test_unknown_access_code_is_refused_with_the_field(cc):
    _server, _clock, sim = cc
    response = sim.post("/api/sim/calls", json={"tenant": "demo", "caller": "138", "called": "111"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "called"


def test_no_agent_on_duty_releases_by_default(cc):
    server, _clock, sim = cc
    call = place_call(sim)
    assert call["state"] == "ended" and call["outcome"] == "no_agent_released"


def test_no_agent_on_duty_can_transfer_to_another_queue_of_the_same_type(cc):
    server, _clock, sim = cc
    url = server.settings.database_url

    async def add_queue(session):
        session.add(SkillQueue(tenant_id=1, name="backupVoice", type="voice"))

    seed.run(url, add_queue)
    backup = queue_id(url, "backupVoice")
    set_queue(
        url, "defaultVoiceSkill", no_agent_action="transfer_queue", no_agent_target_queue_id=backup
    )
    # Nobody serves the backup queue either: the call is released there, after one transfer.
    call = place_call(sim)
    assert call["callskill"] == "backupVoice" and call["outcome"] == "no_agent_released"
    assert records(server, callid=call["callid"])["items"][0]["transfers"] == 1


def test_queue_timeout_releases_the_waiting_call(cc):
    server, clock, sim = cc
    set_queue(server.settings.database_url, "defaultVoiceSkill", max_wait_seconds=30)
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    agent.act("ready-state", {"state": "busy"})
    call = place_call(sim)
    assert call["state"] == "queued"
    clock.advance(31)
    wait_for(lambda: sim.get(f"/api/sim/calls/{call['callid']}").json()["state"] == "ended")
    final = sim.get(f"/api/sim/calls/{call['callid']}").json()
    assert final["outcome"] == "timeout_released"


def test_overflow_when_the_queue_is_full(cc):
    server, _clock, sim = cc
    set_queue(server.settings.database_url, "defaultVoiceSkill", max_queued_calls=1)
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    agent.act("ready-state", {"state": "rest"})
    first = place_call(sim)
    second = place_call(sim)
    assert first["state"] == "queued"
    assert second["outcome"] == "overflow_released"


def test_queued_call_goes_to_the_agent_who_becomes_idle(cc):
    server, _clock, sim = cc
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    agent.act("ready-state", {"state": "busy"})
    call = place_call(sim)
    assert call["state"] == "queued"
    agent.act("ready-state", {"state": "idle"})
    assert agent.state()["call"]["callid"] == call["callid"]


def test_unanswered_offer_goes_back_to_the_queue_and_to_another_agent(cc):
    server, clock, sim = cc
    url = server.settings.database_url
    set_agent(url, 101, auto_answer=False, agent_weight=9)
    set_agent(url, 102, auto_answer=False)
    first, second = Agent(server.url, "agent101"), Agent(server.url, "agent102")
    first.act("sign-in")
    second.act("sign-in")
    call = place_call(sim)
    assert first.state()["presence"]["state"] == "ringing"  # higher agent weight
    clock.advance(21)
    wait_for(lambda: second.state()["presence"]["state"] == "ringing")
    assert first.state()["presence"]["state"] == "busy"
    assert second.state()["call"]["callid"] == call["callid"]


def test_busy_requested_during_a_call_applies_after_after_call_work(cc):
    server, clock, sim = cc
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    call = place_call(sim)
    assert agent.act("ready-state", {"state": "busy"})["presence"]["pendingState"] == "busy"
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    clock.advance(3)
    wait_for(lambda: agent.state()["presence"]["state"] == "busy")


def test_outbound_call_is_answered_by_the_customer(cc):
    server, _clock, sim = cc
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    dialled = agent.act("dial", {"number": "13900000002", "mode": "video"})["call"]
    assert dialled["state"] == "dialing" and dialled["callType"] == "1"
    assert dialled["calledNum"] == "13900000002" and dialled["callerNum"] == "4008009600"
    assert dialled["mediaType"] == "video"
    ringing = sim.get("/api/sim/outbound", params={"tenant": "demo"}).json()["items"]
    assert [c["callid"] for c in ringing] == [dialled["callid"]]
    answered = sim.post(f"/api/sim/calls/{dialled['callid']}/answer").json()
    assert answered["state"] == "talking"
    assert agent.state()["presence"]["state"] == "talking"
    assert agent.act("hangup")["call"]["outcome"] == "completed"


def test_dial_refuses_a_bad_number_naming_the_field(cc):
    server, _clock, _sim = cc
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    response = agent.post("dial", {"number": "12ab34"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "number"


def test_dtmf_is_kept_on_the_call(cc):
    server, _clock, sim = cc
    Agent(server.url, "agent101").act("sign-in")
    call = place_call(sim)
    sim.post(f"/api/sim/calls/{call['callid']}/dtmf", json={"digits": "12#"}).raise_for_status()
    assert records(server, callid=call["callid"])["items"][0]["dtmf"] == "12#"
    bad = sim.post(f"/api/sim/calls/{call['callid']}/dtmf", json={"digits": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "digits"


def test_sign_out_is_refused_during_a_call(cc):
    server, _clock, sim = cc
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    place_call(sim)
    assert agent.post("sign-out").status_code == 409


def test_simulator_needs_its_token(server):
    seed_demo(server.settings.database_url)
    with server.client() as anonymous:
        body = {"tenant": "demo", "caller": "13800000001", "called": "960358"}
        assert anonymous.post("/api/sim/calls", json=body).status_code == 401
    with customer(server.url, "wrong-token") as forged:
        assert forged.post("/api/sim/calls", json=body).status_code == 401


def test_contact_records_filter_by_number_agent_and_queue(cc):
    server, _clock, sim = cc
    Agent(server.url, "agent101").act("sign-in")
    place_call(sim)
    other = sim.post(
        "/api/sim/calls", json={"tenant": "demo", "caller": "13700000000", "called": "9603581"}
    ).json()
    assert records(server, number="13700000000")["items"][0]["callid"] == other["callid"]
    assert records(server, work_no=101)["total"] == 1
    voice = queue_id(server.settings.database_url, "defaultVoiceSkill")
    assert records(server, queue_id=voice)["total"] == 1
    assert records(server)["total"] == 2


def _in_acw(cc):
    server, clock, sim = cc
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    call = place_call(sim)
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    wait_for(lambda: agent.state()["presence"]["state"] == "acw")
    return agent, clock, agent.state()["presence"]


def test_after_call_work_can_be_extended_up_to_its_limit(cc):
    agent, clock, presence = _in_acw(cc)
    until = datetime.fromisoformat(presence["acwUntil"].rstrip("Z"))
    extended = agent.act("acw/extend", {"seconds": 30})["presence"]
    assert datetime.fromisoformat(extended["acwUntil"].rstrip("Z")) == until + timedelta(seconds=30)
    clock.advance(3)  # the original 2 s have passed: still in ACW (the timer moved)
    time.sleep(0.3)  # a few timer polls
    assert agent.state()["presence"]["state"] == "acw"
    # 10 minutes in all at most: the field, the rule and the limit are named.
    for _ in range(9):
        agent.act("acw/extend", {"seconds": 60})
    refused = agent.post("acw/extend", {"seconds": 60})
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["field"], error["rule"], error["limit"]) == ("seconds", "limit", 600)
    bad = agent.post("acw/extend", {"seconds": 10**9})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "seconds"
    clock.advance(600)
    wait_for(lambda: agent.state()["presence"]["state"] == "idle")


def test_after_call_work_can_be_finished_now_into_the_state_asked_for(cc):
    agent, _clock, _presence = _in_acw(cc)
    assert agent.act("ready-state", {"state": "rest"})["presence"]["pendingState"] == "rest"
    finished = agent.act("acw/finish")["presence"]
    assert (finished["state"], finished["pendingState"]) == ("rest", "")
    refused = agent.post("acw/finish")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_state"
    assert agent.post("acw/extend", {"seconds": 30}).status_code == 409
