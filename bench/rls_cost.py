"""The cost of row-level security (Foundation issue): the same indexed page query on a 1,000,000-row
tenant table, as the app role (RLS on, tenant set with BEGIN in one round trip) against the superuser
(RLS bypassed), in the same transaction shape. Median of per-run ratios of median latencies."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid

import asyncpg

from bench.harness import Result, bench_database
from tenants.context import begin_sql

ROWS = 1_000_000
TENANTS = 20
PAGE = 50
RUNS = 9
ITERATIONS = 400

PAGE_QUERY = (f"SELECT id, code, name, lifecycle_stage FROM customer "
              f"WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT {PAGE}")


async def _load(admin_url: str, tenants: list[uuid.UUID]) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(
            "INSERT INTO customer (id, tenant_id, code, name, name_folded) "
            "SELECT uuidv7(), ($1::uuid[])[1 + g % $2], 'KH' || lpad(g::text, 7, '0'), "
            "'Khách hàng ' || g, 'khach hang ' || g FROM generate_series(1, $3) AS g",
            tenants, len(tenants), ROWS)
        await admin.execute("VACUUM ANALYZE customer")
    finally:
        await admin.close()


async def _starts(admin_url: str, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    admin = await asyncpg.connect(admin_url)
    try:
        rows = await admin.fetch("SELECT id FROM customer WHERE tenant_id = $1 ORDER BY id", tenant_id)
    finally:
        await admin.close()
    ids = [row["id"] for row in rows]
    return random.sample(ids[: len(ids) - PAGE], ITERATIONS)


async def _time_app(connection: asyncpg.Connection, tenant_id: uuid.UUID, starts: list[uuid.UUID]) -> float:
    timings = []
    begin = begin_sql(tenant_id)
    for start in starts:
        t0 = time.perf_counter()
        await connection.execute(begin)
        rows = await connection.fetch(PAGE_QUERY, tenant_id, start)
        await connection.execute("COMMIT")
        timings.append(time.perf_counter() - t0)
        assert len(rows) == PAGE
    return statistics.median(timings)


async def _time_bypass(connection: asyncpg.Connection, tenant_id: uuid.UUID, starts: list[uuid.UUID]) -> float:
    timings = []
    for start in starts:
        t0 = time.perf_counter()
        await connection.execute("BEGIN")
        rows = await connection.fetch(PAGE_QUERY, tenant_id, start)
        await connection.execute("COMMIT")
        timings.append(time.perf_counter() - t0)
        assert len(rows) == PAGE
    return statistics.median(timings)


async def _query_only(connection: asyncpg.Connection, tenant_id: uuid.UUID, starts: list[uuid.UUID],
                      with_setting: bool) -> float:
    """The query alone inside an open transaction: isolates the policy from the round trips."""
    timings = []
    async with connection.transaction():
        if with_setting:
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        for start in starts:
            t0 = time.perf_counter()
            await connection.fetch(PAGE_QUERY, tenant_id, start)
            timings.append(time.perf_counter() - t0)
    return statistics.median(timings)


async def run() -> list[Result]:
    tenants = [uuid.uuid4() for _ in range(TENANTS)]
    async with bench_database("crm_bench_rls") as db:
        await _load(db.admin_url, tenants)
        tenant_id = tenants[3]
        starts = await _starts(db.admin_url, tenant_id)
        app = await asyncpg.connect(db.app_url)
        admin = await asyncpg.connect(db.admin_url)
        try:
            await _time_app(app, tenant_id, starts[:50])  # warm both plans and caches
            await _time_bypass(admin, tenant_id, starts[:50])
            ratios, query_ratios = [], []
            for _ in range(RUNS):
                random.shuffle(starts)
                ratios.append(await _time_app(app, tenant_id, starts) / await _time_bypass(admin, tenant_id, starts))
                query_ratios.append(await _query_only(app, tenant_id, starts, True)
                                    / await _query_only(admin, tenant_id, starts, False))
            visible = await app.fetchval("SELECT count(*) FROM customer")
        finally:
            await app.close()
            await admin.close()
    assert visible == 0  # outside a tenant transaction the app role sees nothing
    ratio, query_ratio = statistics.median(ratios), statistics.median(query_ratios)
    return [
        Result("RLS cost: request shape (BEGIN+tenant, page, COMMIT)", ratio, "x", "<= 1.10", ratio <= 1.10,
               f"app role vs superuser, {ROWS:,} rows, {TENANTS} tenants, page of {PAGE}, "
               f"median of {RUNS} runs x {ITERATIONS} queries; runs: {', '.join(f'{r:.3f}' for r in ratios)}"),
        Result("RLS cost: the page query alone (policy only)", query_ratio, "x", "<= 1.10", query_ratio <= 1.10),
    ]


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(run()))
