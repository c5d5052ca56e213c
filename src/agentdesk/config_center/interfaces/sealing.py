"""The FORMER sealing of interface auth headers (`v1.`), kept only to open old values.

Headers are now sealed with the application's key ring (`service.seal_header`, `e1.`), which
rotates. This scheme's key was derived from the server's secret key alone and could not
rotate; values sealed with it still open (`service.open_header`) and are re-sealed under the
key ring by migration 0003, by the next save and by `agentdesk keys rotate`.
"""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_INFO = b"agentdesk external interface auth header v1"
_AAD = b"external_interfaces.auth_header"


class UnsealError(ValueError):
    """A sealed value cannot be opened with this secret key."""


def _key(secret_key: str) -> bytes:
    if not secret_key:
        raise ValueError("the server has no secret key")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return hkdf.derive(secret_key.encode("utf-8"))


def seal(value: str, secret_key: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret_key)).encrypt(nonce, value.encode("utf-8"), _AAD)
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def unseal(token: str, secret_key: str) -> str:
    version, _, data = token.partition(".")
    if version != VERSION or not data:
        raise UnsealError("unknown sealed-value format")
    try:
        raw = base64.urlsafe_b64decode(data.encode("ascii"))
        return AESGCM(_key(secret_key)).decrypt(raw[:12], raw[12:], _AAD).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise UnsealError("the sealed value does not open with this secret key") from exc
