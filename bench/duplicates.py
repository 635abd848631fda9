"""The duplicate engine at size: 100,000 customers in one tenant (every one with a phone, an email and an address,
1 % sharing a phone with another). Reports what the `customer_key` trigger adds to a set-based INSERT (the
import's path), the median duplicate check of one new customer (the create path's query, as the app role under
row-level security), and the nightly scan of the tenant.

    .venv/bin/python -m bench.duplicates
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

import asyncpg

from bench.harness import Result, bench_database, print_table
from services.contacts.service.duplicates import _MATCH, _SCAN, RULES

CUSTOMERS = 100_000
CHECKS = 200
_INSERT = (
    "INSERT INTO customer (tenant_id, code, name, name_folded, phone, phones, emails, addresses) "
    "SELECT $1, $3 || g, 'Khách hàng ' || g, 'khach hang ' || g, p, "
    "jsonb_build_array(jsonb_build_object('value', p, 'primary', true)), "
    "jsonb_build_array(jsonb_build_object('value', 'kh' || g || '@example.vn', 'primary', true)), "
    "jsonb_build_array(jsonb_build_object('province_code', '01', 'primary', true)) "
    "FROM generate_series(1, $2) AS g, LATERAL (SELECT '+8491' || lpad((CASE WHEN g % 100 = 0 THEN g - 1 ELSE g END)"
    "::text, 7, '0') AS p) x")


def _sql(piccolo: str) -> str:
    """A Piccolo raw query's `{}` placeholders as asyncpg's $n."""
    parts = piccolo.split("{}")
    return "".join(part + (f"${index + 1}" if index < len(parts) - 1 else "") for index, part in enumerate(parts))


async def _run() -> list[Result]:
    async with bench_database("crm_bench_duplicates") as db:
        admin = await asyncpg.connect(db.admin_url)
        tenant = uuid.uuid4()
        await admin.execute("INSERT INTO tenant (id, name, slug, created_at, updated_at) "
                            "VALUES ($1, 'Bench', 'bench-dupes', now(), now())", tenant)
        await admin.execute("ALTER TABLE customer DISABLE TRIGGER customer_keys_insert")
        started = time.perf_counter()
        await admin.execute(_INSERT, tenant, CUSTOMERS, "A")
        bare = time.perf_counter() - started
        await admin.execute("DELETE FROM customer")
        await admin.execute("ALTER TABLE customer ENABLE TRIGGER customer_keys_insert")
        started = time.perf_counter()
        await admin.execute(_INSERT, tenant, CUSTOMERS, "B")
        with_keys = time.perf_counter() - started
        await admin.execute("VACUUM ANALYZE")
        await admin.close()

        app = await asyncpg.connect(db.app_url)
        timings = []
        for n in range(CHECKS):
            phone = f"+8491{n * 397 % CUSTOMERS:07d}"
            keys = [("phone", phone), ("email", f"moi{n}@example.vn"), ("name_province", f"khach hang {n}|79")]
            async with app.transaction():
                await app.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
                started = time.perf_counter()
                await app.fetch(_sql(_MATCH), tenant, [k for k, _ in keys], [v for _, v in keys], list(RULES), [], 20)
                timings.append((time.perf_counter() - started) * 1000)
        async with app.transaction():
            await app.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
            started = time.perf_counter()
            pairs = (await app.fetch(_sql(_SCAN), tenant, list(RULES), 20, tenant, tenant))[0]["pairs"]
            scan = time.perf_counter() - started
        await app.close()
    return [
        Result("customer_key trigger on a 100k-row INSERT", with_keys / bare, "× bare insert", "-", True,
               f"{bare:.2f} s without, {with_keys:.2f} s with"),
        Result("duplicate check of one customer (median)", statistics.median(timings), "ms", "-", True,
               f"p95 {sorted(timings)[int(CHECKS * 0.95)]:.2f} ms over {CHECKS}"),
        Result("nightly scan of 100k customers", scan, "s", "-", True, f"{pairs} pairs"),
    ]


async def run() -> list[Result]:
    return await _run()


def main() -> None:
    print_table(asyncio.run(run()))


if __name__ == "__main__":
    main()
