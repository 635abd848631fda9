"""The job console for support staff: queue depths and the running and failed jobs of every tenant (from rq), one
tenant's job runs, and retrying a failed run with a stated reason (audited in that tenant's log)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from infra.jobs import QUEUES
from services.identity.controllers.jobs import RunStatus
from services.identity.controllers.support import SupportStaffId, provide_staff_id
from services.identity.schemas import JobRetry, JobRunOut, QueueDepthOut, RqJobOut
from services.identity.service import jobs as service
from services.identity.service.support import support_actor
from tenants.context import tenant_transaction
from tenants.pagination import Cursor, Limit, Page

JobState = Annotated[Literal["started", "failed"], QueryParameter(name="state")]  # `state` is Litestar's own name
QueueName = Annotated[Literal[QUEUES] | None, QueryParameter()]  # type: ignore[valid-type]


class SupportJobsController(Controller):
    path = "/support"
    tags = ["support"]
    opt = {"public": True}
    dependencies = {"staff_id": Provide(provide_staff_id)}

    @get("/jobs/queues", summary="How many jobs wait, run, failed, are scheduled or deferred, per queue")
    async def queues(self, staff_id: SupportStaffId) -> list[QueueDepthOut]:
        return await asyncio.to_thread(service.queue_depths)

    @get("/jobs", summary="Running (`started`) or failed jobs of every tenant, newest first")
    async def rq_jobs(self, staff_id: SupportStaffId, job_state: JobState, queue: QueueName = None,
                      limit: Limit = 50) -> list[RqJobOut]:
        return await asyncio.to_thread(service.rq_jobs, job_state, queue, limit)

    @get("/tenants/{tenant_id:uuid}/job-runs", summary="A tenant's job runs with their progress, newest first")
    async def list_runs(self, staff_id: SupportStaffId, tenant_id: FromPath[uuid.UUID], limit: Limit = 50,
                        cursor: Cursor = None, status: RunStatus = None) -> Page[JobRunOut]:
        async with tenant_transaction(tenant_id):
            return await service.list_runs(limit, cursor, status)

    @post("/tenants/{tenant_id:uuid}/job-runs/{run_id:uuid}/retry", status_code=202,
          summary="Run a tenant's failed job run again, with a stated reason")
    async def retry_run(self, staff_id: SupportStaffId, tenant_id: FromPath[uuid.UUID], run_id: FromPath[uuid.UUID],
                        data: JSONBody[JobRetry]) -> JobRunOut:
        async with tenant_transaction(tenant_id):
            return await service.retry_run(run_id, support_actor(staff_id, data.reason))
