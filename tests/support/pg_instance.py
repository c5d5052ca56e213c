"""A throwaway PostgreSQL server of a test's own (initdb + pg_ctl as the postgres user), so a
test may stop it without touching the shared one."""

import glob
import os
import shutil
import subprocess
import tempfile

from tests.support.server import free_port

RUN_AS = ["runuser", "-u", "postgres", "--"]


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing (Debian package postgresql)")
    return os.path.dirname(found[-1])


class PostgresInstance:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = free_port()
        self.root = tempfile.mkdtemp(prefix="agentdesk-pg-")
        self.datadir = os.path.join(self.root, "data")
        shutil.chown(self.root, "postgres", "postgres")
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str) -> None:
        subprocess.run([*RUN_AS, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> "PostgresInstance":
        if not os.path.exists(self.datadir):
            self._pg(f"{self.bindir}/initdb", "-D", self.datadir, "-A", "trust", "-U", "postgres")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = os.path.join(self.root, "server.log")
        self._pg(
            f"{self.bindir}/pg_ctl", "-D", self.datadir, "-l", log, "-w", "-o", options, "start"
        )
        return self

    def stop(self) -> None:
        self._pg(f"{self.bindir}/pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop")

    def destroy(self) -> None:
        try:
            if os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
