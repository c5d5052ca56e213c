"""`agentdesk serve` as a real process, as an operator starts it on a host."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.server import free_port

SRC = str(Path(__file__).resolve().parents[2] / "src")


class ServeProcess:
    def __init__(self, env: dict[str, str], data_dir: Path, workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "AGENTDESK_DATA_DIR": str(data_dir),
            **env,
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.workers = workers
        self.log = data_dir / f"serve-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "ServeProcess":
        command = [sys.executable, "-m", "agentdesk", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(command, env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"agentdesk serve did not become ready:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "ServeProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
