"""Screen-pop configuration and what a call opens (R-POP, R-WB-3, R-WB-5), through the API.

Runs on SQLite and PostgreSQL. The demo tenant brings agents 101-103, the sample pages
(whitelisted) and the demo admin."""

import hashlib
import hmac
from urllib.parse import quote

import pytest

from agentdesk.cli.demo import DEMO_POP_SECRET, EXAMPLES_ORIGIN
from agentdesk.config_center.screenpop.popparams import CALL_DATA_KEYS, query_params
from tests.support import seed
from tests.support.agents import Agent, customer, login, place_call, seed_demo

POPS = "/api/config/screen-pops"


@pytest.fixture
def demo(server):
    seed_demo(server.settings.database_url)
    admin = login(server.url, "demo-admin")
    ops_token = seed.ops_admin(server.settings.database_url, username="ops2")
    ops = server.client(headers={"Authorization": f"Bearer {ops_token}"})
    sim = customer(server.url, server.settings.sim_token)
    yield admin, ops, sim
    for client in (admin, ops, sim):
        client.close()


def refused(response, field: str, rule: str) -> str:
    assert response.status_code == 422, response.text
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors[field]["rule"] == rule, errors
    return errors[field]["message"]


def pages(admin, tab="audio_video") -> list[dict]:
    response = admin.get(POPS, params={"tab": tab})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def new_page(admin, **fields) -> dict:
    body = {"name": "CRM", "url": f"{EXAMPLES_ORIGIN}/customer.html", "enabled": True, **fields}
    response = admin.post(POPS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def answered_call(server, sim, **extra) -> tuple[Agent, dict]:
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    call = place_call(sim, **extra)  # demo agents answer automatically
    return agent, call


def pops_for(agent: Agent, callid: str) -> list[dict]:
    response = agent.http.get("/api/workbench/pops", params={"callid": callid})
    assert response.status_code == 200, response.text
    return response.json()["pages"]


def test_demo_pops_open_in_list_order_with_their_parameters(server, demo):
    admin, _ops, sim = demo
    agent, call = answered_call(server, sim, data={"orderNo": "A-1001"})
    opened = pops_for(agent, call["callid"])
    # The disabled "refuses framing" page is not opened; the others in list order.
    assert [p["name"] for p in opened] == [
        p["name"] for p in pages(admin) if p["enabled"] and p["integration"] != "webapi"
    ]
    customer_page, ticket, signed, *internal = opened
    assert [p["page_type"] for p in internal] == ["internal", "internal"]
    assert all(p["status"] == "open" for p in internal)
    assert customer_page["status"] == "open" and customer_page["method"] == "GET"
    received = dict(query_params(customer_page["url"]))
    assert list(received) == [*CALL_DATA_KEYS, "origin"]
    assert received["callid"] == call["callid"] and received["callerNum"] == "13800000001"
    assert received["mediaType"] == "1" and received["callType"] == "0"
    assert received["workNo"] == "101" and received["agentName"] == "agent101"
    assert received["callskill"] == "defaultVoiceSkill"
    assert received["origin"] == server.settings.origin
    assert customer_page["page_origin"] == EXAMPLES_ORIGIN

    # POST: exactly the configured parameters, in the form, nothing in the URL.
    assert ticket["method"] == "POST" and ticket["url"] == f"{EXAMPLES_ORIGIN}/pop/post"
    assert ticket["fields"] == [
        ["caller", "13800000001"],
        ["id", call["callid"]],
        ["order", "A-1001"],
        ["origin", server.settings.origin],
    ]

    # Signed: the page's server can recompute the signature with the shared secret.
    values = dict(query_params(signed["url"]))
    text = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}"
        for k, v in sorted(values.items())
        if k != "adk_sig"
    )
    digest = hmac.new(DEMO_POP_SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()
    assert values["adk_sig"] == digest and values["adk_ts"].isdigit()
    agent.close()


def test_configuration_changes_apply_to_the_next_call_without_re_login(server, demo):
    admin, _ops, sim = demo
    agent, first = answered_call(server, sim)
    before = [p["id"] for p in pops_for(agent, first["callid"])]
    items = pages(admin)
    # Move the third page up and disable the first.
    assert admin.post(f"{POPS}/{items[2]['id']}/move", json={"direction": "up"}).status_code == 200
    assert (
        admin.post(f"{POPS}/{items[0]['id']}/enabled", json={"enabled": False}).status_code == 200
    )
    sim.post(f"/api/sim/calls/{first['callid']}/hangup").raise_for_status()
    agent.act("ready-state", {"state": "idle"})
    second = place_call(sim)
    after = [p["id"] for p in pops_for(agent, second["callid"])]
    internal = [p["id"] for p in items if p["page_type"] == "internal"]
    assert before == [items[0]["id"], items[1]["id"], items[2]["id"], *internal]
    assert after == [items[2]["id"], items[1]["id"], *internal]
    agent.close()


def test_a_page_outside_the_whitelist_is_blocked_with_the_reason(server, demo):
    admin, _ops, sim = demo
    page = new_page(admin, name="Elsewhere", url="https://crm.example.com/c?x=1")
    assert page["whitelisted"] is False and page["check_result"] is None
    agent, call = answered_call(server, sim)
    blocked = [p for p in pops_for(agent, call["callid"]) if p["id"] == page["id"]][0]
    assert blocked["status"] == "blocked" and "whitelist" in blocked["reason"]
    assert blocked["url"] == "" and blocked["fields"] == []
    agent.close()


def test_pops_of_another_agents_call_are_not_found(server, demo):
    _admin, _ops, sim = demo
    agent, call = answered_call(server, sim)
    other = Agent(server.url, "agent102")
    assert (
        other.http.get("/api/workbench/pops", params={"callid": call["callid"]}).status_code == 404
    )
    agent.close()
    other.close()


def test_page_rules_and_the_per_tab_limit(server, demo):
    admin, ops, _sim = demo
    assert "http" in refused(
        admin.post(POPS, json={"name": "x", "url": "ftp://a.b/"}), "url", "format"
    )
    refused(admin.post(POPS, json={"name": "", "url": "https://a.b/"}), "name", "string_too_short")
    refused(
        admin.post(
            POPS,
            json={
                "name": "x",
                "url": "https://a.b/",
                "integration": "webapi",
                "open_mode": "independent",
            },
        ),
        "open_mode",
        "embed_only",
    )
    refused(
        admin.post(POPS, json={"name": "x", "url": "https://a.b/", "page_type": "internal"}),
        "custom_page_id",
        "required",
    )
    refused(
        admin.post(POPS, json={"name": "x", "url": "https://a.b/", "secret": "short"}),
        "secret",
        "string_too_short",
    )
    # The demo shows every kind of page and raises the limit to 8.
    for n in range(8 - len(pages(admin))):
        new_page(admin, name=f"Extra {n}")
    message = refused(
        admin.post(POPS, json={"name": "Ninth", "url": "https://a.b/"}), "tab", "limit"
    )
    assert "8" in message
    # The multimedia tab has its own count.
    assert new_page(admin, name="Chat CRM", tab="multimedia")["tab"] == "multimedia"
    # Lowering the system parameter applies to the next creation.
    assert (
        ops.put("/api/ops/system-parameters/max_pop_pages_per_tab", json={"value": 1}).status_code
        == 200
    )
    refused(
        admin.post(POPS, json={"name": "2nd", "url": "https://a.b/", "tab": "multimedia"}),
        "tab",
        "limit",
    )


def test_moving_deleting_and_secrets(server, demo):
    admin, _ops, _sim = demo
    first, second = pages(admin)[:2]
    # The top page cannot go further up; moving the second up swaps them.
    admin.post(f"{POPS}/{first['id']}/move", json={"direction": "up"})
    assert [p["id"] for p in pages(admin)[:2]] == [first["id"], second["id"]]
    admin.post(f"{POPS}/{second['id']}/move", json={"direction": "up"})
    assert [p["id"] for p in pages(admin)[:2]] == [second["id"], first["id"]]
    count = len(pages(admin))
    assert admin.delete(f"{POPS}/{second['id']}").status_code == 204
    assert [p["position"] for p in pages(admin)] == list(range(1, count))
    # The secret is write-only; an edit without one keeps it; it can be cleared.
    signed = [p for p in pages(admin) if p["signed"]][0]
    body = {
        k: signed[k]
        for k in ("tab", "name", "page_type", "open_mode", "url", "integration", "enabled")
    }
    response = admin.put(f"{POPS}/{signed['id']}", json={**body, "name": "Renamed"})
    assert response.status_code == 200 and response.json()["signed"] is True
    assert "secret" not in response.json()
    assert admin.delete(f"{POPS}/{signed['id']}/secret").json()["signed"] is False


def test_parameters_rules_and_limit(server, demo):
    admin, ops, _sim = demo
    page = pages(admin)[0]
    base = f"{POPS}/{page['id']}/params"
    listing = admin.get(base).json()
    assert listing["items"] == [] and listing["limit"] == 10
    assert listing["call_data_keys"] == list(CALL_DATA_KEYS)
    ok = admin.post(base, json={"name": "caller", "source": "call_data", "key": "callerNum"})
    assert ok.status_code == 201, ok.text
    assert (
        admin.post(base, json={"name": "t", "source": "attached_data", "key": "time"}).status_code
        == 201
    )
    refused(
        admin.post(base, json={"name": "c", "source": "call_data", "key": "time"}), "key", "one_of"
    )
    refused(
        admin.post(base, json={"name": "caller", "source": "call_data", "key": "callid"}),
        "name",
        "unique",
    )
    refused(
        admin.post(base, json={"name": "a b", "source": "call_data", "key": "callid"}),
        "name",
        "string_pattern_mismatch",
    )
    ops.put("/api/ops/system-parameters/max_pop_params_per_page", json={"value": 2})
    assert "2" in refused(
        admin.post(base, json={"name": "x", "source": "call_data", "key": "callid"}),
        "name",
        "limit",
    )
    param_id = ok.json()["id"]
    changed = admin.put(
        f"{base}/{param_id}", json={"name": "from", "source": "call_data", "key": "callerNum"}
    )
    assert changed.status_code == 200 and changed.json()["name"] == "from"
    assert admin.delete(f"{base}/{param_id}").status_code == 204
    assert [p["name"] for p in admin.get(base).json()["items"]] == ["t"]


def test_preview_builds_exactly_what_the_workbench_would(server, demo):
    admin, _ops, _sim = demo
    page = new_page(admin, name="Query", url=f"{EXAMPLES_ORIGIN}/customer.html?keep=1")
    base = f"{POPS}/{page['id']}"
    admin.post(f"{base}/params", json={"name": "who", "source": "call_data", "key": "callerNum"})
    admin.post(f"{base}/params", json={"name": "addr", "source": "attached_data", "key": "address"})
    response = admin.post(
        f"{base}/preview", json={"callerNum": "+86 138", "calldata": {"address": "北京 & 上海"}}
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["status"] == "open"
    assert query_params(preview["url"]) == [
        ("keep", "1"),
        ("who", "+86 138"),
        ("addr", "北京 & 上海"),
        ("origin", server.settings.origin),
    ]


def test_tenant_isolation_and_roles(server, demo):
    admin, _ops, _sim = demo
    page = pages(admin)[0]
    other = seed.tenant_with_admin(server.settings.database_url, code="other")
    with server.client(headers={"Authorization": f"Bearer {other['token']}"}) as intruder:
        assert intruder.get(POPS).json()["items"] == []
        assert intruder.get(f"{POPS}/{page['id']}").status_code == 404
        assert (
            intruder.post(f"{POPS}/{page['id']}/enabled", json={"enabled": False}).status_code
            == 404
        )
        assert intruder.delete(f"{POPS}/{page['id']}").status_code == 404
        assert intruder.get(f"{POPS}/{page['id']}/params").status_code == 404
        assert intruder.get("/api/ops/whitelist").status_code == 403
    agent = Agent(server.url, "agent101")
    assert agent.http.get(POPS).status_code == 403
    agent.close()


def test_whitelist_is_managed_by_the_operations_admin(server, demo):
    admin, ops, _sim = demo
    created = ops.post(
        "/api/ops/whitelist", json={"pattern": "https://*.Corp.example.com/app/", "note": "CRM"}
    )
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["pattern"] == "https://*.corp.example.com/app/" and entry["port"] == 443
    refused(
        ops.post("/api/ops/whitelist", json={"pattern": "https://*.corp.example.com/app/"}),
        "pattern",
        "unique",
    )
    assert "wildcard" in refused(
        ops.post("/api/ops/whitelist", json={"pattern": "https://a.*.com"}), "pattern", "format"
    )
    page = new_page(admin, name="Corp", url="https://crm.corp.example.com/app/c")
    assert page["whitelisted"] is True
    assert [p for p in pages(admin) if p["id"] == page["id"]][0]["whitelisted"] is True
    assert ops.delete(f"/api/ops/whitelist/{entry['id']}").status_code == 204
    assert [p for p in pages(admin) if p["id"] == page["id"]][0]["whitelisted"] is False


def test_the_check_result_carries_codes_and_reads_in_the_callers_language(demo):
    admin, _ops, _sim = demo
    page = new_page(admin, name="Coded")
    result = page["check_result"]
    assert result["reason_codes"], result
    codes = [reason["code"] for reason in result["reason_codes"]]
    assert len(result["advice_codes"]) == len(result["advice"])
    # No language said: English, the language of the codes.
    assert result["reason"] and not any("\u4e00" <= ch <= "\u9fff" for ch in result["reason"])
    chinese = admin.get(f"{POPS}/{page['id']}", headers={"Accept-Language": "zh-CN"}).json()
    assert chinese["check_result"]["reason_codes"] == result["reason_codes"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["check_result"]["reason"]), codes
    assert len(chinese["check_result"]["advice"]) == len(result["advice"])
    english = admin.get(f"{POPS}/{page['id']}", headers={"Accept-Language": "en"}).json()
    assert english["check_result"]["reason"] == result["reason"]


def test_a_blocked_pop_names_its_reason_by_code(demo):
    admin, _ops, _sim = demo
    page = new_page(admin, name="Elsewhere", url="https://not-listed.example/crm")
    preview = admin.post(f"{POPS}/{page['id']}/preview", json={}).json()
    assert preview["status"] == "blocked" and preview["reason_code"] == "not_whitelisted"
