"""IVR flows on calls: N calls in a flow at once, each menu → collect 8 digits → interface →
return, against a local interface answering in 5 ms; and, in the same run, the floor: the
queue-and-offer of a plain inbound call.

Runs the flow runtime in this process on a fresh database (SQLite by default, or the
PostgreSQL database you pass, emptied first), exactly as a server worker does: every event is
one `run_action` transaction, interface steps are claimed and performed by `InterfaceSteps`
outside any transaction, waits are timer rows. The interface is a separate process, so the
CPU measured here is agentdesk's only. Prints:

  * calls/s and steps/s achieved (3 caller steps per call: menu key, 8 digits, interface);
  * p50/p99 of "digits sent → next prompt received": the menu key until the collect prompt
    is committed, the 8 digits until the flow has called the interface and returned;
  * server CPU per step (process time of the IVR phase / steps, call set-up included);
  * floor: p50/p99 and CPU of one inbound call queued and offered to an idle agent (who
    answers automatically), measured in the same run; the ratio step / floor (goal ≤ 2).

Examples:
  .venv/bin/python bench/ivr.py                       # 300 calls at 50 steps/s on SQLite
  .venv/bin/python bench/ivr.py --calls 600 --rate 100
  .venv/bin/python bench/ivr.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/bench_ivr
"""

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from benchkit import free_port, percentile, reset_postgresql
from sqlalchemy import select, update

from agentdesk.cli import demo
from agentdesk.config_center.agents.models import Agent
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.interfaces.models import ExternalInterface, InterfaceTenant
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.ivr.models import IvrFlow
from agentdesk.kit.clock import Clock
from agentdesk.kit.crypto import data_keyring
from agentdesk.migrations.migrate import upgrade
from agentdesk.storage.database import Database
from agentdesk.telephony import agent_actions, customer_actions
from agentdesk.telephony.flows.interface_step import InterfaceSteps
from agentdesk.telephony.flows.models import IvrRun
from agentdesk.telephony.flows.runtime import register_flows
from agentdesk.telephony.models import Call
from agentdesk.telephony.service import run_action
from agentdesk.tenancy.models import AccessCode, Tenant

SECRET = "bench-ivr-secret-key-0123456789abcdef"
EXTENSION = "7"


# ---------------------------------------------------------------------------- the interface


def serve_interface(port: int, delay: float) -> None:
    """The enterprise's verification interface: answers 1 after `delay` seconds."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def verify(request):
        await request.body()
        await asyncio.sleep(delay)
        return JSONResponse({"calldata": {"data": {"verifyResult": "1"}}})

    app = Starlette(routes=[Route("/verify", verify, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def start_interface(delay: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import ivr; ivr.serve_interface({port}, {delay})"
    process = subprocess.Popen([sys.executable, "-c", code])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.post(f"{url}/verify", json={}, timeout=1, trust_env=False)
            return process, url
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("the interface did not start") from None
            time.sleep(0.1)


# ---------------------------------------------------------------------------- the data


def bench_flow(interface_id: int) -> dict:
    return {
        "start": "menu",
        "steps": [
            {"id": "menu", "type": "menu", "prompt": "Press 1 to verify", "options": {"1": "card"},
             "default": "bye", "retries": 1, "timeout_seconds": 30},
            {"id": "card", "type": "collect", "prompt": "Enter your 8 digits", "key": "cardNo",
             "min_length": 8, "max_length": 8, "first_digit_timeout_seconds": 30,
             "inter_digit_timeout_seconds": 30, "retries": 0, "masked": True,
             "next": "check", "on_failure": "bye"},
            {"id": "check", "type": "interface", "interface_id": interface_id,
             "body": {"calldata": {"cardNo": "{{cardNo}}"}}, "timeout_seconds": 5,
             "map": {"verifyResult": "calldata.data.verifyResult"}, "next": "back",
             "on_error": "back"},
            {"id": "back", "type": "return_to_agent"},
            {"id": "bye", "type": "release", "prompt": "Goodbye"},
        ],
    }  # fmt: skip


async def prepare(db: Database, interface_url: str) -> int:
    """The demo tenant, its voice queue without after-call work, and extension 7 of 960358
    entering the bench flow. Returns agent 101's id."""
    async with db.transaction() as session:
        await demo._seed(session, secret_key=SECRET)
    async with db.transaction() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.code == "demo"))
        api = ExternalInterface(
            name="bench-verify", url=f"{interface_url}/verify", timeout_ms=5000, allow_private=True
        )
        session.add(api)
        await session.flush()
        session.add(InterfaceTenant(interface_id=api.id, tenant_id=tenant.id))
        flow = IvrFlow(
            tenant_id=tenant.id,
            name="bench",
            draft=bench_flow(api.id),
            published=bench_flow(api.id),
            published_version=1,
        )
        session.add(flow)
        await session.flush()
        code = await session.scalar(select(AccessCode).where(AccessCode.code == "960358"))
        session.add(
            CalledConfig(
                tenant_id=tenant.id,
                access_code_id=code.id,
                extension=EXTENSION,
                device_type="ivr",
                flow_id=flow.id,
            )
        )
        await session.execute(update(SkillQueue).values(acw_seconds=0))
        return await session.scalar(select(Agent.id).where(Agent.work_no == 101))


# ---------------------------------------------------------------------------- the runs


