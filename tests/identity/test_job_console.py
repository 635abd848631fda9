"""The job console over HTTP, with real rq workers: a tenant's admin follows its runs and retries a failed one,
another tenant gets 404 on it, and support staff see every tenant's failed jobs and queue depths."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests import conftest
from tests.identity.members import add_member
from tests.identity.support_helpers import support_headers
from tests.worker import failed_run, work

JOBS = "/api/identity/v1/jobs"
SUPPORT = "/api/identity/v1/support"


async def runs(client: httpx.AsyncClient, user: conftest.TenantUser) -> list[Any]:
    response = await client.get(f"{JOBS}/runs", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def test_a_failed_run_is_seen_and_retried_by_its_tenant_only(client, stack, tenant_a, tenant_b,
                                                                  owner_conn: asyncpg.Connection):
    for n in range(3):
        await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": f"KH {n}"})
    failing = await failed_run(stack, owner_conn, tenant_a)

    [run] = await runs(client, tenant_a)
    assert (run["name"], run["status"], run["slices"], run["attempts"]) == (
        "services.contacts.jobs:count_customers", "failed", 1, 1)
    assert "permission denied" in run["error"] and run["finished_at"]
    assert await runs(client, tenant_b) == []
    for method, path in (("GET", f"{JOBS}/runs/{run['id']}"), ("POST", f"{JOBS}/runs/{run['id']}/retry")):
        response = await client.request(method, path, headers=tenant_b.headers)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")

    support = await support_headers(client, stack)
    response = await client.get(f"{SUPPORT}/jobs", headers=support, params={"state": "failed"})
    assert response.status_code == 200, response.text
    [seen] = [job for job in response.json() if job["run_id"] == run["id"]]
    assert (seen["tenant_id"], seen["queue_name"], seen["id"]) == (str(tenant_a.tenant_id), "default", failing.id)
    assert "permission denied" in seen["error"]
    response = await client.get(f"{SUPPORT}/jobs/queues", headers=support)
    assert [queue["name"] for queue in response.json()] == ["webhooks", "default", "imports", "reports"]
    assert response.json()[1]["failed"] >= 1
    response = await client.get(f"{SUPPORT}/tenants/{tenant_a.tenant_id}/job-runs", headers=support,
                                params={"status": "failed"})
    assert [item["id"] for item in response.json()["items"]] == [run["id"]]

    response = await client.post(f"{JOBS}/runs/{run['id']}/retry", headers=tenant_a.headers)
    assert response.status_code == 202, response.text
    assert (response.json()["status"], response.json()["attempts"]) == ("queued", 2)
    response = await client.post(f"{JOBS}/runs/{run['id']}/retry", headers=tenant_a.headers)
    assert response.status_code == 409, response.text  # only a failed run
    work(stack)
    [run] = await runs(client, tenant_a)
    assert (run["status"], run["rows_done"], run["slices"], run["attempts"], run["error"]) == (
        "succeeded", 3, 2, 2, None)
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    audited = await owner_conn.fetch("SELECT actor_kind, object_id FROM audit_entry WHERE tenant_id = $1 AND "
                                     "action = 'job_run.retry'", tenant_a.tenant_id)
    assert [(row["actor_kind"], row["object_id"]) for row in audited] == [("user", run["id"])]


async def test_support_retries_with_a_reason(client, stack, tenant_a, owner_conn: asyncpg.Connection):
    await failed_run(stack, owner_conn, tenant_a)
    [run] = await runs(client, tenant_a)
    support = await support_headers(client, stack)
    retry = f"{SUPPORT}/tenants/{tenant_a.tenant_id}/job-runs/{run['id']}/retry"
    response = await client.post(retry, headers=support, json={"reason": "x"})
    assert response.status_code in (400, 422), response.text
    assert "reason" in response.text
    response = await client.post(retry, headers=support, json={"reason": "Khách báo lỗi, chạy lại"})
    assert response.status_code == 202, response.text
    work(stack)
    assert (await runs(client, tenant_a))[0]["status"] == "succeeded"
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    audited = await owner_conn.fetch("SELECT actor_kind, support_reason FROM audit_entry WHERE tenant_id = $1 AND "
                                     "action = 'job_run.retry'", tenant_a.tenant_id)
    assert [(row["actor_kind"], row["support_reason"]) for row in audited] == [("support", "Khách báo lỗi, chạy lại")]
    response = await client.get(f"{SUPPORT}/jobs/queues", headers=tenant_a.headers)  # a tenant token is not support
    assert response.status_code == 401, response.text


async def test_the_schedule_follows_the_tenants_clock(client, tenant_a):
    response = await client.patch("/api/identity/v1/tenant/settings", headers=tenant_a.headers,
                                  json={"time_zone": "Asia/Tokyo", "daily_jobs_hour": 4})
    assert response.status_code == 200, response.text
    response = await client.get(f"{JOBS}/schedules", headers=tenant_a.headers)
    assert response.status_code == 200, response.text
    ageing, partners, duplicates = response.json()
    assert duplicates["job"] == "services.contacts.jobs:scan_duplicates"
    assert (partners["name"], partners["schedule"]) == ("partners.daily", "daily at 04:00 Asia/Tokyo")
    assert (ageing["name"], ageing["job"], ageing["schedule"], ageing["status"], ageing["last_run"]) == (
        "contacts.dont_forget", "services.contacts.jobs:age_statuses", "daily at 04:00 Asia/Tokyo", "never_run", None)
    assert ageing["next_run_at"].endswith(("Z", "+00:00"))
    salesperson = await add_member(tenant_a, "salesperson")
    response = await client.get(f"{JOBS}/runs", headers=salesperson.headers)
    assert response.status_code == 403, response.text
    response = await client.get(f"{JOBS}/runs", headers=tenant_a.headers, params={"status": "lost"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "query.status"
