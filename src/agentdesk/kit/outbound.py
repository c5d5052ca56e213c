"""Server-side requests to a URL an admin typed, pinned to the addresses the SSRF guard approved.

Every request (the page check's GET, an enterprise interface's POST) goes through here. The
host is the one a browser would load (`kit.urlhost`), resolved once with
`kit.netguard.resolve_public`, and the connection goes to one of those addresses while the Host
header and the TLS server name (SNI, certificate check) stay the real host name, so DNS cannot
change between the check and the connection.

Redirects are followed only by `get_following`, at most MAX_REDIRECTS of them, and every hop is
treated as a new request: the caller's `permit` approves it (the page check asks the address
whitelist) and says whether *that hop* may reach private addresses, and netguard checks its
addresses on their own. A permission granted to the first URL never carries over to where it
redirects, or a whitelisted page could point the server at any port of 127.0.0.1 or at
169.254.169.254.

Every failure to get an HTTP answer (refused, reset, TLS failure, time-out, not HTTP at all)
reads the same, `no_answer_message`: distinct texts per cause would tell an admin which ports
of a host are open, i.e. make the server a port scanner.

The request is built by an httpx client (time-outs, default headers) but sent through its
transport: the client logs every full URL, and URLs may carry tokens. Nothing here logs a query
string, a header value or a body; every failure becomes an `OutboundError` whose message is
safe to show an admin and to log.
"""

import asyncio
import functools
import json
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import certifi
import httpx

from agentdesk.kit.netguard import BlockedAddress, resolve_public
from agentdesk.kit.urlhost import HTTP_PORTS as DEFAULT_PORTS
from agentdesk.kit.urlhost import HostError, authority_host, canonical_host

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_ANSWER_BYTES = 1_000_000
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
USER_AGENT = "agentdesk"


class OutboundError(Exception):
    """The request failed before an HTTP answer arrived. `kind`: invalid_url, refused (by the
    caller's `permit`), blocked, dns, connect, timeout or too_large; `message` names no secret.
    `redirects`: the hops followed before the failure (redacted), for `get_following`."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.redirects: tuple[str, ...] = ()


Permit = Callable[["Target"], bool]
"""Approves one hop before anything is sent: returns whether it may reach private addresses,
or raises OutboundError (kind "refused") when it must not be requested at all."""


class Target(NamedTuple):
    url: str
    scheme: str
    host: str  # as a browser loads it (kit.urlhost), trailing dot kept, without brackets
    port: int

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True)
class Fetched:
    """The answer `get_following` stopped at: status and headers, never the body."""

    status: int
    headers: httpx.Headers
    target: Target  # the hop that gave this answer
    redirects: tuple[str, ...]  # every hop after the first, redacted, in order
    too_many_redirects: bool = False


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, any status: the caller decides what a status means."""

    status: int
    headers: httpx.Headers
    body: bytes
    elapsed_ms: int


def parse_target(url: str) -> Target:
    """Validate an http(s) URL to call; ValueError with a readable message when unusable."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("only http:// and https:// URLs can be called")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not contain a user name or password")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError("the URL has an invalid port") from None
    try:
        host = canonical_host(authority_host(parts.netloc))
    except HostError as exc:
        raise ValueError(str(exc)) from None
    return Target(url.strip(), scheme, host.removeprefix("[").removesuffix("]"), port)


def no_answer_message(timeout: float) -> str:
    """The one text for every failure to get an HTTP answer (see the module docstring)."""
    ms = round(timeout * 1000)
    return f"no HTTP answer: the connection was refused, failed or timed out (time-out {ms} ms)"


def redact(url: str) -> str:
    """scheme://host[:port]/path only: no credentials, query or fragment (safe to log/show)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _pinned_url(target: Target, address: str) -> str:
    parts = urlsplit(target.url)
    ip = f"[{address}]" if ":" in address else address
    pinned = f"{target.scheme}://{ip}:{target.port}{parts.path or '/'}"
    return f"{pinned}?{parts.query}" if parts.query else pinned


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise OutboundError(f"the answer is larger than {max_bytes} bytes", kind="too_large")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise OutboundError(f"the answer is larger than {max_bytes} bytes", kind="too_large")
        chunks.append(chunk)
    return b"".join(chunks)


async def _send_pinned(
    client: httpx.AsyncClient,
    transport: httpx.AsyncBaseTransport,
    target: Target,
    addresses: list[str],
    request: tuple[str, dict[str, str], bytes | None],
    max_bytes: int | None,
) -> tuple[int, httpx.Headers, bytes]:
    """Send to each approved address in turn until one connects; read the answer (capped),
    or with `max_bytes` None only its status and headers."""
    method, headers, content = request
    last_error: Exception | None = None
    # Browsers send the trailing dot in Host but not in the TLS server name (RFC 6066).
    sni = target.host.removesuffix(".")
    extensions = {"sni_hostname": sni} if target.scheme == "https" else {}
    for address in addresses:
        built = client.build_request(
            method,
            _pinned_url(target, address),
            headers={**headers, "Host": target.host_header},
            content=content,
            extensions=extensions,
        )
        try:
            response = await transport.handle_async_request(built)
        except httpx.ConnectError as exc:  # try the next address
            last_error = exc
            continue
        try:
            body = b"" if max_bytes is None else await _read_capped(response, max_bytes)
            return response.status_code, response.headers, body
        finally:
            await response.aclose()
    assert last_error is not None
    raise last_error


