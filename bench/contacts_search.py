"""Customer lists and search on a big tenant (issue 5): 1,000,000 customers in one tenant and 99 smaller tenants
around it, loaded with COPY. Both goals compare the whole product through HTTP (`crm serve all`) with the very
same statement (`customers.customer_list_query`, compiled by Piccolo) through raw asyncpg as the app role, in
the same tenant transaction shape (BEGIN with the tenant, the statement, COMMIT):

- a filtered list page (`lifecycle_stage`, a select attribute and a number range, 50 rows): median ratio <= 2.0;
- diacritics-insensitive search, "nguyen van an" finding "Nguyễn Văn An": median <= 50 ms, ratio <= 2.0.

The search's index use is checked too: the lookup inside `customer_search_ids` (run as its owner) must use the
trigram index, which the app role's own query cannot (not LEAKPROOF under RLS): both plans are in the note.
Sizes: BENCH_CONTACTS_CUSTOMERS (1,000,000), BENCH_CONTACTS_TENANTS (99 more tenants) and
BENCH_CONTACTS_SMALL (2,000 customers each); BENCH_CONTACTS_RUNS and _ITERATIONS. Not CRM_-prefixed: `crm
migrate` and `crm serve` refuse unknown CRM_ settings in their environment."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator

import asyncpg
import httpx

from bench.harness import Result, bench_database, paired_medians, served, timed_tenant_query
from infra.text import fold
from services.contacts.schemas import CustomerFilter
from services.contacts.service.customers import customer_list_query, search_terms
from services.contacts.service.fields import AttributeRule
from tenants.access import Access
from tenants.context import begin_sql

CUSTOMERS = int(os.environ.get("BENCH_CONTACTS_CUSTOMERS", "1000000"))
TENANTS = int(os.environ.get("BENCH_CONTACTS_TENANTS", "99"))
SMALL = int(os.environ.get("BENCH_CONTACTS_SMALL", "2000"))
RUNS = int(os.environ.get("BENCH_CONTACTS_RUNS", "5"))
ITERATIONS = int(os.environ.get("BENCH_CONTACTS_ITERATIONS", "20"))
GOAL_RATIO = 2.0
GOAL_SEARCH_MS = 50.0
PAGE = 50
SEARCH = "nguyen van an"

# Family names weighted roughly as in Vietnam (Nguyễn about 38 %), common middle and given names.
FAMILIES = ["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 10 + ["Phạm"] * 7 + ["Hoàng"] * 5 + ["Huỳnh"] * 5 + \
    ["Đặng"] * 2 + ["Bùi"] * 2 + ["Đỗ"] * 2 + ["Hồ"] * 2 + \
    ["Phan"] * 4 + ["Vũ"] * 4 + ["Võ"] * 4 + ["Ngô", "Dương", "Lý"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Xuân", "Thu", "Hoàng", "Gia", "Anh",
           "Bảo", "Công", "Đình", "Kim", "Phương", "Tuấn", "Mạnh"]
GIVENS = ["An", "Anh", "Bình", "Châu", "Cường", "Dũng", "Dung", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hằng", "Hiếu",
          "Hoa", "Hòa", "Hùng", "Hương", "Huy", "Khánh", "Khoa", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga",
          "Ngân", "Nhung", "Phong", "Phúc", "Phương", "Quang", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Thành",
          "Trang", "Trung", "Tú", "Tuấn", "Tùng", "Uyên", "Vân", "Việt", "Vy", "Yến"]
STAGES = ["raw", "lead", "customer", "member", "loyal"]
TIERS = ["bronze", "silver", "gold", "platinum"]
COLUMNS = ["tenant_id", "code", "kind", "name", "name_folded", "phone", "email", "lifecycle_stage", "attributes"]

LIST_FILTER = CustomerFilter(lifecycle_stage="customer",
                             attributes=(("attr.tier", "gold"), ("attr.staff.min", "50"), ("attr.staff.max", "500")))
RULES = {"tier": AttributeRule(key="tier", type="select", required=False, options=frozenset(TIERS)),
         "staff": AttributeRule(key="staff", type="number", required=False, options=frozenset())}
OWNER = Access(user_id=None, role="owner", permissions=frozenset(), visibility="all")


def _records(tenant_id: uuid.UUID, count: int, seed: int) -> Iterator[tuple[object, ...]]:
    """`count` individual customers with Vietnamese names (folded as the application folds them), a +84 phone,
    an email, a stage and two custom attribute values."""
    pick = random.Random(seed)
    folded = {word: fold(word) for word in FAMILIES + MIDDLES + GIVENS}
    for n in range(1, count + 1):
        family, middle, given = pick.choice(FAMILIES), pick.choice(MIDDLES), pick.choice(GIVENS)
        tier, staff = TIERS[n % 4], pick.randrange(1, 2000)
        yield (tenant_id, f"KH{n:07d}", "individual", f"{family} {middle} {given}",
               f"{folded[family]} {folded[middle]} {folded[given]}", f"+849{n:08d}", f"kh{n}@example.vn",
               STAGES[n % 5], f'{{"tier": "{tier}", "staff": {staff}}}')


async def _tenant(client: httpx.AsyncClient, admin_url: str) -> tuple[dict[str, str], uuid.UUID]:
    signup = await client.post("/api/identity/v1/signup", json={
        "company_name": "Bench khách hàng", "email": "contacts-bench@example.vn", "password": "mat-khau-bench-2026"})
    assert signup.status_code == 201, signup.text
    tenant_id = uuid.UUID(signup.json()["tenant_id"])
    admin = await asyncpg.connect(admin_url)
    try:  # many requests a minute here: lift the tenant's rate limit out of the way
        await admin.execute("UPDATE tenant SET requests_per_minute = 100000000 WHERE id = $1", tenant_id)
    finally:
        await admin.close()
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    for definition in ({"key": "tier", "label_vi": "Hạng", "label_en": "Tier", "type": "select",
                        "options": [{"value": tier, "label_vi": tier, "label_en": tier} for tier in TIERS]},
                       {"key": "staff", "label_vi": "Nhân viên", "label_en": "Staff", "type": "number"}):
        created = await client.post("/api/contacts/v1/attributes", headers=headers, json=definition)
        assert created.status_code == 201, created.text
    return headers, tenant_id


async def _load(admin_url: str, tenant_id: uuid.UUID) -> float:
    """COPY the big tenant and the small ones, with the customer indexes dropped during the load and built
    again after (as their migrations define them); returns the seconds it took."""
    t0 = time.perf_counter()
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute("SET maintenance_work_mem = '512MB'")
        indexes = await admin.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'customer' AND indexname <> 'customer_pkey'")
        for index in indexes:
            await admin.execute(f'DROP INDEX "{index["indexname"]}"')
        await admin.copy_records_to_table("customer", records=_records(tenant_id, CUSTOMERS, 1), columns=COLUMNS)
        for n in range(TENANTS):
            await admin.copy_records_to_table("customer", records=_records(uuid.uuid4(), SMALL, n + 2),
                                              columns=COLUMNS)
        for index in indexes:
            await admin.execute(index["indexdef"])
        await admin.execute("VACUUM ANALYZE customer")
    finally:
        await admin.close()
    return time.perf_counter() - t0


async def _plans(db_owner_url: str, db_app_url: str, tenant_id: uuid.UUID) -> tuple[str, str]:
    """The plans of the search's two lookups (name words, then substrings) as `customer_search_ids` runs them
    (its owner), and as the app role's own query would."""
    pattern, words = search_terms(SEARCH) or ("", "")
    lookups = ("EXPLAIN SELECT c.id FROM customer c WHERE c.tenant_id = $1 "
               "AND customer_name_terms(c.name_folded) @@ customer_name_query($2)",
               "EXPLAIN SELECT c.id FROM customer c WHERE c.tenant_id = $1 AND c.search_text LIKE $2")
    plans = []
    for url in (db_owner_url, db_app_url):
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(begin_sql(tenant_id))
            lines = []
            for sql, value in zip(lookups, (words, pattern), strict=True):
                lines += [row[0] for row in await connection.fetch(sql, tenant_id, value)]
            plans.append("\n".join(lines))
            await connection.execute("COMMIT")
        finally:
            await connection.close()
    return plans[0], plans[1]


