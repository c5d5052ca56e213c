"""`agentdesk` command."""

import argparse
import logging
import sys

from agentdesk.cli import keys_cmd, serve_cmd, sim_cmd
from agentdesk.observability.logs import DB_DRIVER_LOGGERS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve_cmd.add_commands(sub)
    sim_cmd.add_commands(sub)
    keys_cmd.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Request lines of our own HTTP client (the simulator CLI) are noise; and they would show
    # query strings, which may carry customer data.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Database drivers' debug output shows query parameters: search values, index values.
    for driver in DB_DRIVER_LOGGERS:
        logging.getLogger(driver).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    code = args.func(args)
    sys.exit(code or 0)
