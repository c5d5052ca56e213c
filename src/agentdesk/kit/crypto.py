"""AES-GCM envelopes that name their key, HKDF key derivation and blind indexes.

An envelope is `0x01 | len(key id) | key id | 12-byte nonce | ciphertext+tag`. Recording the
key id in every envelope is what makes rotation possible: a key ring encrypts with its active
key and decrypts with any key it holds, so rows written under an old key stay readable until
they are re-encrypted. The associated data binds an envelope to where it is stored (callers
pass e.g. the tenant and table), so a ciphertext copied elsewhere does not decrypt.

A blind index is a keyed hash (HMAC-SHA256, truncated to 128 bits) of a normalised value:
deterministic, so equality lookups work on encrypted columns, and useless without the key.
Its key is separate from the encryption keys and is not rotated with them. Every blind index
is computed under a key derived for its scope (e.g. one tenant's one table): the same phone
number has unrelated indexes in two tenants or two tables, so rows cannot be joined across
them by their index, and one leaked scope key says nothing about the others.

One key ring (`data_keyring`) serves every encrypted value of the application: base-table
rows and the interfaces' auth headers alike, so `agentdesk keys rotate` rotates them all.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
BLIND_BYTES = 16
TEXT_PREFIX = "e1."  # an envelope stored in a text column, base64url after the prefix
# The one application key ring: explicit keys, then a key derived from the secret.
DATA_KEYS_ENV = "AGENTDESK_DATA_KEYS"
BLIND_KEY_ENV = "AGENTDESK_BLIND_INDEX_KEY"
# The purpose label the base tables were first sealed under; kept so stored rows stay readable.
DATA_PURPOSE = "base-tables"


class CryptoError(Exception):
    """An envelope that cannot be opened: unknown key, damaged or moved ciphertext."""


def derive_key(secret: str | bytes, info: str, length: int = KEY_BYTES) -> bytes:
    """A key for one purpose (`info`) from a master secret (HKDF-SHA256, no salt)."""
    material = secret.encode() if isinstance(secret, str) else secret
    if not material:
        raise CryptoError("cannot derive a key from an empty secret")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode())
    return hkdf.derive(material)


def key_fingerprint(key: bytes) -> str:
    """A short public name for a key (8 hex digits of its SHA-256), for derived key ids."""
    return hashlib.sha256(key).hexdigest()[:8]


def parse_key_list(text: str) -> list[tuple[str, bytes]]:
    """`id:base64key,id:base64key` (the first is the active key) → [(id, 32-byte key)]."""
    keys: list[tuple[str, bytes]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or len(key_id.encode()) > 32:
            raise CryptoError(f"key entry {part[:12]!r}…: expected id:base64key")
        try:
            key = base64.urlsafe_b64decode(_padded(encoded.strip().replace("+", "-")))
        except ValueError as exc:
            raise CryptoError(f"key {key_id}: not base64") from exc
        if len(key) != KEY_BYTES:
            raise CryptoError(f"key {key_id}: must be {KEY_BYTES} bytes, not {len(key)}")
        keys.append((key_id, key))
    return keys


def _padded(text: str) -> str:
    return (text.replace("/", "_")) + "=" * (-len(text) % 4)


class KeyRing:
    """Encryption keys by id (the first one encrypts) plus the blind-index key."""

    def __init__(self, keys: Sequence[tuple[str, bytes]], blind_key: bytes):
        if not keys:
            raise CryptoError("a key ring needs at least one key")
        self._aead: dict[str, AESGCM] = {}
        self._headers: dict[str, bytes] = {}
        for key_id, key in keys:
            if key_id in self._aead:
                continue
            raw_id = key_id.encode()
            self._aead[key_id] = AESGCM(key)
            self._headers[key_id] = bytes([VERSION, len(raw_id)]) + raw_id
        self.active_id = keys[0][0]
        self._blind_key = blind_key
        self._scoped: dict[str, bytes] = {}

    @property
    def key_ids(self) -> list[str]:
        return list(self._aead)

    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        """One envelope under the active key."""
        nonce = os.urandom(NONCE_BYTES)
        aead = self._aead[self.active_id]
        return self._headers[self.active_id] + nonce + aead.encrypt(nonce, plaintext, aad)

    def encrypt_many(self, plaintexts: Sequence[bytes], aad: bytes = b"") -> list[bytes]:
        """Envelopes for many plaintexts (one random draw for all the nonces)."""
        header = self._headers[self.active_id]
        encrypt = self._aead[self.active_id].encrypt
        nonces = os.urandom(NONCE_BYTES * len(plaintexts))
        out = []
        for i, plaintext in enumerate(plaintexts):
            nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            out.append(header + nonce + encrypt(nonce, plaintext, aad))
        return out

    def decrypt(self, envelope: bytes, aad: bytes = b"") -> bytes:
        """The plaintext of an envelope written under any key of the ring."""
        key_id, start = self._parse(envelope)
        aead = self._aead.get(key_id)
        if aead is None:
            raise CryptoError(f"key {key_id!r} is not in the key ring")
        nonce = envelope[start : start + NONCE_BYTES]
        try:
            return aead.decrypt(nonce, envelope[start + NONCE_BYTES :], aad)
        except InvalidTag as exc:
            raise CryptoError("ciphertext damaged, or stored under other associated data") from exc

    def key_id_of(self, envelope: bytes) -> str:
        return self._parse(envelope)[0]

    def needs_rotation(self, envelope: bytes) -> bool:
        return self.key_id_of(envelope) != self.active_id

    @staticmethod
    def _parse(envelope: bytes) -> tuple[str, int]:
        if len(envelope) < 2 or envelope[0] != VERSION:
            raise CryptoError("not an envelope of a known version")
        end = 2 + envelope[1]
        if len(envelope) < end + NONCE_BYTES + 16:
            raise CryptoError("envelope too short")
        return envelope[2:end].decode(), end

    def encrypt_text(self, text: str, aad: bytes = b"") -> str:
        """An envelope of `text` for a text column (`e1.` + base64url)."""
        envelope = self.encrypt(text.encode(), aad)
        return TEXT_PREFIX + base64.urlsafe_b64encode(envelope).decode("ascii")

    def decrypt_text(self, token: str, aad: bytes = b"") -> str:
        return self.decrypt(self.envelope_of_text(token), aad).decode()

    @staticmethod
    def envelope_of_text(token: str) -> bytes:
        if not token.startswith(TEXT_PREFIX):
            raise CryptoError("not a text envelope")
        try:
            return base64.urlsafe_b64decode(token[len(TEXT_PREFIX) :].encode("ascii"))
        except ValueError as exc:
            raise CryptoError("text envelope damaged") from exc

    def _scope_key(self, scope: str) -> bytes:
        key = self._scoped.get(scope)
        if key is None:
            if not scope:
                raise CryptoError("a blind index needs a scope")
            key = derive_key(self._blind_key, f"agentdesk/blind-index/{scope}")
            self._scoped[scope] = key
        return key

    def blind_index(self, value: str, *, scope: str) -> str:
        """Deterministic keyed hash of `value` under the key of `scope` (22 characters of
        base64url)."""
        digest = hmac.digest(self._scope_key(scope), value.encode(), "sha256")[:BLIND_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def blind_indexes(self, values: Iterable[str], *, scope: str) -> list[str]:
        key = self._scope_key(scope)
        encode = base64.urlsafe_b64encode
        return [
            encode(hmac.digest(key, v.encode(), "sha256")[:BLIND_BYTES])[:22].decode()
            for v in values
        ]


def keyring_from_secret(
    secret_key: str,
    env: Mapping[str, str],
    *,
    purpose: str,
    keys_var: str,
    blind_var: str,
) -> KeyRing:
    """The key ring for one purpose: explicit keys from `env[keys_var]` first, then the key
    derived from the application secret (so data written before explicit keys were configured
    stays readable); the blind-index key from `env[blind_var]` or derived from the secret."""
    keys = parse_key_list(env.get(keys_var, ""))
    derived = derive_key(secret_key, f"agentdesk/{purpose}/data")
    keys.append((f"sk-{key_fingerprint(derived)}", derived))
    blind_text = env.get(blind_var, "").strip()
    if blind_text:
        blind = base64.urlsafe_b64decode(_padded(blind_text.replace("+", "-")))
        if len(blind) < 16:
            raise CryptoError(f"{blind_var} must hold at least 16 bytes")
    else:
        blind = derive_key(secret_key, f"agentdesk/{purpose}/blind-index")
    return KeyRing(keys, blind)


def data_keyring(secret_key: str, env: Mapping[str, str]) -> KeyRing:
    """The application's one key ring: `AGENTDESK_DATA_KEYS` (`id:base64key,…`, the first
    encrypts) then a key derived from the application secret; the blind-index key from
    `AGENTDESK_BLIND_INDEX_KEY` or derived from the secret."""
    return keyring_from_secret(
        secret_key, env, purpose=DATA_PURPOSE, keys_var=DATA_KEYS_ENV, blind_var=BLIND_KEY_ENV
    )
