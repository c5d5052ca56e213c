"""Screen pops and click-to-dial in real Chromium, with the sample third-party pages served on
a second origin (R-WB-3, R-POP-6/7/9, R-DIAL-1/2)."""

import pytest
from playwright.sync_api import Page, expect

from agentdesk.cli import demo
from agentdesk.config_center.screenpop.popparams import CALL_DATA_KEYS
from examples.third_party_pages import create_app as create_examples_app
from tests.browser.conftest import off_loop
from tests.support import seed
from tests.support.agents import customer, login, place_call
from tests.support.server import TEST_SECRET_KEY
from tests.support.sites import AppSite

pytestmark = pytest.mark.browser
POPS = "/api/config/screen-pops"


@pytest.fixture
def pops(live_server, sqlite_url):
    """The demo tenant with its sample pops pointing at a live examples server."""
    with AppSite(create_examples_app(live_server.settings.origin)) as examples:
        off_loop(
            seed.run,
            sqlite_url,
            lambda session: demo._seed(session, examples.origin, secret_key=TEST_SECRET_KEY),
        )
        admin = login(live_server.url, "demo-admin")
        sim = customer(live_server.url, live_server.settings.sim_token)
        yield examples, admin, sim
        admin.close()
        sim.close()


def workbench(page: Page, base_url: str, login_as) -> Page:
    login_as(page, base_url, "agent101", "agent-demo-101")
    page.goto(f"{base_url}/workbench")
    expect(page.locator('[data-field="connection"]')).to_have_attribute("data-up", "1")
    page.get_by_role("button", name="Sign in").click()
    expect(state(page)).to_have_attribute("data-state", "idle")
    return page


def state(page: Page):
    return page.locator('[data-field="state"]')


def pop_tabs(page: Page):
    return page.locator("#pop-tabs [role=tab][data-kind=call]")


def received(frame) -> dict[str, str]:
    rows = frame.locator("#received tbody tr")
    expect(rows.first).to_be_visible()
    return {row.get_attribute("data-param"): row.locator("td").inner_text() for row in rows.all()}


def test_pops_open_in_order_with_exactly_their_parameters(live_server, pops, new_page, login_as):
    examples, admin, sim = pops
    page = workbench(new_page("en"), live_server.url, login_as)
    call = place_call(sim, data={"orderNo": "A-1001"})
    expect(state(page)).to_have_attribute("data-state", "talking")

    # The enabled demo pages, in list order; the disabled one does not open.
    expect(pop_tabs(page)).to_have_count(5)
    names = [
        p["name"]
        for p in admin.get(POPS).json()["items"]
        if p["enabled"] and p["integration"] != "webapi"  # Web API pages open with the workbench
    ]
    assert [tab.get_attribute("title").split(" · ")[0] for tab in pop_tabs(page).all()] == names
    for tab in pop_tabs(page).all():
        assert tab.get_attribute("data-callid") == call["callid"]
    expect(page.locator(".pop-panel[data-kind=call]").first).to_contain_text(call["callid"])

    # GET: the nine call-data parameters plus origin, in the iframe's URL.
    frame_el = page.locator(".pop-panel[data-kind=call] iframe").nth(0)
    src = frame_el.get_attribute("src")
    assert src.startswith(f"{examples.origin}/customer.html?")
    got = received(page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=0"))
    assert list(got) == [*CALL_DATA_KEYS, "origin"]
    assert got["callid"] == call["callid"] and got["callerNum"] == "13800000001"
    assert got["origin"] == live_server.settings.origin

    # POST: the configured parameters arrive as a form; the URL carries none.
    pop_tabs(page).nth(1).click()
    post_frame = page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=1")
    assert received(post_frame) == {
        "caller": "13800000001",
        "id": call["callid"],
        "order": "A-1001",
        "origin": live_server.settings.origin,
    }
    expect(post_frame.locator("#query")).to_have_text("")
    assert page.locator(".pop-panel[data-kind=call] iframe").nth(1).get_attribute("src") is None

    # Signed: the sample page verifies the HMAC with the shared secret.
    pop_tabs(page).nth(2).click()
    signature = page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=2").locator(
        "#signature"
    )
    expect(signature).to_have_attribute("class", "valid")

    # Internal: agentdesk's own custom page with the interface's data, typed and masked.
    pop_tabs(page).nth(3).click()
    internal = page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=3")
    expect(internal.get_by_text("张三")).to_be_visible()
    expect(internal.get_by_text("*******0001")).to_be_visible()  # phone: last four shown
    expect(internal.get_by_text("预付费")).to_be_visible()  # dictionary value for key 1
    # Internal: the base-table row whose encrypted index is the caller number.
    pop_tabs(page).nth(4).click()
    member = page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=4")
    expect(member.get_by_text("张三 Zhang San")).to_be_visible()
    expect(member.get_by_text("1101**************")).to_be_visible()  # encrypted, first four
    expect(member.get_by_text("金卡 Gold")).to_be_visible()  # dictionary label

    # The next call's pops replace these.
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    expect(state(page)).to_have_attribute("data-state", "acw")
    expect(pop_tabs(page)).to_have_count(5)  # still there during after-call work
    page.get_by_role("button", name="Ready").click()
    second = place_call(sim, caller="13900000009")
    expect(pop_tabs(page).first).to_have_attribute("data-callid", second["callid"])
    expect(pop_tabs(page)).to_have_count(5)
    assert page.js_errors == []


