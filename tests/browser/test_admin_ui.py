"""The admin consoles in a real browser: configuration center and operations console."""

import re

import pytest
from playwright.sync_api import expect

from tests.support import seed

pytestmark = pytest.mark.browser


def test_tenant_admin_creates_a_skill_queue_after_fixing_the_name(
    live_server, page, login_as, seeded
):
    seeded(seed.tenant_with_admin)
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    expect(page).to_have_url(re.compile(r"/config$"))
    expect(page.get_by_role("heading", name="Skill queues")).to_be_visible()
    expect(page.locator("tbody tr.empty")).to_be_visible()

    page.get_by_role("button", name="New skill queue").click()
    dialog = page.get_by_role("dialog", name="New skill queue")
    name = dialog.get_by_label("Name", exact=True)
    expect(name).to_be_focused()
    expect(dialog.get_by_label("Max wait (s)")).to_have_value("60")
    expect(dialog.get_by_text("1–60000")).to_be_visible()
    name.fill("bad name")
    name.press("Enter")

    error = dialog.locator('[data-error="name"]')
    expect(error).not_to_be_empty()
    expect(name).to_have_class(re.compile(r"\binvalid\b"))
    expect(dialog).to_be_visible()

    name.fill("sales")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    row = page.locator("tbody tr", has_text="sales")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Voice")
    expect(page.get_by_role("status")).to_contain_text("sales")
    assert page.js_errors == []


def test_ops_admin_changes_a_system_parameter_and_out_of_range_is_refused(
    live_server, page, login_as, seeded
):
    seeded(seed.ops_admin)
    login_as(page, live_server.url, "ops", "ops-pass-1")
    expect(page).to_have_url(re.compile(r"/ops$"))
    page.get_by_role("link", name="System parameters").click()
    expect(page).to_have_url(re.compile(r"/ops/system-parameters$"))

    row = page.locator("tbody tr", has_text="max_skill_queues")
    expect(row.locator(".range")).to_have_text("1–1000")
    row.get_by_role("button", name="Change").click()
    dialog = page.get_by_role("dialog", name="Change system parameter")
    value = dialog.get_by_label("Max skill queues per tenant")
    value.fill("5000")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator('[data-error="value"]')).to_contain_text("1000")
    expect(value).to_have_class(re.compile(r"\binvalid\b"))

    value.fill("300")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(row.locator("[data-value]")).to_have_text("300")
    assert page.js_errors == []


def test_config_center_speaks_chinese_and_refuses_other_roles(
    live_server, new_page, login_as, seeded
):
    seeded(seed.tenant_with_admin)
    seeded(seed.ops_admin)
    page = new_page("zh")
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    nav = page.get_by_role("navigation", name="配置中心")
    for label in ("技能队列", "被叫配置", "座席管理", "业务账号", "角色", "接触记录"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    # The first admin page of a fresh server waits for /openapi.json to be built (~1 s CPU).
    expect(page.get_by_role("columnheader", name="最大等待时间(秒)")).to_be_visible(timeout=15_000)
    response = page.goto(f"{live_server.url}/ops")
    assert response.status == 403
    expect(page.get_by_role("heading", name="没有权限")).to_be_visible()

    other = new_page("en")
    other.goto(f"{live_server.url}/config/agents")
    expect(other).to_have_url(re.compile(r"/login\?next=/config/agents$"))
