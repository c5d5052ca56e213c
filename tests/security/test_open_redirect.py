"""After login the browser goes only where the server says: a same-origin path it checked."""

import re

import pytest

from tests.support import seed


def next_of(server, query: str) -> str:
    with server.client() as client:
        html = client.get(f"/login?{query}").text
    return re.search(r'id="login-form"[^>]*data-next="([^"]*)"', html).group(1)


@pytest.mark.parametrize(
    "query",
    [
        "next=/%5Cevil.example/x",
        "next=%2F%5Cevil.example%2Fx",
        "next=//evil.example/x",
        "next=/%09/evil.example",
        "next=https://evil.example/",
        "next=%5C%5Cevil.example",
    ],
)
def test_the_login_page_never_hands_the_browser_another_origin(server, query):
    assert next_of(server, query) == "/"


def test_the_login_page_keeps_a_same_origin_path(server):
    assert next_of(server, "next=/config/users%3Fpage%3D2") == "/config/users?page=2"


def test_the_login_script_uses_the_servers_answer_not_the_query(server):
    with server.client() as client:
        html = client.get("/login?next=/%5Cevil.example/x").text
        # The page's code is in the static modules it loads (no inline script).
        sources = re.findall(r'<script[^>]*src="(/static/[^"]+)"', html)
        assert "/static/login.js" in sources
        code = "".join(client.get(src).text for src in sources)
    assert "location.search" not in html + code and "form.dataset.next" in code


def test_a_page_that_needs_login_sends_its_path_and_query_encoded(server):
    seed.tenant_with_admin(server.settings.database_url)
    with server.client() as client:
        response = client.get("/config/users?x=1&y=2", headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/config/users%3Fx%3D1%26y%3D2"
