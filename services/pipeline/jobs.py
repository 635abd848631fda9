"""rq jobs of pipeline. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`); the
scheduler fans them out to every tenant (`infra.schedule`)."""

from services.pipeline.service import completion, notifications


async def remind_activities(hours: int = notifications.REMIND_HOURS) -> int:
    """Reminders of activities due within `hours` and overdue, once each; returns how many went out."""
    return await notifications.send_activity_reminders(hours)


async def schedule_missed_next_activities() -> int:
    """The chain's safety net: completions whose triggered next activity is missing get it; returns how many."""
    return await completion.schedule_missed_next_activities()
