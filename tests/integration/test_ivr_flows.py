"""IVR flows [流程管理] through /api/config/ivr-flows, on SQLite and PostgreSQL: drafts,
copies, publishing (refused naming the step and the rule, in both languages), the diagram,
and Try it against a real local HTTP interface (through the outbound guard and time-out)."""

import asyncio
import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support import seed
from tests.support.sites import AppSite

FLOWS = "/api/config/ivr-flows"
OPS = "/api/ops/interfaces"


def verify_app(hits: list) -> Starlette:
    """A verification interface: card 1234 + PIN 9876 passes, 5555 is slow, 6666 garbage."""

    async def verify(request: Request):
        body = await request.json()
        hits.append(body)
        data = body.get("calldata", {})
        if data.get("cardNo") == "5555":
            await asyncio.sleep(3)
        if data.get("cardNo") == "6666":
            return Response("<html>oops</html>", media_type="text/html")
        ok = data.get("cardNo") == "1234" and data.get("pin") == "9876"
        return JSONResponse({"calldata": {"data": {"verifyResult": 1 if ok else 2,
                                                   "verifyReturn1": "VIP" if ok else ""}}})  # fmt: skip

    return Starlette(routes=[Route("/api/verify-card", verify, methods=["POST"])])


@pytest.fixture(scope="module")
def interface_site():
    hits: list = []
    with AppSite(verify_app(hits)) as site:
        site.hits = hits
        yield site


def tenant(server, code: str):
    info = seed.tenant_with_admin(server.settings.database_url, code)
    client = server.client(headers={"Authorization": f"Bearer {info['token']}"})
    client.tenant_id = info["tenant_id"]
    return client


@pytest.fixture
def acme(server):
    with tenant(server, "acme") as client:
        yield client


def register_interface(server, url: str, tenant_ids: list[int], timeout_ms: int = 1000) -> int:
    token = seed.ops_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as ops:
        body = {"name": "verify-card", "url": url, "timeout_ms": timeout_ms,
                "allow_private": True, "tenant_ids": tenant_ids}  # fmt: skip
        response = ops.post(OPS, json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]


def verification_flow(interface_id: int, queue_id: int = 1) -> dict:
    return {"start": "welcome", "steps": [
        {"id": "welcome", "type": "menu", "prompt": "Press 1 for sales, 2 to verify",
         "options": {"1": "sales", "2": "card"}, "default": "bye", "retries": 1,
         "timeout_seconds": 5, "invalid_prompt": "Sorry"},
        {"id": "card", "type": "collect", "prompt": "Card number then #", "key": "cardNo",
         "min_length": 4, "max_length": 19, "terminator": "#", "next": "pin",
         "on_failure": "bye"},
        {"id": "pin", "type": "collect", "prompt": "PIN then #", "key": "pin", "min_length": 4,
         "max_length": 6, "terminator": "#", "masked": True, "next": "check",
         "on_failure": "bye"},
        {"id": "check", "type": "interface", "interface_id": interface_id, "timeout_seconds": 1,
         "body": {"calldata": {"verifyServiceNo": "{{verifyServiceNo}}", "cardNo": "{{cardNo}}",
                               "pin": "{{pin}}"}},
         "map": {"verifyResult": "calldata.data.verifyResult",
                 "verifyReturn1": "calldata.data.verifyReturn1"},
         "next": "route", "on_error": "ret"},
        {"id": "route", "type": "branch", "key": "verifyResult", "cases": {"1": "ok"},
         "default": "ret"},
        {"id": "ok", "type": "play", "prompt": "Verified", "next": "ret"},
        {"id": "sales", "type": "transfer_queue", "queue_id": queue_id},
        {"id": "ret", "type": "return_to_agent"},
        {"id": "bye", "type": "release", "prompt": "Goodbye"},
    ]}  # fmt: skip