async def _raw(connection: asyncpg.Connection, tenant_id: uuid.UUID, sql: str, args: list[object]) -> float:
    elapsed, rows = await timed_tenant_query(connection, tenant_id, sql, args)
    assert rows
    return elapsed


async def _http(client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str]) -> float:
    t0 = time.perf_counter()
    response = await client.get("/api/contacts/v1/customers", headers=headers, params=params)
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.text
    assert response.json()["items"]
    return elapsed


async def _compare(client: httpx.AsyncClient, headers: dict[str, str], app: asyncpg.Connection,
                   tenant_id: uuid.UUID, params: dict[str, str], where: CustomerFilter, runs: int = RUNS,
                   iterations: int = ITERATIONS) -> tuple[float, float, float]:
    """Median HTTP ms, median raw SQL ms and the median of per-run ratios."""
    sql, args = customer_list_query(tenant_id, OWNER, PAGE, None, where, RULES)[0].querystrings[0].compile_string()
    http_medians, raw_medians = await paired_medians(
        lambda: _http(client, headers, params), lambda: _raw(app, tenant_id, sql, args), runs, iterations,
        warm=min(5, iterations))
    ratio = statistics.median(h / r for h, r in zip(http_medians, raw_medians, strict=True))
    return statistics.median(http_medians) * 1000, statistics.median(raw_medians) * 1000, ratio


