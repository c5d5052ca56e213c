"""IVR flows [流程管理] and identity verification [身份认证] in the configuration center, in a
real browser: the designer's diagram, publish refusing an invalid flow naming the step, Try it
against a real local HTTP interface, verification methods CRUD and the records page with
its filter and CSV export, in English and Chinese."""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agentdesk.verification import service as verification
from agentdesk.verification.answer import VerifyAnswer
from agentdesk.verification.models import VerificationMethod
from tests.browser.conftest import off_loop
from tests.support import seed
from tests.support.sites import AppSite

pytestmark = pytest.mark.browser


def verify_app(hits: list) -> Starlette:
    async def verify(request: Request):
        body = await request.json()
        hits.append(body)
        data = body.get("calldata", {})
        ok = data.get("cardNo") == "1234" and data.get("pin") == "9876"
        return JSONResponse({"calldata": {"data": {"verifyResult": 1 if ok else 2}}})

    return Starlette(routes=[Route("/api/verify-card", verify, methods=["POST"])])


@pytest.fixture(scope="module")
def interface_site():
    hits: list = []
    with AppSite(verify_app(hits)) as site:
        site.hits = hits
        yield site


def register_interface(live_server, seeded, url: str, tenant_id: int) -> int:
    token = seeded(seed.ops_admin)
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}
    ) as ops:
        body = {"name": "verify-card", "url": url, "timeout_ms": 2000, "allow_private": True,
                "tenant_ids": [tenant_id]}  # fmt: skip
        response = ops.post("/api/ops/interfaces", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]


def flow_definition(interface_id: int) -> dict:
    return {"start": "card", "steps": [
        {"id": "card", "type": "collect", "prompt": "Card number then #", "key": "cardNo",
         "min_length": 4, "max_length": 19, "terminator": "#", "next": "pin",
         "on_failure": "bye"},
        {"id": "pin", "type": "collect", "prompt": "PIN then #", "key": "pin", "min_length": 4,
         "max_length": 6, "terminator": "#", "masked": True, "next": "check",
         "on_failure": "bye"},
        {"id": "check", "type": "interface", "interface_id": interface_id, "timeout_seconds": 2,
         "body": {"calldata": {"verifyServiceNo": "{{verifyServiceNo}}", "cardNo": "{{cardNo}}",
                               "pin": "{{pin}}"}},
         "map": {"verifyResult": "calldata.data.verifyResult"}, "next": "ret",
         "on_error": "ret"},
        {"id": "ret", "type": "return_to_agent"},
        {"id": "bye", "type": "release", "prompt": "Goodbye"},
    ]}  # fmt: skip


