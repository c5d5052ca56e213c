"""Access codes, called configuration [被叫配置], business accounts [业务账号] and roles
through /api/config, on SQLite and PostgreSQL."""

from agentdesk.tenancy.models import AccessCode
from tests.support import seed
from tests.support.agents import login


def admin(server, code: str = "acme"):
    info = seed.tenant_with_admin(server.settings.database_url, code)
    client = server.client(headers={"Authorization": f"Bearer {info['token']}"})
    client.tenant_id = info["tenant_id"]
    return client


def add_codes(server, tenant_id: int | None, *codes: tuple[str, str]) -> None:
    async def add(session):
        session.add_all(AccessCode(code=c, type=t, tenant_id=tenant_id) for c, t in codes)

    seed.run(server.settings.database_url, add)


def post(client, path: str, **body) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def refused(response, field: str, rule: str) -> None:
    assert response.status_code == 422, response.text
    pairs = [(e["field"], e["rule"]) for e in response.json()["errors"]]
    assert (field, rule) in pairs, pairs


def codes_by_number(client) -> dict:
    return {c["code"]: c for c in client.get("/api/config/access-codes").json()["items"]}


# ---------------------------------------------------------------- access codes and called


def test_the_tenant_sees_only_its_own_access_codes(server):
    with admin(server) as client:
        add_codes(server, client.tenant_id, ("960358", "voice_video"), ("960359", "multimedia"))
        add_codes(server, None, ("111222", "voice_video"))
        listing = client.get("/api/config/access-codes").json()
        assert listing["total"] == 2
        assert {(c["code"], c["type"]) for c in listing["items"]} == {
            ("960358", "voice_video"),
            ("960359", "multimedia"),
        }
        assert client.post("/api/config/access-codes", json={"code": "1"}).status_code == 405


def test_called_configuration_points_code_and_extension_at_a_queue(server):
    with admin(server) as client:
        add_codes(server, client.tenant_id, ("960358", "voice_video"))
        code = codes_by_number(client)["960358"]
        voice = post(client, "/api/config/queues", name="voice")
        video = post(client, "/api/config/queues", name="video", type="video")
        plain = post(
            client, "/api/config/called-configs", access_code_id=code["id"], queue_id=voice["id"]
        )
        assert plain["dialled"] == "960358" and plain["extension"] == ""
        assert plain["device_type"] == "skill_queue"
        ext = post(
            client,
            "/api/config/called-configs",
            access_code_id=code["id"],
            extension="1",
            queue_id=video["id"],
        )
        assert ext["dialled"] == "9603581"
        listing = client.get("/api/config/called-configs").json()
        assert [c["dialled"] for c in listing["items"]] == ["960358", "9603581"]
        moved = client.put(
            f"/api/config/called-configs/{ext['id']}",
            json={"access_code_id": code["id"], "extension": "2", "queue_id": video["id"]},
        )
        assert moved.status_code == 200 and moved.json()["dialled"] == "9603582"
        assert client.delete(f"/api/config/called-configs/{ext['id']}").status_code == 204
        assert client.get("/api/config/called-configs").json()["total"] == 1


def test_duplicate_access_code_and_extension_is_refused(server):
    with admin(server) as client:
        add_codes(server, client.tenant_id, ("960358", "voice_video"), ("96035", "voice_video"))
        codes = codes_by_number(client)
        queue = post(client, "/api/config/queues", name="voice")
        body = {"access_code_id": codes["960358"]["id"], "extension": "1", "queue_id": queue["id"]}
        post(client, "/api/config/called-configs", **body)
        refused(client.post("/api/config/called-configs", json=body), "extension", "unique")
        # 96035 + 81 and 960358 + 1 would both be 9603581: one number, one queue.
        overlap = {**body, "access_code_id": codes["96035"]["id"], "extension": "81"}
        refused(client.post("/api/config/called-configs", json=overlap), "extension", "unique")
        assert client.get("/api/config/called-configs").json()["total"] == 1


def test_called_configuration_rules(server):
    with admin(server) as client:
        add_codes(server, client.tenant_id, ("960358", "voice_video"), ("960359", "multimedia"))
        codes = codes_by_number(client)
        voice = post(client, "/api/config/queues", name="voice")
        chat = post(client, "/api/config/queues", name="chat", type="multimedia", subtype="web")
        path = "/api/config/called-configs"
        voice_code, chat_code = codes["960358"]["id"], codes["960359"]["id"]
        refused(
            client.post(path, json={"access_code_id": voice_code, "queue_id": chat["id"]}),
            "queue_id",
            "media_type",
        )
        refused(
            client.post(path, json={"access_code_id": chat_code, "queue_id": voice["id"]}),
            "queue_id",
            "media_type",
        )
        post(client, path, access_code_id=chat_code, queue_id=chat["id"])
        bad_ext = {"access_code_id": voice_code, "extension": "1a", "queue_id": voice["id"]}
        refused(client.post(path, json=bad_ext), "extension", "digits")
        long_ext = {**bad_ext, "extension": "123456789"}
        refused(client.post(path, json=long_ext), "extension", "string_too_long")
        refused(
            client.post(path, json={"access_code_id": voice_code, "queue_id": 99999}),
            "queue_id",
            "not_found",
        )
        refused(client.post(path, json={"queue_id": voice["id"]}), "access_code_id", "missing")


