"""Reporting's own tables: roll-ups of other services' rows, kept current in the same transaction as each change.

`customer_fact` counts customers per combination of the dimensions dashboards filter and group by; a
statement-level trigger on `customer` (see migrations) appends +n/-n rows to `customer_fact_delta` (insert-only:
no hot counter rows under concurrent writes), and the fold job moves them into `customer_fact`. A query reads
both, so a figure always equals the direct count over `customer`.
"""

from piccolo.columns import UUID, BigInt, Date, Integer, Varchar

from tenants.tables import TenantTable


class CustomerFact(TenantTable, tablename="customer_fact"):
    created_day = Date(null=False)  # in the tenant's time zone
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    source_id = UUID(null=True, default=None)
    lifecycle_stage = Varchar(length=16, null=False)
    relationship_status_id = UUID(null=True, default=None)
    customers = BigInt(default=0, null=False)


class CustomerFactDelta(TenantTable, tablename="customer_fact_delta"):
    created_day = Date(null=False)
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    source_id = UUID(null=True, default=None)
    lifecycle_stage = Varchar(length=16, null=False)
    relationship_status_id = UUID(null=True, default=None)
    delta = Integer(null=False)
