"""AES-GCM envelopes with key ids, key rotation and blind indexes (kit/crypto.py)."""

import base64

import pytest

from agentdesk.kit.crypto import (
    CryptoError,
    KeyRing,
    derive_key,
    keyring_from_secret,
    parse_key_list,
)

OLD, NEW, BLIND = b"o" * 32, b"n" * 32, b"b" * 32


def test_round_trip_and_the_envelope_names_its_key():
    ring = KeyRing([("k1", OLD)], BLIND)
    envelope = ring.encrypt("张三 13800000001".encode(), b"table:1")
    assert ring.key_id_of(envelope) == "k1"
    assert b"13800000001" not in envelope
    assert ring.decrypt(envelope, b"table:1").decode() == "张三 13800000001"
    assert ring.encrypt(b"x", b"a") != ring.encrypt(b"x", b"a")  # a fresh nonce each time
    many = ring.encrypt_many([b"a", b"b", b""], b"t")
    assert [ring.decrypt(e, b"t") for e in many] == [b"a", b"b", b""]
    assert len({e[4:16] for e in many}) == 3  # distinct nonces


def test_wrong_associated_data_or_damage_is_refused():
    ring = KeyRing([("k1", OLD)], BLIND)
    envelope = ring.encrypt(b"secret", b"table:1")
    with pytest.raises(CryptoError, match="associated data"):
        ring.decrypt(envelope, b"table:2")
    damaged = envelope[:-1] + bytes([envelope[-1] ^ 1])
    with pytest.raises(CryptoError):
        ring.decrypt(damaged, b"table:1")
    with pytest.raises(CryptoError, match="known version"):
        ring.decrypt(b"\x02" + envelope[1:], b"table:1")


def test_key_rotation_new_key_encrypts_old_keys_still_decrypt():
    before = KeyRing([("k1", OLD)], BLIND)
    old_envelope = before.encrypt(b"value", b"aad")
    after = KeyRing([("k2", NEW), ("k1", OLD)], BLIND)
    assert after.decrypt(old_envelope, b"aad") == b"value"
    assert after.needs_rotation(old_envelope)
    rotated = after.encrypt(after.decrypt(old_envelope, b"aad"), b"aad")
    assert after.key_id_of(rotated) == "k2" and not after.needs_rotation(rotated)
    only_new = KeyRing([("k2", NEW)], BLIND)
    assert only_new.decrypt(rotated, b"aad") == b"value"
    with pytest.raises(CryptoError, match="not in the key ring"):
        only_new.decrypt(old_envelope, b"aad")


def test_blind_index_is_deterministic_and_keyed():
    ring = KeyRing([("k1", OLD)], BLIND)
    s = "base-table:1:1"
    assert ring.blind_index("13800000001", scope=s) == ring.blind_index("13800000001", scope=s)
    assert ring.blind_index("13800000001", scope=s) != ring.blind_index("13800000002", scope=s)
    assert ring.blind_indexes(["13800000001"], scope=s) == [
        ring.blind_index("13800000001", scope=s)
    ]
    assert len(ring.blind_index("x", scope=s)) == 22
    other = KeyRing([("k1", OLD)], b"c" * 32)
    assert other.blind_index("13800000001", scope=s) != ring.blind_index("13800000001", scope=s)
    rotated = KeyRing([("k2", NEW), ("k1", OLD)], BLIND)
    assert rotated.blind_index("13800000001", scope=s) == ring.blind_index("13800000001", scope=s)


def test_blind_index_keys_differ_per_tenant_and_table():
    """Regression (issue 8, item 9): the same phone had the same index in two tenants."""
    ring = KeyRing([("k1", OLD)], BLIND)
    phone = "13800000001"
    scopes = ["base-table:1:1", "base-table:2:1", "base-table:1:2", "base-table:2:2"]
    assert len({ring.blind_index(phone, scope=s) for s in scopes}) == 4
    with pytest.raises(CryptoError, match="scope"):
        ring.blind_index(phone, scope="")


def test_text_envelopes_rotate_like_binary_ones():
    before = KeyRing([("k1", OLD)], BLIND)
    token = before.encrypt_text("Bearer s3cret", b"hdr")
    assert token.startswith("e1.") and "s3cret" not in token
    after = KeyRing([("k2", NEW), ("k1", OLD)], BLIND)
    assert after.decrypt_text(token, b"hdr") == "Bearer s3cret"
    assert after.needs_rotation(after.envelope_of_text(token))
    with pytest.raises(CryptoError):
        after.decrypt_text(token, b"other")
    with pytest.raises(CryptoError):
        after.decrypt_text("v1.abc", b"hdr")


def test_keys_from_the_environment_and_the_secret():
    encoded = base64.urlsafe_b64encode(NEW).decode()
    ring = keyring_from_secret(
        "app-secret", {"KEYS": f"k2:{encoded}"}, purpose="t", keys_var="KEYS", blind_var="B"
    )
    derived_id = ring.key_ids[1]
    assert ring.active_id == "k2" and derived_id.startswith("sk-")
    plain = keyring_from_secret("app-secret", {}, purpose="t", keys_var="KEYS", blind_var="B")
    assert plain.active_id == derived_id  # the same secret derives the same key
    # data written before explicit keys were configured stays readable
    assert ring.decrypt(plain.encrypt(b"x", b"a"), b"a") == b"x"
    assert ring.blind_index("1", scope="t") == plain.blind_index("1", scope="t")
    assert derive_key("s", "a") != derive_key("s", "b")


@pytest.mark.parametrize(
    "text",
    ["nokey", ":abc", "k1:not-base64!!", "k1:" + base64.b64encode(b"short").decode()],
)
def test_bad_key_lists_are_refused(text):
    with pytest.raises(CryptoError):
        parse_key_list(text)