async def run() -> list[Result]:
    async with bench_database("crm_bench_contacts") as db:
        with served([sys.executable, "-m", "infra.cli", "serve", "all"], db.env) as base_url:
            async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
                headers, tenant_id = await _tenant(client, db.admin_url)
                load_s = await _load(db.admin_url, tenant_id)
                found = await client.get("/api/contacts/v1/customers", headers=headers, params={"q": SEARCH})
                assert any(fold(c["name"]) == SEARCH for c in found.json()["items"]), found.text[:500]
                typo = await client.get("/api/contacts/v1/customers", headers=headers, params={"q": "nguyen vna an"})
                assert any(fold(c["name"]) == SEARCH for c in typo.json()["items"]), typo.text[:500]
                owner_plan, app_plan = await _plans(db.owner_url, db.app_url, tenant_id)
                assert "customer_name_terms" in owner_plan, owner_plan
                assert "customer_search_trgm" in owner_plan, owner_plan
                app = await asyncpg.connect(db.app_url)
                try:
                    list_params = {"lifecycle_stage": "customer", "attr.tier": "gold", "attr.staff.min": "50",
                                   "attr.staff.max": "500", "limit": str(PAGE)}
                    list_http, list_raw, list_ratio = await _compare(client, headers, app, tenant_id, list_params,
                                                                     LIST_FILTER)
                    search_http, search_raw, search_ratio = await _compare(
                        client, headers, app, tenant_id, {"q": SEARCH, "limit": str(PAGE)}, CustomerFilter(q=SEARCH))
                    typo_http, typo_raw, _ = await _compare(
                        client, headers, app, tenant_id, {"q": "nguyen vna an", "limit": str(PAGE)},
                        CustomerFilter(q="nguyen vna an"), runs=1, iterations=3)
                finally:
                    await app.close()
    size = f"{CUSTOMERS:,} customers + {TENANTS} tenants x {SMALL:,} (COPY + indexes {load_s:.0f} s)"
    app_scan = "indexes used" if "Index Cond: (customer_name_terms" in app_plan else "neither index used"
    return [
        Result("Customer list page, filtered: HTTP vs raw SQL", list_ratio, "x", f"<= {GOAL_RATIO}",
               list_ratio <= GOAL_RATIO,
               f"{size}; stage + attr.tier + attr.staff range, {PAGE} rows; HTTP {list_http:.1f} ms, raw SQL "
               f"{list_raw:.1f} ms; median of {RUNS} runs x {ITERATIONS}"),
        Result(f"Customer search '{SEARCH}' ({CUSTOMERS:,}), HTTP median", search_http, "ms",
               f"<= {GOAL_SEARCH_MS:.0f}",
               search_http <= GOAL_SEARCH_MS,
               f"raw SQL {search_raw:.1f} ms; typo 'nguyen vna an': HTTP {typo_http:.1f} ms, raw {typo_raw:.1f} ms; "
               f"lookups use customer_name_terms and customer_search_trgm (as the app role: {app_scan})"),
        Result("  search: HTTP vs raw SQL", search_ratio, "x", f"<= {GOAL_RATIO}", search_ratio <= GOAL_RATIO),
    ]


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(run()))
