"""The cheap argon2 of the test suites is a test hook only: production hashes keep the
library's parameters, and hashes of either kind verify with the same code."""

import pytest

from agentdesk.auth import passwords


@pytest.mark.real_password_cost
def test_production_hashes_use_the_library_parameters():
    stored = passwords.hash_password("some-password-1")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored


def test_the_test_hook_only_changes_the_cost_and_old_hashes_still_verify():
    passwords.restore_hash_cost()
    strong = passwords.hash_password("some-password-1")
    passwords.set_hash_cost(time_cost=1, memory_cost_kib=1024)
    cheap = passwords.hash_password("some-password-1")
    assert cheap.startswith("$argon2id$v=19$m=1024,t=1,p=1$"), cheap
    for stored in (strong, cheap):
        assert passwords.verify_password(stored, "some-password-1")
        assert not passwords.verify_password(stored, "some-password-2")
