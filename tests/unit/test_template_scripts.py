"""No template carries inline executable JavaScript: page code lives in static modules, and a
template passes data to it only as `data-*` attributes or a JSON `<script type="application/json">`
block. (The CSP nonce still covers inline styles and the API docs' start-up scripts.)"""

from html.parser import HTMLParser
from pathlib import Path

import pytest

import agentdesk.web

TEMPLATES = Path(agentdesk.web.__file__).parent / "templates"
STATIC = Path(agentdesk.web.__file__).parent / "static"
# Script types a browser does not execute: data blocks.
DATA_TYPES = {"application/json"}


class ScriptTags(HTMLParser):
    """Every `<script>` of a document: its attributes and the text inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._text)))
            self._open = None


def scripts_of(path: Path) -> list[tuple[dict[str, str | None], str]]:
    parser = ScriptTags()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.scripts


def inline_code(attrs: dict[str, str | None], text: str) -> bool:
    if (attrs.get("type") or "").lower() in DATA_TYPES:
        return False
    return bool(text.strip()) or "src" not in attrs


ALL_TEMPLATES = sorted(TEMPLATES.rglob("*.html"))


def test_the_templates_are_found():
    assert len(ALL_TEMPLATES) >= 20
    assert any(scripts_of(path) for path in ALL_TEMPLATES)


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_executable_script(path: Path):
    inline = [attrs for attrs, text in scripts_of(path) if inline_code(attrs, text)]
    assert inline == [], f"{path.name}: move the script into web/static/ and load it by src"


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_script_a_template_loads_exists(path: Path):
    for attrs, _text in scripts_of(path):
        src = attrs.get("src") or ""
        if src.startswith("/static/"):
            assert (STATIC / src.removeprefix("/static/")).is_file(), f"{path.name}: {src}"


def test_the_checker_sees_an_inline_script():
    """The check itself: an inline module is caught, a data block and an external file are not."""
    parser = ScriptTags()
    parser.feed(
        '<script type="module" nonce="n">import "/static/x.js";</script>'
        '<script type="application/json" id="d">{"a": 1}</script>'
        '<script type="module" src="/static/y.js"></script>'
    )
    verdicts = [inline_code(attrs, text) for attrs, text in parser.scripts]
    assert verdicts == [True, False, False]
