"""Bad input is refused with 422 (or 413) naming the field and the rule, never a 500 (issue 8,
item 10), on SQLite and PostgreSQL: integers beyond 64 bits in paths, queries and bodies,
URLs `urlsplit` cannot parse, a CSV cell over the csv module's limit, an upload name longer
than its column, and request bodies over the limit (refused before they are read)."""

import socket
import tempfile
from pathlib import Path

import pytest

from agentdesk.config_center.basetables.csvfile import MAX_CELL
from tests.support import seed
from tests.support.server import LiveServer

HUGE = 2**63  # one past the largest 64-bit integer
FIELDS = [{"name": "手机号", "index": True, "type": "string", "length": 20}]


def refused(response, field: str, rule: str) -> str:
    assert response.status_code == 422, response.text
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert field in errors and errors[field]["rule"] == rule, errors
    return errors[field]["message"]


@pytest.fixture
def admin(server):
    info = seed.tenant_with_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {info['token']}"}) as client:
        yield client


@pytest.fixture
def ops(server):
    token = seed.ops_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


# ---- integers -------------------------------------------------------------------------------


def test_ids_beyond_64_bits_anywhere(admin, ops):
    refused(admin.get(f"/api/config/queues/{HUGE}"), "queue_id", "less_than_equal")
    refused(admin.get(f"/api/config/agents/{10**30}"), "agent_id", "less_than_equal")
    refused(admin.get(f"/api/config/users/{-HUGE - 1}"), "user_id", "greater_than_equal")
    refused(ops.get(f"/api/ops/tenants/{HUGE}"), "tenant_id", "less_than_equal")
    refused(
        ops.get("/api/ops/access-codes", params={"tenant_id": HUGE}), "tenant_id", "less_than_equal"
    )
    body = {"access_code_id": HUGE, "queue_id": 1, "extension": ""}
    refused(
        admin.post("/api/config/called-configs", json=body), "access_code_id", "less_than_equal"
    )
    queue = {"name": "q1", "timeout_action": "transfer_queue", "timeout_target_queue_id": HUGE}
    refused(
        admin.post("/api/config/queues", json=queue), "timeout_target_queue_id", "less_than_equal"
    )


def test_a_page_beyond_64_bits(admin, ops):
    refused(ops.get("/api/ops/tenants", params={"page": HUGE}), "page", "less_than_equal")
    refused(admin.get("/api/config/queues", params={"page": HUGE}), "page", "less_than_equal")
    refused(
        admin.get("/api/config/contact-records", params={"page": HUGE}), "page", "less_than_equal"
    )
    # the largest page allowed is answered (empty), not overflowed into an offset
    assert ops.get("/api/ops/tenants", params={"page": 10**9}).json()["items"] == []


# ---- URLs -----------------------------------------------------------------------------------

BAD_URLS = ["https://[::1", "https://crm\uff03.example.com/", "https://crm.example.com:99999/"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_whitelist_entry_urlsplit_cannot_parse(ops, url):
    message = refused(ops.post("/api/ops/whitelist", json={"pattern": url}), "pattern", "url")
    assert "crm" not in message  # the reason, not the text echoed back


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_pop_page_url_urlsplit_cannot_parse(admin, url):
    body = {"name": "CRM", "url": url}
    refused(admin.post("/api/config/screen-pops", json=body), "url", "url")


# ---- CSV uploads ----------------------------------------------------------------------------


def published_table(client) -> int:
    response = client.post("/api/config/base-tables", json={"name": "客户", "fields": FIELDS})
    assert response.status_code == 201, response.text
    table_id = response.json()["id"]
    assert client.post(f"/api/config/base-tables/{table_id}/publish").status_code == 200
    return table_id


def upload(client, table_id: int, data: bytes, name: str = "客户.csv"):
    files = {"file": (name, data, "text/csv")}
    return client.post(f"/api/config/base-tables/{table_id}/imports", files=files)


def test_a_header_cell_over_the_csv_field_limit(admin):
    table_id = published_table(admin)
    data = ("手机号," + "x" * 200_000 + "\r\n13800000001,1\r\n").encode()
    message = refused(upload(admin, table_id, data), "file", "cell_too_long")
    assert message.startswith("line 1:") and str(MAX_CELL) in message


def test_a_data_cell_over_the_csv_field_limit_names_its_line(admin):
    table_id = published_table(admin)
    data = "手机号\r\n13800000001\r\n13800000002\r\n" + '"' + "y" * 200_000 + '"\r\n'
    message = refused(upload(admin, table_id, data.encode()), "file", "cell_too_long")
    assert message.startswith("line 4:")
    assert admin.get(f"/api/config/base-tables/{table_id}/imports").json()["items"] == []


def test_an_upload_name_longer_than_its_column(admin):
    table_id = published_table(admin)
    response = upload(admin, table_id, "手机号\r\n13800000001\r\n".encode(), "a" * 296 + ".csv")
    refused(response, "file", "file_name_length")
    ok = upload(admin, table_id, "手机号\r\n13800000001\r\n".encode(), "a" * 251 + ".csv")
    assert ok.status_code == 202, ok.text


# ---- request bodies -------------------------------------------------------------------------


def raw_request(port: int, head: str, chunks=(), timeout=10) -> bytes:
    """Send a request head (and body chunks) on a socket; the answer as far as it comes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server may close as soon as it has answered
        answer = b""
        while piece := sock.recv(65536):
            answer += piece
            if b"\r\n\r\n" in answer and answer.endswith(b"}"):
                break
        return answer


def uploads_left() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("agentdesk-import-*"))


def test_a_declared_100_mb_upload_is_refused_before_it_is_read(server, admin):
    token = admin.headers["Authorization"]
    head = (
        f"POST /api/config/base-tables/1/imports HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {token}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {100 * 1024 * 1024}\r\n\r\n"
    )
    answer = raw_request(server.port, head)  # no body byte is ever sent
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"rule": "too_large"' in answer and b'"field": "body"' in answer


def test_a_chunked_body_past_the_limit_is_cut_off(database_url, make_settings):
    settings = make_settings(database_url, max_body_bytes=64 * 1024)
    with LiveServer(settings) as server:
        info = seed.tenant_with_admin(database_url)
        head = (
            f"POST /api/config/base-tables/1/imports HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {info['token']}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        before = uploads_left()
        # A well-formed start of a file part, so the multipart parser keeps reading (garbage
        # would be refused with 400 as soon as the parser saw it, which may be before the limit).
        part = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n"
        )
        piece = b"x" * 16384

        def chunk_of(data: bytes) -> bytes:
            return f"{len(data):x}\r\n".encode() + data + b"\r\n"

        chunks = [chunk_of(part)] + [chunk_of(piece)] * 64 + [b"0\r\n\r\n"]
        answer = raw_request(server.port, head, chunks)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert uploads_left() <= before
        # within the limit, the same server answers as usual
        with server.client(headers={"Authorization": f"Bearer {info['token']}"}) as client:
            assert client.post("/api/config/queues", json={"name": "q"}).status_code == 201
