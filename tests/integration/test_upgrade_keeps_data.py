"""Upgrades keep data (issue 9.8), on SQLite and PostgreSQL.

A database is filled at revision 0001 THROUGH THE API OF THE CODE OF THAT TIME: the last commit
whose migration head was 0001 is unpacked with `git archive` into a temp dir and
tests/support/old_release_fill.py runs there, on that tree's code. Then today's code upgrades the
database to whatever head is now (other branches add migrations; this test follows) and today's
API must give the same answers: tenants, users, agents, queues, called configuration, pop pages
and parameters, base tables with encrypted fields and their rows, interfaces, contact records,
and the old users still log in.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory

from agentdesk.migrations.migrate import alembic_config
from tests.support import databases, upgrades
from tests.support.agents import login
from tests.support.inprocess import InProcessServer
from tests.support.pops import PageServer
from tests.support.server import TEST_SECRET_KEY

FILL = os.path.join(os.path.dirname(__file__), "..", "support", "old_release_fill.py")


@pytest.fixture(scope="module")
def release_0001(tmp_path_factory):
    """Today's tree at the last commit whose only migration was 0001, unpacked."""
    commit = upgrades.last_commit_with_head("0001")
    where = tmp_path_factory.mktemp("release-0001")
    upgrades.unpack(commit, where)
    shutil.copy(FILL, where / "old_release_fill.py")
    return where


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database with no schema at all (the old code's migrations make it)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'upgrade.db'}"
        return
    base = databases.service_url("AGENTDESK_TEST_PG_URL")
    url = databases.create_pg_database(base)
    yield url
    databases.drop_pg_database(base, url)


def fill_with_old_code(release, url: str, data_dir, pages_url: str) -> dict:
    out = data_dir / "old-answers.json"
    env = {**os.environ, "PYTHONPATH": f"{release / 'src'}{os.pathsep}{release}"}
    done = subprocess.run(
        [sys.executable, str(release / "old_release_fill.py"), url, TEST_SECRET_KEY]
        + [str(data_dir / "old"), pages_url, str(out)],
        cwd=release,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())


def same_or_more(old, new, where: str = "") -> list[str]:
    """Where today's answer differs from the old one; fields added since are allowed."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{where}: {old!r} -> {new!r}"]
        return [d for key in old for d in same_or_more(old[key], new.get(key), f"{where}.{key}")]
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return [f"{where}: {old!r} -> {new!r}"]
        return [
            d
            for i, (o, n) in enumerate(zip(old, new, strict=True))
            for d in same_or_more(o, n, f"{where}[{i}]")
        ]
    return [] if old == new else [f"{where}: {old!r} -> {new!r}"]


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_data_filled_through_the_0001_api_survives_the_upgrade_to_head(
    release_0001, empty_database, make_settings, tmp_path, monkeypatch
):
    url = empty_database
    with PageServer() as pages:
        old = fill_with_old_code(release_0001, url, tmp_path, pages.url)
    assert upgrades.revision_of(url) == "0001"

    # Today's migrations, 0001 -> head, run as `agentdesk migrate` is: with the application's
    # environment (0003 re-keys encrypted data with the secret key found there).
    monkeypatch.setenv("AGENTDESK_SECRET_KEY", TEST_SECRET_KEY)
    databases.migrate(url)
    assert upgrades.revision_of(url) == head_revision()

    with InProcessServer(make_settings(url)) as server:
        ops = login(server.url, "ops", "ops-pass-1")
        admin = login(server.url, "admin@upgr", old["password"])
        differences = []
        for who, client in (("ops", ops), ("admin", admin)):
            for route, answer in old["answers"][who].items():
                now = client.get(route)
                assert now.status_code == 200, f"{route}: {now.text}"
                differences += same_or_more(answer, now.json(), route)
        assert differences == [], "\n".join(differences)

        table = f"/api/config/base-tables/{old['table_id']}"
        # The encrypted index still finds its row (0003 re-keyed the blind indexes) ...
        found = admin.post(f"{table}/rows/search", json={"q": "13977770001"}).json()
        assert found["total"] == 1, found
        # ... and the encrypted fields open with today's key ring: the export has them in clear.
        export = admin.get(f"{table}/export.csv")
        assert export.status_code == 200 and "110101199001017701" in export.text
        assert "王五" in export.text

        # The old agent logs in and works: sign in, then its state answers.
        agent = login(server.url, "agent7701", old["password"])
        assert agent.post("/api/workbench/sign-in").status_code == 200
        assert agent.get("/api/workbench/state").json()["agent"]["workNo"] in (7701, "7701")
        for client in (ops, admin, agent):
            client.close()
