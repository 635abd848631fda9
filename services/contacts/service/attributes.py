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
    AttributeImpact,
    AttributeOut,
    AttributeUpdate,
    LifecycleChangeOut,
    Money,
    PersonCreate,
    PersonOut,
    PersonUpdate,
)
from services.contacts.service.customers import get_customer
from services.contacts.service.fields import (
    CUSTOMER_ENTITY,
    ENTITY_TABLES,
    check_definition,
    emails_of,
    phones_of,
)
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

_ATTRIBUTE_COLUMNS = [AttributeDefinition.default_value.as_alias("default") if name == "default"
                      else getattr(AttributeDefinition, name) for name in AttributeOut.__struct_fields__]


def _of_tenant(entity: str) -> Any:
    return (AttributeDefinition.tenant_id == current_tenant_id()) & (AttributeDefinition.entity == entity)


def _confirm_first(impact: AttributeImpact, what_vi: str, what_en: str) -> ProblemError:
    """409 telling how many records would lose a value; the same request with `?confirm=true` goes ahead."""
    return ProblemError(
        409, "confirmation_required", f"{what_vi} sẽ xoá giá trị của {impact.records_affected} bản ghi.",
        f"{what_en} removes the value of {impact.records_affected} records.",
        errors=[("confirm", "required", "Gửi lại với ?confirm=true để xác nhận",
                 "Send again with ?confirm=true to go ahead")],
        extensions={"records_affected": impact.records_affected, "options": impact.options})


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
    default = check_definition(data.type, data.options, data.validation, data.default)
    await quotas.consume("custom_attributes")
    definition = AttributeDefinition(
        tenant_id=current_tenant_id(), entity=entity, key=data.key, label_vi=data.label_vi.strip(),
        label_en=data.label_en.strip(), type=data.type, options=_json(data.options), required=data.required,
        sort_order=data.sort_order, default_value=_json(default), validation=_json(data.validation),
        help_vi=data.help_vi.strip(), help_en=data.help_en.strip())
    try:
        await definition.save()
    except UniqueViolationError:
        raise KEY_TAKEN from None
    created = await get_attribute(definition.id, entity)
    await audit.record("attribute.create", "attribute", created.id, after=created)
    return created


def _holding(table: str) -> str:
    """Records of the tenant whose value for a key holds one of some options (a select's value is a JSON
    string, which `?|` matches as a multiselect's array element)."""
    return f"FROM {table} WHERE tenant_id = {{}} AND attributes -> {{}} ?| {{}}::text[]"


async def attribute_impact(attribute_id: uuid.UUID, options: list[str] | None = None,
                           entity: str = CUSTOMER_ENTITY) -> AttributeImpact:
    """How many records hold a value of the attribute (or, given `options`, one of those options, and each)."""
    definition = await get_attribute(attribute_id, entity)
    return await _impact(definition, options, entity)


async def _impact(definition: AttributeOut, options: list[str] | None, entity: str) -> AttributeImpact:
    table, tenant_id = ENTITY_TABLES[entity], current_tenant_id()
    if options is None:
        rows = await AttributeDefinition.raw(
            f"SELECT count(*) AS n FROM {table} WHERE tenant_id = {{}} AND attributes ? {{}}",  # noqa: S608
            tenant_id, definition.key)
        return AttributeImpact(key=definition.key, records_affected=rows[0]["n"])
    total = await AttributeDefinition.raw(f"SELECT count(*) AS n {_holding(table)}", tenant_id, definition.key,
                                          options)
    each = await AttributeDefinition.raw(
        f"SELECT o.value AS option, count(t.id) AS n FROM unnest({{}}::text[]) o(value) "  # noqa: S608
        f"LEFT JOIN {table} t ON t.tenant_id = {{}} AND t.attributes -> {{}} ? o.value GROUP BY o.value",
        options, tenant_id, definition.key)
    return AttributeImpact(key=definition.key, records_affected=total[0]["n"],
                           options={row["option"]: row["n"] for row in each})


