"""check_page against real HTTP servers on 127.0.0.1 sending each framing header variant."""

import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from agentdesk.config_center.screenpop.checker import ADVICE_HTTPS, ADVICE_INDEPENDENT, check_page
from agentdesk.config_center.whitelist.matching import parse_entry
from agentdesk.kit.outbound import no_answer_message

WB = "http://desk.example.com:8000"

# path -> (status, [(header, value), ...]); "{other}" / "{self}" are filled with base URLs.
ROUTES: dict[str, tuple[int, list[tuple[str, str]]]] = {
    "/plain": (200, []),
    "/xfo-deny": (200, [("X-Frame-Options", "DENY")]),
    "/xfo-sameorigin": (200, [("X-Frame-Options", "SAMEORIGIN")]),
    "/xfo-allow-from": (200, [("X-Frame-Options", f"ALLOW-FROM {WB}")]),
    "/xfo-garbage": (200, [("x-frame-options", "whatever")]),
    "/csp-none": (200, [("Content-Security-Policy", "frame-ancestors 'none'")]),
    "/csp-self": (200, [("Content-Security-Policy", "frame-ancestors 'self'")]),
    "/csp-workbench": (200, [("Content-Security-Policy", f"frame-ancestors {WB}")]),
    "/csp-wildcard": (200, [("Content-Security-Policy", "frame-ancestors http://*.example.com:*")]),
    "/csp-over-xfo": (
        200,
        [("X-Frame-Options", "DENY"), ("Content-Security-Policy", "frame-ancestors *")],
    ),
    "/report-only": (200, [("Content-Security-Policy-Report-Only", "frame-ancestors 'none'")]),
    "/two-csp": (
        200,
        [
            ("Content-Security-Policy", f"frame-ancestors {WB}"),
            ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
        ],
    ),
    "/missing": (404, [("X-Frame-Options", "DENY")]),
    "/r/0": (302, [("Location", "/xfo-deny")]),
    "/r/1": (301, [("Location", "/r/0")]),
    "/r/2": (307, [("Location", "{self}/r/1")]),
    "/r/3": (308, [("Location", "/r/2")]),
    "/to-other": (302, [("Location", "{other}/csp-workbench?token=hop-secret")]),
    "/to-localhost": (302, [("Location", "http://localhost:{port}/plain")]),
    "/to-ftp": (302, [("Location", "ftp://127.0.0.1/file")]),
    "/to-port": (302, [("Location", "http://127.0.0.1:{unlisted}/secret")]),
    "/to-metadata": (302, [("Location", "http://169.254.169.254/latest/meta-data/")]),
}


class Recorder(BaseHTTPRequestHandler):
    """Answers ROUTES; remembers (path, Host header) of each request it got."""

    def do_GET(self):
        server = self.server
        path = urlsplit(self.path).path
        server.hits.append((self.path, self.headers.get("Host")))
        status, headers = ROUTES.get(path, (404, []))
        body = b"<!doctype html><title>page</title>"
        self.send_response(status)
        for name, value in headers:
            value = value.format(
                self=server.base,
                other=server.other_base,
                port=server.server_address[1],
                unlisted=server.unlisted_port,
            )
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_server() -> ThreadingHTTPServer:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.hits = []
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.other_base = ""
    httpd.unlisted_port = 0
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def servers():
    first, second = start_server(), start_server()
    first.other_base, second.other_base = second.base, first.base
    yield first, second
    for httpd in (first, second):
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def site(servers):
    for httpd in servers:
        httpd.hits.clear()
    return servers[0]


LISTED: list[str] = []  # whitelist patterns of every check (the servers' origins, see below)


@pytest.fixture(scope="module", autouse=True)
def listed(servers):
    """Both servers and `localhost` on the first one's port are whitelisted."""
    first, second = servers
    LISTED[:] = [first.base, second.base, f"http://localhost:{first.server_address[1]}"]


