"""Checks of ids that partners' bodies name but contacts owns: customers.

Each answers only for the current tenant: another tenant's id is "not found", never "forbidden".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from infra.problems import NotFoundError, invalid, not_ours
from services.contacts.tables import Customer


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

