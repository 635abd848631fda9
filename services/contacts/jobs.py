"""rq jobs of contacts. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`)."""

import datetime
import uuid

from infra.jobs import Progress
from services.contacts.service import customers, duplicates, exports, imports, statuses


async def count_customers() -> int:
    """How many customers the job's tenant has: the smallest tenant job, used to check the job plumbing."""
    return await customers.count_customers()


async def age_statuses(slice_rows: int = statuses.AGEING_SLICE, after: tuple[str, str] | None = None) -> Progress:
    """The daily "Đừng quên" ageing of one tenant (declared in `infra.schedule`), a slice at a time; `after` is
    the last-touch keyset where the previous slice stopped."""
    start = statuses.START if after is None else (datetime.datetime.fromisoformat(after[0]), uuid.UUID(after[1]))
    moved, left, (touched, last_id) = await statuses.age_to_dont_forget(slice_rows, start)
    return Progress(moved, left, {"after": (touched.isoformat(), str(last_id))})


async def run_import(import_id: str) -> str:
    """An import of customers (`service.imports`), on the `imports` queue; returns its final status."""
    return (await imports.run_import(uuid.UUID(import_id))).status


async def run_export(export_id: str) -> str:
    """An export of customers (`service.exports`), on the `imports` queue; returns its final status."""
    return (await exports.run_export(uuid.UUID(export_id))).status


async def scan_duplicates() -> int:
    """The nightly duplicate scan of one tenant (declared in `infra.schedule`); returns the pairs that match."""
    return await duplicates.scan()