def create(client, **body) -> dict:
    response = client.post(FLOWS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def refused(response, field: str, rule: str) -> str:
    assert response.status_code == 422, response.text
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert field in errors, errors
    assert errors[field]["rule"] == rule, errors
    return errors[field]["message"]


def voice_queue(client) -> int:
    response = client.post("/api/config/queues", json={"name": "sales"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


# ---- drafts, copies, deletion -------------------------------------------------------------


def test_create_edit_copy_and_delete_a_flow(acme):
    flow = create(acme, name="welcome", description="front door")
    assert flow["draft"] == {"start": "", "steps": []} and flow["published"] is None
    assert flow["published_version"] == 0 and flow["draft_changed"] is True
    refused(acme.post(FLOWS, json={"name": "welcome"}), "name", "unique")
    refused(acme.post(FLOWS, json={"name": ""}), "name", "string_too_short")
    refused(acme.post(FLOWS, json={"name": "x" * 51}), "name", "string_too_long")
    big = {"start": "a", "steps": [{"id": "a", "type": "play", "prompt": "x" * 70000}]}
    refused(acme.post(FLOWS, json={"name": "big", "definition": big}), "definition", "max_length")

    draft = {"start": "bye", "steps": [{"id": "bye", "type": "release"}]}
    url = f"{FLOWS}/{flow['id']}"
    changed = acme.put(url, json={"name": "front", "description": "", "definition": draft})
    assert changed.status_code == 200 and changed.json()["draft"] == draft
    renamed = acme.put(url, json={"name": "front2"})  # no definition: the draft stays
    assert renamed.json()["draft"] == draft and renamed.json()["steps"] == 1

    copy = acme.post(f"{url}/copy", json={})
    assert copy.status_code == 201 and copy.json()["name"] == "front2-copy"
    assert copy.json()["draft"] == draft and copy.json()["published"] is None
    again = acme.post(f"{url}/copy", json={})
    assert again.json()["name"] == "front2-copy2"
    named = acme.post(f"{url}/copy", json={"name": "mine"})
    assert named.json()["name"] == "mine"
    names = [f["name"] for f in acme.get(FLOWS).json()["items"]]
    assert names == ["front2", "front2-copy", "front2-copy2", "mine"]

    assert acme.delete(url).status_code == 204
    assert acme.get(url).status_code == 404


def test_another_tenant_cannot_see_or_touch_a_flow(server, acme):
    flow = create(acme, name="private")
    with tenant(server, "globex") as globex:
        assert globex.get(FLOWS).json()["total"] == 0
        url = f"{FLOWS}/{flow['id']}"
        assert globex.get(url).status_code == 404
        assert globex.put(url, json={"name": "stolen"}).status_code == 404
        assert globex.post(f"{url}/copy", json={}).status_code == 404
        assert globex.post(f"{url}/publish").status_code == 404
        try_body = {"event": {"type": "begin"}}
        assert globex.post(f"{url}/try", json=try_body).status_code == 404
        assert globex.delete(url).status_code == 404
    assert acme.get(f"{FLOWS}/{flow['id']}").json()["name"] == "private"


# ---- publishing ---------------------------------------------------------------------------


def test_publish_refuses_an_invalid_draft_naming_the_step_and_rule_in_both_languages(acme):
    queue_id = voice_queue(acme)
    broken = verification_flow(1, queue_id)
    broken["steps"][1]["next"] = "nowhere"
    flow = create(acme, name="broken", definition=broken)
    url = f"{FLOWS}/{flow['id']}/publish"
    message = refused(acme.post(url, headers={"Accept-Language": "en"}),
                      "definition.steps.card.next", "unknown_step")  # fmt: skip
    assert "step card" in message and "nowhere" in message
    zh = refused(acme.post(url, headers={"Accept-Language": "zh-CN"}),
                 "definition.steps.card.next", "unknown_step")  # fmt: skip
    assert "步骤 card" in zh and "不存在" in zh
    assert acme.get(f"{FLOWS}/{flow['id']}").json()["published"] is None


def test_publish_checks_queues_and_interfaces_belong_to_the_tenant(server, acme, interface_site):
    with tenant(server, "globex") as globex:
        foreign_queue = voice_queue(globex)
        unmapped = register_interface(server, f"{interface_site.origin}/api/verify-card",
                                      [globex.tenant_id])  # fmt: skip
    flow = create(acme, name="refs", definition=verification_flow(unmapped, foreign_queue))
    response = acme.post(f"{FLOWS}/{flow['id']}/publish")
    refused(response, "definition.steps.sales.queue_id", "not_found")
    refused(response, "definition.steps.check.interface_id", "not_found")
    media = acme.post("/api/config/queues", json={"name": "chat", "type": "multimedia",
                                                   "subtype": "web"}).json()  # fmt: skip
    definition = {"start": "q", "steps": [{"id": "q", "type": "transfer_queue",
                                           "queue_id": media["id"]}]}  # fmt: skip
    chat = create(acme, name="chat", definition=definition)
    refused(acme.post(f"{FLOWS}/{chat['id']}/publish"), "definition.steps.q.queue_id",
            "queue_type")  # fmt: skip


def test_publish_makes_the_draft_what_calls_run(server, acme, interface_site):
    queue_id = voice_queue(acme)
    interface_id = register_interface(server, f"{interface_site.origin}/api/verify-card",
                                      [acme.tenant_id])  # fmt: skip
    definition = verification_flow(interface_id, queue_id)
    flow = create(acme, name="shenfenyanzheng", definition=definition)
    published = acme.post(f"{FLOWS}/{flow['id']}/publish")
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["published"] == definition and body["published_version"] == 1
    assert body["draft_changed"] is False and body["published_at"]
    definition["steps"][0]["prompt"] = "Changed"
    acme.put(f"{FLOWS}/{flow['id']}", json={"name": "shenfenyanzheng", "definition": definition})
    again = acme.get(f"{FLOWS}/{flow['id']}").json()
    assert again["draft_changed"] is True
    assert again["published"]["steps"][0]["prompt"] == "Press 1 for sales, 2 to verify"
    assert acme.post(f"{FLOWS}/{flow['id']}/publish").json()["published_version"] == 2


def test_check_gives_the_problems_and_the_diagram(acme):
    definition = verification_flow(1)
    definition["steps"][4]["default"] = "gone"
    response = acme.post(f"{FLOWS}/check", json={"definition": definition},
                         headers={"Accept-Language": "en"})  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert [(p["step_id"], p["field"], p["rule"]) for p in body["problems"]] == [
        ("route", "default", "unknown_step")
    ]
    nodes = {n["id"]: n for n in body["diagram"]["nodes"]}
    assert set(nodes) == {s["id"] for s in definition["steps"]}
    assert nodes["welcome"]["start"] and nodes["welcome"]["column"] == 0
    assert nodes["card"]["column"] == 1 and nodes["pin"]["column"] == 2
    edges = {(e["source"], e["label"], e["target"], e["missing"]) for e in body["diagram"]["edges"]}
    assert ("welcome", "1", "sales", False) in edges
    assert ("welcome", "2", "card", False) in edges
    assert ("route", "default", "gone", True) in edges
    refused(acme.post(f"{FLOWS}/check", json={"definition": []}), "definition", "dict_type")


# ---- try it -------------------------------------------------------------------------------


def try_event(client, flow_id: int, event: dict, run=None, **extra):
    body = {"event": event, "run": run, **extra}
    response = client.post(f"{FLOWS}/{flow_id}/try", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def kinds(result) -> list[str]:
    return [e["kind"] for e in result["events"]]


def test_try_it_runs_the_flow_with_a_real_interface_call(server, acme, interface_site):
    queue_id = voice_queue(acme)
    interface_id = register_interface(server, f"{interface_site.origin}/api/verify-card",
                                      [acme.tenant_id])  # fmt: skip
    flow = create(acme, name="try", definition=verification_flow(interface_id, queue_id))
    first = try_event(acme, flow["id"], {"type": "begin"}, data={"verifyServiceNo": "88880011"})
    assert kinds(first) == ["say", "wait"]
    assert first["events"][0]["text"] == "Press 1 for sales, 2 to verify"
    assert first["step_id"] == "welcome" and first["waiting"] and not first["finished"]
    wrong = try_event(acme, flow["id"], {"type": "digits", "digits": "9"}, first["run"])
    assert [e.get("text") for e in wrong["events"] if e["kind"] == "say"] == [
        "Sorry", "Press 1 for sales, 2 to verify"]  # fmt: skip
    card = try_event(acme, flow["id"], {"type": "digits", "digits": "2"}, wrong["run"])
    assert card["events"][0]["text"] == "Card number then #"
    pin = try_event(acme, flow["id"], {"type": "digits", "digits": "1234#"}, card["run"])
    assert pin["step_id"] == "pin"
    interface_site.hits.clear()
    done = try_event(acme, flow["id"], {"type": "digits", "digits": "9876#"}, pin["run"])
    request = next(e for e in done["events"] if e["kind"] == "request")
    expected = {"calldata": {"verifyServiceNo": "88880011", "cardNo": "1234", "pin": "9876"}}
    assert request["body"] == expected and request["interface"] == "verify-card"
    assert interface_site.hits == [expected]  # performed for real, once
    answer = next(e for e in done["events"] if e["kind"] == "answer")
    assert answer["status"] == 200 and answer["error"] is None
    assert answer["body"] == {"calldata": {"data": {"verifyResult": 1, "verifyReturn1": "VIP"}}}
    assert kinds(done)[-2:] == ["say", "return"]
    assert done["finished"]
    assert done["path"] == ["welcome", "card", "pin", "check", "route", "ok", "ret"]
    assert done["data"] == {"verifyServiceNo": "88880011", "cardNo": "1234",
                            "verifyResult": "1", "verifyReturn1": "VIP"}  # fmt: skip
    assert "9876" not in json.dumps(done["run"])  # the PIN is gone once the flow ends


def test_try_it_reports_slow_and_garbage_answers_as_errors(server, acme, interface_site):
    interface_id = register_interface(server, f"{interface_site.origin}/api/verify-card",
                                      [acme.tenant_id], timeout_ms=1000)  # fmt: skip
    flow = create(
        acme, name="errors", definition=verification_flow(interface_id, voice_queue(acme))
    )
    for card, error in (("5555", "could not be called"), ("6666", "not JSON")):
        run = try_event(acme, flow["id"], {"type": "begin"})["run"]
        run = try_event(acme, flow["id"], {"type": "digits", "digits": f"2{card}#"}, run)["run"]
        done = try_event(acme, flow["id"], {"type": "digits", "digits": "1111#"}, run)
        answer = next(e for e in done["events"] if e["kind"] == "answer")
        assert error in answer["error"], answer
        assert done["path"][-2:] == ["check", "ret"]  # on_error
        assert "verifyResult" not in done["data"]


def test_try_it_time_outs_and_bad_input(server, acme):
    definition = {"start": "m", "steps": [
        {"id": "m", "type": "menu", "prompt": "Choose", "options": {"1": "bye"},
         "default": "bye", "retries": 1, "timeout_seconds": 30},
        {"id": "bye", "type": "release", "prompt": "Goodbye"},
    ]}  # fmt: skip
    flow = create(acme, name="timeouts", definition=definition)
    url = f"{FLOWS}/{flow['id']}/try"
    first = try_event(acme, flow["id"], {"type": "begin"})
    wait = first["events"][-1]
    assert wait["kind"] == "wait" and wait["deadline"] == pytest.approx(first["now"] + 30)
    again = try_event(acme, flow["id"], {"type": "timeout"}, first["run"])
    assert kinds(again) == ["say", "wait"]  # re-prompt, one retry used
    gone = try_event(acme, flow["id"], {"type": "timeout"}, again["run"])
    assert kinds(gone) == ["release"] and gone["events"][0]["text"] == "Goodbye"
    refused(acme.post(url, json={"event": {"type": "digits", "digits": "12a"}, "run": first["run"]}),
            "event.digits", "string_pattern_mismatch")  # fmt: skip
    refused(acme.post(url, json={"event": {"type": "dance"}}), "event.type", "literal_error")
    refused(acme.post(url, json={"event": {"type": "digits", "digits": "1"}}), "run", "invalid")
    bad_run = {**first["run"], "step_id": "elsewhere"}
    refused(acme.post(url, json={"event": {"type": "digits", "digits": "1"}, "run": bad_run}),
            "run", "invalid")  # fmt: skip
    refused(acme.post(url, json={"version": "published", "event": {"type": "begin"}}),
            "version", "not_published")  # fmt: skip
    broken = create(acme, name="broken", definition={"start": "x", "steps": []})
    refused(acme.post(f"{FLOWS}/{broken['id']}/try", json={"event": {"type": "begin"}}),
            "definition.steps", "required")  # fmt: skip
