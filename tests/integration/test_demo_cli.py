"""The demo follows the examples' port (EXAMPLES_PORT), also on a later run; `agentdesk sim`
finds the server `make run` started and, when it cannot, says which URL it tried and how to
choose another. On SQLite and PostgreSQL where a database is involved."""

import asyncio

import pytest
from sqlalchemy import select, update

from agentdesk.cli import demo
from agentdesk.cli.main import build_parser, main
from agentdesk.cli.sim_cmd import forget_server_url, record_server_url, server_url
from agentdesk.config import Settings
from agentdesk.config_center.interfaces.models import ExternalInterface
from agentdesk.config_center.screenpop.models import PopPage
from agentdesk.config_center.whitelist.models import WhitelistEntry
from agentdesk.tenancy.models import Tenant
from tests.support import seed
from tests.support.agents import Agent, customer, place_call
from tests.support.server import LiveServer, free_port


def _demo_targets(url: str) -> dict:
    async def read(session):
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.code == "demo"))
        pages = await session.execute(
            select(PopPage.name, PopPage.url, PopPage.check_result)
            .where(PopPage.tenant_id == tenant_id, PopPage.page_type == "external")
            .order_by(PopPage.position)
        )
        entries = await session.execute(
            select(WhitelistEntry.scheme, WhitelistEntry.host, WhitelistEntry.port).where(
                WhitelistEntry.note == demo.DEMO_WHITELIST_NOTE
            )
        )
        interface = await session.scalar(
            select(ExternalInterface.url).where(ExternalInterface.name == demo.DEMO_INTERFACE_NAME)
        )
        return {
            "pages": {name: (page_url, check) for name, page_url, check in pages},
            "whitelist": [tuple(row) for row in entries],
            "interface": interface,
        }

    return seed.run(url, read)


def test_the_demo_is_seeded_on_the_examples_origin_of_the_settings(database_url, make_settings):
    settings = make_settings(database_url, examples_origin="http://127.0.0.1:9101")
    assert asyncio.run(demo.seed_demo(settings)) is True
    targets = _demo_targets(database_url)
    assert len(targets["pages"]) == 5
    assert all(u.startswith("http://127.0.0.1:9101/") for u, _ in targets["pages"].values())
    assert targets["whitelist"] == [("http", "127.0.0.1", 9101)]
    assert targets["interface"] == "http://127.0.0.1:9101/rest/v1/queryCustomer"


def test_a_later_run_on_another_examples_port_moves_the_seeded_demo_objects_only(
    database_url, make_settings
):
    first = make_settings(database_url)  # the default, port 8001
    assert asyncio.run(demo.seed_demo(first)) is True

    async def admin_edits(session):
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.code == "demo"))
        # An admin's own page on the examples' old port, and a seeded page they re-pointed.
        session.add(
            PopPage(
                tenant_id=tenant_id,
                tab="audio_video",
                position=20,
                name="Mine",
                url="http://127.0.0.1:8001/mine.html",
                enabled=False,
            )
        )
        await session.execute(
            update(PopPage)
            .where(PopPage.name == "签名示例 Signed (GET)")
            .values(url="https://crm.example.com/signed.html")
        )
        await session.execute(update(PopPage).values(check_result={"ok": True}))

    seed.run(database_url, admin_edits)

    later = first.with_changes(examples_origin="http://127.0.0.1:9102")
    assert asyncio.run(demo.seed_demo(later)) is False  # kept, and moved
    pages = _demo_targets(database_url)["pages"]
    assert pages["客户信息 Customer (GET)"] == ("http://127.0.0.1:9102/customer.html", None)
    assert pages["工单 Ticket (POST)"] == ("http://127.0.0.1:9102/pop/post", None)
    assert pages["SDK 示例 Web API sample"][0] == "http://127.0.0.1:9102/sdk-demo.html"
    assert pages["拒绝嵌入 Refuses framing"][0] == "http://127.0.0.1:9102/no-frame.html"
    assert pages["签名示例 Signed (GET)"] == ("https://crm.example.com/signed.html", {"ok": True})
    assert pages["Mine"] == ("http://127.0.0.1:8001/mine.html", {"ok": True})
    targets = _demo_targets(database_url)
    assert targets["whitelist"] == [("http", "127.0.0.1", 9102)]
    assert targets["interface"] == "http://127.0.0.1:9102/rest/v1/queryCustomer"

    assert asyncio.run(demo.seed_demo(later)) is False  # a third run changes nothing
    assert _demo_targets(database_url) == targets


