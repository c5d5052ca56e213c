"""Screen-pop administration in a real browser (R-POP): the operations admin's address
whitelist and the tenant admin's pop pages, parameters, checks and "try it"."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support import pops, seed
from tests.support.pops import PageServer

pytestmark = pytest.mark.browser


@pytest.fixture
def page_server():
    with PageServer() as server:
        yield server


@pytest.fixture
def tenant(live_server, seeded):
    """A tenant admin plus the operations admin's API token, on the live server."""
    admin = seeded(seed.tenant_with_admin)
    ops_token = seeded(seed.ops_admin)
    return {"admin": admin, "ops": ops_token}


def open_screen_pops(page: Page, base_url: str, login_as, query: str = "") -> None:
    login_as(page, base_url, "admin@acme", "admin-pass-1")
    page.get_by_role("link", name="Screen pop").click()
    expect(page).to_have_url(re.compile(r"/config/screen-pops$"))
    if query:
        page.goto(f"{base_url}/config/screen-pops?{query}")
    expect(page.locator("[data-limit] [data-count]")).to_be_visible()


def row(page: Page, name: str):
    return page.locator("#resource tbody tr", has=page.locator("[data-name]", has_text=name))


def names_in_order(page: Page) -> list[str]:
    return page.locator("#resource tbody [data-name]").all_inner_texts()


def new_page_dialog(page: Page, name: str, url: str, integration: str = "URL GET"):
    page.get_by_role("button", name="New pop page").click()
    dialog = page.get_by_role("dialog", name="New pop page")
    dialog.get_by_label("Page name").fill(name)
    dialog.get_by_label("URL", exact=True).fill(url)
    dialog.get_by_label("Integration").select_option(label=integration)
    return dialog


def test_ops_admin_adds_whitelist_entries_and_a_bad_pattern_is_refused(
    live_server, page, login_as, seeded
):
    seeded(seed.ops_admin)
    login_as(page, live_server.url, "ops", "ops-pass-1")
    page.get_by_role("link", name="Address whitelist").click()
    expect(page).to_have_url(re.compile(r"/ops/whitelist$"))
    expect(page.get_by_role("heading", name="Address whitelist")).to_be_visible()
    expect(page.get_by_text("scheme + host + port")).to_be_visible()
    expect(page.locator("tbody tr.empty")).to_be_visible()

    page.get_by_role("button", name="New whitelist entry").click()
    dialog = page.get_by_role("dialog", name="New whitelist entry")
    pattern = dialog.get_by_label("Pattern")
    pattern.fill("https://good.*.com")
    dialog.get_by_role("button", name="Save").click()
    error = dialog.locator('[data-error="pattern"]')
    expect(error).to_contain_text("wildcard")
    expect(pattern).to_have_class(re.compile(r"\binvalid\b"))
    expect(dialog).to_be_visible()

    pattern.fill("https://crm.example.com/app/")
    dialog.get_by_label("Note").fill("CRM")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    entry = page.locator("tbody tr", has_text="https://crm.example.com/app/")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("CRM")

    page.get_by_role("button", name="New whitelist entry").click()
    dialog = page.get_by_role("dialog", name="New whitelist entry")
    dialog.get_by_label("Pattern").fill("http://10.0.0.5:8080")
    dialog.get_by_label("Let the page check reach private / loopback addresses").check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    private = page.locator("tbody tr", has_text="http://10.0.0.5:8080")
    expect(private).to_contain_text("Allowed")
    assert page.js_errors == []


