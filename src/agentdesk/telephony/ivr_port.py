"""Where the telephony core hands a call to an IVR flow, without importing the flow runtime.

The runtime (`telephony.flows`) drives calls with the core's steps, so the core cannot import
it back; it registers its entry points here when imported (as timer handlers register in
`timers`). Until then (a process that never imports it) nothing is registered and calls
never reach a flow: `flows_available()` says so and callers fall back to releasing."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.clock import Clock
from agentdesk.telephony.models import Call


@dataclass
class FlowEntryPoints:
    # Start flow `flow_id` on the call; `purpose` is "entry" (access code), "queue" (a
    # policy's transfer to IVR) or "wait" (a queue's IVR waiting treatment: the call stays
    # queued while the caller runs the flow).
    start: Callable[[AsyncSession, Clock, Call, int, str], Awaitable[bool]]
    # The caller pressed keys; True when a flow took them.
    digits: Callable[[AsyncSession, Clock, Call, str], Awaitable[bool]]
    # The call ended (whoever hung up): close its run, write what must be written.
    ended: Callable[[AsyncSession, Clock, Call, str], Awaitable[None]]
    # The call leaves its queue's waiting (offered to an agent, or routed elsewhere): a
    # waiting-treatment flow on it stops, without prompts or timers after that.
    stop_waiting: Callable[[AsyncSession, Call], Awaitable[None]]


_registered: FlowEntryPoints | None = None


def register(entry_points: FlowEntryPoints) -> None:
    global _registered
    _registered = entry_points


def flows_available() -> bool:
    return _registered is not None


async def start_flow(
    session: AsyncSession, clock: Clock, call: Call, flow_id: int, purpose: str
) -> bool:
    """False when no flow could start (unknown or unpublished flow): the caller decides."""
    if _registered is None or flow_id is None:
        return False
    return await _registered.start(session, clock, call, flow_id, purpose)


async def digits_typed(session: AsyncSession, clock: Clock, call: Call, digits: str) -> bool:
    if _registered is None:
        return False
    return await _registered.digits(session, clock, call, digits)


async def call_ended(session: AsyncSession, clock: Clock, call: Call, previous_state: str) -> None:
    if _registered is not None:
        await _registered.ended(session, clock, call, previous_state)


async def stop_waiting_flow(session: AsyncSession, call: Call) -> None:
    if _registered is not None:
        await _registered.stop_waiting(session, call)
