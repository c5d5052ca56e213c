"""An injectable clock, so state machines and timers are testable without sleeping."""

import time
from datetime import UTC, datetime


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)

    def monotonic(self) -> float:
        return time.monotonic()

    def timestamp(self) -> float:
        """Unix seconds (signed pop parameters, call ids)."""
        return time.time()


class FakeClock(Clock):
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 1, 9, 0, 0)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def timestamp(self) -> float:
        return self._now.replace(tzinfo=UTC).timestamp()

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self._now += timedelta(seconds=seconds)
        self._mono += seconds