def _failure(exc: BaseException, timeout: float) -> OutboundError:
    """A secret-free OutboundError for whatever went wrong on the way."""
    if isinstance(exc, OutboundError):
        return exc
    if isinstance(exc, BlockedAddress):
        return OutboundError(exc.message, kind="blocked")
    if isinstance(exc, httpx.TimeoutException | TimeoutError):  # TimeoutError is an OSError
        return OutboundError(no_answer_message(timeout), kind="timeout")
    if isinstance(exc, httpx.HTTPError):  # refused, reset, TLS, not HTTP: all read the same
        return OutboundError(no_answer_message(timeout), kind="connect")
    if isinstance(exc, OSError):
        return OutboundError("the host name could not be resolved", kind="dns")
    return OutboundError(str(exc), kind="invalid_url")  # ValueError: already readable


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle costs ~0.2 s of CPU, far more than a request (an IVR
    interface step makes one per call). Certificate and host name checks stay on."""
    return ssl.create_default_context(cafile=certifi.where())


def _client(timeout: float) -> tuple[httpx.AsyncClient, httpx.AsyncHTTPTransport]:
    transport = httpx.AsyncHTTPTransport(retries=0, verify=_tls_context())
    client = httpx.AsyncClient(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    )
    return client, transport


_CAUGHT = (OutboundError, BlockedAddress, OSError, ValueError, httpx.HTTPError)


async def post_json(
    url: str,
    payload: Any,
    *,
    timeout: float,
    allow_private: bool,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """POST `payload` as JSON (UTF-8) to `url` within `timeout` seconds overall (name
    resolution, connection, request and the whole answer), without following redirects.

    Raises OutboundError when the URL is unusable, the address is not public (unless
    `allow_private`), the host does not resolve or answer in time, or the answer is too big."""
    started = time.monotonic()
    content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    extra = dict(headers or {})
    taken = {name.lower() for name in extra}
    defaults = {"User-Agent": USER_AGENT, "Accept": "application/json", "Connection": "keep-alive"}
    sent = {name: value for name, value in defaults.items() if name.lower() not in taken}
    sent.update({k: v for k, v in extra.items() if k.lower() != "content-type"})
    sent["Content-Type"] = JSON_CONTENT_TYPE
    try:
        target = parse_target(url)
        async with asyncio.timeout(timeout):
            addresses = await resolve_public(target.host, target.port, allow_private=allow_private)
            client, transport = _client(timeout)
            async with client:
                status, answer_headers, body = await _send_pinned(
                    client, transport, target, addresses, ("POST", sent, content), max_bytes
                )
    except _CAUGHT as exc:
        raise _failure(exc, timeout) from None
    elapsed = round((time.monotonic() - started) * 1000)
    return Answer(status, answer_headers, body, elapsed)


async def _get_hop(
    client: httpx.AsyncClient, transport: httpx.AsyncBaseTransport, target: Target, permit: Permit
) -> tuple[int, httpx.Headers]:
    """One hop on its own terms: permitted, resolved, guarded, then requested (headers only)."""
    allow_private = permit(target)
    addresses = await resolve_public(target.host, target.port, allow_private=allow_private)
    request = ("GET", {"User-Agent": USER_AGENT}, None)
    status, headers, _ = await _send_pinned(client, transport, target, addresses, request, None)
    return status, headers


async def get_following(
    url: str, *, timeout: float, permit: Permit, max_redirects: int = MAX_REDIRECTS
) -> Fetched:
    """GET `url` and the redirects it leads to (at most `max_redirects`) within `timeout`
    seconds overall, reading status and headers only.

    Every hop, the first included, must pass `permit` and netguard with the permission `permit`
    gave for that hop. Raises OutboundError (with the `redirects` followed so far) when a hop
    is unusable, refused, blocked, unresolvable or does not answer; more redirects than allowed
    is not an error but `Fetched.too_many_redirects` on the last redirect answer."""
    redirects: list[str] = []
    try:
        target = parse_target(url)
        async with asyncio.timeout(timeout):
            client, transport = _client(timeout)
            async with client:
                while True:
                    status, headers = await _get_hop(client, transport, target, permit)
                    location = headers.get("location")
                    if status not in REDIRECT_STATUSES or not location:
                        return Fetched(status, headers, target, tuple(redirects))
                    if len(redirects) >= max_redirects:
                        return Fetched(status, headers, target, tuple(redirects), True)
                    target = parse_target(urljoin(target.url, location))
                    redirects.append(redact(target.url))
    except _CAUGHT as exc:
        error = _failure(exc, timeout)
        error.redirects = tuple(redirects)
        raise error from None
