"""`agentdesk` command."""

import argparse
import logging
import sys

from agentdesk.cli import serve_cmd, sim_cmd


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve_cmd.add_commands(sub)
    sim_cmd.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    code = args.func(args)
    sys.exit(code or 0)
