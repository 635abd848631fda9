"""The main dashboard on a big tenant (Reporting issue): `GET /api/reporting/v1/indicators/customers` for a
tenant with 1,000,000 customers and `GET /api/reporting/v1/indicators/pipeline` for its 500,000 opportunities
(and 250,000 activities), from the roll-ups against the same figures computed directly over the source rows
(`?direct=true`), both through HTTP. Goals: each dashboard <= 1 s, and >= 10x faster than direct.

Sizes: BENCH_DASHBOARD_CUSTOMERS, BENCH_DASHBOARD_OPPORTUNITIES, BENCH_DASHBOARD_ACTIVITIES and
BENCH_DASHBOARD_RUNS (defaults: the issue's 1,000,000, 500,000, 250,000 and 5)."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid

import asyncpg
import httpx

from bench.harness import Result, bench_database, served
from services.reporting.facts import FACTS
from services.reporting.service.rollups import FOLD, fold_sql

CUSTOMERS = int(os.environ.get("BENCH_DASHBOARD_CUSTOMERS", "1000000"))
OPPORTUNITIES = int(os.environ.get("BENCH_DASHBOARD_OPPORTUNITIES", "500000"))
ACTIVITIES = int(os.environ.get("BENCH_DASHBOARD_ACTIVITIES", "250000"))
RUNS = int(os.environ.get("BENCH_DASHBOARD_RUNS", "5"))
GOAL_SECONDS = 1.0
GOAL_SPEEDUP = 10.0


async def _tenant(client: httpx.AsyncClient) -> tuple[dict[str, str], uuid.UUID]:
    signup = await client.post("/api/identity/v1/signup", json={
        "company_name": "Bench báo cáo", "email": "dashboard-bench@example.vn", "password": "mat-khau-bench-2026"})
    assert signup.status_code == 201, signup.text
    return {"Authorization": f"Bearer {signup.json()['access_token']}"}, uuid.UUID(signup.json()["tenant_id"])


async def _load(admin_url: str, tenant_id: uuid.UUID) -> None:
    """A million customers over three years, 20 owners in 4 teams and 2 branches, 10 sources, every status;
    inserted in one statement, so the roll-up trigger sees them as one batch, then folded."""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_id))
        sources = [uuid.uuid4() for _ in range(10)]
        await admin.executemany(
            "INSERT INTO customer_source (id, tenant_id, name, name_folded) VALUES ($1, $2, $3, $3)",
            [(source, tenant_id, f"Nguồn {n}") for n, source in enumerate(sources)])
        statuses = [row["id"] for row in await admin.fetch(
            "SELECT id FROM relationship_status WHERE tenant_id = $1", tenant_id)]
        owners = [uuid.uuid4() for _ in range(20)]
        teams, branches = [uuid.uuid4() for _ in range(4)], [uuid.uuid4() for _ in range(2)]
        await admin.execute(
            "INSERT INTO customer (id, tenant_id, code, name, name_folded, lifecycle_stage, owner_id, team_id, "
            "branch_id, source_id, relationship_status_id, created_at, updated_at) "
            "SELECT uuidv7(), $1, 'KH' || lpad(g::text, 7, '0'), 'Khách hàng ' || g, 'khach hang ' || g, "
            "(ARRAY['raw', 'lead', 'customer', 'member', 'loyal'])[1 + g % 5], ($2::uuid[])[1 + g % 20], "
            "($3::uuid[])[1 + g % 4], ($4::uuid[])[1 + g % 2], ($5::uuid[])[1 + g % 10], "
            "($6::uuid[])[1 + g % array_length($6::uuid[], 1)], now() - (g % 1095) * interval '1 day', now() "
            "FROM generate_series(1, $7) g", tenant_id, owners, teams, branches, sources, statuses, CUSTOMERS)
        await admin.execute(FOLD.replace("{}", "$1"), tenant_id)
        await _load_pipeline(admin, tenant_id, owners, teams, branches)
        for fact in FACTS:
            await admin.execute(fold_sql(fact).replace("{}", "$1"), tenant_id)
        for table in ("customer", "customer_fact", "customer_fact_delta", "opportunity", "activity",
                      *(fact.table for fact in FACTS), *(fact.delta for fact in FACTS)):
            await admin.execute(f"VACUUM ANALYZE {table}")
    finally:
        await admin.close()


async def _load_pipeline(admin: asyncpg.Connection, tenant_id: uuid.UUID, owners: list[uuid.UUID],
                         teams: list[uuid.UUID], branches: list[uuid.UUID]) -> None:
    """Opportunities over three years in 4 open stages and a won one (1 in 10 a lead; a fifth won, a fifth lost
    with one of the tenant's lost reasons, closed up to 90 days after creation), and activities of three
    types due over the same years, each in one statement."""
    stages = [await admin.fetchval(
        "INSERT INTO stage (id, tenant_id, name_vi, name_en, sequence, probability, is_won) "
        "VALUES (uuidv7(), $1, $2, $3, $4, $5, $6) RETURNING id", tenant_id, f"GĐ {n}", f"Stage {n}", n,
        min(100, n * 20), n == 5) for n in range(1, 6)]
    reasons = [row["id"] for row in await admin.fetch("SELECT id FROM lost_reason WHERE tenant_id = $1", tenant_id)]
    if not reasons:
        reasons = [await admin.fetchval("INSERT INTO lost_reason (id, tenant_id, name_vi, name_en) "
                                        "VALUES (uuidv7(), $1, $2, $2) RETURNING id", tenant_id, "Giá cao")]
    await admin.execute(
        "INSERT INTO opportunity (id, tenant_id, kind, name, owner_id, team_id, branch_id, stage_id, "
        "expected_revenue, currency, probability, state, lost_reason_id, closed_at, created_at, updated_at, "
        "date_last_stage_update) "
        "SELECT uuidv7(), $1, CASE WHEN g % 10 = 0 THEN 'lead' ELSE 'opportunity' END, 'Cơ hội ' || g, "
        "($2::uuid[])[1 + g % 20], ($3::uuid[])[1 + g % 4], ($4::uuid[])[1 + g % 2], "
        "CASE WHEN g % 5 = 0 THEN ($5::uuid[])[5] ELSE ($5::uuid[])[1 + g % 4] END, (1 + g % 1000) * 100000, 'VND', "
        "CASE WHEN g % 5 = 0 THEN 100 ELSE (1 + g % 4) * 20 END, "
        "CASE g % 5 WHEN 0 THEN 'won' WHEN 1 THEN 'lost' ELSE 'open' END, "
        "CASE WHEN g % 5 = 1 THEN ($6::uuid[])[1 + g % array_length($6::uuid[], 1)] END, "
        "CASE WHEN g % 5 IN (0, 1) THEN now() - (g % 1095) * interval '1 day' + (g % 90) * interval '1 day' END, "
        "now() - (g % 1095) * interval '1 day', now(), now() FROM generate_series(1, $7) g",
        tenant_id, owners, teams, branches, stages, reasons, OPPORTUNITIES)
    types = [await admin.fetchval("INSERT INTO activity_type (id, tenant_id, name_vi, name_en, category) "
                                  "VALUES (uuidv7(), $1, $2, $3, $3) RETURNING id", tenant_id, name_vi, category)
             for name_vi, category in (("Gọi điện", "call"), ("Gặp mặt", "meeting"), ("Việc cần làm", "todo"))]
    await admin.execute(
        "INSERT INTO activity (id, tenant_id, record_type, record_id, type_id, summary, assignee_id, team_id, "
        "branch_id, due_date, due_at, all_day, status, done_at, created_at, updated_at) "
        "SELECT uuidv7(), $1, 'customer', uuidv7(), ($2::uuid[])[1 + g % array_length($2::uuid[], 1)], "
        "'Hoạt động ' || g, ($3::uuid[])[1 + g % 20], ($4::uuid[])[1 + g % 4], ($5::uuid[])[1 + g % 2], "
        "current_date - g % 1095, now() - (g % 1095) * interval '1 day', true, "
        "CASE g % 3 WHEN 0 THEN 'done' WHEN 1 THEN 'open' ELSE 'cancelled' END, "
        "CASE WHEN g % 3 = 0 THEN now() - (g % 1095) * interval '1 day' END, now(), now() "
        "FROM generate_series(1, $6) g", tenant_id, types, owners, teams, branches, ACTIVITIES)


async def _timed(client: httpx.AsyncClient, headers: dict[str, str], direct: bool,
                 indicators: str = "customers") -> tuple[float, dict[str, object]]:
    t0 = time.perf_counter()
    response = await client.get(f"/api/reporting/v1/indicators/{indicators}", headers=headers,
                                params={"date_from": "2026-01-01", "date_to": "2026-11-30", "direct": str(direct)})
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return elapsed, body


async def run() -> list[Result]:
    async with bench_database("crm_bench_dashboard") as db:
        with served([sys.executable, "-m", "infra.cli", "serve", "all"], db.env) as base_url:
            async with httpx.AsyncClient(base_url=base_url, timeout=600) as client:
                headers, tenant_id = await _tenant(client)
                await _load(db.admin_url, tenant_id)
                timings: dict[str, tuple[list[float], list[float]]] = {"customers": ([], []), "pipeline": ([], [])}
                for _ in range(RUNS):
                    for indicators, (rolled, direct) in timings.items():
                        seconds, from_rollups = await _timed(client, headers, False, indicators)
                        rolled.append(seconds)
                        seconds, from_rows = await _timed(client, headers, True, indicators)
                        direct.append(seconds)
                        assert from_rollups == from_rows  # the same figures, however computed
    results = []
    for indicators, (rolled, direct) in timings.items():
        rolled_s, direct_s = statistics.median(rolled), statistics.median(direct)
        speedup = direct_s / rolled_s
        size = (f"{CUSTOMERS:,} customers" if indicators == "customers"
                else f"{OPPORTUNITIES:,} opportunities, {ACTIVITIES:,} activities")
        results += [Result(f"Dashboard ({indicators} indicators), {size}", rolled_s, "s", f"<= {GOAL_SECONDS:.0f}",
                           rolled_s <= GOAL_SECONDS, f"direct over the rows: {direct_s:.2f} s; median of {RUNS}"),
                    Result(f"  {indicators}: direct SQL / roll-ups", speedup, "x", f">= {GOAL_SPEEDUP:.0f}",
                           speedup >= GOAL_SPEEDUP)]
    return results


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(run()))
