"""rq jobs of contacts. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`)."""

import uuid

from infra.jobs import Progress
from services.contacts.service import customers, duplicates, exports, imports, statuses


async def count_customers() -> int:
    """How many customers the job's tenant has: the smallest tenant job, used to check the job plumbing."""
    return await customers.count_customers()


async def age_statuses(batch_size: int = statuses.AGEING_BATCH,
                       slice_rows: int = statuses.AGEING_SLICE) -> Progress:
    """The daily "Đừng quên" ageing of one tenant (declared in `infra.schedule`), a slice at a time."""
    return Progress(*await statuses.age_to_dont_forget(batch_size, slice_rows))


async def run_import(import_id: str) -> str:
    """An import of customers (`service.imports`), on the `imports` queue; returns its final status."""
    return (await imports.run_import(uuid.UUID(import_id))).status


async def run_export(export_id: str) -> str:
    """An export of customers (`service.exports`), on the `imports` queue; returns its final status."""
    return (await exports.run_export(uuid.UUID(export_id))).status


async def scan_duplicates() -> int:
    """The nightly duplicate scan of one tenant (declared in `infra.schedule`); returns the pairs that match."""
    return await duplicates.scan()