async def check(
    url: str, workbench: str = WB, allow_private: bool = True, patterns: list[str] | None = None
) -> dict:
    """check_page with the given whitelist (default LISTED), each entry with `allow_private`."""
    entries = [(parse_entry(p), allow_private) for p in (LISTED if patterns is None else patterns)]
    return await check_page(url, workbench_origin=workbench, entries=entries, timeout=3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- verdicts


async def test_plain_page_is_allowed_and_reported_as_http(site):
    result = await check(site.base + "/plain")
    assert result["reachable"] is True
    assert result["status"] == 200
    assert result["framing"] == "allowed"
    assert result["https"] is False
    assert result["error"] is None
    assert result["advice"] == [ADVICE_HTTPS]
    assert result["url"] == site.base + "/plain"
    assert result["checked_at"].startswith("20")
    # The request really went to this server, with the real Host header.
    assert site.hits == [("/plain", f"127.0.0.1:{site.server_address[1]}")]


@pytest.mark.parametrize(
    ("path", "framing", "in_reason"),
    [
        ("/xfo-deny", "forbidden", "DENY"),
        ("/xfo-sameorigin", "forbidden", "SAMEORIGIN"),
        ("/xfo-allow-from", "allowed", "ignored"),
        ("/xfo-garbage", "allowed", "invalid"),
        ("/csp-none", "forbidden", "'none'"),
        ("/csp-self", "forbidden", "'self'"),
        ("/csp-workbench", "allowed", "frame-ancestors"),
        ("/csp-wildcard", "allowed", "frame-ancestors"),
        ("/csp-over-xfo", "allowed", "frame-ancestors"),
        ("/report-only", "allowed", "Report-Only"),
        ("/two-csp", "forbidden", "'none'"),
    ],
)
async def test_header_variants(site, path, framing, in_reason):
    result = await check(site.base + path)
    assert result["reachable"] is True
    assert result["status"] == 200
    assert result["framing"] == framing
    assert in_reason in result["reason"]
    assert (ADVICE_INDEPENDENT in result["advice"]) is (framing == "forbidden")
    assert ADVICE_HTTPS in result["advice"]


async def test_sameorigin_and_self_allow_a_workbench_on_the_page_origin(site):
    for path in ("/xfo-sameorigin", "/csp-self"):
        result = await check(site.base + path, workbench=site.base)
        assert result["framing"] == "allowed", path


async def test_https_workbench_cannot_frame_an_http_page(site):
    result = await check(site.base + "/plain", workbench="https://desk.example.com")
    assert result["framing"] == "forbidden"
    assert "mixed content" in result["reason"]
    assert ADVICE_HTTPS in result["advice"]
    assert ADVICE_INDEPENDENT in result["advice"]


async def test_error_status_is_reachable_and_still_judged(site):
    result = await check(site.base + "/missing")
    assert result["reachable"] is True
    assert result["status"] == 404
    assert result["framing"] == "forbidden"
    assert "404" in result["reason"]


# ---------------------------------------------------------------- redirects


async def test_redirect_chain_of_three_is_followed(site):
    result = await check(site.base + "/r/2")
    assert result["error"] is None
    assert result["status"] == 200
    assert result["framing"] == "forbidden"  # the final page sends DENY
    assert result["redirects"] == [site.base + "/r/1", site.base + "/r/0", site.base + "/xfo-deny"]
    assert [path for path, _ in site.hits] == ["/r/2", "/r/1", "/r/0", "/xfo-deny"]


async def test_more_than_three_redirects_is_an_error(site):
    result = await check(site.base + "/r/3")
    assert result["reachable"] is True
    assert result["status"] == 302
    assert result["framing"] == "unknown"
    assert "redirects" in result["error"]
    assert "/xfo-deny" not in [path for path, _ in site.hits]


async def test_redirect_to_another_server_judges_the_final_page(servers, site):
    other = servers[1]
    result = await check(site.base + "/to-other")
    assert result["framing"] == "allowed"
    assert result["redirects"] == [other.base + "/csp-workbench"]  # no query string kept
    assert other.hits == [
        ("/csp-workbench?token=hop-secret", f"127.0.0.1:{other.server_address[1]}")
    ]


async def test_redirect_to_another_scheme_is_reported(site):
    result = await check(site.base + "/to-ftp")
    assert result["reachable"] is False
    assert result["framing"] == "unknown"
    assert "http" in result["error"]


async def test_every_hop_is_checked_by_netguard_with_its_own_entry(site):
    """127.0.0.1:port may reach loopback, the localhost entry may not: the first hop's
    permission does not carry over to the redirect."""
    port = site.server_address[1]
    entries = [(parse_entry(site.base), True), (parse_entry(f"http://localhost:{port}"), False)]
    result = await check_page(
        site.base + "/to-localhost", workbench_origin=WB, entries=entries, timeout=3
    )
    assert result["reachable"] is False
    assert "loopback" in result["error"]
    assert result["redirects"] == [f"http://localhost:{port}/plain"]
    assert [path for path, _ in site.hits] == ["/to-localhost"]  # /plain never requested


async def test_redirect_to_a_host_outside_the_whitelist_is_not_followed(servers, site):
    other = servers[1]
    result = await check(site.base + "/to-other", patterns=[site.base])
    assert result["reachable"] is False
    assert result["framing"] == "unknown"
    assert "not in the address whitelist" in result["error"]
    assert other.hits == []


# ---------------------------------------------------------------- refusals and failures


async def test_redirect_to_another_port_of_a_private_entry_is_not_followed(site):
    """The entry allows private addresses of 127.0.0.1:<port> only, not its other ports."""
    victim = start_server()
    try:
        site.unlisted_port = victim.server_address[1]
        result = await check(site.base + "/to-port", patterns=[site.base])
    finally:
        victim.shutdown()
        victim.server_close()
    assert victim.hits == []
    assert result["reachable"] is False and result["status"] is None
    assert result["error"] == f"http://127.0.0.1:{site.unlisted_port}/secret is not in the " + (
        "address whitelist [地址白名单]"
    )
    assert result["redirects"] == [f"http://127.0.0.1:{site.unlisted_port}/secret"]


async def test_redirect_to_the_metadata_address_is_not_followed(site):
    result = await check(site.base + "/to-metadata", patterns=[site.base])
    assert result["reachable"] is False
    assert "not in the address whitelist" in result["error"]
    # Even whitelisted, it is link-local: only an entry allowing private addresses reaches it.
    patterns = [site.base, "http://169.254.169.254"]
    entries = [(parse_entry(patterns[0]), True), (parse_entry(patterns[1]), False)]
    result = await check_page(
        site.base + "/to-metadata", workbench_origin=WB, entries=entries, timeout=3
    )
    assert "link-local" in result["error"]


async def test_loopback_refused_without_allow_private(site):
    result = await check(site.base + "/plain", allow_private=False)
    assert result["reachable"] is False
    assert result["status"] is None
    assert result["framing"] == "unknown"
    assert "loopback" in result["error"]
    assert site.hits == []  # nothing was sent


async def test_localhost_name_refused_without_allow_private(site):
    url = f"http://localhost:{site.server_address[1]}/plain"
    result = await check(url, allow_private=False)
    assert result["reachable"] is False
    assert "loopback" in result["error"]
    assert site.hits == []


async def test_localhost_name_allowed_keeps_the_host_header(site):
    port = site.server_address[1]
    result = await check(f"http://localhost:{port}/plain")
    assert result["reachable"] is True
    assert site.hits == [("/plain", f"localhost:{port}")]


async def test_unreachable_port_is_reported_not_raised():
    port = free_port()
    result = await check(f"http://127.0.0.1:{port}/page", patterns=[f"http://127.0.0.1:{port}"])
    assert result["reachable"] is False
    assert result["status"] is None
    assert result["framing"] == "unknown"
    assert result["error"] == no_answer_message(3)


async def test_tls_failure_is_reported(site):
    tls = f"https://127.0.0.1:{site.server_address[1]}"
    result = await check(tls + "/plain", patterns=[tls])
    assert result["https"] is True
    assert result["reachable"] is False
    assert result["error"] == no_answer_message(3)  # the same text as a closed port
    assert ADVICE_HTTPS not in result["advice"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/file", "only http"),
        ("javascript:alert(1)", "only http"),
        ("http:///nohost", "no host"),
        ("http://user:pw@127.0.0.1/", "user name or password"),
        ("http://127.0.0.1:99999/", "invalid port"),
    ],
)
async def test_unusable_urls_are_reported(url, message):
    result = await check(url)
    assert result["reachable"] is False
    assert message in result["error"]


