"""The application in the test process, spoken to over ASGI: no socket, no HTTP parsing.

`InProcessServer(settings)` runs `create_app(settings)` with its lifespan (database, bus, hub,
timers: everything `agentdesk run` starts) on an event loop in a thread of its own, like
`LiveServer`, and has the same surface: `url`, `settings`, `app`, `loop`, `client()`. Its clients
are ordinary `httpx.Client`s whose transport hands each request to the app on that loop.

A test that needs a real socket (a WebSocket stream) asks `socket_url()`: the same app, on the
same loop, is then also served by uvicorn on a free port (its lifespan is already running).
`client_for(url)` gives the right client for either kind of server, so helpers that only know a
base URL (tests.support.agents) work against both.
"""

import asyncio
import threading
import time

import httpx
import uvicorn

from agentdesk.app import create_app
from agentdesk.config import Settings
from tests.support.server import free_port

_running: dict[str, "InProcessServer"] = {}


class _ToTheAppLoop(httpx.BaseTransport):
    """Sync transport: each request runs through httpx's ASGI transport on the app's loop."""

    def __init__(self, server: "InProcessServer"):
        self._server = server
        self._asgi = httpx.ASGITransport(
            # As over a socket: an error the app does not handle is a 500, not an exception here.
            app=server.app,
            raise_app_exceptions=False,
            client=("127.0.0.1", 40000),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)

        async def send() -> tuple[int, list, bytes]:
            response = await self._asgi.handle_async_request(copy)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = self._server.run(send(), timeout=60)
        return httpx.Response(status, headers=headers, content=content, request=request)


class InProcessServer:
    def __init__(self, settings: Settings):
        # A port is reserved as LiveServer does, so the app's origin (links, pop `origin`,
        # WebSocket origin check) is the same `http://127.0.0.1:port` a test expects; only a
        # stream makes anything listen on it.
        self._port = settings.port if settings.port else free_port()
        self.settings = settings.with_changes(port=self._port, host="127.0.0.1")
        self.url = f"http://127.0.0.1:{self._port}"
        self.name = f"in-process-app-{self._port}"
        self.app = create_app(self.settings)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=self.name)

    # ------------------------------------------------------------------ lifecycle

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with self.app.router.lifespan_context(self.app):
                self._started.set()
                await self._stop.wait()
                if self._uvicorn is not None:
                    self._uvicorn.should_exit = True
                    await self._serving
        except BaseException as exc:  # reported to start() rather than lost in the thread
            self._failure = exc
            self._started.set()

    def start(self) -> "InProcessServer":
        self._thread.start()
        if not self._started.wait(timeout=20) or self._failure is not None:
            raise RuntimeError(f"in-process app did not start: {self._failure!r}")
        _running[self.url] = self
        return self

    def stop(self) -> None:
        _running.pop(self.url, None)
        if self.loop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=15)

    def __enter__(self) -> "InProcessServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ talking to it

    def run(self, coroutine, timeout: float = 30):
        """Run a coroutine on the app's loop (its engines, its hub) and return the result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def client(self, **kwargs) -> httpx.Client:
        kwargs.setdefault("timeout", 10)
        return httpx.Client(base_url=self.url, transport=_ToTheAppLoop(self), **kwargs)

    @property
    def port(self) -> int:
        """The port, listening: a test that asks for it speaks to a real socket."""
        self.socket_url()
        return self._port

    def socket_url(self) -> str:
        """`url`, now really listening: uvicorn serves this same app (started on first use)."""
        if self._uvicorn is None:
            config = uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self._port,
                log_level="warning",
                ws_ping_interval=None,
                lifespan="off",  # already running on this loop
            )
            self._uvicorn = uvicorn.Server(config)

            async def serve() -> None:
                self._serving = asyncio.ensure_future(self._uvicorn.serve())

            self.run(serve())
            deadline = time.monotonic() + 20
            while not self._uvicorn.started:
                if self._serving.done() or time.monotonic() > deadline:
                    raise RuntimeError("socket for the in-process app did not start")
                time.sleep(0.02)
        return self.url


def find(url: str) -> InProcessServer | None:
    return _running.get(url.rstrip("/"))


def client_for(url: str, **kwargs) -> httpx.Client:
    """A client for `url`: in-process when an in-process server has that URL, else over TCP."""
    server = find(url)
    if server is not None:
        return server.client(**kwargs)
    kwargs.setdefault("timeout", 10)
    return httpx.Client(base_url=url, **kwargs)


def socket_url(url: str) -> str:
    """The URL a WebSocket can connect to for the server at `url`."""
    server = find(url)
    return server.socket_url() if server is not None else url
