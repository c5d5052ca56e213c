"""The audio/video workbench [音视频工作台] in a real browser, driven by simulated customers."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from agentdesk.config_center.agents.models import Agent as AgentRow
from tests.browser.conftest import off_loop
from tests.support import seed
from tests.support.agents import customer, place_call, seed_demo

pytestmark = pytest.mark.browser


def manual_answer(url: str, work_no: int) -> None:
    """Turn off auto-answer for one demo agent so the test sees the call ring."""

    async def change(session):
        await session.execute(
            update(AgentRow).where(AgentRow.work_no == work_no).values(auto_answer=False)
        )

    seed.run(url, change)


def state_of(page: Page):
    return page.locator('[data-field="state"]')


def open_workbench(page: Page, base_url: str, login_as, username: str, password: str) -> None:
    login_as(page, base_url, username, password)
    page.goto(f"{base_url}/workbench")
    expect(page.locator('[data-field="connection"]')).to_have_attribute("data-up", "1")


@pytest.fixture
def demo(live_server, sqlite_url):
    off_loop(seed_demo, sqlite_url)
    off_loop(manual_answer, sqlite_url, 101)
    with customer(live_server.url, live_server.settings.sim_token) as sim:
        yield sim


def test_agent_takes_a_simulated_call_from_ringing_to_idle_and_a_second_tab_follows(
    live_server, demo, new_page, login_as
):
    first = new_page("en")
    open_workbench(first, live_server.url, login_as, "agent101", "agent-demo-101")
    expect(first.locator('[data-field="workNo"]')).to_have_text("101")
    expect(state_of(first)).to_have_attribute("data-state", "signed_out")

    # The second tab shares the login (same browser context) and must stay in step.
    second = first.context.new_page()
    second.goto(f"{live_server.url}/workbench")
    expect(second.locator('[data-field="connection"]')).to_have_attribute("data-up", "1")

    first.get_by_role("button", name="Sign in").click()
    for page in (first, second):
        expect(state_of(page)).to_have_attribute("data-state", "idle")

    call = place_call(demo, caller="13800000001", data={"orderNo": "A-1"})
    for page in (first, second):
        expect(state_of(page)).to_have_attribute("data-state", "ringing")
        expect(page.locator('[data-call="callid"]')).to_have_text(call["callid"])
        expect(page.locator('[data-call="callerNum"]')).to_have_text("13800000001")
    expect(first.locator('[data-call="calldata"]')).to_have_text("orderNo=A-1")

    # Answer from the second tab: the first follows.
    second.get_by_role("button", name="Answer").click()
    for page in (first, second):
        expect(state_of(page)).to_have_attribute("data-state", "talking")
    expect(first.get_by_role("button", name="Hang up")).to_be_enabled()

    response = demo.post(f"/api/sim/calls/{call['callid']}/hangup")
    assert response.status_code == 200, response.text
    for page in (first, second):
        expect(state_of(page)).to_have_attribute("data-state", "acw")
        expect(page.locator('[data-field="acw"]')).to_be_visible()

    # The demo queue's after-call work is 5 s: the countdown shows and goes down.
    left = first.locator('[data-field="acwLeft"]')
    expect(left).to_have_text(re.compile(r"^[345]$"))
    expect(left).to_have_text(re.compile(r"^[012]$"), timeout=6_000)
    for page in (first, second):
        expect(state_of(page)).to_have_attribute("data-state", "idle", timeout=8_000)
        expect(page.locator('[data-field="acw"]')).to_be_hidden()
    assert first.js_errors == []


def test_agent_dials_out_and_the_toolbar_follows_the_customer(
    live_server, demo, new_page, login_as
):
    page = new_page("en")
    open_workbench(page, live_server.url, login_as, "agent102", "agent-demo-102")
    page.get_by_role("button", name="Sign in").click()
    expect(state_of(page)).to_have_attribute("data-state", "idle")

    dial = page.locator("#dial-form")
    dial.get_by_label("Number to call").fill("12ab")
    dial.get_by_role("button", name="Call").click()
    expect(dial.locator('[data-error="number"]')).to_contain_text("3-24 digits")
    expect(state_of(page)).to_have_attribute("data-state", "idle")

    dial.get_by_label("Number to call").fill("13900000002")
    dial.get_by_role("button", name="Call").click()
    expect(state_of(page)).to_have_attribute("data-state", "dialing")
    callid = page.locator('[data-call="callid"]').inner_text()
    expect(page.locator('[data-call="direction"]')).to_have_text("Outbound")

    assert demo.post(f"/api/sim/calls/{callid}/answer").status_code == 200
    expect(state_of(page)).to_have_attribute("data-state", "talking")
    page.get_by_role("button", name="Hang up").click()
    expect(state_of(page)).to_have_attribute("data-state", "acw")
    assert page.js_errors == []
