"""Pop latency: "call accepted by the simulator API" → "Ringing frame received by the agent".

Starts a real agentdesk server (its own data folder, SQLite by default, or the database and bus
you pass), seeds a tenant with N agents on one queue, connects every agent to the real-time
endpoint exactly as the workbench does (session cookie, resumable stream), signs them in, then
has the simulator place M calls per second. Prints p50/p99/max of:

  * sent→Ringing     from the moment the simulator request is sent,
  * accepted→Ringing from the moment the simulator API answered 201 (can be negative: the
                     frame may overtake the HTTP answer; then it counts as 0),
  * floor            a bare WebSocket round trip (ping → pong) on the same server, interleaved
                     with the calls on the same connections, in the same run.

Examples:
  .venv/bin/python bench/pop_latency.py                         # SQLite, 1 worker, memory bus
  .venv/bin/python bench/pop_latency.py --agents 2000 --rate 100 --seconds 10
  .venv/bin/python bench/pop_latency.py --workers 2 \
      --database postgresql+asyncpg://postgres@127.0.0.1:5432/bench --bus redis://127.0.0.1:6379/5
(the PostgreSQL database is created when missing and emptied first.)
"""

import argparse
import asyncio
import json
import os
import random
import resource
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import websockets
from benchkit import agentdesk_command, free_port, percentile, reset_postgresql

import agentdesk.models  # noqa: F401  (every table, so foreign keys across domains resolve)
from agentdesk.auth.deps import CSRF_COOKIE, SESSION_COOKIE
from agentdesk.auth.models import User
from agentdesk.auth.passwords import hash_password
from agentdesk.auth.service import SessionSigner, create_session
from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.storage.database import Database
from agentdesk.tenancy.models import AccessCode, Tenant

ACCESS_CODE = "7770001"
ROOT = Path(__file__).resolve().parent.parent


def summary(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<18} no samples"
    ms = [v * 1000 for v in values]
    return (
        f"{name:<18} n={len(ms):<6} p50={percentile(ms, 0.50):7.2f} ms  "
        f"p99={percentile(ms, 0.99):7.2f} ms  max={max(ms):7.2f} ms  "
        f"mean={statistics.fmean(ms):7.2f} ms"
    )


# ---------------------------------------------------------------------------- setup


async def seed(url: str, agents: int, secret_key: str) -> list[str]:
    """One tenant, one voice queue, `agents` agents; returns each agent's session cookie."""
    db = Database(url)
    password_hash = hash_password(secrets.token_urlsafe(12))  # nobody logs in with it
    async with db.transaction() as session:
        tenant = Tenant(
            code="bench",
            name="Bench",
            licence_audio=agents,
            licence_video=0,
            licence_multimedia=0,
            licence_allround=0,
            licence_intelligent=0,
        )
        session.add(tenant)
        await session.flush()
        code = AccessCode(code=ACCESS_CODE, type="voice_video", tenant_id=tenant.id)
        queue = SkillQueue(tenant_id=tenant.id, name="bench", type="voice", max_queued_calls=10000)
        session.add_all([code, queue])
        await session.flush()
        session.add(CalledConfig(tenant_id=tenant.id, access_code_id=code.id, queue_id=queue.id))
        users = [
            User(
                tenant_id=tenant.id,
                username=f"bench{n}",
                password_hash=password_hash,
                role="agent",
            )
            for n in range(agents)
        ]
        session.add_all(users)
        await session.flush()
        rows = [
            Agent(
                tenant_id=tenant.id,
                work_no=1000 + n,
                agent_type="audio",
                user_id=user.id,
                auto_answer=False,  # keep each call ringing: one call per agent in the run
            )
            for n, user in enumerate(users)
        ]
        session.add_all(rows)
        await session.flush()
        session.add_all(
            AgentSkill(tenant_id=tenant.id, agent_id=row.id, queue_id=queue.id) for row in rows
        )
        signer = SessionSigner(secret_key)
        cookies = [await create_session(session, signer, user) for user in users]
    await db.dispose()
    return cookies


def start_server(env: dict, workers: int, port: int, log: Path) -> subprocess.Popen:
    command = [agentdesk_command(), "serve", "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/auth/csrf", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the workers), from /proc."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (FileNotFoundError, ProcessLookupError, IndexError):
        pass
    return total


