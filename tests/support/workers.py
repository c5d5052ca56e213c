"""What keeps parallel test workers (pytest-xdist) apart: each has its own SQLite file and
PostgreSQL database (session fixtures), temp dirs (pytest's, per worker) and free ports; Redis
is shared, so bus channels carry the worker's name and a random part."""

import os
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def worker_name() -> str:
    """`gw0`, `gw1`, … under xdist; `main` when the suite runs in one process."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def redis_channel(redis_url: str, prefix: str = "agentdesk-test") -> str:
    """`redis_url` with a channel no other test or worker uses."""
    parts = urlsplit(redis_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "channel"]
    query.append(("channel", f"{prefix}-{worker_name()}-{uuid.uuid4().hex[:8]}"))
    return urlunsplit(parts._replace(query=urlencode(query)))
