"""rq jobs of pipeline. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`); the
scheduler fans them out to every tenant (`infra.schedule`). Each is safe to run twice: what it changes no longer
matches the second time."""

from services.pipeline.service import completion, contracts, notifications, quotations


async def remind_activities(hours: int = notifications.REMIND_HOURS) -> int:
    """Reminders of activities due within `hours` and overdue, once each; returns how many went out."""
    return await notifications.send_activity_reminders(hours)


async def schedule_missed_next_activities() -> int:
    """The chain's safety net: completions whose triggered next activity is missing get it; returns how many."""
    return await completion.schedule_missed_next_activities()


async def expire_quotations() -> int:
    """Sent quotations past their validity date become expired; returns how many."""
    return await quotations.expire_due()


async def contracts_daily() -> dict[str, int]:
    """Signed contracts that have started become active; renewal reminders for those inside their notice window;
    expiry of those that have ended."""
    return {"activated": await contracts.activate_started(), "reminded": await contracts.remind_renewals(),
            "expired": await contracts.expire_ended()}
