"""Tenant isolation across EVERY route of the OpenAPI document (issue 9.7), on SQLite and
PostgreSQL.

Tenant A ("alpha") gets one of everything through the API; tenant B ("bravo") gets an admin and
an agent and nothing else. Then every operation of `/openapi.json` is called as B's admin and as
B's agent, with A's ids in the path parameters (and, for creations that refer to other objects,
A's objects in the body):
- an operation on one of A's objects is refused (401/403/404/405, or 422 for a body that does
  not validate — nothing runs then);
- a creation that refers to A's objects is refused;
- no answer contains anything of A (every name of A carries a marker, and A's numbers are
  unique to it) and no answer is a 500;
- afterwards A's rows in the database are exactly as they were.
A route added later is walked automatically; one whose path parameter names a collection this
file does not know fails the test until A gets one of those (see `ids_of_alpha`).
"""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from agentdesk.models import metadata
from tests.support import factories, seed
from tests.support.pops import PageServer

MARK = "alphamark"
A_ACCESS_CODE, A_OUTBOUND, A_CALLER = "955501", "88885501", "13977775501"
A_ID_NUMBER = "110101199001015501"
A_LEAKS = (MARK, A_ACCESS_CODE, A_OUTBOUND, A_CALLER, A_ID_NUMBER, "admin@alpha")

# Not about one tenant's data: called by anybody, or about the caller's own session.
NOT_TENANT_SCOPED = {
    "/healthz": "liveness, no data",
    "/readyz": "readiness, no data",
    "/metrics": "process metrics, its own token",
    "/api/auth/login": "logging in",
    "/api/auth/logout": "ends the caller's own sessions (walked last)",
    "/api/auth/csrf": "a CSRF token for the caller",
    "/api/auth/me": "the caller",
    "/api/auth/password": "the caller's own password",
    "/api/auth/tokens": "the caller's own API tokens",
    "/api/config/permissions": "the list of permission names",
}
# Bodies for actions on one object, so they validate and reach the tenant check.
ACTION_BODIES = {
    "/api/config/users/{user_id}/password": {"password": "bravo-pass-7"},
    "/api/config/screen-pops/{page_id}/move": {"direction": "down"},
    "/api/config/screen-pops/{page_id}/enabled": {"enabled": False},
    "/api/config/screen-pops/{page_id}/params": {"name": "bravo", "key": "callerNum"},
    "/api/config/screen-pops/{page_id}/params/{param_id}": {"name": "bravo", "key": "callid"},
    "/api/config/screen-pops/{page_id}/preview": {},
    "/api/config/custom-pages/{page_id}/preview": {"caller": A_CALLER},
    "/api/sim/calls/{callid}/dtmf": {"digits": "1"},
    "/api/workbench/dial": {"number": A_CALLER},
    "/api/workbench/ready-state": {"state": "idle"},
}
# The operations console: no tenant user may use any of it.
OPS_PREFIX = "/api/ops/"
REFUSED = {401, 403, 404, 405}
SESSION_ENDING = {("post", "/api/auth/logout")}


@dataclass
class Alpha:
    tenant: factories.TenantHandle
    ids: dict  # collection name in a path -> one of A's ids
    bodies: dict  # (method, path) -> a creation body that refers to A's objects
    queries: dict  # query parameter -> a value of A's