def own_cpu_seconds() -> float:
    """This process only (the server is a child process and counted separately)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------------- the run


class Workbench:
    """One agent's real-time connection, as the workbench page opens it."""

    def __init__(self, base: str, cookie: str, results: dict):
        self.base = base
        self.cookie = cookie
        self.results = results
        self.ws = None
        self.pings: dict[int, float] = {}

    @property
    def cookies(self) -> str:
        return f"{SESSION_COOKIE}={self.cookie}; {CSRF_COOKIE}=bench"

    async def connect(self) -> None:
        url = self.base.replace("http://", "ws://") + "/api/workbench/stream"
        self.ws = await websockets.connect(
            url, additional_headers={"Cookie": self.cookies}, max_queue=None
        )
        snapshot = json.loads(await self.ws.recv())
        assert snapshot["kind"] == "snapshot", snapshot
        asyncio.create_task(self.read())

    async def sign_in(self, http: httpx.AsyncClient) -> None:
        response = await http.post(
            "/api/workbench/sign-in",
            headers={"Cookie": self.cookies, "X-CSRF-Token": "bench"},
        )
        response.raise_for_status()

    async def ping(self, ping_id: int) -> None:
        self.pings[ping_id] = time.perf_counter()
        await self.ws.send(json.dumps({"kind": "ping", "id": ping_id}))

    async def read(self) -> None:
        async for raw in self.ws:
            now = time.perf_counter()
            message = json.loads(raw)
            if message.get("kind") == "pong":
                sent = self.pings.pop(message["id"], None)
                if sent is not None:
                    self.results["floor"].append(now - sent)
            elif message.get("type") == "Ringing":
                self.results["ringing"].setdefault(message["payload"]["callid"], now)


class SimulatorClient:
    """A lean HTTP/1.1 keep-alive client for the simulator API.

    The benchmark shares the machine with the server: a general-purpose client (httpx) spends
    more CPU per request than the server does, and would measure itself. This one writes the
    request bytes and reads the status line, headers and body of a Content-Length answer."""

    def __init__(self, host: str, port: int, token: str, keep_alive: bool = True):
        self.host, self.port, self.token = host, port, token
        # Several workers share the listening socket: a kept-alive connection stays with one
        # of them, so with few connections one worker would route every call. A connection per
        # call lets whichever worker is free accept it, as independent callers would.
        self.keep_alive = keep_alive
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post_json(self, path: str, body: dict) -> tuple[int, bytes]:
        reader, writer = (
            self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)
        )
        payload = json.dumps(body).encode()
        connection = "keep-alive" if self.keep_alive else "close"
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
            f"Connection: {connection}\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        answer = await reader.readexactly(length)
        if self.keep_alive:
            self.idle.append((reader, writer))
        else:
            writer.close()
        return status, answer

    async def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()


async def place_call(sim: SimulatorClient, number: int, results: dict) -> None:
    body = {"tenant": "bench", "caller": f"139{number:08d}", "called": ACCESS_CODE}
    sent = time.perf_counter()
    status, answer = await sim.post_json("/api/sim/calls", body)
    accepted = time.perf_counter()
    if status != 201:
        results["errors"].append(f"{status} {answer[:200]!r}")
        return
    results["calls"][json.loads(answer)["callid"]] = (sent, accepted)


