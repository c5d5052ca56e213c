"""Who routing offers calls to, and which queue an outbound call is recorded under (guide
table 4-3: an outbound agent [外呼座席] takes no incoming calls), on SQLite and PostgreSQL."""

from datetime import datetime

import pytest
from sqlalchemy import select, update

from agentdesk.config_center.agents.models import Agent as AgentRow
from agentdesk.config_center.agents.models import AgentSkill
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.kit.clock import FakeClock
from tests.support import seed
from tests.support.agents import Agent, customer, place_call, seed_demo


def set_agent(url: str, work_no: int, **values) -> None:
    async def change(session):
        await session.execute(update(AgentRow).where(AgentRow.work_no == work_no).values(**values))

    seed.run(url, change)


def queue_id(url: str, name: str) -> int:
    async def find(session):
        return await session.scalar(select(SkillQueue.id).where(SkillQueue.name == name))

    return seed.run(url, find)


def set_skill_weight(url: str, work_no: int, queue: str, weight: int) -> None:
    qid = queue_id(url, queue)

    async def apply(session):
        agent_id = await session.scalar(select(AgentRow.id).where(AgentRow.work_no == work_no))
        await session.execute(
            update(AgentSkill)
            .where(AgentSkill.agent_id == agent_id, AgentSkill.queue_id == qid)
            .values(skill_weight=weight)
        )

    seed.run(url, apply)


@pytest.fixture
def cc(server):
    seed_demo(server.settings.database_url)
    server.app.state.clock = FakeClock(datetime.utcnow())
    sim = customer(server.url, server.settings.sim_token)
    yield server, sim
    sim.close()


def record(server, callid: str) -> dict:
    admin = Agent(server.url, "demo-admin")
    try:
        response = admin.http.get("/api/config/contact-records", params={"callid": callid})
        assert response.status_code == 200, response.text
        return response.json()["items"][0]
    finally:
        admin.close()


def test_an_outbound_agent_is_never_offered_an_inbound_call(cc):
    server, sim = cc
    url = server.settings.database_url
    # Weighted higher and idle the longest: without the role rule agent 101 would win.
    set_agent(url, 101, platform_role="outbound", agent_weight=9)
    outbound, operator = Agent(server.url, "agent101"), Agent(server.url, "agent102")
    outbound.act("sign-in")
    operator.act("sign-in")
    call = place_call(sim)
    assert call["workNo"] == "102"
    assert operator.state()["call"]["callid"] == call["callid"]
    assert outbound.state()["presence"]["state"] == "idle"
    assert outbound.state()["call"] is None


def test_outbound_agents_alone_leave_a_queue_with_no_agent_on_duty(cc):
    server, sim = cc
    set_agent(server.settings.database_url, 101, platform_role="outbound")
    Agent(server.url, "agent101").act("sign-in")
    call = place_call(sim)
    assert call["state"] == "ended" and call["outcome"] == "no_agent_released"


def test_a_waiting_call_is_not_handed_to_an_outbound_agent_who_becomes_idle(cc):
    server, sim = cc
    set_agent(server.settings.database_url, 101, platform_role="outbound")
    operator, outbound = Agent(server.url, "agent102"), Agent(server.url, "agent101")
    operator.act("sign-in")
    operator.act("ready-state", {"state": "busy"})
    call = place_call(sim)
    assert call["state"] == "queued"

    outbound.act("sign-in")  # signing in offers waiting calls to an operator, not to them
    outbound.act("ready-state", {"state": "busy"})
    outbound.act("ready-state", {"state": "idle"})
    assert outbound.state()["call"] is None
    # They still place calls, which is their job.
    assert outbound.act("dial", {"number": "13900000002"})["call"]["state"] == "dialing"

    operator.act("ready-state", {"state": "idle"})
    assert operator.state()["call"]["callid"] == call["callid"]


def test_an_outbound_video_call_is_recorded_under_the_agents_video_queue(cc):
    server, _sim = cc
    url = server.settings.database_url
    # The voice skill weighs more: the call's media, not the weight, picks the queue.
    set_skill_weight(url, 101, "defaultVoiceSkill", 5)
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")

    video = agent.act("dial", {"number": "13900000002", "mode": "video"})["call"]
    assert video["callskill"] == "defaultVideoSkill"
    agent.act("hangup")
    audio = agent.act("dial", {"number": "13900000002", "mode": "audio"})["call"]
    assert audio["callskill"] == "defaultVoiceSkill"
    agent.act("hangup")

    video_record = record(server, video["callid"])
    assert video_record["media"] == "video" and video_record["direction"] == 1
    assert video_record["queue_name"] == "defaultVideoSkill"
    assert video_record["queue_id"] == queue_id(url, "defaultVideoSkill")
    audio_record = record(server, audio["callid"])
    assert audio_record["queue_id"] == queue_id(url, "defaultVoiceSkill")
