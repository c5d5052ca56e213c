"""Find PostgreSQL and Redis for the test suites; start throwaway ones when they are missing.

Prints shell `export` lines (the Makefile sources them). Where a service is not reachable and
cannot be started (not Debian, not root), it says so loudly and the suites that need it are
skipped, except with CI=true, where the test run fails instead.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import time

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def log(message: str) -> None:
    print(f"[test services] {message}", file=sys.stderr)


def reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(*packages: str) -> None:
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *packages], check=True, stdout=subprocess.DEVNULL
    )


def start_postgres() -> str | None:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        apt_install("postgresql")
    bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    port = free_port()
    datadir = f"/tmp/agentdesk-test-pg-{port}"
    run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run_as, f"{bindir}/initdb", "-D", datadir, "-A", "trust", "-U", "postgres"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            *run_as,
            f"{bindir}/pg_ctl",
            "-D",
            datadir,
            "-l",
            f"{datadir}.log",
            "-w",
            "-o",
            f"-p {port} -k /tmp -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            *run_as,
            f"{bindir}/createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "test",
        ],
        check=True,
    )
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test"


def start_redis() -> str | None:
    if not shutil.which("redis-server"):
        apt_install("redis-server")
    port = free_port()
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        if reachable(port):
            break
        time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0"


def ensure(name: str, env_var: str, default: str, port: int, starter) -> None:
    if os.environ.get(env_var):
        print(f"export {env_var}={os.environ[env_var]}")
        return
    if reachable(port):
        print(f"export {env_var}={default}")
        return
    if can_install():
        try:
            url = starter()
            log(f"{name} was not running: started a throwaway instance at {url}")
            print(f"export {env_var}={url}")
            return
        except (subprocess.CalledProcessError, OSError) as exc:
            log(f"could not start {name}: {exc}")
    log("!" * 70)
    log(f"{name} IS NOT AVAILABLE: the suites that need it will be SKIPPED")
    log("!" * 70)
    print(f"export {env_var}=unavailable")


def main() -> None:
    ensure("PostgreSQL", "AGENTDESK_TEST_PG_URL", DEFAULT_PG, 5432, start_postgres)
    ensure("Redis", "AGENTDESK_TEST_REDIS_URL", DEFAULT_REDIS, 6379, start_redis)


if __name__ == "__main__":
    main()