async def _drop_options(definition: AttributeOut, dropped: list[str], entity: str) -> int:
    """Remove `dropped` options from every record's value in one statement: a select's value goes, a
    multiselect keeps its other options (and goes when none is left). Returns the records changed."""
    table = ENTITY_TABLES[entity]
    rows = await AttributeDefinition.raw(
        f"WITH changed AS (UPDATE {table} SET attributes = CASE "  # noqa: S608
        "WHEN jsonb_typeof(attributes -> {}) = 'array' AND jsonb_array_length("
        "  (attributes -> {}) - {}::text[]) > 0 "
        "THEN jsonb_set(attributes, ARRAY[{}]::text[], (attributes -> {}) - {}::text[]) "
        f"ELSE attributes - {{}} END {_holding(table).removeprefix(f'FROM {table} ')} RETURNING 1) "
        "SELECT count(*) AS n FROM changed",
        definition.key, definition.key, dropped, definition.key, definition.key, dropped, definition.key,
        current_tenant_id(), definition.key, dropped)
    return int(rows[0]["n"])


async def update_attribute(attribute_id: uuid.UUID, data: AttributeUpdate, entity: str = CUSTOMER_ENTITY,
                           *, confirm: bool = True) -> AttributeOut:
    """Labels (a rename keeps the values, stored under the key), options, limits, the default, the help texts,
    the required flag and the order change; the key and the type stay, so stored values keep their meaning.
    Options dropped while records hold them need `confirm` (409 with the counts otherwise); their values are
    then removed from those records."""
    before = await get_attribute(attribute_id, entity)
    changes: dict[Any, Any] = {}
    options = before.options if isinstance(data.options, msgspec.UnsetType) else data.options
    validation = before.validation if isinstance(data.validation, msgspec.UnsetType) else data.validation
    default = before.default if isinstance(data.default, msgspec.UnsetType) else data.default
    if isinstance(default, dict):  # a stored money value
        default = msgspec.convert(default, Money)
    stored_default = check_definition(before.type, options, validation, default)
    for column, given, value in ((AttributeDefinition.options, data.options, options),
                                 (AttributeDefinition.validation, data.validation, validation),
                                 (AttributeDefinition.default_value, data.default, stored_default)):
        if not isinstance(given, msgspec.UnsetType):
            changes[column] = _json(value)
    settings: tuple[tuple[Any, Any], ...] = (
        (AttributeDefinition.label_vi, data.label_vi), (AttributeDefinition.label_en, data.label_en),
        (AttributeDefinition.help_vi, data.help_vi), (AttributeDefinition.help_en, data.help_en),
        (AttributeDefinition.required, data.required), (AttributeDefinition.sort_order, data.sort_order))
    for column, text_or_flag in settings:
        if not isinstance(text_or_flag, msgspec.UnsetType):
            changes[column] = text_or_flag.strip() if isinstance(text_or_flag, str) else text_or_flag
    if not changes:
        return before
    kept = {option.value for option in options}
    dropped = [option.value for option in before.options if option.value not in kept]
    if dropped:
        impact = await _impact(before, dropped, entity)
        if impact.records_affected and not confirm:
            raise _confirm_first(impact, "Bỏ lựa chọn", "Dropping options")
    await AttributeDefinition.update(changes).where(_of_tenant(entity) & (AttributeDefinition.id == attribute_id))
    if dropped:
        await _drop_options(before, dropped, entity)
    after = await get_attribute(attribute_id, entity)
    await audit.record("attribute.update", "attribute", attribute_id, before=before, after=after)
    return after


async def delete_attribute(attribute_id: uuid.UUID, entity: str = CUSTOMER_ENTITY, *,
                           confirm: bool = True) -> AttributeDeleted:
    """The definition goes, and its values with it in one statement, so they never show again (not even
    under a new attribute that reuses the key). Writes hold the definitions they use (FOR SHARE), so no value
    can be written for it while this runs. Without `confirm`, refused (409 with the count) while records hold
    a value."""
    before = await get_attribute(attribute_id, entity)
    if not confirm and (impact := await _impact(before, None, entity)).records_affected:
        raise _confirm_first(impact, "Xoá thuộc tính", "Deleting the attribute")
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
