"""Base tables [基础表] and their data [数据表查询] through /api/config/base-tables (R-TBL-1,
R-TBL-2), on SQLite and PostgreSQL: definitions, CSV import end to end (all or nothing),
browsing, export, tenant isolation, the pop lookup and key rotation."""

import asyncio
import base64
import csv
import io
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from agentdesk.config_center.basetables import importer, repository
from agentdesk.config_center.basetables.models import BaseTableRow, ImportJob
from agentdesk.config_center.basetables.rotation import rotate_keys
from agentdesk.config_center.basetables.service import data_keys, rows_for_caller
from agentdesk.kit.crypto import KeyRing
from agentdesk.storage.database import Database
from tests.support import seed
from tests.support.agents import login
from tests.support.server import LiveServer

BASE = "/api/config/base-tables"
FIELDS = [
    {"name": "手机号", "index": True, "type": "string", "length": 20},
    {
        "name": "姓名",
        "type": "string",
        "length": 8,
        "required": True,
        "mask": True,
        "mask_style": "first4",
    },
    {
        "name": "证件号",
        "type": "string",
        "length": 18,
        "encrypted": True,
        "mask": True,
        "mask_style": "last4",
    },
    {
        "name": "级别",
        "type": "dictionary",
        "items": [{"key": "1", "value": "金卡"}, {"key": "2", "value": "银卡"}],
    },
    {"name": "生日", "type": "date"},
    {"name": "备注", "type": "string", "length": 40},
]
HEADER = [f["name"] for f in FIELDS]


def admin(server, code: str = "acme"):
    info = seed.tenant_with_admin(server.settings.database_url, code)
    client = server.client(headers={"Authorization": f"Bearer {info['token']}"})
    client.tenant_id = info["tenant_id"]
    return client


def refused(response, field: str, rule: str) -> dict:
    assert response.status_code == 422, response.text
    body = response.json()
    assert (field, rule) in [(e["field"], e["rule"]) for e in body["errors"]], body
    return body


def make_table(client, name: str = "客户", fields=None, publish: bool = True) -> dict:
    response = client.post(BASE, json={"name": name, "fields": fields or FIELDS})
    assert response.status_code == 201, response.text
    table = response.json()
    if publish:
        response = client.post(f"{BASE}/{table['id']}/publish")
        assert response.status_code == 200, response.text
        table = response.json()
    return table


