"""Checks of ids that partners' bodies name but other services own: customers (contacts), members (identity).

Each answers only for the current tenant: another tenant's id is "not found", never "forbidden".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from infra.problems import NotFoundError, invalid, not_ours
from services.contacts.tables import Customer
from services.identity.tables import Membership
from tenants.context import current_tenant_id


async def customer_names(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await Customer.select(Customer.id, Customer.name).where(Customer.id.is_in(wanted))
    return {row["id"]: row["name"] for row in rows}


CUSTOMER_NOT_FOUND = NotFoundError("khách hàng", "Customer")


async def require_customer(customer_id: uuid.UUID, field: str | None = "customer_id") -> str:
    """The customer's name. Not this tenant's: 422 naming `field` (an id in a body), or 404 when `field` is
    None (an id in the path)."""
    names = await customer_names([customer_id])
    if customer_id not in names:
        raise invalid([not_ours(field, "khách hàng", "customer")]) if field else CUSTOMER_NOT_FOUND
    return names[customer_id]


async def require_member(user_id: uuid.UUID | None, field: str) -> None:
    if user_id is None:
        return
    found = await Membership.select(Membership.id).where(
        (Membership.tenant_id == current_tenant_id()) & (Membership.user_id == user_id)
        & Membership.is_active.eq(True)).first()
    if found is None:
        raise invalid([not_ours(field, "thành viên", "member")])
