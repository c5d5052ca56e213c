"""Key rotation end to end (issue 8, item 11), on SQLite and PostgreSQL: `agentdesk keys
rotate` re-encrypts base-table rows (one transaction per table, resumable) and interface
auth headers (also those sealed before the key ring), after which the old key can go."""

import base64

import pytest
from sqlalchemy import select

from agentdesk.cli.main import main
from agentdesk.config_center.basetables import service as basetables
from agentdesk.config_center.basetables.models import BaseTable, BaseTableRow
from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.config_center.interfaces.models import ExternalInterface
from agentdesk.config_center.interfaces.sealing import seal
from agentdesk.kit.crypto import data_keyring
from tests.integration.test_base_tables import FIELDS, GOOD, admin, csv_file, imported, make_table
from tests.integration.test_base_tables import rows as browse
from tests.support import seed

OLD = base64.urlsafe_b64encode(b"o" * 32).decode()
NEW = base64.urlsafe_b64encode(b"n" * 32).decode()


def rotate_cli(server, monkeypatch, capsys) -> str:
    monkeypatch.setenv("AGENTDESK_DATABASE_URL", server.settings.database_url)
    monkeypatch.setenv("AGENTDESK_SECRET_KEY", server.settings.secret_key)
    monkeypatch.setenv("AGENTDESK_DATA_DIR", str(server.settings.data_dir))
    with pytest.raises(SystemExit) as exited:
        main(["keys", "rotate", "--batch", "1"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def use_keys(server, monkeypatch, keys: str) -> None:
    """The environment of a restarted server: the key list it builds its ring from."""
    monkeypatch.setenv("AGENTDESK_DATA_KEYS", keys)
    state = server.app.state
    state.keys = state.imports.keys = data_keyring(
        server.settings.secret_key, {"AGENTDESK_DATA_KEYS": keys}
    )


def envelope_keys(server) -> set[str]:
    ring = data_keyring(server.settings.secret_key, {"AGENTDESK_DATA_KEYS": f"k2:{NEW},k1:{OLD}"})

    async def stored(session):
        return list(await session.scalars(select(BaseTableRow.secret)))

    return {ring.key_id_of(e) for e in seed.run(server.settings.database_url, stored)}


def add_legacy_interface(server) -> int:
    """An interface whose auth header was sealed the old way (v1, before the key ring)."""

    async def add(session):
        row = ExternalInterface(
            name="crm",
            description="",
            url="https://crm.example.com/q",
            timeout_ms=3000,
            auth_header_name="Authorization",
            auth_header_sealed=seal("Bearer s3cret", server.settings.secret_key),
            allow_private=False,
        )
        session.add(row)
        await session.flush()
        return row.id

    return seed.run(server.settings.database_url, add)


def header_with(server, keys_text: str, interface_id: int) -> tuple[str, dict]:
    ring = data_keyring(server.settings.secret_key, {"AGENTDESK_DATA_KEYS": keys_text})

    async def spec(session):
        row = await session.get(ExternalInterface, interface_id)
        call = interfaces.call_spec(row, keys=ring, secret_key=server.settings.secret_key)
        return row.auth_header_sealed, call.headers

    return seed.run(server.settings.database_url, spec)


def test_rotate_end_to_end_then_the_old_key_is_removed(server, monkeypatch, capsys):
    use_keys(server, monkeypatch, f"k1:{OLD}")
    with admin(server) as client:
        first = make_table(client, name="客户")
        second = make_table(client, name="会员", fields=[dict(f) for f in FIELDS])
        for table in (first, second):
            assert imported(client, table["id"], csv_file(GOOD))["status"] == "done"
        before = [browse(client, t["id"])["items"] for t in (first, second)]
        found_before = browse(client, first["id"], q="13800000002")["items"]
        interface_id = add_legacy_interface(server)
        assert envelope_keys(server) == {"k1"}

        use_keys(server, monkeypatch, f"k2:{NEW},k1:{OLD}")  # 1. the new key first
        out = rotate_cli(server, monkeypatch, capsys)  # 2. rotate
        assert "active key: k2" in out
        assert f"[1/2] tenant {client.tenant_id}, base table {first['id']} (客户): 2 of 2" in out
        assert f"[2/2] tenant {client.tenant_id}, base table {second['id']} (会员): 2 of 2" in out
        assert "done: 4 row(s) and 1 header(s) now under key k2" in out
        assert envelope_keys(server) == {"k2"}
        assert "now under key k2" in rotate_cli(server, monkeypatch, capsys)
        assert "done: 0 row(s) and 0 header(s)" in rotate_cli(server, monkeypatch, capsys)

        use_keys(server, monkeypatch, f"k2:{NEW}")  # 3. the old key removed
        assert [browse(client, t["id"])["items"] for t in (first, second)] == before
        assert browse(client, first["id"], q="13800000002")["items"] == found_before
        sealed, headers = header_with(server, f"k2:{NEW}", interface_id)
        assert sealed.startswith("e1.") and headers == {"Authorization": "Bearer s3cret"}


def test_rotation_is_all_or_nothing_per_table_and_resumable(server, monkeypatch, capsys):
    use_keys(server, monkeypatch, f"k1:{OLD}")
    with admin(server) as client:
        first = make_table(client, name="客户")
        second = make_table(client, name="会员")
        for table in (first, second):
            imported(client, table["id"], csv_file(GOOD))
    use_keys(server, monkeypatch, f"k2:{NEW},k1:{OLD}")
    original = basetables.reencrypt_batch
    calls = []

    async def failing_in_the_second_table(session, table, keys, after_id, limit=1000):
        calls.append(table.id)
        if table.id == second["id"] and after_id > 0:  # after its first row was re-encrypted
            raise RuntimeError("worker killed")
        return await original(session, table, keys, after_id, limit)

    monkeypatch.setattr(basetables, "reencrypt_batch", failing_in_the_second_table)
    with pytest.raises(RuntimeError, match="worker killed"):
        rotate_cli(server, monkeypatch, capsys)
    assert second["id"] in calls

    async def keys_by_table(session):
        ring = data_keyring(
            server.settings.secret_key, {"AGENTDESK_DATA_KEYS": f"k2:{NEW},k1:{OLD}"}
        )
        stmt = select(BaseTableRow.table_id, BaseTableRow.secret)
        found: dict[int, set] = {}
        for table_id, secret in await session.execute(stmt):
            found.setdefault(table_id, set()).add(ring.key_id_of(secret))
        return found

    # the first table entirely, the second not at all (its transaction rolled back)
    assert seed.run(server.settings.database_url, keys_by_table) == {
        first["id"]: {"k2"},
        second["id"]: {"k1"},
    }
    monkeypatch.setattr(basetables, "reencrypt_batch", original)
    out = rotate_cli(server, monkeypatch, capsys)  # run again: it continues
    assert "0 of 2 row(s)" in out and "done: 2 row(s)" in out
    assert seed.run(server.settings.database_url, keys_by_table) == {
        first["id"]: {"k2"},
        second["id"]: {"k2"},
    }


def test_tables_are_rotated_by_their_rows_whatever_their_row_count(server, monkeypatch, capsys):
    """Regression (issue 8, item 11): rotation skipped tables whose row_count was 0 (the
    demo table held 3 rows with row_count 0), so dropping the old key lost them."""
    use_keys(server, monkeypatch, f"k1:{OLD}")
    with admin(server) as client:
        table = make_table(client)
        imported(client, table["id"], csv_file(GOOD))

    async def zero(session):
        (await session.get(BaseTable, table["id"])).row_count = 0

    seed.run(server.settings.database_url, zero)
    use_keys(server, monkeypatch, f"k2:{NEW},k1:{OLD}")
    assert "2 of 2 row(s) re-encrypted" in rotate_cli(server, monkeypatch, capsys)
    assert envelope_keys(server) == {"k2"}

    async def count(session):
        return (await session.get(BaseTable, table["id"])).row_count

    assert seed.run(server.settings.database_url, count) == 2  # and the count is fixed
