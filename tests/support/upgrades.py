"""Old releases of this repository for upgrade tests: found with git, unpacked with git archive."""

import asyncio
import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = "src/agentdesk/migrations/versions/"


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, check=False, timeout=120
    )


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} and CI=true: the upgrade test may not be skipped")
    pytest.skip(reason)


def last_commit_with_head(revision: str) -> str:
    """The newest commit on the first-parent line of HEAD whose only migration is `revision`
    (e.g. the last one before 0002 landed)."""
    listed = _git("rev-list", "--first-parent", "HEAD")
    if listed.returncode != 0:
        _unavailable("no git history to take the old release from")
    for commit in listed.stdout.decode().split():
        names = _git("ls-tree", "--name-only", commit, VERSIONS).stdout.decode().split()
        migrations = [Path(n).name for n in names if n.endswith(".py")]
        if len(migrations) == 1 and migrations[0].startswith(f"{revision}_"):
            return commit
    _unavailable(f"no commit whose migration head is {revision} (a shallow clone?)")


def unpack(commit: str, where: Path) -> None:
    archive = _git("archive", "--format=tar", commit)
    assert archive.returncode == 0, archive.stderr.decode()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(where, filter="data")


def revision_of(url: str) -> str | None:
    async def read() -> str | None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.scalar(text("SELECT version_num FROM alembic_version"))
        finally:
            await engine.dispose()

    return asyncio.run(read())