def csv_file(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def uploads_left(server) -> list:
    """Uploads still on disk in the server's private upload folder (they never go to the
    shared temp folder: tests/security checks where an upload waits)."""
    return list((server.settings.data_dir / "tmp" / "imports").glob("import-*"))


def start_import(client, table_id, data: bytes, name="客户_1.csv", mode="append", **form):
    """Replacing confirms the table's current row count unless `expected_rows` is given."""
    if mode == "replace" and "expected_rows" not in form:
        form["expected_rows"] = client.get(f"{BASE}/{table_id}").json()["row_count"]
    return client.post(
        f"{BASE}/{table_id}/imports",
        files={"file": (name, data, "text/csv")},
        data={"mode": mode, **{k: v for k, v in form.items() if v is not None}},
    )


def finished(client, table_id, job_id, timeout=30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"{BASE}/{table_id}/imports/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"import {job_id} did not finish: {job}")


def imported(client, table_id, data: bytes, **kwargs) -> dict:
    response = start_import(client, table_id, data, **kwargs)
    assert response.status_code == 202, response.text
    return finished(client, table_id, response.json()["id"])


def rows(client, table_id, **params) -> dict:
    """A page of rows; a search (`q`) goes in a POST body, never in the URL."""
    if "q" in params:
        response = client.post(f"{BASE}/{table_id}/rows/search", json=params)
    else:
        response = client.get(f"{BASE}/{table_id}/rows", params=params)
    assert response.status_code == 200, response.text
    return response.json()


GOOD = [
    ["13800000001", "张三丰大侠", "110101199001011234", "1", "2024/1/5", "=1+2"],
    ["13800000002", "李四", "220101199001015678", "2", "", "普通客户"],
]


# ---- definitions ------------------------------------------------------------------------


def test_a_table_with_fields_is_created_listed_and_published(server):
    with admin(server) as client:
        table = make_table(client, publish=False)
        assert table["status"] == "draft" and table["row_count"] == 0
        assert [f["key"] for f in table["fields"]] == ["f1", "f2", "f3", "f4", "f5", "f6"]
        assert table["fields"][0]["required"] is True  # an index field is always required
        listing = client.get(BASE).json()
        assert listing["total"] == 1 and listing["limit"] == 5
        assert client.get(f"{BASE}/{table['id']}/rows").json()["total"] == 0
        response = start_import(client, table["id"], csv_file(GOOD))
        assert response.status_code == 409 and response.json()["code"] == "not_published"
        published = client.post(f"{BASE}/{table['id']}/publish").json()
        assert published["status"] == "published" and published["published_at"]


def test_at_most_five_tables_per_tenant_and_names_are_unique(server):
    with admin(server) as client:
        for n in range(5):
            make_table(client, name=f"表{n}", publish=False)
        refused(client.post(BASE, json={"name": "表5", "fields": []}), "name", "limit")
        client.delete(f"{BASE}/{client.get(BASE).json()['items'][0]['id']}")
        refused(client.post(BASE, json={"name": "表1", "fields": []}), "name", "unique")
        assert client.post(BASE, json={"name": "表5", "fields": []}).status_code == 201


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ([{"name": "a", "type": "string"}], "fields.0.length", "required"),
        ([{"name": "a", "type": "string", "length": 300}], "fields.0.length", "less_than_equal"),
        ([{"name": "a", "length": 5}, {"name": "A", "length": 5}], "fields.1.name", "unique"),
        (
            [{"name": "a", "length": 5, "index": True}, {"name": "b", "length": 5, "index": True}],
            "fields.1.index",
            "limit",
        ),
        ([{"name": "a", "type": "dictionary"}], "fields.0.items", "required"),
        ([{"name": "a", "type": "date", "mask": True}], "fields.0.mask", "not_applicable"),
        ([{"name": "a", "length": 5, "mask": True}], "fields.0.mask_style", "required"),
        ([{"name": "a", "type": "fax"}], "fields.0.type", "literal_error"),
        ([{"name": f"o{i}", "length": 5} for i in range(31)], "fields", "limit"),
        (
            [{"name": f"e{i}", "length": 5, "encrypted": True} for i in range(21)],
            "fields",
            "limit",
        ),
    ],
)
def test_field_rules_are_refused_naming_the_field(server, fields, field, rule):
    with admin(server) as client:
        refused(client.post(BASE, json={"name": "t", "fields": fields}), field, rule)
        assert client.get(BASE).json()["total"] == 0


def test_a_published_table_keeps_its_data_when_fields_are_added(server):
    with admin(server) as client:
        table = make_table(client)
        assert imported(client, table["id"], csv_file(GOOD))["status"] == "done"
        fields = table["fields"]
        removed = {**table, "fields": fields[1:]}
        refused(client.put(f"{BASE}/{table['id']}", json=removed), "fields", "published")
        retyped = [dict(f) for f in fields]
        retyped[5]["type"] = "number"
        refused(
            client.put(f"{BASE}/{table['id']}", json={**table, "fields": retyped}),
            "fields.5.type",
            "published",
        )
        added = [*fields, {"name": "积分", "type": "number", "length": 6}]
        added[0], added[1] = added[1], added[0]  # reordering is fine
        added[5] = {**added[5], "name": "说明"}  # and renaming
        response = client.put(f"{BASE}/{table['id']}", json={**table, "fields": added})
        assert response.status_code == 200, response.text
        page = rows(client, table["id"])
        assert page["total"] == 2
        first = page["items"][0]["values"]
        assert first["手机号"] == "13800000001" and first["说明"] == "=1+2" and first["积分"] == ""
        assert first["证件号"] == "**************1234"
        assert [f["name"] for f in page["fields"]][:2] == ["姓名", "手机号"]
        # a new import uses the new template
        template = client.get(f"{BASE}/{table['id']}/template.csv").content.decode("utf-8-sig")
        assert template == "姓名,手机号,证件号,级别,生日,说明,积分\r\n"


