"""The sample third-party pages in examples/ (what integrators copy), served through ASGI."""

import hashlib
import hmac
import re
import time
from html import unescape
from urllib.parse import quote, urlencode

import httpx
import pytest

from examples.third_party_pages import create_app, verify_pop_signature

WB = "http://127.0.0.1:8000"
SECRET = "demo-pop-secret-2026"


def pages(workbench_origin: str = WB) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(workbench_origin))
    return httpx.AsyncClient(transport=transport, base_url="http://pages.example.net")


@pytest.fixture
async def client(monkeypatch):
    monkeypatch.delenv("AGENTDESK_DEMO_POP_SECRET", raising=False)
    async with pages() as c:
        yield c


def received(html: str) -> dict[str, str]:
    """The id="received" table as {name: value}, unescaped like a browser would show it."""
    table = re.search(r'<table id="received">(.*?)</table>', html, re.S)
    assert table, "no received table"
    rows = re.findall(
        r'<tr data-param="([^"]*)"><th>([^<]*)</th><td>([^<]*)</td></tr>', table.group(1)
    )
    for attr, name, _ in rows:
        assert attr == name
    return {unescape(name): unescape(value) for _, name, value in rows}


def sign(params: dict[str, str], secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    signed = {**params, "adk_ts": str(int(time.time()) if ts is None else ts)}
    canonical = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(signed.items())
    )
    digest = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    return {**signed, "adk_sig": digest}


BUTTONS = [
    "callout-json-array",
    "callout-object-array",
    "callout-json-object",
    "callout-object-object",
]


def assert_dial_panel(html: str, origin: str) -> None:
    for button in BUTTONS:
        assert f'id="{button}"' in html
    assert 'id="callout-number"' in html
    assert 'id="log"' in html
    assert f'data-origin="{origin}"' in html
    # The exact guide 2.4 forms.
    assert "top.postMessage(message, origin)" in html
    assert "JSON.stringify({name: 'callout', param: [number, 'audio']})" in html
    assert "{name: 'callout', param: [number, 'video']}" in html
    assert "JSON.stringify({name: 'callout', param: {number: number, mode: 'audio'}})" in html
    assert "{name: 'callout', param: {number: number, mode: 'video'}}" in html


# ---------------------------------------------------------------- index and framing


async def test_index_lists_the_pages(client):
    response = await client.get("/")
    assert response.status_code == 200
    for href in ("customer.html", "pop/post", "signed.html", "no-frame.html"):
        assert f'href="{href}' in response.text


async def test_pages_are_frameable_only_by_the_workbench(client):
    response = await client.get("/customer.html")
    assert response.headers["content-security-policy"] == f"frame-ancestors 'self' {WB}"
    assert "x-frame-options" not in response.headers


async def test_star_workbench_origin_sends_no_frame_restriction():
    async with pages("*") as client:
        response = await client.get("/customer.html")
    assert "content-security-policy" not in response.headers


def test_bad_workbench_origin_is_refused():
    with pytest.raises(ValueError):
        create_app("http://x; script-src *")


async def test_no_frame_page_refuses_framing(client):
    response = await client.get("/no-frame.html")
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


# ---------------------------------------------------------------- URL GET


async def test_customer_page_shows_every_query_parameter(client):
    params = {
        "callerNum": "13800000001",
        "calledNum": "960358",
        "callid": "1700000000-42",
        "agentName": "张三",
        "origin": WB,
    }
    response = await client.get("/customer.html?" + urlencode(params))
    assert response.status_code == 200
    assert received(response.text) == params
    assert_dial_panel(response.text, WB)
    assert 'id="origin-warning"' not in response.text


async def test_customer_page_escapes_values_and_names(client):
    evil = '<script>alert("x")</script>&"\''
    response = await client.get(
        "/customer.html?" + urlencode({"note": evil, '<b a="1">': "v", "origin": '"><img src=x>'})
    )
    text = response.text
    assert "<script>alert" not in text
    assert "<img src=x>" not in text
    assert '<b a="1">' not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#x27;" in text
    assert received(text) == {"note": evil, '<b a="1">': "v", "origin": '"><img src=x>'}
    assert 'data-origin="&quot;&gt;&lt;img src=x&gt;"' in text


