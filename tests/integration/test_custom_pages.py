"""Custom pages [页面配置] (R-EXT-3, R-TBL-3) through the API, on SQLite and PostgreSQL: limits
and rules, external interfaces mapped to the tenant, publishing, preview with the sample
customer-query interface of examples/, and tenant isolation."""

import asyncio
import re
import time
from html import unescape

import pytest

from agentdesk.config_center.custompages.render import render_custom_page
from agentdesk.storage.database import Database
from examples.third_party_pages import create_app as create_examples_app
from tests.integration.test_interfaces import ServedApp, refused, tenant_client
from tests.support import seed

PAGES = "/api/config/custom-pages"
OPS = "/api/ops/interfaces"
CALLER = "13800000001"


@pytest.fixture(scope="module")
def examples():
    with ServedApp(create_examples_app("*")) as served:
        yield served


@pytest.fixture
def ops(server):
    token = seed.ops_admin(server.settings.database_url)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def acme(server):
    with tenant_client(server, "acme") as client:
        yield client


@pytest.fixture
def globex(server):
    with tenant_client(server, "globex") as client:
        yield client


def interface(ops, examples, tenants, name="客户查询", **fields) -> dict:
    body = {
        "name": name,
        "url": f"{examples.url}/rest/v1/queryCustomer",
        "timeout_ms": 2000,
        "allow_private": True,
        "tenant_ids": [t.tenant_id for t in tenants],
        **fields,
    }
    response = ops.post(OPS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def new_page(client, **fields) -> dict:
    response = client.post(PAGES, json={"name": "客户信息", **fields})
    assert response.status_code == 201, response.text
    return response.json()


TABLES = "/api/config/base-tables"
TABLE_FIELDS = [
    {"name": "手机号码", "index": True, "required": True, "type": "string", "length": 20},
    {"name": "姓名", "required": True, "type": "string", "length": 32},
    {
        "name": "证件号码",
        "encrypted": True,
        "type": "string",
        "length": 18,
        "mask": True,
        "mask_style": "last4",
    },
    {
        "name": "等级",
        "type": "dictionary",
        "items": [{"key": "1", "value": "金卡"}, {"key": "2", "value": "银卡"}],
    },
    {"name": "备注", "type": "string", "length": 100},
]
TABLE_CSV = (
    "手机号码,姓名,证件号码,等级,备注\n"
    "13800000001,张三,110101199003078888,1,老客户\n"
    "13800000002,李四,220101199003071234,2,\n"
)


def base_table(client, name="客户表", *, publish=True, fields=TABLE_FIELDS, rows=None) -> dict:
    """A base table of the tenant (published, with rows when `rows` is given as CSV text)."""
    response = client.post(TABLES, json={"name": name, "fields": fields})
    assert response.status_code == 201, response.text
    table = response.json()
    if publish:
        response = client.post(f"{TABLES}/{table['id']}/publish")
        assert response.status_code == 200, response.text
    if rows is not None:
        upload = {"file": ("客户表.csv", rows.encode("utf-8"), "text/csv")}
        response = client.post(f"{TABLES}/{table['id']}/imports", files=upload)
        assert response.status_code == 202, response.text
        job = response.json()
        deadline = time.monotonic() + 20
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            job = client.get(f"{TABLES}/{table['id']}/imports/{job['id']}").json()
        assert job["status"] == "done" and job["imported_rows"] > 0, job
    return table


def objects(table: dict, count: int) -> list[dict]:
    return [
        {"name": f"对象{i}", "table_id": table["id"], "fields": ["姓名", "手机号码"]}
        for i in range(count)
    ]


def preview(client, page_id: int, caller: str = CALLER) -> dict:
    response = client.post(f"{PAGES}/{page_id}/preview", json={"caller": caller})
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- rules


def test_create_with_defaults_and_list(acme):
    page = new_page(acme)
    assert page["layout"] == "block" and page["columns"] == 2
    assert page["interface_type"] is None and page["objects"] == []
    assert page["published"] is False and page["published_at"] is None
    listed = acme.get(PAGES).json()
    assert listed["total"] == 1 and listed["limit"] == 5
    assert listed["items"][0]["id"] == page["id"]


def test_name_rules(acme):
    assert new_page(acme, name="页" * 256)["name"] == "页" * 256
    refused(acme.post(PAGES, json={"name": "页" * 257}), "name", "string_too_long")
    refused(acme.post(PAGES, json={"name": "   "}), "name", "string_too_short")
    new_page(acme, name="客户信息")
    message = refused(acme.post(PAGES, json={"name": "客户信息"}), "name", "unique")
    assert "客户信息" in message
    other = new_page(acme, name="其他")
    refused(acme.put(f"{PAGES}/{other['id']}", json={"name": "客户信息"}), "name", "unique")


def test_layout_and_columns(acme):
    for columns in (2, 3, 4):
        page = new_page(acme, name=f"p{columns}", layout="tile", columns=columns)
        assert (page["layout"], page["columns"]) == ("tile", columns)
    refused(acme.post(PAGES, json={"name": "x", "columns": 1}), "columns", "greater_than_equal")
    refused(acme.post(PAGES, json={"name": "x", "columns": 5}), "columns", "less_than_equal")
    refused(acme.post(PAGES, json={"name": "x", "layout": "grid"}), "layout", "literal_error")


def test_at_most_five_pages(acme, globex):
    for i in range(5):
        new_page(acme, name=f"page {i}")
    response = acme.post(PAGES, json={"name": "page 5"})
    assert "5 custom pages" in refused(response, "name", "limit")
    new_page(globex, name="page 5")  # the limit is per tenant
    first = acme.get(PAGES).json()["items"][0]
    assert acme.delete(f"{PAGES}/{first['id']}").status_code == 204
    new_page(acme, name="page 5")


def test_internal_objects(acme):
    table = base_table(acme)
    page = new_page(acme, interface_type="internal", objects=objects(table, 5))
    assert [o["name"] for o in page["objects"]] == [f"对象{i}" for i in range(5)]
    assert page["objects"][0] == {
        "name": "对象0",
        "table_id": table["id"],
        "fields": ["姓名", "手机号码"],
    }
    assert page["interface_id"] is None

    def create(objects_):
        return acme.post(
            PAGES, json={"name": "x", "interface_type": "internal", "objects": objects_}
        )

    assert "at most 5 objects" in refused(create(objects(table, 6)), "objects", "limit")
    refused(create([]), "objects", "required")
    twice = objects(table, 2)
    twice[1]["name"] = twice[0]["name"]
    refused(create(twice), "objects.1.name", "unique")
    refused(
        create([{"name": "o", "table_id": table["id"], "fields": []}]),
        "objects.0.fields",
        "too_short",
    )
    refused(
        create([{"name": "o", "table_id": table["id"], "fields": ["姓名", "姓名"]}]),
        "objects.0.fields",
        "duplicate",
    )
    # Objects belong to the internal interface only: switching away drops them.
    switched = acme.put(f"{PAGES}/{page['id']}", json={"name": page["name"]}).json()
    assert switched["objects"] == [] and switched["interface_type"] is None


def test_internal_objects_need_published_base_tables_with_the_fields(acme, globex):
    draft = base_table(acme, "草稿表", publish=False)
    no_index = base_table(
        acme, "无索引表", fields=[{"name": "姓名", "type": "string", "length": 8}]
    )
    theirs = base_table(globex)
    table = base_table(acme)

    def create(table_id, fields=("姓名",)):
        body = {
            "name": "x",
            "interface_type": "internal",
            "objects": [{"name": "o", "table_id": table_id, "fields": list(fields)}],
        }
        return acme.post(PAGES, json=body)

    assert "not published" in refused(create(draft["id"]), "objects.0.table_id", "not_published")
    assert "no index field" in refused(create(no_index["id"]), "objects.0.table_id", "no_index")
    refused(create(theirs["id"]), "objects.0.table_id", "not_found")
    refused(create(999999), "objects.0.table_id", "not_found")
    message = refused(
        create(table["id"], ["姓名", "年龄", "地址"]), "objects.0.fields", "not_found"
    )
    assert message == "base table 客户表 has no field 年龄, 地址"
    assert create(table["id"]).status_code == 201


def test_external_interface_must_be_mapped_to_the_tenant(ops, acme, globex, examples):
    mine = interface(ops, examples, [acme])
    theirs = interface(ops, examples, [globex], name="别人的接口")
    ignored = [{"name": "o", "table_id": 999999, "fields": ["x"]}]
    page = new_page(acme, interface_type="external", interface_id=mine["id"], objects=ignored)
    assert page["interface_id"] == mine["id"] and page["interface_name"] == "客户查询"
    assert page["objects"] == []  # objects are for the internal interface only
    body = {"name": "x", "interface_type": "external", "interface_id": theirs["id"]}
    message = refused(acme.post(PAGES, json=body), "interface_id", "not_found")
    assert "not available to this tenant" in message
    refused(acme.post(PAGES, json={**body, "interface_id": None}), "interface_id", "required")


def test_publish(ops, acme, examples):
    mapped = interface(ops, examples, [acme])
    page = new_page(acme)
    refused(acme.post(f"{PAGES}/{page['id']}/publish"), "interface_type", "required")
    body = {"name": "客户信息", "interface_type": "external", "interface_id": mapped["id"]}
    assert acme.put(f"{PAGES}/{page['id']}", json=body).status_code == 200
    published = acme.post(f"{PAGES}/{page['id']}/publish").json()
    assert published["published"] is True and published["published_at"]

    # Editing a published page keeps it published (the next call shows the new version)...
    edited = acme.put(f"{PAGES}/{page['id']}", json={**body, "layout": "tile", "columns": 3})
    assert edited.status_code == 200
    assert edited.json()["published"] is True and edited.json()["columns"] == 3
    # ...but cannot leave it without an interface.
    refused(
        acme.put(f"{PAGES}/{page['id']}", json={"name": "客户信息"}), "interface_type", "required"
    )

    unpublished = acme.post(f"{PAGES}/{page['id']}/unpublish").json()
    assert unpublished["published"] is False and unpublished["published_at"] is None


def test_an_interface_used_by_a_page_cannot_be_deleted(ops, acme, examples):
    mapped = interface(ops, examples, [acme])
    new_page(acme, interface_type="external", interface_id=mapped["id"])
    response = ops.delete(f"{OPS}/{mapped['id']}")
    assert response.status_code == 409
    assert (
        response.json()["detail"] == "interface 客户查询 is used by custom pages: acme / 客户信息"
    )


# ---------------------------------------------------------------- preview and rendering


def test_preview_with_the_external_interface(ops, acme, examples):
    mapped = interface(ops, examples, [acme])
    page = new_page(
        acme, interface_type="external", interface_id=mapped["id"], layout="tile", columns=3
    )
    shown = preview(acme, page["id"])
    assert shown["error"] is None
    assert (shown["name"], shown["layout"], shown["columns"]) == ("客户信息", "tile", 3)
    assert [o["name"] for o in shown["objects"]] == ["客户信息", "账户信息"]
    fields = {f["label"]: f for o in shown["objects"] for f in o["fields"]}
    assert fields["手机号码"]["display"] == "*******0001"
    assert fields["付费方式"]["display"] == "预付费"
    assert fields["姓名"]["mandatory"] is True

    failed = preview(acme, page["id"], "error")
    assert failed["objects"] == []
    assert failed["error"] == (
        'the interface answered HTTP 400: {"errorCode":"400-001","errorMsg":"customer query '
        'failed: no such customer"}'
    )


def test_preview_after_the_interface_is_unmapped(ops, acme, examples):
    mapped = interface(ops, examples, [acme])
    page = new_page(acme, interface_type="external", interface_id=mapped["id"])
    ops.put(f"{OPS}/{mapped['id']}/tenants", json={"tenant_ids": []})
    shown = preview(acme, page["id"])
    assert shown["error"] == "the page's interface is no longer available to this tenant"


def test_preview_with_the_internal_interface(acme):
    table = base_table(acme, rows=TABLE_CSV)
    other = base_table(acme, "空表")
    chosen = [
        {
            "name": "客户资料",
            "table_id": table["id"],
            "fields": ["姓名", "证件号码", "等级", "备注"],
        },
        {"name": "其他", "table_id": other["id"], "fields": ["姓名"]},
    ]
    page = new_page(acme, interface_type="internal", objects=chosen, layout="tile", columns=3)
    shown = preview(acme, page["id"])
    assert shown["error"] is None and shown["interface_type"] == "internal"
    assert [o["name"] for o in shown["objects"]] == ["客户资料"]  # no row in 空表
    fields = {f["label"]: f for f in shown["objects"][0]["fields"]}
    assert list(fields) == ["姓名", "证件号码", "等级", "备注"]
    assert fields["姓名"]["display"] == "张三" and fields["姓名"]["mandatory"] is True
    assert fields["证件号码"]["display"].endswith("8888") and fields["证件号码"]["masked"]
    assert "110101" not in fields["证件号码"]["display"]
    assert fields["等级"] == {
        "label": "等级",
        "display": "金卡",
        "mandatory": False,
        "type": "dictionary",
        "masked": False,
    }
    assert preview(acme, page["id"], "13800000002")["objects"][0]["fields"][2]["display"] == "银卡"
    assert preview(acme, page["id"], "13900000000")["objects"] == []


def test_preview_html(ops, acme, examples):
    mapped = interface(ops, examples, [acme])
    page = new_page(
        acme, name="客户<页面>", interface_type="external", interface_id=mapped["id"], columns=4
    )
    url = f"/config/custom-pages/{page['id']}/preview"
    empty = acme.get(url, headers={"Accept": "text/html"})
    assert empty.status_code == 200
    assert 'id="page-empty"' in empty.text and 'name="caller"' in empty.text
    assert "客户&lt;页面&gt;" in empty.text and "客户<页面>" not in empty.text

    html = acme.get(url, params={"caller": CALLER}).text
    assert 'data-layout="block"' in html and 'data-columns="4"' in html
    assert 'class="fields grid" data-per-row="4"' in html
    values = dict(
        (unescape(label), unescape(value))
        for label, value in re.findall(
            r'<div class="field" data-label="([^"]*)"[^>]*>\s*<dt>.*?</dt>\s*<dd>([^<]*)</dd>',
            html,
            re.S,
        )
    )
    assert values["手机号码"] == "*******0001"
    assert values["付费方式"] == "预付费"
    assert re.search(r'data-label="姓名"[^>]*data-mandatory>\s*<dt>姓名<span class="req"', html)
    assert 'data-label="开户日期" data-type="date">' in html  # optional: no star

    failed = acme.get(url, params={"caller": "error"}).text
    assert 'id="page-error"' in failed and 'role="alert"' in failed
    assert "customer query failed: no such customer" in unescape(failed)


def test_render_for_a_pop_needs_a_published_page(server, ops, acme, examples):
    """render_custom_page, as the pop path calls it."""
    mapped = interface(ops, examples, [acme])
    page = new_page(acme, interface_type="external", interface_id=mapped["id"])

    async def render(tenant_id, page_id, **kwargs):
        db = Database(server.settings.database_url)
        try:
            async with db.reader() as session:
                return await render_custom_page(
                    session, tenant_id, page_id, CALLER, settings=server.settings, **kwargs
                )
        finally:
            await db.dispose()

    draft = asyncio.run(render(acme.tenant_id, page["id"]))
    assert draft["error"] == "custom page 客户信息 is not published"
    acme.post(f"{PAGES}/{page['id']}/publish")
    shown = asyncio.run(render(acme.tenant_id, page["id"]))
    assert "error" not in shown
    assert shown["page_id"] == page["id"] and shown["layout"] == "block"
    assert shown["objects"][0]["fields"][1]["display"] == "*******0001"
    assert asyncio.run(render(acme.tenant_id, 999999))["error"] == "custom page 999999 not found"
    other = seed.tenant_with_admin(server.settings.database_url, "initech")
    assert "not found" in asyncio.run(render(other["tenant_id"], page["id"]))["error"]


# ---------------------------------------------------------------- tenant isolation


def test_another_tenants_pages_are_out_of_reach(ops, acme, globex, examples):
    mapped = interface(ops, examples, [acme, globex])
    page = new_page(acme, interface_type="external", interface_id=mapped["id"])
    url = f"{PAGES}/{page['id']}"
    assert globex.get(PAGES).json()["total"] == 0
    assert globex.get(url).status_code == 404
    assert globex.put(url, json={"name": "x"}).status_code == 404
    assert globex.post(f"{url}/publish").status_code == 404
    assert globex.post(f"{url}/preview", json={"caller": CALLER}).status_code == 404
    assert globex.get(f"/config/custom-pages/{page['id']}/preview").status_code == 404
    assert globex.delete(url).status_code == 404
    assert acme.get(url).status_code == 200
    assert ops.get(PAGES).status_code == 403
