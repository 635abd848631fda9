"""Customer import (issue 5): a generated CSV through the import job (the same code a worker runs: validation,
duplicate look-ups, set-based batches, events, audit, progress, on a pool of connections as `infra.jobs` gives
it) against PostgreSQL COPY of the same rows. Rows: `BENCH_IMPORT_ROWS` (100,000, the size of the issue's goal).

The job runs in a child process, so its database engine points at this benchmark's own database."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import time
import uuid

import asyncpg

from bench.harness import ROOT, Result, bench_database

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))  # the goal is for 100,000 (about a minute)
GOAL = 5.0


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "phone", "lifecycle_stage"])
    writer.writerows([f"Khách hàng Nguyễn Văn {n}", f"kh{n}@example.vn", f"09{n:08d}", "lead"] for n in range(rows))
    return out.getvalue().encode("utf-8-sig")


async def _child(rows: int) -> None:
    """Upload and run one import as the job does; print its seconds and result as JSON."""
    from infra.storage import tenant_storage
    from services.contacts.jobs import run_import
    from services.contacts.schemas import ImportOptions
    from services.contacts.service.imports import start_import
    from tenants.access import PERMISSIONS, Access
    from tenants.context import engine, tenant_transaction

    tenant_storage().ensure_bucket()
    tenant_id = uuid.uuid4()
    body = _csv(rows)
    access = Access(user_id=None, role="owner", permissions=frozenset(PERMISSIONS), visibility="all")
    async with tenant_transaction(tenant_id):
        started = await start_import(access, io.BytesIO(body), "bench.csv", "text/csv", len(body), ImportOptions())
    t0 = time.perf_counter()
    # As `infra.jobs` runs a job: a pool of one or two connections for its batches' transactions (without it,
    # each batch would open and authenticate a connection of its own and prepare every statement again).
    db = engine()
    await db.start_connection_pool(min_size=1, max_size=2)
    try:
        async with tenant_transaction(tenant_id):
            status = await run_import(str(started.id))
    finally:
        await db.close_connection_pool()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "status": status, "tenant_id": str(tenant_id)}))


async def _copy_seconds(admin_url: str, rows: int) -> float:
    """COPY of the same rows into `customer` (codes and folded names given), the floor for any import."""
    tenant_id = uuid.uuid4()
    records = [(tenant_id, f"KC{n:07d}", f"Khách hàng Nguyễn Văn {n}", f"khach hang nguyen van {n}",
                f"kh{n}@example.vn", f"+849{n:08d}", "lead") for n in range(rows)]
    admin = await asyncpg.connect(admin_url)
    try:
        t0 = time.perf_counter()
        await admin.copy_records_to_table(
            "customer", records=records,
            columns=["tenant_id", "code", "name", "name_folded", "email", "phone", "lifecycle_stage"])
        return time.perf_counter() - t0
    finally:
        await admin.close()


async def run() -> list[Result]:
    async with bench_database("crm_bench_import") as db:
        from infra.stack import Stack

        state = Stack(ROOT / ".crm-data").read_state()
        env = {**db.env, "CRM_S3_ENDPOINT": state["s3"]["settings"]["s3_endpoint"], "CRM_S3_BUCKET": "crm-bench",
               "CRM_REDIS_URL": state["redis"]["settings"]["redis_url"].rsplit("/", 1)[0] + "/3"}
        child = subprocess.run([sys.executable, "-m", "bench.contacts_import", str(ROWS)], env=env, cwd=ROOT,
                               capture_output=True, text=True, check=True)
        result = json.loads(child.stdout.strip().splitlines()[-1])
        copy = await _copy_seconds(db.admin_url, ROWS)
        admin = await asyncpg.connect(db.admin_url)
        try:
            imported = await admin.fetchval("SELECT count(*) FROM customer WHERE tenant_id = $1",
                                            uuid.UUID(result["tenant_id"]))
        finally:
            await admin.close()
    assert (result["status"], imported) == ("done", ROWS), (result, imported)
    ratio = result["seconds"] / copy
    return [Result(f"Customer import job vs COPY ({ROWS:,} CSV rows)", ratio, "x", f"<= {GOAL:.1f}",
                   ratio <= GOAL, f"import job {result['seconds']:.2f} s ({ROWS / result['seconds']:,.0f} rows/s), "
                   f"COPY {copy:.2f} s; batches of 1,000, events and audit included")]


if __name__ == "__main__":
    if len(sys.argv) > 1:
        asyncio.run(_child(int(sys.argv[1])))
    else:
        from bench.harness import print_table

        print_table(asyncio.run(run()))
