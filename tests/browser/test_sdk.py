"""AICCSupport.js in real Chromium: a Web API pop page on another origin talks to the workbench
(R-SDK-1…9, R-POP-8), and the vendor's own demo page works unmodified."""

import json
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from agentdesk.config_center.whitelist.models import WhitelistEntry
from tests.browser.conftest import off_loop
from tests.support import seed
from tests.support.agents import customer, login, place_call, seed_demo
from tests.support.sites import StaticSite

pytestmark = pytest.mark.browser
SDK_PATH = "/service-cloud/resource.root/page/resource.root/js/AICCSupport.js"
VENDOR_DEMO = Path(__file__).resolve().parents[2].parent / "shared/fixtures/vendor-demo/index.html"

# A page written against the vendor's API, recording what reaches it. `late` delays the Init
# handler to show Init reaches a handler registered after the workbench opened.
TEST_PAGE = """<!doctype html><meta charset="utf-8"><title>SDK test page</title>
<script src="%(sdk)s"></script>
<body><pre id="log"></pre><script>
window.received = [];
function record(name) {
  return (eventData) => {
    window.received.push({name, eventData});
    document.getElementById('log').textContent += name + ' ' + JSON.stringify(eventData) + '\\n';
  };
}
const late = new URLSearchParams(location.search).get('late');
['Ringing', 'Talking', 'Release'].forEach((n) => AICCSupport.addHandler(n, record(n)));
setTimeout(() => AICCSupport.addHandler('Init', record('Init')), late ? 1500 : 0);
</script></body>"""


def whitelist(url: str, origin: str) -> None:
    host, port = origin.removeprefix("http://").split(":")

    async def add(session):
        session.add(WhitelistEntry(scheme="http", host=host, port=int(port), allow_private=True))

    seed.run(url, add)


