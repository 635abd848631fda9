"""Interactions with a customer: calls, meetings, care actions, emails, notes and consulting entries.

Logging one moves the customer's `last_contacted_at` forward (never back: an old call entered late does not
hide a newer one), and a customer that sat at "Đừng quên" returns to the status it had before, by the same rule
as a contact recorded on the customer itself (`statuses.restore_after_contact`).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import msgspec

from infra.problems import ProblemError, invalid
from services.contacts.events import INTERACTION_CREATED, InteractionData
from services.contacts.schemas import InteractionCreate, InteractionOut
from services.contacts.service import statuses
from services.contacts.service.customers import get_customer
from services.contacts.tables import ContactPerson, Customer, Interaction
from services.identity.service.org import placement_of
from tenants import audit
from tenants.access import Access
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emit

# A clock a little ahead of ours is tolerated; an interaction further in the future has not happened yet.
CLOCK_SKEW = datetime.timedelta(minutes=5)
_COLUMNS = [Interaction.id, Interaction.customer.as_alias("customer_id"), Interaction.kind, Interaction.subject,
            Interaction.body, Interaction.occurred_at, Interaction.duration_seconds, Interaction.direction,
            Interaction.outcome, Interaction.follow_up_at, Interaction.contact_person.as_alias("contact_person_id"),
            Interaction.user_id, Interaction.created_at]


def _out(row: dict[str, Any]) -> InteractionOut:
    return msgspec.convert(row, InteractionOut, strict=False)


async def _check_references(customer_id: uuid.UUID, data: InteractionCreate) -> None:
    if data.contact_person_id is not None and not await ContactPerson.exists().where(
            (ContactPerson.tenant_id == current_tenant_id()) & (ContactPerson.customer == customer_id)
            & (ContactPerson.id == data.contact_person_id)):
        raise invalid([("contact_person_id", "not_found", "Không có người liên hệ này ở khách hàng",
                        "No such contact person at this customer")])
    if data.user_id is not None and await placement_of(data.user_id) is None:
        raise invalid([("user_id", "not_found", "Không có thành viên này trong công ty",
                        "No such member in this company")])


async def touch_last_contacted(customer_id: uuid.UUID, contacted_at: datetime.datetime) -> bool:
    """Move `last_contacted_at` forward to `contacted_at` and bring the customer back from "Đừng quên" when the
    contact came after the move there. Returns whether its status changed."""
    await Customer.raw(
        "UPDATE customer SET last_contacted_at = {}, updated_at = now() WHERE tenant_id = {} AND id = {} "
        "AND (last_contacted_at IS NULL OR last_contacted_at < {})",
        contacted_at, current_tenant_id(), customer_id, contacted_at)
    return await statuses.restore_after_contact(customer_id, contacted_at)


async def create_interaction(access: Access, customer_id: uuid.UUID, data: InteractionCreate) -> InteractionOut:
    await get_customer(access, customer_id)  # 404 unless the caller sees it
    now = datetime.datetime.now(datetime.UTC)
    occurred_at = data.occurred_at or now
    if occurred_at.tzinfo is None:
        raise invalid([("occurred_at", "invalid_format", "Thời điểm cần có múi giờ (ISO 8601)",
                        "The time needs a time zone (ISO 8601)")])
    if occurred_at > now + CLOCK_SKEW:
        raise invalid([("occurred_at", "in_future", "Tương tác chưa diễn ra: thời điểm ở tương lai",
                        "The interaction has not happened yet: the time is in the future")])
    await _check_references(customer_id, data)
    interaction = Interaction(
        tenant_id=current_tenant_id(), customer=customer_id, kind=data.kind, subject=data.subject.strip(),
        body=data.body, occurred_at=occurred_at, duration_seconds=data.duration_seconds,
        direction=data.direction, outcome=data.outcome, follow_up_at=data.follow_up_at,
        user_id=data.user_id or access.user_id, contact_person=data.contact_person_id)
    await interaction.save()
    await touch_last_contacted(customer_id, occurred_at)
    created = await _fetch(customer_id, interaction.id)
    await audit.record("interaction.create", "interaction", created.id, after=created)
    fields = msgspec.structs.asdict(created)
    await emit(INTERACTION_CREATED,
               InteractionData(**{name: fields[name] for name in InteractionData.__struct_fields__}))
    return created


async def _fetch(customer_id: uuid.UUID, interaction_id: uuid.UUID) -> InteractionOut:
    row = await Interaction.select(*_COLUMNS).where(
        (Interaction.tenant_id == current_tenant_id()) & (Interaction.customer == customer_id)
        & (Interaction.id == interaction_id)).first()
    if row is None:
        raise ProblemError(404, "not_found", "Không tìm thấy tương tác.", "Interaction not found.")
    return _out(row)


async def get_interaction(access: Access, customer_id: uuid.UUID, interaction_id: uuid.UUID) -> InteractionOut:
    await get_customer(access, customer_id)
    return await _fetch(customer_id, interaction_id)


async def list_interactions(access: Access, customer_id: uuid.UUID, limit: int,
                            cursor: str | None) -> Page[InteractionOut]:
    """The customer's interactions, the most recently logged first (the timeline orders by when they happened)."""
    await get_customer(access, customer_id)
    query = Interaction.select(*_COLUMNS).where(
        (Interaction.tenant_id == current_tenant_id()) & (Interaction.customer == customer_id))
    if before := decode_cursor(cursor):
        query = query.where(Interaction.id < before)
    items = [_out(row) for row in await query.order_by(Interaction.id, ascending=False).limit(limit + 1)]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)
