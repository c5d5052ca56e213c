"""Settings, read from environment variables once, by the entry point (never at import)."""

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path


def _read_or_create_secret(path: Path) -> str:
    """Keep a generated secret in var/ so restarts keep sessions and tokens valid.

    The folder is 0700 and the file 0600: created so (never readable by others, not even
    for an instant), and tightened when found looser. (kit/files.py does the same for the
    database; config sits below kit in the layers, hence the few lines here.)"""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent.stat().st_mode & 0o077:
        path.parent.chmod(0o700)
    if path.exists():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    return value


def _examples_origin(env: dict[str, str]) -> str:
    """Where `make run` serves the sample third-party pages: EXAMPLES_PORT on this machine,
    unless AGENTDESK_EXAMPLES_ORIGIN names the origin outright."""
    explicit = env.get("AGENTDESK_EXAMPLES_ORIGIN", "").strip().rstrip("/")
    return explicit or f"http://127.0.0.1:{int(env.get('EXAMPLES_PORT') or 8001)}"


DEFAULT_MAX_BODY_BYTES = 21 * 1024 * 1024


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _log_format(value: str) -> str:
    value = value.strip().lower() or "json"
    if value not in ("json", "text"):
        raise ValueError(f"AGENTDESK_LOG_FORMAT must be json or text, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    bus_url: str = "memory://"
    secret_key: str = field(default="", repr=False)
    sim_token: str = field(default="", repr=False)
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    # The origin browsers use to reach this instance; derived from host/port when not given.
    public_origin: str = ""
    simulator_enabled: bool = True
    run_background_tasks: bool = True
    # How often a stream re-reads the outbox even without a doorbell (covers lost pub/sub).
    stream_poll_seconds: float = 2.0
    # How often an open workbench stream checks that its login session still exists: a
    # logout, password change or deactivation elsewhere closes it within this time (4401).
    stream_session_check_seconds: float = 15.0
    # Back-pressure per stream connection: events held in memory for it and the time one send
    # may take; past either the connection is dropped and its client resumes from the outbox.
    stream_max_backlog: int = 1000
    stream_send_timeout_seconds: float = 10.0
    timer_poll_seconds: float = 0.2
    # How often the outbox drops events older than the system parameter event_retention_hours
    # (a periodic job: one run per interval across all workers).
    outbox_prune_seconds: float = 600.0
    # How often an idle job runner looks for due jobs (a commit that enqueues one wakes it
    # at once in its own process), and how many jobs one process runs at a time.
    job_poll_seconds: float = 0.5
    job_concurrency: int = 2
    # Explicit data keys `id:base64key,…` (the first encrypts, all decrypt; key rotation)
    # and the blind-index key (base64, ≥16 bytes); both derived from secret_key when empty.
    data_keys: str = field(default="", repr=False)
    blind_index_key: str = field(default="", repr=False)
    # For `agentdesk sim` (a client of a running server): AGENTDESK_URL, and whether PORT
    # was given (then http://127.0.0.1:PORT).
    sim_server_url: str = ""
    port_given: bool = False
    # The sample pages of examples/ the demo tenant's pops, whitelist and interface point at.
    examples_origin: str = "http://127.0.0.1:8001"
    # The largest request body accepted (413 beyond), checked before anything parses it: a
    # 20 MB CSV import plus room for the multipart framing.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # `/metrics` answers only to `Authorization: Bearer <token>`; without a token it is off.
    metrics_token: str = field(default="", repr=False)
    log_format: str = "json"  # json | text (development)
    log_level: str = "INFO"
    # How long a stopping worker waits for its sockets and requests to finish.
    shutdown_grace_seconds: float = 10.0

    @property
    def origin(self) -> str:
        return self.public_origin or f"http://{self.host}:{self.port}"

    @property
    def key_material(self) -> dict[str, str]:
        """The explicit keys under the names `kit.crypto.data_keyring` reads them by."""
        return {
            "AGENTDESK_DATA_KEYS": self.data_keys,
            "AGENTDESK_BLIND_INDEX_KEY": self.blind_index_key,
        }

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_changes(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("AGENTDESK_DATA_DIR", "var")).resolve()
        database_url = env.get("AGENTDESK_DATABASE_URL") or (
            f"sqlite+aiosqlite:///{data_dir / 'agentdesk.db'}"
        )
        return cls(
            database_url=database_url,
            bus_url=env.get("AGENTDESK_BUS_URL", "memory://"),
            secret_key=env.get("AGENTDESK_SECRET_KEY")
            or _read_or_create_secret(data_dir / "secret_key"),
            sim_token=env.get("AGENTDESK_SIM_TOKEN")
            or _read_or_create_secret(data_dir / "sim_token"),
            data_dir=data_dir,
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "8000")),
            public_origin=env.get("AGENTDESK_PUBLIC_ORIGIN", "").rstrip("/"),
            simulator_enabled=_flag(env.get("AGENTDESK_SIMULATOR"), True),
            examples_origin=_examples_origin(env),
            max_body_bytes=int(env.get("AGENTDESK_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
            metrics_token=env.get("AGENTDESK_METRICS_TOKEN", ""),
            log_format=_log_format(env.get("AGENTDESK_LOG_FORMAT", "json")),
            log_level=env.get("AGENTDESK_LOG_LEVEL", "INFO").upper(),
            data_keys=env.get("AGENTDESK_DATA_KEYS", ""),
            blind_index_key=env.get("AGENTDESK_BLIND_INDEX_KEY", ""),
            sim_server_url=env.get("AGENTDESK_URL", "").strip().rstrip("/"),
            port_given=bool(env.get("PORT")),
        )
