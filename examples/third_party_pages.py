"""Sample third-party screen-pop pages [弹屏页面], the kind an enterprise writes for its agents.

    python examples/third_party_pages.py --port 8001 --host 127.0.0.1 \\
        --workbench-origin http://127.0.0.1:8000

Pages:
  /customer.html  URL GET pop: shows every query parameter received, click-to-dial buttons
  /pop/post       URL POST pop: reads the x-www-form-urlencoded body (guide 3.4, in Python)
  /signed.html    like /customer.html, and verifies the optional adk_ts/adk_sig signature
  /no-frame.html  refuses to be framed (X-Frame-Options DENY + CSP frame-ancestors 'none')

Only the standard library, Starlette and uvicorn are used. Every received value is HTML-escaped
before it is written into a page.
"""

import argparse
import hashlib
import hmac
import html
import os
import re
import time
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

SECRET_ENV = "AGENTDESK_DEMO_POP_SECRET"
# The secret the demo tenant gives its signed sample page (agentdesk.cli.demo.DEMO_POP_SECRET).
DEFAULT_SECRET = "demo-pop-secret-2026"
MAX_FORM_BYTES = 64 * 1024
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


# ---------------------------------------------------------------- routes


def create_app(workbench_origin: str) -> Starlette:
    """The pages, frameable by `workbench_origin` only ("*" or "": by any page)."""
    workbench_origin = workbench_origin.strip().rstrip("/")
    if workbench_origin and workbench_origin != "*":
        if not ORIGIN_RE.fullmatch(workbench_origin):
            raise ValueError(f"not an origin (scheme://host[:port]): {workbench_origin!r}")
        frame_headers = {
            "Content-Security-Policy": f"frame-ancestors 'self' {workbench_origin}",
        }
    else:
        frame_headers = {}

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

    return Starlette(
        routes=[
            Route("/", index),
            Route("/customer.html", customer),
            Route("/signed.html", signed),
            Route("/pop/post", pop_post, methods=["GET", "POST"]),
            Route("/no-frame.html", no_frame),
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
    args = parser.parse_args(argv)
    print(f"pages on http://{args.host}:{args.port}/  (frameable by {args.workbench_origin})")
    uvicorn.run(create_app(args.workbench_origin), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
