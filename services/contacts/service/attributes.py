"""Custom attribute definitions, contact persons of company customers, and the lifecycle history.

Values of custom attributes are checked in `fields` when a customer is written; here the tenant defines them.
Persons and the history belong to a customer, so the caller must see that customer (404 otherwise, as for
another tenant's).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from asyncpg.exceptions import UniqueViolationError

from infra.problems import NotFoundError, ProblemError
from services.contacts.schemas import (
    AttributeCreate,
    AttributeDeleted,
    AttributeOut,
    AttributeUpdate,
    LifecycleChangeOut,
    PersonCreate,
    PersonOut,
    PersonUpdate,
)
from services.contacts.service.customers import get_customer
from services.contacts.service.fields import CUSTOMER_ENTITY, ENTITY_TABLES, check_options, emails_of, phones_of
from services.contacts.tables import AttributeDefinition, ContactPerson, Customer, LifecycleChange
from tenants import audit, quotas
from tenants.access import Access
from tenants.context import current_tenant_id

ATTRIBUTE_NOT_FOUND = NotFoundError("thuộc tính", "Attribute")
PERSON_NOT_FOUND = NotFoundError("người liên hệ", "Contact person")
KEY_TAKEN = ProblemError(409, "conflict", "Mã thuộc tính đã tồn tại.", "An attribute with this key exists.",
                         errors=[("key", "taken", "Mã thuộc tính đã được dùng", "Attribute key already in use")])
PRIMARY_TAKEN = ProblemError(409, "conflict", "Khách hàng đã có người liên hệ chính.",
                             "The customer already has a primary contact person.",
                             errors=[("primary", "two_primaries",
                                      "Đã có người liên hệ chính; hãy bỏ đánh dấu người đó trước",
                                      "There is a primary contact already; unmark them first")])
NOT_A_COMPANY = ProblemError(409, "conflict", "Chỉ khách hàng doanh nghiệp mới có người liên hệ.",
                             "Only company customers have contact persons.")


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


# Attribute definitions -----------------------------------------------------------------------------------

_ATTRIBUTE_COLUMNS = [getattr(AttributeDefinition, name) for name in AttributeOut.__struct_fields__]


def _of_tenant(entity: str) -> Any:
    return (AttributeDefinition.tenant_id == current_tenant_id()) & (AttributeDefinition.entity == entity)


# Every function below serves each entity that carries attributes (customers here, partners in partners).
async def list_attributes(entity: str = CUSTOMER_ENTITY) -> list[AttributeOut]:
    rows = await AttributeDefinition.select(*_ATTRIBUTE_COLUMNS).where(_of_tenant(entity)).order_by(
        AttributeDefinition.sort_order).order_by(AttributeDefinition.key).output(load_json=True)
    return msgspec.convert(rows, list[AttributeOut], strict=False)


async def get_attribute(attribute_id: uuid.UUID, entity: str = CUSTOMER_ENTITY) -> AttributeOut:
    row = await AttributeDefinition.select(*_ATTRIBUTE_COLUMNS).where(
        _of_tenant(entity) & (AttributeDefinition.id == attribute_id)).output(load_json=True).first()
    if row is None:
        raise ATTRIBUTE_NOT_FOUND
    return msgspec.convert(row, AttributeOut, strict=False)


async def create_attribute(data: AttributeCreate, entity: str = CUSTOMER_ENTITY) -> AttributeOut:
    check_options(data.type, data.options)
    await quotas.consume("custom_attributes")
    definition = AttributeDefinition(
        tenant_id=current_tenant_id(), entity=entity, key=data.key, label_vi=data.label_vi.strip(),
        label_en=data.label_en.strip(), type=data.type, options=_json(data.options), required=data.required,
        sort_order=data.sort_order)
    try:
        await definition.save()
    except UniqueViolationError:
        raise KEY_TAKEN from None
    created = await get_attribute(definition.id, entity)
    await audit.record("attribute.create", "attribute", created.id, after=created)
    return created


async def update_attribute(attribute_id: uuid.UUID, data: AttributeUpdate,
                           entity: str = CUSTOMER_ENTITY) -> AttributeOut:
    """Labels, options, the required flag and the order change; the key and the type stay, so stored
    values keep their meaning."""
    before = await get_attribute(attribute_id, entity)
    changes: dict[Any, Any] = {}
    if not isinstance(data.options, msgspec.UnsetType):
        check_options(before.type, data.options)
        changes[AttributeDefinition.options] = _json(data.options)
    for column, value in ((AttributeDefinition.label_vi, data.label_vi), (AttributeDefinition.label_en, data.label_en),
                          (AttributeDefinition.required, data.required),
                          (AttributeDefinition.sort_order, data.sort_order)):
        if not isinstance(value, msgspec.UnsetType):
            changes[column] = value.strip() if isinstance(value, str) else value
    if not changes:
        return before
    await AttributeDefinition.update(changes).where(_of_tenant(entity) & (AttributeDefinition.id == attribute_id))
    after = await get_attribute(attribute_id, entity)
    await audit.record("attribute.update", "attribute", attribute_id, before=before, after=after)
    return after


async def delete_attribute(attribute_id: uuid.UUID, entity: str = CUSTOMER_ENTITY) -> AttributeDeleted:
    """The definition goes, and its values with it in one statement, so they never show again (not even
    under a new attribute that reuses the key). Writes hold the definitions they use (FOR SHARE), so no value
    can be written for it while this runs."""
    before = await get_attribute(attribute_id, entity)
    await AttributeDefinition.delete().where(_of_tenant(entity) & (AttributeDefinition.id == attribute_id))
    await quotas.release("custom_attributes")
    rows = await Customer.raw(
        f"WITH stripped AS (UPDATE {ENTITY_TABLES[entity]} SET attributes = attributes - {{}} "  # noqa: S608
        "WHERE tenant_id = {} AND attributes ? {} RETURNING 1) SELECT count(*) AS n FROM stripped",
        before.key, current_tenant_id(), before.key)
    deleted = AttributeDeleted(key=before.key, records_affected=rows[0]["n"])
    await audit.record("attribute.delete", "attribute", attribute_id, before=before, after=deleted)
    return deleted


# Contact persons -----------------------------------------------------------------------------------------

_PERSON_COLUMNS = [ContactPerson.id, ContactPerson.customer.as_alias("customer_id"), ContactPerson.name,
                   ContactPerson.title, ContactPerson.phones, ContactPerson.emails,
                   ContactPerson.is_primary.as_alias("primary"), ContactPerson.created_at, ContactPerson.updated_at]


def _persons_of(customer_id: uuid.UUID) -> Any:
    return (ContactPerson.tenant_id == current_tenant_id()) & (ContactPerson.customer == customer_id)


async def list_persons(access: Access, customer_id: uuid.UUID) -> list[PersonOut]:
    await get_customer(access, customer_id)
    rows = await ContactPerson.select(*_PERSON_COLUMNS).where(_persons_of(customer_id)).order_by(
        ContactPerson.is_primary, ascending=False).order_by(ContactPerson.id).output(load_json=True)
    return msgspec.convert(rows, list[PersonOut], strict=False)


async def _person(customer_id: uuid.UUID, person_id: uuid.UUID) -> PersonOut:
    row = await ContactPerson.select(*_PERSON_COLUMNS).where(
        _persons_of(customer_id) & (ContactPerson.id == person_id)).output(load_json=True).first()
    if row is None:
        raise PERSON_NOT_FOUND
    return msgspec.convert(row, PersonOut, strict=False)


async def _refuse_second_primary(customer_id: uuid.UUID) -> None:
    if await ContactPerson.exists().where(_persons_of(customer_id) & (ContactPerson.is_primary == True)):  # noqa: E712
        raise PRIMARY_TAKEN


async def _saving_primary(write: Any) -> None:
    """Run `write`; two requests that both make someone primary meet the partial unique index: one gets 409."""
    try:
        await write
    except UniqueViolationError:
        raise PRIMARY_TAKEN from None


async def create_person(access: Access, customer_id: uuid.UUID, data: PersonCreate) -> PersonOut:
    customer = await get_customer(access, customer_id)
    if customer.kind != "company":
        raise NOT_A_COMPANY
    phones, emails = phones_of(data.phones), emails_of(data.emails)
    if data.primary:
        await _refuse_second_primary(customer_id)
    person = ContactPerson(tenant_id=current_tenant_id(), customer=customer_id, name=data.name.strip(),
                           title=data.title, phones=_json(phones), emails=_json(emails), is_primary=data.primary)
    await _saving_primary(person.save())
    created = await _person(customer_id, person.id)
    await audit.record("contact_person.create", "contact_person", created.id, after=created)
    return created


async def update_person(access: Access, customer_id: uuid.UUID, person_id: uuid.UUID,
                        data: PersonUpdate) -> PersonOut:
    await get_customer(access, customer_id)
    before = await _person(customer_id, person_id)
    changes: dict[Any, Any] = {}
    if not isinstance(data.name, msgspec.UnsetType):
        changes[ContactPerson.name] = data.name.strip()
    if not isinstance(data.title, msgspec.UnsetType):
        changes[ContactPerson.title] = data.title
    if not isinstance(data.phones, msgspec.UnsetType):
        changes[ContactPerson.phones] = _json(phones_of(data.phones))
    if not isinstance(data.emails, msgspec.UnsetType):
        changes[ContactPerson.emails] = _json(emails_of(data.emails))
    if not isinstance(data.primary, msgspec.UnsetType):
        if data.primary and not before.primary:
            await _refuse_second_primary(customer_id)
        changes[ContactPerson.is_primary] = data.primary
    if not changes:
        return before
    await _saving_primary(ContactPerson.update(changes).where(
        _persons_of(customer_id) & (ContactPerson.id == person_id)))
    after = await _person(customer_id, person_id)
    await audit.record("contact_person.update", "contact_person", person_id, before=before, after=after)
    return after


async def delete_person(access: Access, customer_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await get_customer(access, customer_id)
    before = await _person(customer_id, person_id)
    await ContactPerson.delete().where(_persons_of(customer_id) & (ContactPerson.id == person_id))
    await audit.record("contact_person.delete", "contact_person", person_id, before=before)


# Lifecycle history ---------------------------------------------------------------------------------------

async def lifecycle_history(access: Access, customer_id: uuid.UUID) -> list[LifecycleChangeOut]:
    """Every stage the customer went through, oldest first (a handful of rows, so not paginated)."""
    await get_customer(access, customer_id)
    rows = await LifecycleChange.select(
        LifecycleChange.from_stage, LifecycleChange.to_stage, LifecycleChange.actor_kind, LifecycleChange.actor_id,
        LifecycleChange.created_at.as_alias("changed_at"),
    ).where((LifecycleChange.tenant_id == current_tenant_id()) & (LifecycleChange.customer == customer_id)
            ).order_by(LifecycleChange.created_at).order_by(LifecycleChange.id)
    return msgspec.convert(rows, list[LifecycleChangeOut], strict=False)
