"""The job console for a tenant's admins: its scheduled jobs, its job runs with progress, and retrying a failed run."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from infra.runtime import Runtime
from services.identity.schemas import JobRunOut, ScheduledJobOut
from services.identity.service import jobs as service
from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page

RunStatus = Annotated[Literal["running", "queued", "retrying", "succeeded", "failed"] | None, QueryParameter()]


class JobConsoleController(Controller):
    guards = [requires("jobs:read")]
    path = "/jobs"
    tags = ["jobs"]

    @get("/schedules", summary="The tenant's daily jobs: when they run, the last run and the next")
    async def schedules(self, tenant: TenantScope, runtime: NamedDependency[Runtime]) -> list[ScheduledJobOut]:
        return await service.scheduled_jobs(runtime.redis)

    @get("/runs", summary="The tenant's job runs with their progress, newest first")
    async def list_runs(self, tenant: TenantScope, limit: Limit = 50, cursor: Cursor = None,
                        status: RunStatus = None) -> Page[JobRunOut]:
        return await service.list_runs(limit, cursor, status)

    @get("/runs/{run_id:uuid}", summary="One job run")
    async def get_run(self, tenant: TenantScope, run_id: FromPath[uuid.UUID]) -> JobRunOut:
        return await service.get_run(run_id)

    @post("/runs/{run_id:uuid}/retry", status_code=202, summary="Run a failed job run again from where it stopped")
    async def retry_run(self, tenant: TenantScope, run_id: FromPath[uuid.UUID]) -> JobRunOut:
        return await service.retry_run(run_id)
