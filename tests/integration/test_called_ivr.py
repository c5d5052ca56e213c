"""Called configuration [被叫配置] with device type IVR: an access code (+ extension) starts a
published IVR flow of the tenant; the flow cannot be deleted while a number starts it.
SQLite and PostgreSQL."""

from tests.integration.test_config_called_users import add_codes, admin, codes_by_number, post
from tests.integration.test_config_called_users import refused as refused_field

CALLED = "/api/config/called-configs"
FLOWS = "/api/config/ivr-flows"
GOODBYE = {"start": "bye", "steps": [{"id": "bye", "type": "release", "prompt": "goodbye"}]}


def flow(client, name: str, *, publish: bool = True) -> dict:
    created = post(client, FLOWS, name=name, definition=GOODBYE)
    if publish:
        response = client.post(f"{FLOWS}/{created['id']}/publish")
        assert response.status_code == 200, response.text
    return created


def test_an_ivr_entry_starts_a_published_flow_and_keeps_it_from_deletion(server):
    with admin(server) as client:
        add_codes(server, client.tenant_id, ("960358", "voice_video"))
        code = codes_by_number(client)["960358"]["id"]
        welcome = flow(client, "welcome")
        entry = post(
            client, CALLED, access_code_id=code, extension="2", device_type="ivr",
            flow_id=welcome["id"], queue_id=None,
        )  # fmt: skip
        assert entry["device_type"] == "ivr" and entry["flow_id"] == welcome["id"]
        assert entry["queue_id"] is None and entry["dialled"] == "9603582"
        shown = client.get(f"{CALLED}/{entry['id']}").json()
        assert shown["flow_id"] == welcome["id"]

        # In use: 409 naming the number, and both the flow and the entry stay.
        response = client.delete(f"{FLOWS}/{welcome['id']}")
        assert response.status_code == 409, response.text
        assert "9603582" in response.json()["detail"]
        assert client.get(f"{FLOWS}/{welcome['id']}").status_code == 200
        assert client.get(f"{CALLED}/{entry['id']}").status_code == 200

        # Switched to a skill queue: the flow is kept off the row and may be deleted.
        queue = post(client, "/api/config/queues", name="voice")
        body = {"access_code_id": code, "extension": "2", "device_type": "skill_queue",
                "queue_id": queue["id"], "flow_id": welcome["id"]}  # fmt: skip
        moved = client.put(f"{CALLED}/{entry['id']}", json=body)
        assert moved.status_code == 200, moved.text
        assert moved.json()["flow_id"] is None and moved.json()["queue_id"] == queue["id"]
        assert client.delete(f"{FLOWS}/{welcome['id']}").status_code == 204


def test_ivr_entry_rules_name_the_field_in_both_languages(server):
    with admin(server) as client, admin(server, "globex") as other:
        add_codes(server, client.tenant_id, ("960358", "voice_video"), ("960359", "multimedia"))
        codes = codes_by_number(client)
        voice_code, chat_code = codes["960358"]["id"], codes["960359"]["id"]
        draft_only = flow(client, "draft", publish=False)
        theirs = flow(other, "theirs")
        mine = flow(client, "mine")
        ivr = {"access_code_id": voice_code, "device_type": "ivr"}

        refused_field(client.post(CALLED, json=ivr), "flow_id", "required")
        for flow_id in (draft_only["id"], theirs["id"], 99999):
            refused_field(
                client.post(CALLED, json={**ivr, "flow_id": flow_id}), "flow_id", "not_found"
            )
        multimedia = {**ivr, "access_code_id": chat_code, "flow_id": mine["id"]}
        refused_field(client.post(CALLED, json=multimedia), "device_type", "media_type")
        refused_field(
            client.post(CALLED, json={**ivr, "device_type": "fax"}), "device_type", "literal_error"
        )
        # A skill-queue entry still needs its queue.
        refused_field(
            client.post(CALLED, json={"access_code_id": voice_code}), "queue_id", "required"
        )

        zh = client.post(CALLED, json={**ivr, "flow_id": draft_only["id"]},
                         headers={"Accept-Language": "zh-CN"})  # fmt: skip
        assert zh.status_code == 422
        message = next(e["message"] for e in zh.json()["errors"] if e["field"] == "flow_id")
        assert "不存在或未发布" in message, message
        en = client.post(CALLED, json={**ivr}, headers={"Accept-Language": "en"})
        message = next(e["message"] for e in en.json()["errors"] if e["field"] == "flow_id")
        assert "choose the IVR flow" in message, message
        assert client.get(CALLED).json()["total"] == 0


def test_the_ivr_waiting_treatment_needs_a_published_flow_and_keeps_it_from_deletion(server):
    with admin(server) as client, admin(server, "globex") as other:
        draft_only = flow(client, "draft", publish=False)
        theirs = flow(other, "theirs")
        waiting = flow(client, "waiting")
        queues = "/api/config/queues"
        body = {"name": "sales", "wait_treatment": "ivr"}
        refused_field(client.post(queues, json=body), "wait_ivr_id", "required")
        for flow_id in (draft_only["id"], theirs["id"], 99999):
            refused_field(
                client.post(queues, json={**body, "wait_ivr_id": flow_id}),
                "wait_ivr_id",
                "not_found",
            )
        zh = client.post(queues, json=body, headers={"Accept-Language": "zh-CN"})
        message = next(e["message"] for e in zh.json()["errors"] if e["field"] == "wait_ivr_id")
        assert "排队等待" in message, message
        queue = post(client, queues, **body, wait_ivr_id=waiting["id"])
        assert queue["wait_treatment"] == "ivr" and queue["wait_ivr_id"] == waiting["id"]
        # Multimedia queues have no waiting treatment: the flow is not kept.
        chat = post(client, queues, name="chat", type="multimedia", subtype="web",
                    wait_treatment="ivr", wait_ivr_id=waiting["id"])  # fmt: skip
        assert chat["wait_treatment"] == "default_tone" and chat["wait_ivr_id"] is None

        response = client.delete(f"{FLOWS}/{waiting['id']}")
        assert response.status_code == 409 and "sales" in response.json()["detail"]
        tone = client.put(
            f"{queues}/{queue['id']}", json={"name": "sales", "wait_ivr_id": waiting["id"]}
        )
        assert tone.status_code == 200 and tone.json()["wait_ivr_id"] is None  # default tone
        assert client.delete(f"{FLOWS}/{waiting['id']}").status_code == 204
