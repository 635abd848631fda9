"""rq jobs of reporting. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`)."""

import uuid

from services.reporting.service import exports, rollups


async def fold_rollups() -> int:
    """Fold the tenant's pending roll-up deltas (every few minutes, declared in `infra.schedule`)."""
    return await rollups.fold_all()


async def rebuild_rollups() -> int:
    """Rebuild the tenant's roll-ups from the source rows (`crm reporting rebuild`)."""
    return await rollups.rebuild_all()


async def run_report(report_id: str) -> str:
    """A printed report written to a file in S3 (`service.exports`), on the `reports` queue; its final status.
    It keeps its own `job_run` progress (rows written of rows), so it returns no row count."""
    return await exports.run_report(uuid.UUID(report_id))