# ---- import end to end ------------------------------------------------------------------


def test_import_end_to_end_browse_search_and_export(server):
    with admin(server) as client:
        table = make_table(client)
        template = client.get(f"{BASE}/{table['id']}/template.csv")
        assert template.status_code == 200
        assert template.content == ("\ufeff" + ",".join(HEADER) + "\r\n").encode()
        assert "attachment" in template.headers["content-disposition"]
        data = template.content + "\r\n".join(",".join(r) for r in GOOD).encode() + b"\r\n"
        job = imported(client, table["id"], data)
        assert job["status"] == "done", job
        assert (job["imported_rows"], job["total_rows"], job["rejected_count"]) == (2, 2, 0)
        assert job["progress"] == 100 and job["encoding"] == "utf-8"
        assert client.get(f"{BASE}/{table['id']}").json()["row_count"] == 2
        page = rows(client, table["id"])
        assert [r["values"] for r in page["items"]] == [
            {"手机号": "13800000001", "姓名": "张三丰大*", "证件号": "**************1234",
             "级别": "金卡", "生日": "2024-01-05", "备注": "=1+2"},
            {"手机号": "13800000002", "姓名": "李四", "证件号": "**************5678",
             "级别": "银卡", "生日": "", "备注": "普通客户"},
        ]  # fmt: skip
        assert [
            r["values"]["姓名"] for r in rows(client, table["id"], q="13800000002")["items"]
        ] == ["李四"]
        assert rows(client, table["id"], q="普通")["total"] == 1
        assert rows(client, table["id"], q="110101199001011234")["total"] == 0  # encrypted
        assert rows(client, table["id"], q="%")["total"] == 0
        export = client.get(f"{BASE}/{table['id']}/export.csv")
        assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        # as an import reads it back: dictionary keys, and (tenant admins hold the
        # permission to export encrypted data) masked and encrypted fields in clear
        assert lines[0] == HEADER
        assert lines[1] == [
            "13800000001",
            "张三丰大侠",
            "110101199001011234",
            "1",
            "2024-01-05",
            "'=1+2",
        ]
        history = client.get(f"{BASE}/{table['id']}/imports").json()["items"]
        assert [j["id"] for j in history] == [job["id"]]
        assert uploads_left(server) == []  # the job deleted its copy of the upload


def test_downloads_keep_the_csv_extension_in_both_file_names(server):
    """Browsers without RFC 5987 use the plain ASCII `filename`: it must still end in .csv."""
    from urllib.parse import quote

    with admin(server) as client:
        chinese = make_table(client, name="客户")
        mixed = make_table(client, name="会员_Members")
        for table, plain, utf8 in (
            (chinese, "table.csv", "客户.csv"),
            (mixed, "Members.csv", "会员_Members.csv"),
        ):
            for path in ("template.csv", "export.csv"):
                response = client.get(f"{BASE}/{table['id']}/{path}")
                assert response.status_code == 200, response.text
                disposition = response.headers["content-disposition"]
                if path == "template.csv":
                    assert f'filename="{plain}"' in disposition, disposition
                    assert f"filename*=UTF-8''{quote(utf8)}" in disposition, disposition
                else:  # the export's name carries the date before its extension
                    assert disposition.split('filename="')[1].split('"')[0].endswith(".csv")


