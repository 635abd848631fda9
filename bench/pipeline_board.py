"""The board (Pipeline issue): one team's 50,000 open opportunities grouped by stage, through HTTP
(`GET /api/pipeline/v1/opportunities/board?team_id=`, the whole product served by `crm serve all`) against the
very same statement (`services.pipeline.service.board.board_query`, compiled by Piccolo) through raw asyncpg in
the same tenant transaction shape (BEGIN with the tenant, the statement, COMMIT). Goal: median ratio <= 2.0.

Around the team's rows sit another team's open ones and closed (won/lost) ones, which the partial covering index
`opportunity_board` leaves out."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid

import asyncpg
import httpx

from bench.harness import Result, bench_database, paired_medians, served, timed_tenant_query
from services.pipeline.schemas import OpportunityFilter
from services.pipeline.service.board import board_query
from tenants.access import Access

OPEN = 50_000
AROUND = 30_000  # another team's open ones, and closed ones of this team
STAGES = 6
RUNS = 7
ITERATIONS = 40
GOAL_RATIO = 2.0


async def _tenant(client: httpx.AsyncClient, admin_url: str) -> tuple[dict[str, str], uuid.UUID, uuid.UUID]:
    signup = await client.post("/api/identity/v1/signup", json={
        "company_name": "Bench bảng cơ hội", "email": "board-bench@example.vn", "password": "mat-khau-bench-2026"})
    assert signup.status_code == 201, signup.text
    tenant_id = uuid.UUID(signup.json()["tenant_id"])
    admin = await asyncpg.connect(admin_url)
    try:  # thousands of requests a minute here: lift the tenant's rate limit out of the way
        await admin.execute("UPDATE tenant SET requests_per_minute = 100000000 WHERE id = $1", tenant_id)
    finally:
        await admin.close()
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    team = await client.post("/api/identity/v1/sales-teams", headers=headers, json={"name": "Nhóm dự án"})
    assert team.status_code == 201, team.text
    team_id = uuid.UUID(team.json()["id"])
    for n in range(STAGES):
        stage = await client.post("/api/pipeline/v1/stages", headers=headers, json={
            "name_vi": f"Giai đoạn {n}", "name_en": f"Stage {n}", "probability": 10 * (n + 1),
            "team_id": str(team_id) if n % 2 else None, "rotting_days": 30, "is_won": n == STAGES - 1})
        assert stage.status_code == 201, stage.text
    return headers, tenant_id, team_id


async def _load(admin_url: str, tenant_id: uuid.UUID, team_id: uuid.UUID) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        stages = [row["id"] for row in await admin.fetch(
            "SELECT id FROM stage WHERE tenant_id = $1 AND NOT is_won ORDER BY sequence", tenant_id)]
        await admin.execute(
            "INSERT INTO opportunity (id, tenant_id, kind, name, team_id, owner_id, stage_id, expected_revenue, "
            "currency, probability, priority, tags, state, date_last_stage_update, expected_close_date) "
            "SELECT uuidv7(), $1, 'opportunity', 'Cơ hội ' || g, "
            "CASE WHEN g > $4 AND g % 3 = 0 THEN gen_random_uuid() ELSE $2 END, gen_random_uuid(), "
            "($3::uuid[])[1 + g % cardinality($3::uuid[])], 1000000 + g % 9973 * 10000, 'VND', 10 + g % 90, "
            "g % 4, ARRAY['vip'], CASE WHEN g <= $4 THEN 'open' WHEN g % 3 = 1 THEN 'won' "
            "WHEN g % 3 = 2 THEN 'lost' ELSE 'open' END, now() - make_interval(days => g % 60), "
            "current_date + g % 365 FROM generate_series(1, $4::int + $5::int) g",
            tenant_id, team_id, stages, OPEN, AROUND)
        await admin.execute("VACUUM ANALYZE opportunity")
    finally:
        await admin.close()


async def _raw(connection: asyncpg.Connection, tenant_id: uuid.UUID, sql: str, args: list[object]) -> float:
    elapsed, rows = await timed_tenant_query(connection, tenant_id, sql, args)
    assert sum(row["count"] for row in rows) == OPEN
    return elapsed


async def _http(client: httpx.AsyncClient, headers: dict[str, str], team_id: uuid.UUID) -> float:
    t0 = time.perf_counter()
    response = await client.get("/api/pipeline/v1/opportunities/board", headers=headers,
                                params={"team_id": str(team_id)})
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.text
    assert sum(column["count"] for column in response.json()["columns"]) == OPEN
    return elapsed


async def run() -> list[Result]:
    async with bench_database("crm_bench_board") as db:
        with served([sys.executable, "-m", "infra.cli", "serve", "all"], db.env) as base_url:
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
                headers, tenant_id, team_id = await _tenant(client, db.admin_url)
                await _load(db.admin_url, tenant_id, team_id)
                # The owner sees every row, as in the HTTP calls; the default 20 cards per column.
                owner = Access(user_id=None, role="owner", permissions=frozenset(), visibility="all")
                sql, args = board_query(tenant_id, owner, OpportunityFilter(team_id=team_id), "VND",
                                        20).compile_string()
                app = await asyncpg.connect(db.app_url)
                try:
                    http_medians, raw_medians = await paired_medians(
                        lambda: _http(client, headers, team_id), lambda: _raw(app, tenant_id, sql, args),
                        RUNS, ITERATIONS)
                finally:
                    await app.close()
    ratio = statistics.median(h / r for h, r in zip(http_medians, raw_medians, strict=True))
    note = (f"{OPEN:,} open opportunities of one team in {STAGES} stages (+{AROUND:,} around them); median of "
            f"{RUNS} runs x {ITERATIONS}; HTTP {statistics.median(http_medians) * 1000:.1f} ms, raw SQL "
            f"{statistics.median(raw_medians) * 1000:.1f} ms")
    return [Result("Board: HTTP vs the same SQL via asyncpg, 50k open", ratio, "x", f"<= {GOAL_RATIO}",
                   ratio <= GOAL_RATIO, note)]


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(run()))
