"""Base tables in a real browser (R-TBL-1, R-TBL-2): a tenant admin creates a table, adds
its fields, publishes it, imports a CSV and sees the import reach "done" and the rows masked;
a file with a bad row fails as a whole and names the line, the field and the reason."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support import seed

pytestmark = pytest.mark.browser

GOOD = (
    "\ufeff手机号,姓名,证件号,级别\r\n"
    "13800000001,张三丰大侠,110101199001011234,1\r\n"
    "13800000002,李四,220101199001015678,2\r\n"
).encode()
BAD = ("手机号,姓名,证件号,级别\r\n13800000003,王五,1,1\r\n13800000004,赵六,1,9\r\n").encode()


def add_field(page: Page, name: str, *, index=False, encrypted=False, length=None,
              mask_style=None, items=()) -> None:  # fmt: skip
    fields = page.get_by_role("dialog", name=re.compile("Fields of"))
    fields.get_by_role("button", name="New field").click()
    form = page.get_by_role("dialog", name="New field")
    form.get_by_label("Field name").fill(name)
    if items:
        form.get_by_label("Type").select_option(label="Dictionary")
        for key, value in items:
            form.get_by_role("button", name="Add item").click()
            line = form.locator(".row-line").last
            line.get_by_label("Key").fill(key)
            line.get_by_label("Value").fill(value)
    if index:
        form.get_by_label("Index field").check()
    if encrypted:
        form.get_by_label("Encrypted").check()
    if length is not None:
        form.get_by_label("Length").fill(str(length))
    if mask_style:
        form.get_by_label("Mask display").check()
        form.get_by_label("Mask style").select_option(label=mask_style)
    form.get_by_role("button", name="Save").click()
    expect(form).to_be_hidden()
    expect(fields.locator("tbody tr", has_text=name)).to_be_visible()


def test_create_publish_import_and_see_masked_rows(live_server, page, login_as, seeded):
    seeded(seed.tenant_with_admin)
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    page.get_by_role("link", name="Base tables").click()
    expect(page).to_have_url(re.compile(r"/config/base-tables$"))
    expect(page.locator("[data-limit] [data-count]")).to_have_text("0 / 5")

    page.get_by_role("button", name="New base table").click()
    dialog = page.get_by_role("dialog", name="New base table")
    dialog.get_by_label("Name").fill("客户")
    dialog.get_by_label("Description").fill("来电客户资料")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    table_row = page.locator("#resource tbody tr", has=page.locator("[data-name]", has_text="客户"))
    expect(table_row.locator("[data-status]")).to_have_text("Draft")

    table_row.get_by_role("button", name="Fields 客户").click()
    fields = page.get_by_role("dialog", name=re.compile("Fields of"))
    add_field(page, "手机号", index=True, length=20)
    add_field(page, "姓名", length=10, mask_style="Show first 4")
    add_field(page, "证件号", encrypted=True, length=18, mask_style="Show last 4")
    add_field(page, "级别", items=[("1", "金卡"), ("2", "银卡")])
    # a second index field is refused next to the field, and the dialog stays open
    fields.get_by_role("button", name="New field").click()
    form = page.get_by_role("dialog", name="New field")
    form.get_by_label("Field name").fill("备用号码")
    form.get_by_label("Index field").check()
    form.get_by_label("Length").fill("20")
    form.get_by_role("button", name="Save").click()
    expect(form.locator('[data-error="index"]')).to_contain_text("at most 1 index field")
    form.get_by_role("button", name="Cancel").click()
    expect(fields.locator("[data-counts]")).to_contain_text("1 index, 2 ordinary, 1 encrypted")
    fields.get_by_role("button", name="Close").click()

    expect(table_row.locator("[data-field-count]")).to_have_attribute("data-field-count", "4")
    table_row.get_by_role("button", name="Publish 客户").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Publish").click()
    expect(table_row.locator("[data-status]")).to_have_text("Published")

    page.get_by_role("link", name="Table data").click()
    expect(page.locator("#table-pick")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#template-link")).to_have_attribute("href", re.compile(r"/template\.csv$"))
    with page.expect_download() as download:
        page.locator("#template-link").click()
    assert download.value.suggested_filename == "客户.csv"

    # a bad file name is refused before uploading
    page.locator("#import-file").set_input_files(
        {"name": "客户 资料.csv", "mimeType": "text/csv", "buffer": GOOD}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator('[data-error="file"]')).to_contain_text("file name may contain only")

    page.locator("#import-file").set_input_files(
        {"name": "客户_1.csv", "mimeType": "text/csv", "buffer": GOOD}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("[data-import-status]")).to_have_attribute("data-import-status", "done")
    expect(page.locator("[data-import-progress]")).to_have_attribute("value", "100")
    expect(page.locator("[data-imported]")).to_have_text("2")
    expect(page.locator("#rows-pager [data-total]")).to_have_attribute("data-total", "2")
    first = page.locator("#rows tbody tr").first
    expect(first).to_contain_text("13800000001")
    expect(first).to_contain_text("张三丰大*")
    expect(first).to_contain_text("**************1234")
    expect(first).to_contain_text("金卡")
    expect(page.locator("#rows tbody")).not_to_contain_text("110101199001011234")

    page.locator("#rows-q").fill("13800000002")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    expect(page.locator("#rows tbody tr").first).to_contain_text("银卡")

    # a refused row fails the whole file: nothing imported, line, field and reason shown
    page.locator("#import-file").set_input_files(
        {"name": "客户_2.csv", "mimeType": "text/csv", "buffer": BAD}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("[data-import-status]")).to_have_attribute("data-import-status", "failed")
    refused = page.locator("[data-rejected] tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.first).to_contain_text("3")
    expect(refused.first).to_contain_text("级别")
    expect(refused.first).to_have_attribute("data-rule", "dictionary")
    expect(refused.first).to_contain_text("Not a key of the value range")
    expect(page.locator("[data-import-error]")).to_contain_text("nothing of the file was imported")
    expect(page.locator("[data-imported]")).to_have_text("0")
    expect(page.locator("#history tbody tr")).to_have_count(2)
    # the refused lines download as CSV (issue 8, item 12)
    with page.expect_download() as download:
        page.locator("[data-rejected-csv]").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.locator("#rows-q").fill("")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#rows-pager [data-total]")).to_have_attribute("data-total", "2")

    # "Replace all rows" asks first, with the current and the new row counts (item 12)
    one = "\ufeff手机号,姓名,证件号,级别\r\n13800000009,周九,330101199001019999,1\r\n".encode()
    page.get_by_label("Replace all rows").check()
    page.locator("#import-file").set_input_files(
        {"name": "客户_3.csv", "mimeType": "text/csv", "buffer": one}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("the table's 2 row(s) will be deleted")
    expect(confirm).to_contain_text("the file's 1 row(s) imported")
    confirm.get_by_role("button", name="Cancel").click()
    expect(page.locator("#history tbody tr")).to_have_count(2)  # nothing was started
    expect(page.locator("#rows-pager [data-total]")).to_have_attribute("data-total", "2")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Replace").click()
    expect(page.locator("[data-import-status]")).to_have_attribute("data-import-status", "done")
    expect(page.locator("#rows-pager [data-total]")).to_have_attribute("data-total", "1")
    assert page.js_errors == []