def test_tenant_admin_configures_pages_parameters_order_and_enabled(
    live_server, page, login_as, tenant, page_server
):
    pops.whitelist(live_server.url, tenant["ops"], page_server.url, allow_private=True)
    open_screen_pops(page, live_server.url, login_as)
    audio = page.get_by_role("tab", name="Audio-video")
    expect(audio).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Multimedia")).to_have_attribute("aria-selected", "false")
    expect(page.locator("[data-limit] [data-count]")).to_have_text("0 / 5")
    for header in ("#", "Name", "URL", "Media type", "Page type", "Open mode", "Integration"):
        expect(page.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Check", exact=True)).to_be_visible()

    # An internal page needs a published custom page instead of a URL; none exists yet.
    dialog = new_page_dialog(page, "CRM", f"{page_server.url}/page")
    dialog.get_by_label("Page type").select_option(label="Internal page")
    expect(dialog.get_by_label("URL", exact=True)).to_be_hidden()
    expect(dialog.get_by_label("Custom page")).to_be_visible()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator('[data-error="custom_page_id"]')).to_contain_text("published custom page")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Page type").select_option(label="External page")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    crm = row(page, "CRM")
    expect(crm).to_have_count(1)
    expect(crm.locator("[data-position]")).to_have_text("1")
    expect(crm).to_contain_text("Audio-video")
    expect(crm).to_contain_text("External page")
    expect(crm).to_contain_text("URL GET")
    expect(crm.locator('[data-check="whitelist"]')).to_have_text("whitelisted")
    expect(crm.locator('[data-check="reachable"]')).to_have_text("reachable (HTTP 200)")
    expect(crm.locator('[data-check="framing"]')).to_have_text("framing allowed")
    expect(crm.locator('[data-check="https"]')).to_have_text("not HTTPS")
    expect(crm.locator("[data-check-advice]")).to_contain_text("HTTPS")
    expect(page.locator("[data-limit] [data-count]")).to_have_text("1 / 5")

    # A page that forbids framing: the check says so and advises independent mode.
    new_page_dialog(page, "Orders", f"{page_server.url}/deny").get_by_role(
        "button", name="Save"
    ).click()
    orders = row(page, "Orders")
    expect(orders.locator('[data-check="framing"]')).to_have_text("framing forbidden")
    expect(orders.locator("[data-check-reason]")).to_contain_text("X-Frame-Options: DENY")
    expect(orders.locator("[data-check-advice]")).to_contain_text("use independent mode")
    orders.get_by_role("button", name="Check Orders").click()
    expect(page.get_by_role("status").first).to_contain_text("Checked: Orders")

    # Parameters: none configured → the nine defaults; then one call-data, one attached-data.
    crm.get_by_role("button", name="Parameters CRM").click()
    params = page.get_by_role("dialog", name="Parameters: CRM")
    expect(params.locator("[data-defaults]")).to_contain_text(
        "None configured: the nine default parameters are sent"
    )
    expect(params.locator("[data-defaults]")).to_contain_text("callerNum, calledNum, callid")
    expect(params.locator("[data-param-limit] [data-count]")).to_have_text("0 / 10")
    params.get_by_role("button", name="New parameter").click()
    form = page.get_by_role("dialog", name="New parameter")
    form.get_by_label("URL parameter name").fill("caller")
    expect(form.get_by_label("Source type")).to_have_value("call_data")
    key = form.locator('select[name="key_call"]')
    expect(key.locator("option")).to_have_count(10)  # "Choose…" + the nine keys
    key.select_option("callerNum")
    form.get_by_role("button", name="Submit").click()
    expect(form).to_be_hidden()
    expect(params.locator("tbody tr", has_text="caller")).to_contain_text("Call data")

    params.get_by_role("button", name="New parameter").click()
    form = page.get_by_role("dialog", name="New parameter")
    form.get_by_label("URL parameter name").fill("when")
    form.get_by_label("Source type").select_option(label="Attached data")
    expect(form.locator('select[name="key_call"]')).to_be_hidden()
    form.locator('input[name="key_attached"]').fill("time")
    form.get_by_role("button", name="Submit").click()
    expect(form).to_be_hidden()
    attached = params.locator("tbody tr", has_text="when")
    expect(attached).to_contain_text("Attached data")
    expect(attached).to_contain_text("time")
    expect(params.locator("[data-param-limit] [data-count]")).to_have_text("2 / 10")

    # A duplicate name is refused next to the name.
    params.get_by_role("button", name="New parameter").click()
    form = page.get_by_role("dialog", name="New parameter")
    form.get_by_label("URL parameter name").fill("caller")
    form.locator('select[name="key_call"]').select_option("callid")
    form.get_by_role("button", name="Submit").click()
    expect(form.locator('[data-error="name"]')).to_contain_text("already")
    form.get_by_role("button", name="Cancel").click()
    params.get_by_role("button", name="Close").click()
    expect(params).to_be_hidden()
    expect(crm.locator("[data-param-count]")).to_have_text("2 parameters")

    # Order: Down / Up swap the two pages; the ends cannot move further.
    assert names_in_order(page) == ["CRM", "Orders"]
    expect(crm.get_by_role("button", name="Up CRM")).to_be_disabled()
    crm.get_by_role("button", name="Down CRM").click()
    expect(page.locator("#resource tbody tr").first).to_contain_text("Orders")
    assert names_in_order(page) == ["Orders", "CRM"]
    expect(row(page, "CRM").locator("[data-position]")).to_have_text("2")
    row(page, "CRM").get_by_role("button", name="Up CRM").click()
    expect(page.locator("#resource tbody tr").first).to_contain_text("CRM")
    assert names_in_order(page) == ["CRM", "Orders"]

    # Enabled toggle: stored on the server (still on after a reload).
    switch = page.get_by_role("switch", name="Enabled Orders")
    expect(switch).not_to_be_checked()
    switch.click()
    expect(page.get_by_role("status").first).to_contain_text("Enabled: Orders")
    page.reload()
    expect(page.get_by_role("switch", name="Enabled Orders")).to_be_checked()
    expect(page.get_by_role("switch", name="Enabled CRM")).not_to_be_checked()

    # Try it: the final URL carries the configured parameters and origin; the page loads.
    row(page, "CRM").get_by_role("button", name="Try it CRM").click()
    trial = page.get_by_role("dialog", name="Try it: CRM")
    expect(trial.get_by_label("Caller number (callerNum)")).to_have_value("13800000001")
    trial.get_by_label("Caller number (callerNum)").fill("13900000002")
    trial.get_by_label("Attached data (one key=value per line)").fill("time=10:30\naddress=Main St")
    trial.get_by_role("button", name="Open").click()
    final = trial.locator("[data-final-url]")
    expect(final).to_contain_text(f"{page_server.url}/page?")
    expect(final).to_contain_text("caller=13900000002")
    expect(final).to_contain_text(f"origin={live_server.url}")
    sent = trial.locator("table[data-sent]")
    expect(sent.locator("tbody tr", has_text="when")).to_contain_text("10:30")
    expect(sent.locator("tbody tr")).to_have_count(3)  # caller, when, origin
    frame_el = trial.locator("iframe")
    expect(frame_el).to_have_attribute(
        "sandbox", "allow-scripts allow-forms allow-same-origin allow-popups"
    )
    expect(frame_el).to_have_attribute("data-loaded", "true")
    frame = trial.frame_locator("iframe")
    expect(frame.locator("#p-caller")).to_have_text("13900000002")
    expect(frame.locator("#p-when")).to_have_text("10:30")
    expect(frame.locator("#p-origin")).to_have_text(live_server.url)
    assert page.js_errors == []


