"""The database file, its WAL files, the secret files and their folders are private to the
server's user (issue 8, item 9): files 0600 and folders 0700, whatever the umask, and
loose ones found at start-up are tightened."""

import asyncio
import os

import pytest
from sqlalchemy import text

from agentdesk.cli.main import main
from agentdesk.config import Settings
from agentdesk.storage.database import Database


def mode(path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755
    yield
    os.umask(old)


def test_migrate_creates_private_data_files(tmp_path, monkeypatch, open_umask):
    data = tmp_path / "var"
    monkeypatch.setenv("AGENTDESK_DATA_DIR", str(data))
    for name in ("AGENTDESK_DATABASE_URL", "AGENTDESK_SECRET_KEY", "AGENTDESK_SIM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit):
        main(["migrate"])
    assert mode(data) == 0o700
    for name in ("agentdesk.db", "secret_key", "sim_token"):
        assert mode(data / name) == 0o600, name

    async def write():  # WAL and shared-memory files appear once the database is written
        db = Database(Settings.from_env().database_url)
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE probe (x INTEGER)"))
        wal = {p.name: mode(p) for p in data.iterdir() if p.name.endswith(("-wal", "-shm"))}
        await db.dispose()
        return wal

    wal = asyncio.run(write())
    assert wal and set(wal.values()) == {0o600}, wal


def test_loose_files_found_at_start_up_are_tightened(tmp_path, monkeypatch, open_umask):
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    (data / "secret_key").write_text("an-existing-secret-key-of-enough-length")
    (data / "agentdesk.db").write_bytes(b"")
    os.chmod(data / "secret_key", 0o644)
    os.chmod(data / "agentdesk.db", 0o644)
    monkeypatch.setenv("AGENTDESK_DATA_DIR", str(data))
    for name in ("AGENTDESK_DATABASE_URL", "AGENTDESK_SECRET_KEY", "AGENTDESK_SIM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit):
        main(["migrate"])
    assert Settings.from_env().secret_key == "an-existing-secret-key-of-enough-length"
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600 and mode(data / "agentdesk.db") == 0o600
