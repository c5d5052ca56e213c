"""Called configuration [被叫配置] with device type IVR in a real browser: the device type select
swaps the skill-queue select for the flow select (published flows only), and the saved row
shows the flow."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from agentdesk.tenancy.models import AccessCode
from tests.support import seed

pytestmark = pytest.mark.browser
GOODBYE = {"start": "bye", "steps": [{"id": "bye", "type": "release", "prompt": "goodbye"}]}


def test_admin_points_an_extension_at_a_published_ivr_flow(live_server, page, login_as, seeded):
    info = seeded(seed.tenant_with_admin)

    async def add_code(session):
        session.add(AccessCode(code="960358", type="voice_video", tenant_id=info["tenant_id"]))

    seeded(lambda url: seed.run(url, add_code))
    headers = {"Authorization": f"Bearer {info['token']}"}
    with httpx.Client(base_url=live_server.url, headers=headers) as api:
        for name in ("welcome", "unpublished"):
            flow = api.post("/api/config/ivr-flows", json={"name": name, "definition": GOODBYE})
            assert flow.status_code == 201, flow.text
        welcome = api.get("/api/config/ivr-flows").json()["items"][1]
        assert welcome["name"] == "welcome"
        assert api.post(f"/api/config/ivr-flows/{welcome['id']}/publish").status_code == 200
        assert api.post("/api/config/queues", json={"name": "sales"}).status_code == 201

    login_as(page, live_server.url, "admin@acme", "admin-pass-1")
    page.goto(f"{live_server.url}/config/called")
    page.get_by_role("button", name=re.compile("New called configuration", re.I)).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Access code").select_option(label="960358 (Audio/video)")
    dialog.get_by_label("Extension").fill("2")
    expect(dialog.get_by_label("Skill queue")).to_be_visible()
    expect(dialog.get_by_label("IVR flow")).to_be_hidden()
    dialog.get_by_label("Device type").select_option("ivr")
    expect(dialog.get_by_label("Skill queue")).to_be_hidden()
    flows = dialog.get_by_label("IVR flow")
    expect(flows).to_be_visible()
    expect(flows.locator("option", has_text="unpublished")).to_have_count(0)
    flows.select_option(label="welcome")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    row = page.locator("tbody tr", has_text="9603582")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("IVR")
    expect(row).to_contain_text("welcome")
    assert page.js_errors == []
