"""Revision 0007 (IVR flows, verification methods and records) on SQLite and PostgreSQL: it
adds its three tables to a database holding data, keeps every existing row, the tables work
with their constraints, and the downgrade removes exactly them."""

import asyncio

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.migrations.migrate import alembic_config, upgrade
from tests.support import databases

NEW_TABLES = {"ivr_flows", "verification_methods", "verification_records"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm7.db'}"
        return
    base = databases.service_url("AGENTDESK_TEST_PG_URL")
    url = databases.create_pg_database(base)
    yield url
    databases.drop_pg_database(base, url)


def run_sql(url: str, statements: list[str], fetch: str | None = None):
    async def go():
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                if url.startswith("sqlite"):
                    await conn.execute(text("PRAGMA foreign_keys=ON"))
                for statement in statements:
                    await conn.execute(text(statement))
                if fetch:
                    return (await conn.execute(text(fetch))).all()
                tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
                return tables
        finally:
            await engine.dispose()

    return asyncio.run(go())


TENANT = ("INSERT INTO tenants (code, name, licence_audio, licence_video, licence_multimedia, "
          "licence_allround, licence_intelligent, created_at, updated_at) VALUES "
          "('acme', 'Acme', 1, 1, 1, 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")  # fmt: skip


def test_0007_adds_its_tables_keeps_rows_and_downgrades(fresh_url):
    upgrade(fresh_url, "0003")
    tables = run_sql(fresh_url, [TENANT])
    assert not NEW_TABLES & tables
    upgrade(fresh_url, "0007")
    assert run_sql(fresh_url, [], fetch="SELECT code FROM tenants") == [("acme",)]
    tenant_id = run_sql(fresh_url, [], fetch="SELECT id FROM tenants")[0][0]
    flow = (f"INSERT INTO ivr_flows (tenant_id, name, description, draft, published_version, "
            f"created_at, updated_at) VALUES ({tenant_id}, 'f', '', '{{}}', 0, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")  # fmt: skip
    tables = run_sql(fresh_url, [flow])
    assert tables >= NEW_TABLES
    flow_id = run_sql(fresh_url, [], fetch="SELECT id FROM ivr_flows")[0][0]
    method = (f"INSERT INTO verification_methods (tenant_id, name, code, flow_id, enabled, "
              f"created_at, updated_at) VALUES ({tenant_id}, 'kahaoyanzheng', 'CARDVERIFY', "
              f"{flow_id}, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")  # fmt: skip
    run_sql(fresh_url, [method])
    with pytest.raises(IntegrityError):  # the code is unique in the tenant
        run_sql(fresh_url, [method.replace("'kahaoyanzheng'", "'other'")])
    with pytest.raises(IntegrityError):  # a flow in use cannot go
        run_sql(fresh_url, ["DELETE FROM ivr_flows"])
    record = (f"INSERT INTO verification_records (tenant_id, started_at, callid, caller, "
              "agent_work_no, method_name, method_code, result, return1, return2, return3, "
              f"duration_seconds, ended_reason) VALUES ({tenant_id}, CURRENT_TIMESTAMP, 'c-1', "
              "'138', '101', 'kahaoyanzheng', 'CARDVERIFY', '1', '', '', '', 3, 'completed')")  # fmt: skip
    run_sql(fresh_url, [record])

    command.downgrade(alembic_config(fresh_url), "0003")
    tables = run_sql(fresh_url, [])
    assert not NEW_TABLES & tables
    assert run_sql(fresh_url, [], fetch="SELECT code FROM tenants") == [("acme",)]
    upgrade(fresh_url, "head")
    assert run_sql(fresh_url, []) >= NEW_TABLES