def test_flow_designer_diagram_publish_refusal_and_try_it(
    live_server, page, login_as, seeded, interface_site
):
    acme = seeded(seed.tenant_with_admin)
    interface_id = register_interface(live_server, seeded,
                                      f"{interface_site.origin}/api/verify-card", acme["tenant_id"])  # fmt: skip
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    page.get_by_role("link", name="IVR flows").click()
    expect(page).to_have_url(re.compile(r"/config/ivr-flows$"))
    expect(page.get_by_role("heading", name="IVR flows")).to_be_visible()

    page.get_by_role("button", name="New IVR flow").click()
    dialog = page.get_by_role("dialog", name="New IVR flow")
    dialog.get_by_label("Name", exact=True).fill("shenfenyanzheng")
    dialog.get_by_role("button", name="Save").click()
    row = page.locator("tbody tr", has_text="shenfenyanzheng")
    expect(row).to_contain_text("Draft")

    row.get_by_role("button", name="Design").click()
    designer = page.get_by_role("dialog", name="Design flow shenfenyanzheng")
    broken = flow_definition(interface_id)
    broken["steps"][1]["next"] = "nowhere"
    designer.get_by_label("Flow definition (JSON)").fill(json.dumps(broken, indent=2))
    designer.get_by_role("button", name="Check").click()
    svg = designer.locator("svg.flow-diagram")
    for step in ("card", "pin", "check", "ret", "bye"):
        expect(svg.locator(f'[data-step="{step}"]')).to_have_count(1)
    expect(svg.locator('[data-step="card"]')).to_contain_text("Collect digits")
    expect(svg.locator('[data-edge="card>pin"]')).to_contain_text("next")
    expect(svg.locator('[data-edge="pin>nowhere"]')).to_have_class(re.compile("missing"))
    expect(designer.locator('[data-problem="pin:next:unknown_step"]')).to_contain_text("step pin")

    designer.get_by_role("button", name="Publish").click()
    status = designer.locator("[data-status]")
    expect(status).to_contain_text("Cannot publish")
    expect(status).to_contain_text("step pin")
    expect(status).to_contain_text("nowhere")

    designer.get_by_label("Flow definition (JSON)").fill(json.dumps(flow_definition(interface_id)))
    designer.get_by_role("button", name="Publish").click()
    expect(status).to_have_text("Published")
    expect(designer.locator("[data-problems-ok]")).to_be_visible()
    expect(designer.locator("[data-version]")).to_have_text("Published version 1")
    designer.get_by_role("button", name="Close").click()
    expect(row).to_contain_text("Published v1")

    row.get_by_role("button", name="Try it").click()
    trial = page.get_by_role("dialog", name="Try shenfenyanzheng")
    trial.get_by_label("Version").select_option("published")
    trial.get_by_role("button", name="Start").click()
    log = trial.locator("[data-log]")
    expect(log.locator('[data-kind="say"]').first).to_contain_text("Card number then #")
    keys = trial.get_by_label("Keys", exact=True)
    keys.fill("1234#")
    keys.press("Enter")
    expect(log.locator('[data-kind="say"]').nth(1)).to_contain_text("PIN then #")
    keys.fill("9876#")
    trial.get_by_role("button", name="Send keys").click()
    request = log.locator("[data-request]")
    expect(request).to_be_visible()
    sent = json.loads(request.inner_text())
    expected = {"calldata": {"verifyServiceNo": "88880011", "cardNo": "1234", "pin": "9876"}}
    assert sent == expected
    assert interface_site.hits[-1] == expected  # performed for real
    answer = json.loads(log.locator("[data-answer]").inner_text())
    assert answer == {"calldata": {"data": {"verifyResult": 1}}}
    expect(log.locator('[data-kind="answer"]')).to_contain_text("HTTP 200")
    expect(log.locator('[data-kind="end"]')).to_contain_text("Return to agent")
    expect(trial.locator("[data-path]")).to_have_text("card → pin → check → ret")
    expect(trial.locator("[data-data]")).to_contain_text('"verifyResult":"1"')
    expect(trial.locator("[data-data]")).not_to_contain_text("9876")
    expect(keys).to_be_disabled()
    assert page.js_errors == []


def test_try_it_time_out_and_the_designer_in_chinese(live_server, new_page, login_as, seeded):
    seeded(seed.tenant_with_admin)
    page = new_page("zh")
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    page.goto(f"{live_server.url}/config/ivr-flows")
    expect(page.get_by_role("heading", name="流程管理")).to_be_visible()
    page.get_by_role("button", name="新建流程").click()
    dialog = page.get_by_role("dialog", name="新建流程")
    dialog.get_by_label("名称", exact=True).fill("huanying")
    dialog.get_by_role("button", name="保存").click()
    row = page.locator("tbody tr", has_text="huanying")
    row.get_by_role("button", name="设计").click()
    designer = page.get_by_role("dialog", name="设计流程 huanying")
    designer.get_by_label("添加步骤").select_option("menu")
    designer.get_by_role("button", name="添加", exact=True).click()
    expect(designer.locator('svg.flow-diagram [data-step="menu1"]')).to_contain_text("菜单")
    expect(designer.locator("[data-problems] li").first).to_contain_text("步骤 menu1")
    definition = {"start": "m", "steps": [
        {"id": "m", "type": "menu", "prompt": "欢迎致电，按1转人工", "options": {"1": "bye"},
         "default": "bye", "retries": 1, "timeout_seconds": 30},
        {"id": "bye", "type": "release", "prompt": "再见"},
    ]}  # fmt: skip
    designer.get_by_label("流程定义（JSON）").fill(json.dumps(definition, ensure_ascii=False))
    designer.get_by_role("button", name="保存草稿").click()
    expect(designer.locator("[data-status]")).to_have_text("草稿已保存")
    expect(designer.locator("[data-problems-ok]")).to_be_visible()
    designer.get_by_role("button", name="关闭").click()

    row.get_by_role("button", name="试运行").click()
    trial = page.get_by_role("dialog", name="试运行 huanying")
    trial.get_by_role("button", name="开始").click()
    log = trial.locator("[data-log]")
    expect(log.locator('[data-kind="say"]')).to_have_count(1)
    expect(log.locator('[data-kind="say"]').first).to_contain_text("欢迎致电")
    trial.get_by_role("button", name="立即超时").click()
    expect(log.locator('[data-kind="say"]')).to_have_count(2)  # prompted again: one retry
    trial.get_by_role("button", name="立即超时").click()
    expect(log.locator('[data-kind="end"]')).to_contain_text("再见")
    expect(trial.locator("[data-path]")).to_have_text("m → bye")
    expect(trial.locator("[data-status]")).to_have_text("流程已结束")
    assert page.js_errors == []


