"""Agents [座席管理] through /api/config/agents (R-CC-3), on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import update

from agentdesk.tenancy.models import AccessCode, Tenant
from tests.support import seed
from tests.support.agents import customer, login, place_call, wait_for


def admin(server, code: str = "acme"):
    info = seed.tenant_with_admin(server.settings.database_url, code)
    client = server.client(headers={"Authorization": f"Bearer {info['token']}"})
    client.tenant_id = info["tenant_id"]
    return client


def set_licences(server, tenant_id: int, **licences) -> None:
    async def change(session):
        await session.execute(update(Tenant).where(Tenant.id == tenant_id).values(**licences))

    seed.run(server.settings.database_url, change)


def post(client, path: str, **body) -> dict:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def refused(response, field: str, rule: str) -> None:
    assert response.status_code == 422, response.text
    pairs = [(e["field"], e["rule"]) for e in response.json()["errors"]]
    assert (field, rule) in pairs, pairs


@pytest.fixture
def acme(server):
    """Tenant acme's admin client with a voice, a video and a multimedia queue."""
    with admin(server) as client:
        client.queues = {
            "voice": post(client, "/api/config/queues", name="voice"),
            "video": post(client, "/api/config/queues", name="video", type="video"),
            "chat": post(
                client, "/api/config/queues", name="chat", type="multimedia", subtype="web"
            ),
        }
        yield client


def count(client) -> int:
    return client.get("/api/config/agents").json()["total"]


def test_an_agent_is_configured_with_skills_and_read_back(acme):
    q = acme.queues
    skills = [{"queue_id": q["voice"]["id"], "skill_weight": 5}, {"queue_id": q["video"]["id"]}]
    agent = post(
        acme, "/api/config/agents", work_no=101, agent_type="video", phone="8001", skills=skills
    )
    assert agent["platform_role"] == "operator" and agent["agent_weight"] == 1
    assert agent["auto_answer"] is True and agent["user_id"] is None
    assert agent["skills"] == [
        {"queue_id": q["voice"]["id"], "skill_weight": 5},
        {"queue_id": q["video"]["id"], "skill_weight": 1},
    ]
    assert acme.get(f"/api/config/agents/{agent['id']}").json() == agent
    body = {
        "work_no": 102,
        "agent_type": "allround",
        "platform_role": "inspector",
        "intelligent": True,
    }
    body["skills"] = [{"queue_id": q["chat"]["id"], "skill_weight": 3}]
    changed = acme.put(f"/api/config/agents/{agent['id']}", json=body).json()
    assert changed["work_no"] == 102 and changed["skills"] == body["skills"]
    assert changed["intelligent"] is True and changed["platform_role"] == "inspector"
    assert acme.delete(f"/api/config/agents/{agent['id']}").status_code == 204
    assert count(acme) == 0


@pytest.mark.parametrize(
    ("work_no", "rule"), [(100, "greater_than_equal"), (1000000, "less_than_equal")]
)
def test_work_numbers_outside_101_to_999999_are_refused(acme, work_no, rule):
    refused(acme.post("/api/config/agents", json={"work_no": work_no}), "work_no", rule)
    post(acme, "/api/config/agents", work_no=101)
    post(acme, "/api/config/agents", work_no=999999)
    assert count(acme) == 2


def test_work_numbers_are_unique_in_the_tenant(acme):
    first = post(acme, "/api/config/agents", work_no=101)
    refused(acme.post("/api/config/agents", json={"work_no": 101}), "work_no", "unique")
    second = post(acme, "/api/config/agents", work_no=102)
    moved = acme.put(f"/api/config/agents/{second['id']}", json={"work_no": first["work_no"]})
    refused(moved, "work_no", "unique")


def test_audio_video_and_multimedia_queues_mix_only_for_all_round_agents(acme):
    q = acme.queues
    mixed = [{"queue_id": q["voice"]["id"]}, {"queue_id": q["chat"]["id"]}]
    for agent_type in ("audio", "video", "multimedia"):
        body = {"work_no": 101, "agent_type": agent_type, "skills": mixed}
        refused(acme.post("/api/config/agents", json=body), "skills", "mixed_media")
    assert count(acme) == 0
    agent = post(acme, "/api/config/agents", work_no=101, agent_type="allround", skills=mixed)
    assert len(agent["skills"]) == 2
    # Turning the all-round agent into an audio agent with the same skills is refused too.
    body = {"work_no": 101, "agent_type": "audio", "skills": mixed}
    refused(acme.put(f"/api/config/agents/{agent['id']}", json=body), "skills", "mixed_media")


