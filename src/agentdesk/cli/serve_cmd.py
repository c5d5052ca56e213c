"""serve, migrate, demo and run (what `make run` calls)."""

import asyncio
import os

import uvicorn

from agentdesk.cli.sim_cmd import forget_server_url, record_server_url
from agentdesk.config import Settings
from agentdesk.kit.files import private_dir, secure_sqlite
from agentdesk.migrations.migrate import upgrade
from agentdesk.observability import multiproc
from agentdesk.observability.logs import log_config


def settings_with_private_files() -> Settings:
    """The settings, with the data folder 0700 and an SQLite database's files 0600 (created
    so before SQLite first opens them, tightened when found looser)."""
    settings = Settings.from_env()
    private_dir(settings.data_dir)
    secure_sqlite(settings.database_url)
    return settings


def cmd_migrate(args) -> int:
    settings = settings_with_private_files()
    upgrade(settings.database_url)
    print(f"database migrated: {_redact(settings.database_url)}")
    return 0


def _redact(url: str) -> str:
    """Never print a password that may be in a database URL."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def cmd_serve(args) -> int:
    settings = settings_with_private_files()
    host = args.host or settings.host
    port = args.port or settings.port
    # One directory per served port: two servers on one host never mix their metrics.
    multiproc.prepare(settings.data_dir / "metrics" / str(port))
    os.environ.setdefault("AGENTDESK_PUBLIC_ORIGIN", settings.origin)
    os.environ["HOST"], os.environ["PORT"] = host, str(port)
    url = record_server_url(settings.data_dir, host, port)
    try:
        uvicorn.run(
            "agentdesk.cli.asgi:build_app",
            factory=True,
            host=host,
            port=port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            log_config=log_config(settings.log_format, settings.log_level),
            # A stopping worker closes its sockets (code 1012: clients reconnect to another
            # worker) and gives requests this long before it lets go.
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
            ws_ping_interval=20,
            # Frames are small JSON: compression costs CPU per frame and a zlib context
            # (hundreds of KB) per connection, which thousands of workbenches cannot afford.
            ws_per_message_deflate=False,
        )
    finally:
        forget_server_url(settings.data_dir, url)
    return 0


def cmd_demo(args) -> int:
    from agentdesk.cli.demo import seed_demo

    settings = settings_with_private_files()
    upgrade(settings.database_url)
    asyncio.run(seed_demo(settings))
    return 0


def cmd_run(args) -> int:
    """Migrate, seed the demo tenant (keeping existing data), start examples, then serve."""
    from agentdesk.cli.demo import print_banner, seed_demo

    os.environ.setdefault("AGENTDESK_LOG_FORMAT", "text")  # a developer's terminal
    settings = settings_with_private_files()
    multiproc.prepare(settings.data_dir / "metrics" / str(args.port or settings.port))
    upgrade(settings.database_url)
    asyncio.run(seed_demo(settings))
    print_banner(settings)
    return cmd_serve(args)


def _serve_args(parser) -> None:
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)


def add_commands(sub) -> None:
    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("serve", help="serve the web application")
    _serve_args(p)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("demo", help="migrate and seed the demo tenant (idempotent)")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("run", help="migrate, seed the demo, start sample pages and serve")
    _serve_args(p)
    p.set_defaults(func=cmd_run)
