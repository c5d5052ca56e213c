"""Identifier helpers."""

import secrets
import time


def new_callid() -> str:
    """A unique, sortable call id: epoch milliseconds plus random digits (like vendor callids)."""
    return f"{int(time.time() * 1000)}-{secrets.randbelow(10**9):09d}"


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)
