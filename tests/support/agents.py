"""Drive the system as its users do: an agent through the workbench API and stream, a customer
through the simulator API."""

import json
import queue
import threading
import time

import httpx
from websockets.sync.client import connect

from agentdesk.cli import demo
from tests.support import inprocess, seed
from tests.support.server import TEST_SECRET_KEY

PASSWORDS = {username: password for username, password, _ in demo.LOGINS}


def seed_demo(url: str) -> None:
    """The same demo tenant `make run` seeds: access code 960358, queues, agents 101-103."""
    seed.run(url, lambda session: demo._seed(session, secret_key=TEST_SECRET_KEY))


def login(base_url: str, username: str, password: str | None = None) -> httpx.Client:
    client = inprocess.client_for(base_url)
    csrf = client.get("/api/auth/csrf").json()["csrf_token"]
    client.headers["X-CSRF-Token"] = csrf
    response = client.post(
        "/api/auth/login", json={"username": username, "password": password or PASSWORDS[username]}
    )
    response.raise_for_status()
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]  # rotated at login
    return client


class Agent:
    def __init__(self, base_url: str, username: str):
        self.base_url = base_url
        self.http = login(base_url, username)

    def post(self, path: str, body: dict | None = None) -> httpx.Response:
        return self.http.post(f"/api/workbench/{path}", json=body)

    def act(self, path: str, body: dict | None = None) -> dict:
        response = self.post(path, body)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self) -> dict:
        return self.http.get("/api/workbench/state").json()

    def stream(self, after: int | None = None) -> "Stream":
        return Stream(self, after)

    def close(self) -> None:
        self.http.close()


class Stream:
    """A workbench's WebSocket, read in a thread into a queue."""

    def __init__(self, agent: Agent, after: int | None):
        ws_url = inprocess.socket_url(agent.base_url).replace("http://", "ws://")
        ws_url += "/api/workbench/stream"
        if after is not None:
            ws_url += f"?after={after}"
        cookie = "; ".join(f"{k}={v}" for k, v in agent.http.cookies.items())
        self.ws = connect(
            ws_url, additional_headers={"Cookie": cookie}, origin=agent.base_url, open_timeout=10
        )
        self.messages: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for raw in self.ws:
                self.messages.put(json.loads(raw))
        except Exception:  # closed by either side
            pass

    def next(self, timeout: float = 10.0, kinds=("event", "snapshot")) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if message["kind"] in kinds:
                return message

    def until(self, predicate, timeout: float = 10.0) -> list[dict]:
        """Collect events until one satisfies `predicate`; returns them all (that one last)."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(timeout=max(0.01, deadline - time.monotonic()), kinds=("event",))
            seen.append(message)
            if predicate(message):
                return seen

    def drain(self, quiet: float = 0.3) -> list[dict]:
        items = []
        while True:
            try:
                items.append(self.messages.get(timeout=quiet))
            except queue.Empty:
                return [m for m in items if m["kind"] == "event"]

    def close(self) -> None:
        self.ws.close()


def customer(base_url: str, sim_token: str) -> httpx.Client:
    return inprocess.client_for(base_url, headers={"Authorization": f"Bearer {sim_token}"})


def place_call(sim: httpx.Client, called: str = "960358", **extra) -> dict:
    body = {"tenant": "demo", "caller": "13800000001", "called": called, **extra}
    response = sim.post("/api/sim/calls", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def wait_for(check, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
