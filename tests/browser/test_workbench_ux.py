"""The audio/video workbench's daily-work polish (issue 12, items 2, 3, 6, 7) in real Chromium:
no-call panel, translated values, one error that clears, the previous call's pages marked,
timers, announcements, keyboard shortcuts and pop-tab keys, one-row toolbar at 1280 px."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import off_loop
from tests.browser.test_workbench import manual_answer, open_workbench, state_of
from tests.support.agents import customer, place_call, seed_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def sim(live_server, sqlite_url):
    off_loop(seed_demo, sqlite_url)
    off_loop(manual_answer, sqlite_url, 101)
    with customer(live_server.url, live_server.settings.sim_token) as client:
        yield client


def signed_in(page: Page, base_url: str, login_as) -> Page:
    open_workbench(page, base_url, login_as, "agent101", "agent-demo-101")
    page.get_by_role("button", name=re.compile("Sign in|签入")).click()
    expect(state_of(page)).to_have_attribute("data-state", "idle")
    return page


def test_with_no_call_the_panel_says_only_no_call(live_server, sim, new_page, login_as):
    page = signed_in(new_page("en"), live_server.url, login_as)
    expect(page.locator('[data-field="callEmpty"]')).to_be_visible()
    expect(page.locator('[data-field="call"]')).to_be_hidden()
    expect(page.get_by_text("Direction")).to_be_hidden()


def test_values_are_translated_and_timers_advance(live_server, sim, new_page, login_as):
    page = signed_in(new_page("zh"), live_server.url, login_as)
    place_call(sim, media="video", called="9603581")
    expect(state_of(page)).to_have_attribute("data-state", "ringing")
    page.keyboard.press("Alt+A")  # answer
    expect(state_of(page)).to_have_attribute("data-state", "talking")
    media = page.locator('[data-call="mediaType"]')
    expect(media).to_have_text("视频")
    expect(media).to_have_attribute("data-value", "video")
    expect(page.locator('[data-call="state"]')).to_have_text("通话中")
    talk = page.locator('[data-call="talkTime"]')
    expect(talk).to_have_text(re.compile(r"^0:0[0-9]$"))
    expect(talk).to_have_text(re.compile(r"^0:0[2-9]$"), timeout=5000)
    expect(page.locator('[data-field="stateTimer"]')).to_have_text(re.compile(r"^0:0[1-9]$"))
    expect(page.locator('[data-field="announce"]')).to_have_text("状态: 通话中")
    assert page.js_errors == []


def test_one_error_in_the_ui_language_gone_at_the_next_action(live_server, sim, new_page, login_as):
    page = signed_in(new_page("zh"), live_server.url, login_as)
    form = page.locator("#dial-form")
    form.locator("[name=number]").fill("12ab")
    form.locator("button[type=submit]").click()
    slot = form.locator('[data-error="number"]')
    expect(slot).to_have_text("号码须为 3–24 位数字，可以 + 开头")
    expect(page.locator('[data-field="error"]')).to_have_text("")
    page.get_by_role("button", name="示忙").click()
    expect(state_of(page)).to_have_attribute("data-state", "busy")
    expect(slot).to_have_text("")
    expect(form.locator("[name=number]")).not_to_have_class(re.compile("invalid"))


def test_the_previous_calls_pages_say_so_and_the_ended_call_moves_to_a_line(
    live_server, sim, new_page, login_as
):
    page = signed_in(new_page("en"), live_server.url, login_as)
    call = place_call(sim)
    expect(state_of(page)).to_have_attribute("data-state", "ringing")
    page.get_by_role("button", name="Answer").click()
    tabs = page.locator(f'#pop-tabs [data-kind="call"][data-callid="{call["callid"]}"]')
    expect(tabs.first).to_be_visible()
    first_tab = tabs.first
    expect(first_tab).to_contain_text(f"call …{call['callid'][-4:]}")
    assert "13800000001 → 960358" in first_tab.get_attribute("title")
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    expect(state_of(page)).to_have_attribute("data-state", "acw")
    expect(first_tab).to_have_attribute("data-previous", "1")
    expect(first_tab).to_have_attribute("title", re.compile("previous call$"))
    expect(page.locator('[data-field="callEmpty"]')).to_be_visible()
    previous = page.locator('[data-field="previousCall"]')
    expect(previous).to_contain_text("Previous call: 13800000001")
    expect(previous).to_contain_text(call["callid"])


def test_keyboard_shortcuts_help_and_pop_tab_keys(live_server, sim, new_page, login_as):
    page = signed_in(new_page("en"), live_server.url, login_as)
    page.keyboard.press("Alt+B")
    expect(state_of(page)).to_have_attribute("data-state", "busy")
    page.keyboard.press("Alt+R")
    expect(state_of(page)).to_have_attribute("data-state", "idle")

    page.keyboard.press("Shift+?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Hang up")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    call = place_call(sim)
    expect(state_of(page)).to_have_attribute("data-state", "ringing")
    page.keyboard.press("Alt+A")
    expect(state_of(page)).to_have_attribute("data-state", "talking")
    page.keyboard.press("Alt+O")
    expect(state_of(page)).to_have_attribute("data-state", "held")
    expect(page.get_by_role("button", name="Hold")).to_be_hidden()
    page.keyboard.press("Alt+O")
    expect(state_of(page)).to_have_attribute("data-state", "talking")

    tabs = page.locator('#pop-tabs [role="tab"]')
    expect(page.locator(f'#pop-tabs [data-callid="{call["callid"]}"]').first).to_be_visible()
    tabs.first.focus()
    tabs.first.press("ArrowRight")
    expect(tabs.nth(1)).to_be_focused()
    expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")
    tabs.nth(1).press("End")
    expect(tabs.last).to_have_attribute("aria-selected", "true")
    tabs.last.press("ArrowRight")
    expect(tabs.first).to_have_attribute("aria-selected", "true")

    page.keyboard.press("Alt+H")
    expect(state_of(page)).to_have_attribute("data-state", "acw")
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_toolbar_fits_on_one_row_at_1280(live_server, sim, new_page, login_as, lang):
    page = new_page(lang)
    page.set_viewport_size({"width": 1280, "height": 720})
    signed_in(page, live_server.url, login_as)
    for state in ("idle", "acw"):
        if state == "acw":
            call = place_call(sim)
            page.locator('[data-action="answer"]').click()
            expect(state_of(page)).to_have_attribute("data-state", "talking")
            sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
            expect(state_of(page)).to_have_attribute("data-state", "acw")
        # One row: every group's vertical middle lies within the first group's height.
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('#toolbar > .tb-group')].map((group) => {
                 const r = group.getBoundingClientRect();
                 return [r.top, r.bottom];
               })"""
        )
        top, bottom = boxes[0]
        assert all(top <= (t + b) / 2 <= bottom for t, b in boxes), (state, boxes)