@pytest.mark.parametrize(
    ("button", "mode"),
    [
        ("callout-json-array", "audio"),
        ("callout-object-array", "video"),
        ("callout-json-object", "audio"),
        ("callout-object-object", "video"),
    ],
)
def test_each_callout_form_places_the_call_through_the_toolbar(
    live_server, pops, new_page, login_as, button, mode
):
    _examples, _admin, sim = pops
    page = workbench(new_page("en"), live_server.url, login_as)
    call = place_call(sim)
    expect(pop_tabs(page)).to_have_count(5)
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    expect(state(page)).to_have_attribute("data-state", "acw")

    frame = page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=0")
    frame.locator("#callout-number").fill("88880523")
    frame.locator(f"#{button}").click()
    expect(state(page)).to_have_attribute("data-state", "dialing")
    expect(page.locator('[data-call="calledNum"]')).to_have_text("88880523")
    expect(page.locator('[data-call="mediaType"]')).to_have_attribute("data-value", mode)
    expect(page.locator('[data-call="direction"]')).to_have_text("Outbound")
    assert page.js_errors == []


def test_callouts_from_other_windows_or_origins_do_nothing(live_server, pops, new_page, login_as):
    examples, _admin, sim = pops
    page = workbench(new_page("en"), live_server.url, login_as)
    call = place_call(sim)
    expect(pop_tabs(page)).to_have_count(5)
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    expect(state(page)).to_have_attribute("data-state", "acw")  # dialling is allowed now

    message = "{name: 'callout', param: ['88880523', 'audio']}"
    # 1. The workbench window itself (e.g. an injected script or extension).
    page.evaluate(f"window.postMessage({message}, location.origin)")
    # 2. An iframe of the same whitelisted origin that the workbench did not open as a pop.
    page.evaluate(
        """(src) => new Promise((done) => {
            const frame = document.createElement('iframe');
            frame.id = 'stranger'; frame.src = src; frame.onload = done;
            document.body.append(frame);
        })""",
        f"{examples.origin}/customer.html?origin={live_server.settings.origin}",
    )
    page.frame_locator("#stranger").locator("#callout-json-array").click()
    # 3. A pop iframe that navigated to another origin (the workbench's own): wrong origin.
    pop = page.locator(".pop-panel[data-kind=call] iframe").nth(0)
    pop.evaluate("(frame, url) => { frame.src = url; }", f"{live_server.url}/login")
    expect(
        page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=0").locator("#login-form")
    ).to_be_visible()
    page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=0").locator("body").evaluate(
        f"(_, target) => top.postMessage({message}, target)", live_server.settings.origin
    )
    # 4. A valid pop page with a bad number.
    pop_tabs(page).nth(1).click()
    post_frame = page.frame_locator(".pop-panel[data-kind=call] iframe >> nth=1")
    post_frame.locator("#callout-number").fill("12ab")
    post_frame.locator("#callout-json-array").click()

    page.wait_for_timeout(1000)
    # A dial would have made an outbound call the toolbar's current call.
    expect(page.locator('[data-call="callid"]')).to_have_text(call["callid"])
    expect(page.locator('[data-call="direction"]')).to_have_text("Inbound")
    assert page.locator('[data-field="state"]').get_attribute("data-state") in ("acw", "idle")
    assert page.js_errors == []


def test_independent_and_unlisted_pages(live_server, pops, new_page, login_as):
    examples, admin, sim = pops
    items = admin.get(POPS).json()["items"]
    first = items[0]
    body = {k: first[k] for k in ("tab", "name", "page_type", "url", "integration", "enabled")}
    changed = admin.put(f"{POPS}/{first['id']}", json={**body, "open_mode": "independent"})
    assert changed.status_code == 200, changed.text
    stranger = admin.post(
        POPS,
        json={
            "name": "Not listed",
            "url": f"http://127.0.0.1:{examples.port + 1}/x",
            "enabled": True,
        },
    )
    assert stranger.status_code == 201, stranger.text

    page = workbench(new_page("en"), live_server.url, login_as)
    with page.context.expect_page() as popup_info:
        call = place_call(sim)
    popup = popup_info.value
    # The window opens blank (so it gets no opener) and then loads the page.
    popup.wait_for_url(f"{examples.origin}/customer.html?**")
    assert f"callid={call['callid']}" in popup.url
    assert popup.evaluate("window.opener") is None

    expect(pop_tabs(page)).to_have_count(6)
    unlisted = page.locator(".pop-panel[data-kind=call]").nth(5)
    expect(unlisted).to_have_attribute("data-status", "blocked")
    expect(unlisted).to_contain_text("whitelist")
    expect(unlisted.locator("iframe")).to_have_count(0)
    assert page.js_errors == []
