"""rq jobs of contacts. Each runs inside its tenant's transaction (see `infra.jobs.enqueue_for_tenant`)."""

from services.contacts.service import customers


async def count_customers() -> int:
    """How many customers the job's tenant has: the smallest tenant job, used to check the job plumbing."""
    return await customers.count_customers()
