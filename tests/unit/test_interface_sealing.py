"""Interface auth headers are sealed with the application's one key ring, so they rotate
(issue 8, item 11); headers sealed the old way (v1) still open and are re-sealed."""

import base64

import pytest

from agentdesk.config_center.interfaces import service
from agentdesk.config_center.interfaces.models import ExternalInterface
from agentdesk.config_center.interfaces.sealing import seal
from agentdesk.kit.crypto import data_keyring

SECRET = "app-secret-key-" + "s" * 32
OLD = base64.urlsafe_b64encode(b"o" * 32).decode()
NEW = base64.urlsafe_b64encode(b"n" * 32).decode()


def ring(keys: str):
    return data_keyring(SECRET, {"AGENTDESK_DATA_KEYS": keys})


def interface(sealed: str) -> ExternalInterface:
    return ExternalInterface(
        id=1,
        name="crm",
        url="https://crm.example.com/q",
        timeout_ms=3000,
        allow_private=False,
        auth_header_name="Authorization",
        auth_header_sealed=sealed,
    )


def opened(sealed: str, keys) -> dict:
    return service.call_spec(interface(sealed), keys=keys, secret_key=SECRET).headers


def test_headers_are_sealed_under_the_key_ring_and_rotate():
    before = ring(f"k1:{OLD}")
    sealed = service.seal_header("Bearer s3cret", before)
    assert sealed.startswith("e1.") and "s3cret" not in sealed
    assert before.key_id_of(before.envelope_of_text(sealed)) == "k1"
    both = ring(f"k2:{NEW},k1:{OLD}")
    assert opened(sealed, both) == {"Authorization": "Bearer s3cret"}
    assert service._needs_reseal(sealed, both)
    resealed = service.seal_header(service.open_header(sealed, both, SECRET), both)
    assert not service._needs_reseal(resealed, both)
    assert opened(resealed, ring(f"k2:{NEW}")) == {"Authorization": "Bearer s3cret"}
    with pytest.raises(service.InterfaceUnusable, match="no longer configured"):
        opened(sealed, ring(f"k2:{NEW}"))  # the old key dropped before rotating


def test_headers_sealed_the_old_way_still_open_and_need_resealing():
    legacy = seal("Bearer old", SECRET)
    keys = ring(f"k2:{NEW}")
    assert legacy.startswith("v1.")
    assert opened(legacy, keys) == {"Authorization": "Bearer old"}
    assert service._needs_reseal(legacy, keys)
    with pytest.raises(service.InterfaceUnusable):
        service.call_spec(interface(legacy), keys=keys, secret_key="another-secret")