def test_gb18030_files_as_chinese_excel_writes_them(server):
    with admin(server) as client:
        table = make_table(client)
        job = imported(client, table["id"], csv_file(GOOD[1:], encoding="gb18030"))
        assert job["status"] == "done" and job["encoding"] == "gb18030"
        assert rows(client, table["id"])["items"][0]["values"]["备注"] == "普通客户"


@pytest.mark.parametrize(
    ("name", "data", "rule"),
    [
        ("客户 1.csv", csv_file(GOOD), "file_name"),
        ("客户.txt", csv_file(GOOD), "extension"),
        ("客户.csv", csv_file(GOOD, header=HEADER[:-1] + ["说明"]), "header"),
        ("客户.csv", b"\xef\xbb\xbf" + b"x" * (20 * 1024 * 1024), "too_large"),
        ("客户.csv", b"a,b\r\n" + b"\x81\x20\xff\r\n", "encoding"),
    ],
)
def test_bad_files_are_refused_at_upload(server, name, data, rule):
    with admin(server) as client:
        table = make_table(client)
        refused(start_import(client, table["id"], data, name=name), "file", rule)
        assert client.get(f"{BASE}/{table['id']}/imports").json()["items"] == []
        assert uploads_left(server) == []


def test_refused_rows_fail_the_whole_import_and_name_line_field_reason(server):
    with admin(server) as client:
        table = make_table(client)
        assert imported(client, table["id"], csv_file(GOOD[:1]))["status"] == "done"
        bad = [
            ["13800000003", "王五", "330101199001011111", "1", "", ""],
            ["13800000004", "", "1", "1", "", ""],  # required
            ["13800000005", "赵六", "1", "9", "", ""],  # not a dictionary key
            ["13800000003", "重复", "1", "1", "", ""],  # duplicate within the file
            ["13800000006", "钱七", "1", "1", "2024-13-01", ""],  # not a date
            ["13800000007", "孙八", "1", "1", "", "x" * 41],  # too long
            ["13800000008", "周九"],  # column count
        ]
        job = imported(client, table["id"], csv_file(bad))
        assert job["status"] == "failed" and job["imported_rows"] == 0
        assert job["rejected_count"] == 6 and "nothing was imported" in job["error"]
        found = [(r["line"], r["field"], r["rule"]) for r in job["rejected"]]
        assert found == [
            (3, "姓名", "required"),
            (4, "级别", "dictionary"),
            (5, "手机号", "duplicate"),
            (6, "生日", "date"),
            (7, "备注", "length"),
            (8, "", "columns"),
        ]
        assert "see line 2" in job["rejected"][2]["reason"]
        page = rows(client, table["id"])
        assert page["total"] == 1 and page["items"][0]["values"]["手机号"] == "13800000001"


def test_a_duplicate_of_a_stored_row_fails_the_import(server):
    with admin(server) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD[:1]))
        again = [["13800000009", "新", "1", "1", "", ""], GOOD[0]]
        job = imported(client, table["id"], csv_file(again))
        assert job["status"] == "failed"
        assert job["rejected"] == [
            {
                "line": 3,
                "field": "手机号",
                "rule": "stored",
                "reason": "index value already in the table",
            }
        ]
        assert job["error_code"] == "rows_refused"
        assert rows(client, table["id"])["total"] == 1
        # replacing the rows is the way to load the same callers again
        job = imported(client, table["id"], csv_file(again), mode="replace")
        assert job["status"] == "done" and job["imported_rows"] == 2
        assert client.get(f"{BASE}/{table['id']}").json()["row_count"] == 2


