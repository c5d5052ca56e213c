"""Job kinds and their handlers, registered explicitly when the application starts."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from agentdesk.storage.database import Database


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the job's identity and data, the database to open its own short
    transactions with (none is open when it runs), and the time of the claim."""

    job_id: int
    kind: str
    payload: dict
    tenant_id: int | None
    idempotency_key: str | None
    attempt: int  # 1 for the first run; more after retries or a lease takeover
    db: Database
    now: datetime


Handler = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    max_attempts: int = 5
    # How long a claim holds before another worker may take the job over; renewed while the
    # handler runs, so it only runs out when its worker stopped.
    lease_seconds: float = 60.0
    retry_base_seconds: float = 5.0
    # Periodic kinds run again this many seconds after each run (one row, never done).
    every_seconds: float | None = None


class UnknownJobKind(LookupError):
    pass


class JobRegistry:
    def __init__(self, kinds: list[JobKind] | tuple[JobKind, ...] = ()):
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: JobKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"job kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownJobKind(name) from None

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def periodic(self) -> list[JobKind]:
        return [k for k in self._kinds.values() if k.every_seconds is not None]
