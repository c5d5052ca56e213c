"""Shared browser fixtures: Debian's Chromium through Playwright, a live server on SQLite.

Browser tests exercise the UI, not the database, so they run on SQLite only; the API suites
cover PostgreSQL.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support import databases
from tests.support.server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def off_loop(func, *args, **kwargs):
    """Run `func` in a worker thread: sync Playwright keeps an event loop running in this
    one, so helpers that call `asyncio.run` (tests.support.seed, databases) must run elsewhere."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()


@pytest.fixture(scope="session")
def browser(sqlite_url) -> Browser:
    # Depends on sqlite_url so its migration (asyncio.run) happens before Playwright's loop.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(sqlite_url, make_settings):
    """A live server on an emptied SQLite database (the `server` fixture minus PostgreSQL)."""
    off_loop(databases.truncate_all, sqlite_url)
    with LiveServer(make_settings(sqlite_url)) as live:
        yield live


# Every frame reports what its Content-Security-Policy blocked, so no test passes while our
# policy silently breaks a page.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI} on ${e.documentURI}`);
});
"""


@pytest.fixture
def new_page(browser, request):
    """Factory for pages in fresh contexts (own cookies) with a UI language; closed at the end.

    A page's `csp_violations` lists what a policy blocked; the test fails on any left there
    unless it marks itself `csp_violations_expected`."""
    contexts, violations = [], []

    def make(lang: str = "en") -> Page:
        context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US")
        context.set_default_timeout(10_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        page.csp_violations = []

        def on_console(message) -> None:
            if message.type == "error" and (
                "CSP violation" in message.text or "Content Security Policy" in message.text
            ):
                page.csp_violations.append(message.text)
                violations.append(message.text)

        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()
    if request.node.get_closest_marker("csp_violations_expected") is None:
        assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def page(new_page) -> Page:
    return new_page("en")


def login(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the login form and wait for the start page the server picks."""
    page.goto(f"{base_url}/login")
    page.locator("#login-form [name=username]").fill(username)
    page.locator("#login-form [name=password]").fill(password)
    page.locator("#login-form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


@pytest.fixture
def login_as():
    return login


@pytest.fixture
def seeded(live_server):
    """`seeded(seed.tenant_with_admin, code="x")`: a seed helper run on the live server's database."""

    def run(helper, *args, **kwargs):
        return off_loop(helper, live_server.settings.database_url, *args, **kwargs)

    return run
