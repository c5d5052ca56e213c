"""Whitelist bypass matrix, judged against what Chromium actually loads.

The whitelist says yes or no to a URL's text; the agent's browser then loads *its* reading of
that text. Each URL below is opened in Debian's Chromium with every request intercepted (so
nothing leaves the machine and no name needs to resolve), and the URL Chromium requested is
compared with the matcher's reading: wherever the matcher accepts a URL that Chromium loads,
both must name the same origin and get the same verdict. A URL the matcher refuses is safe
whatever Chromium does with it (the pop is never opened).
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from agentdesk.config_center.whitelist.matching import BadUrl, find_entry, parse_entry, parse_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

ENTRIES = [
    parse_entry("https://strasse.example"),
    parse_entry("https://good.com"),
    parse_entry("http://127.0.0.1:8001"),
    parse_entry("https://*.corp.example.com/app"),
    parse_entry("https://bücher.example/"),
    parse_entry("https://faß.de"),
]

MATRIX = [
    # International names: UTS #46 non-transitional, as Chromium (ß, ς are not folded).
    "https://straße.example/crm",
    "https://STRAẞE.example/crm",
    "https://stra%C3%9Fe.example/crm",
    "https://xn--strae-oqa.example/crm",
    "https://strasse.example/crm",
    "https://STRASSE.example/crm",
    "https://faß.de/",
    "https://fass.de/",
    "https://xn--fa-hia.de/",
    "https://bücher.example/x",
    "https://BÜCHER.example/x",
    "https://xn--bcher-kva.example/x",
    "https://bu\u0308cher.example/x",  # decomposed ü (NFC applies)
    "https://ɢood.com/",  # small capital G: another domain
    "https://gооd.com/",  # Cyrillic о: another domain
    "https://ｇｏｏｄ.com/",  # full-width letters fold to good.com
    "https://good。com/",  # ideographic full stop
    "https://good．com/",  # full-width full stop
    "https://x\u200dgood.com/",  # joiner out of context
    "https://💩.good.com/",
    "https://xn--zz.good.com/",
    # ASCII tricks.
    "https://good.com./",
    "https://good.com../",
    "https://GOOD.com:443/",
    "https://go%6Fd.com/",
    "https://good.com%2e/",
    "https://good.com.evil.com/",
    "https://good.com@evil.com/",
    "https://good.com%40evil.com/",
    "https://evil.com\\@good.com/",
    "https://evil.com#@good.com/",
    "https://evil.com?@good.com/",
    "https://good.com\t.evil.com/",
    "https://good.com%00.evil.com/",
    "https://good.com＠evil.com/",
    "https:good.com/",
    "https:/good.com/",
    "http://good.com/",
    "https://good.com:8443/",
    # IPv4 and IPv6 forms of an entry's address.
    "http://127.0.0.1:8001/",
    "http://127.0.0.1.:8001/",
    "http://2130706433:8001/",
    "http://0x7f000001:8001/",
    "http://0x7f.1:8001/",
    "http://0177.0.0.1:8001/",
    "http://127.1:8001/",
    "http://127.0.1:8001/",
    "http://%31%32%37.0.0.1:8001/",
    "http://１２７.０.０.１:8001/",
    "http://[::ffff:127.0.0.1]:8001/",
    "http://127.0.0.1:8002/",
    "http://1.2.3.4.5:8001/",
    # Wildcards and path prefixes.
    "https://a.corp.example.com/app",
    "https://A.CORP.example.com/app/x",
    "https://a.corp.example.com/app/../admin",
    "https://a.corp.example.com/app/%2e%2e/admin",
    "https://a.corp.example.com/app/%2E./admin",
    "https://a.corp.example.com/application",
    "https://a.corp.example.com/%61pp",
    "https://a.b.corp.example.com/app",
    "https://corp.example.com/app",
    "https://ａ.corp.example.com/app",
]


@pytest.fixture(scope="module")
def chromium_loads():
    """url -> the URL Chromium requested for it (None: Chromium refused to navigate)."""
    loaded: dict[str, str | None] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        requested: list[str] = []

        def intercept(route):
            requested.append(route.request.url)
            route.fulfill(status=200, body="intercepted", content_type="text/plain")

        page.route("**/*", intercept)
        for url in MATRIX:
            requested.clear()
            try:
                page.goto(url, timeout=10_000)
            except Exception as exc:  # Chromium's verdict: an invalid URL
                assert "invalid URL" in str(exc) or "ERR_" in str(exc), str(exc)
            loaded[url] = requested[0] if requested else None
        browser.close()
    return loaded


def _origin(loaded: str) -> str:
    """The origin of a URL as Chromium wrote it (canonical already: no default port)."""
    parts = urlsplit(loaded)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _ours(url: str):
    try:
        return parse_url(url)
    except BadUrl:
        return None


@pytest.mark.parametrize("url", MATRIX)
def test_matcher_reads_urls_as_chromium_loads_them(chromium_loads, url):
    ours, theirs = _ours(url), chromium_loads[url]
    if ours is None or theirs is None:
        return  # refused by the matcher (never opened) or nothing loaded at all
    assert ours.origin == _origin(theirs), f"{url} loads {theirs}"
    assert find_entry(url, ENTRIES) == find_entry(theirs, ENTRIES), f"{url} loads {theirs}"


def test_the_probe_found_cases_behave(chromium_loads):
    """The reported bypasses, pinned by name (and that the probe really saw them load)."""
    assert chromium_loads["https://straße.example/crm"] == "https://xn--strae-oqa.example/crm"
    assert find_entry("https://straße.example/crm", ENTRIES) is None  # not strasse.example
    assert find_entry("https://STRAẞE.example/crm", ENTRIES) is None
    assert find_entry("https://faß.de/", ENTRIES) == parse_entry("https://xn--fa-hia.de")
    assert find_entry("https://fass.de/", ENTRIES) is None
    # A trailing dot: the same entry, the browser's own origin (with the dot).
    assert chromium_loads["https://good.com./"] == "https://good.com./"
    assert parse_url("https://good.com./").origin == "https://good.com."
    # Number forms of 127.0.0.1 load the entry's address and match it.
    assert chromium_loads["http://0x7f.1:8001/"] == "http://127.0.0.1:8001/"
    assert find_entry("http://0x7f.1:8001/", ENTRIES) == parse_entry("http://127.0.0.1:8001")


def test_the_matrix_is_not_vacuous(chromium_loads):
    """Most rows are compared, not skipped: both sides accept them."""
    compared = [url for url in MATRIX if _ours(url) and chromium_loads[url]]
    assert len(compared) >= 35, len(compared)
