"""rq jobs of pipeline. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`) and is
safe to run twice: what it changes no longer matches the second time."""

from services.pipeline.service import contracts, quotations


async def expire_quotations() -> int:
    """Sent quotations past their validity date become expired; returns how many."""
    return await quotations.expire_due()


async def contracts_daily() -> dict[str, int]:
    """Signed contracts that have started become active; renewal reminders for those inside their notice window;
    expiry of those that have ended."""
    return {"activated": await contracts.activate_started(), "reminded": await contracts.remind_renewals(),
            "expired": await contracts.expire_ended()}