def test_queue_types_must_fit_the_agent_type(acme):
    q = acme.queues
    chat_only = {"work_no": 101, "agent_type": "audio", "skills": [{"queue_id": q["chat"]["id"]}]}
    refused(acme.post("/api/config/agents", json=chat_only), "skills.0.queue_id", "media_type")
    voice_only = {
        "work_no": 101,
        "agent_type": "multimedia",
        "skills": [{"queue_id": q["voice"]["id"]}],
    }
    refused(acme.post("/api/config/agents", json=voice_only), "skills.0.queue_id", "media_type")
    twice = [{"queue_id": q["voice"]["id"]}, {"queue_id": q["voice"]["id"]}]
    refused(
        acme.post("/api/config/agents", json={"work_no": 101, "skills": twice}),
        "skills.1.queue_id",
        "duplicate",
    )
    missing = [{"queue_id": 99999}]
    refused(
        acme.post("/api/config/agents", json={"work_no": 101, "skills": missing}),
        "skills.0.queue_id",
        "not_found",
    )
    weight = [{"queue_id": q["voice"]["id"], "skill_weight": 0}]
    refused(
        acme.post("/api/config/agents", json={"work_no": 101, "skills": weight}),
        "skills.0.skill_weight",
        "greater_than_equal",
    )
    refused(
        acme.post("/api/config/agents", json={"work_no": 101, "phone": "12ab"}),
        "phone",
        "phone_number",
    )
    refused(
        acme.post("/api/config/agents", json={"work_no": 101, "agent_type": "robot"}),
        "agent_type",
        "literal_error",
    )


def test_agents_per_type_never_exceed_the_tenant_licence(server, acme):
    set_licences(server, acme.tenant_id, licence_audio=2, licence_intelligent=1)
    post(acme, "/api/config/agents", work_no=101)
    second = post(acme, "/api/config/agents", work_no=102, intelligent=True)
    refused(acme.post("/api/config/agents", json={"work_no": 103}), "agent_type", "limit")
    body = {"work_no": 103, "agent_type": "video", "intelligent": True}
    refused(acme.post("/api/config/agents", json=body), "intelligent", "limit")
    assert count(acme) == 2
    # An agent at the limit can still be edited, and other types have their own licence.
    edited = acme.put(
        f"/api/config/agents/{second['id']}", json={"work_no": 102, "intelligent": True}
    )
    assert edited.status_code == 200, edited.text
    post(acme, "/api/config/agents", work_no=103, agent_type="video")
    moved = acme.put(
        f"/api/config/agents/{second['id']}", json={"work_no": 102, "agent_type": "video"}
    )
    assert moved.status_code == 200
    post(acme, "/api/config/agents", work_no=104)


def test_a_business_account_links_to_one_agent(acme):
    user = post(acme, "/api/config/users", username="alice", password="alice-pass-1")
    agent = post(acme, "/api/config/agents", work_no=101, user_id=user["id"])
    assert agent["user_id"] == user["id"]
    refused(
        acme.post("/api/config/agents", json={"work_no": 102, "user_id": user["id"]}),
        "user_id",
        "unique",
    )
    refused(
        acme.post("/api/config/agents", json={"work_no": 102, "user_id": 99999}),
        "user_id",
        "not_found",
    )
    same = acme.put(
        f"/api/config/agents/{agent['id']}", json={"work_no": 101, "user_id": user["id"]}
    )
    assert same.status_code == 200


# ---------------------------------------------------------------- batch configuration


def test_batch_configuration_by_list_creates_and_updates(acme):
    voice = acme.queues["voice"]["id"]
    existing = post(acme, "/api/config/agents", work_no=202, agent_type="video", phone="8002")
    body = {
        "work_nos": [201, 202, 203],
        "agent_weight": 3,
        "skills": [{"queue_id": voice, "skill_weight": 2}],
    }
    result = post(acme, "/api/config/agents/batch", **body)
    assert (result["created"], result["updated"], result["total"]) == (2, 1, 3)
    agents = {a["work_no"]: a for a in acme.get("/api/config/agents").json()["items"]}
    assert sorted(agents) == [201, 202, 203]
    assert agents[202]["id"] == existing["id"] and agents[202]["agent_type"] == "audio"
    for agent in agents.values():
        assert agent["agent_weight"] == 3
        assert agent["skills"] == [{"queue_id": voice, "skill_weight": 2}]