class TimedSteps(InterfaceSteps):
    """The performer, noting when each interface answer has been applied (per call)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applied: dict[int, asyncio.Future] = {}

    async def _apply(self, attempt_id: int) -> None:
        await super()._apply(attempt_id)
        async with self.db.reader() as session:
            from agentdesk.telephony.flows.models import IvrStepAttempt

            attempt = await session.get(IvrStepAttempt, attempt_id)
            run = await session.get(IvrRun, attempt.run_id)
        done = self.applied.get(run.call_id)
        if done is not None and not done.done():
            done.set_result(time.perf_counter())


async def one_call(db, clock, steps: TimedSteps, menu_ms: list, interface_ms: list) -> None:
    call = await run_action(
        db,
        clock,
        customer_actions.do_inbound_call,
        channel="simulator",
        tenant_code="demo",
        caller="13800000001",
        called="960358" + EXTENSION,
    )
    steps.applied[call.id] = asyncio.get_running_loop().create_future()
    await asyncio.sleep(0.02)  # the caller listens to the menu
    sent = time.perf_counter()
    await run_action(db, clock, customer_actions.do_customer_dtmf, call.callid, "1")
    menu_ms.append((time.perf_counter() - sent) * 1000)  # committed with the collect prompt
    await asyncio.sleep(0.02)
    sent = time.perf_counter()
    await run_action(db, clock, customer_actions.do_customer_dtmf, call.callid, "62220001")
    steps.wake()
    done = await asyncio.wait_for(steps.applied[call.id], 60)
    del steps.applied[call.id]
    interface_ms.append((done - sent) * 1000)


async def ivr_phase(db, clock, calls: int, rate: float) -> dict:
    keys = data_keyring(SECRET, {})
    steps = TimedSteps(db, lambda: clock, SECRET, lambda: keys, poll_seconds=0.2)
    performer = asyncio.create_task(steps.run_forever())
    menu_ms, interface_ms = [], []
    gap = 3 / rate  # 3 caller steps per call
    cpu, wall = time.process_time(), time.perf_counter()
    tasks = []
    for _ in range(calls):
        tasks.append(asyncio.create_task(one_call(db, clock, steps, menu_ms, interface_ms)))
        await asyncio.sleep(gap)
    await asyncio.gather(*tasks)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    performer.cancel()
    return {
        "calls": calls,
        "wall": wall,
        "cpu_per_step_ms": cpu / (3 * calls) * 1000,
        "menu_ms": menu_ms,
        "interface_ms": interface_ms,
    }


async def floor_phase(db, clock, agent_id: int, calls: int) -> dict:
    """A plain inbound call queued and offered to the idle agent (auto-answer), then hung up:
    only the inbound call is timed and counted."""
    await run_action(db, clock, agent_actions.do_sign_in, agent_id)
    offer_ms, cpu_total = [], 0.0
    for _ in range(calls):
        cpu, started = time.process_time(), time.perf_counter()
        call = await run_action(
            db,
            clock,
            customer_actions.do_inbound_call,
            channel="simulator",
            tenant_code="demo",
            caller="13800000002",
            called="960358",
        )
        offer_ms.append((time.perf_counter() - started) * 1000)
        cpu_total += time.process_time() - cpu
        assert call.state == "talking", call.state
        await run_action(db, clock, customer_actions.do_customer_hangup, call.callid)
    return {"offer_ms": offer_ms, "cpu_per_offer_ms": cpu_total / calls * 1000}


def line(name: str, values: list[float]) -> str:
    return f"  {name:<36} p50 {percentile(values, 0.5):6.2f} ms   p99 {percentile(values, 0.99):6.2f} ms"


async def main(args) -> None:
    folder = tempfile.mkdtemp(prefix="bench-ivr-")
    url = args.database or f"sqlite+aiosqlite:///{folder}/bench.db"
    if url.startswith("postgresql"):
        await reset_postgresql(url)
    await asyncio.to_thread(upgrade, url)
    interface, interface_url = start_interface(args.interface_ms / 1000)
    db = Database(url)
    register_flows()  # as a server process does
    try:
        clock = Clock()
        agent_id = await prepare(db, interface_url)
        await ivr_phase(db, clock, 10, args.rate)  # warm-up: imports, statement caches
        ivr = await ivr_phase(db, clock, args.calls, args.rate)
        floor = await floor_phase(db, clock, agent_id, args.floor_calls)
        async with db.reader() as session:
            ended = await session.scalar(
                select(Call.id).where(Call.outcome == "ivr_completed").limit(1)
            )
        assert ended is not None, "no call completed its flow"
    finally:
        await db.dispose()
        interface.kill()
    steps = 3 * ivr["calls"]
    both = ivr["menu_ms"] + ivr["interface_ms"]
    print(f"database: {url.split('://')[0]}   interface answers in {args.interface_ms:.0f} ms")
    print(
        f"IVR: {ivr['calls']} calls in {ivr['wall']:.1f} s = {ivr['calls'] / ivr['wall']:.1f} "
        f"calls/s, {steps / ivr['wall']:.1f} steps/s (target {args.rate:.0f})"
    )
    print("digits sent -> next prompt received:")
    print(line("menu key -> collect prompt", ivr["menu_ms"]))
    print(line("8 digits -> interface done, returned", ivr["interface_ms"]))
    print(line("all steps", both))
    print(f"  server CPU per step                  {ivr['cpu_per_step_ms']:6.2f} ms")
    print(f"floor: queue-and-offer of a plain inbound call ({args.floor_calls} calls)")
    print(line("inbound call offered and answered", floor["offer_ms"]))
    print(f"  server CPU per queue-and-offer       {floor['cpu_per_offer_ms']:6.2f} ms")
    print(f"step / floor CPU: {ivr['cpu_per_step_ms'] / floor['cpu_per_offer_ms']:.2f} (goal <= 2)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50, help="caller steps per second")
    parser.add_argument("--floor-calls", type=int, default=200)
    parser.add_argument("--interface-ms", type=float, default=5)
    asyncio.run(main(parser.parse_args()))
