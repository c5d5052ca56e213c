"""Sessions and API tokens end when they should: logout, password change and reset, deactivation;
tokens expire, are listed without their secret and can be revoked; CSRF rotates at login."""

import json
from datetime import datetime, timedelta

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from agentdesk.auth.deps import CSRF_COOKIE, SESSION_COOKIE
from agentdesk.kit.clock import Clock, FakeClock
from tests.support import seed
from tests.support.agents import Agent, seed_demo
from tests.support.server import LiveServer

PASSWORD = "alice-pass-1"


def login(server, username: str, password: str) -> httpx.Client:
    """A browser-like client with a session; its X-CSRF-Token is the rotated one."""
    client = server.client()
    client.headers["X-CSRF-Token"] = client.get("/api/auth/csrf").json()["csrf_token"]
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def replay(server, cookie: str) -> httpx.Client:
    """Someone else holding a copy of the session cookie."""
    return server.client(cookies={SESSION_COOKIE: cookie})


def bearer(server, token: str) -> httpx.Client:
    return server.client(headers={"Authorization": f"Bearer {token}"})


def tenant_with_alice(server) -> tuple[httpx.Client, dict]:
    info = seed.tenant_with_admin(server.settings.database_url)
    admin = bearer(server, info["token"])
    body = {"username": "alice", "password": PASSWORD}
    alice = admin.post("/api/config/users", json=body)
    assert alice.status_code == 201, alice.text
    return admin, alice.json()


