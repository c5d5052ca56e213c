"""Login redirects, the throttling message and the API token page in a real browser."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.support import seed

pytestmark = pytest.mark.browser


def fill_login(page, username: str, password: str) -> None:
    page.locator("#login-form [name=username]").fill(username)
    page.locator("#login-form [name=password]").fill(password)
    page.locator("#login-form button[type=submit]").click()


@pytest.mark.parametrize(
    "next_value", ["/%5Cevil.example/x", "/%09/evil.example/x", "//evil.example/x"]
)
def test_login_never_sends_the_browser_to_another_origin(live_server, page, seeded, next_value):
    seeded(seed.tenant_with_admin)
    visited = []
    # Had the browser been sent there, this answers instead of the real (unreachable) host.
    page.route(
        re.compile(r"https?://evil\.example/.*"),
        lambda route: (visited.append(route.request.url), route.fulfill(body="evil"))[1],
    )
    page.goto(f"{live_server.url}/login?next={next_value}")
    fill_login(page, "admin@acme", "admin-pass-1")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/config$"))
    assert visited == [] and page.js_errors == []


def test_login_follows_a_same_origin_next(live_server, page, seeded):
    seeded(seed.tenant_with_admin)
    page.goto(f"{live_server.url}/config/users")
    expect(page).to_have_url(re.compile(r"/login\?next=/config/users$"))
    fill_login(page, "admin@acme", "admin-pass-1")
    expect(page).to_have_url(f"{live_server.url}/config/users")


def test_too_many_failed_logins_say_how_long_to_wait_in_chinese(live_server, new_page, seeded):
    seeded(seed.tenant_with_admin)
    page = new_page("zh")
    page.goto(f"{live_server.url}/login")
    error = page.locator('#login-form [data-error="_form"]')
    for n in range(5):
        fill_login(page, "admin@acme", f"wrong-guess-{n}")
        expect(error).not_to_be_empty()
        error.evaluate("el => el.textContent = ''")
    fill_login(page, "admin@acme", "admin-pass-1")
    expect(error).to_have_text(re.compile(r"^登录失败次数过多，请 \d+ 秒后再试。$"))
    expect(page).to_have_url(re.compile(r"/login$"))


def test_a_token_is_created_shown_once_listed_and_revoked(live_server, page, login_as, seeded):
    seeded(seed.tenant_with_admin)
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    page.get_by_test_id("my-tokens").click()
    expect(page).to_have_url(f"{live_server.url}/account/tokens")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    expect(page.locator("tbody tr", has_text="test")).to_have_count(1)  # the seeded token

    page.get_by_role("button", name="New API token").click()
    dialog = page.get_by_role("dialog", name="New API token")
    dialog.get_by_label("Name", exact=True).fill("crm-sync")
    dialog.get_by_label("Valid for (days)").fill("30")
    dialog.get_by_role("button", name="Save").click()
    once = page.locator("dialog.token-once")
    expect(once).to_contain_text("shown only once")
    token = once.locator("[data-new-token]").input_value()
    assert token.startswith("adk_")
    once.get_by_role("button", name="I have saved it").click()
    expect(once).to_have_count(0)

    row = page.locator("tbody tr", has_text="crm-sync")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Never")
    assert token not in page.content(), "the token is not shown again"
    with httpx.Client(base_url=live_server.url) as api:
        auth = {"Authorization": f"Bearer {token}"}
        assert api.get("/api/auth/me", headers=auth).status_code == 200
        page.reload()
        expect(page.locator("tbody tr", has_text="crm-sync")).not_to_contain_text("Never")
        page.locator("tbody tr", has_text="crm-sync").get_by_role("button", name="Revoke").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
        expect(page.locator("tbody tr", has_text="crm-sync")).to_contain_text("Revoked")
        assert api.get("/api/auth/me", headers=auth).status_code == 401
    assert page.js_errors == []


def test_the_token_page_speaks_chinese(live_server, new_page, login_as, seeded):
    seeded(seed.tenant_with_admin)
    page = new_page("zh")
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    page.goto(f"{live_server.url}/account/tokens")
    expect(page.get_by_role("heading", name="API 令牌")).to_be_visible()
    expect(page.get_by_role("button", name="+ 新建API 令牌")).to_be_visible()
    expect(page.locator("thead")).to_contain_text("最近使用")
    expect(page.locator("tbody tr", has_text="test")).to_contain_text("有效")


def test_logging_out_ends_the_session_the_browser_had(live_server, page, login_as, seeded):
    seeded(seed.tenant_with_admin)
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "agentdesk_session")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    with httpx.Client(base_url=live_server.url, cookies={"agentdesk_session": cookie}) as copy:
        assert copy.get("/api/auth/me").status_code == 401
