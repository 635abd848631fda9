"""Collaborator results (kết quả cộng tác viên): what each partner brought in a month, quarter or year.

A lead or opportunity is the partner's when its `referred_by_partner_id` names it (pipeline; set on create or
update, checked to be a partner of the tenant). For the period, on the tenant's calendar days:
- leads_referred: referred leads/opportunities created in the period; of those, `qualified` (now an
  opportunity), `won`, and `converted` (qualified or won);
- revenue: the untaxed net of the accepted quotations of referred opportunities, by the day they were accepted,
  plus the expected revenue of referred opportunities won in the period without an accepted quotation (a sale is
  counted once);
- commission: each quotation line's net times the rate the partner's policy gives on the day of the sale
  (services/partners/service/policies.py: the version in force then, product > category > tier rule), each
  line rounded half up to the currency's minor unit; a won opportunity without a quotation takes the tier rule.
No policy, or no version in force on that day: no commission for that sale. The partner's tier is its current one.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from infra.problems import NotFoundError
from services.partners.schemas import CollaboratorResult, PartnerOut, PolicyVersionOut
from services.partners.service.partners import all_partners, get_partner
from services.partners.service.policies import terms_of, version_on
from services.partners.service.targets import check_period_start, period_end
from services.partners.tables import Partner
from services.pipeline.tables import Product
from tenants.access import Access
from tenants.context import current_tenant_id
from tenants.locale import tenant_time_zone

_REFERRALS = """
SELECT referred_by_partner_id AS partner_id, count(*) AS referred,
    count(*) FILTER (WHERE kind = 'opportunity') AS qualified, count(*) FILTER (WHERE state = 'won') AS won,
    count(*) FILTER (WHERE kind = 'opportunity' OR state = 'won') AS converted
FROM opportunity
WHERE tenant_id = {} AND referred_by_partner_id = ANY({}::uuid[])
    AND (created_at AT TIME ZONE {})::date BETWEEN {} AND {}
GROUP BY referred_by_partner_id
"""
# The sales: accepted quotations of referred opportunities (their lines), and referred opportunities won without
# one (their expected revenue as a single line), each with the tenant's day of the sale.
_SALES = """
SELECT o.referred_by_partner_id AS partner_id, (q.decided_at AT TIME ZONE {})::date AS sold_on, q.lines,
    NULL::bigint AS amount
FROM quotation q JOIN opportunity o ON o.tenant_id = q.tenant_id AND o.id = q.opportunity_id
WHERE q.tenant_id = {} AND o.referred_by_partner_id = ANY({}::uuid[]) AND q.state = 'accepted'
    AND q.currency = {} AND (q.decided_at AT TIME ZONE {})::date BETWEEN {} AND {}
UNION ALL
SELECT o.referred_by_partner_id, (o.closed_at AT TIME ZONE {})::date, NULL, o.expected_revenue
FROM opportunity o
WHERE o.tenant_id = {} AND o.referred_by_partner_id = ANY({}::uuid[]) AND o.state = 'won' AND o.currency = {}
    AND (o.closed_at AT TIME ZONE {})::date BETWEEN {} AND {}
    AND NOT EXISTS (SELECT 1 FROM quotation q WHERE q.tenant_id = o.tenant_id AND q.opportunity_id = o.id
                    AND q.state = 'accepted')
"""


def commission_of(net: int, rate_percent: float) -> int:
    """`net` × rate %, rounded half up to the minor unit (the rate as written, not its binary float)."""
    return int((Decimal(net) * Decimal(str(rate_percent)) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class _Policies:
    """The version of a policy in force on a day, read once per (policy, day)."""

    def __init__(self) -> None:
        self._found: dict[tuple[uuid.UUID, datetime.date], PolicyVersionOut | None] = {}

    async def on(self, policy_id: uuid.UUID | None, day: datetime.date) -> PolicyVersionOut | None:
        if policy_id is None:
            return None
        if (policy_id, day) not in self._found:
            try:
                self._found[(policy_id, day)] = await version_on(policy_id, day)
            except NotFoundError:
                self._found[(policy_id, day)] = None
        return self._found[(policy_id, day)]


async def results(partners: list[PartnerOut], period: str, start: datetime.date,
                  currency: str) -> list[CollaboratorResult]:
    check_period_start(period, start)
    end = period_end(period, start)
    tenant_id, zone = current_tenant_id(), (await tenant_time_zone()).key
    ids = [partner.id for partner in partners]
    referrals = {row["partner_id"]: row for row in await Partner.raw(_REFERRALS, tenant_id, ids, zone, start, end)}
    sales = await Partner.raw(_SALES, zone, tenant_id, ids, currency, zone, start, end,
                              zone, tenant_id, ids, currency, zone, start, end)
    for sale in sales:
        if isinstance(sale["lines"], str):
            sale["lines"] = json.loads(sale["lines"])
    product_ids = {line["product_id"] for sale in sales for line in sale["lines"] or [] if line.get("product_id")}
    categories: dict[str, str | None] = {}
    if product_ids:
        rows = await Product.select(Product.id, Product.category).where(
            (Product.tenant_id == tenant_id) & Product.id.is_in([uuid.UUID(i) for i in product_ids]))
        categories = {str(row["id"]): row["category"] for row in rows}

    by_id = {partner.id: partner for partner in partners}
    policies = _Policies()
    revenue: dict[uuid.UUID, int] = defaultdict(int)
    commission: dict[uuid.UUID, int] = defaultdict(int)
    for sale in sales:
        partner = by_id[sale["partner_id"]]
        version = await policies.on(partner.policy_id, sale["sold_on"])
        lines: list[dict[str, Any]] = sale["lines"] or [{"net": sale["amount"], "product_code": None}]
        for line in lines:
            category = categories.get(str(line.get("product_id")))
            rate = terms_of(version, sale["sold_on"], partner.tier, line.get("product_code"),
                            category).commission_percent if version else 0.0
            revenue[partner.id] += line["net"]
            commission[partner.id] += commission_of(line["net"], rate)

    out = []
    for partner in partners:
        counts = referrals.get(partner.id, {"referred": 0, "qualified": 0, "won": 0, "converted": 0})
        out.append(CollaboratorResult(
            partner_id=partner.id, customer_name=partner.customer_name, kind=partner.kind, tier=partner.tier,
            period=period, period_start=start, period_end=end, currency=currency,
            leads_referred=counts["referred"], qualified=counts["qualified"], won=counts["won"],
            converted=counts["converted"],
            conversion_percent=round(counts["converted"] * 100 / counts["referred"], 2) if counts["referred"] else 0.0,
            revenue=revenue[partner.id], commission=commission[partner.id]))
    return out


async def partner_results(access: Access, partner_id: uuid.UUID, period: str, start: datetime.date,
                          currency: str) -> CollaboratorResult:
    return (await results([await get_partner(access, partner_id)], period, start, currency))[0]


async def all_results(access: Access, kind: str | None, period: str, start: datetime.date,
                      currency: str) -> list[CollaboratorResult]:
    """Every partner of `kind` (all kinds when None) the caller sees, by name, with zeros for those who brought
    nothing."""
    return await results(await all_partners(access, kind), period, start, currency)
