"""Screen-pop test helpers: a tiny third-party page server and API shortcuts (R-POP)."""

import asyncio
import html
import threading
import time
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.support import inprocess
from tests.support.server import free_port

POPS = "/api/config/screen-pops"


def _echo(title: str, pairs: list[tuple[str, str]], method: str) -> str:
    items = "".join(
        f'<li id="p-{html.escape(name)}">{html.escape(value)}</li>' for name, value in pairs
    )
    return (
        f"<!doctype html><title>{html.escape(title)}</title>"
        f'<h1 id="method">{method}</h1><ul id="received">{items}</ul>'
    )


async def _page(request: Request) -> HTMLResponse:
    if request.method == "POST":
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        return HTMLResponse(_echo("posted", pairs, "POST"))
    return HTMLResponse(_echo("got", list(request.query_params.multi_items()), "GET"))


async def _deny(request: Request) -> HTMLResponse:
    return HTMLResponse("<p>no framing</p>", headers={"X-Frame-Options": "DENY"})


class PageServer:
    """An integrator's page on 127.0.0.1: /page echoes what it receives (GET query or POST
    form) as `<li id="p-NAME">VALUE</li>`; /deny forbids framing (X-Frame-Options: DENY)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(
            routes=[
                Route("/page", _page, methods=["GET", "POST"]),
                Route("/deny", _deny),
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve()), daemon=True
        )

    def __enter__(self) -> "PageServer":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("page server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def client(base_url: str, token: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"}
    return inprocess.client_for(base_url, timeout=15, headers=headers)


def whitelist(base_url: str, ops_token: str, pattern: str, allow_private: bool = False) -> dict:
    """Add an address whitelist entry as the operations admin."""
    with client(base_url, ops_token) as http:
        response = http.post(
            "/api/ops/whitelist", json={"pattern": pattern, "allow_private": allow_private}
        )
        assert response.status_code == 201, response.text
        return response.json()


def set_system_parameter(base_url: str, ops_token: str, key: str, value: int) -> None:
    with client(base_url, ops_token) as http:
        response = http.put(f"/api/ops/system-parameters/{key}", json={"value": value})
        assert response.status_code == 200, response.text


def create_page(base_url: str, admin_token: str, **fields) -> dict:
    """Create a pop page as the tenant admin (the page is checked right away)."""
    with client(base_url, admin_token) as http:
        response = http.post(POPS, json=fields)
        assert response.status_code == 201, response.text
        return response.json()
