import os
from pathlib import Path

import pytest

from agentdesk.config import Settings
from tests.support import databases
from tests.support.server import TEST_SECRET_KEY, LiveServer

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
    with LiveServer(make_settings(database_url)) as live:
        yield live


def pytest_report_header(config):
    return [
        f"PostgreSQL: {os.environ.get(PG_ENV, 'unset')}",
        f"Redis: {os.environ.get(REDIS_ENV, 'unset')}",
    ]


def pytest_collection_modifyitems(config, items):
    """Browser tests last: sync Playwright keeps an event loop running in the main thread for
    the rest of the session, which would break the `asyncio.run` of the other suites."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
