"""Discount targets (chỉ tiêu chiết khấu): a partner's target for a month, quarter or year, with tiered
rebate rates; progress any day; at period close the rebate is fixed once and announced to the ERP.

Attainment counts the sales the ERP reports for the partner (sales orders in the ledger, dated in the period):
the ERP is where a sale becomes real, and counting quotations as well would count a sale twice once the ERP
reports it. Rebate: the rate of the highest tier reached, on the period's revenue, in basis points, rounded
half up to the currency's minor unit — so it is exact to the last đồng.

A target is seen by whoever sees its partner (services/partners/service/partners.py); others get 404.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, invalid
from services.partners.events import REBATE_EARNED, RebateEarned
from services.partners.schemas import RebateTier, TargetCreate, TargetProgress
from services.partners.service.partners import fetch_partner, get_partner
from services.partners.tables import DiscountTarget, LedgerEntry, Partner
from tenants import audit
from tenants.access import Access, visible_sql, visible_to
from tenants.context import current_tenant_id
from tenants.locale import tenant_today
from webhooks.outbox import emit

TARGET_NOT_FOUND = NotFoundError("chỉ tiêu", "Target")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_end(period: str, start: datetime.date) -> datetime.date:
    """The last day of the period that begins on `start`."""
    months = start.month - 1 + _MONTHS[period]  # from January of start's year to the month after the period
    return datetime.date(start.year + months // 12, months % 12 + 1, 1) - datetime.timedelta(days=1)


def check_period_start(period: str, start: datetime.date) -> None:
    aligned = start.day == 1 and (period == "month" or (period == "quarter" and start.month in (1, 4, 7, 10))
                                  or (period == "year" and start.month == 1))
    if not aligned:
        raise invalid([("period_start", "not_period_start", "Phải là ngày đầu tháng, quý hoặc năm",
                        "Must be the first day of the month, quarter or year")])


def rebate_of(tiers: list[RebateTier], target: int, achieved: int, revenue: int) -> tuple[float, int, int]:
    """(attainment %, rate in basis points, rebate in minor units)."""
    attainment = achieved * 100 / target
    reached = [tier.rate_bp for tier in tiers if achieved * 100 >= tier.threshold_percent * target]
    rate = max(reached, default=0)
    return attainment, rate, (revenue * rate + 5000) // 10000


async def _achieved(customer_id: uuid.UUID, start: datetime.date, end: datetime.date,
                    currency: str) -> tuple[int, int]:
    """(revenue, quantity) of the ERP's sales orders for the customer dated in [start, end]."""
    rows = await LedgerEntry.raw(
        "SELECT coalesce(sum(amount), 0)::bigint AS revenue, coalesce(sum((SELECT sum((line->>'quantity')::numeric) "
        "FROM jsonb_array_elements(lines) line)), 0) AS quantity FROM ledger_entry "
        "WHERE tenant_id = {} AND customer_id = {} AND kind = 'sales_order' AND currency = {} "
        "AND document_date BETWEEN {} AND {}", current_tenant_id(), customer_id, currency, start, end)
    return rows[0]["revenue"], int(rows[0]["quantity"])


def _progress(row: dict[str, Any], achieved: int, revenue: int) -> TargetProgress:
    tiers = msgspec.convert(row["tiers"], list[RebateTier])
    attainment, rate, rebate = rebate_of(tiers, row["target"], achieved, revenue)
    return TargetProgress(id=row["id"], partner_id=row["partner_id"], period=row["period"],
                          period_start=row["period_start"], period_end=row["period_end"], metric=row["metric"],
                          target=row["target"], currency=row["currency"], tiers=tiers, status=row["status"],
                          achieved=achieved, attainment_percent=round(attainment, 2), rate_bp=rate, revenue=revenue,
                          rebate=rebate if row["rebate"] is None else row["rebate"])


