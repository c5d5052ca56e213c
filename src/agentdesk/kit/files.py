"""Files and folders only this server's user may read: data, secrets, uploads.

Folders are 0700 and files 0600 whatever the umask, and existing ones are tightened: a
database or a secret readable by every local user is a copy of the data for each of them.
"""

import os
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; tighten it when it exists."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Tighten an existing file to 0600 (a missing one is left alone)."""
    try:
        if path.stat().st_mode & 0o777 != FILE_MODE:
            path.chmod(FILE_MODE)
    except FileNotFoundError:
        pass


def sqlite_path(database_url: str) -> Path | None:
    """The file of a `sqlite+aiosqlite:///…` URL (None for other databases or in memory)."""
    if not database_url.startswith("sqlite"):
        return None
    _, _, rest = database_url.partition(":///")
    rest = rest.split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def secure_sqlite(database_url: str) -> None:
    """The database file 0600 before SQLite opens it, its folder 0700; its -wal, -shm and
    -journal files too. SQLite creates those with the mode of the database file, so a
    database created here as 0600 keeps them private."""
    path = sqlite_path(database_url)
    if path is None:
        return
    private_dir(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
        os.close(fd)
    for suffix in ("", "-wal", "-shm", "-journal"):
        private_file(path.with_name(path.name + suffix))
