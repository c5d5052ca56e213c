"""When a failed job is tried again: a pure decision, testable without a clock."""

from datetime import datetime, timedelta

BASE_SECONDS = 5.0
CAP_SECONDS = 3600.0


def retry_delay(attempts: int, base: float = BASE_SECONDS, cap: float = CAP_SECONDS) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … ≤ cap."""
    return min(cap, base * 2 ** max(attempts - 1, 0))


def next_try(
    now: datetime, attempts: int, max_attempts: int, base: float = BASE_SECONDS
) -> datetime | None:
    """When to try again, or None when the attempts are used up (the job has failed)."""
    if attempts >= max_attempts:
        return None
    return now + timedelta(seconds=retry_delay(attempts, base))
