"""A bounded schemathesis run against the app's own OpenAPI document (issue 8): a few
generated requests per operation, valid and invalid ones, as every role (operations admin,
tenant admin, agent) and as nobody; no answer may be a 5xx.

The app runs in a LiveServer on SQLite with the demo tenant, so generated ids sometimes hit
real rows. Generated configuration can name any host (an interface URL, a pop page), so for
the length of the run this process may only open connections to, and resolve names of, the
loopback interface: the fuzz never sends a packet off the machine.
"""

import contextlib
import ipaddress
import socket
import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlalchemy import select

from agentdesk.auth.models import User
from agentdesk.auth.service import create_api_token
from tests.support import databases, seed
from tests.support.agents import seed_demo
from tests.support.server import LiveServer

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}
OVERSIZED = 2**63
# These end the fuzzing roles' own sessions and tokens (logout, a password change, revoking a
# token): the rest of the run would only see 401s. Their own tests are in test_auth_sessions.
SKIPPED = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/password"),
    ("DELETE", "/api/auth/tokens/{token_id}"),
}


def _loopback(host) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def loopback_only(monkeypatch):
    """Connections and name look-ups beyond 127.0.0.0/8 and ::1 fail as if unreachable."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host.decode() if isinstance(host, bytes) else host):
            raise socket.gaierror(socket.EAI_NONAME, "fuzz run: loopback only")
        return real_getaddrinfo(host, *args, **kwargs)

    def refuse(sock, address) -> bool:
        return sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0])

    def connect(sock, address):
        if refuse(sock, address):
            raise ConnectionRefusedError("fuzz run: loopback only")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        return 111 if refuse(sock, address) else real_connect_ex(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


def _agent_token(url: str) -> str:
    async def make(session):
        user = await session.scalar(select(User).where(User.username == "agent101"))
        return await create_api_token(session, user, "fuzz")

    return seed.run(url, make)


@pytest.fixture
def live(sqlite_url, make_settings, loopback_only):
    databases.truncate_all(sqlite_url)
    seed_demo(sqlite_url)
    tokens = {
        "ops_admin": seed.ops_admin(sqlite_url, username="fuzz-ops"),
        "tenant_admin": seed.tenant_with_admin(sqlite_url, code="fuzz")["token"],
        "agent": _agent_token(sqlite_url),
        "anonymous": None,
    }
    settings_ = make_settings(sqlite_url, run_background_tasks=False)
    with LiveServer(settings_) as server:
        yield server, tokens


def _oversized(value):
    """The value with every integer in it replaced by one past the 64-bit range (booleans kept)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return OVERSIZED
    if isinstance(value, dict):
        return {key: _oversized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_oversized(item) for item in value]
    return value


def _blow_up_integers(case) -> bool:
    """Generated numbers are mostly small; the probe's 500s came from huge ones. Replace
    every integer of the case's path, query and JSON body; whether there was one."""
    before = (case.path_parameters, case.query, case.body)
    case.path_parameters = _oversized(case.path_parameters)
    case.query = _oversized(case.query)
    if isinstance(case.body, dict | list):
        case.body = _oversized(case.body)
    return (case.path_parameters, case.query, case.body) != before


def _run(strategy, count: int, send, oversize: bool) -> None:
    """`count` generated cases sent as they are (and, if `oversize`, with huge integers)."""

    @given(case=strategy)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def probe(case):
        send(case)
        if oversize and _blow_up_integers(case):
            send(case)

    # Unsatisfiable: nothing of the operation can be made invalid (no parameters, no body).
    with contextlib.suppress(Unsatisfiable):
        probe()


def _server_errors(server, operation, token: str | None, session) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    found: list[str] = []

    def send(case) -> None:
        session.cookies.clear()  # a login's cookie must not stand in for the role's token
        response = case.call(base_url=server.url, session=session, headers=headers, timeout=30)
        if response.status_code >= 500:
            found.append(f"{response.status_code} {case.method} {case.formatted_path}")

    for mode, count in EXAMPLES.items():
        strategy = operation.as_strategy(generation_mode=mode)
        _run(strategy, count, send, oversize=mode == GenerationMode.POSITIVE)
    return found


def test_no_generated_request_gets_a_5xx(live):
    server, tokens = live
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if (op.method.upper(), op.path) not in SKIPPED]
    assert len(operations) > 50  # the whole API, not a corner of it
    started, errors = time.monotonic(), []
    for role, token in tokens.items():
        with requests.Session() as session:  # one keep-alive connection per role
            for operation in operations:
                found = _server_errors(server, operation, token, session)
                errors += [f"{role}: {e}" for e in found]
    assert errors == [], "\n".join(sorted(set(errors)))
    assert time.monotonic() - started < 300