async def _row(target_id: uuid.UUID) -> dict[str, Any]:
    row = await DiscountTarget.select().where(
        (DiscountTarget.tenant_id == current_tenant_id()) & (DiscountTarget.id == target_id)).output(
        load_json=True).first()
    if row is None:
        raise TARGET_NOT_FOUND
    return row


async def progress(target_id: uuid.UUID, access: Access | None = None) -> TargetProgress:
    """The target's progress; with `access`, only of a partner the caller sees (404 otherwise). Jobs, and
    reports that chose the targets by visibility already, pass none."""
    row = await _row(target_id)
    try:
        partner = await fetch_partner(row["partner_id"], *(visible_to(access, Partner) if access else []))
    except NotFoundError:
        raise TARGET_NOT_FOUND from None
    revenue, quantity = await _achieved(partner.customer_id, row["period_start"], row["period_end"], row["currency"])
    achieved = row["achieved"] if row["achieved"] is not None else (revenue if row["metric"] == "revenue" else quantity)
    return _progress(row, achieved, revenue)


async def list_targets(access: Access, partner_id: uuid.UUID | None) -> list[TargetProgress]:
    """Targets of the partners the caller sees (of `partner_id` only, when given)."""
    visible, args = visible_sql(access, "p")
    conditions = [visible, *(["d.partner_id = {}"] if partner_id else [])]
    rows = await DiscountTarget.raw(
        "SELECT d.id FROM discount_target d "  # noqa: S608 - the conditions are ours, their values arguments
        "JOIN partner p ON p.tenant_id = d.tenant_id AND p.id = d.partner_id "
        f"WHERE d.tenant_id = {{}} AND {' AND '.join(conditions)} ORDER BY d.period_start, d.id",
        current_tenant_id(), *args, *([partner_id] if partner_id else []))
    return [await progress(row["id"]) for row in rows]


async def create_target(access: Access, data: TargetCreate) -> TargetProgress:
    await get_partner(access, data.partner_id)
    check_period_start(data.period, data.period_start)
    thresholds = [tier.threshold_percent for tier in data.tiers]
    if len(set(thresholds)) != len(thresholds):
        raise invalid([("tiers", "duplicate_threshold", "Mỗi bậc một ngưỡng khác nhau",
                        "Each tier needs its own threshold")])
    target = DiscountTarget(
        tenant_id=current_tenant_id(), partner_id=data.partner_id, period=data.period,
        period_start=data.period_start, period_end=period_end(data.period, data.period_start), metric=data.metric,
        target=data.target, currency=data.currency,
        tiers=msgspec.json.encode(sorted(data.tiers, key=lambda tier: tier.threshold_percent)).decode())
    await target.save()
    created = await progress(target.id)
    await audit.record("discount_target.create", "discount_target", target.id, after=created)
    return created


async def close_ended_targets() -> int:
    """Fix the rebate of every open target whose period has ended, once: the UPDATE claims each row."""
    today = await tenant_today()
    due = await DiscountTarget.select(DiscountTarget.id).where(
        (DiscountTarget.tenant_id == current_tenant_id()) & (DiscountTarget.status == "open")
        & (DiscountTarget.period_end < today))
    closed = 0
    for row in due:
        result = await progress(row["id"])
        claimed = await DiscountTarget.raw(
            "UPDATE discount_target SET status = 'closed', achieved = {}, rebate = {}, closed_at = now(), "
            "updated_at = now() WHERE tenant_id = {} AND id = {} AND status = 'open' RETURNING id",
            result.achieved, result.rebate, current_tenant_id(), row["id"])
        if not claimed:
            continue
        closed += 1
        partner = await fetch_partner(result.partner_id)
        await audit.record("discount_target.close", "discount_target", result.id, after=result)
        await emit(REBATE_EARNED, RebateEarned(
            target_id=result.id, partner_id=result.partner_id, customer_id=partner.customer_id, period=result.period,
            period_start=result.period_start, period_end=result.period_end, metric=result.metric,
            target=result.target, achieved=result.achieved, rate_bp=result.rate_bp, revenue=result.revenue,
            rebate=result.rebate, currency=result.currency))
    return closed
