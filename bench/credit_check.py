"""The credit check (Partners issue): does a new quotation fit a customer's available credit, for a customer with
100,000 ledger entries, through HTTP (`POST /api/partners/v1/credit/check`, the whole product served by
`crm serve all`) against the same statements through raw asyncpg in the same tenant transaction shape
(BEGIN with the tenant, the customer lookup, the position read, COMMIT).
Goals: HTTP median <= 20 ms, and HTTP / raw SQL median ratio <= 2.0.

The check reads running totals, not the 100,000 rows: summing them took ~150 ms on this machine (seq scan,
the customer being most of the table) and would grow with every posting."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid

import asyncpg
import httpx

from bench.harness import Result, bench_database, served
from services.partners.service.credit import POSITION as _POSITION
from tenants.context import begin_sql

ENTRIES = 100_000
RUNS = 7
ITERATIONS = 200
GOAL_MS = 20.0
GOAL_RATIO = 2.0
_CUSTOMER = "SELECT id, name FROM customer WHERE id = ANY($1::uuid[])"


def _positional(sql: str) -> str:
    """Piccolo's `{}` placeholders as asyncpg's `$n`."""
    parts = sql.split("{}")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1))


async def _tenant(client: httpx.AsyncClient, admin_url: str) -> tuple[dict[str, str], uuid.UUID, uuid.UUID]:
    signup = await client.post("/api/identity/v1/signup", json={
        "company_name": "Bench tín dụng", "email": "credit-bench@example.vn", "password": "mat-khau-bench-2026"})
    assert signup.status_code == 201, signup.text
    admin = await asyncpg.connect(admin_url)
    try:  # the check runs thousands of times a minute here: lift the tenant's rate limit out of the way
        await admin.execute("UPDATE tenant SET requests_per_minute = 100000000 WHERE id = $1",
                            uuid.UUID(signup.json()["tenant_id"]))
    finally:
        await admin.close()
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    customer = await client.post("/api/contacts/v1/customers", headers=headers, json={"name": "Đại lý 100.000 dòng"})
    assert customer.status_code == 201, customer.text
    customer_id = uuid.UUID(customer.json()["id"])
    limit = await client.put(f"/api/partners/v1/credit/{customer_id}", headers=headers,
                             json={"credit_limit": 10**14, "payment_terms_days": 30})
    assert limit.status_code == 200, limit.text
    return headers, uuid.UUID(signup.json()["tenant_id"]), customer_id


async def _load(admin_url: str, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> None:
    """A customer's years of invoices, payments and credit notes (and other customers' rows around them)."""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(
            "INSERT INTO ledger_entry (id, tenant_id, customer_id, kind, reference, body_hash, amount, currency, "
            "document_date, due_date, lines) SELECT uuidv7(), $1, CASE WHEN g % 10 = 0 THEN gen_random_uuid() "
            "ELSE $2 END, (ARRAY['invoice', 'invoice', 'payment', 'invoice', 'credit_note', 'payment'])[1 + g % 6], "
            "'B-' || g, '', "
            "1000 + g % 977 * 1000, 'VND', current_date - (g % 1500), "
            "CASE WHEN g % 6 IN (0, 1, 3) THEN current_date - (g % 1500) + 30 END, '[]' FROM generate_series(1, $3) g",
            tenant_id, customer_id, int(ENTRIES / 0.9))
        # The running totals the postings would have moved, from the same rows.
        await admin.execute(
            "INSERT INTO ledger_balance (id, tenant_id, customer_id, currency, invoiced, settled) "
            "SELECT uuidv7(), tenant_id, customer_id, currency, "
            "coalesce(sum(amount) FILTER (WHERE kind = 'invoice'), 0), "
            "coalesce(sum(amount) FILTER (WHERE kind <> 'invoice'), 0) "
            "FROM ledger_entry GROUP BY tenant_id, customer_id, currency")
        for table in ("ledger_entry", "ledger_balance"):
            await admin.execute(f"VACUUM ANALYZE {table}")
    finally:
        await admin.close()


async def _raw(connection: asyncpg.Connection, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> float:
    t0 = time.perf_counter()
    await connection.execute(begin_sql(tenant_id))
    await connection.fetch(_CUSTOMER, [customer_id])
    position = await connection.fetchrow(_positional(_POSITION), customer_id, tenant_id, tenant_id, "VND")
    await connection.execute("COMMIT")
    assert position is not None
    assert position["balance"] > 0
    return time.perf_counter() - t0


async def _http(client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID) -> float:
    t0 = time.perf_counter()
    response = await client.post("/api/partners/v1/credit/check", headers=headers,
                                 json={"customer_id": str(customer_id), "amount": 1_000_000})
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.text
    assert response.json()["position"]["balance"] > 0
    return elapsed


async def run() -> list[Result]:
    async with bench_database("crm_bench_credit") as db:
        with served([sys.executable, "-m", "infra.cli", "serve", "all"], db.env) as base_url:
            async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
                headers, tenant_id, customer_id = await _tenant(client, db.admin_url)
                await _load(db.admin_url, tenant_id, customer_id)
                app = await asyncpg.connect(db.app_url)
                try:
                    for _ in range(30):  # warm plans, caches and the request gate's mirror
                        await _http(client, headers, customer_id)
                        await _raw(app, tenant_id, customer_id)
                    http_medians, raw_medians = [], []
                    for _ in range(RUNS):
                        http, raw = [], []
                        for _ in range(ITERATIONS):
                            http.append(await _http(client, headers, customer_id))
                            raw.append(await _raw(app, tenant_id, customer_id))
                        http_medians.append(statistics.median(http))
                        raw_medians.append(statistics.median(raw))
                    entries = await app.fetchval("SELECT count(*) FROM ledger_entry")  # outside a tenant: none
                finally:
                    await app.close()
    assert entries == 0
    http_ms = statistics.median(http_medians) * 1000
    ratio = statistics.median(h / r for h, r in zip(http_medians, raw_medians, strict=True))
    note = (f"{ENTRIES:,} ledger entries of one customer; median of {RUNS} runs x {ITERATIONS}; "
            f"raw SQL median {statistics.median(raw_medians) * 1000:.2f} ms")
    return [Result("Credit check over HTTP, 100k-entry customer", http_ms, "ms", f"<= {GOAL_MS:.0f}",
                   http_ms <= GOAL_MS, note),
            Result("  credit check: HTTP vs the same SQL via asyncpg", ratio, "x", f"<= {GOAL_RATIO}",
                   ratio <= GOAL_RATIO)]


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(run()))
