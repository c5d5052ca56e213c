"""Verification methods [身份验证流程] and records [身份认证记录] (R-IDV-1, R-IDV-4), on SQLite
and PostgreSQL: CRUD and the enable toggle, codes unique per tenant, flows of the tenant,
the three permissions (tenant admins have them, custom roles get them granted), records
filtered, exported as formula-safe CSV and scoped to the tenant."""

import csv
import io
from datetime import datetime, timedelta

from agentdesk.verification import service
from agentdesk.verification.answer import VerifyAnswer
from agentdesk.verification.models import VerificationMethod
from tests.support import seed
from tests.support.agents import login

METHODS = "/api/config/verification-methods"
RECORDS = "/api/config/verification-records"
FLOWS = "/api/config/ivr-flows"
RELEASE = {"start": "bye", "steps": [{"id": "bye", "type": "release"}]}


def tenant(server, code: str):
    info = seed.tenant_with_admin(server.settings.database_url, code)
    client = server.client(headers={"Authorization": f"Bearer {info['token']}"})
    client.tenant_id = info["tenant_id"]
    return client


def flow(client, name: str, publish: bool = True) -> int:
    created = client.post(FLOWS, json={"name": name, "definition": RELEASE})
    assert created.status_code == 201, created.text
    if publish:
        assert client.post(f"{FLOWS}/{created.json()['id']}/publish").status_code == 200
    return created.json()["id"]


def refused(response, field: str, rule: str) -> str:
    assert response.status_code == 422, response.text
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert field in errors, errors
    assert errors[field]["rule"] == rule, errors
    return errors[field]["message"]


def test_methods_crud_enable_toggle_and_rules(server):
    with tenant(server, "acme") as acme:
        flow_id = flow(acme, "shenfenyanzheng")
        draft_only = flow(acme, "draft", publish=False)
        body = {"name": "kahaoyanzheng", "code": "CARDVERIFY", "flow_id": flow_id}
        created = acme.post(METHODS, json=body)
        assert created.status_code == 201, created.text
        method = created.json()
        assert method["enabled"] is True and method["flow_name"] == "shenfenyanzheng"
        refused(acme.post(METHODS, json={**body, "name": "other"}), "code", "unique")
        refused(acme.post(METHODS, json={**body, "code": "OTHER"}), "name", "unique")
        for code in ("CARD VERIFY", "卡号", "", "x" * 33, "A-B"):
            refused(acme.post(METHODS, json={**body, "name": "n", "code": code}), "code",
                    "string_pattern_mismatch")  # fmt: skip
        refused(acme.post(METHODS, json={**body, "name": "n", "code": "N", "flow_id": 999999}),
                "flow_id", "not_found")  # fmt: skip
        zh = refused(acme.post(METHODS, json={"name": "n", "code": "N", "flow_id": draft_only},
                               headers={"Accept-Language": "zh"}), "enabled", "not_published")  # fmt: skip
        assert "请先发布流程 draft" in zh
        disabled = acme.post(METHODS, json={"name": "n", "code": "N", "flow_id": draft_only,
                                            "enabled": False})  # fmt: skip
        assert disabled.status_code == 201 and disabled.json()["enabled"] is False
        toggle = f"{METHODS}/{disabled.json()['id']}/enabled"
        refused(acme.put(toggle, json={"enabled": True}), "enabled", "not_published")

        url = f"{METHODS}/{method['id']}"
        off = acme.put(f"{url}/enabled", json={"enabled": False})
        assert off.status_code == 200 and off.json()["enabled"] is False
        assert acme.put(f"{url}/enabled", json={"enabled": True}).json()["enabled"] is True
        edited = acme.put(url, json={**body, "name": "kahao", "code": "CARD_2"})
        assert edited.status_code == 200 and edited.json()["code"] == "CARD_2"
        listing = acme.get(METHODS).json()
        assert [m["name"] for m in listing["items"]] == ["kahao", "n"]

        in_use = acme.delete(f"{FLOWS}/{flow_id}")
        assert in_use.status_code == 409 and in_use.json()["code"] == "in_use"
        assert acme.delete(url).status_code == 204
        assert acme.delete(f"{FLOWS}/{flow_id}").status_code == 204


def test_codes_are_unique_per_tenant_and_flows_must_be_the_tenants_own(server):
    with tenant(server, "acme") as acme, tenant(server, "globex") as globex:
        acme_flow = flow(acme, "f")
        globex_flow = flow(globex, "f")
        body = {"name": "kahaoyanzheng", "code": "CARDVERIFY"}
        assert acme.post(METHODS, json={**body, "flow_id": acme_flow}).status_code == 201
        refused(globex.post(METHODS, json={**body, "flow_id": acme_flow}), "flow_id", "not_found")
        assert globex.post(METHODS, json={**body, "flow_id": globex_flow}).status_code == 201
        mine = acme.get(METHODS).json()["items"][0]
        assert globex.get(f"{METHODS}/{mine['id']}").status_code == 404
        assert (
            globex.put(f"{METHODS}/{mine['id']}/enabled", json={"enabled": False}).status_code
            == 404
        )
        assert globex.delete(f"{METHODS}/{mine['id']}").status_code == 404
        assert acme.get(f"{METHODS}/{mine['id']}").json()["enabled"] is True


T0 = datetime(2026, 12, 1, 9, 0, 0)


