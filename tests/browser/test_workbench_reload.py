"""A workbench that was away longer than the outbox keeps events reloads its state when it
reconnects (the `reload` frame), instead of staying on a stale state."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from agentdesk.kit.clock import Clock
from agentdesk.storage.outbox import OutboxEvent
from agentdesk.tenancy.models import SystemParameter
from tests.browser.conftest import off_loop
from tests.support import databases, seed
from tests.support.agents import Agent, seed_demo, wait_for
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def pruning_server(sqlite_url, make_settings):
    """The demo, retention one hour, pruned every fraction of a second."""
    off_loop(databases.truncate_all, sqlite_url)
    off_loop(seed_demo, sqlite_url)

    async def one_hour(session):
        session.add(SystemParameter(key="event_retention_hours", value=1))

    off_loop(seed.run, sqlite_url, one_hour)
    with LiveServer(make_settings(sqlite_url, outbox_prune_seconds=0.1)) as live:
        yield live


def _age_all_events(url: str) -> None:
    async def age(session):
        past = Clock().now() - timedelta(hours=2)
        await session.execute(update(OutboxEvent).values(created_at=past))

    seed.run(url, age)


def _stored_events(url: str) -> int:
    async def count(session):
        return await session.scalar(select(func.count()).select_from(OutboxEvent))

    return seed.run(url, count)


def test_a_workbench_back_after_its_events_were_pruned_shows_the_current_state(
    pruning_server, new_page, login_as
):
    url = pruning_server.settings.database_url
    page = new_page("en")
    gate = {"open": True, "sockets": []}

    def stream(ws):
        # While the gate is shut the page cannot reach the server: it is "away".
        if not gate["open"]:
            ws.close()
            return
        gate["sockets"].append(ws)
        ws.connect_to_server()

    page.route_web_socket(re.compile(r"/api/workbench/stream"), stream)
    login_as(page, pruning_server.url, "agent101", "agent-demo-101")
    page.goto(f"{pruning_server.url}/workbench")
    connection = page.locator('[data-field="connection"]')
    state = page.locator('[data-field="state"]')
    expect(connection).to_have_attribute("data-up", "1")
    expect(state).to_have_attribute("data-state", "signed_out")

    gate["open"] = False
    for ws in gate["sockets"]:
        ws.close()
    expect(connection).to_have_attribute("data-up", "0")

    # Meanwhile the agent signs in elsewhere, and that event outlives the retention.
    agent = Agent(pruning_server.url, "agent101")
    agent.act("sign-in")
    agent.close()
    off_loop(_age_all_events, url)
    off_loop(wait_for, lambda: _stored_events(url) == 0)

    gate["open"] = True
    expect(state).to_have_attribute("data-state", "idle", timeout=20_000)
    expect(connection).to_have_attribute("data-up", "1")
    assert page.js_errors == []