async def run(args, base: str, sim_token: str, cookies: list[str], server_pid: int) -> dict:
    results = {"ringing": {}, "calls": {}, "floor": [], "errors": []}
    workbenches = [Workbench(base, cookie, results) for cookie in cookies]
    started = time.perf_counter()
    for start in range(0, len(workbenches), 100):
        await asyncio.gather(*(w.connect() for w in workbenches[start : start + 100]))
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        for start in range(0, len(workbenches), 50):
            await asyncio.gather(*(w.sign_in(http) for w in workbenches[start : start + 50]))
    print(
        f"{len(workbenches)} agents connected and signed in "
        f"in {time.perf_counter() - started:.1f} s"
    )
    await asyncio.sleep(1)

    total = int(args.rate * args.seconds)
    interval = 1 / args.rate
    tasks = []
    host, port = base.removeprefix("http://").split(":")
    sim = SimulatorClient(host, int(port), sim_token, keep_alive=args.workers == 1)
    begin = time.perf_counter()
    cpu_before = cpu_seconds(server_pid)
    client_before = own_cpu_seconds()
    for n in range(total):
        # Open loop: calls start on schedule whatever the server's answer time.
        delay = begin + n * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(place_call(sim, n, results)))
        await random.choice(workbenches).ping(n)
    issued = total / (time.perf_counter() - begin)
    await asyncio.gather(*tasks)
    await sim.close()
    deadline = time.perf_counter() + 10
    while len(results["ringing"]) < len(results["calls"]) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    results["issued_rate"] = issued
    results["server_cpu_per_call"] = (cpu_seconds(server_pid) - cpu_before) / max(1, total)
    results["client_cpu_per_call"] = (own_cpu_seconds() - client_before) / max(1, total)
    for w in workbenches:
        await w.ws.close()
    return results


def report(args, results: dict) -> None:
    sent_to_ring, accepted_to_ring = [], []
    for callid, (sent, accepted) in results["calls"].items():
        ringing = results["ringing"].get(callid)
        if ringing is not None:
            sent_to_ring.append(ringing - sent)
            accepted_to_ring.append(max(0.0, ringing - accepted))
    missing = len(results["calls"]) - len(sent_to_ring)
    print(
        f"calls placed {len(results['calls'])}, rang {len(sent_to_ring)}, "
        f"never rang {missing}, refused {len(results['errors'])}, "
        f"issued at {results['issued_rate']:.1f}/s, "
        f"CPU per call: server {results['server_cpu_per_call'] * 1000:.2f} ms, "
        f"this client {results['client_cpu_per_call'] * 1000:.2f} ms"
    )
    for error in results["errors"][:5]:
        print("  refused:", error)
    print(summary("accepted→Ringing", accepted_to_ring))
    print(summary("sent→Ringing", sent_to_ring))
    print(summary("floor (ws ping)", results["floor"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100, help="calls per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", default="", help="default: a fresh SQLite file")
    parser.add_argument("--bus", default="memory://")
    args = parser.parse_args()
    if args.rate * args.seconds > args.agents:
        parser.error("each call needs its own idle agent: rate × seconds must be ≤ agents")
    if args.workers > 1 and args.bus.startswith("memory"):
        parser.error("several workers need a shared bus: pass --bus redis://…")

    folder = Path(tempfile.mkdtemp(prefix="agentdesk-bench-"))
    database = args.database or f"sqlite+aiosqlite:///{folder}/bench.db"
    port = free_port()
    secret_key, sim_token = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "AGENTDESK_DATABASE_URL": database,
        "AGENTDESK_BUS_URL": args.bus,
        "AGENTDESK_SECRET_KEY": secret_key,
        "AGENTDESK_SIM_TOKEN": sim_token,
        "AGENTDESK_DATA_DIR": str(folder),
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    if database.startswith("postgresql"):
        asyncio.run(reset_postgresql(database))
    subprocess.run([agentdesk_command(), "migrate"], env=env, cwd=ROOT, check=True)
    cookies = asyncio.run(seed(database, args.agents, secret_key))
    log = folder / "server.log"
    server = start_server(env, args.workers, port, log)
    print(
        f"server: {args.workers} worker(s), database {database.split('://')[0]}, "
        f"bus {args.bus.split('://')[0]}; {args.agents} agents, {args.rate:g} calls/s "
        f"for {args.seconds:g} s; simulator requests "
        f"{'on kept-alive connections' if args.workers == 1 else 'on a connection each'}"
    )
    try:
        results = asyncio.run(run(args, f"http://127.0.0.1:{port}", sim_token, cookies, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=20)
        lines = log.read_text().splitlines()
        errors = [line for line in lines if "Traceback" in line]
        retries = [line for line in lines if "retrying" in line]
        print(f"server log: {len(errors)} tracebacks, {len(retries)} lock-conflict retries")
        shutil.rmtree(folder, ignore_errors=True)
    report(args, results)


if __name__ == "__main__":
    main()
