"""rq jobs of partners. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`)."""

from services.partners.service import credit, targets


async def daily_credit_and_targets() -> dict[str, int]:
    """One tenant's daily pass: holds for invoices that fell due, and rebates of targets whose period ended."""
    return {"holds_changed": await credit.refresh_all_holds(), "targets_closed": await targets.close_ended_targets()}