def new_token(client: httpx.Client, name: str = "ci", **extra) -> dict:
    response = client.post("/api/auth/tokens", json={"name": name, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def works(client: httpx.Client) -> bool:
    status = client.get("/api/auth/me").status_code
    assert status in (200, 401), status
    return status == 200


# ---------------------------------------------------------------- logout


def test_logout_ends_the_session_on_the_server_not_only_the_cookie(server):
    tenant_with_alice(server)
    browser = login(server, "alice", PASSWORD)
    stolen = browser.cookies[SESSION_COOKIE]
    copy = replay(server, stolen)
    assert works(copy)
    assert browser.post("/api/auth/logout").status_code == 204
    assert not works(browser)
    assert not works(copy), "the old cookie must not work after logout"


def test_logout_ends_every_session_and_token_unless_asked_for_this_session_only(server):
    tenant_with_alice(server)
    laptop, phone = login(server, "alice", PASSWORD), login(server, "alice", PASSWORD)
    token = new_token(laptop)["token"]
    response = laptop.post("/api/auth/logout", json={"everywhere": False})
    assert response.status_code == 204
    assert not works(laptop)
    assert works(phone) and works(bearer(server, token))
    tablet = login(server, "alice", PASSWORD)
    assert tablet.post("/api/auth/logout").status_code == 204  # the default: everything
    assert not works(tablet) and not works(phone) and not works(bearer(server, token))


# ---------------------------------------------------------------- password and deactivation


def test_password_reset_by_an_admin_ends_every_session_and_token(server):
    admin, alice = tenant_with_alice(server)
    browser = login(server, "alice", PASSWORD)
    token = new_token(browser)["token"]
    path = f"/api/config/users/{alice['id']}/password"
    assert admin.post(path, json={"password": "alice-pass-2"}).status_code == 204
    assert not works(browser) and not works(bearer(server, token))
    assert works(login(server, "alice", "alice-pass-2"))


def test_changing_your_own_password_ends_everything_but_this_browser(server):
    tenant_with_alice(server)
    browser, other = login(server, "alice", PASSWORD), login(server, "alice", PASSWORD)
    old_cookie = browser.cookies[SESSION_COOKIE]
    token = new_token(browser)["token"]
    wrong = browser.post(
        "/api/auth/password", json={"current_password": "nope-nope-1", "new_password": "x-y-z-123"}
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    body = {"current_password": PASSWORD, "new_password": "alice-pass-2"}
    assert browser.post("/api/auth/password", json=body).status_code == 204
    assert browser.cookies[SESSION_COOKIE] != old_cookie
    assert works(browser), "the browser that changed it gets a new session"
    assert not works(other) and not works(replay(server, old_cookie))
    assert not works(bearer(server, token))


def test_deactivation_ends_every_session_and_token_for_good(server):
    admin, alice = tenant_with_alice(server)
    browser = login(server, "alice", PASSWORD)
    cookie, token = browser.cookies[SESSION_COOKIE], new_token(browser)["token"]
    path = f"/api/config/users/{alice['id']}"
    fields = {k: alice[k] for k in ("username", "display_name", "role", "custom_role_id")}
    assert admin.put(path, json={**fields, "active": False}).status_code == 200
    assert not works(replay(server, cookie)) and not works(bearer(server, token))
    # Reactivating the account must not bring the old credentials back.
    assert admin.put(path, json={**fields, "active": True}).status_code == 200
    assert not works(replay(server, cookie)) and not works(bearer(server, token))


# ---------------------------------------------------------------- API tokens


def test_tokens_are_shown_once_listed_with_dates_and_revocable(server):
    tenant_with_alice(server)
    browser = login(server, "alice", PASSWORD)
    created = new_token(browser, "crm-sync")
    assert created["token"].startswith("adk_") and created["status"] == "active"
    lifetime = datetime.fromisoformat(created["expires_at"]) - datetime.fromisoformat(
        created["created_at"]
    )
    assert lifetime == timedelta(days=90)
    assert works(bearer(server, created["token"]))
    listed = browser.get("/api/auth/tokens").json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["name"] == "crm-sync" and item["last_used_at"] is not None
    assert "token" not in item and "token_hash" not in item
    assert created["token"] not in browser.get("/api/auth/tokens").text
    assert browser.delete(f"/api/auth/tokens/{item['id']}").status_code == 204
    assert not works(bearer(server, created["token"]))
    assert browser.get("/api/auth/tokens").json()["items"][0]["status"] == "revoked"


def test_a_token_stops_working_when_it_expires(server):
    tenant_with_alice(server)
    browser = login(server, "alice", PASSWORD)
    token = new_token(browser, expires_in_days=1)["token"]
    assert works(bearer(server, token))
    clock = FakeClock(Clock().now())
    server.app.state.clock = clock
    clock.advance(86400 - 60)
    assert works(bearer(server, token))
    clock.advance(120)
    response = bearer(server, token).get("/api/auth/me")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_token_rules_and_nobody_revokes_another_users_token(server):
    admin, _ = tenant_with_alice(server)
    browser = login(server, "alice", PASSWORD)
    for days in (0, 366):
        response = browser.post("/api/auth/tokens", json={"name": "x", "expires_in_days": days})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "expires_in_days"
    mine = browser.get("/api/auth/tokens").json()["items"]
    theirs = admin.get("/api/auth/tokens").json()["items"][0]
    assert mine == [] and browser.delete(f"/api/auth/tokens/{theirs['id']}").status_code == 404
    assert browser.delete("/api/auth/tokens/99999999999999999999").status_code == 422
    assert admin.get("/api/auth/me").status_code == 200


# ---------------------------------------------------------------- CSRF


def test_the_csrf_cookie_rotates_at_login(server):
    tenant_with_alice(server)
    client = server.client()
    before = client.get("/api/auth/csrf").json()["csrf_token"]
    response = client.post(
        "/api/auth/login",
        json={"username": "alice", "password": PASSWORD},
        headers={"X-CSRF-Token": before},
    )
    after = response.json()["csrf_token"]
    assert after != before and client.cookies[CSRF_COOKIE] == after
    # A token planted or read before login is worth nothing afterwards.
    stale = client.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": before})
    assert stale.status_code == 403 and stale.json()["code"] == "csrf"
    fresh = client.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": after})
    assert fresh.status_code == 201


# ---------------------------------------------------------------- open workbench streams


@pytest.fixture
def quick_check_server(database_url, make_settings):
    seed_demo(database_url)
    settings = make_settings(database_url, stream_session_check_seconds=0.3)
    with LiveServer(settings) as live:
        yield live


def _stream(server, cookie: str):
    url = server.url.replace("http://", "ws://") + "/api/workbench/stream"
    return connect(
        url, additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}, origin=server.url
    )


@pytest.mark.parametrize("how", ["logout", "password_reset", "deactivation"])
def test_an_open_workbench_stream_ends_when_its_session_ends(quick_check_server, how):
    server = quick_check_server
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    cookie = agent.http.cookies[SESSION_COOKIE]
    admin = Agent(server.url, "demo-admin")
    with _stream(server, cookie) as ws:  # e.g. a copied cookie on another machine
        assert json.loads(ws.recv(timeout=5))["kind"] == "snapshot"
        if how == "logout":
            assert agent.http.post("/api/auth/logout").status_code == 204
        else:
            users = admin.http.get("/api/config/users").json()["items"]
            [user] = [u for u in users if u["username"] == "agent101"]
            path = f"/api/config/users/{user['id']}"
            fields = ("username", "display_name", "role", "custom_role_id")
            response = (
                admin.http.post(f"{path}/password", json={"password": "a-new-pass-2026"})
                if how == "password_reset"
                else admin.http.put(path, json={**{k: user[k] for k in fields}, "active": False})
            )
            assert response.status_code in (200, 204), response.text
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = json.loads(ws.recv(timeout=5))
                assert message["kind"] in ("event", "heartbeat"), message
        assert closed.value.rcvd.code == 4401
    agent.close()
    admin.close()
