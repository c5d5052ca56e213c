"""Enterprise interfaces [接口管理] (R-EXT-1, R-EXT-2) through the API, on SQLite and PostgreSQL.

The interface called is the sample customer-query server of examples/ (and a small recorder
that keeps what it receives), served by uvicorn on a real 127.0.0.1 port, so the calls go
through the SSRF guard, the pinned connection and the time-out for real.
"""

import asyncio
import json
import logging
import threading
import time

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from examples.third_party_pages import create_app as create_examples_app
from examples.third_party_pages import customer_answer
from tests.support import seed
from tests.support.server import free_port

OPS = "/api/ops/interfaces"
TENANT = "/api/config/interfaces"
TOKEN = "s3cret-query-token-42"
CALLER = "13800000001"


class ServedApp:
    """An ASGI app on a real 127.0.0.1 port, in a thread with its own event loop."""

    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve()), daemon=True
        )

    def __enter__(self) -> "ServedApp":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("app server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def recorder_app(hits: list) -> Starlette:
    """Keeps (path, headers, body) of every request; answers like the sample interface."""

    async def record(request: Request) -> Response:
        body = await request.body()
        hits.append((request.url.path, request.method, dict(request.headers), body))
        if request.url.path == "/redirect":
            return RedirectResponse("/record", status_code=302)
        if request.url.path == "/nameless":
            return JSONResponse([{"objectName": "客户", "values": [{"type": "1", "value": "x"}]}])
        if request.url.path == "/html":
            return Response("<html>login</html>", media_type="text/html")
        if request.url.path == "/big":
            return Response(b"[" + b" " * 1_100_000 + b"]", media_type="application/json")
        return JSONResponse(customer_answer(json.loads(body)["param"]))

    paths = ("/record", "/redirect", "/nameless", "/html", "/big")
    return Starlette(routes=[Route(p, record, methods=["POST", "GET"]) for p in paths])


@pytest.fixture(scope="module")
def examples():
    with ServedApp(create_examples_app("*", query_token=TOKEN)) as served:
        yield served


@pytest.fixture(scope="module")
def recorder():
    hits: list = []
    with ServedApp(recorder_app(hits)) as served:
        served.hits = hits
        yield served


@pytest.fixture
def ops(server):
    token = seed.ops_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def tenant_client(server, code: str) -> httpx.Client:
    tenant = seed.tenant_with_admin(server.settings.database_url, code)
    client = server.client(headers={"Authorization": f"Bearer {tenant['token']}"})
    client.tenant_id = tenant["tenant_id"]
    return client


@pytest.fixture
def acme(server):
    with tenant_client(server, "acme") as client:
        yield client


@pytest.fixture
def globex(server):
    with tenant_client(server, "globex") as client:
        yield client


def register(ops, url: str, **fields) -> dict:
    body = {
        "name": "客户查询",
        "url": url,
        "timeout_ms": 3000,
        "auth_header_name": "X-Api-Key",
        "auth_header_value": TOKEN,
        "allow_private": True,
        **fields,
    }
    response = ops.post(OPS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def refused(response, field: str, rule: str) -> str:
    assert response.status_code == 422, response.text
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert field in errors, errors
    assert errors[field]["rule"] == rule, errors
    return errors[field]["message"]


def try_call(ops, interface_id: int, param: str = CALLER) -> dict:
    response = ops.post(f"{OPS}/{interface_id}/test", json={"param": param})
    assert response.status_code == 200, response.text
    return response.json()


def query_url(examples) -> str:
    return f"{examples.url}/rest/v1/queryCustomer"


# ---------------------------------------------------------------- registration and mapping


def test_register_map_and_only_mapped_tenants_see_it(ops, acme, globex, examples):
    created = register(ops, query_url(examples), tenant_ids=[acme.tenant_id])
    assert created["tenant_ids"] == [acme.tenant_id]
    assert created["auth_header_name"] == "X-Api-Key"
    assert created["auth_header_set"] is True
    assert created["timeout_ms"] == 3000 and created["allow_private"] is True

    seen = acme.get(TENANT)
    assert seen.status_code == 200
    assert seen.json() == {
        "items": [{"id": created["id"], "name": "客户查询", "description": ""}],
        "total": 1,
    }
    assert "queryCustomer" not in seen.text and TOKEN not in seen.text
    assert globex.get(TENANT).json() == {"items": [], "total": 0}

    both = ops.put(f"{OPS}/{created['id']}/tenants", json={"tenant_ids": [globex.tenant_id]})
    assert both.status_code == 200
    assert both.json()["tenant_ids"] == [globex.tenant_id]
    assert acme.get(TENANT).json()["total"] == 0
    assert globex.get(TENANT).json()["items"][0]["name"] == "客户查询"

    # A full update without tenant_ids keeps the mapping.
    body = {
        "name": "客户查询2",
        "url": query_url(examples),
        "auth_header_name": "X-Api-Key",
        "allow_private": True,
    }
    updated = ops.put(f"{OPS}/{created['id']}", json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["tenant_ids"] == [globex.tenant_id]
    assert updated.json()["auth_header_set"] is True  # value left out: kept
    assert try_call(ops, created["id"])["ok"] is True

    listed = ops.get(OPS).json()
    assert listed["total"] == 1 and listed["items"][0]["name"] == "客户查询2"


def test_registration_rules(ops, acme, examples):
    url = query_url(examples)
    register(ops, url)
    refused(ops.post(OPS, json={"name": "客户查询", "url": url}), "name", "unique")
    refused(ops.post(OPS, json={"name": "a", "url": "ftp://x.example/"}), "url", "url")
    refused(ops.post(OPS, json={"name": "a", "url": "http://u:p@x.example/"}), "url", "url")
    for timeout in (99, 30001):
        response = ops.post(OPS, json={"name": "a", "url": url, "timeout_ms": timeout})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "timeout_ms"
    refused(
        ops.post(OPS, json={"name": "a", "url": url, "auth_header_name": "X-Key"}),
        "auth_header_value",
        "required",
    )
    refused(
        ops.post(OPS, json={"name": "a", "url": url, "auth_header_value": "v"}),
        "auth_header_name",
        "required",
    )
    refused(
        ops.post(
            OPS,
            json={"name": "a", "url": url, "auth_header_name": "Host", "auth_header_value": "v"},
        ),
        "auth_header_name",
        "reserved",
    )
    refused(
        ops.post(
            OPS,
            json={"name": "a", "url": url, "auth_header_name": "X", "auth_header_value": "a\r\nb"},
        ),
        "auth_header_value",
        "header_value",
    )
    message = refused(
        ops.post(OPS, json={"name": "a", "url": url, "tenant_ids": [acme.tenant_id, 999999]}),
        "tenant_ids",
        "not_found",
    )
    assert "999999" in message
    refused(
        ops.put(
            f"{OPS}/{ops.get(OPS).json()['items'][0]['id']}/tenants", json={"tenant_ids": [999999]}
        ),
        "tenant_ids",
        "not_found",
    )
    assert ops.get(OPS).json()["total"] == 1


def test_only_operations_admins_manage_interfaces(ops, acme, examples):
    created = register(ops, query_url(examples), tenant_ids=[acme.tenant_id])
    assert acme.get(OPS).status_code == 403
    assert acme.post(OPS, json={"name": "x", "url": query_url(examples)}).status_code == 403
    assert acme.post(f"{OPS}/{created['id']}/test", json={"param": CALLER}).status_code == 403
    assert acme.put(f"{OPS}/{created['id']}/tenants", json={"tenant_ids": []}).status_code == 403
    assert ops.get(TENANT).status_code == 403  # no tenant account


def test_delete_removes_the_mapping(ops, acme, examples):
    created = register(ops, query_url(examples), tenant_ids=[acme.tenant_id])
    assert ops.delete(f"{OPS}/{created['id']}").status_code == 204
    assert ops.get(f"{OPS}/{created['id']}").status_code == 404
    assert acme.get(TENANT).json()["total"] == 0


def test_auth_header_can_be_removed(ops, examples):
    created = register(ops, query_url(examples))
    body = {"name": "客户查询", "url": query_url(examples), "allow_private": True}
    updated = ops.put(f"{OPS}/{created['id']}", json=body).json()
    assert updated["auth_header_name"] is None and updated["auth_header_set"] is False
    outcome = try_call(ops, created["id"])
    assert outcome["ok"] is False
    assert outcome["status"] == 401
    assert "missing or wrong X-Api-Key header" in outcome["error"]


# ---------------------------------------------------------------- the call


def test_test_call_shows_the_parsed_answer(ops, examples):
    created = register(ops, query_url(examples))
    outcome = try_call(ops, created["id"])
    assert outcome["ok"] is True, outcome
    assert outcome["error"] is None and outcome["status"] == 200
    customer, account = outcome["objects"]
    assert customer["name"] == "客户信息" and account["name"] == "账户信息"
    fields = {f["label"]: f for f in customer["fields"] + account["fields"]}
    assert fields["姓名"] == {
        "label": "姓名",
        "display": "张三",
        "mandatory": True,
        "type": "string",
        "masked": False,
    }
    assert fields["手机号码"]["display"] == "*******0001" and fields["手机号码"]["masked"]
    assert fields["证件号码"]["display"] == "1101**************"
    assert fields["付费方式"]["display"] == "预付费" and fields["付费方式"]["type"] == "dictionary"
    assert fields["客户等级"]["display"] == "金卡"
    assert fields["账户余额"]["display"] == "1288.50" and fields["账户余额"]["type"] == "number"
    assert fields["开户日期"]["type"] == "date" and not fields["开户日期"]["mandatory"]
    assert fields["最近来电时间"]["display"] == "2024-05-20 14:30:00"
    assert fields["查询号码"]["display"] == CALLER


def test_the_call_is_a_json_post_with_the_auth_header(ops, recorder):
    recorder.hits.clear()
    created = register(ops, f"{recorder.url}/record?channel=agentdesk")
    assert try_call(ops, created["id"], "+86 138-0000")["ok"] is True
    path, method, headers, body = recorder.hits[-1]
    assert (path, method) == ("/record", "POST")
    assert headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(body) == {"param": "+86 138-0000"}
    assert headers["x-api-key"] == TOKEN
    assert headers["host"] == f"127.0.0.1:{recorder.port}"


def test_the_auth_header_value_is_never_returned_or_logged(ops, examples, caplog):
    caplog.set_level(logging.DEBUG)
    created = register(ops, query_url(examples))
    texts = [
        ops.get(OPS).text,
        ops.get(f"{OPS}/{created['id']}").text,
        ops.post(f"{OPS}/{created['id']}/test", json={"param": "13912345678"}).text,
    ]
    for text in texts:
        assert TOKEN not in text
    assert "auth_header_value" not in texts[0]
    assert "queryCustomer" in caplog.text  # the call is logged, redacted
    assert TOKEN not in caplog.text
    assert "13912345678" not in caplog.text  # nor the caller number
    assert "张三" not in caplog.text  # nor the answer


def test_a_wrong_auth_header_is_the_interfaces_error(ops, examples):
    created = register(ops, query_url(examples), auth_header_value="wrong")
    outcome = try_call(ops, created["id"])
    assert outcome == {
        "ok": False,
        "objects": [],
        "error": 'the interface answered HTTP 401: {"errorCode":"401-001","errorMsg":"missing or '
        'wrong X-Api-Key header"}',
        "status": 401,
        "elapsed_ms": outcome["elapsed_ms"],
    }


def test_an_error_answer_is_shown_exactly(ops, examples):
    created = register(ops, query_url(examples))
    outcome = try_call(ops, created["id"], "error")
    assert outcome["ok"] is False and outcome["status"] == 400
    assert outcome["error"] == (
        'the interface answered HTTP 400: {"errorCode":"400-001","errorMsg":"customer query '
        'failed: no such customer"}'
    )


def test_time_out(ops, examples):
    created = register(ops, query_url(examples), timeout_ms=300)
    outcome = try_call(ops, created["id"], "slow")
    assert outcome["ok"] is False
    assert outcome["error"] == (
        "the interface could not be called: no HTTP answer: the connection was refused, "
        "failed or timed out (time-out 300 ms)"
    )
    assert try_call(ops, created["id"])["ok"] is True  # fast answers still fit


def test_loopback_is_refused_unless_allowed(ops, recorder):
    recorder.hits.clear()
    created = register(ops, f"{recorder.url}/record", allow_private=False)
    outcome = try_call(ops, created["id"])
    assert outcome["ok"] is False and outcome["status"] is None
    assert outcome["error"] == (
        "the interface could not be called: 127.0.0.1 is not a public address (loopback); "
        "the server only connects to public ones"
    )
    assert recorder.hits == []
    by_name = register(
        ops, f"http://localhost:{recorder.port}/record", name="by name", allow_private=False
    )
    assert "is not a public address" in try_call(ops, by_name["id"])["error"]
    assert recorder.hits == []


def test_redirects_are_not_followed(ops, recorder):
    recorder.hits.clear()
    created = register(ops, f"{recorder.url}/redirect")
    outcome = try_call(ops, created["id"])
    assert outcome["ok"] is False and outcome["status"] == 302
    assert "redirects are not followed" in outcome["error"]
    assert [hit[0] for hit in recorder.hits] == ["/redirect"]


def test_malformed_answers_are_explained(ops, recorder):
    cases = {
        "/nameless": "the answer breaks the interface rules: answer[0].values[0]: name is "
        "missing or empty",
        "/html": "the answer breaks the interface rules: answer: is not valid JSON (Expecting "
        "value at line 1 column 1)",
        "/big": "the interface could not be called: the answer is larger than 1000000 bytes",
    }
    for index, (path, error) in enumerate(cases.items()):
        created = register(ops, f"{recorder.url}{path}", name=f"case {index}")
        outcome = try_call(ops, created["id"])
        assert outcome["ok"] is False
        assert outcome["error"] == error


def test_unreachable_interface(ops):
    created = register(ops, f"http://127.0.0.1:{free_port()}/rest/v1/queryCustomer")
    outcome = try_call(ops, created["id"])
    assert outcome["ok"] is False
    # The same text as a time-out: distinct texts per cause would tell open ports from closed.
    assert outcome["error"] == (
        "the interface could not be called: no HTTP answer: the connection was refused, "
        "failed or timed out (time-out 3000 ms)"
    )


def test_sample_param_is_required(ops, examples):
    created = register(ops, query_url(examples))
    refused(
        ops.post(f"{OPS}/{created['id']}/test", json={"param": ""}), "param", "string_too_short"
    )
    assert ops.post(f"{OPS}/999999/test", json={"param": CALLER}).status_code == 404