def test_a_failure_mid_import_leaves_the_table_as_it_was(server, monkeypatch):
    with admin(server) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD))
        original = repository.insert_rows
        written = []

        async def failing_after_two_chunks(session, is_postgres, chunks):
            async def some_then_fail():
                async for chunk in chunks:
                    if len(written) == 2:
                        raise OSError("disk full")
                    written.append(len(chunk))
                    yield chunk

            return await original(session, is_postgres, some_then_fail())

        monkeypatch.setattr(importer, "CHUNK_ROWS", 10)
        monkeypatch.setattr(repository, "insert_rows", failing_after_two_chunks)
        many = [[f"1390000{n:04d}", "客户", "1", "1", "", ""] for n in range(45)]
        for mode in ("append", "replace"):
            written.clear()
            job = imported(client, table["id"], csv_file(many), mode=mode)
            assert job["status"] == "failed" and "disk full" in job["error"]
            assert job["error_code"] == "internal"
            assert written == [10, 10]  # rows had been sent before the failure
            page = rows(client, table["id"])
            assert page["total"] == 2
            assert [r["values"]["手机号"] for r in page["items"]] == ["13800000001", "13800000002"]
            assert client.get(f"{BASE}/{table['id']}").json()["row_count"] == 2
        monkeypatch.setattr(repository, "insert_rows", original)
        job = imported(client, table["id"], csv_file(many))
        assert job["status"] == "done" and job["imported_rows"] == 45
        export = client.get(f"{BASE}/{table['id']}/export.csv").content.decode("utf-8-sig")
        assert len(export.splitlines()) == 1 + 47


def test_stopping_the_server_mid_import_rolls_it_back(database_url, make_settings, monkeypatch):
    original = repository.insert_rows

    async def slow(session, is_postgres, chunks):
        async def trickle():
            async for chunk in chunks:
                await asyncio.sleep(0.05)
                yield chunk

        return await original(session, is_postgres, trickle())

    monkeypatch.setattr(importer, "CHUNK_ROWS", 10)
    monkeypatch.setattr(repository, "insert_rows", slow)
    settings = make_settings(database_url)
    many = [[f"1390000{n:04d}", "客户", "1", "1", "", ""] for n in range(400)]
    with LiveServer(settings) as live, admin(live) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD))
        job = start_import(client, table["id"], csv_file(many)).json()
        while client.get(f"{BASE}/{table['id']}/imports/{job['id']}").json()["status"] != "running":
            time.sleep(0.02)
        time.sleep(0.2)  # some rows are written in the open transaction
        live.stop()
    assert uploads_left(live) == []
    with (
        LiveServer(make_settings(database_url)) as live,
        live.client(headers=client.headers) as again,
    ):
        stopped = again.get(f"{BASE}/{table['id']}/imports/{job['id']}").json()
        assert stopped["status"] == "failed" and stopped["error_code"] == "interrupted"
        assert rows(again, table["id"])["total"] == 2
        assert again.get(f"{BASE}/{table['id']}").json()["row_count"] == 2


def test_an_import_left_running_by_a_stopped_server_is_failed(server):
    with admin(server) as client:
        table = make_table(client)

        async def orphan(session):
            job = ImportJob(
                tenant_id=client.tenant_id,
                table_id=table["id"],
                table_version=table["version"],
                file_name="x.csv",
                file_size=1,
                encoding="utf-8",
                status="running",
                worker="gone:1:abcd",
                heartbeat_at=datetime.utcnow() - timedelta(minutes=5),
                rejected=[],
            )
            session.add(job)
            await session.flush()
            return job.id

        job_id = seed.run(server.settings.database_url, orphan)
        job = client.get(f"{BASE}/{table['id']}/imports/{job_id}").json()
        assert job["status"] == "failed" and job["error"].startswith("interrupted")
        assert job["error_code"] == "interrupted"
        # it does not block the next import, which stores the orphan as failed
        assert imported(client, table["id"], csv_file(GOOD))["status"] == "done"

        async def status(session):
            return (await session.get(ImportJob, job_id)).status

        assert seed.run(server.settings.database_url, status) == "failed"


# ---- isolation, lookup, rotation --------------------------------------------------------


