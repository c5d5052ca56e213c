"""Skill queues [技能队列] through /api/config/queues (R-CC-1), on SQLite and PostgreSQL."""

import pytest

from agentdesk.tenancy.models import AccessCode, SystemParameter
from tests.support import seed


def admin(server, code: str = "acme"):
    info = seed.tenant_with_admin(server.settings.database_url, code)
    return server.client(headers={"Authorization": f"Bearer {info['token']}"})


def create(client, **body) -> dict:
    response = client.post("/api/config/queues", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def refused(response, field: str, rule: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_failed"
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in body["errors"]
    ], body


def test_a_new_queue_gets_the_documented_defaults(server):
    with admin(server) as client:
        queue = create(client, name="sales")
        assert queue["type"] == "voice" and queue["subtype"] is None
        assert queue["max_wait_seconds"] == 60 and queue["max_queued_calls"] == 100
        assert queue["acw_seconds"] == 5 and queue["description"] == ""
        for prefix in ("timeout", "overflow", "no_agent"):
            assert queue[f"{prefix}_action"] == "release"
            assert queue[f"{prefix}_target_queue_id"] is None
        assert queue["answer_mode"] == "silent"
        listing = client.get("/api/config/queues").json()
        assert listing["total"] == 1 and listing["items"][0]["id"] == queue["id"]
        assert client.get(f"/api/config/queues/{queue['id']}").json()["name"] == "sales"


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"name": "bad name"}, "name", "no_spaces"),
        ({"name": "x" * 21}, "name", "string_too_long"),
        ({"name": ""}, "name", "string_too_short"),
        ({"name": "q", "max_wait_seconds": 0}, "max_wait_seconds", "greater_than_equal"),
        ({"name": "q", "max_wait_seconds": 60001}, "max_wait_seconds", "less_than_equal"),
        ({"name": "q", "max_queued_calls": 10001}, "max_queued_calls", "less_than_equal"),
        ({"name": "q", "acw_seconds": 3601}, "acw_seconds", "less_than_equal"),
        ({"name": "q", "description": "d" * 51}, "description", "string_too_long"),
        ({"name": "q", "type": "multimedia"}, "subtype", "required"),
        ({"name": "q", "type": "fax"}, "type", "literal_error"),
        ({"name": "q", "timeout_action": "transfer_queue"}, "timeout_target_queue_id", "required"),
        ({"name": "q", "overflow_action": "transfer_fax"}, "overflow_action", "literal_error"),
        # Transfer to IVR (issue 10) needs its flow, a published one of the tenant.
        ({"name": "q", "overflow_action": "transfer_ivr"}, "overflow_target_ivr_id", "required"),
        (
            {"name": "q", "overflow_action": "transfer_ivr", "overflow_target_ivr_id": 999},
            "overflow_target_ivr_id",
            "not_found",
        ),
    ],
)
def test_broken_rules_are_refused_naming_field_and_rule(server, body, field, rule):
    with admin(server) as client:
        refused(client.post("/api/config/queues", json=body), field, rule)
        assert client.get("/api/config/queues").json()["total"] == 0


def test_the_limits_themselves_are_accepted(server):
    with admin(server) as client:
        create(client, name="x" * 20, max_wait_seconds=1, description="d" * 50)
        queue = create(client, name="slow", max_wait_seconds=60000, max_queued_calls=10000)
        assert queue["max_wait_seconds"] == 60000
        chat = create(client, name="chat", type="multimedia", subtype="web")
        assert chat["subtype"] == "web" and chat["wait_treatment"] == "default_tone"


def test_queue_names_are_unique_in_a_tenant_but_not_across_tenants(server):
    with admin(server) as client:
        first = create(client, name="sales")
        refused(client.post("/api/config/queues", json={"name": "sales"}), "name", "unique")
        other = create(client, name="support")
        renamed = client.put(f"/api/config/queues/{other['id']}", json={"name": "sales"})
        refused(renamed, "name", "unique")
        same = client.put(f"/api/config/queues/{first['id']}", json={"name": "sales"})
        assert same.status_code == 200, same.text
    with admin(server, "beta") as client:
        create(client, name="sales")


def test_transfer_targets_must_exist_differ_and_have_the_same_type(server):
    with admin(server) as client:
        video = create(client, name="video", type="video")
        backup = create(client, name="backup")
        body = {"name": "sales", "overflow_action": "transfer_queue"}
        refused(
            client.post(
                "/api/config/queues", json={**body, "overflow_target_queue_id": video["id"]}
            ),
            "overflow_target_queue_id",
            "type_mismatch",
        )
        refused(
            client.post("/api/config/queues", json={**body, "overflow_target_queue_id": 99999}),
            "overflow_target_queue_id",
            "not_found",
        )
        sales = create(client, **body, overflow_target_queue_id=backup["id"])
        assert sales["overflow_target_queue_id"] == backup["id"]
        to_itself = {**body, "no_agent_action": "transfer_queue"}
        to_itself["no_agent_target_queue_id"] = sales["id"]
        to_itself["overflow_target_queue_id"] = backup["id"]
        refused(
            client.put(f"/api/config/queues/{sales['id']}", json=to_itself),
            "no_agent_target_queue_id",
            "self",
        )
        # Release drops a stale target.
        released = client.put(
            f"/api/config/queues/{sales['id']}",
            json={"name": "sales", "overflow_target_queue_id": backup["id"]},
        ).json()
        assert released["overflow_action"] == "release"
        assert released["overflow_target_queue_id"] is None


