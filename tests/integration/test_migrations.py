"""The migrations build exactly the schema the models describe, on both databases."""

import asyncio
import base64
import hmac
import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from agentdesk.config_center.basetables.rowcodec import RowCodec
from agentdesk.config_center.basetables.service import rows_for_caller
from agentdesk.config_center.interfaces.sealing import seal
from agentdesk.kit.crypto import data_keyring
from agentdesk.migrations.migrate import alembic_config, upgrade
from agentdesk.models import metadata
from agentdesk.storage.database import Database
from tests.support import databases
from tests.support.server import TEST_SECRET_KEY


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def _diff(url: str) -> list:
    async def run():
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )
        await engine.dispose()
        return diff

    return asyncio.run(run())


def test_sqlite_schema_matches_models(sqlite_url):
    assert _diff(sqlite_url) == []


def test_postgresql_schema_matches_models(pg_url):
    assert _diff(pg_url) == []


# ---- 0003: blind indexes per tenant and table, row counts, interface headers ---------------

FIELDS = [
    {"key": "f1", "name": "手机号", "index": True, "encrypted": True, "required": True,
     "type": "string", "length": 20, "mask": False, "mask_style": None, "items": None,
     "slot": 0},
    {"key": "f2", "name": "姓名", "index": False, "encrypted": False, "required": False,
     "type": "string", "length": 20, "mask": False, "mask_style": None, "items": None,
     "slot": 0},
]  # fmt: skip
PHONE = "13800000001"


def _legacy_index(keys, value: str) -> str:
    """The blind index as revision 0001's code wrote it: one key for every table."""
    digest = hmac.digest(keys._blind_key, value.encode(), "sha256")[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def _seed_0001(url: str, keys) -> list[tuple[int, int]]:
    """Two tenants, each with a blind-indexed table holding the same phone (row_count left
    at 0, as the demo seeding left it) and an interface header sealed the old way."""
    engine = create_async_engine(url)
    made = []
    async with engine.begin() as conn:
        for n in (1, 2):
            await conn.execute(
                text(
                    "INSERT INTO tenants (id, code, name, licence_audio, licence_video,"
                    " licence_multimedia, licence_allround, licence_intelligent)"
                    " VALUES (:id, :code, :code, 1, 1, 1, 1, 1)"
                ),
                {"id": n, "code": f"t{n}"},
            )
            await conn.execute(
                text(
                    "INSERT INTO base_tables (id, tenant_id, name, description, status, fields,"
                    " index_mode, next_field_no, version, row_count)"
                    " VALUES (:id, :t, 'c', '', 'published', :fields, 'blind', 3, 2, 0)"
                ),
                {"id": 10 + n, "t": n, "fields": json.dumps(FIELDS)},
            )
            codec = RowCodec(FIELDS, keys, n, 10 + n)
            _, plain, secret = codec.encode([(PHONE,), (f"客户{n}",)], None)
            await conn.execute(
                text(
                    "INSERT INTO base_table_rows (tenant_id, table_id, index_key, plain, secret)"
                    " VALUES (:t, :b, :k, :p, :s)"
                ),
                {"t": n, "b": 10 + n, "k": _legacy_index(keys, PHONE), "p": plain[0],
                 "s": secret[0]},
            )  # fmt: skip
            made.append((n, 10 + n))
        await conn.execute(
            text(
                "INSERT INTO external_interfaces (name, description, url, timeout_ms,"
                " auth_header_name, auth_header_sealed, allow_private)"
                " VALUES ('crm', '', 'https://crm.example.com/q', 3000, 'Authorization', :s,"
                " false)"
            ),
            {"s": seal("Bearer s3cret", TEST_SECRET_KEY)},
        )
    await engine.dispose()
    return made


async def _stored(url: str) -> tuple[list, list, list]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        keys = (await conn.execute(text("SELECT tenant_id, index_key FROM base_table_rows"))).all()
        counts = (await conn.execute(text("SELECT row_count FROM base_tables"))).scalars().all()
        headers = (
            (await conn.execute(text("SELECT auth_header_sealed FROM external_interfaces")))
            .scalars()
            .all()
        )
    await engine.dispose()
    return sorted(keys), list(counts), list(headers)


def _lookup(url: str, keys, tenant_id: int, table_id: int) -> list:
    async def run():
        db = Database(url)
        try:
            async with db.reader() as session:
                return await rows_for_caller(session, tenant_id, table_id, PHONE, None, keys=keys)
        finally:
            await db.dispose()

    return asyncio.run(run())


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """An empty database (no revision applied yet)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    base = databases.service_url("AGENTDESK_TEST_PG_URL")
    url = databases.create_pg_database(base)
    yield url
    databases.drop_pg_database(base, url)


def test_0003_reindexes_blind_indexes_per_tenant_and_table(fresh_url, monkeypatch):
    """Regression (issue 8, item 9): the same phone had the same blind index in two tenants.
    The migration reads the keys as the app does (here AGENTDESK_SECRET_KEY)."""
    monkeypatch.setenv("AGENTDESK_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.delenv("AGENTDESK_DATA_KEYS", raising=False)
    monkeypatch.delenv("AGENTDESK_BLIND_INDEX_KEY", raising=False)
    keys = data_keyring(TEST_SECRET_KEY, {})
    upgrade(fresh_url, "0001")
    made = asyncio.run(_seed_0001(fresh_url, keys))
    upgrade(fresh_url, "head")
    index_keys, counts, headers = asyncio.run(_stored(fresh_url))
    assert index_keys == sorted(
        (t, keys.blind_index(PHONE, scope=f"base-table:{t}:{b}")) for t, b in made
    )
    assert len({k for _, k in index_keys}) == 2  # no longer the same in both tenants
    assert counts == [1, 1]  # row_count carried over from the rows
    for tenant_id, table_id in made:
        found = _lookup(fresh_url, keys, tenant_id, table_id)
        assert [r["姓名"] for r in found] == [f"客户{tenant_id}"]
    assert headers[0].startswith("e1.")  # re-sealed under the key ring, so it rotates
    assert keys.decrypt_text(headers[0], b"external_interfaces.auth_header") == "Bearer s3cret"
    downgrade(fresh_url, "0001")  # and back
    index_keys, _, headers = asyncio.run(_stored(fresh_url))
    assert {k for _, k in index_keys} == {_legacy_index(keys, PHONE)}
    assert headers[0].startswith("v1.")


def test_0003_on_a_database_without_rows_needs_no_keys(fresh_url, monkeypatch):
    monkeypatch.setenv("AGENTDESK_DATA_DIR", "/nonexistent/agentdesk-no-keys")
    monkeypatch.delenv("AGENTDESK_SECRET_KEY", raising=False)
    upgrade(fresh_url, "head")
    assert _diff(fresh_url) == []