def test_tenants_see_only_their_own_tables_rows_and_imports(server):
    with admin(server, "acme") as acme, admin(server, "other") as other:
        table = make_table(acme)
        job = imported(acme, table["id"], csv_file(GOOD))
        tid = table["id"]
        assert other.get(BASE).json()["items"] == []
        for path in (
            "",
            "/rows",
            "/template.csv",
            "/export.csv",
            "/imports",
            f"/imports/{job['id']}",
        ):
            assert other.get(f"{BASE}/{tid}{path}").status_code == 404, path
        assert other.put(f"{BASE}/{tid}", json={"name": "x", "fields": []}).status_code == 404
        assert other.post(f"{BASE}/{tid}/publish").status_code == 404
        assert start_import(other, tid, csv_file(GOOD)).status_code == 404
        assert other.delete(f"{BASE}/{tid}").status_code == 404
        # the same names and callers are independent in the other tenant
        mine = make_table(other)
        assert imported(other, mine["id"], csv_file(GOOD))["status"] == "done"
        assert rows(acme, tid)["total"] == 2

        async def lookup(session):
            keys = data_keys(server.settings.secret_key, os.environ)
            return await rows_for_caller(
                session, other.tenant_id, tid, "13800000001", None, keys=keys
            )

        assert seed.run(server.settings.database_url, lookup) == []


def lookup(server, tenant_id, table_id, caller, names=None):
    async def run(session):
        keys = data_keys(server.settings.secret_key, os.environ)
        return await rows_for_caller(session, tenant_id, table_id, caller, names, keys=keys)

    return seed.run(server.settings.database_url, run)


@pytest.mark.parametrize("encrypted_index", [False, True])
def test_pop_lookup_by_caller_number(server, encrypted_index):
    with admin(server) as client:
        fields = [dict(f) for f in FIELDS]
        fields[0]["encrypted"] = encrypted_index
        table = make_table(client, fields=fields)
        imported(client, table["id"], csv_file(GOOD))
        found = lookup(server, client.tenant_id, table["id"], " 13800000001 ")
        assert found == [
            {"手机号": "13800000001", "姓名": "张三丰大*", "证件号": "**************1234",
             "级别": "金卡", "生日": "2024-01-05", "备注": "=1+2"}
        ]  # fmt: skip
        assert lookup(server, client.tenant_id, table["id"], "13800000002", ["级别", "证件号"]) == [
            {"证件号": "**************5678", "级别": "银卡"}
        ]
        assert lookup(server, client.tenant_id, table["id"], "13899999999") == []
        assert lookup(server, client.tenant_id, table["id"], "") == []

        async def stored(session):
            return list(await session.scalars(select(BaseTableRow.index_key)))

        keys = set(seed.run(server.settings.database_url, stored))
        assert ("13800000001" in keys) is not encrypted_index
        # search by an encrypted index value works through its blind index
        assert rows(client, table["id"], q="13800000002")["total"] == 1


def test_draft_tables_and_tables_without_index_give_no_rows(server):
    with admin(server) as client:
        draft = make_table(client, name="草稿", publish=False)
        assert lookup(server, client.tenant_id, draft["id"], "13800000001") == []
        no_index = [dict(f, index=False) for f in FIELDS]
        table = make_table(client, name="无索引", fields=no_index)
        assert imported(client, table["id"], csv_file(GOOD + GOOD))["status"] == "done"
        assert lookup(server, client.tenant_id, table["id"], "13800000001") == []