def test_a_queue_that_is_a_transfer_target_keeps_its_type_and_cannot_be_deleted(server):
    with admin(server) as client:
        backup = create(client, name="backup")
        create(
            client,
            name="sales",
            timeout_action="transfer_queue",
            timeout_target_queue_id=backup["id"],
        )
        changed = client.put(
            f"/api/config/queues/{backup['id']}", json={"name": "backup", "type": "video"}
        )
        refused(changed, "type", "in_use")
        deleted = client.delete(f"/api/config/queues/{backup['id']}")
        assert deleted.status_code == 409 and "sales" in deleted.json()["detail"]


def test_a_queue_reached_by_an_access_code_keeps_its_media_type(server):
    with admin(server) as client:
        tenant_id = client.get("/api/auth/me").json()["tenant_id"]

        async def add_code(session):
            session.add(AccessCode(code="555000", type="voice_video", tenant_id=tenant_id))

        seed.run(server.settings.database_url, add_code)
        code = client.get("/api/config/access-codes").json()["items"][0]
        queue = create(client, name="sales")
        client.post(
            "/api/config/called-configs",
            json={"access_code_id": code["id"], "queue_id": queue["id"]},
        ).raise_for_status()
        multimedia = {"name": "sales", "type": "multimedia", "subtype": "web"}
        refused(client.put(f"/api/config/queues/{queue['id']}", json=multimedia), "type", "in_use")
        video = client.put(
            f"/api/config/queues/{queue['id']}", json={"name": "sales", "type": "video"}
        )
        assert video.status_code == 200, video.text
        assert client.delete(f"/api/config/queues/{queue['id']}").status_code == 409


def test_an_unused_queue_is_deleted(server):
    with admin(server) as client:
        queue = create(client, name="sales")
        assert client.delete(f"/api/config/queues/{queue['id']}").status_code == 204
        assert client.get(f"/api/config/queues/{queue['id']}").status_code == 404


def test_the_system_parameter_caps_the_number_of_queues(server):
    async def cap(session):
        session.add(SystemParameter(key="max_skill_queues", value=2))

    seed.run(server.settings.database_url, cap)
    with admin(server) as client:
        create(client, name="one")
        create(client, name="two")
        response = client.post("/api/config/queues", json={"name": "three"})
        refused(response, "name", "limit")
        assert "max_skill_queues" in response.json()["detail"]


def test_lists_page_when_asked(server):
    with admin(server) as client:
        for name in ("a", "b", "c"):
            create(client, name=name)
        page = client.get("/api/config/queues", params={"page": 2, "page_size": 2}).json()
        assert page["total"] == 3 and [q["name"] for q in page["items"]] == ["c"]


def test_tenant_b_can_neither_see_nor_touch_tenant_a_queues(server):
    with admin(server, "alpha") as a:
        queue = create(a, name="sales")
    with admin(server, "beta") as b:
        assert b.get("/api/config/queues").json() == {"items": [], "total": 0}
        url = f"/api/config/queues/{queue['id']}"
        assert b.get(url).status_code == 404
        assert b.put(url, json={"name": "stolen"}).status_code == 404
        assert b.delete(url).status_code == 404
        body = {"name": "mine", "overflow_action": "transfer_queue"}
        response = b.post(
            "/api/config/queues", json={**body, "overflow_target_queue_id": queue["id"]}
        )
        refused(response, "overflow_target_queue_id", "not_found")


def test_the_openapi_schema_publishes_the_rules_the_ui_shows(server):
    with server.client() as client:
        spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/config/queues"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    props = schema["properties"]
    assert props["name"]["maxLength"] == 20 and schema["required"] == ["name"]
    wait = props["max_wait_seconds"]
    assert (wait["minimum"], wait["maximum"], wait["default"]) == (1, 60000, 60)
    assert props["description"]["maxLength"] == 50
    assert "put" in spec["paths"]["/api/config/queues/{queue_id}"]


def test_agents_and_anonymous_callers_are_refused(server):
    with server.client() as anonymous:
        assert anonymous.get("/api/config/queues").status_code == 401
    ops_token = seed.ops_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {ops_token}"}) as ops:
        assert ops.get("/api/config/queues").status_code == 403