def test_the_per_tab_limit_disables_new_with_the_reason(
    live_server, page, login_as, tenant, page_server
):
    pops.set_system_parameter(live_server.url, tenant["ops"], "max_pop_pages_per_tab", 1)
    pops.whitelist(live_server.url, tenant["ops"], page_server.url, allow_private=True)
    open_screen_pops(page, live_server.url, login_as)
    expect(page.locator("[data-limit] [data-count]")).to_have_text("0 / 1")
    new_page_dialog(page, "CRM", f"{page_server.url}/page").get_by_role(
        "button", name="Save"
    ).click()
    expect(row(page, "CRM")).to_have_count(1)
    expect(page.locator("[data-limit] [data-count]")).to_have_text("1 / 1")
    new = page.get_by_role("button", name="New pop page")
    expect(new).to_be_disabled()
    expect(page.locator("#pop-limit-note")).to_contain_text("limit of 1 pop pages")
    expect(new).to_have_attribute("aria-describedby", "pop-limit-note")

    # The limit is per tab: the multimedia tab still has room.
    page.get_by_role("tab", name="Multimedia").click()
    expect(page).to_have_url(re.compile(r"\?tab=multimedia$"))
    expect(page.locator("[data-limit] [data-count]")).to_have_text("0 / 1")
    expect(new).to_be_enabled()
    expect(page.locator("tbody tr.empty")).to_be_visible()
    new_page_dialog(page, "Chat CRM", f"{page_server.url}/page").get_by_role(
        "button", name="Save"
    ).click()
    expect(row(page, "Chat CRM")).to_contain_text("Multimedia")
    expect(new).to_be_disabled()
    page.reload()
    expect(page.get_by_role("tab", name="Multimedia")).to_have_attribute("aria-selected", "true")
    expect(row(page, "Chat CRM")).to_have_count(1)
    assert page.js_errors == []


