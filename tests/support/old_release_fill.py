"""Fill a database THROUGH THE API OF AN OLD RELEASE (run with that release's code on the path).

Used by tests/integration/test_upgrade_keeps_data.py: the test unpacks the last commit whose
migration head was 0001 into a temp dir and runs this file there, with that tree's `src` and
root first on PYTHONPATH, so every import below is the old code. It migrates the database with
the old migrations, creates one of everything through the old app (in-process over ASGI, with
its lifespan), and writes what the old API answered to a JSON file:

    python old_release_fill.py DATABASE_URL SECRET_KEY DATA_DIR PAGES_URL OUT.json

Only standard names of that release are used (Settings, create_app, migrate.upgrade, the
routes); nothing from today's tests.
"""

import asyncio
import json
import sys
from pathlib import Path

import httpx

from agentdesk.app import create_app
from agentdesk.config import Settings
from agentdesk.migrations.migrate import upgrade
from tests.support import seed  # the old tree's own test seed (an ops admin's API token)

PASSWORD = "upgrade-pass-1"
ADMIN_GETS = [
    "/api/config/queues",
    "/api/config/called-configs",
    "/api/config/access-codes",
    "/api/config/agents",
    "/api/config/users",
    "/api/config/roles",
    "/api/config/screen-pops",
    "/api/config/custom-pages",
    "/api/config/base-tables",
    "/api/config/interfaces",
    "/api/config/contact-records",
]
OPS_GETS = [
    "/api/ops/tenants",
    "/api/ops/access-codes",
    "/api/ops/outbound-numbers",
    "/api/ops/whitelist",
    "/api/ops/interfaces",
]


def ok(response: httpx.Response, status: int = 201) -> dict:
    if response.status_code != status:
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json() if response.content else {}


