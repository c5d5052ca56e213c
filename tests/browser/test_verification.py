"""Identity verification in real Chromium: the agent starts it from the toolbar, the customer
(simulator) types card and PIN, the result shows in the toolbar and reaches Web API pages on
other origins as IvrReturn (the vendor's demo page too, registered as lvrReturn)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from agentdesk.config_center.screenpop.models import PopPage
from examples.third_party_pages import create_app as examples_app
from tests.browser.conftest import off_loop
from tests.browser.test_sdk import (
    SDK_PATH,
    open_workbench,
    sdk_frame,
    state,
    vendor_demo,
    webapi_page,
    whitelist,
)
from tests.support import seed
from tests.support.agents import customer, login, place_call, seed_demo
from tests.support.ivr import CARD_OK, PIN_OK, seed_ivr
from tests.support.sites import AppSite, StaticSite

pytestmark = pytest.mark.browser

VERIFY_PAGE = """<!doctype html><meta charset="utf-8"><title>Verify page</title>
<script src="%(sdk)s"></script>
<body><pre id="log"></pre><script>
window.received = [];
AICCSupport.addHandler('IvrReturn', (data) => {
  window.received.push(data);
  document.getElementById('log').textContent += 'IvrReturn ' + JSON.stringify(data) + '\\n';
});
</script></body>"""


async def _without_demo_pops(session):
    """Only the pages this test configures open (the demo's own would fill the tab)."""
    await session.execute(delete(PopPage))


@pytest.fixture
def world(live_server, sqlite_url, tmp_path):
    off_loop(seed_demo, sqlite_url)
    off_loop(seed.run, sqlite_url, _without_demo_pops)
    (tmp_path / "verify.html").write_text(
        VERIFY_PAGE % {"sdk": live_server.url + SDK_PATH}, encoding="utf-8"
    )
    with AppSite(examples_app("*")) as interface, StaticSite(tmp_path) as static:
        off_loop(seed_ivr, sqlite_url, interface.origin)
        off_loop(whitelist, sqlite_url, static.origin)
        admin = login(live_server.url, "demo-admin")
        sim = customer(live_server.url, live_server.settings.sim_token)
        webapi_page(admin, f"{static.origin}/verify.html", name="Verify page")
        yield admin, sim
        admin.close()
        sim.close()


def test_verification_from_the_toolbar_reaches_web_api_pages(
    live_server, world, new_page, login_as, tmp_path
):
    admin, sim = world
    with vendor_demo(live_server, admin, tmp_path):
        page = open_workbench(new_page("en"), live_server.url, login_as)
        demo = sdk_frame(page, "Vendor demo")
        demo.locator("#verifyBtn").click()  # 注册身份认证结果返回事件
        frame = sdk_frame(page, "Verify page")
        assert frame.evaluate("AICCSupport.getVerifyResult('CARDVERIFY')") == {"verifyResult": "0"}

        call = place_call(sim)  # demo agents answer automatically
        expect(state(page)).to_have_attribute("data-state", "talking")
        control = page.get_by_role("group", name="Verify identity")
        control.get_by_label("Verification method").select_option(label="kahaoyanzheng")
        control.get_by_role("button", name="Verify identity").click()
        expect(control).to_contain_text("Customer in verification: kahaoyanzheng")
        expect(state(page)).to_have_attribute("data-state", "verifying")

        for digits in (CARD_OK + "#", PIN_OK + "#"):
            answer = sim.post(f"/api/sim/calls/{call['callid']}/dtmf", json={"digits": digits})
            assert answer.status_code == 200, answer.text
        expect(control.get_by_role("status")).to_have_text("kahaoyanzheng: passed")
        expect(state(page)).to_have_attribute("data-state", "talking")

        frame.wait_for_function("window.received.length >= 1", polling=50)
        [returned] = frame.evaluate("window.received")
        assert returned["verifyTypeCode"] == "CARDVERIFY" and returned["verifyResult"] == "1"
        assert returned["callid"] == call["callid"]
        assert {"verifyReturn1", "verifyReturn2", "verifyReturn3"} <= set(returned)
        assert frame.evaluate("AICCSupport.getVerifyResult('CARDVERIFY')") == {"verifyResult": "1"}

        page.locator('#pop-tabs [data-kind="webapi"][title^="Vendor demo"]').click()
        expect(demo.locator("#recMessage")).to_contain_text("身份认证结果返回事件")
        assert PIN_OK not in demo.locator("#recMessage").inner_text()
        assert page.js_errors == []


def test_the_control_is_absent_without_the_permission(live_server, world, new_page, login_as):
    page = new_page("en")
    login_as(page, live_server.url, "agent103", "agent-demo-103")
    page.goto(f"{live_server.url}/workbench")
    expect(page.locator('[data-field="connection"]')).to_have_attribute("data-up", "1")
    expect(page.get_by_role("group", name="Verify identity")).to_have_count(0)
