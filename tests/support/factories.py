"""Small factories that build test data through the public API, as an admin would.

Each takes an `httpx.Client` (from `server.client()`, `agents.login`, …) authenticated as the
right admin, creates one thing, asserts it was created and returns the API's answer. They use
the API rather than services so they keep working while the services behind it change, and
they never reach for the demo seed (`cli.demo._seed` is private to `agentdesk demo`).

    ops = factories.ops_client(server)                   # operations admin
    acme = factories.tenant(server, ops, "acme")         # tenant + its admin, logged in
    queue = factories.queue(acme.admin, name="sales")
    agent = factories.agent(acme.admin, work_no=101, queue_ids=[queue["id"]], login="a101")
"""

from dataclasses import dataclass, field

import httpx

from tests.support import seed

PASSWORD = "factory-pass-1"


def created(response: httpx.Response, status: int = 201) -> dict:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


def bearer(server, token: str) -> httpx.Client:
    return server.client(headers={"Authorization": f"Bearer {token}"})


# ---------------------------------------------------------------- operations admin


def ops_client(server, username: str = "ops") -> httpx.Client:
    """The operations admin (the one user no API creates: `agentdesk` makes it at install)."""
    return bearer(server, seed.ops_admin(server.settings.database_url, username=username))


@dataclass
class TenantHandle:
    id: int
    code: str
    admin: httpx.Client
    admin_username: str
    made: dict = field(default_factory=dict)  # what the factories built in it, by kind

    def close(self) -> None:
        self.admin.close()


def tenant(server, ops: httpx.Client, code: str, **licences) -> TenantHandle:
    """A tenant with licences and its admin, through POST /api/ops/tenants, logged in by token."""
    body = {
        "code": code,
        "name": f"{code} tenant",
        "licence_audio": 5,
        "licence_video": 5,
        "licence_multimedia": 5,
        "licence_allround": 5,
        "licence_intelligent": 1,
        "admin_username": f"admin@{code}",
        "admin_password": PASSWORD,
        **licences,
    }
    made = created(ops.post("/api/ops/tenants", json=body))
    token = created(
        login_client(server, body["admin_username"]).post(
            "/api/auth/tokens", json={"name": "factory"}
        )
    )
    client = bearer(server, token["token"])
    return TenantHandle(made["id"], code, client, body["admin_username"], {"tenant": made})


def login_client(server, username: str, password: str = PASSWORD) -> httpx.Client:
    """A browser-like session (cookie + CSRF header) for `username`."""
    from tests.support.agents import login

    return login(server.url, username, password)


def access_code(ops: httpx.Client, tenant_id: int, code: str, type: str = "voice_video") -> dict:
    body = {"code": code, "type": type, "tenant_id": tenant_id}
    return created(ops.post("/api/ops/access-codes", json=body))


def outbound_number(ops: httpx.Client, tenant_id: int, number: str) -> dict:
    body = {"number": number, "tenant_id": tenant_id}
    return created(ops.post("/api/ops/outbound-numbers", json=body))


def whitelist(ops: httpx.Client, pattern: str, allow_private: bool = False) -> dict:
    body = {"pattern": pattern, "allow_private": allow_private}
    return created(ops.post("/api/ops/whitelist", json=body))


def interface(ops: httpx.Client, url: str, tenant_ids: list[int], name: str = "客户查询") -> dict:
    body = {
        "name": name,
        "url": url,
        "timeout_ms": 2000,
        "allow_private": True,
        "tenant_ids": tenant_ids,
    }
    return created(ops.post("/api/ops/interfaces", json=body))


# ---------------------------------------------------------------- tenant admin


def queue(admin: httpx.Client, name: str = "sales", **fields) -> dict:
    return created(admin.post("/api/config/queues", json={"name": name, **fields}))


def called_config(admin: httpx.Client, access_code_id: int, queue_id: int, extension="") -> dict:
    body = {"access_code_id": access_code_id, "queue_id": queue_id, "extension": extension}
    return created(admin.post("/api/config/called-configs", json=body))


def user(admin: httpx.Client, username: str, role: str = "agent", **fields) -> dict:
    body = {"username": username, "password": PASSWORD, "role": role, **fields}
    return created(admin.post("/api/config/users", json=body))


def role(admin: httpx.Client, name: str, permissions: list[str] | None = None) -> dict:
    body = {"name": name, "permissions": permissions or []}
    return created(admin.post("/api/config/roles", json=body))


def agent(
    admin: httpx.Client,
    work_no: int,
    queue_ids: list[int] = (),
    login: str | None = None,
    **fields,
) -> dict:
    """An agent with skills in `queue_ids`; with `login`, also its user (password PASSWORD)."""
    body = {"work_no": work_no, "skills": [{"queue_id": q} for q in queue_ids], **fields}
    if login is not None:
        body["user_id"] = user(admin, login)["id"]
    return created(admin.post("/api/config/agents", json=body))


def screen_pop(admin: httpx.Client, url: str, name: str = "客户信息", **fields) -> dict:
    body = {"name": name, "url": url, "integration": "get", "enabled": True, **fields}
    return created(admin.post("/api/config/screen-pops", json=body))


def pop_param(admin: httpx.Client, page_id: int, name: str, key: str = "callerNum") -> dict:
    body = {"name": name, "source": "call_data", "key": key}
    return created(admin.post(f"/api/config/screen-pops/{page_id}/params", json=body))


BASE_TABLE_FIELDS = [
    {"name": "手机号", "index": True, "type": "string", "length": 20},
    {"name": "姓名", "type": "string", "length": 20, "required": True},
    {
        "name": "证件号",
        "type": "string",
        "length": 18,
        "encrypted": True,
        "mask": True,
        "mask_style": "last4",
    },
]


def base_table(admin: httpx.Client, name: str, fields=None, publish: bool = True) -> dict:
    body = {"name": name, "fields": fields or BASE_TABLE_FIELDS}
    table = created(admin.post("/api/config/base-tables", json=body))
    if publish:
        path = f"/api/config/base-tables/{table['id']}/publish"
        table = created(admin.post(path), status=200)
    return table


def import_rows(admin: httpx.Client, table_id: int, csv_text: str, mode: str = "append") -> dict:
    """Import a CSV (text with a header line) and wait until the job is done."""
    import time

    path = f"/api/config/base-tables/{table_id}/imports"
    files = {"file": ("rows.csv", ("\ufeff" + csv_text).encode(), "text/csv")}
    job = created(admin.post(path, files=files, data={"mode": mode}), status=202)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = admin.get(f"{path}/{job['id']}").json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return job
        time.sleep(0.05)
    raise AssertionError(f"import did not finish: {job}")


def custom_page(admin: httpx.Client, name: str, **fields) -> dict:
    return created(admin.post("/api/config/custom-pages", json={"name": name, **fields}))


# ---------------------------------------------------------------- calls


def finished_call(server, tenant_code: str, called: str, caller: str = "13900000001") -> dict:
    """A call the customer places and hangs up: it leaves a contact record [接触记录]."""
    from tests.support.agents import customer

    with customer(server.url, server.settings.sim_token) as sim:
        body = {"tenant": tenant_code, "caller": caller, "called": called}
        call = created(sim.post("/api/sim/calls", json=body))
        ended = sim.post(f"/api/sim/calls/{call['callid']}/hangup")
        # With no agent on duty the call is released at once; either way it has ended.
        if ended.json().get("code") != "call_ended":
            created(ended, status=200)
    return call
