import os
from pathlib import Path

import pytest

from agentdesk.auth import passwords
from agentdesk.config import Settings
from tests.support import databases, workers
from tests.support.inprocess import InProcessServer
from tests.support.server import TEST_SECRET_KEY

PG_ENV = "AGENTDESK_TEST_PG_URL"
REDIS_ENV = "AGENTDESK_TEST_REDIS_URL"


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("db") / "agentdesk.db"
    url = f"sqlite+aiosqlite:///{path}"
    databases.migrate(url)
    return url


@pytest.fixture(scope="session")
def pg_url() -> str:
    base = databases.service_url(PG_ENV)
    url = databases.create_pg_database(base)
    databases.migrate(url)
    yield url
    databases.drop_pg_database(base, url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    return databases.service_url(REDIS_ENV)


@pytest.fixture
def redis_bus_url(redis_url) -> str:
    """A bus URL on a channel of this test alone (parallel workers share one Redis)."""
    return workers.redis_channel(redis_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """Each test using this runs on SQLite and on PostgreSQL, starting from empty tables."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    databases.truncate_all(url)
    return url


@pytest.fixture
def make_settings(tmp_path: Path):
    def build(database_url: str, bus_url: str = "memory://", **changes) -> Settings:
        values = {
            "secret_key": TEST_SECRET_KEY,
            "sim_token": "test-sim-token",
            "data_dir": tmp_path,
            "port": 0,
            "stream_poll_seconds": 0.5,
            "timer_poll_seconds": 0.05,
            **changes,
        }
        return Settings(database_url=database_url, bus_url=bus_url, **values)

    return build


@pytest.fixture
def server(database_url, make_settings):
    """The app with its lifespan, in this process (ASGI, no socket); a stream of an agent
    (tests.support.agents) makes it listen on its URL. LiveServer is for the tests that need
    uvicorn itself from the start (several instances, shutdown, proxies, browsers)."""
    with InProcessServer(make_settings(database_url)) as app:
        yield app


# Cheap argon2 parameters: the suites create and log in thousands of users, and at the
# library's defaults (64 MiB, 3 passes) hashing was the biggest single cost of a test.
# Verification is the same code; tests about hashing itself mark `real_password_cost`.
CHEAP_HASH = {"time_cost": 1, "memory_cost_kib": 1024}


@pytest.fixture(autouse=True)
def _password_cost(request):
    if request.node.get_closest_marker("real_password_cost"):
        passwords.restore_hash_cost()
    else:
        passwords.set_hash_cost(**CHEAP_HASH)
    yield


def pytest_report_header(config):
    return [
        f"PostgreSQL: {os.environ.get(PG_ENV, 'unset')}",
        f"Redis: {os.environ.get(REDIS_ENV, 'unset')}",
    ]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_password_cost: runs with production argon2 parameters (hashing tests)"
    )


def pytest_collection_modifyitems(config, items):
    """Browser tests last: sync Playwright keeps an event loop running in the main thread for
    the rest of the session, which would break the `asyncio.run` of the other suites."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