def webapi_page(admin: httpx.Client, url: str, name: str = "SDK page") -> dict:
    body = {"name": name, "url": url, "integration": "webapi", "enabled": True}
    response = admin.post("/api/config/screen-pops", json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def site(live_server, sqlite_url, tmp_path):
    """The demo tenant plus an integrator's site on a second origin, whitelisted."""
    off_loop(seed_demo, sqlite_url)
    (tmp_path / "page.html").write_text(
        TEST_PAGE % {"sdk": live_server.url + SDK_PATH}, encoding="utf-8"
    )
    with StaticSite(tmp_path) as static:
        off_loop(whitelist, sqlite_url, static.origin)
        admin = login(live_server.url, "demo-admin")
        sim = customer(live_server.url, live_server.settings.sim_token)
        yield static, admin, sim
        admin.close()
        sim.close()


def open_workbench(page: Page, base_url: str, login_as) -> Page:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.console_lines = console
    login_as(page, base_url, "agent101", "agent-demo-101")
    page.goto(f"{base_url}/workbench")
    expect(page.locator('[data-field="connection"]')).to_have_attribute("data-up", "1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('[data-field="state"]')).to_have_attribute("data-state", "idle")
    return page


def sdk_frame(page: Page, name: str = "SDK page"):
    """A Web API page's frame (a Frame, to evaluate scripts in it), its tab shown."""
    tab = page.locator(f'#pop-tabs [data-kind="webapi"][title^="{name} ·"]')
    tab.click()
    panel_id = tab.get_attribute("aria-controls")
    frame_element = page.locator(f"#{panel_id} iframe")
    expect(frame_element).to_be_visible()
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_load_state()
    return frame


def received(frame) -> list[dict]:
    return frame.evaluate("window.received")


def wait_names(frame, names: list[str]) -> list[dict]:
    # Polling by time: a frame in a hidden tab gets no animation frames.
    frame.wait_for_function(
        f"window.received && window.received.length >= {len(names)}", polling=50
    )
    got = received(frame)
    assert [item["name"] for item in got] == names, got
    return got


@contextmanager
def vendor_demo(live_server, admin: httpx.Client, tmp_path: Path):
    """The guide's demo page on a second origin, whitelisted and configured as a Web API pop;
    the integrator saved our AICCSupport.js next to it (it loads it by a relative path)."""
    folder = tmp_path / "vendor"
    folder.mkdir()
    shutil.copy(VENDOR_DEMO, folder / "index.html")
    (folder / "AICCSupport.js").write_text(httpx.get(live_server.url + SDK_PATH).text)
    with StaticSite(folder) as vendor:
        off_loop(whitelist, live_server.settings.database_url, vendor.origin)
        webapi_page(admin, f"{vendor.origin}/index.html", name="Vendor demo")
        yield vendor


def state(page: Page):
    return page.locator('[data-field="state"]')


def test_each_event_reaches_its_handler_once_in_order_with_the_payload(
    live_server, site, new_page, login_as
):
    static, admin, sim = site
    webapi_page(admin, f"{static.origin}/page.html")
    page = open_workbench(new_page("en"), live_server.url, login_as)
    frame = sdk_frame(page)
    wait_names(frame, ["Init"])
    assert received(frame)[0]["eventData"] == {"workNo": "101"}

    call = place_call(sim, data={"orderNo": "A-7"})  # demo agents answer automatically
    got = wait_names(frame, ["Init", "Ringing", "Talking"])
    ringing = got[1]["eventData"]
    assert ringing == {
        "callerNum": "13800000001",
        "calledNum": "960358",
        "callid": call["callid"],
        "mediaType": "audio",
        "callType": "0",
        "workNo": "101",
        "calldata": json.dumps({"orderNo": "A-7"}, separators=(",", ":")),
        "seq": 1,
    }
    assert got[2]["eventData"]["seq"] == 2
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    got = wait_names(frame, ["Init", "Ringing", "Talking", "Release"])
    assert got[3]["eventData"]["callid"] == call["callid"] and got[3]["eventData"]["seq"] == 3

    # The page stays open for the next call (R-SDK-9) and removeHandler stops delivery.
    frame.evaluate("AICCSupport.removeHandler('Ringing')")
    page.get_by_role("button", name="Ready").click()
    second = place_call(sim, caller="13900000002")
    got = wait_names(frame, ["Init", "Ringing", "Talking", "Release", "Talking"])
    assert got[4]["eventData"]["callid"] == second["callid"]
    assert "[AICCSupport Log] -Info- addHandler - add Ringing handler" in page.console_lines
    assert "[AICCSupport Log] -Info- addHandler - add Init handler" in page.console_lines
    assert "[AICCSupport Log] -Info- removeHandler - remove Ringing handler" in page.console_lines
    assert page.js_errors == []


def test_init_reaches_a_late_handler_and_a_reloaded_page_gets_the_call_once(
    live_server, site, new_page, login_as
):
    static, admin, sim = site
    webapi_page(admin, f"{static.origin}/page.html?late=1")
    page = open_workbench(new_page("en"), live_server.url, login_as)
    frame = sdk_frame(page)
    frame.wait_for_function(
        "window.received && window.received.length === 1", timeout=5000, polling=50
    )
    assert received(frame) == [{"name": "Init", "eventData": {"workNo": "101"}}]

    call = place_call(sim)
    wait_names(frame, ["Init", "Ringing", "Talking"])
    frame.evaluate("location.reload()")
    frame = sdk_frame(page)
    frame.wait_for_function(
        "window.received && window.received.length >= 2", timeout=5000, polling=50
    )
    page.wait_for_timeout(300)
    got = received(frame)
    assert [item["name"] for item in got] == ["Talking", "Init"]
    assert got[0]["eventData"]["callid"] == call["callid"]


def test_click_to_outbound_and_verify_result(live_server, site, new_page, login_as):
    static, admin, sim = site
    webapi_page(admin, f"{static.origin}/page.html")
    page = open_workbench(new_page("en"), live_server.url, login_as)
    frame = sdk_frame(page)
    wait_names(frame, ["Init"])

    for code in ("a-b", "", "x y"):
        assert frame.evaluate(f"AICCSupport.getVerifyResult({code!r})") == ""
    assert frame.evaluate("AICCSupport.getVerifyResult('idCard_01')") == {"verifyResult": "0"}

    refusals = [
        (
            "{mediaType: 'email', calledNum: 'a@b.c'}",
            "email One-click out call is only available in the online chat workbench",
            "not_available",
        ),
        (
            "{mediaType: 'whatsapp', calledNum: '123456'}",
            "whatsapp One-click out call is only available in the online chat workbench",
            "not_available",
        ),
        (
            "{mediaType: 'fax', calledNum: '123456'}",
            "mediaType must be one of audio, video, email, whatsapp",
            "bad_media_type",
        ),
        ("{mediaType: 'audio', calledNum: ''}", "calledNum is empty", "bad_number"),
    ]
    for argument, line, code in refusals:
        outcome = frame.evaluate(f"AICCSupport.clickToOutbound({argument})")
        assert outcome["ok"] is False and outcome["code"] == code
        assert f"[AICCSupport Log] -Error- clickToOutbound - {line}" in page.console_lines
    expect(state(page)).to_have_attribute("data-state", "idle")

    outcome = frame.evaluate(
        "AICCSupport.clickToOutbound({mediaType: 'video', calledNum: '88880523'})"
    )
    assert outcome["ok"] is True
    expect(state(page)).to_have_attribute("data-state", "dialing")
    expect(page.locator('[data-call="callid"]')).to_have_text(outcome["callid"])
    expect(page.locator('[data-call="mediaType"]')).to_have_attribute("data-value", "video")
    assert (
        "[AICCSupport Log] -Info- clickToOutbound - execute One-click out call"
        in page.console_lines
    )
    # A second one while dialling is refused by the toolbar, with its reason.
    again = frame.evaluate(
        "AICCSupport.clickToOutbound({mediaType: 'audio', calledNum: '88880524'})"
    )
    assert again["ok"] is False and again["code"] == "refused" and again["message"]
    assert page.js_errors == []


def test_forged_messages_are_ignored_both_ways(live_server, site, new_page, login_as, tmp_path):
    static, admin, sim = site
    webapi_page(admin, f"{static.origin}/page.html")
    page = open_workbench(new_page("en"), live_server.url, login_as)
    frame = sdk_frame(page)
    wait_names(frame, ["Init"])
    # Another origin inside the SDK page (e.g. an ad) posts a fake event to its parent.
    other = StaticSite(tmp_path)
    with other:
        frame.evaluate(
            """(src) => new Promise((done) => {
                const child = document.createElement('iframe');
                child.src = src; child.onload = done; document.body.append(child);
            })""",
            f"{other.origin}/page.html",
        )
        child = frame.child_frames[0]
        child.evaluate(
            """(target) => parent.postMessage({protocol: 'agentdesk-sdk/1', type: 'event',
                name: 'Ringing', seq: 99, data: {callid: 'forged'}}, target)""",
            static.origin,
        )
        # The workbench window itself is trusted by origin, but not as a source of
        # clickToOutbound for a frame it did not open: a stranger frame in the workbench.
        page.evaluate(
            """(src) => new Promise((done) => {
                const stranger = document.createElement('iframe');
                stranger.id = 'stranger'; stranger.src = src; stranger.onload = done;
                document.body.append(stranger);
            })""",
            f"{static.origin}/page.html",
        )
        stranger = page.frame_locator("#stranger").locator("body")
        stranger.evaluate(
            """(_, target) => top.postMessage({protocol: 'agentdesk-sdk/1',
                type: 'clickToOutbound', id: 1, mediaType: 'audio', calledNum: '88880523'},
                target)""",
            live_server.settings.origin,
        )
        page.wait_for_timeout(800)
    assert [item["name"] for item in received(frame)] == ["Init"]
    expect(state(page)).to_have_attribute("data-state", "idle")
    # The SDK never posts to "*": every postMessage names its target origin.
    source = httpx.get(live_server.url + SDK_PATH).text
    assert "postMessage(" in source
    assert not re.search(r"postMessage\([^;]*['\"]\*['\"]", source)


def test_outside_a_workbench_the_sdk_warns_once_and_does_nothing(live_server, site, new_page):
    static, _admin, _sim = site
    page = new_page("en")
    lines: list[str] = []
    page.on("console", lambda message: lines.append(message.text))
    page.goto(f"{static.origin}/page.html")
    page.wait_for_function("window.AICCSupport !== undefined")
    outcome = page.evaluate(
        "AICCSupport.clickToOutbound({mediaType: 'audio', calledNum: '123456'})"
    )
    assert outcome["ok"] is False and outcome["code"] == "not_in_workbench"
    warnings = [line for line in lines if "-Warn-" in line]
    assert warnings == [
        "[AICCSupport Log] -Warn- AICCSupport - not inside an agentdesk workbench "
        "(the page is not embedded); AICCSupport does nothing"
    ]


def test_the_vendor_demo_page_works_unmodified_from_a_saved_copy(
    live_server, site, new_page, login_as, tmp_path
):
    _static, admin, sim = site
    with vendor_demo(live_server, admin, tmp_path):
        page = open_workbench(new_page("en"), live_server.url, login_as)
        frame = sdk_frame(page, "Vendor demo")
        log = frame.locator("#recMessage")
        expect(log).to_contain_text("初始化事件")
        call = place_call(sim)
        expect(log).to_contain_text("来电事件")
        expect(log).to_contain_text("接听事件")
        expect(log).to_contain_text(call["callid"])
        sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
        expect(log).to_contain_text("挂断事件")
        expect(state(page)).to_have_attribute("data-state", "acw")

        # Its one-click outbound button places the call through the toolbar.
        page.locator('#pop-tabs [data-kind="webapi"][title^="Vendor demo"]').click()
        frame.locator("#outboundNum").fill("88880085")
        frame.locator("#videoBtn").click()
        frame.locator("#oneKeyOutbound").click()
        expect(state(page)).to_have_attribute("data-state", "dialing")
        expect(page.locator('[data-call="calledNum"]')).to_have_text("88880085")
        expect(page.locator('[data-call="mediaType"]')).to_have_attribute("data-value", "video")
        # Every other button works too.
        for button in (
            "initBtn",
            "ringingBtn",
            "talkingBtn",
            "releaseBtn",
            "switchBtn",
            "verifyBtn",
            "clearMessage",
        ):
            frame.locator(f"#{button}").click()
        expect(log).to_have_text("")
        assert "[AICCSupport Log] -Info- removeHandler - remove Init handler" in page.console_lines
        assert "[AICCSupport Log] -Info- addHandler - add lvrReturn handler" in page.console_lines
        assert page.js_errors == []


def test_try_it_drives_a_web_api_page_and_shows_messages_both_ways(
    live_server, site, new_page, login_as
):
    static, admin, _sim = site
    webapi_page(admin, f"{static.origin}/page.html", name="SDK page")
    page = new_page("en")
    login_as(page, live_server.url, "demo-admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/config/screen-pops")
    row = page.locator("#resource tbody tr", has=page.locator("[data-name]", has_text="SDK page"))
    row.get_by_role("button", name="Try it SDK page").click()
    trial = page.get_by_role("dialog", name="Try it: SDK page")
    trial.get_by_label("Caller number (callerNum)").fill("13700000007")
    trial.get_by_role("button", name="Open").click()
    log = trial.locator("table.sdk-log tbody")
    # The page says hello; the preview answers like the workbench and sends Init.
    expect(log.locator('tr[data-direction="in"]').first).to_contain_text('"hello"')
    expect(log.locator('tr[data-direction="out"]', has_text='"Init"')).to_have_count(1)
    frame = trial.locator("iframe").element_handle().content_frame()
    wait_names(frame, ["Init"])
    trial.get_by_role("button", name="Ringing").click()
    got = wait_names(frame, ["Init", "Ringing"])
    assert got[1]["eventData"]["callerNum"] == "13700000007"
    assert got[1]["eventData"]["mediaType"] == "audio"
    # A call the page asks for is answered, not placed.
    outcome = frame.evaluate(
        "AICCSupport.clickToOutbound({mediaType: 'audio', calledNum: '123456'})"
    )
    assert outcome["ok"] is False and outcome["code"] == "preview"
    expect(log.locator('tr[data-direction="in"]', has_text="clickToOutbound")).to_have_count(1)
    assert page.js_errors == []


def test_a_handler_registered_after_a_call_ended_hears_nothing_of_it(
    live_server, site, new_page, login_as, tmp_path
):
    """Issue 14.1, with the guide's demo page: remove the Ringing handler, take a call to its
    end, register it again: no 来电事件 of the ended call; the next call's Ringing still comes."""
    _static, admin, sim = site
    with vendor_demo(live_server, admin, tmp_path):
        page = open_workbench(new_page("en"), live_server.url, login_as)
        frame = sdk_frame(page, "Vendor demo")
        log = frame.locator("#recMessage")
        expect(log).to_contain_text("初始化事件")
        frame.locator("#ringingBtn").click()  # 移除来电事件
        expect(frame.locator("#ringingBtn")).to_have_text("注册来电事件")

        first = place_call(sim)
        expect(log).to_contain_text("接听事件")
        sim.post(f"/api/sim/calls/{first['callid']}/hangup").raise_for_status()
        expect(log).to_contain_text("挂断事件")
        expect(state(page)).to_have_attribute("data-state", "acw")

        page.locator('#pop-tabs [data-kind="webapi"][title^="Vendor demo"]').click()
        frame.locator("#ringingBtn").click()  # 注册来电事件
        expect(frame.locator("#ringingBtn")).to_have_text("移除来电事件")
        page.wait_for_timeout(500)
        assert "来电事件" not in log.inner_text()

        # The re-registered handler does get the next call's Ringing, once.
        expect(state(page)).to_have_attribute("data-state", "idle", timeout=15000)
        second = place_call(sim, caller="13800000002")
        expect(log).to_contain_text("来电事件")
        expect(log).to_contain_text(second["callid"])
        assert log.inner_text().count("来电事件") == 1
        assert first["callid"] not in log.inner_text().split("来电事件", 1)[1].split("<br")[0]
        assert page.js_errors == []


def test_a_late_handler_gets_only_the_latest_event_of_the_call_in_progress(
    live_server, site, new_page, login_as
):
    """A Ringing handler registered while the call is already talking gets nothing (Talking is
    the latest event); a Talking handler registered late gets that Talking once."""
    static, admin, sim = site
    webapi_page(admin, f"{static.origin}/page.html")
    page = open_workbench(new_page("en"), live_server.url, login_as)
    frame = sdk_frame(page)
    wait_names(frame, ["Init"])
    frame.evaluate("['Ringing', 'Talking'].forEach((n) => AICCSupport.removeHandler(n))")
    call = place_call(sim)
    expect(state(page)).to_have_attribute("data-state", "talking")
    frame.evaluate("AICCSupport.addHandler('Ringing', record('Ringing'))")
    frame.evaluate("AICCSupport.addHandler('Talking', record('Talking'))")
    got = wait_names(frame, ["Init", "Talking"])
    assert got[1]["eventData"]["callid"] == call["callid"]
    # Registering it again does not deliver the same event a second time.
    frame.evaluate("AICCSupport.removeHandler('Talking')")
    frame.evaluate("AICCSupport.addHandler('Talking', record('Talking'))")
    page.wait_for_timeout(300)
    assert [item["name"] for item in received(frame)] == ["Init", "Talking"]


def test_the_sdk_in_a_get_pop_warns_that_it_is_not_a_web_api_page(
    live_server, site, new_page, login_as
):
    """Issue 14.2 / R-SDK-7: a URL GET pop that loads AICCSupport.js logs one warning, gets no
    events, and clickToOutbound resolves with not_webapi."""
    static, admin, sim = site
    body = {"name": "GET page", "url": f"{static.origin}/page.html", "enabled": True}
    response = admin.post("/api/config/screen-pops", json={**body, "integration": "get"})
    assert response.status_code == 201, response.text
    pop_id = response.json()["id"]
    page = open_workbench(new_page("en"), live_server.url, login_as)
    place_call(sim)
    expect(state(page)).to_have_attribute("data-state", "talking")
    frame_element = page.locator(f'#pop-panels iframe[data-pop-page="{pop_id}"]')
    expect(frame_element).to_have_count(1)
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_load_state()
    warning = (
        "[AICCSupport Log] -Warn- AICCSupport - not available here (this page is not a Web API "
        "pop page of the workbench); AICCSupport does nothing"
    )
    for _ in range(50):  # the console event reaches the test thread asynchronously
        if warning in page.console_lines:
            break
        page.wait_for_timeout(100)
    assert page.console_lines.count(warning) == 1
    outcome = frame.evaluate(
        "AICCSupport.clickToOutbound({mediaType: 'audio', calledNum: '88880523'})"
    )
    assert outcome["ok"] is False and outcome["code"] == "not_webapi"
    assert frame.evaluate("window.received") == []
    expect(state(page)).to_have_attribute("data-state", "talking")
    assert page.js_errors == []
