"""Performing a flow's interface step: claimed once, called outside any transaction,
its answer committed before the flow moves on.

    pending ──claim (tx 1)──▶ calling ──HTTP, no transaction──▶ answered (tx 2) ──▶ done (tx 3)

A worker that dies before the HTTP answer leaves `calling` with a lease: once the lease has
run out (the step's time-out plus a grace) and the run is still on that step, another worker
calls again, since the first call never completed. A worker that dies after tx 2 leaves
`answered`: the next one applies the stored answer without calling again. Normally the step's
own deadline (an `ivr_wait` timer) comes first and moves the flow to its error branch, so a
flow completes once whatever happens to workers.

Nothing here logs the body or the answer (the body holds the collected digits)."""

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field

from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.config_center.interfaces.caller import CallSpec
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import DomainError
from agentdesk.kit.outbound import OutboundError, post_json, redact
from agentdesk.storage.database import Database
from agentdesk.telephony.flows import repository as flow_repo
from agentdesk.telephony.flows import runtime
from agentdesk.telephony.flows.models import IvrRun, IvrStepAttempt

log = logging.getLogger(__name__)
MAX_CONCURRENT_STEPS = 50


class InterfaceSteps:
    """Claims and performs pending interface steps; one per process, woken after each commit
    that recorded one, and every `poll_seconds` to take over steps of dead workers."""

    def __init__(
        self, db: Database, clock_source, secret_key: str, keys_source, poll_seconds: float = 1.0
    ):
        # The app's key ring, built once by create_app (interface auth headers are sealed).
        self.db, self.clock_source, self.secret_key = db, clock_source, secret_key
        self.keys_source = keys_source
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task] = set()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        runtime.on_interface_pending(self.wake)
        while True:
            try:
                await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("interface steps failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    async def run_due(self) -> int:
        """Claim every step nobody is working on and perform each in its own task."""
        started = 0
        while len(self._running) < MAX_CONCURRENT_STEPS:
            claimed = await self.claim(self.clock_source())
            if claimed is None:
                break
            task = asyncio.create_task(self.perform(claimed))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            started += 1
        return started

    async def wait_idle(self) -> None:
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def claim(self, clock: Clock) -> "Claimed | None":
        """Tx 1: take one step (pending, lease run out, or answered-not-applied)."""
        async with self.db.transaction() as session:
            attempt = await flow_repo.claim_due_attempt(session, clock.now())
            if attempt is None:
                return None
            if attempt.status == "answered":  # held while this worker applies it
                attempt.lease_until = runtime.lease_until(clock.now(), 0)
                return Claimed(attempt.id, None, None, apply_only=True)
            run = await session.get(IvrRun, attempt.run_id)
            if not _still_current(run, attempt):
                attempt.status, attempt.body, attempt.finished_at = "done", None, clock.now()
                return Claimed(attempt.id, None, None, stale=True)
            spec = await self._spec(session, run.tenant_id, attempt.interface_id)
            attempt.status = "calling"
            attempt.lease_until = runtime.lease_until(clock.now(), attempt.timeout_seconds)
            attempt.calls_made += 1
            return Claimed(attempt.id, spec, attempt.body, timeout=attempt.timeout_seconds)

    async def perform(self, claimed: "Claimed") -> None:
        if claimed.stale:
            return
        if claimed.apply_only:
            await self._apply(claimed.attempt_id)  # answered earlier: apply, never call again
            return
        answer, error = await call_outside_transaction(claimed)
        if await self.store_answer(claimed.attempt_id, answer, error):
            await self._apply(claimed.attempt_id)

    async def store_answer(self, attempt_id: int, answer, error: str | None) -> bool:
        """Tx 2: the answer, committed before anything else happens with it."""
        async with self.db.transaction() as session:
            attempt = await flow_repo.lock_attempt(session, attempt_id)
            if attempt is None or attempt.status != "calling":
                return False
            # Held a little longer by this worker, which applies it next.
            held = runtime.lease_until(self.clock_source().now(), 0)
            attempt.status, attempt.body, attempt.lease_until = "answered", None, held
            attempt.answer, attempt.error = answer, error
            return True

    async def _apply(self, attempt_id: int) -> None:
        clock = self.clock_source()
        async with self.db.transaction() as session:  # tx 3: the flow moves on, once
            attempt = await flow_repo.lock_attempt(session, attempt_id)
            if attempt is None or attempt.status != "answered":
                return
            await runtime.interface_answered(session, clock, attempt, attempt.answer, attempt.error)

    async def _spec(self, session, tenant_id: int, interface_id: int) -> CallSpec | None:
        try:
            return await interfaces.spec_for_tenant(
                session, tenant_id, interface_id, keys=self._key_ring(), secret_key=self.secret_key
            )
        except DomainError:
            return None  # not mapped to the tenant (any more): the step fails

    def _key_ring(self):
        return self.keys_source()


@dataclass(frozen=True)
class Claimed:
    """What tx 1 handed to the HTTP call (the body lives only in memory from here on)."""

    attempt_id: int
    spec: CallSpec | None
    body: dict | None = field(default=None, repr=False)
    timeout: float = 5.0
    stale: bool = False  # the flow left that step meanwhile: nothing to do
    apply_only: bool = False  # answered by a worker that died before applying it


def _still_current(run: IvrRun | None, attempt: IvrStepAttempt) -> bool:
    return (
        run is not None
        and run.active
        and (run.id, run.generation, run.step_no)
        == (attempt.run_id, attempt.generation, attempt.step_no)
    )


async def call_outside_transaction(claimed: Claimed) -> tuple[object | None, str | None]:
    """POST the body within the step's time-out (kit.outbound: SSRF guard, pinned address).
    Returns (decoded JSON answer, None) or (None, a short error without any secret)."""
    spec = claimed.spec
    if spec is None:
        return None, "the interface is not mapped to this tenant"
    try:
        answer = await post_json(
            spec.url,
            claimed.body or {},
            timeout=max(0.1, claimed.timeout),
            allow_private=spec.allow_private,
            headers=spec.headers,
        )
    except OutboundError as exc:
        log.info("ivr interface %s %s: %s", spec.name, redact(spec.url), exc.kind)
        return None, exc.kind
    log.info(
        "ivr interface %s %s: HTTP %s, %d ms",
        spec.name,
        redact(spec.url),
        answer.status,
        answer.elapsed_ms,
    )
    if not 200 <= answer.status < 300:
        return None, f"http_{answer.status}"
    try:
        return json.loads(answer.body.decode("utf-8")), None
    except ValueError:
        return None, "bad_json"