def test_key_rotation_reencrypts_rows_that_stay_readable(server, monkeypatch):
    with admin(server) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD))
        before = rows(client, table["id"])["items"]
        new_key = base64.urlsafe_b64encode(b"n" * 32).decode()
        monkeypatch.setenv("AGENTDESK_DATA_KEYS", f"k2:{new_key}")
        keys = data_keys(server.settings.secret_key, os.environ)
        assert keys.active_id == "k2"

        async def rotate():
            db = Database(server.settings.database_url)
            try:
                return await rotate_keys(db, keys, batch=1), await rotate_keys(db, keys)
            finally:
                await db.dispose()

        assert asyncio.run(rotate()) == (2, 0)

        async def envelopes(session):
            return list(await session.scalars(select(BaseTableRow.secret)))

        stored = seed.run(server.settings.database_url, envelopes)
        assert {keys.key_id_of(e) for e in stored} == {"k2"}
        only_new = KeyRing([("k2", b"n" * 32)], b"unused" * 6)
        aad = f"base-table:{client.tenant_id}:{table['id']}".encode()
        assert {only_new.decrypt(e, aad)[-4:] for e in stored} == {b"1234", b"5678"}
        # as after a restart with the new key list: the app's one key ring is rebuilt
        server.app.state.keys = server.app.state.imports.keys = keys
        assert rows(client, table["id"])["items"] == before


# ---- hardening (issue 8): export round trip, confirmed replace, dead workers -------------


def test_export_then_import_round_trips_the_real_values(server):
    """Regression (item 12): the export wrote masked values and dictionary labels, and
    re-importing it replaced the real ID numbers with the asterisks."""
    with admin(server) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD))
        before = rows(client, table["id"])["items"]
        exported = client.get(f"{BASE}/{table['id']}/export.csv").content
        job = imported(client, table["id"], exported, mode="replace")
        assert job["status"] == "done" and job["imported_rows"] == 2, job
        assert [r["values"] for r in rows(client, table["id"])["items"]] == [
            r["values"] for r in before
        ]
        assert lookup(server, client.tenant_id, table["id"], "13800000001")[0]["证件号"] == (
            "**************1234"
        )

        async def envelopes(session):
            return list(await session.scalars(select(BaseTableRow.secret)))

        keys = data_keys(server.settings.secret_key, os.environ)
        aad = f"base-table:{client.tenant_id}:{table['id']}".encode()
        stored = [keys.decrypt(e, aad) for e in seed.run(server.settings.database_url, envelopes)]
        assert sorted(s.split(b"\x1f")[0] for s in stored) == [
            b"110101199001011234",
            b"220101199001015678",
        ]


def test_masked_values_are_refused_on_import(server):
    with admin(server) as client:
        table = make_table(client)
        masked = [["13800000009", "张三丰大*", "**************1234", "1", "", ""]]
        job = imported(client, table["id"], csv_file(masked))
        assert job["status"] == "failed"
        assert [(r["field"], r["rule"]) for r in job["rejected"]] == [
            ("姓名", "masked"),
            ("证件号", "masked"),
        ]


def test_export_in_clear_needs_the_permission_and_is_audited(server, caplog):
    with admin(server) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD))
        role = client.post(
            "/api/config/roles", json={"name": "data", "permissions": ["config.manage"]}
        ).json()
        user = {"username": "dora", "password": "dora-pass-1", "role": "custom"}
        assert client.post("/api/config/users", json={**user, "custom_role_id": role["id"]})
        with caplog.at_level("INFO", logger="agentdesk.audit"):
            assert client.get(f"{BASE}/{table['id']}/export.csv").status_code == 200
        audit = [r.getMessage() for r in caplog.records if r.name == "agentdesk.audit"]
        assert len(audit) == 1 and "admin@acme" in audit[0] and "证件号" in audit[0]
    caplog.clear()
    dora = login(server.url, "dora", "dora-pass-1")
    try:
        with caplog.at_level("INFO", logger="agentdesk.audit"):
            export = dora.get(f"{BASE}/{table['id']}/export.csv")
        assert export.status_code == 200
        lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert lines[0] == ["手机号", "级别", "生日", "备注"]  # encrypted and masked left out
        assert lines[1] == ["13800000001", "1", "2024-01-05", "'=1+2"]
        assert b"110101199001011234" not in export.content
        assert not [r for r in caplog.records if r.name == "agentdesk.audit"]
    finally:
        dora.close()