async def test_query_strings_never_reach_the_log(site, caplog):
    """At INFO (httpx logs full URLs there; httpcore's DEBUG tracing is opt-in diagnostics)."""
    caplog.set_level(logging.INFO)
    await check(site.base + "/to-other?token=s3cret-value")
    await check(site.base + "/plain?token=s3cret-value", allow_private=False)
    assert "page check" in caplog.text
    assert "s3cret-value" not in caplog.text
    assert "hop-secret" not in caplog.text


# ---------------------------------------------------------------- the example pages, live


@pytest.fixture(scope="module")
def example_pages():
    """examples/third_party_pages.py served by uvicorn in a thread, frameable by WB."""
    import asyncio

    import uvicorn

    from examples.third_party_pages import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(WB), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "example pages did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def test_example_pages_verdicts(example_pages):
    LISTED.append(example_pages)
    customer = await check(example_pages + "/customer.html?callerNum=1&origin=" + WB)
    assert (customer["status"], customer["framing"]) == (200, "allowed")
    elsewhere = await check(example_pages + "/customer.html", workbench="http://other.test:8000")
    assert elsewhere["framing"] == "forbidden"
    assert ADVICE_INDEPENDENT in elsewhere["advice"]
    refused = await check(example_pages + "/no-frame.html")
    assert (refused["status"], refused["framing"]) == (200, "forbidden")
    assert "'none'" in refused["reason"]