def seed_records(url: str, tenant_id: int, flow_id: int) -> None:
    t0 = datetime(2026, 12, 1, 9, 0, 0)

    async def make(session):
        method = VerificationMethod(tenant_id=tenant_id, name="kahaoyanzheng", code="CARDVERIFY",
                                    flow_id=flow_id, enabled=True)  # fmt: skip
        session.add(method)
        await session.flush()
        for n, (work_no, result) in enumerate([("101", "1"), ("102", "2"), ("101", "3")]):
            at = t0 + timedelta(minutes=n)
            record = verification.start_record(session, tenant_id, started_at=at,
                callid=f"call-{n}", caller="13800000001", agent_work_no=work_no, method=method)  # fmt: skip
            verification.end_record(record, ended_at=at + timedelta(seconds=30),
                                    answer=VerifyAnswer(result, ("=cmd", "", "")), reason="completed")  # fmt: skip

    seed.run(url, make)


def test_methods_crud_and_records_filter_and_export(live_server, page, login_as, seeded):
    acme = seeded(seed.tenant_with_admin)
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    api = page.request
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "agentdesk_csrf")
    headers = {"X-CSRF-Token": csrf}
    release = {"start": "bye", "steps": [{"id": "bye", "type": "release"}]}
    flows = {}
    for name in ("shenfenyanzheng", "draft"):
        created = api.post(f"{live_server.url}/api/config/ivr-flows", headers=headers,
                           data={"name": name, "definition": release})  # fmt: skip
        assert created.status == 201, created.text()
        flows[name] = created.json()["id"]
    assert api.post(f"{live_server.url}/api/config/ivr-flows/{flows['shenfenyanzheng']}/publish",
                    headers=headers).status == 200  # fmt: skip

    page.get_by_role("link", name="Verification methods").click()
    page.get_by_role("button", name="New verification method").click()
    dialog = page.get_by_role("dialog", name="New verification method")
    dialog.get_by_label("Method name").fill("kahaoyanzheng")
    dialog.get_by_label("Method code").fill("CARD VERIFY")
    dialog.get_by_label("Verification flow").select_option(label="draft")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator('[data-error="code"]')).not_to_be_empty()
    dialog.get_by_label("Method code").fill("CARDVERIFY")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator('[data-error="enabled"]')).to_contain_text("publish IVR flow draft")
    dialog.get_by_label("Verification flow").select_option(label="shenfenyanzheng")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    row = page.locator("tbody tr", has_text="kahaoyanzheng")
    expect(row).to_contain_text("CARDVERIFY")
    expect(row).to_contain_text("shenfenyanzheng")
    toggle = row.get_by_role("checkbox", name="Enable kahaoyanzheng")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    expect(page.get_by_role("status")).to_have_text("Disabled")
    page.reload()
    expect(
        page.locator("tbody tr", has_text="kahaoyanzheng").get_by_role("checkbox")
    ).not_to_be_checked()
    row = page.locator("tbody tr", has_text="kahaoyanzheng")
    row.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.locator("tbody tr.empty")).to_be_visible()

    off_loop(seed_records, live_server.settings.database_url, acme["tenant_id"],
             flows["shenfenyanzheng"])  # fmt: skip
    page.get_by_role("link", name="Verification records").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    filters = page.locator("form.filters")
    filters.get_by_label("Agent work number").fill("101")
    filters.get_by_label("Result").select_option("3")
    filters.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("call-2")
    expect(page.locator("tbody tr [data-result]")).to_have_text("Error")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "call-2" in lines[1] and "call-0" not in text
    assert ",'=cmd," in lines[1]  # formula-safe
    assert page.js_errors == []


def test_records_page_in_chinese(live_server, new_page, login_as, seeded):
    seeded(seed.tenant_with_admin)
    page = new_page("zh")
    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    page.goto(f"{live_server.url}/config/verification-records")
    expect(page.get_by_role("heading", name="身份认证记录")).to_be_visible()
    expect(page.locator("tbody tr.empty")).to_contain_text("还没有身份认证记录")
    page.goto(f"{live_server.url}/config/verification-methods")
    expect(page.get_by_role("heading", name="身份验证流程")).to_be_visible()
    expect(page.get_by_role("button", name="新建身份验证流程")).to_be_visible()
    assert page.js_errors == []
