"""Identifier helpers."""

import secrets

from agentdesk.kit.clock import Clock


def new_callid(clock: Clock | None = None) -> str:
    """A unique, sortable call id: epoch milliseconds plus random digits (like vendor callids).

    Pass the application's clock (a call placed on a fake clock gets an id of that time)."""
    at = (clock or Clock()).timestamp()
    return f"{int(at * 1000)}-{secrets.randbelow(10**9):09d}"


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)