def test_a_page_outside_the_whitelist_is_flagged_in_the_list_and_in_try_it(
    live_server, page, login_as, tenant
):
    open_screen_pops(page, live_server.url, login_as)
    new_page_dialog(page, "Elsewhere", "https://not-listed.example.com/crm").get_by_role(
        "button", name="Save"
    ).click()
    elsewhere = row(page, "Elsewhere")
    expect(elsewhere.locator('[data-check="whitelist"]')).to_have_text(
        "not in the address whitelist"
    )
    elsewhere.get_by_role("button", name="Try it Elsewhere").click()
    trial = page.get_by_role("dialog", name="Try it: Elsewhere")
    expect(trial.locator("[data-not-whitelisted]")).to_contain_text("not in the address whitelist")
    trial.get_by_role("button", name="Open").click()
    expect(trial.locator("[data-blocked]")).to_contain_text("not in the address whitelist")
    expect(trial.locator("iframe")).to_have_count(0)
    assert page.js_errors == []


def test_try_it_posts_the_form_into_the_frame_and_signing_can_stop(
    live_server, page, login_as, tenant, page_server
):
    pops.whitelist(live_server.url, tenant["ops"], page_server.url, allow_private=True)
    open_screen_pops(page, live_server.url, login_as)
    dialog = new_page_dialog(page, "Tickets", f"{page_server.url}/page", integration="URL POST")
    dialog.get_by_label("Signing secret (optional)").fill("short")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator('[data-error="secret"]')).not_to_be_empty()
    dialog.get_by_label("Signing secret (optional)").fill("a-long-enough-secret-1234")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    tickets = row(page, "Tickets")
    expect(tickets.locator("[data-signed]")).to_have_text("signed")

    tickets.get_by_role("button", name="Try it Tickets").click()
    trial = page.get_by_role("dialog", name="Try it: Tickets")
    trial.get_by_role("button", name="Open").click()
    final = trial.locator("[data-final-url]")
    expect(final).to_have_text(f"{page_server.url}/page")
    fields = trial.locator("table[data-sent]")
    expect(fields.locator("tbody tr", has_text="callerNum")).to_contain_text("13800000001")
    expect(fields.locator("tbody tr", has_text="adk_sig")).to_have_count(1)
    frame = trial.frame_locator("iframe")
    expect(frame.locator("#method")).to_have_text("POST")
    expect(frame.locator("#p-callerNum")).to_have_text("13800000001")
    expect(frame.locator("#p-origin")).to_have_text(live_server.url)
    expect(frame.locator("#p-adk_sig")).to_have_count(1)
    trial.get_by_role("button", name="Close").click()

    # Edit: the secret is write-only; "stop signing" removes it.
    tickets.get_by_role("button", name="Edit Tickets").click()
    edit = page.get_by_role("dialog", name="Edit pop page Tickets")
    expect(edit.get_by_label("Signing secret (optional)")).to_have_value("")
    expect(edit.locator("[data-signed]")).to_have_text("signed")
    edit.get_by_role("button", name="Stop signing").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Stop signing").click()
    expect(edit.locator("[data-unsigned]")).to_have_text("not signed")
    edit.get_by_role("button", name="Cancel").click()
    expect(tickets.locator("[data-signed]")).to_have_count(0)

    # Delete asks first.
    tickets.get_by_role("button", name="Delete Tickets").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(row(page, "Tickets")).to_have_count(0)
    expect(page.locator("[data-limit] [data-count]")).to_have_text("0 / 5")
    assert page.js_errors == []
