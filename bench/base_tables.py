"""Base tables: CSV import from upload to "done", its floor, and the pop-time caller lookup.

Starts a real agentdesk server (its own data folder; SQLite by default, or the PostgreSQL
database you pass, created when missing and emptied first), creates a tenant and a published
table of 31 fields — a plain index field (the caller number), 20 encrypted fields and 10
plain ones of every type, Chinese text included — and prints:

  * import   a ~20 MB CSV (~120,000 rows) uploaded through the API, polled until "done";
             the server's peak resident memory during the import (VmHWM, reset just before);
  * floor    from the same run, the same file parsed with csv.reader and written by one
             executemany (SQLite) or one COPY through asyncpg (PostgreSQL) into a bare
             31-column text table: no validation, no encryption, no index; and the ratio
             floor / import (goal: ≥ 25 % on SQLite, ≥ 50 % on PostgreSQL);
  * lookup   p50/p99 of `rows_for_caller` — the function the pop path calls — on a table of
             1,000,000 rows (filled by the same import API), by a plain and by an encrypted
             index field, each lookup in its own session as the pop path opens it.

Examples:
  .venv/bin/python bench/base_tables.py
  .venv/bin/python bench/base_tables.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/bench_tables
  .venv/bin/python bench/base_tables.py --lookup-rows 0        # the import figures only
"""

import argparse
import asyncio
import csv
import io
import os
import random
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from benchkit import agentdesk_command, percentile, reset_postgresql

import agentdesk.models  # noqa: F401  (every table, so foreign keys across domains resolve)
from agentdesk.auth.service import create_api_token, create_user
from agentdesk.config_center.basetables.service import data_keys, rows_for_caller
from agentdesk.storage.database import Database
from agentdesk.tenancy.models import Tenant

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京"]
LEVELS = [
    {"key": "1", "value": "普通"},
    {"key": "2", "value": "银卡"},
    {"key": "3", "value": "金卡"},
]


# ---------------------------------------------------------------------------- the data


def table_fields(encrypted_index: bool) -> list[dict]:
    """1 index + 20 encrypted + 10 plain fields (the limits allow 1 + 30 + 20)."""
    s = {"type": "string"}
    fields = [{"name": "手机号", "index": True, "encrypted": encrypted_index, **s, "length": 20}]
    encrypted = 19 if encrypted_index else 20
    fields += [
        {
            "name": "姓名",
            "encrypted": True,
            **s,
            "length": 20,
            "mask": True,
            "mask_style": "first4",
        },
        {
            "name": "证件号",
            "encrypted": True,
            **s,
            "length": 18,
            "mask": True,
            "mask_style": "last4",
        },
        {"name": "地址", "encrypted": True, **s, "length": 64},
    ]
    fields += [
        {"name": f"密{i}", "encrypted": True, **s, "length": 16} for i in range(1, encrypted - 2)
    ]
    fields += [
        {"name": "城市", **s, "length": 16},
        {"name": "积分", "type": "number", "length": 10},
        {"name": "开户日期", "type": "date"},
        {"name": "来电时间", "type": "time"},
        {"name": "级别", "type": "dictionary", "items": LEVELS},
        {"name": "备注", **s, "length": 64},
        {"name": "余额", "type": "number", "length": 12, "mask": True, "mask_style": "last4"},
        {"name": "渠道", **s, "length": 16},
        {"name": "区域", **s, "length": 16},
        {"name": "标记", **s, "length": 8},
    ]
    return fields


def phone(n: int) -> str:
    return f"1{3 + n % 7}{n:09d}"


def csv_bytes(fields: list[dict], start: int, rows: int, seed: int = 7) -> bytes:
    """UTF-8 CSV with a BOM: header + `rows` rows, caller numbers phone(start…)."""
    rnd = random.Random(seed + start)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([f["name"] for f in fields])
    secret_fillers = len([f for f in fields if f["name"].startswith("密")])
    for n in range(start, start + rows):
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        city = rnd.choice(CITIES)
        row = [phone(n), name, f"{rnd.randrange(10**17, 10**18)}", f"{city}{n % 99}号"]
        row += [f"{rnd.randrange(10, 100)}" for _ in range(secret_fillers)]
        row += [
            city,
            str(rnd.randrange(1000)),
            f"20{n % 25:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            f"{n % 24:02d}:{n % 60:02d}:00",
            rnd.choice("123"),
            f"备注{n % 97}",
            f"{rnd.randrange(10**5)}.{n % 10}",
            rnd.choice(("电话", "网页", "微信")),
            city,
            "是",
        ]
        writer.writerow(row)
    return out.getvalue().encode()


# ---------------------------------------------------------------------------- setup


