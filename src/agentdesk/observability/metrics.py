"""Prometheus metrics of one process, safe with several workers.

With `PROMETHEUS_MULTIPROC_DIR` set (`agentdesk serve` sets it before the workers start), every
worker writes its values to memory-mapped files in that directory and any worker's `/metrics`
answers for all of them: counters and histograms are summed, the socket gauges summed over live
workers. Without it (tests, one embedded app) the process's own registry is exposed.

Everything here is cheap enough for the call path: an increment or an observation is a lock and
an add (a memory-mapped one in multiprocess mode), a few hundred nanoseconds.
"""

import os
import time
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

from agentdesk.observability.multiproc import MULTIPROC_ENV

CONTENT_TYPE = CONTENT_TYPE_LATEST
# A Ringing frame older than this was replayed after a reconnect, not popped: not a latency.
POP_REPLAY_SECONDS = 60.0

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

CALLS = Counter("agentdesk_calls_total", "Calls ended, by outcome", ["outcome"])
POP_LATENCY = Histogram(
    "agentdesk_pop_latency_seconds",
    "Call accepted by the server to Ringing frame sent to the agent's socket",
    buckets=LATENCY_BUCKETS,
)
SOCKETS = Gauge(
    "agentdesk_connected_sockets",
    "Workbench event streams connected (summed over live workers)",
    multiprocess_mode="livesum",
)
OUTBOX_LAG = Gauge(
    "agentdesk_outbox_lag_events",
    "Committed events not yet sent to connected workbenches (summed over live workers)",
    multiprocess_mode="livesum",
)
TIMER_LAG = Histogram(
    "agentdesk_timer_lag_seconds",
    "How late a timer fired after its due time",
    buckets=LATENCY_BUCKETS,
)
INTERFACE_LATENCY = Histogram(
    "agentdesk_interface_call_seconds",
    "Enterprise interface calls, by result",
    ["result"],
    buckets=LATENCY_BUCKETS,
)
INTERFACE_ERRORS = Counter(
    "agentdesk_interface_call_errors_total", "Enterprise interface calls that failed", ["reason"]
)


# Counts that must only happen if their transaction commits wait in the session's info.
_ON_COMMIT = "agentdesk.metrics_on_commit"


def count_call_ended(session, outcome: str) -> None:
    """Count an ended call once its transaction commits (a rolled-back end never happened)."""
    session.info.setdefault(_ON_COMMIT, []).append(outcome or "unknown")


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    for outcome in session.info.pop(_ON_COMMIT, ()):
        CALLS.labels(outcome).inc()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)


def observe_frame(message: dict) -> None:
    """Record what a frame sent to a workbench says about latency (only Ringing does)."""
    if message.get("type") != "Ringing":
        return
    created = (message.get("payload") or {}).get("createdAt")
    if not created:
        return
    try:
        at = datetime.fromisoformat(created.rstrip("Z")).replace(tzinfo=UTC)
    except ValueError:
        return
    age = time.time() - at.timestamp()
    if 0 <= age < POP_REPLAY_SECONDS:
        POP_LATENCY.observe(age)


def observe_interface_call(seconds: float, ok: bool, reason: str = "") -> None:
    INTERFACE_LATENCY.labels("ok" if ok else "error").observe(seconds)
    if not ok:
        INTERFACE_ERRORS.labels(reason or "error").inc()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def process_stopped() -> None:
    """Drop this worker's live gauges (sockets, lag) from the shared totals."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid())


def render_process_metrics() -> bytes:
    """The text exposition of the counters, histograms and gauges of every worker."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def render_families(families: list) -> bytes:
    """The text exposition of metric families computed just now (e.g. from the database)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(families))
    return generate_latest(registry)


class _Snapshot:
    def __init__(self, families: list):
        self.families = families

    def collect(self):
        return iter(self.families)
