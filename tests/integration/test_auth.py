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
