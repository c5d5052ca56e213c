"""How the workbench page reconnects after the server closes its stream: with `after` when it
was dropped for reading too slowly (4408), without it (a fresh snapshot) when its position was
refused (4422) or is no longer in the outbox (4410)."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.agents import PASSWORDS, seed_demo

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("code", "resumes"), [(4408, True), (4422, False), (4410, False)])
def test_the_page_reconnects_as_the_close_code_says(
    live_server, seeded, new_page, login_as, code, resumes
):
    seeded(seed_demo)
    page = new_page()
    sockets = []

    def route(ws) -> None:  # every stream socket goes through to the server, recorded
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r".*/api/workbench/stream.*"), route)
    login_as(page, live_server.url, "agent101", PASSWORDS["agent101"])
    connection = page.locator('[data-field="connection"]')
    expect(connection).to_have_attribute("data-up", "1")
    page.locator('[data-action="sign-in"]').click()
    expect(page.locator('[data-field="state"]')).to_have_attribute("data-state", "idle")
    assert len(sockets) == 1

    sockets[0].close(code=code, reason="closed by the test")
    expect(connection).to_have_attribute("data-up", "0")
    expect(connection).to_have_attribute("data-up", "1")
    assert len(sockets) == 2
    assert ("after=" in sockets[1].url) is resumes
    # Either way the page is live again: the next event reaches it.
    page.locator('[data-action="busy"]').click()
    expect(page.locator('[data-field="state"]')).to_have_attribute("data-state", "busy")
