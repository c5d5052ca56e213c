"""Guessing passwords is throttled per account and per address, across workers, with a wait that
ends; argon2 never blocks the event loop."""

import asyncio
import logging
import threading
import time

import httpx
import pytest

from agentdesk.auth import passwords, throttle
from agentdesk.auth.passwords import HASH_THREADS, hash_password, verify_password_async
from agentdesk.kit.clock import Clock, FakeClock
from tests.support import seed
from tests.support.server import LiveServer

RIGHT = "admin-pass-1"


def attempt(client: httpx.Client, password: str, username: str = "admin@acme") -> httpx.Response:
    csrf = client.cookies.get("agentdesk_csrf") or client.get("/api/auth/csrf").json()["csrf_token"]
    return client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": csrf},
    )


def fake_clock(*servers: LiveServer) -> FakeClock:
    clock = FakeClock(Clock().now())
    for server in servers:
        server.app.state.clock = clock
    return clock


def test_forty_wrong_passwords_then_the_right_one_is_refused_until_the_wait_ends(server, caplog):
    seed.tenant_with_admin(server.settings.database_url)
    clock = fake_clock(server)
    caplog.set_level(logging.WARNING, logger="agentdesk.auth")
    with server.client() as client:
        statuses = [attempt(client, f"guess-{n}-x").status_code for n in range(40)]
        assert statuses[: throttle.ACCOUNT.free] == [401] * throttle.ACCOUNT.free
        assert set(statuses[throttle.ACCOUNT.free :]) == {429}
        refused = attempt(client, RIGHT)
        assert refused.status_code == 429, "the right password must wait too"
        body = refused.json()
        wait = body["retry_after"]
        assert body["code"] == "throttled" and refused.headers["Retry-After"] == str(wait)
        assert 0 < wait <= throttle.ACCOUNT.base and f"{wait} seconds" in body["detail"]
        clock.advance(wait + 1)
        assert attempt(client, RIGHT).status_code == 200
    messages = [r.getMessage() for r in caplog.records]
    assert any("login throttled" in m and "admin@acme" in m for m in messages)
    assert any("login failed" in m for m in messages)
    assert not any("guess-" in m or RIGHT in m for m in messages), "no password in the logs"


def test_the_wait_doubles_per_attempt_and_never_exceeds_the_cap():
    policy, now = throttle.ACCOUNT, Clock().now()
    waits = [policy.wait(n, now, now) for n in range(policy.free + 10)]
    assert waits[: policy.free] == [0] * policy.free
    assert waits[policy.free : policy.free + 3] == [30, 60, 120]
    assert max(waits) == throttle.MAX_WAIT == waits[-1]
    assert policy.wait(policy.free + 50, now, now + throttle.WINDOW) == 0


def test_refused_attempts_do_not_lengthen_the_lock(server):
    """Hammering a locked account must not keep its owner out once the hammering stops."""
    seed.tenant_with_admin(server.settings.database_url)
    clock = fake_clock(server)
    with server.client() as client:
        for n in range(throttle.ACCOUNT.free):
            assert attempt(client, f"guess-{n}-x").status_code == 401
        for _ in range(30):
            assert attempt(client, "more-guesses").status_code == 429
        clock.advance(throttle.ACCOUNT.base + 1)
        assert attempt(client, RIGHT).status_code == 200


def test_a_successful_login_clears_the_accounts_failures(server):
    seed.tenant_with_admin(server.settings.database_url)
    fake_clock(server)
    with server.client() as client:
        for _ in range(2):
            for n in range(throttle.ACCOUNT.free - 1):
                assert attempt(client, f"typo-{n}-x").status_code == 401
            assert attempt(client, RIGHT).status_code == 200


def test_one_address_guessing_many_accounts_is_throttled(server):
    seed.tenant_with_admin(server.settings.database_url)
    fake_clock(server)
    with server.client() as client:
        for n in range(throttle.ADDRESS.free):
            # A different account each time: only the per-address limit can catch this.
            assert attempt(client, "guess-x-1", username=f"user{n}").status_code == 401
        response = attempt(client, RIGHT)
        assert response.status_code == 429 and response.json()["retry_after"] > 0


def test_the_throttle_holds_across_workers(database_url, make_settings):
    """Two app instances (two workers) on one database count the same attempts."""
    settings = make_settings(database_url)
    seed.tenant_with_admin(database_url)
    with LiveServer(settings) as one, LiveServer(settings) as two:
        fake_clock(one, two)
        with one.client() as a, two.client() as b:
            for n in range(throttle.ACCOUNT.free):
                assert attempt(a if n % 2 else b, f"guess-{n}-x").status_code == 401
            assert attempt(a, RIGHT).status_code == 429
            assert attempt(b, RIGHT).status_code == 429


def test_concurrent_guesses_cannot_race_past_the_limit(server):
    """Attempts are counted before the password is checked: a burst gets `free` tries, not 30."""
    seed.tenant_with_admin(server.settings.database_url)
    fake_clock(server)

    def one(n: int) -> int:
        with server.client() as client:
            return attempt(client, f"burst-{n}-x").status_code

    results: list[int] = []
    threads = [threading.Thread(target=lambda n=n: results.append(one(n))) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(401) <= throttle.ACCOUNT.free
    assert results.count(429) >= 30 - throttle.ACCOUNT.free


# ---------------------------------------------------------------- argon2 off the event loop


@pytest.mark.real_password_cost  # compares the loop's gaps with the time of a real check
def test_password_checks_do_not_block_the_event_loop(monkeypatch):
    """While several argon2 checks run, the loop keeps ticking: they run in the bounded pool.

    Each real check is timed where it runs; on the loop, some gap between two ticks would
    contain a whole check, so the worst gap is compared with the quickest check."""
    stored = hash_password("some-password-1")
    real, calls = passwords.verify_password, []

    def timed(password_hash: str, password: str) -> bool:
        started = time.perf_counter()
        try:
            return real(password_hash, password)
        finally:
            calls.append((threading.current_thread().name, time.perf_counter() - started))

    monkeypatch.setattr(passwords, "verify_password", timed)

    async def run() -> float:
        gaps, done = [], asyncio.Event()

        async def ticker():
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.002)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        async def checks():
            await asyncio.sleep(0.01)
            await asyncio.gather(*(verify_password_async(stored, "wrong") for _ in range(6)))
            done.set()

        await asyncio.gather(ticker(), checks())
        return max(gaps)

    loop_thread = threading.current_thread().name
    worst_gap = asyncio.run(run())
    names = {name for name, _ in calls}
    assert len(calls) == 6 and loop_thread not in names
    assert all(name.startswith("argon2") for name in names) and len(names) <= HASH_THREADS
    quickest = min(duration for _, duration in calls)
    assert worst_gap < 0.8 * quickest, (worst_gap, quickest)


@pytest.mark.parametrize("password", ["some-password-1", "错误的密码-2"])
def test_async_verification_gives_the_same_answer(password):
    stored = hash_password(password)
    assert asyncio.run(verify_password_async(stored, password)) is True
    assert asyncio.run(verify_password_async(stored, password + "x")) is False