def test_batch_configuration_by_range(acme):
    chat = acme.queues["chat"]["id"]
    body = {
        "range": {"start": 301, "end": 305},
        "agent_type": "multimedia",
        "skills": [{"queue_id": chat}],
    }
    result = post(acme, "/api/config/agents/batch", **body)
    assert result["created"] == 5
    assert [a["work_no"] for a in result["items"]] == [301, 302, 303, 304, 305]
    flat = post(acme, "/api/config/agents/batch", range_start=306, range_end=307)
    assert [a["work_no"] for a in flat["items"]] == [306, 307]
    assert count(acme) == 7


def test_batch_configuration_is_all_or_nothing_with_errors_per_row(acme):
    path = "/api/config/agents/batch"
    response = acme.post(path, json={"work_nos": [201, 100, 202, 1000000]})
    refused(response, "work_nos.1", "greater_than_equal")
    refused(response, "work_nos.3", "less_than_equal")
    refused(acme.post(path, json={"work_nos": [201, 202, 201]}), "work_nos.2", "duplicate")
    refused(acme.post(path, json={"range": {"start": 310, "end": 300}}), "range.end", "order")
    refused(
        acme.post(path, json={"range": {"start": 100, "end": 300}}),
        "range.start",
        "greater_than_equal",
    )
    refused(acme.post(path, json={"range_start": 300}), "range_end", "missing")
    refused(acme.post(path, json={}), "work_nos", "required")
    # Eleven audio agents exceed the licence of ten: none is created.
    refused(acme.post(path, json={"range": {"start": 401, "end": 411}}), "agent_type", "limit")
    mixed = [{"queue_id": acme.queues["voice"]["id"]}, {"queue_id": acme.queues["chat"]["id"]}]
    refused(
        acme.post(path, json={"work_nos": [501, 502], "skills": mixed}), "skills", "mixed_media"
    )
    assert count(acme) == 0


def test_the_openapi_schema_describes_the_batch_body_the_ui_sends(server):
    with server.client() as client:
        spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    batch = spec["paths"]["/api/config/agents/batch"]["post"]["requestBody"]["content"]
    props = schemas[batch["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"work_nos", "range", "skills", "agent_type"} <= set(props)
    rng = schemas["WorkNoRange"]["properties"]
    assert (rng["start"]["minimum"], rng["start"]["maximum"]) == (101, 999999)


# ---------------------------------------------------------------- isolation and routing


def test_tenant_b_can_neither_see_nor_touch_tenant_a_agents(server, acme):
    voice = acme.queues["voice"]["id"]
    user = post(acme, "/api/config/users", username="alice", password="alice-pass-1")
    agent = post(acme, "/api/config/agents", work_no=101, skills=[{"queue_id": voice}])
    with admin(server, "beta") as b:
        assert b.get("/api/config/agents").json() == {"items": [], "total": 0}
        url = f"/api/config/agents/{agent['id']}"
        assert b.get(url).status_code == 404
        assert b.put(url, json={"work_no": 101}).status_code == 404
        assert b.delete(url).status_code == 404
        refused(
            b.post("/api/config/agents", json={"work_no": 101, "skills": [{"queue_id": voice}]}),
            "skills.0.queue_id",
            "not_found",
        )
        refused(
            b.post("/api/config/agents", json={"work_no": 101, "user_id": user["id"]}),
            "user_id",
            "not_found",
        )
        # The same work number in another tenant is fine, and a batch never reaches across.
        post(b, "/api/config/agents/batch", work_nos=[101], phone="999")
    assert acme.get(f"/api/config/agents/{agent['id']}").json()["phone"] == ""


def test_a_call_reaches_an_agent_configured_through_the_api(server, acme):
    async def add_code(session):
        session.add(AccessCode(code="555000", type="voice_video", tenant_id=acme.tenant_id))

    seed.run(server.settings.database_url, add_code)
    code = acme.get("/api/config/access-codes").json()["items"][0]
    queue = acme.queues["voice"]
    post(
        acme,
        "/api/config/called-configs",
        access_code_id=code["id"],
        extension="7",
        queue_id=queue["id"],
    )
    user = post(acme, "/api/config/users", username="dora", password="dora-pass-1")
    post(
        acme,
        "/api/config/agents",
        work_no=4242,
        user_id=user["id"],
        skills=[{"queue_id": queue["id"]}],
    )

    dora = login(server.url, "dora", "dora-pass-1")
    assert dora.post("/api/workbench/sign-in").status_code == 200
    with customer(server.url, server.settings.sim_token) as sim:
        call = place_call(sim, called="5550007", tenant="acme")
        assert call["callskill"] == "voice"
        state = wait_for(lambda: (s := dora.get("/api/workbench/state").json())["call"] and s)
        assert state["call"]["callid"] == call["callid"]
        assert state["presence"]["state"] == "talking" and state["agent"]["workNo"] == 4242
    dora.close()