def test_after_call_work_extend_and_finish_now(live_server, sim, new_page, login_as):
    page = signed_in(new_page("en"), live_server.url, login_as)
    call = place_call(sim)
    expect(state_of(page)).to_have_attribute("data-state", "ringing")
    page.get_by_role("button", name="Answer").click()
    expect(state_of(page)).to_have_attribute("data-state", "talking")
    controls = page.get_by_role("group", name="After-call work")
    expect(controls).to_be_hidden()
    sim.post(f"/api/sim/calls/{call['callid']}/hangup").raise_for_status()
    expect(state_of(page)).to_have_attribute("data-state", "acw")
    left = page.locator('[data-field="acwLeft"]')
    expect(controls).to_be_visible()
    controls.get_by_role("button", name="+30 s").click()
    expect(left).to_have_text(re.compile(r"^(3[0-5])$"))
    controls.get_by_role("button", name="Finish now").click()
    expect(state_of(page)).to_have_attribute("data-state", "idle")
    expect(controls).to_be_hidden()
    assert page.js_errors == []


def test_every_page_has_the_product_icon(live_server, sim, new_page, login_as):
    page = new_page("en")
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server.url}/login")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(live_server.url + icon).ok
    assert page.request.get(f"{live_server.url}/favicon.ico").url.endswith("/static/favicon.svg")
    assert failed == []
