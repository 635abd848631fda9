"""Credit debt (công nợ): what each visible customer owes on a date, aged in buckets by days past due.

Payments and credit notes settle the oldest-due invoices first (as partners' credit check counts overdue), so
each invoice's open part is what its running total exceeds everything settled by, up to its own amount.
"""

from __future__ import annotations

import datetime

from services.contacts.tables import Customer
from services.reporting.schemas import AgeingBuckets, CustomerDebt, DebtAgeing
from services.reporting.service.customers import Filters, owned_filters
from tenants.access import Access, visible_sql
from tenants.context import current_tenant_id
from tenants.locale import tenant_today

_BUCKETS = ("current", "days_0_30", "days_31_60", "days_61_90", "days_over_90")
_AGEING = """
WITH settled AS (
    SELECT customer_id, sum(amount) AS settled FROM ledger_entry
    WHERE tenant_id = {} AND currency = {} AND kind IN ('payment', 'credit_note') AND document_date <= {}
    GROUP BY customer_id),
invoices AS (
    SELECT customer_id, amount, due_date,
           sum(amount) OVER (PARTITION BY customer_id ORDER BY due_date, id) AS running FROM ledger_entry
    WHERE tenant_id = {} AND currency = {} AND kind = 'invoice' AND document_date <= {}),
open AS (
    SELECT i.customer_id, {} - i.due_date AS late,
           greatest(0, least(i.amount, i.running - coalesce(s.settled, 0))) AS amount
    FROM invoices i LEFT JOIN settled s USING (customer_id))
SELECT o.customer_id, c.name, sum(o.amount)::bigint AS balance,
       coalesce(sum(o.amount) FILTER (WHERE o.late <= 0), 0)::bigint AS current,
       coalesce(sum(o.amount) FILTER (WHERE o.late BETWEEN 1 AND 30), 0)::bigint AS days_0_30,
       coalesce(sum(o.amount) FILTER (WHERE o.late BETWEEN 31 AND 60), 0)::bigint AS days_31_60,
       coalesce(sum(o.amount) FILTER (WHERE o.late BETWEEN 61 AND 90), 0)::bigint AS days_61_90,
       coalesce(sum(o.amount) FILTER (WHERE o.late > 90), 0)::bigint AS days_over_90,
       a.credit_limit, coalesce(a.on_hold, false) AS on_hold
FROM open o JOIN customer c ON c.tenant_id = {} AND c.id = o.customer_id
LEFT JOIN credit_account a ON a.tenant_id = {} AND a.customer_id = o.customer_id AND a.currency = {}
WHERE {visible}
GROUP BY o.customer_id, c.name, a.credit_limit, a.on_hold
HAVING sum(o.amount) > 0
ORDER BY balance DESC, c.name
"""


async def debt_ageing(access: Access, as_of: datetime.date | None = None, currency: str = "VND",
                      filters: Filters | None = None) -> DebtAgeing:
    """`filters`: only its team, branch and owner apply (to the customer)."""
    day = as_of or await tenant_today()
    tenant_id = current_tenant_id()
    visible, args = visible_sql(access, "c")
    owned, owned_args = owned_filters(filters or Filters(), "c")
    args += owned_args
    condition = " AND ".join([visible, *owned])
    rows = await Customer.raw(_AGEING.replace("{visible}", condition), tenant_id, currency, day, tenant_id, currency,
                              day, day, tenant_id, tenant_id, currency, *args)
    customers = [CustomerDebt(
        customer_id=row["customer_id"], name=row["name"], balance=row["balance"],
        overdue=row["balance"] - row["current"], buckets=AgeingBuckets(**{b: row[b] for b in _BUCKETS}),
        credit_limit=row["credit_limit"],
        over_limit=row["credit_limit"] is not None and row["balance"] > row["credit_limit"], on_hold=row["on_hold"])
        for row in rows]
    totals = AgeingBuckets(**{b: sum(getattr(c.buckets, b) for c in customers) for b in _BUCKETS})
    return DebtAgeing(as_of=day, currency=currency, totals=totals, balance=sum(c.balance for c in customers),
                      customers=customers, over_limit=sum(c.over_limit for c in customers),
                      on_hold=sum(c.on_hold for c in customers))