async def test_customer_page_without_origin_warns(client):
    response = await client.get("/customer.html?callerNum=1")
    assert 'id="origin-warning"' in response.text
    assert 'data-origin=""' in response.text
    assert "if (!origin)" in response.text  # the script refuses to post without it


async def test_repeated_parameters_all_shown(client):
    response = await client.get("/customer.html?tag=a&tag=b&empty=")
    rows = re.findall(r'<tr data-param="([^"]*)"><th>[^<]*</th><td>([^<]*)</td>', response.text)
    assert rows == [("tag", "a"), ("tag", "b"), ("empty", "")]


# ---------------------------------------------------------------- URL POST


async def test_post_page_renders_form_fields_and_empty_query(client):
    fields = {"callerNum": "13800000001", "callid": "c-9", "workNo": "101", "origin": WB}
    response = await client.post("/pop/post", data=fields)
    assert response.status_code == 200
    assert received(response.text) == fields
    assert re.search(r'<code id="query"></code>', response.text)
    assert_dial_panel(response.text, WB)


async def test_post_page_shows_a_query_string_if_one_was_sent(client):
    response = await client.post("/pop/post?leak=1", data={"origin": WB})
    assert '<code id="query">leak=1</code>' in response.text


async def test_post_page_escapes_fields(client):
    response = await client.post("/pop/post", data={"x": "<i>1</i>", "origin": WB})
    assert "<i>1</i>" not in response.text
    assert received(response.text)["x"] == "<i>1</i>"


