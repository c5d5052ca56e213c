"""Login throttling per account and per client address, with exponential back-off.

Attempts are rows (`LoginAttempt`), so every worker sees the same counts. An attempt is
written *before* the password is checked and deleted (for its account) when the login
succeeds: a burst of concurrent guesses counts in full instead of racing past the limit.
A refused attempt is not recorded, so hammering a locked account does not lengthen its
lock: once the guessing stops, the owner waits at most `MAX_WAIT` and logs in.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.auth.models import LoginAttempt
from agentdesk.kit.errors import TooManyRequests

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)  # attempts older than this are forgotten
MAX_WAIT = 15 * 60


@dataclass(frozen=True)
class Policy:
    """`free` attempts in the window, then waits of `base` seconds doubling per attempt."""

    free: int
    base: int = 30
    cap: int = MAX_WAIT

    def wait(self, attempts: int, last: datetime | None, now: datetime) -> int:
        """Seconds still to wait before the next attempt (0: go ahead)."""
        if attempts < self.free or last is None:
            return 0
        delay = min(self.cap, self.base * 2 ** min(attempts - self.free, 16))
        remaining = (last + timedelta(seconds=delay) - now).total_seconds()
        return max(0, int(remaining + 0.999))


# An address is shared by everyone behind one NAT or proxy, so it gets more free attempts.
ACCOUNT = Policy(free=5)
ADDRESS = Policy(free=20)


def account_key(username: str) -> str:
    return username.strip().lower()[:64]


async def _count(session: AsyncSession, column, value: str, since: datetime):
    stmt = select(func.count(), func.max(LoginAttempt.attempted_at)).where(
        column == value, LoginAttempt.attempted_at > since
    )
    return (await session.execute(stmt)).one()


async def _serialise(session: AsyncSession, account: str) -> None:
    """One check-and-record per account at a time on PostgreSQL (across workers), so two
    concurrent guesses cannot both see the count below the limit. SQLite has one writer."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": account}
        )


async def check(session: AsyncSession, username: str, address: str, now: datetime) -> None:
    """Refuse (429, with the wait) while the account or the address must wait.

    Call `record` in the same transaction: the account stays locked until it commits."""
    since = now - WINDOW
    account = account_key(username)
    await _serialise(session, f"login:{account}")
    waits = []
    for column, value, policy in (
        (LoginAttempt.account, account, ACCOUNT),
        (LoginAttempt.address, address, ADDRESS),
    ):
        attempts, last = await _count(session, column, value, since)
        waits.append(policy.wait(attempts, last, now))
    wait = max(waits)
    if wait:
        log.warning("login throttled: account=%r address=%s wait=%ss", account, address, wait)
        raise TooManyRequests(
            f"too many failed logins: try again in {wait} seconds", retry_after=wait
        )


async def record(session: AsyncSession, username: str, address: str, now: datetime) -> None:
    """Count an attempt (before its password is checked); forget attempts past the window."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - WINDOW))
    session.add(LoginAttempt(account=account_key(username), address=address, attempted_at=now))
    await session.flush()


async def succeeded(session: AsyncSession, username: str) -> None:
    """The account's owner got in: its earlier failures no longer count."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.account == account_key(username)))
