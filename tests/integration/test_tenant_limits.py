"""Every tenant limit is refused the same way (issue 14.3): HTTP 422, a field, rule `limit`, the
limit as a number and in the message, in the user's language. On SQLite and PostgreSQL."""

import re

import pytest

from tests.integration.test_custom_pages import base_table, objects
from tests.integration.test_interfaces import tenant_client
from tests.support import seed

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def ops(server):
    token = seed.ops_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def acme(server):
    with tenant_client(server, "acme") as client:
        yield client


def created(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def system_parameter(ops, key: str, value: int) -> None:
    created(ops.put(f"/api/ops/system-parameters/{key}", json={"value": value}))


def fill_pop_pages(acme, ops):
    system_parameter(ops, "max_pop_pages_per_tab", 2)
    for n in range(2):
        created(acme.post("/api/config/screen-pops", json={"name": f"p{n}", "url": "https://a.b/"}))
    return lambda: acme.post("/api/config/screen-pops", json={"name": "p2", "url": "https://a.b/"})


def fill_pop_params(acme, ops):
    system_parameter(ops, "max_pop_params_per_page", 1)
    page = created(acme.post("/api/config/screen-pops", json={"name": "p", "url": "https://a.b/"}))
    path = f"/api/config/screen-pops/{page['id']}/params"
    created(acme.post(path, json={"name": "a", "source": "call_data", "key": "callid"}))
    return lambda: acme.post(path, json={"name": "b", "source": "call_data", "key": "callerNum"})


def fill_base_tables(acme, ops):
    for n in range(5):
        created(acme.post("/api/config/base-tables", json={"name": f"t{n}", "fields": []}))
    return lambda: acme.post("/api/config/base-tables", json={"name": "t5", "fields": []})


def index_fields(acme, ops):
    fields = [{"name": n, "length": 5, "index": True} for n in ("a", "b")]
    return lambda: acme.post("/api/config/base-tables", json={"name": "t", "fields": fields})


def ordinary_fields(acme, ops):
    fields = [{"name": f"o{i}", "length": 5} for i in range(31)]
    return lambda: acme.post("/api/config/base-tables", json={"name": "t", "fields": fields})


def encrypted_fields(acme, ops):
    fields = [{"name": f"e{i}", "length": 5, "encrypted": True} for i in range(21)]
    return lambda: acme.post("/api/config/base-tables", json={"name": "t", "fields": fields})


def fill_custom_pages(acme, ops):
    for n in range(5):
        created(acme.post("/api/config/custom-pages", json={"name": f"c{n}"}))
    return lambda: acme.post("/api/config/custom-pages", json={"name": "c5"})


def page_objects(acme, ops):
    table = base_table(acme)
    body = {"name": "x", "interface_type": "internal", "objects": objects(table, 6)}
    return lambda: acme.post("/api/config/custom-pages", json=body)


def fill_queues(acme, ops):
    system_parameter(ops, "max_skill_queues", 1)
    created(acme.post("/api/config/queues", json={"name": "q0"}))
    return lambda: acme.post("/api/config/queues", json={"name": "q1"})


def fill_licence(acme, ops):
    created(ops.patch(f"/api/ops/tenants/{acme.tenant_id}", json={"licence_audio": 1}))
    created(acme.post("/api/config/agents", json={"work_no": 101}))
    return lambda: acme.post("/api/config/agents", json={"work_no": 102})


LIMITS = [
    (fill_pop_pages, "tab", 2),
    (fill_pop_params, "name", 1),
    (fill_base_tables, "name", 5),
    (index_fields, "fields.1.index", 1),
    (ordinary_fields, "fields", 30),
    (encrypted_fields, "fields", 20),
    (fill_custom_pages, "name", 5),
    (page_objects, "objects", 5),
    (fill_queues, "name", 1),
    (fill_licence, "agent_type", 1),
]


@pytest.mark.parametrize(("fill", "field", "limit"), LIMITS, ids=[c[0].__name__ for c in LIMITS])
def test_every_tenant_limit_is_refused_the_same_way(acme, ops, fill, field, limit):
    attempt = fill(acme, ops)
    acme.cookies.set("lang", "en")
    english = attempt()
    assert english.status_code == 422, english.text
    body = english.json()
    assert body["code"] == "validation_failed"
    [error] = [e for e in body["errors"] if e["field"] == field]
    assert error["rule"] == "limit" and error["limit"] == limit, error
    assert str(limit) in error["message"] and not CHINESE.search(error["message"])
    assert error["message"] in body["detail"]

    acme.cookies.set("lang", "zh")
    chinese = attempt()
    assert chinese.status_code == 422
    [zh] = [e for e in chinese.json()["errors"] if e["field"] == field]
    assert (zh["rule"], zh["limit"]) == ("limit", limit)
    assert CHINESE.search(zh["message"]) and str(limit) in zh["message"], zh
    assert zh["message"] in chinese.json()["detail"]


def test_without_a_language_cookie_the_browser_language_decides(acme, ops):
    attempt = fill_queues(acme, ops)
    acme.cookies.clear()
    zh = attempt_with(attempt, acme, "zh-CN,zh;q=0.9")
    en = attempt_with(attempt, acme, "en-US,en;q=0.8")
    assert CHINESE.search(zh["message"]) and not CHINESE.search(en["message"])


def attempt_with(attempt, client, accept_language: str) -> dict:
    client.headers["Accept-Language"] = accept_language
    try:
        response = attempt()
    finally:
        del client.headers["Accept-Language"]
    assert response.status_code == 422, response.text
    return response.json()["errors"][0]


def test_a_client_that_names_no_language_gets_english(acme, ops):
    attempt = fill_queues(acme, ops)
    acme.cookies.clear()
    message = attempt().json()["errors"][0]["message"]
    assert "at most 1 skill queues" in message and not CHINESE.search(message)