async def test_post_page_decodes_utf8_and_plus(client):
    body = "agentName=%E5%BC%A0%E4%B8%89&callskill=voice+queue&origin=" + quote(WB, safe="")
    response = await client.post(
        "/pop/post", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert received(response.text) == {
        "agentName": "张三",
        "callskill": "voice queue",
        "origin": WB,
    }


async def test_post_page_rejects_other_content_types(client):
    response = await client.post("/pop/post", json={"callerNum": "1"})
    assert response.status_code == 415


async def test_get_post_page_says_nothing_was_posted(client):
    response = await client.get("/pop/post")
    assert response.status_code == 200
    assert 'id="no-post"' in response.text
    assert "No POST was received" in response.text
    assert received(response.text) == {}


# ---------------------------------------------------------------- signature


def signature_of(response) -> tuple[str, str]:
    match = re.search(r'id="signature"[^>]*data-verdict="([a-z]+)">([^<]*)<', response.text)
    assert match, "no signature element"
    return match.group(1), match.group(2)


async def test_signed_page_valid(client):
    params = sign({"callerNum": "13800000001", "agentName": "张三 & co", "origin": WB})
    response = await client.get("/signed.html?" + urlencode(params))
    verdict, label = signature_of(response)
    assert verdict == "valid"
    assert "signature valid" in label
    assert received(response.text) == params
    assert_dial_panel(response.text, WB)


async def test_signed_page_invalid_when_tampered(client):
    params = sign({"callerNum": "13800000001", "origin": WB})
    params["callerNum"] = "13900000000"
    verdict, label = signature_of(await client.get("/signed.html?" + urlencode(params)))
    assert verdict == "invalid"
    assert "signature invalid" in label


async def test_signed_page_invalid_with_another_secret(client):
    params = sign({"callerNum": "1"}, secret="someone-else")
    assert signature_of(await client.get("/signed.html?" + urlencode(params)))[0] == "invalid"


async def test_signed_page_uses_the_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("AGENTDESK_DEMO_POP_SECRET", "tenant-secret")
    good = sign({"callerNum": "1"}, secret="tenant-secret")
    default = sign({"callerNum": "1"})
    async with pages() as client:
        assert signature_of(await client.get("/signed.html?" + urlencode(good)))[0] == "valid"
        assert signature_of(await client.get("/signed.html?" + urlencode(default)))[0] == "invalid"


async def test_signed_page_stale(client):
    params = sign({"callerNum": "1"}, ts=int(time.time()) - 301)
    verdict, label = signature_of(await client.get("/signed.html?" + urlencode(params)))
    assert verdict == "stale"
    assert "signature stale" in label


async def test_signed_page_missing(client):
    verdict, _ = signature_of(await client.get("/signed.html?callerNum=1"))
    assert verdict == "missing"


async def test_signed_page_repeated_name_is_invalid(client):
    params = sign({"callerNum": "1"})
    query = urlencode(params) + "&callerNum=2"
    assert signature_of(await client.get("/signed.html?" + query))[0] == "invalid"


# ---------------------------------------------------------------- verify_pop_signature


def test_verify_pop_signature_outcomes():
    now = 1_800_000_000
    params = sign({"callerNum": "13800000001", "a b": "x/y?z=1&w"}, ts=now)
    assert verify_pop_signature(params, SECRET, now) == "valid"
    assert verify_pop_signature(params, SECRET, now + 300) == "valid"
    assert verify_pop_signature(params, SECRET, now + 301) == "stale"
    assert verify_pop_signature(params, SECRET, now - 301) == "stale"
    assert verify_pop_signature(params, SECRET, now + 301, max_age=600) == "valid"
    assert verify_pop_signature(params, "wrong", now) == "invalid"
    assert verify_pop_signature({**params, "extra": "1"}, SECRET, now) == "invalid"
    assert verify_pop_signature({"callerNum": "1"}, SECRET, now) == "missing"


def test_verify_pop_signature_rejects_malformed_input():
    now = 1_800_000_000
    params = sign({"callerNum": "1"}, ts=now)
    assert verify_pop_signature({**params, "adk_sig": "ß" * 64}, SECRET, now) == "invalid"
    assert verify_pop_signature({**params, "adk_sig": params["adk_sig"].upper()}, SECRET, now) == (
        "invalid"
    )
    no_ts = {k: v for k, v in params.items() if k != "adk_ts"}
    assert verify_pop_signature(no_ts, SECRET, now) == "invalid"
    no_sig = {k: v for k, v in params.items() if k != "adk_sig"}
    assert verify_pop_signature(no_sig, SECRET, now) == "invalid"
    assert verify_pop_signature({**params, "adk_ts": "nan"}, SECRET, now) == "invalid"


def test_verify_pop_signature_matches_the_workbench_signer():
    """The page's check and agentdesk's signer (popparams.sign) agree on the canonical string."""
    from agentdesk.config_center.screenpop import popparams

    now = 1_800_000_000
    pairs = [("callerNum", "13800000001"), ("agentName", "张三"), ("origin", WB), ("x", "a&b=c")]
    signed = dict(popparams.sign(pairs, SECRET, now))
    assert verify_pop_signature(signed, SECRET, now) == "valid"


# ---------------------------------------------------------------- customer query (guide 5.3)

QUERY = "/rest/v1/queryCustomer"


@pytest.fixture(autouse=True)
def no_query_token(monkeypatch):
    """The sample interface wants no X-Api-Key unless a test sets one."""
    monkeypatch.delenv("AGENTDESK_DEMO_QUERY_TOKEN", raising=False)


def shown_fields(answer: list) -> dict:
    from agentdesk.config_center.interfaces.answer import parse_answer

    return {f["label"]: f for obj in parse_answer(answer) for f in obj["fields"]}


async def test_query_customer_answers_the_guides_shape_with_every_type_and_mask(client):
    response = await client.post(QUERY, json={"param": "13912345678"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert [obj["objectName"] for obj in answer] == ["客户信息", "账户信息"]
    values = [v for obj in answer for v in obj["values"]]
    assert {v["type"] for v in values} == {"1", "2", "3", "4", "5"}
    assert {v.get("maskStyle") for v in values} >= {"1", "2", ""}
    assert {v["isMandatory"] for v in values} == {True, False}
    assert all(isinstance(v["valueNo"], str) and v["name"] for v in values)
    dictionary = next(v for v in values if v["type"] == "5")
    assert dictionary["dictItems"] == [
        {"key": "1", "value": "预付费"},
        {"key": "2", "value": "后付费"},
    ]
    fields = shown_fields(answer)
    assert fields["手机号码"]["display"] == "*******5678"  # the param, masked last-4
    assert fields["查询号码"]["display"] == "13912345678"
    assert fields["证件号码"]["display"].startswith("1101") and fields["证件号码"]["masked"]


async def test_query_customer_error_param_gives_a_json_error(client):
    response = await client.post(QUERY, json={"param": "error"})
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": "400-001",
        "errorMsg": "customer query failed: no such customer",
    }


async def test_query_customer_slow_param(client, monkeypatch):
    import examples.third_party_pages as sample

    assert sample.SLOW_SECONDS > 1  # longer than the time-outs the tests configure
    monkeypatch.setattr(sample, "SLOW_SECONDS", 0.01)
    response = await client.post(QUERY, json={"param": "slow"})
    assert response.status_code == 200
    assert shown_fields(response.json())["查询号码"]["display"] == "slow"


async def test_query_customer_checks_the_request(client):
    assert (await client.get(QUERY)).status_code == 405
    form = await client.post(QUERY, data={"param": "1"})
    assert form.status_code == 415
    assert form.json()["errorMsg"] == "Content-Type must be application/json"
    for body in (b"not json", b'["param"]', b'{"param": ""}', b'{"param": 5}', b"{}"):
        response = await client.post(
            QUERY, content=body, headers={"content-type": "application/json; charset=UTF-8"}
        )
        assert response.status_code == 400, body
        assert response.json()["errorCode"].startswith("400-")


async def test_query_customer_token(monkeypatch):
    transport = httpx.ASGITransport(app=create_app(WB, query_token="t0ken"))
    async with httpx.AsyncClient(transport=transport, base_url="http://crm.example.net") as c:
        missing = await c.post(QUERY, json={"param": "1"})
        assert missing.status_code == 401
        assert missing.json()["errorMsg"] == "missing or wrong X-Api-Key header"
        wrong = await c.post(QUERY, json={"param": "1"}, headers={"X-Api-Key": "nope"})
        assert wrong.status_code == 401
        good = await c.post(QUERY, json={"param": "1"}, headers={"X-Api-Key": "t0ken"})
        assert good.status_code == 200
    monkeypatch.setenv("AGENTDESK_DEMO_QUERY_TOKEN", "from-env")
    async with pages() as c:
        assert (await c.post(QUERY, json={"param": "1"})).status_code == 401
        ok = await c.post(QUERY, json={"param": "1"}, headers={"X-Api-Key": "from-env"})
        assert ok.status_code == 200


# ---------------------------------------------------------------- identity verification


async def _verify(client, calldata) -> httpx.Response:
    return await client.post("/api/verify-card", json={"calldata": calldata})


async def test_verify_card_passes_the_right_pin_and_fails_a_wrong_one(client):
    passed = await _verify(
        client, {"cardNo": "6222000000000001", "pin": "1234", "verifyWorkNo": "101"}
    )
    assert passed.status_code == 200
    assert passed.json()["calldata"]["data"] == {
        "verifyResult": "1",
        "verifyReturn1": "ok",
        "verifyReturn2": "0001",
        "verifyReturn3": "101",
    }
    wrong = await _verify(client, {"cardNo": "6222000000000001", "pin": "9999"})
    assert wrong.json()["calldata"]["data"]["verifyResult"] == "2"
    assert wrong.json()["calldata"]["data"]["verifyReturn1"] == "wrong pin"
    unknown = await _verify(client, {"cardNo": "1111", "pin": "1234"})
    assert unknown.json()["calldata"]["data"]["verifyResult"] == "2"


async def test_verify_card_garbage_card_answers_something_that_is_not_json(client):
    answer = await _verify(client, {"cardNo": "6222000000000004", "pin": "1"})
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()


async def test_verify_card_refuses_a_body_without_calldata(client):
    answer = await client.post("/api/verify-card", json={"cardNo": "1"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "400-004"


async def test_verify_card_slow_card_answers_after_the_demo_step_time_out(monkeypatch, client):
    import examples.third_party_pages as sample

    monkeypatch.setattr(sample, "VERIFY_SLOW_SECONDS", 0.2)
    started = time.monotonic()
    answer = await _verify(client, {"cardNo": sample.VERIFY_SLOW_CARD, "pin": "1"})
    assert time.monotonic() - started >= 0.2
    assert answer.json()["calldata"]["data"]["verifyResult"] == "2"