def seed_records(url: str, tenant_id: int, rows: list[dict]) -> None:
    """Records as the runtime writes them: start_record, then end_record."""

    async def make(session):
        method = VerificationMethod(tenant_id=tenant_id, name="kahaoyanzheng", code="CARDVERIFY",
                                    flow_id=rows[0]["flow_id"], enabled=True)  # fmt: skip
        session.add(method)
        await session.flush()
        for row in rows:
            record = service.start_record(
                session, tenant_id, started_at=row["at"], callid=row["callid"],
                caller=row.get("caller", "13800000001"), agent_work_no=row["work_no"],
                method=method,
            )  # fmt: skip
            if "result" in row:
                service.end_record(record, ended_at=row["at"] + timedelta(seconds=42),
                                   answer=VerifyAnswer(row["result"], row.get("returns", ("", "", ""))),
                                   reason=row.get("reason", "completed"))  # fmt: skip

    seed.run(url, make)


def test_records_filter_export_and_scope(server):
    url = server.settings.database_url
    with tenant(server, "acme") as acme, tenant(server, "globex") as globex:
        flow_id = flow(acme, "f")
        seed_records(url, acme.tenant_id, [
            {"flow_id": flow_id, "at": T0, "callid": "c-1", "work_no": "101", "result": "1",
             "returns": ("=HYPERLINK(\"http://evil\")", "VIP", "")},
            {"flow_id": flow_id, "at": T0 + timedelta(hours=1), "callid": "c-2", "work_no": "102",
             "result": "2"},
            {"flow_id": flow_id, "at": T0 + timedelta(hours=2), "callid": "c-3", "work_no": "101",
             "result": "3", "reason": "customer_hung_up"},
            {"flow_id": flow_id, "at": T0 + timedelta(hours=3), "callid": "c-4", "work_no": "101"},
        ])  # fmt: skip
        everything = acme.get(RECORDS).json()
        assert everything["total"] == 4
        assert [r["callid"] for r in everything["items"]] == ["c-4", "c-3", "c-2", "c-1"]
        first = everything["items"][-1]
        assert first["method_name"] == "kahaoyanzheng" and first["method_code"] == "CARDVERIFY"
        assert first["duration_seconds"] == 42 and first["return2"] == "VIP"
        assert first["caller"] == "13800000001" and first["ended_reason"] == "completed"
        running = everything["items"][0]
        assert (
            running["result"] == "0" and running["ended_reason"] == "" and not running["ended_at"]
        )

        def callids(**query) -> list[str]:
            response = acme.get(RECORDS, params=query)
            assert response.status_code == 200, response.text
            return [r["callid"] for r in response.json()["items"]]

        assert callids(work_no="101") == ["c-4", "c-3", "c-1"]
        assert callids(result="2") == ["c-2"]
        assert callids(callid="c-3") == ["c-3"]
        assert callids(method_code="CARDVERIFY", **{"from": "2026-12-01T09:30:00",
                                                   "to": "2026-12-01T11:30:00"}) == ["c-3", "c-2"]  # fmt: skip
        assert callids(method_code="OTHER") == []
        assert callids(page=2, page_size=3) == ["c-1"]
        refused(acme.get(RECORDS, params={"result": "5"}), "result", "string_pattern_mismatch")
        refused(
            acme.get(RECORDS, params={"from": "yesterday"}), "from", "datetime_from_date_parsing"
        )

        export = acme.get(f"{RECORDS}/export.csv", params={"work_no": "101"},
                          headers={"Accept-Language": "en"})  # fmt: skip
        assert export.status_code == 200
        assert export.headers["content-type"].startswith("text/csv")
        assert "attachment" in export.headers["content-disposition"]
        text = export.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text[1:])))
        assert rows[0][:3] == ["Time (UTC)", "Call ID", "Caller"]
        assert [r[1] for r in rows[1:]] == ["c-1", "c-3", "c-4"]
        assert rows[1][7] == '\'=HYPERLINK("http://evil")'  # formula-safe
        assert rows[1][6] == "1 passed" and rows[2][11] == "customer hung up"
        zh = acme.get(f"{RECORDS}/export.csv", headers={"Accept-Language": "zh"}).content.decode()
        assert "验证方式编码" in zh and "客户挂机" in zh

        assert globex.get(RECORDS).json()["total"] == 0
        assert globex.get(RECORDS, params={"callid": "c-1"}).json()["items"] == []
        gx = globex.get(f"{RECORDS}/export.csv").content.decode()
        assert "c-1" not in gx


def test_permissions_are_tenant_admins_and_grantable_to_custom_roles(server):
    with tenant(server, "acme") as acme:
        me = acme.get("/api/auth/me").json()["permissions"]
        assert {"verification.perform", "verification.configure", "verification.records"} <= set(me)
        labels = {p["key"]: p for p in acme.get("/api/config/permissions").json()["items"]}
        assert labels["verification.records"]["label_zh"] == "身份认证记录查询"
        role = acme.post("/api/config/roles", json={"name": "auditors",
                                                    "permissions": ["verification.records"]})  # fmt: skip
        assert role.status_code == 201, role.text
        for name, custom in (("carol", role.json()["id"]), ("dave", None)):
            body = {
                "username": name,
                "password": f"{name}-pass-1",
                "role": "custom" if custom else "agent",
            }
            if custom:
                body["custom_role_id"] = custom
            assert acme.post("/api/config/users", json=body).status_code == 201
    carol = login(server.url, "carol", "carol-pass-1")
    dave = login(server.url, "dave", "dave-pass-1")
    try:
        assert carol.get(RECORDS).status_code == 200
        assert carol.get(f"{RECORDS}/export.csv").status_code == 200
        assert carol.get(METHODS).status_code == 403
        assert carol.get(FLOWS).status_code == 403
        for path in (RECORDS, f"{RECORDS}/export.csv", METHODS):
            assert dave.get(path).status_code == 403, path
    finally:
        carol.close()
        dave.close()