def test_tenant_b_cannot_use_or_see_tenant_a_numbers(server):
    with admin(server, "alpha") as a:
        add_codes(server, a.tenant_id, ("960358", "voice_video"))
        code = codes_by_number(a)["960358"]
        queue = post(a, "/api/config/queues", name="voice")
        config = post(
            a, "/api/config/called-configs", access_code_id=code["id"], queue_id=queue["id"]
        )
    with admin(server, "beta") as b:
        assert b.get("/api/config/access-codes").json()["total"] == 0
        assert b.get("/api/config/called-configs").json()["total"] == 0
        own = post(b, "/api/config/queues", name="voice")
        body = {"access_code_id": code["id"], "queue_id": own["id"]}
        refused(b.post("/api/config/called-configs", json=body), "access_code_id", "not_found")
        url = f"/api/config/called-configs/{config['id']}"
        assert b.get(url).status_code == 404
        assert b.put(url, json=body).status_code == 404
        assert b.delete(url).status_code == 404


# ---------------------------------------------------------------- business accounts


def test_a_business_account_is_created_and_can_log_in(server):
    with admin(server) as client:
        user = post(
            client,
            "/api/config/users",
            username="alice",
            password="alice-pass-1",
            display_name="Alice",
        )
        assert user["role"] == "agent" and user["active"] is True and "password" not in user
        assert "password_hash" not in user
        usernames = [u["username"] for u in client.get("/api/config/users").json()["items"]]
        assert usernames == ["admin@acme", "alice"]
    session = login(server.url, "alice", "alice-pass-1")
    me = session.get("/api/auth/me").json()
    assert me["role"] == "agent" and me["permissions"] == ["workbench.use"]
    assert session.get("/api/config/users").status_code == 403
    assert session.get("/api/config/queues").status_code == 403
    session.close()


def test_business_account_rules(server):
    with admin(server) as client:
        path = "/api/config/users"
        post(client, path, username="alice", password="alice-pass-1")
        refused(
            client.post(path, json={"username": "alice", "password": "x" * 8}), "username", "unique"
        )
        refused(
            client.post(path, json={"username": "bob", "password": "short"}),
            "password",
            "string_too_short",
        )
        refused(
            client.post(path, json={"username": "bob smith", "password": "x" * 8}),
            "username",
            "username",
        )
        refused(
            client.post(path, json={"username": "bob", "password": "x" * 8, "role": "ops_admin"}),
            "role",
            "literal_error",
        )
        refused(
            client.post(path, json={"username": "bob", "password": "x" * 8, "role": "custom"}),
            "custom_role_id",
            "required",
        )
        refused(
            client.post(
                path, json={"username": "bob", "password": "x" * 8, "custom_role_id": 99999}
            ),
            "custom_role_id",
            "not_found",
        )


def test_resetting_a_password_ends_the_old_sessions(server):
    with admin(server) as client:
        user = post(client, "/api/config/users", username="alice", password="alice-pass-1")
        old = login(server.url, "alice", "alice-pass-1")
        assert old.get("/api/auth/me").status_code == 200
        refused(
            client.post(f"/api/config/users/{user['id']}/password", json={"password": "x"}),
            "password",
            "string_too_short",
        )
        assert (
            client.post(
                f"/api/config/users/{user['id']}/password", json={"password": "alice-pass-2"}
            ).status_code
            == 204
        )
        assert old.get("/api/auth/me").status_code == 401
        old.close()
        login(server.url, "alice", "alice-pass-2").close()


def test_editing_and_deleting_accounts_but_not_your_own(server):
    with admin(server) as client:
        me = client.get("/api/auth/me").json()
        user = post(client, "/api/config/users", username="alice", password="alice-pass-1")
        body = {
            "username": "alice2",
            "display_name": "Alice",
            "role": "tenant_admin",
            "active": False,
        }
        updated = client.put(f"/api/config/users/{user['id']}", json=body).json()
        assert updated["username"] == "alice2" and updated["active"] is False
        mine = f"/api/config/users/{me['user_id']}"
        refused(
            client.put(
                mine, json={"username": me["username"], "role": "tenant_admin", "active": False}
            ),
            "active",
            "self",
        )
        refused(
            client.put(mine, json={"username": me["username"], "role": "agent"}), "role", "self"
        )
        renamed = client.put(
            mine, json={"username": me["username"], "role": "tenant_admin", "display_name": "Boss"}
        )
        assert renamed.status_code == 200 and renamed.json()["display_name"] == "Boss"
        assert client.delete(mine).status_code == 409
        assert client.delete(f"/api/config/users/{user['id']}").status_code == 204


