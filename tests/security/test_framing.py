"""Framing headers and the Content-Security-Policy of every HTML page of ours (item 6 of the
hardening issue): nobody else may frame them, and only scripts the server wrote run."""

import base64
import hashlib
import re

import pytest

from agentdesk.admin.pages import CONFIG_SECTIONS, OPS_SECTIONS
from tests.support import databases
from tests.support.agents import login, seed_demo
from tests.support.server import LiveServer

INLINE = re.compile(r"<(script|style)([^>]*)>(.*?)</\1>", re.S)


@pytest.fixture(scope="module")
def site(sqlite_url, tmp_path_factory):
    from agentdesk.config import Settings
    from tests.support.server import TEST_SECRET_KEY

    databases.truncate_all(sqlite_url)
    seed_demo(sqlite_url)
    settings = Settings(
        database_url=sqlite_url,
        secret_key=TEST_SECRET_KEY,
        sim_token="test-sim-token",
        data_dir=tmp_path_factory.mktemp("framing"),
        port=0,
        run_background_tasks=False,
    )
    with LiveServer(settings) as live:
        yield {
            "url": live.url,
            "anonymous": live.client(),
            "agent": login(live.url, "agent101"),
            "admin": login(live.url, "demo-admin"),
            "ops": login(live.url, "ops"),
        }


def policy(response) -> dict[str, list[str]]:
    text = response.headers["content-security-policy"]
    return {part.split()[0]: part.split()[1:] for part in text.split(";") if part.strip()}


def our_pages(site) -> list[tuple[str, str]]:
    admin = site["admin"]
    custom = admin.get("/api/config/custom-pages").json()["items"][0]
    return [
        ("anonymous", "/login"),
        ("agent", "/workbench"),
        ("admin", "/config"),
        *(("admin", f"/config/{s.slug}") for s in CONFIG_SECTIONS),
        ("admin", f"/config/custom-pages/{custom['id']}/preview?caller=13800000001"),
        ("ops", "/ops"),
        *(("ops", f"/ops/{s.slug}") for s in OPS_SECTIONS),
        ("agent", "/config/queues"),  # the 403 page
    ]


def test_every_page_forbids_framing_by_other_sites(site):
    for who, path in our_pages(site):
        response = site[who].get(path, headers={"Accept": "text/html"})
        assert response.status_code in (200, 403), (path, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), path
        assert policy(response)["frame-ancestors"] == ["'self'"], path
        assert response.headers["x-frame-options"] == "SAMEORIGIN", path


def test_every_inline_script_and_style_carries_the_responses_own_nonce(site):
    seen = set()
    for who, path in our_pages(site):
        response = site[who].get(path, headers={"Accept": "text/html"})
        directives = policy(response)
        scripts, styles = directives["script-src"], directives["style-src"]
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, path
        assert "'unsafe-inline'" not in styles, path
        nonces = [s for s in scripts if s.startswith("'nonce-")]
        assert len(nonces) == 1 and nonces == [s for s in styles if s.startswith("'nonce-")]
        nonce = nonces[0][len("'nonce-") : -1]
        assert len(nonce) >= 16 and nonce not in seen, path  # fresh for every response
        seen.add(nonce)
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
        for tag, attributes, body in INLINE.findall(response.text):
            if "src=" in attributes or 'type="application/json"' in attributes:
                continue  # external files ('self') and data blocks (never run)
            assert f'nonce="{nonce}"' in attributes, (path, tag, body[:60])
        assert 'style="' not in response.text, path  # inline style attributes are refused


def test_only_pages_that_open_pop_pages_may_frame_other_origins(site):
    for who, path in our_pages(site):
        directives = policy(site[who].get(path, headers={"Accept": "text/html"}))
        opens_pops = path in ("/workbench", "/config/screen-pops")
        expected = ["'self'", "http:", "https:"] if opens_pops else ["'self'"]
        for name in ("frame-src", "child-src", "form-action"):
            assert directives[name] == expected, (path, name)


def test_json_files_and_redirects_are_not_frameable_either(site):
    for who, path in (
        ("agent", "/api/workbench/state"),
        ("anonymous", "/static/app.css"),
        ("anonymous", "/"),
        ("anonymous", "/openapi.json"),
    ):
        response = site[who].get(path)
        assert policy(response)["frame-ancestors"] == ["'self'"], path
        assert "script-src" not in policy(response), path  # default-src 'self': nothing inline
        assert response.headers["x-frame-options"] == "SAMEORIGIN", path


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_the_documentation_pages_have_a_policy_that_fits_what_they_load(site, path):
    response = site["anonymous"].get(path)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["frame-ancestors"] == ["'self'"]
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "'unsafe-inline'" not in directives["script-src"]
    for _tag, attributes, body in INLINE.findall(response.text):
        src = re.search(r'src="([^"]+)"', attributes)
        if src:  # an external script: its origin is allowed, and nothing broader
            origin = re.match(r"https://[^/]+", src[1])[0]
            assert origin in directives["script-src"]
        elif _tag == "script":  # the page's inline start-up script, by its hash
            assert _sha256(body) in directives["script-src"]
    assert "*" not in " ".join(directives["script-src"])
