"""One concept per front-end module: the SDK protocol, pop opening and the phone-number rule are
each written once in web/static, and the others import them instead of keeping a copy."""

import re
from pathlib import Path

import agentdesk.web

STATIC = Path(agentdesk.web.__file__).parent / "static"


def code_of(text: str) -> str:
    """The text without whole-line `//` comments (which may quote other code)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def modules() -> dict[str, str]:
    return {path.name: code_of(path.read_text(encoding="utf-8")) for path in STATIC.glob("*.js")}


def holders(pattern: str) -> set[str]:
    return {name for name, text in modules().items() if re.search(pattern, text)}


def test_the_sdk_protocol_is_spoken_by_one_module():
    assert holders(r"agentdesk-sdk/1") == {"sdk-host.js"}
    assert holders(r"\.postMessage\(") == {"sdk-host.js"}


def test_pop_pages_are_opened_by_one_module():
    assert holders(r"\.submit\(\)") == {"pop-opening.js"}
    assert holders(r"window\.open\(") == {"pop-opening.js"}
    assert holders(r"createElement\(\"iframe\"\)") == {"pop-opening.js"}


def test_no_module_writes_its_own_phone_number_rule():
    """Numbers are checked with the server's rule (data-phone-pattern), read by phone-rule.js."""
    assert holders(r"phonePattern") == {"phone-rule.js"}
    # A digit range with a repetition count is a phone rule of its own.
    assert holders(r"\[0-9[^\]]*\]\{\d+,\d+\}|\\d\{\d+,\d+\}") == set()


def test_the_workbench_and_try_it_import_the_shared_modules():
    texts = modules()
    for page in ("pops.js", "screen-pop-try.js"):
        for shared in ("sdk-host.js", "pop-opening.js", "phone-rule.js"):
            assert f'from "/static/{shared}"' in texts[page], (page, shared)
