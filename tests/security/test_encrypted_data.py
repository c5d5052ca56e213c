"""Values of encrypted base-table fields appear nowhere but in their envelopes (issue 8,
item 9): not in the database file, the job rows, the logs (access log included), the temp
folder; and the blind index of the same value differs between tenants."""

import logging
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.config_center.basetables.models import BaseTableRow
from agentdesk.models import metadata
from tests.integration.test_base_tables import (
    BASE,
    admin,
    csv_file,
    imported,
    make_table,
    start_import,
)
from tests.support import seed
from tests.support.agents import wait_for

# Marked values: the encrypted index (a phone), an encrypted ID and an encrypted number.
PHONE = "13912345678"
ID_NO = "SECRETID4242424242"
FIELDS = [
    {"name": "手机号", "index": True, "encrypted": True, "type": "string", "length": 20},
    {"name": "姓名", "type": "string", "length": 20},
    {"name": "证件号", "type": "string", "length": 30, "encrypted": True},
    {"name": "积分", "type": "number", "length": 20, "encrypted": True},
]
HEADER = [f["name"] for f in FIELDS]
GOOD = [[PHONE, "客户甲", ID_NO, "777123"]]
BAD = [["13900000000", "客户乙", "SECRETREFUSED99", "12a-SECRETNUM"]]
MARKERS = (PHONE, ID_NO, "777123", "SECRETREFUSED99", "SECRETNUM")


class _Collect(logging.Handler):
    """What the server would write: INFO and up (`agentdesk` runs with INFO; pytest lowers
    the root logger's level during a test), and the application's own DEBUG records."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        if record.levelno >= logging.INFO or record.name.startswith("agentdesk"):
            self.lines.append(record.getMessage())


@pytest.fixture
def all_logs():
    """Every log record, the access log included (uvicorn's loggers do not propagate)."""
    handler = _Collect()
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.access", "agentdesk")]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        if logger.name != "agentdesk":
            logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.lines
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def _every_row_as_text(url: str) -> str:
    engine = create_async_engine(url)
    parts = []
    async with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                parts.append(repr(tuple(row)))
    await engine.dispose()
    return "\n".join(parts)


def _sqlite_files(url: str) -> list[Path]:
    path = Path(url.split(":///", 1)[1])
    return [p for p in path.parent.glob(path.name + "*")]


def _temp_files(server) -> list[Path]:
    private = server.settings.data_dir / "tmp"
    return [p for p in private.rglob("*") if p.is_file()]


def test_encrypted_values_stay_in_their_envelopes(server, all_logs):
    import asyncio

    with admin(server) as client:
        table = make_table(client, fields=FIELDS)
        assert imported(client, table["id"], csv_file(GOOD, header=HEADER))["status"] == "done"
        refused = imported(client, table["id"], csv_file(BAD, header=HEADER))
        assert refused["status"] == "failed"
        assert [r["rule"] for r in refused["rejected"]] == ["number"]
        found = client.post(f"{BASE}/{table['id']}/rows/search", json={"q": PHONE}).json()
        assert found["total"] == 1
        # a search value in the URL is no longer read (it would be in the access log)
        assert client.get(f"{BASE}/{table['id']}/rows", params={"q": "x"}).json()["total"] == 1
    url = server.settings.database_url
    stored = asyncio.run(_every_row_as_text(url))
    logs = "\n".join(all_logs)
    assert f"/api/config/base-tables/{table['id']}/rows/search" in logs  # access log seen
    for marker in MARKERS:
        assert marker not in stored, marker  # rows, job rows (reasons), everything
        assert marker not in logs, marker
    if url.startswith("sqlite"):
        for path in _sqlite_files(url):
            data = path.read_bytes()
            for marker in MARKERS:
                assert marker.encode() not in data, (marker, path.name)
    assert _temp_files(server) == []


def test_an_upload_waiting_for_its_job_is_private(server, monkeypatch):
    from agentdesk.config_center.basetables import importer

    seen = []
    original = importer.ImportRunner.run_job

    async def run_job(self, context):  # the upload as its job finds it
        path = Path(context.payload["path"])
        seen.append((path, path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777))
        return await original(self, context)

    monkeypatch.setattr(importer.ImportRunner, "run_job", run_job)
    with admin(server) as client:
        table = make_table(client, fields=FIELDS)
        assert start_import(client, table["id"], csv_file(GOOD, header=HEADER)).status_code == 202
        wait_for(lambda: seen)  # the job runs after the answer
    ((path, mode, folder_mode),) = seen
    assert path.is_relative_to(server.settings.data_dir)  # not the shared temp folder
    assert (mode, folder_mode) == (0o600, 0o700)


def test_the_same_value_has_unrelated_blind_indexes_in_two_tenants(server):
    with admin(server, "acme") as acme, admin(server, "other") as other:
        for client in (acme, other):
            table = make_table(client, fields=FIELDS)
            imported(client, table["id"], csv_file(GOOD, header=HEADER))

    async def index_keys(session):
        return list(await session.scalars(select(BaseTableRow.index_key)))

    keys = seed.run(server.settings.database_url, index_keys)
    assert len(keys) == 2 and len(set(keys)) == 2
