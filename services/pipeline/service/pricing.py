"""Exact money: line prices, price policies and totals in integer minor units (docs/decisions.md, "Quotation
money").

A line is priced in this order, each amount rounded half-up to a whole minor unit (a đồng for VND):
gross = quantity × unit price; the price policy takes its part of gross; the line's own discount % takes its
part of what is left; tax % is charged on the net; total = net + tax. A quotation's totals are the sums of its
rounded lines, so the lines always add up to the totals shown.

Which policy applies when several match a line: the highest `priority`; among equal priorities the one that
takes most off the line (the best for the customer); then the oldest. Policies never stack.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import msgspec

from infra.problems import invalid
from services.pipeline.schemas import AppliedPolicy, ComponentOut, QuotationLine, Totals
from services.pipeline.tables import PricePolicy
from tenants.context import current_tenant_id

HUNDRED = Decimal(100)
MAX_QUANTITY = Decimal(10) ** 9


def whole(amount: Decimal) -> int:
    """Half-up to a whole minor unit: 0.5 đồng becomes 1."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_percent(value: Decimal, field: str) -> Decimal:
    if not value.is_finite() or not Decimal(0) <= value <= HUNDRED or value != value.quantize(Decimal("0.01")):
        raise invalid([(field, "invalid_percent", "Phần trăm từ 0 đến 100, tối đa 2 chữ số thập phân",
                        "A percentage from 0 to 100 with at most 2 decimals")])
    return value


def check_quantity(value: Decimal, field: str, *, allow_zero: bool = False) -> Decimal:
    low_ok = value >= 0 if allow_zero else value > 0
    if not value.is_finite() or not low_ok or value > MAX_QUANTITY or value != value.quantize(Decimal("0.001")):
        raise invalid([(field, "invalid_quantity", "Số lượng phải dương, tối đa 3 chữ số thập phân",
                        "A quantity must be positive, with at most 3 decimals")])
    return value


class Policy(msgspec.Struct, frozen=True):
    """A price policy that is in force for one customer on one date."""

    id: uuid.UUID
    name: str
    product: uuid.UUID | None
    category: str | None
    min_quantity: Decimal
    percent: Decimal | None
    amount: int | None
    currency: str | None
    priority: int

    def takes(self, gross: int, quantity: Decimal) -> int:
        if self.percent is not None:
            return whole(gross * self.percent / HUNDRED)
        return min(gross, whole(Decimal(self.amount or 0) * quantity))


# The customer's groups and every group above them: a policy for "Đại lý" also serves "Đại lý miền Bắc".
_POLICIES_IN_FORCE = """
WITH RECURSIVE above AS (
    SELECT g.id, g.parent_id FROM customer_group g
    JOIN customer_group_member m ON m.tenant_id = g.tenant_id AND m.group_id = g.id
    WHERE m.tenant_id = {} AND m.customer_id = {}
    UNION
    SELECT p.id, p.parent_id FROM customer_group p JOIN above a ON p.id = a.parent_id WHERE p.tenant_id = {}
)
SELECT id, name, product, category, min_quantity, percent, amount, currency, priority FROM price_policy
WHERE tenant_id = {} AND active AND valid_from <= {} AND (valid_to IS NULL OR valid_to >= {})
  AND (customer_group_id IS NULL OR customer_group_id IN (SELECT id FROM above))
ORDER BY priority DESC, id
"""


async def policies_in_force(customer_id: uuid.UUID, on: datetime.date) -> list[Policy]:
    tenant_id = current_tenant_id()
    rows = await PricePolicy.raw(_POLICIES_IN_FORCE, tenant_id, customer_id, tenant_id, tenant_id, on, on)
    return msgspec.convert(rows, list[Policy])


class Priced(msgspec.Struct, frozen=True):
    """What a line is about before pricing: its product (if any) and the caller's figures."""

    product_id: uuid.UUID | None
    product_code: str | None
    category: str | None
    description: str
    unit: str | None
    quantity: Decimal
    unit_price: int
    discount_percent: Decimal
    tax_percent: Decimal
    parts: tuple[ComponentOut, ...] = ()  # a bundle's parts, listed on the line (the bundle is priced as one)


def best_policy(policies: list[Policy], line: Priced, currency: str, gross: int) -> Policy | None:
    """The policy that applies to `line` (see the module's rule), or None."""
    matching = [policy for policy in policies
                if line.product_id is not None
                and policy.product in (None, line.product_id)
                and policy.category in (None, line.category)
                and line.quantity >= policy.min_quantity
                and (policy.percent is not None or policy.currency == currency)]
    if not matching:
        return None
    return min(matching, key=lambda policy: (-policy.priority, -policy.takes(gross, line.quantity), policy.id))


def price_line(line: Priced, policy: Policy | None) -> QuotationLine:
    gross = whole(line.quantity * line.unit_price)
    policy_takes = policy.takes(gross, line.quantity) if policy else 0
    discount = whole((gross - policy_takes) * line.discount_percent / HUNDRED)
    net = gross - policy_takes - discount
    tax = whole(net * line.tax_percent / HUNDRED)
    return QuotationLine(
        product_id=line.product_id, product_code=line.product_code, description=line.description, unit=line.unit,
        quantity=line.quantity, unit_price=line.unit_price, discount_percent=line.discount_percent,
        tax_percent=line.tax_percent, gross=gross,
        policy=AppliedPolicy(id=policy.id, name=policy.name, amount=policy_takes) if policy else None,
        discount=discount, net=net, tax=tax, total=net + tax, parts=list(line.parts))


def price_lines(lines: list[Priced], policies: list[Policy], currency: str) -> list[QuotationLine]:
    return [price_line(line, best_policy(policies, line, currency, whole(line.quantity * line.unit_price)))
            for line in lines]


def totals_of(lines: list[QuotationLine]) -> Totals:
    return Totals(subtotal=sum(line.gross for line in lines),
                  discount_total=sum(line.gross - line.net for line in lines),
                  untaxed_total=sum(line.net for line in lines), tax_total=sum(line.tax for line in lines),
                  total=sum(line.total for line in lines))


def totals_columns(totals: Totals) -> dict[str, Any]:
    return msgspec.structs.asdict(totals)
