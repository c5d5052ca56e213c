"""Sample third-party screen-pop pages [弹屏页面], the kind an enterprise writes for its agents.

    python examples/third_party_pages.py --port 8001 --host 127.0.0.1 \\
        --workbench-origin http://127.0.0.1:8000

Pages:
  /customer.html  URL GET pop: shows every query parameter received, click-to-dial buttons
  /pop/post       URL POST pop: reads the x-www-form-urlencoded body (guide 3.4, in Python)
  /signed.html    like /customer.html, and verifies the optional adk_ts/adk_sig signature
  /no-frame.html  refuses to be framed (X-Frame-Options DENY + CSP frame-ancestors 'none')
  /sdk-demo.html  Web API pop page using AICCSupport.js (loaded from --agentdesk-origin)
  /rest/v1/queryCustomer  customer-query interface (guide 5.3): POST {"param": caller number},
                  answers every field type (1-5) and both masks; "error" answers HTTP 400,
                  "slow" answers after 1.5 s. With AGENTDESK_DEMO_QUERY_TOKEN set, the header
                  X-Api-Key must carry it.
  /api/verify-card  identity-verification interface (guide 4.4.5): POST {"calldata": {"cardNo",
                  "pin", ...}} answers {"calldata": {"data": {"verifyResult": "1"|"2", ...}}};
                  card 6222000000000003 answers after 8 s, 6222000000000004 answers garbage.

Only the standard library, Starlette and uvicorn are used. Every received value is HTML-escaped
before it is written into a page.
"""

import argparse
import asyncio
import hashlib
import hmac
import html
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

SECRET_ENV = "AGENTDESK_DEMO_POP_SECRET"
QUERY_TOKEN_ENV = "AGENTDESK_DEMO_QUERY_TOKEN"
QUERY_TOKEN_HEADER = "X-Api-Key"
SLOW_SECONDS = 1.5
# The enterprise's cards and PINs (identity verification, guide 4.4.5): right PIN 1, wrong 2.
VERIFY_CARDS = {"6222000000000001": "1234", "6222000000000002": "5678"}
# Beyond any verification step's time-out (at most 5 s in the demo flow): the result is 3.
VERIFY_SLOW_CARD, VERIFY_SLOW_SECONDS = "6222000000000003", 8.0
VERIFY_GARBAGE_CARD = "6222000000000004"
# The secret the demo tenant gives its signed sample page (agentdesk.cli.demo.DEMO_POP_SECRET).
DEFAULT_SECRET = "demo-pop-secret-2026"
MAX_FORM_BYTES = 64 * 1024
PAGES_DIR = Path(__file__).resolve().parent / "pages"
ORIGIN_RE = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
)


# The signature check a page's server runs (adk_ts = Unix seconds, adk_sig = lowercase hex of
# HMAC-SHA256(secret, canonical)); canonical = every parameter except adk_sig, sorted by name,
# as name=value percent-encoded with quote(x, safe=''), joined with '&'.
def verify_pop_signature(params: dict[str, str], secret: str, now: float, max_age=300) -> str:
    sig, ts = params.get("adk_sig", ""), params.get("adk_ts", "")
    if not sig and not ts:
        return "missing"
    if not (sig and ts.isascii() and ts.isdigit()):
        return "invalid"
    pairs = sorted((k, v) for k, v in params.items() if k != "adk_sig")
    canonical = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    expected = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), sig.encode()):
        return "invalid"
    return "stale" if abs(now - int(ts)) > max_age else "valid"