async def seed(url: str) -> tuple[int, str]:
    db = Database(url)
    async with db.transaction() as session:
        tenant = Tenant(
            code="bench",
            name="Bench",
            licence_audio=1,
            licence_video=0,
            licence_multimedia=0,
            licence_allround=0,
            licence_intelligent=0,
        )
        session.add(tenant)
        await session.flush()
        user = await create_user(
            session,
            username="admin@bench",
            password=secrets.token_urlsafe(12),
            role="tenant_admin",
            tenant_id=tenant.id,
        )
        token = await create_api_token(session, user, "bench")
    await db.dispose()
    return tenant.id, token


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [agentdesk_command(), "serve"], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/auth/csrf", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def memory_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def reset_peak(pid: int) -> None:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


# ---------------------------------------------------------------------------- measuring


def create_table(client: httpx.Client, name: str, encrypted_index: bool) -> int:
    response = client.post(
        "/api/config/base-tables", json={"name": name, "fields": table_fields(encrypted_index)}
    )
    response.raise_for_status()
    table_id = response.json()["id"]
    client.post(f"/api/config/base-tables/{table_id}/publish").raise_for_status()
    return table_id


def import_file(client: httpx.Client, table_id: int, data: bytes, name: str) -> tuple[float, dict]:
    """Upload, then poll every 25 ms until the job finishes; seconds from upload to done."""
    started = time.perf_counter()
    response = client.post(
        f"/api/config/base-tables/{table_id}/imports", files={"file": (name, data, "text/csv")}
    )
    response.raise_for_status()
    job_id = response.json()["id"]
    while True:
        job = client.get(f"/api/config/base-tables/{table_id}/imports/{job_id}").json()
        if job["status"] in ("done", "failed"):
            elapsed = time.perf_counter() - started
            if job["status"] != "done":
                raise SystemExit(f"import failed: {job['error']} {job['rejected'][:5]}")
            return elapsed, job
        time.sleep(0.025)


def wait_for(client: httpx.Client, table_id: int, job_id: int) -> dict:
    while True:
        job = client.get(f"/api/config/base-tables/{table_id}/imports/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)


def sqlite_floor(data: bytes, folder: Path, width: int) -> float:
    path = folder / "floor.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f"c{i} TEXT" for i in range(width))
    connection.execute(f"CREATE TABLE floor ({columns})")
    started = time.perf_counter()
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))
    next(reader)
    marks = ", ".join("?" * width)
    connection.executemany(f"INSERT INTO floor VALUES ({marks})", reader)  # noqa: S608
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


async def postgresql_floor(url: str, data: bytes, width: int) -> float:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = ", ".join(f"c{i} text" for i in range(width))
        await connection.execute(
            f"DROP TABLE IF EXISTS bench_floor; CREATE TABLE bench_floor ({columns})"
        )
        started = time.perf_counter()
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))
        next(reader)
        async with connection.transaction():
            await connection.copy_records_to_table("bench_floor", records=reader)
        elapsed = time.perf_counter() - started
        await connection.execute("DROP TABLE bench_floor")
        return elapsed
    finally:
        await connection.close()


def fill(
    client: httpx.Client, table_id: int, fields: list[dict], rows: int, per_file: int
) -> float:
    started = time.perf_counter()
    for start in range(0, rows, per_file):
        data = csv_bytes(fields, start, min(per_file, rows - start), seed=start)
        import_file(client, table_id, data, f"fill_{start}.csv")
    return time.perf_counter() - started


