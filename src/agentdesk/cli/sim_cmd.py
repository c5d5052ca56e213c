"""`agentdesk sim ...`: play the customer against a running server through its REST API."""

import contextlib
import json
import sys
from pathlib import Path

import httpx

from agentdesk.config import Settings

SERVER_URL_FILE = "server_url"  # in the data dir: where `agentdesk serve`/`make run` listens
HOW_TO_CHOOSE = (
    "start it with `make run`, or point the simulator at it: --server URL, "
    "AGENTDESK_URL=URL, or PORT=N for http://127.0.0.1:N"
)


def server_url(args, settings: Settings) -> tuple[str, str]:
    """The server to talk to and where that choice came from, in this order: --server,
    AGENTDESK_URL, PORT, the URL the running server recorded in the data dir, the default."""
    if args.server:
        return args.server.rstrip("/"), "--server"
    if settings.sim_server_url:
        return settings.sim_server_url, "AGENTDESK_URL"
    if settings.port_given:
        return f"http://127.0.0.1:{settings.port}", "PORT"
    recorded = settings.data_dir / SERVER_URL_FILE
    if recorded.is_file() and recorded.read_text().strip():
        return recorded.read_text().strip(), f"recorded by the server in {recorded}"
    return f"http://127.0.0.1:{settings.port}", "default"


def record_server_url(data_dir: Path, host: str, port: int) -> str:
    """Note where this server listens, so `agentdesk sim` in another shell finds it without
    being told (`PORT=9000 make run`, then plain `agentdesk sim ...`)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # listening everywhere: loopback reaches it
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / SERVER_URL_FILE).write_text(url + "\n")
    return url


def forget_server_url(data_dir: Path, url: str) -> None:
    """Remove the note when the server stops, unless another server has replaced it."""
    path = data_dir / SERVER_URL_FILE
    with contextlib.suppress(OSError):
        if path.read_text().strip() == url:
            path.unlink()


def _client(base: str, settings: Settings) -> httpx.Client:
    return httpx.Client(
        base_url=base,
        headers={"Authorization": f"Bearer {settings.sim_token}"},
        timeout=10,
    )


def _parse_data(pairs: list[str]) -> dict[str, str]:
    data = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--data expects key=value, got {pair!r}")
        data[key] = value
    return data


def _call(args, method: str, path: str, body: dict | None = None) -> dict | None:
    settings = Settings.from_env()
    base, source = server_url(args, settings)
    try:
        with _client(base, settings) as client:
            response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        # Names the URL and the ways to change it; never the token (it is in a header only).
        raise SystemExit(
            f"cannot reach the agentdesk server at {base} ({source}): "
            f"{type(exc).__name__}: {exc}\n{HOW_TO_CHOOSE}"
        ) from exc
    try:
        data = response.json() if response.content else None
    except ValueError:  # something else listens there (the sample pages' port, say)
        raise SystemExit(
            f"{base} ({source}) answered HTTP {response.status_code}, but not as agentdesk does"
            f"\n{HOW_TO_CHOOSE}"
        ) from None
    if response.status_code >= 400:
        print(json.dumps(data, ensure_ascii=False, indent=2), file=sys.stderr)
        raise SystemExit(1)
    return data


def cmd_call(args) -> int:
    body = {
        "tenant": args.tenant,
        "caller": args.caller,
        "called": args.called,
        "media": args.media,
        "data": _parse_data(args.data),
    }
    result = _call(args, "POST", "/api/sim/calls", body)
    print(result["callid"])
    if args.follow:
        return follow_call(args, result["callid"])
    return 0


def describe_call(call: dict) -> str:
    """Where the call is, in a line: queued in X, ringing at agent N, talking, ended (why)."""
    state = call.get("state", "")
    if state == "ended":
        return f"call ended ({call.get('outcome') or 'ended'})"
    if state == "queued":
        return f"waiting in queue {call.get('callskill') or '?'}"
    if state in ("ringing", "talking", "held") and call.get("workNo"):
        return f"{state} with agent {call['workNo']}"
    if state == "ivr":
        return "in the IVR flow"
    if state == "verifying":
        return "in a verification flow (the agent waits)"
    return state


def heard_line(item: dict) -> str:
    return f"  ♪ {item['text']}" if item["kind"] == "say" else f"  → {item['text']}"


def follow_call(args, callid: str, *, poll_seconds: float = 0.3, sleep=None) -> int:
    """Print what the caller hears and where the call goes until it ends (Ctrl-C stops)."""
    import time

    sleep = sleep or time.sleep
    seen, last_place = 0, ""
    try:
        while True:
            update = _call(args, "GET", f"/api/sim/calls/{callid}/heard?after={seen}")
            for item in update["heard"]:
                print(heard_line(item), flush=True)
                seen = item["id"]
            place = describe_call(update["call"])
            if place != last_place:
                print(f"[{place}]", flush=True)
                last_place = place
            if update["call"].get("state") == "ended":
                return 0
            sleep(poll_seconds)
    except KeyboardInterrupt:
        return 130


def cmd_simple(action: str):
    def run(args) -> int:
        body = {"digits": args.digits} if action == "dtmf" else None
        result = _call(args, "POST", f"/api/sim/calls/{args.callid}/{action}", body)
        print(json.dumps(result, ensure_ascii=False))
        if getattr(args, "follow", False):
            return follow_call(args, args.callid)
        return 0

    return run


def cmd_show(args) -> int:
    print(json.dumps(_call(args, "GET", f"/api/sim/calls/{args.callid}"), ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    sim = sub.add_parser("sim", help="act as a customer (simulated telephone network)")
    sim.add_argument(
        "--server",
        help="server base URL (default: AGENTDESK_URL, else http://127.0.0.1:PORT, else where "
        "the local server last started, else http://127.0.0.1:8000)",
    )
    ops = sim.add_subparsers(dest="sim_command", required=True)
    p = ops.add_parser("call", help="place an inbound call; prints the callid")
    p.add_argument("--tenant", required=True)
    p.add_argument("--caller", required=True)
    p.add_argument("--called", required=True, help="access code, plus extension if any")
    p.add_argument("--media", choices=("audio", "video"), default="audio")
    p.add_argument("--data", nargs="*", default=[], metavar="KEY=VALUE", help="attached data")
    p.add_argument(
        "--follow",
        action="store_true",
        help="then print what the caller hears (each prompt) and where the call goes, until it ends",
    )
    p.set_defaults(func=cmd_call)
    for action, help_text in (
        ("hangup", "the customer hangs up"),
        ("answer", "the customer answers an outbound call"),
    ):
        p = ops.add_parser(action, help=help_text)
        p.add_argument("callid")
        p.set_defaults(func=cmd_simple(action))
    p = ops.add_parser("dtmf", help="the customer presses keys, e.g. 1234#")
    p.add_argument("callid")
    p.add_argument("digits")
    p.add_argument("--follow", action="store_true", help="then follow the call (see call)")
    p.set_defaults(func=cmd_simple("dtmf"))
    p = ops.add_parser("follow", help="print what the caller hears until the call ends")
    p.add_argument("callid")
    p.set_defaults(func=lambda args: follow_call(args, args.callid))
    p = ops.add_parser("show", help="show a call")
    p.add_argument("callid")
    p.set_defaults(func=cmd_show)
