"""`agentdesk sim ...`: play the customer against a running server through its REST API."""

import json
import os
import sys

import httpx

from agentdesk.config import Settings


def _client(args) -> httpx.Client:
    settings = Settings.from_env()
    base = args.server or os.environ.get("AGENTDESK_URL") or f"http://127.0.0.1:{settings.port}"
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
    try:
        with _client(args) as client:
            response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        raise SystemExit(f"cannot reach the agentdesk server: {exc}") from exc
    data = response.json() if response.content else None
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
    return 0


def cmd_simple(action: str):
    def run(args) -> int:
        body = {"digits": args.digits} if action == "dtmf" else None
        result = _call(args, "POST", f"/api/sim/calls/{args.callid}/{action}", body)
        print(json.dumps(result, ensure_ascii=False))
        return 0

    return run


def cmd_show(args) -> int:
    print(json.dumps(_call(args, "GET", f"/api/sim/calls/{args.callid}"), ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    sim = sub.add_parser("sim", help="act as a customer (simulated telephone network)")
    sim.add_argument("--server", help="server base URL (default AGENTDESK_URL or local PORT)")
    ops = sim.add_subparsers(dest="sim_command", required=True)
    p = ops.add_parser("call", help="place an inbound call; prints the callid")
    p.add_argument("--tenant", required=True)
    p.add_argument("--caller", required=True)
    p.add_argument("--called", required=True, help="access code, plus extension if any")
    p.add_argument("--media", choices=("audio", "video"), default="audio")
    p.add_argument("--data", nargs="*", default=[], metavar="KEY=VALUE", help="attached data")
    p.set_defaults(func=cmd_call)
    for action, help_text in (
        ("hangup", "the customer hangs up"),
        ("answer", "the customer answers an outbound call"),
    ):
        p = ops.add_parser(action, help=help_text)
        p.add_argument("callid")
        p.set_defaults(func=cmd_simple(action))
    p = ops.add_parser("dtmf", help="the customer presses keys")
    p.add_argument("callid")
    p.add_argument("digits")
    p.set_defaults(func=cmd_simple("dtmf"))
    p = ops.add_parser("show", help="show a call")
    p.add_argument("callid")
    p.set_defaults(func=cmd_show)