def test_replacing_all_rows_needs_the_current_count_confirmed(server):
    """Regression (item 12): "Replace all data" ran without confirmation."""
    with admin(server) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD))
        one = csv_file(GOOD[:1])
        for expected in (None, 5):
            response = start_import(
                client, table["id"], one, mode="replace", expected_rows=expected
            )
            body = refused(response, "expected_rows", "confirm")
            assert body["code"] == "confirm_replace"
            assert (body["current_rows"], body["new_rows"]) == (2, 1)
        assert client.get(f"{BASE}/{table['id']}/imports").json()["items"][0]["mode"] == "append"
        assert rows(client, table["id"])["total"] == 2 and uploads_left(server) == []
        job = imported(client, table["id"], one, mode="replace", expected_rows=2)
        assert job["status"] == "done" and rows(client, table["id"])["total"] == 1


def test_refused_lines_download_as_csv_without_values(server):
    with admin(server) as client:
        table = make_table(client)
        bad = [["13800000003", "王五", "330101199001011111", "7", "", ""], ["1", "", "2"]]
        job = imported(client, table["id"], csv_file(bad))
        response = client.get(f"{BASE}/{table['id']}/imports/{job['id']}/rejected.csv")
        assert (
            response.status_code == 200 and "attachment" in response.headers["content-disposition"]
        )
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert lines == [
            ["line", "field", "rule", "reason"],
            ["2", "级别", "dictionary", "not a key of the value range"],
            ["3", "", "columns", "expected 6 columns, found 3"],
        ]
        with admin(server, "other") as other:
            url = f"{BASE}/{table['id']}/imports/{job['id']}/rejected.csv"
            assert other.get(url).status_code == 404


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("worker", ["dead pid", "same pid, earlier process"])
def test_jobs_of_dead_workers_are_failed_at_start_up(database_url, make_settings, worker):
    """Regression (item 13): after a crash mid-import the job stayed "running" and a new
    import was refused with 409 for 20 s."""
    settings = make_settings(database_url)
    host = socket.gethostname()[:30]
    pid = _dead_pid() if worker == "dead pid" else os.getpid()
    with LiveServer(settings) as live, admin(live) as client:
        table = make_table(client)

    async def crashed(session):  # as a killed worker leaves it: running, fresh heartbeat
        job = ImportJob(
            tenant_id=client.tenant_id,
            table_id=table["id"],
            table_version=table["version"],
            file_name="x.csv",
            file_size=1,
            encoding="utf-8",
            status="running",
            worker=f"{host}:{pid}:dead0000",
            heartbeat_at=datetime.utcnow(),
            rejected=[],
        )
        session.add(job)
        await session.flush()
        return job.id

    job_id = seed.run(database_url, crashed)

    async def stored(session):
        job = await session.get(ImportJob, job_id)
        return job.status, job.error_code, job.error

    with LiveServer(settings) as live, live.client(headers=client.headers) as again:
        status, code, error = seed.run(database_url, stored)
        assert (status, code) == ("failed", "interrupted")
        assert f"{host}:{pid}:dead0000" in error and "nothing was written" in error
        assert imported(again, table["id"], csv_file(GOOD))["status"] == "done"


def test_uploads_wait_in_a_private_folder_cleaned_at_start_up(database_url, make_settings):
    """Regression (item 9): an import's temporary file (plaintext) stayed in the shared temp
    folder after a crash and was never cleaned."""
    settings = make_settings(database_url)
    folder = settings.data_dir / "tmp" / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    left = folder / f"import-{_dead_pid()}-abc.csv"
    left.write_text("手机号\r\n13800000001\r\n")
    with LiveServer(settings) as live, admin(live) as client:
        assert not left.exists()
        assert folder.stat().st_mode & 0o777 == 0o700
        assert (settings.data_dir / "tmp").stat().st_mode & 0o777 == 0o700
        table = make_table(client)
        assert imported(client, table["id"], csv_file(GOOD))["status"] == "done"
        assert uploads_left(live) == []
