"""safe_next: only same-origin paths survive, whatever browsers would make of the rest."""

import pytest

from agentdesk.kit.redirects import safe_next

ORIGIN = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "/\\evil.example/x",  # /%5Cevil.example/x once decoded: browsers read \ as /
        "\\\\evil.example",
        "/\\/evil.example",
        "//evil.example/x",
        "///evil.example/x",
        "/\t/evil.example",  # browsers drop tabs and newlines
        "/\n/evil.example",
        "/\r\n/evil.example",
        "https://evil.example/",
        "http://127.0.0.1:8000.evil.example/",
        "javascript:alert(1)",
        "evil.example/x",
        " /config",
        "/ /evil.example",
        "\x00/config",
        "/config\x7f",
    ],
)
def test_anything_that_could_leave_the_origin_becomes_home(value):
    assert safe_next(value, ORIGIN) == "/"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/config", "/config"),
        ("/config/users?page=2", "/config/users?page=2"),
        ("/workbench#tab", "/workbench#tab"),
        ("/%5Cevil.example/x", "/%5Cevil.example/x"),  # still encoded: a path on our origin
        ("/a/../config", "/config"),  # resolved as a browser would
        ("/..//evil.example", "/evil.example"),  # a path on our origin, never "//host"
        ("/ops/x?next=//evil.example", "/ops/x?next=//evil.example"),
    ],
)
def test_same_origin_paths_are_kept(value, expected):
    assert safe_next(value, ORIGIN) == expected
