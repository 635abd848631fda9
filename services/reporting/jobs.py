"""rq jobs of reporting. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`)."""

from services.reporting.service import rollups


async def fold_rollups() -> int:
    """Fold the tenant's pending roll-up deltas (every few minutes, declared in `infra.schedule`)."""
    return await rollups.fold_all()


async def rebuild_rollups() -> int:
    """Rebuild the tenant's roll-ups from the source rows (`crm reporting rebuild`)."""
    return await rollups.rebuild_all()
