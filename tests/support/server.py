"""A real uvicorn server for one test, in a thread with its own event loop."""

import asyncio
import socket
import threading
import time

import httpx
import uvicorn

from agentdesk.app import create_app
from agentdesk.config import Settings

# The settings' secret key in tests (the demo's encrypted base-table rows are sealed with it).
TEST_SECRET_KEY = "test-secret-key-" + "x" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, settings: Settings):
        self.port = settings.port if settings.port else free_port()
        self.settings = settings.with_changes(port=self.port, host="127.0.0.1")
        self.app = create_app(self.settings)
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                ws_ping_interval=None,
                lifespan="on",
            )
        )
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        # Kept so tests can run coroutines on the server's own loop (its engines, its hub).
        self.loop = asyncio.get_running_loop()
        await self._server.serve()

    def start(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, **kwargs)
