"""Server-side requests to a URL an admin typed, pinned to the addresses the SSRF guard approved.

Like the page check (config_center/screenpop/checker.py), the host is resolved once with
`kit.netguard.resolve_public` and the connection goes to one of those addresses while the Host
header and the TLS server name (SNI, certificate check) stay the real host name, so DNS cannot
change between the check and the connection. Redirects are never followed.

The request is built by an httpx client (time-outs, default headers) but sent through its
transport: the client logs every full URL, and URLs may carry tokens. Nothing here logs a query
string, a header value or a body; every failure becomes an `OutboundError` whose message is
safe to show an admin and to log.
"""

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx

from agentdesk.kit.netguard import BlockedAddress, resolve_public

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ANSWER_BYTES = 1_000_000
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
USER_AGENT = "agentdesk"


class OutboundError(Exception):
    """The request failed before an HTTP answer arrived. `kind`: invalid_url, blocked, dns,
    connect, timeout, too_large or http; `message` names no secret."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind


class Target(NamedTuple):
    url: str
    scheme: str
    host: str  # ASCII (punycode), without brackets
    port: int

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


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
    host = parts.hostname
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError("the URL has an invalid host name") from None
    return Target(url.strip(), scheme, host, port)


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
    method: str,
    headers: dict[str, str],
    content: bytes,
    max_bytes: int,
) -> tuple[int, httpx.Headers, bytes]:
    """Send to each approved address in turn until one connects; read the answer (capped)."""
    last_error: Exception | None = None
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    for address in addresses:
        request = client.build_request(
            method,
            _pinned_url(target, address),
            headers={**headers, "Host": target.host_header},
            content=content,
            extensions=extensions,
        )
        try:
            response = await transport.handle_async_request(request)
        except httpx.ConnectError as exc:  # try the next address
            last_error = exc
            continue
        try:
            return response.status_code, response.headers, await _read_capped(response, max_bytes)
        finally:
            await response.aclose()
    assert last_error is not None
    raise last_error


def _failure(exc: BaseException, timeout: float) -> OutboundError:
    """A secret-free OutboundError for whatever went wrong on the way."""
    ms = round(timeout * 1000)
    if isinstance(exc, OutboundError):
        return exc
    if isinstance(exc, BlockedAddress):
        return OutboundError(exc.message, kind="blocked")
    if isinstance(exc, httpx.TimeoutException | TimeoutError):  # TimeoutError is an OSError
        return OutboundError(f"no answer within the time-out of {ms} ms", kind="timeout")
    if isinstance(exc, httpx.ConnectError):
        return OutboundError(f"could not connect: {str(exc)[:200] or 'refused'}", kind="connect")
    if isinstance(exc, httpx.HTTPError):
        return OutboundError(f"{type(exc).__name__}: {str(exc)[:200]}", kind="http")
    if isinstance(exc, OSError):
        return OutboundError("the host name could not be resolved", kind="dns")
    return OutboundError(str(exc), kind="invalid_url")  # ValueError: already readable


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
            transport = httpx.AsyncHTTPTransport(retries=0)
            async with httpx.AsyncClient(
                transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
            ) as client:
                status, answer_headers, body = await _send_pinned(
                    client, transport, target, addresses, "POST", sent, content, max_bytes
                )
    except (OutboundError, BlockedAddress, OSError, ValueError, httpx.HTTPError) as exc:
        raise _failure(exc, timeout) from None
    elapsed = round((time.monotonic() - started) * 1000)
    return Answer(status, answer_headers, body, elapsed)
