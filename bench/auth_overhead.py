"""Authenticated request overhead (Identity issue): a trivial endpoint behind the tenant middleware (bearer
token resolved, scope checked, revocation, tenant status and rate limit checked through the request gate —
this process's mirror, with a lease of tokens from the Redis bucket — and the lazy tenant transaction),
called with a user's JWT and with an API key, against the same trivial endpoint marked public (no auth, no
transaction). The identity service runs as a real uvicorn process; requests go over loopback with one
keep-alive connection, interleaved so drift hits every kind alike. Median of per-run ratios of medians."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from typing import Any

import asyncpg
import httpx
from litestar import Litestar, get

from bench.harness import Result, bench_database, served
from infra.web import create_service_app
from services.identity.controllers import ROUTE_HANDLERS
from tenants.auth import Authenticated
from tenants.context import tenant_transaction

RUNS = 7
ITERATIONS = 300
WARMUP = 100
GOAL = 1.3
PING = "/api/identity/v1/bench/ping"
PING_AUTHENTICATED = "/api/identity/v1/bench/ping-authenticated"
PING_TRANSACTION = "/api/identity/v1/bench/ping-transaction"
ANY_TENANT = uuid.UUID(int=1)


@get("/bench/ping", opt={"public": True}, sync_to_thread=False, include_in_schema=False)
def ping() -> dict[str, bool]:
    return {"ok": True}


@get("/bench/ping-transaction", opt={"public": True}, include_in_schema=False)
async def ping_transaction() -> dict[str, bool]:
    """No auth, but the empty tenant transaction every authenticated request opens: isolates the auth part."""
    async with tenant_transaction(ANY_TENANT):
        return {"ok": True}


@get("/bench/ping-authenticated", sync_to_thread=False, include_in_schema=False)
def ping_authenticated(principal: Authenticated) -> dict[str, bool]:
    return {"ok": True}


def bench_app() -> Litestar:
    """The identity service with the two trivial endpoints (`uvicorn --factory` target)."""
    return create_service_app("identity", [*ROUTE_HANDLERS, ping, ping_transaction, ping_authenticated], title="bench")


async def _latency(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    t0 = time.perf_counter()
    response = await client.get(path, headers=headers)
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.text
    return elapsed


async def _callers(client: httpx.AsyncClient, owner_url: str) -> dict[str, dict[str, str]]:
    signup = await client.post("/api/identity/v1/signup", json={
        "company_name": "Bench", "email": "bench@example.vn", "password": "mat-khau-bench-2026"})
    assert signup.status_code == 201, signup.text
    body: dict[str, Any] = signup.json()
    owner = await asyncpg.connect(owner_url)
    try:  # the bucket is still taken on every request; it must just never run dry here
        await owner.execute("UPDATE tenant SET requests_per_minute = 100000000 WHERE id = $1::uuid",
                            body["tenant_id"])
    finally:
        await owner.close()
    jwt = {"Authorization": f"Bearer {body['access_token']}"}
    created = await client.post("/api/identity/v1/api-keys", headers=jwt,
                                json={"name": "bench", "scopes": ["identity:read"]})
    assert created.status_code == 201, created.text
    return {"none": {}, "transaction": {}, "jwt": jwt,
            "api_key": {"Authorization": f"Bearer {created.json()['key']}"}}


async def _measure(base_url: str, owner_url: str) -> dict[str, list[float]]:
    """Per run and caller kind, the median latency (seconds)."""
    medians: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        callers = await _callers(client, owner_url)
        paths = {"none": PING, "transaction": PING_TRANSACTION, "jwt": PING_AUTHENTICATED,
                 "api_key": PING_AUTHENTICATED}
        for _ in range(WARMUP):
            for kind, headers in callers.items():
                await _latency(client, paths[kind], headers)
        for _ in range(RUNS):
            timings: dict[str, list[float]] = {kind: [] for kind in callers}
            for _ in range(ITERATIONS):
                for kind, headers in callers.items():
                    timings[kind].append(await _latency(client, paths[kind], headers))
            for kind, samples in timings.items():
                medians.setdefault(kind, []).append(statistics.median(samples))
    return medians


def _ratio(medians: dict[str, list[float]], kind: str, baseline: str) -> tuple[float, list[float]]:
    runs = [a / b for a, b in zip(medians[kind], medians[baseline], strict=True)]
    return statistics.median(runs), runs


async def run() -> list[Result]:
    async with bench_database("crm_bench_auth") as db:
        with served([sys.executable, "-m", "uvicorn", "bench.auth_overhead:bench_app", "--factory",
                     "--log-level", "warning", "--no-access-log"], db.env) as base_url:
            medians = await _measure(base_url, db.owner_url)
    micros = ", ".join(f"{kind} {statistics.median(values) * 1e6:.0f}" for kind, values in medians.items())
    results = []
    for kind, label in (("jwt", "JWT"), ("api_key", "API key")):
        ratio, runs = _ratio(medians, kind, "none")
        results.append(Result(
            f"Auth overhead: trivial endpoint, {label} vs no auth", ratio, "x", f"<= {GOAL}", ratio <= GOAL,
            f"token + scope + gate (process mirror; Redis once per token lease); median of {RUNS} "
            f"runs x {ITERATIONS} requests over loopback; runs: {', '.join(f'{r:.3f}' for r in runs)}"))
    for kind, label in (("jwt", "JWT"), ("api_key", "API key")):
        ratio, _ = _ratio(medians, kind, "transaction")
        results.append(Result(
            f"  the auth part alone: {label} vs no auth + tenant tx", ratio, "x", f"<= {GOAL}", ratio <= GOAL,
            f"median latencies in µs: {micros}" if kind == "api_key" else ""))
    return results


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(run()))
