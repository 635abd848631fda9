"""Contacts' rules: customers, their generated codes, Vietnamese phone numbers and search.

Every function runs inside the caller's tenant transaction; queries also filter by tenant (the first wall;
row-level security is the second).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from infra.text import fold
from services.contacts.schemas import CustomerCreate, CustomerOut, CustomerUpdate
from services.contacts.tables import CodeSequence, Customer
from tenants import audit
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of

CUSTOMER_CODE_PREFIX = "KH"
CUSTOMER_CODE_DIGITS = 6
_VN_PHONE = re.compile(r"^\+84(3|5|7|8|9|2\d)\d{7,8}$")


def normalise_phone(raw: str) -> str:
    """'0912 345 678' and '+84 912.345.678' both become '+84912345678'; anything else is refused."""
    digits = re.sub(r"[ .()-]", "", raw)
    if digits.startswith("0"):
        digits = "+84" + digits[1:]
    elif digits.startswith("84"):
        digits = "+" + digits
    if not _VN_PHONE.match(digits):
        raise ProblemError(422, "validation_error", "Số điện thoại không hợp lệ.", "Invalid phone number.",
                           errors=[("phone", "invalid_phone", "Số điện thoại Việt Nam không hợp lệ",
                                    "Not a valid Vietnamese phone number")])
    return digits


async def next_code(name: str, prefix: str, digits: int) -> str:
    """The tenant's next code in a named sequence; concurrent callers never get the same one."""
    rows = await CodeSequence.raw(
        "INSERT INTO code_sequence (tenant_id, name, value) VALUES ({}, {}, 1) "
        "ON CONFLICT (tenant_id, name) DO UPDATE SET value = code_sequence.value + 1, updated_at = now() "
        "RETURNING value",
        current_tenant_id(), name,
    )
    return f"{prefix}{rows[0]['value']:0{digits}d}"


def _out(row: dict[str, Any]) -> CustomerOut:
    return msgspec.convert(row, CustomerOut, from_attributes=False, strict=False)


_OUT_COLUMNS = [getattr(Customer, name) for name in CustomerOut.__struct_fields__]


async def create_customer(data: CustomerCreate) -> CustomerOut:
    customer = Customer(
        tenant_id=current_tenant_id(),
        code=await next_code("customer", CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_DIGITS),
        kind=data.kind,
        name=data.name.strip(),
        name_folded=fold(data.name),
        email=data.email.lower() if data.email else None,
        phone=normalise_phone(data.phone) if data.phone else None,
        lifecycle_stage=data.lifecycle_stage,
    )
    await customer.save()
    created = await get_customer(customer.id)
    await audit.record("customer.create", "customer", created.id, after=created)
    return created


async def get_customer(customer_id: uuid.UUID) -> CustomerOut:
    row = await Customer.select(*_OUT_COLUMNS).where(
        (Customer.tenant_id == current_tenant_id()) & (Customer.id == customer_id)).first()
    if row is None:
        raise NotFoundError("khách hàng", "Customer")
    return _out(row)


async def list_customers(limit: int, cursor: str | None, q: str | None,
                         lifecycle_stage: str | None) -> Page[CustomerOut]:
    query = Customer.select(*_OUT_COLUMNS).where(Customer.tenant_id == current_tenant_id())
    if after := decode_cursor(cursor):
        query = query.where(Customer.id > after)
    if q and (folded := fold(q)):
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Customer.name_folded.like(pattern) | Customer.code.ilike(pattern)
                            | Customer.email.ilike(pattern) | Customer.phone.like(pattern))
    if lifecycle_stage:
        query = query.where(Customer.lifecycle_stage == lifecycle_stage)
    rows = await query.order_by(Customer.id).limit(limit + 1)
    items = [_out(row) for row in rows]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def update_customer(customer_id: uuid.UUID, data: CustomerUpdate) -> CustomerOut:
    changes: dict[Any, Any] = {}
    if not isinstance(data.name, msgspec.UnsetType):
        changes[Customer.name] = data.name.strip()
        changes[Customer.name_folded] = fold(data.name)
    if not isinstance(data.kind, msgspec.UnsetType):
        changes[Customer.kind] = data.kind
    if not isinstance(data.email, msgspec.UnsetType):
        changes[Customer.email] = data.email.lower() if data.email else None
    if not isinstance(data.phone, msgspec.UnsetType):
        changes[Customer.phone] = normalise_phone(data.phone) if data.phone else None
    if not isinstance(data.lifecycle_stage, msgspec.UnsetType):
        changes[Customer.lifecycle_stage] = data.lifecycle_stage
    before = await get_customer(customer_id)
    if not changes:
        return before
    await Customer.update(changes).where((Customer.tenant_id == current_tenant_id()) & (Customer.id == customer_id))
    after = await get_customer(customer_id)
    await audit.record("customer.update", "customer", customer_id, before=before, after=after)
    return after


async def delete_customer(customer_id: uuid.UUID) -> None:
    before = await get_customer(customer_id)
    await Customer.delete().where((Customer.tenant_id == current_tenant_id()) & (Customer.id == customer_id))
    await audit.record("customer.delete", "customer", customer_id, before=before)


async def count_customers() -> int:
    return int(await Customer.count().where(Customer.tenant_id == current_tenant_id()))
