"""Our Content-Security-Policy in Chromium: every page works under it without a single
violation, other sites cannot frame the workbench, and an injected script does not run."""

import pytest
from playwright.sync_api import expect

from agentdesk.admin.pages import CONFIG_SECTIONS, OPS_SECTIONS
from tests.support.agents import PASSWORDS, seed_demo
from tests.support.sites import StaticSite

pytestmark = pytest.mark.browser


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_every_page_of_ours_runs_without_a_csp_violation(live_server, seeded, new_page, login_as):
    seeded(seed_demo)
    base = live_server.url
    anonymous = new_page()
    visit(anonymous, f"{base}/login")
    expect(anonymous.locator("#login-form")).to_be_visible()
    docs = new_page()
    # The test machine has no Internet: stand-ins for the CDN's files show that the policy
    # lets them load and lets the page's own start-up script run.
    docs.route(
        "**/swagger-ui-bundle.js",
        lambda route: route.fulfill(
            content_type="text/javascript",
            body="window.SwaggerUIBundle = Object.assign((o) => { window.started = o.url; },"
            " {presets: {apis: {}}, SwaggerUIStandalonePreset: {}});",
        ),
    )
    docs.route(
        "**/redoc.standalone.js",
        lambda route: route.fulfill(content_type="text/javascript", body="window.started = 1;"),
    )
    visit(docs, f"{base}/docs")
    assert docs.evaluate("window.started") == "/openapi.json"
    visit(docs, f"{base}/redoc")
    assert docs.evaluate("window.started") == 1

    agent = new_page("zh")
    login_as(agent, base, "agent101", PASSWORDS["agent101"])
    expect(agent.locator('[data-field="connection"]')).to_have_attribute("data-up", "1")
    agent.locator('[data-action="sign-in"]').click()
    expect(agent.locator('[data-field="state"]')).not_to_have_attribute("data-state", "signed_out")

    admin = new_page()
    login_as(admin, base, "demo-admin", PASSWORDS["demo-admin"])
    for section in CONFIG_SECTIONS:
        visit(admin, f"{base}/config/{section.slug}")
        expect(admin.locator("main h1, main h2").first).to_be_visible()

    ops = new_page()
    login_as(ops, base, "ops", PASSWORDS["ops"])
    for section in OPS_SECTIONS:
        visit(ops, f"{base}/ops/{section.slug}")
        expect(ops.locator("main h1, main h2").first).to_be_visible()

    for page in (anonymous, docs, agent, admin, ops):
        assert page.csp_violations == [] and page.js_errors == []


@pytest.mark.csp_violations_expected
def test_another_site_cannot_frame_the_workbench(live_server, seeded, new_page, login_as, tmp_path):
    seeded(seed_demo)
    (tmp_path / "frame.html").write_text(
        f'<!doctype html><iframe id="wb" src="{live_server.url}/workbench"></iframe>'
    )
    page = new_page()
    login_as(page, live_server.url, "agent101", PASSWORDS["agent101"])
    with StaticSite(tmp_path) as evil:
        visit(page, f"{evil.origin}/frame.html")
        framed = page.frame_locator("#wb")
        expect(framed.locator("#toolbar")).to_have_count(0)
    assert any("frame-ancestors" in text for text in page.csp_violations)


@pytest.mark.csp_violations_expected
def test_a_script_injected_into_the_workbench_does_not_run(live_server, seeded, new_page, login_as):
    seeded(seed_demo)
    page = new_page()
    login_as(page, live_server.url, "agent101", PASSWORDS["agent101"])
    page.evaluate(
        """() => {
        const s = document.createElement("script");
        s.textContent = "window.injected = true";
        document.body.append(s);
        const div = document.createElement("div");
        div.innerHTML = '<img src="data:," onerror="window.injected = true">';
        document.body.append(div);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert any("script-src" in text for text in page.csp_violations)
