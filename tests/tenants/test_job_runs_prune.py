"""Job runs are pruned: the daily job (`infra.jobs.prune_job_runs`) deletes every tenant's runs finished more than
`job_runs_keep_days` ago, and keeps newer ones and those not finished (running, queued, retrying)."""

from __future__ import annotations

import asyncio
import datetime

import asyncpg

from infra.jobs import prune_job_runs
from infra.settings import get_settings

_RUN = ("INSERT INTO job_run (id, tenant_id, name, queue_name, status, started_at, finished_at, rows_done, slices, "
        "attempts, created_at, updated_at) VALUES (uuidv7(), $1, $2, 'default', $3, now() - $4::interval, "
        "now() - $5::interval, 0, 1, 1, now() - $4::interval, now())")


async def test_finished_runs_older_than_the_setting_are_pruned_in_every_tenant(stack, tenant_a, tenant_b,
                                                                               owner_conn: asyncpg.Connection):
    keep = get_settings().job_runs_keep_days
    old, recent = datetime.timedelta(days=keep + 1), datetime.timedelta(days=keep - 1)
    for tenant in (tenant_a, tenant_b):
        await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant.tenant_id))
        for name, status, started, finished in (("old-ok", "succeeded", old, old), ("old-failed", "failed", old, old),
                                                ("recent", "succeeded", recent, recent),
                                                ("old-running", "running", old, None)):
            await owner_conn.execute(_RUN, tenant.tenant_id, name, status, started, finished)

    assert await asyncio.to_thread(prune_job_runs) >= 4

    for tenant in (tenant_a, tenant_b):
        await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant.tenant_id))
        left = await owner_conn.fetch("SELECT name FROM job_run WHERE tenant_id = $1 ORDER BY name", tenant.tenant_id)
        assert [row["name"] for row in left] == ["old-running", "recent"]
