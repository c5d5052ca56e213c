from tests.support import seed


def _login(client, username, password):
    """Log in; returns the response and the CSRF token to use from now on (rotated at login)."""
    csrf = client.get("/api/auth/csrf").json()["csrf_token"]
    response = client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": csrf},
    )
    if response.status_code == 200:
        csrf = response.json()["csrf_token"]
    return response, csrf


def test_login_sets_httponly_samesite_cookie_and_me_works(server):
    seed.tenant_with_admin(server.settings.database_url)
    with server.client() as client:
        response, csrf = _login(client, "admin@acme", "admin-pass-1")
        assert response.status_code == 200, response.text
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        me = client.get("/api/auth/me").json()
        assert me["username"] == "admin@acme" and me["role"] == "tenant_admin"
        assert "config.manage" in me["permissions"]


def test_wrong_password_is_refused(server):
    seed.tenant_with_admin(server.settings.database_url)
    with server.client() as client:
        response, _ = _login(client, "admin@acme", "wrong")
        assert response.status_code == 401
        assert client.get("/api/auth/me").status_code == 401


def test_unsafe_request_without_csrf_header_is_refused(server):
    seed.tenant_with_admin(server.settings.database_url)
    with server.client() as client:
        _, csrf = _login(client, "admin@acme", "admin-pass-1")
        response = client.post("/api/auth/tokens", json={"name": "x"})
        assert response.status_code == 403 and response.json()["code"] == "csrf"
        ok = client.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 201 and ok.json()["token"].startswith("adk_")


def test_bearer_token_authenticates_without_csrf(server):
    info = seed.tenant_with_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {info['token']}"}) as client:
        assert client.get("/api/auth/me").json()["username"] == "admin@acme"
    with server.client(headers={"Authorization": "Bearer adk_forged"}) as client:
        assert client.get("/api/auth/me").status_code == 401


def test_validation_error_names_field_and_rule(server):
    with server.client() as client:
        csrf = client.get("/api/auth/csrf").json()["csrf_token"]
        response = client.post(
            "/api/auth/login",
            json={"username": "", "password": "x"},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert errors[0]["field"] == "username" and errors[0]["rule"] == "string_too_short"


def test_new_passwords_must_not_be_common_or_the_username(server):
    info = seed.tenant_with_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {info['token']}"}) as admin:
        for password, rule in (("Password123!", "common"), ("alice2026", "username")):
            response = admin.post(
                "/api/config/users", json={"username": "alice", "password": password}
            )
            assert response.status_code == 422, response.text
            assert {"field": "password", "rule": rule} in [
                {"field": e["field"], "rule": e["rule"]} for e in response.json()["errors"]
            ]
        alice = admin.post(
            "/api/config/users", json={"username": "alice", "password": "a-l-i-c-e-9"}
        )
        assert alice.status_code == 201
        reset = admin.post(
            f"/api/config/users/{alice.json()['id']}/password", json={"password": "12345678"}
        )
        assert reset.status_code == 422 and reset.json()["errors"][0]["rule"] == "common"


def test_a_tenant_admins_password_follows_the_same_rules(server):
    token = seed.ops_admin(server.settings.database_url)
    tenant = {
        "code": "acme",
        "name": "Acme",
        "licence_audio": 1,
        "admin_username": "boss@acme",
        "admin_password": "boss@acme1",
    }
    with server.client(headers={"Authorization": f"Bearer {token}"}) as ops:
        response = ops.post("/api/ops/tenants", json=tenant)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0] == {
        "field": "admin_password",
        "rule": "username",
        "message": "must not be the username",
    }