def fill_alpha(server, ops, pages) -> Alpha:
    a = factories.tenant(server, ops, "alpha")
    admin = a.admin
    code = factories.access_code(ops, a.id, A_ACCESS_CODE)
    number = factories.outbound_number(ops, a.id, A_OUTBOUND)
    entry = factories.whitelist(ops, pages.url, allow_private=True)
    interface = factories.interface(ops, f"{pages.url}/q", [a.id], name=f"{MARK}-interface")
    queue = factories.queue(admin, f"{MARK}-q")
    called = factories.called_config(admin, code["id"], queue["id"])
    agent = factories.agent(admin, 7001, [queue["id"]], login=f"{MARK}-agent")
    role = factories.role(admin, f"{MARK}-role", [])
    pop = factories.screen_pop(admin, f"{pages.url}/page?{MARK}=1", name=f"{MARK}-pop")
    param = factories.pop_param(admin, pop["id"], f"{MARK}param")
    table = factories.base_table(admin, f"{MARK}-table")
    job = factories.import_rows(
        admin, table["id"], f"手机号,姓名,证件号\r\n{A_CALLER},{MARK}-name,{A_ID_NUMBER}\r\n"
    )
    page = factories.custom_page(admin, f"{MARK}-page")
    flow = admin.post(
        "/api/config/ivr-flows",
        json={
            "name": f"{MARK}-flow",
            "definition": {"start": "bye", "steps": [{"id": "bye", "type": "release"}]},
        },
    ).json()
    assert admin.post(f"/api/config/ivr-flows/{flow['id']}/publish").status_code == 200
    method = admin.post(
        "/api/config/verification-methods",
        json={"name": f"{MARK}-method", "code": "ALPHAVERIFY", "flow_id": flow["id"]},
    ).json()
    call = factories.finished_call(server, "alpha", A_ACCESS_CODE, caller=A_CALLER)
    token = admin.get("/api/auth/tokens").json()["items"][0]
    assert admin.get("/api/config/contact-records").json()["total"] == 1
    ids = {
        "tenants": a.id,
        "access-codes": code["id"],
        "outbound-numbers": number["id"],
        "whitelist": entry["id"],
        "interfaces": interface["id"],
        "system-parameters": "event_retention_hours",
        "queues": queue["id"],
        "called-configs": called["id"],
        "agents": agent["id"],
        "users": agent["user_id"],
        "roles": role["id"],
        "screen-pops": pop["id"],
        "params": param["id"],
        "base-tables": table["id"],
        "imports": job["id"],
        "custom-pages": page["id"],
        "ivr-flows": flow["id"],
        "verification-methods": method["id"],
        "calls": call["callid"],
        "tokens": token["id"],
    }
    bodies = {
        ("post", "/api/config/verification-methods"): {
            "name": "bravo-method",
            "code": "BRAVOVERIFY",
            "flow_id": flow["id"],
        },
        ("post", "/api/config/called-configs"): {
            "access_code_id": code["id"],
            "queue_id": queue["id"],
            "extension": "9",
        },
        ("post", "/api/config/agents"): {"work_no": 8001, "skills": [{"queue_id": queue["id"]}]},
        ("post", "/api/config/users"): {
            "username": "bravo-custom",
            "password": factories.PASSWORD,
            "role": "custom",
            "custom_role_id": role["id"],
        },
        ("post", "/api/config/screen-pops"): {
            "name": "bravo-internal",
            "page_type": "internal",
            "custom_page_id": page["id"],
        },
        ("post", "/api/config/agents/batch"): {
            "work_nos": [7001],
            "skills": [{"queue_id": queue["id"]}],
        },
        ("post", "/api/sim/calls"): {
            "tenant": "alpha",
            "caller": "13900009999",
            "called": A_ACCESS_CODE,
        },
    }
    # Query parameters that search for A's things (list routes must find none of them).
    queries = {"callid": call["callid"], "number": A_CALLER, "work_no": 7001}
    return Alpha(a, ids, bodies, queries)


def fill_bravo(server, ops):
    b = factories.tenant(server, ops, "bravo")
    factories.agent(b.admin, 9001, login="bravo-agent")
    agent = factories.login_client(server, "bravo-agent")
    return b, agent


# ---------------------------------------------------------------- the database, before and after


def snapshot(url: str) -> dict:
    async def read(session):
        tables = {}
        for table in metadata.sorted_tables:
            rows = (await session.execute(select(table))).mappings().all()
            tables[table.name] = {_key(table, row): dict(row) for row in rows}
        return tables

    return seed.run(url, read)


def _key(table, row) -> tuple:
    return tuple(row[c.name] for c in table.primary_key.columns)


def changes_to_others(before: dict, after: dict, bravo_id: int, bravo_users: set) -> list:
    """Rows that existed before and changed or vanished, other than B's own."""
    changed = []
    for name, rows in before.items():
        for key, row in rows.items():
            if _belongs_to_bravo(name, row, bravo_id, bravo_users):
                continue
            if after[name].get(key) != row:
                changed.append((name, key, row, after[name].get(key)))
    return changed


def _belongs_to_bravo(table: str, row: dict, bravo_id: int, bravo_users: set) -> bool:
    if row.get("tenant_id") == bravo_id or row.get("user_id") in bravo_users:
        return True
    return (table == "tenants" and row["id"] == bravo_id) or (
        table == "users" and row["id"] in bravo_users
    )


# ---------------------------------------------------------------- walking the routes

PARAM = re.compile(r"\{([^}]+)\}")


def concrete_path(template: str, ids: dict) -> str:
    """Each `{param}` gets A's id of the collection named just before it in the path."""
    parts = template.strip("/").split("/")
    out = []
    for index, part in enumerate(parts):
        if PARAM.fullmatch(part):
            collection = parts[index - 1]
            if collection not in ids:
                pytest.fail(
                    f"{template}: tenant A has no {collection!r}; add one to fill_alpha "
                    "so this route is checked for tenant isolation"
                )
            part = str(ids[collection])
        out.append(part)
    return "/" + "/".join(out)


