"""The operations admin's platform API (/api/ops): tenants and licences, access codes,
outbound numbers, system parameters. Runs on SQLite and on PostgreSQL."""

import httpx
import pytest

from agentdesk.auth.service import create_api_token, create_user
from agentdesk.config_center.agents.models import Agent
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.queues.models import SkillQueue
from tests.support import seed

TENANT = {
    "code": "acme",
    "name": "Acme 公司",
    "licence_audio": 5,
    "licence_video": 2,
    "licence_multimedia": 3,
    "licence_allround": 1,
    "licence_intelligent": 2,
    "admin_username": "admin@acme",
    "admin_password": "admin-pass-1",
}


@pytest.fixture
def ops(server):
    token = seed.ops_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def created(response: httpx.Response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def errors_of(response: httpx.Response) -> dict[str, dict]:
    """422 errors by field, after checking the shape every client relies on."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_failed" and body["detail"]
    return {e["field"]: e for e in body["errors"]}


def add_agents(url: str, tenant_id: int, agent_type: str, count: int, intelligent: int = 0):
    async def make(session):
        start = 101 + await _agent_count(session)
        for i in range(count):
            session.add(
                Agent(
                    tenant_id=tenant_id,
                    work_no=start + i,
                    agent_type=agent_type,
                    intelligent=i < intelligent,
                )
            )

    seed.run(url, make)


async def _agent_count(session) -> int:
    from sqlalchemy import func, select

    return await session.scalar(select(func.count()).select_from(Agent))


def route_access_code(url: str, tenant_id: int, access_code_id: int) -> None:
    async def make(session):
        queue = SkillQueue(tenant_id=tenant_id, name="sales", type="voice")
        session.add(queue)
        await session.flush()
        session.add(
            CalledConfig(tenant_id=tenant_id, access_code_id=access_code_id, queue_id=queue.id)
        )

    seed.run(url, make)


def token_for(url: str, username: str, role: str, tenant_id: int | None) -> str:
    async def make(session):
        user = await create_user(
            session, username=username, password="pass-word-1", role=role, tenant_id=tenant_id
        )
        return await create_api_token(session, user, "test")

    return seed.run(url, make)


def login(server, username: str, password: str) -> httpx.Response:
    with server.client() as client:
        csrf = client.get("/api/auth/csrf").json()["csrf_token"]
        return client.post(
            "/api/auth/login",
            json={"username": username, "password": password},
            headers={"X-CSRF-Token": csrf},
        )


# ---- tenants -------------------------------------------------------------------------------


def test_ops_admin_opens_a_tenant_whose_admin_can_log_in(server, ops):
    tenant = created(ops.post("/api/ops/tenants", json=TENANT))
    assert tenant["code"] == "acme" and tenant["name"] == "Acme 公司"
    assert tenant["licence_audio"] == 5 and tenant["licence_intelligent"] == 2
    assert tenant["in_use"] == {
        "audio": 0,
        "video": 0,
        "multimedia": 0,
        "allround": 0,
        "intelligent": 0,
    }
    assert "admin_password" not in tenant

    response = login(server, "admin@acme", "admin-pass-1")
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["role"] == "tenant_admin" and me["tenant_id"] == tenant["id"]
    assert "config.manage" in me["permissions"]

    listed = ops.get("/api/ops/tenants").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == tenant["id"]
    assert ops.get(f"/api/ops/tenants/{tenant['id']}").json()["code"] == "acme"
    assert ops.get("/api/ops/tenants/999999").status_code == 404


def test_a_tenant_can_be_opened_without_an_admin_and_lists_page(ops):
    for code in ("c", "a", "b"):
        created(ops.post("/api/ops/tenants", json={"code": code, "name": code.upper()}))
    first = ops.get("/api/ops/tenants", params={"page": 1, "page_size": 2}).json()
    second = ops.get("/api/ops/tenants", params={"page": 2, "page_size": 2}).json()
    assert [t["code"] for t in first["items"]] == ["a", "b"] and first["total"] == 3
    assert [t["code"] for t in second["items"]] == ["c"]
    assert first["items"][0]["licence_audio"] == 0
    assert "page_size" in errors_of(ops.get("/api/ops/tenants", params={"page_size": 0}))


def test_tenant_input_is_checked_field_by_field(ops):
    bad_code = errors_of(ops.post("/api/ops/tenants", json={**TENANT, "code": "Bad Code"}))
    assert bad_code["code"]["rule"] == "string_pattern_mismatch"
    assert "lower-case" in bad_code["code"]["message"]

    negative = errors_of(ops.post("/api/ops/tenants", json={**TENANT, "licence_audio": -1}))
    assert negative["licence_audio"]["rule"] == "greater_than_equal"

    too_many = errors_of(ops.post("/api/ops/tenants", json={**TENANT, "licence_video": 10**6}))
    assert too_many["licence_video"]["rule"] == "less_than_equal"

    no_name = errors_of(ops.post("/api/ops/tenants", json={"code": "x"}))
    assert no_name["name"]["rule"] == "missing"

    no_password = {**TENANT, "admin_password": None}
    assert "admin_password" in errors_of(ops.post("/api/ops/tenants", json=no_password))

    created(ops.post("/api/ops/tenants", json=TENANT))
    again = errors_of(ops.post("/api/ops/tenants", json={**TENANT, "admin_username": "x@y"}))
    assert again["code"]["rule"] == "unique"

    taken = errors_of(ops.post("/api/ops/tenants", json={**TENANT, "code": "other"}))
    assert taken["admin_username"]["rule"] == "unique"
    assert ops.get("/api/ops/tenants").json()["total"] == 1


def test_licences_never_drop_below_the_agents_in_use(server, ops):
    url = server.settings.database_url
    tenant = created(ops.post("/api/ops/tenants", json=TENANT))
    add_agents(url, tenant["id"], "audio", 3, intelligent=2)
    add_agents(url, tenant["id"], "allround", 1)

    shown = ops.get(f"/api/ops/tenants/{tenant['id']}").json()
    assert shown["in_use"] == {
        "audio": 3,
        "video": 0,
        "multimedia": 0,
        "allround": 1,
        "intelligent": 2,
    }
    assert ops.get("/api/ops/tenants").json()["items"][0]["in_use"]["audio"] == 3

    item = f"/api/ops/tenants/{tenant['id']}"
    below = errors_of(ops.patch(item, json={"licence_audio": 2, "licence_intelligent": 1}))
    assert below["licence_audio"]["rule"] == "in_use"
    assert "3 audio agents" in below["licence_audio"]["message"]
    assert "2 agents with intelligent recognition" in below["licence_intelligent"]["message"]
    assert "licence_allround" in errors_of(ops.patch(item, json={"licence_allround": 0}))
    assert "licence_video" in errors_of(ops.patch(item, json={"licence_video": -1}))
    assert "name" in errors_of(ops.patch(item, json={"name": ""}))
    assert ops.get(item).json()["licence_audio"] == 5

    response = ops.patch(item, json={"licence_audio": 3, "name": "Acme Ltd", "licence_video": 0})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["licence_audio"] == 3 and changed["licence_video"] == 0
    assert changed["name"] == "Acme Ltd" and changed["code"] == "acme"
    assert changed["licence_multimedia"] == 3  # left out, so unchanged
    assert changed["in_use"]["audio"] == 3
    assert ops.patch("/api/ops/tenants/999999", json={"name": "x"}).status_code == 404


def test_a_tenant_with_agents_is_not_deleted_one_without_is(server, ops):
    url = server.settings.database_url
    busy = created(ops.post("/api/ops/tenants", json=TENANT))
    add_agents(url, busy["id"], "video", 1)
    refused = ops.delete(f"/api/ops/tenants/{busy['id']}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "tenant_in_use" and "1 agent" in refused.json()["detail"]

    idle = created(
        ops.post(
            "/api/ops/tenants",
            json={**TENANT, "code": "idle", "admin_username": "admin@idle"},
        )
    )
    code = created(ops.post("/api/ops/access-codes", json={"code": "555", "tenant_id": idle["id"]}))
    route_access_code(url, idle["id"], code["id"])
    assert ops.delete(f"/api/ops/tenants/{idle['id']}").status_code == 204
    assert ops.get(f"/api/ops/tenants/{idle['id']}").status_code == 404
    assert login(server, "admin@idle", "admin-pass-1").status_code == 401
    # The access code returns to the platform's pool.
    assert ops.get(f"/api/ops/access-codes/{code['id']}").json()["tenant_id"] is None
    assert ops.delete(f"/api/ops/tenants/{idle['id']}").status_code == 404


# ---- access codes --------------------------------------------------------------------------


def test_access_codes_are_assigned_reassigned_and_unassigned(ops):
    acme = created(ops.post("/api/ops/tenants", json=TENANT))
    beta = created(ops.post("/api/ops/tenants", json={"code": "beta", "name": "Beta"}))
    code = created(ops.post("/api/ops/access-codes", json={"code": "960358"}))
    assert code == {"id": code["id"], "code": "960358", "type": "voice_video", "tenant_id": None}
    chat = created(
        ops.post(
            "/api/ops/access-codes",
            json={"code": "960359", "type": "multimedia", "tenant_id": acme["id"]},
        )
    )
    assert chat["tenant_id"] == acme["id"]

    item = f"/api/ops/access-codes/{code['id']}"
    assigned = ops.patch(item, json={"tenant_id": acme["id"]})
    assert assigned.status_code == 200 and assigned.json()["tenant_id"] == acme["id"]
    mine = ops.get("/api/ops/access-codes", params={"tenant_id": acme["id"]}).json()
    assert [c["code"] for c in mine["items"]] == ["960358", "960359"] and mine["total"] == 2

    moved = ops.patch(item, json={"tenant_id": beta["id"], "type": "multimedia"}).json()
    assert moved["tenant_id"] == beta["id"] and moved["type"] == "multimedia"
    assert moved["code"] == "960358"

    unassigned = ops.patch(item, json={"tenant_id": None}).json()
    assert unassigned["tenant_id"] is None and unassigned["type"] == "multimedia"
    free = ops.get("/api/ops/access-codes", params={"assigned": "false"}).json()
    assert [c["code"] for c in free["items"]] == ["960358"]

    assert ops.delete(item).status_code == 204
    assert ops.get(item).status_code == 404
    assert ops.get("/api/ops/access-codes").json()["total"] == 1


def test_access_code_rules(ops):
    created(ops.post("/api/ops/access-codes", json={"code": "12345"}))
    other = created(ops.post("/api/ops/access-codes", json={"code": "12346"}))

    duplicate = errors_of(ops.post("/api/ops/access-codes", json={"code": "12345"}))
    assert duplicate["code"]["rule"] == "unique" and "12345" in duplicate["code"]["message"]
    renumbered = errors_of(
        ops.patch(f"/api/ops/access-codes/{other['id']}", json={"code": "12345"})
    )
    assert renumbered["code"]["rule"] == "unique"

    letters = errors_of(ops.post("/api/ops/access-codes", json={"code": "12a45"}))
    assert letters["code"]["rule"] == "string_pattern_mismatch"
    assert letters["code"]["message"] == "digits only"
    assert "code" in errors_of(ops.post("/api/ops/access-codes", json={"code": "12"}))
    assert "code" in errors_of(ops.post("/api/ops/access-codes", json={"code": "1" * 25}))
    wrong_type = errors_of(ops.post("/api/ops/access-codes", json={"code": "777", "type": "fax"}))
    assert wrong_type["type"]["rule"] == "literal_error"
    nobody = errors_of(ops.post("/api/ops/access-codes", json={"code": "777", "tenant_id": 4242}))
    assert nobody["tenant_id"]["rule"] == "exists"
    assert ops.patch("/api/ops/access-codes/999999", json={"type": "multimedia"}).status_code == 404
    assert ops.delete("/api/ops/access-codes/999999").status_code == 404


def test_an_access_code_in_use_keeps_its_tenant_and_type(server, ops):
    tenant = created(ops.post("/api/ops/tenants", json=TENANT))
    code = created(ops.post("/api/ops/access-codes", json={"code": "960358"}))
    item = f"/api/ops/access-codes/{code['id']}"
    ops.patch(item, json={"tenant_id": tenant["id"]}).raise_for_status()
    route_access_code(server.settings.database_url, tenant["id"], code["id"])

    for change in ({"tenant_id": None}, {"type": "multimedia"}):
        refused = ops.patch(item, json=change)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "access_code_in_use"
        assert "called configuration" in refused.json()["detail"]
    assert ops.delete(item).status_code == 409
    assert ops.patch(item, json={"code": "960300"}).json()["code"] == "960300"
    assert ops.get(item).json()["tenant_id"] == tenant["id"]


# ---- outbound numbers ----------------------------------------------------------------------


def test_outbound_numbers_are_assigned_and_unassigned(ops):
    tenant = created(ops.post("/api/ops/tenants", json=TENANT))
    number = created(
        ops.post(
            "/api/ops/outbound-numbers", json={"number": "4008009600", "tenant_id": tenant["id"]}
        )
    )
    assert number["number"] == "4008009600" and number["tenant_id"] == tenant["id"]
    created(ops.post("/api/ops/outbound-numbers", json={"number": "+8675512345678"}))

    item = f"/api/ops/outbound-numbers/{number['id']}"
    assert ops.patch(item, json={"tenant_id": None}).json()["tenant_id"] is None
    assert ops.patch(item, json={"tenant_id": tenant["id"]}).json()["tenant_id"] == tenant["id"]
    mine = ops.get("/api/ops/outbound-numbers", params={"tenant_id": tenant["id"]}).json()
    assert mine["total"] == 1 and mine["items"][0]["number"] == "4008009600"
    assert ops.get("/api/ops/outbound-numbers").json()["total"] == 2

    duplicate = errors_of(ops.post("/api/ops/outbound-numbers", json={"number": "4008009600"}))
    assert duplicate["number"]["rule"] == "unique"
    letters = errors_of(ops.post("/api/ops/outbound-numbers", json={"number": "400-800"}))
    assert letters["number"]["rule"] == "string_pattern_mismatch"
    nobody = errors_of(ops.patch(item, json={"tenant_id": 4242}))
    assert nobody["tenant_id"]["rule"] == "exists"

    assert ops.delete(item).status_code == 204
    assert ops.get(item).status_code == 404


# ---- system parameters -----------------------------------------------------------------------


def test_system_parameters_change_within_their_range(ops):
    listed = ops.get("/api/ops/system-parameters").json()
    by_key = {p["key"]: p for p in listed["items"]}
    assert listed["total"] == len(listed["items"]) >= 6
    assert by_key["max_skill_queues"] == {
        "key": "max_skill_queues",
        "value": 1000,
        "default": 1000,
        "minimum": 1,
        "maximum": 1000,
        "label_zh": "每个租户最大技能队列数",
        "label_en": "Max skill queues per tenant",
    }

    url = "/api/ops/system-parameters/max_skill_queues"
    too_big = errors_of(ops.put(url, json={"value": 5000}))
    assert too_big["value"]["rule"] == "range"
    assert "must be between 1 and 1000" in too_big["value"]["message"]
    assert "value" in errors_of(ops.put(url, json={"value": 0}))
    assert errors_of(ops.put(url, json={"value": "many"}))["value"]["rule"] == "int_parsing"
    assert errors_of(ops.put(url, json={}))["value"]["rule"] == "missing"

    changed = ops.put(url, json={"value": 300})
    assert changed.status_code == 200 and changed.json()["value"] == 300
    assert ops.get(url).json()["value"] == 300
    assert ops.put(url, json={"value": 301}).json()["value"] == 301
    assert ops.put("/api/ops/system-parameters/nope", json={"value": 1}).status_code == 404
    assert ops.get("/api/ops/system-parameters/nope").status_code == 404


# ---- who may call --------------------------------------------------------------------------

OPS_ROUTES = [
    ("GET", "/api/ops/tenants", None),
    ("POST", "/api/ops/tenants", {"code": "x", "name": "X"}),
    ("PATCH", "/api/ops/tenants/1", {"name": "X"}),
    ("DELETE", "/api/ops/tenants/1", None),
    ("GET", "/api/ops/access-codes", None),
    ("POST", "/api/ops/access-codes", {"code": "123"}),
    ("GET", "/api/ops/outbound-numbers", None),
    ("PATCH", "/api/ops/outbound-numbers/1", {"tenant_id": None}),
    ("GET", "/api/ops/system-parameters", None),
    ("PUT", "/api/ops/system-parameters/max_skill_queues", {"value": 5}),
]


def test_only_operations_admins_reach_the_platform_api(server):
    url = server.settings.database_url
    admin = seed.tenant_with_admin(url)
    agent_token = token_for(url, "agent1", "agent", admin["tenant_id"])
    for token in (admin["token"], agent_token):
        with server.client(headers={"Authorization": f"Bearer {token}"}) as client:
            for method, path, body in OPS_ROUTES:
                response = client.request(method, path, json=body)
                assert response.status_code == 403, (method, path, response.text)
                assert response.json()["code"] == "forbidden"
    with server.client() as anonymous:
        for method, path, body in OPS_ROUTES:
            assert anonymous.request(method, path, json=body).status_code == 401
    # Nothing changed behind the refusals.
    token = seed.ops_admin(url)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as ops:
        assert ops.get("/api/ops/tenants").json()["total"] == 1
        assert ops.get("/api/ops/access-codes").json()["total"] == 0
