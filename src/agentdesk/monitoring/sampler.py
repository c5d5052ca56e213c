"""Per-worker gauges (sockets, undelivered events), sampled off the hot path, and the order
in which a stopping worker lets go of its work."""

import asyncio
import contextlib
import logging

from agentdesk.observability import metrics

log = logging.getLogger(__name__)
SAMPLE_SECONDS = 2.0


def sample_process(hub) -> None:
    metrics.SOCKETS.set(hub.connection_count)
    metrics.OUTBOX_LAG.set(hub.pending_count)


async def _sample_forever(hub) -> None:
    while True:
        try:
            sample_process(hub)
        except Exception:
            log.exception("metrics sampling failed")
        await asyncio.sleep(SAMPLE_SECONDS)


def start_sampler(app) -> asyncio.Task:
    return asyncio.create_task(_sample_forever(app.state.hub), name="metrics-sampler")


async def stop_tasks(tasks: list[asyncio.Task], timeout: float = 5.0) -> None:
    """Cancel and wait: a timer claimed in a transaction rolls back here, which releases its
    row lock, so another worker fires it at once instead of after this process is gone."""
    for task in tasks:
        task.cancel()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout)
