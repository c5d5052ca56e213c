"""SSRF matrix: the server never reaches a non-public address an admin (or a redirect) names.

Real servers on 127.0.0.1 stand in for what must stay unreachable: each URL form below means
127.0.0.1 (or another private address) to a resolver or a browser, and the recorder must see
no request at all. Both outbound paths are probed: the page check (GET, follows redirects) and
an enterprise interface call (POST, never follows them).
"""

import asyncio
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from agentdesk.config_center.screenpop.checker import check_page
from agentdesk.config_center.whitelist.matching import parse_entry
from agentdesk.kit.outbound import OutboundError, no_answer_message, post_json

WB = "http://desk.example.com:8000"
TIMEOUT = 1.0

# {port} is the recorder's port; every form names a loopback, private or link-local address.
PRIVATE_FORMS = [
    "127.0.0.1:{port}",
    "127.1:{port}",  # short form
    "127.0.0.1.:{port}",  # trailing dot
    "127.254.0.9:{port}",  # all of 127/8
    "2130706433:{port}",  # decimal
    "0x7f000001:{port}",  # hex
    "0x7f.0.0.1:{port}",  # hex label
    "0177.0.0.1:{port}",  # octal label
    "017700000001:{port}",  # octal
    "%31%32%37.0.0.1:{port}",  # percent-encoded
    "localhost:{port}",
    "LOCALHOST.:{port}",
    "[::1]:{port}",
    "[0:0:0:0:0:0:0:1]:{port}",
    "[::ffff:127.0.0.1]:{port}",  # IPv4-mapped IPv6
    "[::ffff:7f00:1]:{port}",
    "[::ffff:169.254.169.254]:{port}",
    "0.0.0.0:{port}",  # Linux connects 0.0.0.0 to this host
    "0:{port}",
    "[::]:{port}",
    "169.254.169.254:{port}",  # cloud metadata (link-local)
    "[fe80::1]:{port}",
    "10.0.0.1:{port}",
    "192.168.0.1:{port}",
    "100.64.0.1:{port}",
]


class Recorder(BaseHTTPRequestHandler):
    """Answers every path; a path under /to/ redirects to the rest of it (`/to/<url>`)."""

    def do_GET(self):
        self.server.hits.append(self.path)
        path = urlsplit(self.path).path
        if path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/to/") :])
        else:
            self.send_response(200)
            self.send_header("X-Secret-Header", "internal-only")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def recorder():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def victim(recorder):
    recorder.hits.clear()
    return recorder


def url_of(form: str, port: int, scheme: str = "http") -> str:
    return f"{scheme}://{form.format(port=port)}/internal"


async def check(url: str, entries: list[tuple[str, bool]]) -> dict:
    parsed = [(parse_entry(pattern), allow) for pattern, allow in entries]
    return await check_page(url, workbench_origin=WB, entries=parsed, timeout=TIMEOUT)


# ---------------------------------------------------------------- direct requests


@pytest.mark.parametrize("form", PRIVATE_FORMS)
async def test_interface_call_refuses_every_private_form(victim, form):
    url = url_of(form, victim.server_address[1])
    with pytest.raises(OutboundError) as caught:
        await post_json(url, {"param": "1"}, timeout=TIMEOUT, allow_private=False)
    assert caught.value.kind == "blocked", caught.value.message
    assert victim.hits == []


@pytest.mark.parametrize("form", PRIVATE_FORMS)
async def test_page_check_refuses_every_private_form_of_a_public_entry(victim, form):
    """Even a whitelisted URL is not fetched when its entry does not allow private addresses."""
    url = url_of(form, victim.server_address[1])
    result = await check(url, [(url, False)])
    assert result["reachable"] is False
    assert result["status"] is None
    assert "not a public address" in result["error"], result["error"]
    assert victim.hits == []


# ---------------------------------------------------------------- redirects


@pytest.mark.parametrize("form", PRIVATE_FORMS)
async def test_redirect_to_a_private_form_outside_the_whitelist_is_not_followed(victim, form):
    """The entry of the first page allows private addresses: of that entry only."""
    port = victim.server_address[1]
    listed = f"http://127.0.0.1:{port}/to/"
    target = url_of(form, port).replace("/internal", "/inner")
    result = await check(listed + target, [(listed, True)])
    assert result["reachable"] is False
    assert "not in the address whitelist" in result["error"], result["error"]
    assert "internal-only" not in str(result)
    assert victim.hits == ["/to/" + target]  # the whitelisted hop, nothing after it


@pytest.mark.parametrize("form", PRIVATE_FORMS)
async def test_redirect_to_a_whitelisted_private_form_is_guarded_on_its_own(victim, form):
    """The redirect target is whitelisted too, but without private addresses: blocked."""
    port = victim.server_address[1]
    listed = f"http://127.0.0.1:{port}/to/"
    target = url_of(form, port).replace("/internal", "/inner")
    result = await check(listed + target, [(listed, True), (target, False)])
    assert result["reachable"] is False
    assert "not a public address" in result["error"], result["error"]
    assert victim.hits == ["/to/" + target]


async def test_redirect_to_a_non_whitelisted_public_host_is_not_followed(victim):
    port = victim.server_address[1]
    listed = f"http://127.0.0.1:{port}/to/"
    result = await check(listed + "https://elsewhere.example/", [(listed, True)])
    assert result["reachable"] is False
    assert (
        result["error"] == "https://elsewhere.example/ is not in the address whitelist [地址白名单]"
    )
    assert result["redirects"] == ["https://elsewhere.example/"]


async def test_redirect_hops_are_capped(victim):
    port = victim.server_address[1]
    base = f"http://127.0.0.1:{port}"
    url = base + "/to/" + base + "/to/" + base + "/to/" + base + "/to/" + base + "/end"
    result = await check(url, [(base, True)])
    assert result["error"] == "more than 3 redirects"
    assert len(victim.hits) == 4  # the first request and three redirects, not the fifth hop
    assert "/end" not in victim.hits


# ---------------------------------------------------------------- no port scanning


class _RawServer:
    """A TCP port that accepts and then misbehaves: closes at once, sends garbage or stays
    silent. Each would yield its own error text if texts differed by cause."""

    def __init__(self, behaviour: str):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.behaviour = behaviour
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.behaviour == "garbage":
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
                conn.close()
            elif self.behaviour == "close":
                conn.close()
            else:
                self.held.append(conn)  # silent until the client gives up

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def misbehaving():
    servers = {name: _RawServer(name) for name in ("close", "garbage", "silent")}
    yield servers
    for server in servers.values():
        server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_every_connection_failure_reads_the_same(misbehaving, victim):
    """A closed port, a port that hangs up, a non-HTTP service, a silent one and TLS spoken to
    an HTTP server: the page check and the interface call cannot tell them apart."""
    urls = [f"http://127.0.0.1:{free_port()}/x"]
    urls += [f"http://127.0.0.1:{server.port}/x" for server in misbehaving.values()]
    urls.append(f"https://127.0.0.1:{victim.server_address[1]}/x")
    checks = await asyncio.gather(*(check(url, [(url, True)]) for url in urls))
    assert {result["error"] for result in checks} == {no_answer_message(TIMEOUT)}
    assert all(result["reachable"] is False for result in checks)
    messages = set()
    for url in urls:
        with pytest.raises(OutboundError) as caught:
            await post_json(url, {}, timeout=TIMEOUT, allow_private=True)
        messages.add(caught.value.message)
    assert messages == {no_answer_message(TIMEOUT)}