def operations(spec: dict) -> list[tuple[str, str, dict]]:
    found = [
        (method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    # What ends the caller's sessions comes last, so it cannot make the rest pass as 401s.
    return sorted(found, key=lambda item: (item[0], item[1]) in SESSION_ENDING)


def body_for(client_of_alpha, method: str, template: str, path: str, op: dict, alpha: Alpha):
    """A body that would validate: A's own answer for the object in the path (extra fields
    are ignored), the A-referring creation body, or nothing."""
    content = (op.get("requestBody") or {}).get("content", {})
    if "multipart/form-data" in content:
        csv = f"手机号,姓名,证件号\r\n13900000002,{MARK}-b,\r\n".encode()
        return {"files": {"file": ("b.csv", csv, "text/csv")}, "data": {"mode": "append"}}
    if not content:
        return {}
    if (method, template) in alpha.bodies:
        return {"json": alpha.bodies[(method, template)]}
    if template in ACTION_BODIES:
        return {"json": ACTION_BODIES[template]}
    item = path
    while PARAM.search(template):
        answer = client_of_alpha.get(item)
        if answer.status_code == 200 and isinstance(answer.json(), dict):
            return {"json": answer.json()}
        if "/" not in item.strip("/"):
            break
        item = item.rsplit("/", 1)[0]
        template = template.rsplit("/", 1)[0]
    return {"json": {}}


def query_for(op: dict, alpha: Alpha) -> dict:
    """A's values for the query parameters that search (callid, number, …); "1" for any
    other required one."""
    query = {}
    for param in op.get("parameters", []):
        if param["in"] != "query":
            continue
        if param["name"] in alpha.queries:
            query[param["name"]] = alpha.queries[param["name"]]
        elif param.get("required"):
            query[param["name"]] = "1"
    return query


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [marker for marker in A_LEAKS if marker.lower() in lowered]


@pytest.fixture
def world(server):
    with PageServer() as pages:
        ops = factories.ops_client(server)
        alpha = fill_alpha(server, ops, pages)
        bravo, bravo_agent = fill_bravo(server, ops)
        yield server, ops, alpha, bravo, bravo_agent
        for client in (ops, alpha.tenant.admin, bravo.admin, bravo_agent):
            client.close()


def test_nothing_of_tenant_a_is_readable_or_writable_by_tenant_b(world):
    server, ops, alpha, bravo, bravo_agent = world
    url = server.settings.database_url
    spec = alpha.tenant.admin.get("/openapi.json").json()
    walked = operations(spec)
    assert len(walked) > 80, "the OpenAPI document lost its routes"
    assert set(NOT_TENANT_SCOPED) <= set(spec["paths"]), "NOT_TENANT_SCOPED names a lost route"
    bravo_users = {u["id"] for u in bravo.admin.get("/api/config/users").json()["items"]} | {
        bravo.admin.get("/api/auth/me").json()["user_id"]
    }
    before = snapshot(url)

    failures = []
    for actor_name, actor in (("B agent", bravo_agent), ("B admin", bravo.admin)):
        for method, template, op in walked:
            path = concrete_path(template, alpha.ids)
            request = body_for(alpha.tenant.admin, method, template, path, op, alpha)
            query = query_for(op, alpha)
            response = actor.request(method.upper(), path, params=query, **request)
            where = f"{actor_name} {method.upper()} {template} -> {response.status_code}"
            status = response.status_code
            if status >= 500:
                failures.append(f"{where}: server error {response.text[:200]}")
            found = leaks(response.text)
            if found:
                failures.append(f"{where}: answer shows tenant A's {found}")
            targets_alpha = PARAM.search(template) or (method, template) in alpha.bodies
            refused = status in REFUSED or (status == 422 and method != "get")
            if targets_alpha and not refused:
                failures.append(f"{where}: tenant A's object was not refused")
            if template.startswith(OPS_PREFIX) and status not in (401, 403):
                failures.append(f"{where}: the operations console answered a tenant user")

    changed = changes_to_others(before, snapshot(url), bravo.id, bravo_users)
    failures += [f"row changed: {t} {k}: {old} -> {new}" for t, k, old, new in changed]
    assert failures == [], "\n".join(failures)
    # A still sees all of its own things: the walk itself proved nothing by breaking A.
    assert alpha.tenant.admin.get("/api/config/contact-records").json()["total"] == 1
    assert alpha.tenant.admin.get("/api/config/queues").json()["items"][0]["name"] == f"{MARK}-q"
