"""The rules of a new password: long enough, not the username, not a common one."""

import pytest

from agentdesk.auth.passwords import password_errors


def rules(password: str, username: str = "alice") -> list[str]:
    return [e.rule for e in password_errors(password, username)]


@pytest.mark.parametrize(
    "password",
    [
        "password",
        "Password1!",
        "P@ssw0rd2026",
        "2026welcome",
        "iloveyou1314",
        "qwerty123",
        "1qaz2wsx",
        "12345678",
        "87654321",
        "abcdefgh",
        "qwertyuiop",
        "asdfghjkl",
        "xxxxxxxx",
        "abababab",
        "11111111",
        "woaini1314",
    ],
)
def test_common_passwords_are_refused(password):
    assert rules(password) == ["common"]


@pytest.mark.parametrize("password", ["alice", "Alice123", "ALICE2026!", "ecila000", "2026alice"])
def test_the_username_is_refused(password):
    errors = password_errors(password.ljust(8, "1"), "alice")
    assert [e.rule for e in errors] == ["username"]


def test_the_username_rule_uses_the_whole_login_name():
    assert rules("admin@acme1", "admin@acme") == ["username"]
    assert rules("admin-pass-1", "admin@acme") == []


@pytest.mark.parametrize(
    "password", ["alice-pass-1", "correct horse", "ops-demo-2026", "宝塔镇河妖-2026"]
)
def test_reasonable_passwords_pass(password):
    assert rules(password) == []


def test_short_passwords_are_refused_with_the_field_named():
    errors = password_errors("abc", "alice", field="admin_password")
    assert [(e.field, e.rule) for e in errors] == [("admin_password", "string_too_short")]