# ---------------------------------------------------------------- HTML

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.2em; color: #1f2937; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #d1d5db; padding: .25em .6em; text-align: left; }
th { background: #f3f4f6; }
.warning { background: #fef3c7; border: 1px solid #f59e0b; padding: .4em .6em; }
.valid { color: #047857; } .invalid, .stale { color: #b91c1c; } .missing { color: #6b7280; }
#log { background: #111827; color: #e5e7eb; padding: .5em; min-height: 4em; }
button { margin: .2em .2em .2em 0; }
"""

# Click-to-dial (guide 2.4): the four message forms the workbench accepts. `origin` is the
# workbench origin the pop received; it is the postMessage targetOrigin, so only the workbench
# can read the message.
DIAL_SCRIPT = """
(function () {
  var origin = document.body.getAttribute('data-origin') || '';
  var logBox = document.getElementById('log');
  function log(text) {
    logBox.textContent += new Date().toLocaleTimeString() + '  ' + text + '\\n';
  }
  function send(id, build) {
    document.getElementById(id).addEventListener('click', function () {
      var number = document.getElementById('callout-number').value.trim();
      if (!origin) { log('no origin parameter: not sent / 缺少 origin 参数，未发送'); return; }
      if (!number) { log('enter a number first / 请先输入号码'); return; }
      var message = build(number);
      try {
        top.postMessage(message, origin);
      } catch (err) {  // an origin that is not a valid URL
        log('not sent / 未发送: ' + err);
        return;
      }
      log('sent to ' + origin + ': ' +
          (typeof message === 'string' ? message : 'object ' + JSON.stringify(message)));
    });
  }
  send('callout-json-array', function (number) {
    return JSON.stringify({name: 'callout', param: [number, 'audio']});
  });
  send('callout-object-array', function (number) {
    return {name: 'callout', param: [number, 'video']};
  });
  send('callout-json-object', function (number) {
    return JSON.stringify({name: 'callout', param: {number: number, mode: 'audio'}});
  });
  send('callout-object-object', function (number) {
    return {name: 'callout', param: {number: number, mode: 'video'}};
  });
  log(origin ? 'ready, workbench origin ' + origin : 'no origin parameter / 缺少 origin 参数');
})();
"""


def esc(value: str) -> str:
    return html.escape(value, quote=True)


def page(title: str, body: str, *, origin: str = "", dial: bool = False) -> str:
    script = f"<script>{DIAL_SCRIPT}</script>" if dial else ""
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
        f'<body data-origin="{esc(origin)}"><h1>{esc(title)}</h1>{body}{script}</body></html>'
    )


def received_table(pairs: list[tuple[str, str]]) -> str:
    rows = "".join(
        f'<tr data-param="{esc(name)}"><th>{esc(name)}</th><td>{esc(value)}</td></tr>'
        for name, value in pairs
    )
    return (
        "<h2>收到的参数 / Received parameters</h2>"
        '<table id="received"><thead><tr><th>名称 / Name</th><th>值 / Value</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def dial_panel(origin: str) -> str:
    warning = (
        ""
        if origin
        else '<p class="warning" id="origin-warning">缺少 origin 参数，一键外呼不可用。 / '
        "No <code>origin</code> parameter: click-to-dial is disabled.</p>"
    )
    return (
        "<h2>一键外呼 / Click to dial</h2>"
        f"{warning}"
        '<label for="callout-number">外呼号码 / Number to call</label> '
        '<input id="callout-number" type="tel" value="88880523"><br>'
        '<button id="callout-json-array">语音外呼 (JSON 字符串, 数组) / Audio (JSON, array)'
        "</button>"
        '<button id="callout-object-array">视频外呼 (对象, 数组) / Video (object, array)</button>'
        '<button id="callout-json-object">语音外呼 (JSON 字符串, 对象) / Audio (JSON, object)'
        "</button>"
        '<button id="callout-object-object">视频外呼 (对象, 对象) / Video (object, object)'
        "</button>"
        '<h2>日志 / Log</h2><pre id="log"></pre>'
    )


# ---------------------------------------------------------------- customer query (guide 5.3)


def customer_answer(param: str) -> list[dict]:
    """The guide's answer shape for one caller: every type (1 string, 2 number, 3 date, 4 time,
    5 dictionary), both masks (1 last four, 2 first four), mandatory and optional fields."""
    return [
        {
            "objectName": "客户信息",
            "values": [
                {
                    "valueNo": "1",
                    "name": "姓名",
                    "value": "张三",
                    "type": "1",
                    "length": "128",
                    "isMandatory": True,
                },
                {
                    "valueNo": "2",
                    "name": "手机号码",
                    "value": param,
                    "type": "1",
                    "length": "64",
                    "isMandatory": True,
                    "maskStyle": "1",
                },
                {
                    "valueNo": "3",
                    "name": "证件号码",
                    "value": "110101199003078888",
                    "type": "1",
                    "length": "18",
                    "isMandatory": False,
                    "maskStyle": "2",
                },
                {
                    "valueNo": "4",
                    "name": "付费方式",
                    "value": "1",
                    "type": "5",
                    "isMandatory": True,
                    "dictItems": [{"key": "1", "value": "预付费"}, {"key": "2", "value": "后付费"}],
                },
                {
                    "valueNo": "5",
                    "name": "客户等级",
                    "value": "gold",
                    "type": "5",
                    "isMandatory": False,
                    "maskStyle": "",
                    "dictItems": [
                        {"key": "silver", "value": "银卡"},
                        {"key": "gold", "value": "金卡"},
                    ],
                },
            ],
        },
        {
            "objectName": "账户信息",
            "values": [
                {
                    "valueNo": "1",
                    "name": "账户余额",
                    "value": "1288.50",
                    "type": "2",
                    "length": "16",
                    "isMandatory": True,
                },
                {
                    "valueNo": "2",
                    "name": "开户日期",
                    "value": "2019-03-15",
                    "type": "3",
                    "isMandatory": False,
                },
                {
                    "valueNo": "3",
                    "name": "最近来电时间",
                    "value": "2024-05-20 14:30:00",
                    "type": "4",
                    "isMandatory": False,
                },
                {
                    "valueNo": "4",
                    "name": "查询号码",
                    "value": param,
                    "type": "1",
                    "isMandatory": False,
                },
            ],
        },
    ]


def verify_answer(calldata: dict) -> dict:
    """1 when the card is known and the PIN matches, else 2; the returns say why, as an
    enterprise's interface might (verifyReturn1..3 are free text for the agent)."""
    card, pin = str(calldata.get("cardNo", "")), str(calldata.get("pin", ""))
    expected = VERIFY_CARDS.get(card)
    passed = expected is not None and hmac.compare_digest(expected.encode(), pin.encode())
    reason = "ok" if passed else ("wrong pin" if expected else "unknown card")
    return {
        "calldata": {
            "data": {
                "verifyResult": "1" if passed else "2",
                "verifyReturn1": reason,
                "verifyReturn2": card[-4:],
                "verifyReturn3": str(calldata.get("verifyWorkNo", "")),
            }
        }
    }


def query_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errorCode": code, "errorMsg": message}, status_code=status)


# ---------------------------------------------------------------- routes


def create_app(
    workbench_origin: str,
    *,
    query_token: str | None = None,
    agentdesk_origin: str | None = None,
) -> Starlette:
    """The pages, frameable by `workbench_origin` only ("*" or "": by any page).

    `query_token` (else AGENTDESK_DEMO_QUERY_TOKEN): when set, /rest/v1/queryCustomer wants
    it in the X-Api-Key header. `agentdesk_origin`: where /sdk-demo.html loads AICCSupport.js
    from (default: the workbench origin, else http://127.0.0.1:8000)."""
    workbench_origin = workbench_origin.strip().rstrip("/")
    if workbench_origin and workbench_origin != "*":
        if not ORIGIN_RE.fullmatch(workbench_origin):
            raise ValueError(f"not an origin (scheme://host[:port]): {workbench_origin!r}")
        frame_headers = {
            "Content-Security-Policy": f"frame-ancestors 'self' {workbench_origin}",
        }
    else:
        frame_headers = {}

    sdk_origin = (agentdesk_origin or "").strip().rstrip("/") or (
        workbench_origin if workbench_origin not in ("", "*") else "http://127.0.0.1:8000"
    )
    if not ORIGIN_RE.fullmatch(sdk_origin):
        raise ValueError(f"not an origin (scheme://host[:port]): {sdk_origin!r}")
    sdk_page = (PAGES_DIR / "sdk-demo.html").read_text(encoding="utf-8")

    async def sdk_demo(request: Request) -> Response:
        return respond(sdk_page.replace("__AGENTDESK_ORIGIN__", esc(sdk_origin)))

    def respond(content: str, status_code: int = 200) -> HTMLResponse:
        return HTMLResponse(content, status_code=status_code, headers=frame_headers)

    async def index(request: Request) -> Response:
        links = [
            (
                "customer.html?callerNum=13800000001&origin=" + quote(workbench_origin, safe=""),
                "客户资料 (URL GET) / Customer profile (URL GET)",
            ),
            ("pop/post", "POST 弹屏 (URL POST) / POST pop (URL POST)"),
            ("signed.html", "签名校验 / Signed pop (adk_ts, adk_sig)"),
            ("no-frame.html", "禁止嵌入的页面 / A page that refuses framing"),
            ("sdk-demo.html", "AICCSupport.js 示例 (Web API) / Web API page using AICCSupport.js"),
        ]
        items = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for href, text in links)
        body = (
            "<p>示例第三方弹屏页面 / Sample third-party screen-pop pages. "
            f"Workbench origin: <code>{esc(workbench_origin or '*')}</code></p>"
            f'<ul id="pages">{items}</ul>'
        )
        return respond(page("第三方页面示例 / Third-party pages", body))

    async def customer(request: Request) -> Response:
        pairs = request.query_params.multi_items()
        origin = dict(pairs).get("origin", "")
        body = received_table(pairs) + dial_panel(origin)
        return respond(page("客户资料 / Customer profile", body, origin=origin, dial=True))

    async def signed(request: Request) -> Response:
        pairs = request.query_params.multi_items()
        params = dict(pairs)
        secret = os.environ.get(SECRET_ENV, DEFAULT_SECRET)
        if len(params) != len(pairs):  # a repeated name makes the signed data ambiguous
            verdict = "invalid"
        else:
            verdict = verify_pop_signature(params, secret, time.time())
        labels = {
            "valid": "签名有效 / signature valid",
            "invalid": "签名无效 / signature invalid",
            "stale": "签名已过期 / signature stale (adk_ts more than 300 s away)",
            "missing": "未签名 / no signature (adk_ts, adk_sig absent)",
        }
        origin = params.get("origin", "")
        body = (
            f'<p>签名 / Signature: <strong id="signature" class="{verdict}" '
            f'data-verdict="{verdict}">{esc(labels[verdict])}</strong></p>'
            + received_table(pairs)
            + dial_panel(origin)
        )
        return respond(page("签名弹屏 / Signed pop", body, origin=origin, dial=True))

    async def pop_post(request: Request) -> Response:
        if request.method == "GET":
            body = (
                '<p id="no-post">没有收到 POST 请求。 / No POST was received: the workbench '
                "opens this page with an HTML form POST (application/x-www-form-urlencoded).</p>"
                + received_table([])
            )
            return respond(page("POST 弹屏 / POST pop", body))
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            body = "<p>需要表单提交 / Expected application/x-www-form-urlencoded.</p>"
            return respond(page("POST 弹屏 / POST pop", body), status_code=415)
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_FORM_BYTES:
                return respond(page("POST 弹屏 / POST pop", "<p>Form too large.</p>"), 413)
        # Like the guide's Spring controller: read the raw body, split it into name=value.
        pairs = parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
        origin = dict(pairs).get("origin", "")
        body = (
            "<p>URL 查询串 / Query string of this request (should be empty): "
            f'<code id="query">{esc(request.url.query)}</code></p>'
            + received_table(pairs)
            + dial_panel(origin)
        )
        return respond(page("POST 弹屏 / POST pop", body, origin=origin, dial=True))

    async def no_frame(request: Request) -> Response:
        body = (
            "<p>本页面禁止被嵌入，请使用“独立打开”。 / This page refuses to be framed "
            "(X-Frame-Options: DENY, Content-Security-Policy: frame-ancestors 'none'); "
            "configure it with the independent open mode.</p>"
        )
        return HTMLResponse(
            page("禁止嵌入 / No framing", body),
            headers={
                "X-Frame-Options": "DENY",
                "Content-Security-Policy": "frame-ancestors 'none'",
            },
        )

    async def query_customer(request: Request) -> Response:
        expected = query_token or os.environ.get(QUERY_TOKEN_ENV, "")
        given = request.headers.get(QUERY_TOKEN_HEADER, "")
        if expected and not hmac.compare_digest(expected.encode(), given.encode()):
            return query_error(401, "401-001", f"missing or wrong {QUERY_TOKEN_HEADER} header")
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            return query_error(415, "415-001", "Content-Type must be application/json")
        raw = await request.body()
        if len(raw) > MAX_FORM_BYTES:
            return query_error(413, "413-001", "request body too large")
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return query_error(400, "400-002", "the body is not JSON")
        param = body.get("param") if isinstance(body, dict) else None
        if not isinstance(param, str) or not param.strip():
            return query_error(400, "400-003", 'the body must be {"param": "<caller number>"}')
        if param == "error":
            return query_error(400, "400-001", "customer query failed: no such customer")
        if param == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        return JSONResponse(customer_answer(param))

    async def verify_card(request: Request) -> Response:
        raw = await request.body()
        if len(raw) > MAX_FORM_BYTES:
            return query_error(413, "413-001", "request body too large")
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return query_error(400, "400-002", "the body is not JSON")
        calldata = body.get("calldata") if isinstance(body, dict) else None
        if not isinstance(calldata, dict):
            return query_error(400, "400-004", 'the body must be {"calldata": {...}}')
        card = str(calldata.get("cardNo", ""))
        if card == VERIFY_SLOW_CARD:
            await asyncio.sleep(VERIFY_SLOW_SECONDS)
        if card == VERIFY_GARBAGE_CARD:
            return Response("<html>not json</html>", media_type="application/json")
        return JSONResponse(verify_answer(calldata))

    return Starlette(
        routes=[
            Route("/", index),
            Route("/customer.html", customer),
            Route("/signed.html", signed),
            Route("/pop/post", pop_post, methods=["GET", "POST"]),
            Route("/no-frame.html", no_frame),
            Route("/sdk-demo.html", sdk_demo),
            Route("/rest/v1/queryCustomer", query_customer, methods=["POST"]),
            Route("/api/verify-card", verify_card, methods=["POST"]),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the sample third-party pop pages.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--workbench-origin",
        default=os.environ.get("AGENTDESK_PUBLIC_ORIGIN", "http://127.0.0.1:8000"),
        help="origin allowed to frame the pages (CSP frame-ancestors); '*' allows any",
    )
    parser.add_argument(
        "--agentdesk-origin",
        default=os.environ.get("AGENTDESK_PUBLIC_ORIGIN", "http://127.0.0.1:8000"),
        help="the agentdesk that /sdk-demo.html loads AICCSupport.js from",
    )
    args = parser.parse_args(argv)
    print(f"pages on http://{args.host}:{args.port}/  (frameable by {args.workbench_origin})")
    app = create_app(args.workbench_origin, agentdesk_origin=args.agentdesk_origin)
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
