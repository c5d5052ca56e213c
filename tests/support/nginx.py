"""The documented nginx configuration (docs/deploy/nginx.conf), run for real on free ports.

nginx runs in the foreground from a temporary prefix (its own pid file, logs and temp dirs),
never as the system service. `make nginx` installs Debian's package when it is missing.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.server import free_port

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf"
WRAPPER = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
{site}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing and CI=true: `make nginx` installs Debian's package")
        pytest.skip("nginx is missing (`make nginx` installs Debian's package)")
    return found


def site_config(upstreams: list[int], port: int) -> str:
    """The sample with its `adapt:` lines pointed at local ports."""
    text = SAMPLE.read_text()
    hosts = iter(upstreams)
    text = re.sub(
        r"server \S+:8000 ([^;]*);\s*# adapt: host \d+",
        lambda m: f"server 127.0.0.1:{next(hosts)} {m.group(1)};",
        text,
    )
    text = re.sub(r"listen 80;.*", f"listen 127.0.0.1:{port};", text)
    assert f"127.0.0.1:{upstreams[-1]}" in text and f"listen 127.0.0.1:{port}" in text
    return text


class Nginx:
    def __init__(self, upstreams: list[int]):
        self.binary = nginx_binary()
        self.port = free_port()
        self.prefix = tempfile.mkdtemp(prefix="agentdesk-nginx-")
        self.url = f"http://127.0.0.1:{self.port}"
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(f"{self.prefix}/tmp/{name}")
        os.chmod(self.prefix, 0o755)
        for path in Path(self.prefix, "tmp").rglob("*"):
            os.chmod(path, 0o777)  # the worker runs as nobody when nginx starts as root
        site = site_config(upstreams, self.port)
        self.conf = f"{self.prefix}/nginx.conf"
        Path(self.conf).write_text(WRAPPER.format(prefix=self.prefix, site=site))
        self.process: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        check = subprocess.run(
            [self.binary, "-t", "-p", self.prefix, "-c", self.conf], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            [self.binary, "-p", self.prefix, "-c", self.conf, "-g", "daemon off;"],
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                assert self.process.poll() is None, self.process.stderr.read().decode()
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> "Nginx":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