async def fill(client_for, pages_url: str, ops_token: str) -> dict:
    ops = client_for(ops_token)
    tenant = ok(
        await ops.post(
            "/api/ops/tenants",
            json={
                "code": "upgr",
                "name": "升级 Upgrade",
                "licence_audio": 5,
                "licence_video": 5,
                "licence_multimedia": 5,
                "licence_allround": 5,
                "licence_intelligent": 1,
                "admin_username": "admin@upgr",
                "admin_password": PASSWORD,
            },
        )
    )
    admin_token = await token_of(client_for, "admin@upgr")
    admin = client_for(admin_token)
    code = ok(
        await ops.post("/api/ops/access-codes", json={"code": "977701", "tenant_id": tenant["id"]})
    )
    ok(
        await ops.post(
            "/api/ops/outbound-numbers", json={"number": "88887701", "tenant_id": tenant["id"]}
        )
    )
    ok(await ops.post("/api/ops/whitelist", json={"pattern": pages_url, "allow_private": True}))
    interface = {
        "name": "客户接口",
        "url": f"{pages_url}/q",
        "timeout_ms": 2000,
        "allow_private": True,
        "tenant_ids": [tenant["id"]],
        "auth_header_name": "X-Api-Key",
        "auth_header_value": "interface-secret-1",
    }
    ok(await ops.post("/api/ops/interfaces", json=interface))

    voice = ok(await admin.post("/api/config/queues", json={"name": "售后voice", "acw_seconds": 7}))
    video = ok(await admin.post("/api/config/queues", json={"name": "video", "type": "video"}))
    called = {"access_code_id": code["id"], "queue_id": voice["id"], "extension": ""}
    ok(await admin.post("/api/config/called-configs", json=called))
    called = {"access_code_id": code["id"], "queue_id": video["id"], "extension": "1"}
    ok(await admin.post("/api/config/called-configs", json=called))
    role = ok(await admin.post("/api/config/roles", json={"name": "质检", "permissions": []}))
    user = {"username": "agent7701", "password": PASSWORD, "role": "agent", "display_name": "张三"}
    user = ok(await admin.post("/api/config/users", json=user))
    custom = {
        "username": "qa7701",
        "password": PASSWORD,
        "role": "custom",
        "custom_role_id": role["id"],
    }
    ok(await admin.post("/api/config/users", json=custom))
    agent = {"work_no": 7701, "user_id": user["id"], "skills": [{"queue_id": voice["id"]}]}
    ok(await admin.post("/api/config/agents", json=agent))

    pop = {"name": "客户信息", "url": f"{pages_url}/page", "integration": "post", "enabled": True}
    pop = ok(await admin.post("/api/config/screen-pops", json=pop))
    param = {"name": "phone", "source": "call_data", "key": "callerNum"}
    ok(await admin.post(f"/api/config/screen-pops/{pop['id']}/params", json=param))

    fields = [
        {"name": "手机号", "index": True, "encrypted": True, "type": "string", "length": 20},
        {"name": "姓名", "type": "string", "length": 20, "required": True},
        {
            "name": "证件号",
            "type": "string",
            "length": 18,
            "encrypted": True,
            "mask": True,
            "mask_style": "last4",
        },
        {"name": "级别", "type": "dictionary", "items": [{"key": "1", "value": "金卡"}]},
    ]
    table = ok(
        await admin.post("/api/config/base-tables", json={"name": "客户表", "fields": fields})
    )
    ok(await admin.post(f"/api/config/base-tables/{table['id']}/publish"), 200)
    csv = "\ufeff手机号,姓名,证件号,级别\r\n13977770001,李四,110101199001017701,1\r\n13977770002,王五,,\r\n"
    files = {"file": ("客户.csv", csv.encode(), "text/csv")}
    path = f"/api/config/base-tables/{table['id']}/imports"
    job = ok(await admin.post(path, files=files, data={"mode": "append"}), 202)
    for _ in range(600):
        job = ok(await admin.get(f"{path}/{job['id']}"), 200)
        if job["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.05)
    assert job["status"] == "done", job
    ok(await admin.post("/api/config/custom-pages", json={"name": "内部页面"}))

    sim = client_for(None)
    for caller, called_number in (("13977770001", "977701"), ("13977770002", "9777011")):
        body = {"tenant": "upgr", "caller": caller, "called": called_number, "data": {"k": "v"}}
        ok(await sim.post("/api/sim/calls", json=body))

    answers = {"admin": {}, "ops": {}}
    for route in ADMIN_GETS:
        answers["admin"][route] = ok(await admin.get(route), 200)
    answers["admin"][f"/api/config/screen-pops/{pop['id']}/params"] = ok(
        await admin.get(f"/api/config/screen-pops/{pop['id']}/params"), 200
    )
    answers["admin"][f"/api/config/base-tables/{table['id']}/rows"] = ok(
        await admin.get(f"/api/config/base-tables/{table['id']}/rows"), 200
    )
    for route in OPS_GETS:
        answers["ops"][route] = ok(await ops.get(route), 200)
    return {"answers": answers, "password": PASSWORD, "table_id": table["id"]}


async def token_of(client_for, username: str) -> str:
    client = client_for("")
    csrf = ok(await client.get("/api/auth/csrf"), 200)["csrf_token"]
    logged = await client.post(
        "/api/auth/login",
        json={"username": username, "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    csrf = ok(logged, 200).get("csrf_token", csrf)
    made = await client.post(
        "/api/auth/tokens", json={"name": "upgrade"}, headers={"X-CSRF-Token": csrf}
    )
    return ok(made)["token"]


def main(url: str, secret: str, data_dir: str, pages_url: str, out: str) -> None:
    upgrade(url)
    ops_token = seed.ops_admin(url)  # the old seed runs its own event loop
    asyncio.run(through_the_app(url, secret, data_dir, pages_url, out, ops_token))


async def through_the_app(url, secret, data_dir, pages_url, out, ops_token) -> None:
    settings = Settings(
        database_url=url,
        secret_key=secret,
        sim_token="upgrade-sim-token",
        data_dir=Path(data_dir),
        timer_poll_seconds=0.05,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    def client_for(token: str | None) -> httpx.AsyncClient:
        """`token`: a user's API token; "": no credentials (to log in); None: the simulator."""
        bearer = settings.sim_token if token is None else token
        return httpx.AsyncClient(
            transport=transport,
            base_url="http://127.0.0.1:8000",
            headers={"Authorization": f"Bearer {bearer}"} if bearer else {},
            timeout=30,
        )

    async with app.router.lifespan_context(app):
        result = await fill(client_for, pages_url, ops_token)
    Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:6])