def test_tenant_b_cannot_see_or_touch_tenant_a_accounts(server):
    with admin(server, "alpha") as a:
        user = post(a, "/api/config/users", username="alice", password="alice-pass-1")
        role = post(a, "/api/config/roles", name="auditors", permissions=["records.read"])
    with admin(server, "beta") as b:
        assert [u["username"] for u in b.get("/api/config/users").json()["items"]] == ["admin@beta"]
        assert b.get("/api/config/roles").json()["total"] == 0
        url = f"/api/config/users/{user['id']}"
        assert b.get(url).status_code == 404
        assert b.put(url, json={"username": "mallory"}).status_code == 404
        assert b.post(f"{url}/password", json={"password": "hijacked-1"}).status_code == 404
        assert b.delete(url).status_code == 404
        assert b.put(f"/api/config/roles/{role['id']}", json={"name": "x"}).status_code == 404
        assert b.delete(f"/api/config/roles/{role['id']}").status_code == 404
        body = {"username": "bob", "password": "bob-pass-1", "custom_role_id": role["id"]}
        refused(b.post("/api/config/users", json=body), "custom_role_id", "not_found")
    login(server.url, "alice", "alice-pass-1").close()


# ---------------------------------------------------------------- roles


def test_permissions_are_listed_with_both_labels(server):
    with admin(server) as client:
        items = client.get("/api/config/permissions").json()["items"]
        keys = {p["key"] for p in items}
        assert {"config.manage", "users.manage", "records.read", "workbench.use"} <= keys
        assert all(p["label_zh"] and p["label_en"] for p in items)


def test_a_custom_role_grants_its_permissions(server):
    with admin(server) as client:
        role = post(
            client,
            "/api/config/roles",
            name="auditors",
            permissions=["records.read", "records.read"],
        )
        assert role["permissions"] == ["records.read"]
        refused(client.post("/api/config/roles", json={"name": "auditors"}), "name", "unique")
        refused(
            client.post(
                "/api/config/roles", json={"name": "x", "permissions": ["platform.manage"]}
            ),
            "permissions.0",
            "literal_error",
        )
        refused(client.post("/api/config/roles", json={"name": " "}), "name", "string_too_short")
        user = post(
            client,
            "/api/config/users",
            username="carol",
            password="carol-pass-1",
            role="custom",
            custom_role_id=role["id"],
        )
        carol = login(server.url, "carol", "carol-pass-1")
        assert carol.get("/api/auth/me").json()["permissions"] == ["records.read"]
        changed = client.put(
            f"/api/config/roles/{role['id']}",
            json={"name": "auditors", "permissions": ["config.manage"]},
        )
        assert changed.status_code == 200
        assert carol.get("/api/config/queues").status_code == 200
        assert carol.get("/api/config/users").status_code == 200  # to link agents to accounts
        assert (
            carol.post("/api/config/users", json={"username": "x", "password": "x" * 8}).status_code
            == 403
        )
        carol.close()
        assert client.delete(f"/api/config/roles/{role['id']}").status_code == 409
        client.put(f"/api/config/users/{user['id']}", json={"username": "carol"}).raise_for_status()
        assert client.delete(f"/api/config/roles/{role['id']}").status_code == 204


def test_an_account_manager_cannot_grant_what_they_do_not_hold(server):
    with admin(server) as client:
        role = post(client, "/api/config/roles", name="people", permissions=["users.manage"])
        post(
            client,
            "/api/config/users",
            username="hr",
            password="hr-pass-12",
            role="custom",
            custom_role_id=role["id"],
        )
    hr = login(server.url, "hr", "hr-pass-12")
    refused(
        hr.post("/api/config/roles", json={"name": "x", "permissions": ["config.manage"]}),
        "permissions",
        "not_held",
    )
    body = {"username": "y", "password": "y-pass-123", "role": "tenant_admin"}
    refused(hr.post("/api/config/users", json=body), "role", "not_held")
    admin_id = next(
        u["id"]
        for u in hr.get("/api/config/users").json()["items"]
        if u["username"] == "admin@acme"
    )
    assert (
        hr.post(
            f"/api/config/users/{admin_id}/password", json={"password": "taken-over-1"}
        ).status_code
        == 403
    )
    hr.close()
