"""Password hashing (argon2, off the event loop) and the rules a new password must meet."""

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from agentdesk.auth.common_passwords import COMMON_PASSWORDS, COMMON_WORDS
from agentdesk.kit.errors import FieldError

_hasher = PasswordHasher()

# argon2 takes tens of milliseconds of CPU and 64 MiB per call: on the event loop, 20 wrong
# logins stall every other request. A small pool keeps the loop free and bounds both CPU and
# memory (extra calls wait in the pool's queue, not in parallel).
HASH_THREADS = 2
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="argon2")
        return _pool


def set_hash_cost(time_cost: int, memory_cost_kib: int) -> None:
    """Test hook: cheaper argon2 for suites that create hundreds of users (production keeps the
    library's defaults). Hashes made before still verify: their parameters are stored in them."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=1)


def restore_hash_cost() -> None:
    global _hasher
    _hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    """`hash_password` in the bounded hashing pool, so the event loop keeps serving."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), hash_password, password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    """`verify_password` in the bounded hashing pool, so the event loop keeps serving."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), verify_password, password_hash, password)


# ---------------------------------------------------------------- rules of a new password

MIN_LENGTH = 8
_SEQUENCES = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
# Digits and symbols before or after a word do not make it harder to guess.
_AROUND = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def _normal(text: str) -> str:
    return text.strip().lower()


def _is_common(password: str) -> bool:
    """Listed, a listed word plus digits or symbols ("Welcome2026!"), one repeated character,
    or a run along the keyboard or the alphabet ("12345678", "qwertyui", "87654321")."""
    value = _normal(password)
    if value in COMMON_PASSWORDS or _AROUND.sub("", value) in COMMON_WORDS:
        return True
    if len(set(value)) <= 2:
        return True
    return any(value in seq or value in seq[::-1] for seq in _SEQUENCES)


def _is_username(password: str, username: str) -> bool:
    """The username itself, reversed, or followed only by digits or symbols ("alice2026!")."""
    value, name = _normal(password), _normal(username)
    if not name:
        return False
    return value in (name, name[::-1]) or _AROUND.sub("", value) in (name, name[::-1])


def password_errors(password: str, username: str, field: str = "password") -> list[FieldError]:
    """Why `password` may not be set for `username` (empty when it may)."""
    if len(password) < MIN_LENGTH:
        return [FieldError(field, "string_too_short", f"at least {MIN_LENGTH} characters")]
    if _is_username(password, username):
        return [FieldError(field, "username", "must not be the username")]
    if _is_common(password):
        message = "too common or too easy to guess: choose a longer, less predictable one"
        return [FieldError(field, "common", message)]
    return []
