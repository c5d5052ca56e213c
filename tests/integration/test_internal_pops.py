"""Internal pop pages [内部页面]: a published custom page filled with the caller's data from the
enterprise interface, opened by the workbench for a call (R-EXT-3, R-WB-3). SQLite and
PostgreSQL; the interface is the sample server of examples/ on its own port."""

import pytest

from examples.third_party_pages import create_app as create_examples_app
from tests.support import seed
from tests.support.agents import Agent, customer, login, place_call, seed_demo
from tests.support.server import free_port
from tests.support.sites import AppSite

POPS = "/api/config/screen-pops"


@pytest.fixture
def env(server):
    seed_demo(server.settings.database_url)
    admin = login(server.url, "demo-admin")
    ops_token = seed.ops_admin(server.settings.database_url, username="ops2")
    ops = server.client(headers={"Authorization": f"Bearer {ops_token}"})
    sim = customer(server.url, server.settings.sim_token)
    tenant_id = admin.get("/api/auth/me").json()["tenant_id"]
    with AppSite(create_examples_app("*")) as examples:
        yield admin, ops, sim, tenant_id, examples
    for client in (admin, ops, sim):
        client.close()


def interface(ops, tenant_id: int, url: str, **extra) -> dict:
    body = {"name": "客户查询", "url": url, "allow_private": True, "tenant_ids": [tenant_id]}
    response = ops.post("/api/ops/interfaces", json={**body, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def custom_page(admin, interface_id: int, name: str = "客户资料") -> dict:
    body = {
        "name": name,
        "layout": "tile",
        "columns": 3,
        "interface_type": "external",
        "interface_id": interface_id,
    }
    response = admin.post("/api/config/custom-pages", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def internal_pop(admin, custom_page_id: int, **extra):
    body = {"name": "内部 Internal", "page_type": "internal", "custom_page_id": custom_page_id}
    return admin.post(POPS, json={**body, "enabled": True, **extra})


def refused(response, field: str, rule: str) -> None:
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["rule"] for e in response.json()["errors"]}
    assert errors.get(field) == rule, errors


def test_an_internal_page_pops_with_the_interface_data_of_the_caller(server, env):
    admin, ops, sim, tenant_id, examples = env
    api = interface(ops, tenant_id, f"{examples.origin}/rest/v1/queryCustomer")
    page = custom_page(admin, api["id"])

    # Only a published custom page, only on the audio/video tab.
    refused(internal_pop(admin, page["id"]), "custom_page_id", "published")
    assert admin.post(f"/api/config/custom-pages/{page['id']}/publish").status_code == 200
    refused(internal_pop(admin, page["id"], tab="multimedia"), "tab", "audio_video_only")
    refused(
        admin.post(POPS, json={"name": "x", "page_type": "internal"}), "custom_page_id", "required"
    )
    created = internal_pop(admin, page["id"])
    assert created.status_code == 201, created.text
    listed = created.json()
    assert listed["url"] == "" and listed["custom_page_id"] == page["id"] and listed["whitelisted"]

    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    call = place_call(sim, caller="13912345678")
    pops = agent.http.get("/api/workbench/pops", params={"callid": call["callid"]}).json()["pages"]
    internal = [p for p in pops if p["id"] == listed["id"]][0]
    assert internal["status"] == "open"
    assert internal["url"] == (
        f"{server.settings.origin}/workbench/custom-pages/{page['id']}?callid={call['callid']}"
    )

    shown = agent.http.get(internal["url"])
    assert shown.status_code == 200, shown.text
    html = shown.text
    assert "张三" in html  # a plain string field
    assert "*******5678" in html  # masked: last four shown
    assert "1101**************" in html  # masked: first four shown
    assert "预付费" in html  # the dictionary value for key 1
    # an agent sees the data, not the page's design or the required marks (issue 12 item 12)
    assert "布局" not in html and "Layout" not in html and 'class="req"' not in html
    assert shown.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'self'" in shown.headers["content-security-policy"]

    # Another agent, or a custom page no enabled pop page shows, is not found.
    other = Agent(server.url, "agent102")
    assert other.http.get(internal["url"]).status_code == 404
    admin.post(f"{POPS}/{listed['id']}/enabled", json={"enabled": False})
    assert agent.http.get(internal["url"]).status_code == 404
    # The custom page cannot be deleted while a pop page shows it.
    refusal = admin.delete(f"/api/config/custom-pages/{page['id']}")
    assert refusal.status_code == 409
    assert f"pop page {listed['name']} shows this custom page" in refusal.json()["detail"]
    agent.close()
    other.close()


def test_an_unreachable_interface_shows_a_clear_message_not_a_broken_page(server, env):
    admin, ops, sim, tenant_id, _examples = env
    api = interface(
        ops, tenant_id, f"http://127.0.0.1:{free_port()}/rest/v1/queryCustomer", timeout_ms=500
    )
    page = custom_page(admin, api["id"])
    admin.post(f"/api/config/custom-pages/{page['id']}/publish")
    assert internal_pop(admin, page["id"]).status_code == 201
    agent = Agent(server.url, "agent101")
    agent.act("sign-in")
    call = place_call(sim)
    url = f"/workbench/custom-pages/{page['id']}?callid={call['callid']}"
    shown = agent.http.get(url)
    assert shown.status_code == 200
    assert 'class="page-error"' in shown.text or "error" in shown.text.lower()
    assert "无法调用接口" in shown.text  # the reason in the page's language (zh by default)
    assert "13800000001" not in shown.text.split("<body", 1)[0]  # nothing sensitive in the head
    agent.close()


def test_try_it_of_an_internal_page_points_at_the_custom_page_preview(server, env):
    admin, ops, _sim, tenant_id, examples = env
    api = interface(ops, tenant_id, f"{examples.origin}/rest/v1/queryCustomer")
    page = custom_page(admin, api["id"])
    admin.post(f"/api/config/custom-pages/{page['id']}/publish")
    pop = internal_pop(admin, page["id"]).json()
    preview = admin.post(f"{POPS}/{pop['id']}/preview", json={"callerNum": "13700000001"})
    assert preview.status_code == 200, preview.text
    url = preview.json()["url"]
    assert url.endswith(f"/config/custom-pages/{page['id']}/preview?caller=13700000001")
    assert "张三" in admin.get(url).text