async def lookups(url: str, secret_key: str, tenant_id: int, table_id: int, rows: int, count: int):
    db = Database(url)
    keys = data_keys(secret_key, {})
    rnd = random.Random(11)
    callers = [phone(rnd.randrange(rows)) for _ in range(count)]
    callers += [phone(rows + n) for n in range(count // 10)]  # misses, as unknown callers
    rnd.shuffle(callers)
    async with db.reader() as session:  # warm the pool and the statement cache
        for caller in callers[:200]:
            await rows_for_caller(session, tenant_id, table_id, caller, None, keys=keys)
    own_session, found = [], 0
    for caller in callers:
        started = time.perf_counter()
        async with db.reader() as session:
            result = await rows_for_caller(session, tenant_id, table_id, caller, None, keys=keys)
        own_session.append(time.perf_counter() - started)
        found += bool(result)
    shared_session = []
    async with db.reader() as session:
        for caller in callers:
            started = time.perf_counter()
            await rows_for_caller(session, tenant_id, table_id, caller, None, keys=keys)
            shared_session.append(time.perf_counter() - started)
    await db.dispose()
    return own_session, shared_session, found, len(callers)


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="", help="default: a fresh SQLite file")
    parser.add_argument("--rows", type=int, default=120_000, help="rows of the import")
    parser.add_argument("--runs", type=int, default=3, help="imports timed (best and median)")
    parser.add_argument("--lookup-rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=5000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="agentdesk-bench-tables-"))
    database = args.database or f"sqlite+aiosqlite:///{folder}/bench.db"
    port = random.randrange(20000, 40000)
    secret_key = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "AGENTDESK_DATABASE_URL": database,
        "AGENTDESK_SECRET_KEY": secret_key,
        "AGENTDESK_SIM_TOKEN": secrets.token_urlsafe(16),
        "AGENTDESK_DATA_DIR": str(folder),
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    env.pop("AGENTDESK_DATA_KEYS", None)
    env.pop("AGENTDESK_BLIND_INDEX_KEY", None)
    is_pg = database.startswith("postgresql")
    if is_pg:
        asyncio.run(reset_postgresql(database))
    subprocess.run([agentdesk_command(), "migrate"], env=env, cwd=ROOT, check=True)
    tenant_id, token = asyncio.run(seed(database))
    server = start_server(env, port, folder / "server.log")
    backend = "PostgreSQL" if is_pg else "SQLite"
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        ) as client:
            run_import(args, client, server.pid, folder, database, backend)
            if args.lookup_rows:
                run_lookups(args, client, database, secret_key, tenant_id, backend)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log = (folder / "server.log").read_text()
        print(f"server log: {log.count('Traceback')} tracebacks")
        shutil.rmtree(folder, ignore_errors=True)


def run_import(args, client, pid: int, folder: Path, database: str, backend: str) -> None:
    fields = table_fields(encrypted_index=False)
    data = csv_bytes(fields, 0, args.rows)
    print(
        f"{backend}: import of {len(data) / 2**20:.1f} MB, {args.rows} rows × {len(fields)} "
        f"fields (1 index, 20 encrypted, 10 plain)"
    )
    table_id = create_table(client, "导入", encrypted_index=False)
    times, peaks = [], []
    for run in range(args.runs):
        rss_before = memory_kib(pid, "VmRSS")
        reset_peak(pid)
        elapsed, job = import_file(client, table_id, data, f"导入_{run}.csv")
        times.append(elapsed)
        peaks.append((memory_kib(pid, "VmHWM"), rss_before))
        print(
            f"  run {run + 1}: {elapsed:.2f} s, peak RSS {peaks[-1][0] / 1024:.0f} MB "
            f"(before {rss_before / 1024:.0f} MB)"
        )
        assert job["imported_rows"] == args.rows
        # Empty the table for the next run: replace its rows by one (another caller number),
        # confirming the row count it has now.
        current = client.get(f"/api/config/base-tables/{table_id}").json()["row_count"]
        reset = client.post(
            f"/api/config/base-tables/{table_id}/imports",
            files={"file": ("reset.csv", csv_bytes(fields, 10**8, 1), "text/csv")},
            data={"mode": "replace", "expected_rows": str(current)},
        )
        reset.raise_for_status()
        wait_for(client, table_id, reset.json()["id"])
    width = len(fields)
    floor = (
        asyncio.run(postgresql_floor(database, data, width))
        if database.startswith("postgresql")
        else sqlite_floor(data, folder, width)
    )
    best, median = min(times), statistics.median(times)
    peak, before = max(peaks)
    print(f"  import, upload → done: best {best:.2f} s, median {median:.2f} s of {len(times)}")
    print(
        f"  server peak RSS during an import: {peak / 1024:.0f} MB "
        f"(before: {before / 1024:.0f} MB, +{(peak - before) / 1024:.0f} MB)"
    )
    how = (
        "csv.reader + COPY (asyncpg)"
        if database.startswith("postgresql")
        else ("csv.reader + executemany")
    )
    print(f"  floor ({how}, no validation/encryption/index): {floor:.2f} s")
    print(f"  ratio floor / import: {floor / best:.0%} (best), {floor / median:.0%} (median)")


def run_lookups(args, client, database, secret_key, tenant_id, backend) -> None:
    for encrypted in (False, True):
        kind = "encrypted (blind index)" if encrypted else "plain"
        fields = table_fields(encrypted_index=encrypted)
        table_id = create_table(
            client, "查询密" if encrypted else "查询", encrypted_index=encrypted
        )
        seconds = fill(client, table_id, fields, args.lookup_rows, per_file=120_000)
        own, shared, found, total = asyncio.run(
            lookups(database, secret_key, tenant_id, table_id, args.lookup_rows, args.lookups)
        )
        print(
            f"{backend}: lookup by {kind} index on {args.lookup_rows:,} rows (filled through "
            f"the import API in {seconds:.0f} s), {total} callers, {found} known:"
        )
        for label, timings in (("own session each", own), ("in an open session", shared)):
            ms = [t * 1000 for t in timings]
            print(
                f"  {label:<20} p50={percentile(ms, 0.5):.3f} ms  "
                f"p99={percentile(ms, 0.99):.3f} ms  max={max(ms):.3f} ms"
            )


if __name__ == "__main__":
    main()