def test_the_moved_demo_pops_open_whitelisted_at_the_new_origin(database_url, make_settings):
    settings = make_settings(database_url)
    asyncio.run(demo.seed_demo(settings))
    moved = settings.with_changes(examples_origin="http://127.0.0.1:9103")
    asyncio.run(demo.seed_demo(moved))
    with LiveServer(moved) as live:
        agent = Agent(live.url, "agent101")
        agent.act("sign-in")
        with customer(live.url, live.settings.sim_token) as sim:
            call = place_call(sim)
        pops = agent.http.get("/api/workbench/pops", params={"callid": call["callid"]}).json()
        external = [p for p in pops["pages"] if p["page_type"] == "external"]
        assert external and all(p["url"].startswith("http://127.0.0.1:9103/") for p in external)
        assert [p["reason"] for p in external if p["status"] == "blocked"] == []
        agent.close()


# ---- agentdesk sim ---------------------------------------------------------------------------


@pytest.fixture
def sim_env(tmp_path, monkeypatch):
    """A shell where neither PORT nor AGENTDESK_URL is set, with its own data dir."""
    for name in ("PORT", "AGENTDESK_URL", "HOST", "AGENTDESK_PUBLIC_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AGENTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGENTDESK_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("AGENTDESK_SIM_TOKEN", "test-sim-token")
    return monkeypatch


def _sim_fails(argv: list[str]) -> str:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    message = str(raised.value.code)
    assert "test-sim-token" not in message
    for way in ("--server", "AGENTDESK_URL", "PORT"):
        assert way in message, message
    return message


def test_sim_names_the_url_it_tried_and_how_to_choose_another(sim_env):
    nobody = free_port()
    message = _sim_fails(["sim", "--server", f"http://127.0.0.1:{nobody}", "show", "X"])
    assert f"cannot reach the agentdesk server at http://127.0.0.1:{nobody} (--server)" in message

    sim_env.setenv("PORT", str(nobody))
    message = _sim_fails(["sim", "show", "X"])
    assert f"at http://127.0.0.1:{nobody} (PORT)" in message

    sim_env.delenv("PORT")
    sim_env.setenv("AGENTDESK_URL", f"http://127.0.0.1:{nobody}/")
    assert f"at http://127.0.0.1:{nobody} (AGENTDESK_URL)" in _sim_fails(["sim", "show", "X"])


def test_sim_finds_the_server_where_it_last_started(sim_env, tmp_path, sqlite_url, make_settings):
    from tests.support import databases
    from tests.support.agents import seed_demo

    databases.truncate_all(sqlite_url)
    seed_demo(sqlite_url)
    with LiveServer(make_settings(sqlite_url)) as live:
        url = record_server_url(tmp_path, "0.0.0.0", live.port)  # as `make run` does
        assert url == live.url
        agent = Agent(live.url, "agent101")
        agent.act("sign-in")
        with pytest.raises(SystemExit) as done:
            main(
                ["sim", "call", "--tenant", "demo", "--caller", "13800000001", "--called", "960358"]
            )
        assert done.value.code == 0
        assert agent.state()["call"]["callerNum"] == "13800000001"
        agent.close()
    forget_server_url(tmp_path, url)  # the server stopped: back to the default
    assert not (tmp_path / "server_url").exists()
    args = build_parser().parse_args(["sim", "show", "X"])
    assert server_url(args, Settings.from_env()) == ("http://127.0.0.1:8000", "default")


def test_sim_says_so_when_something_else_answers_at_the_url(sim_env):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotAgentdesk(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<h1>not here</h1>")

        def log_message(self, *args):
            pass

    other = ThreadingHTTPServer(("127.0.0.1", 0), NotAgentdesk)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{other.server_address[1]}"
        message = _sim_fails(["sim", "--server", url, "show", "X"])
        assert f"{url} (--server) answered HTTP 404, but not as agentdesk does" in message
    finally:
        other.shutdown()
        other.server_close()
