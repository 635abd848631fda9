"""Customers: their generated codes, fields (see `fields`), Vietnamese phone numbers and search.

Every function runs inside the caller's tenant transaction; queries also filter by tenant (the first wall;
row-level security is the second), and reads and writes by the caller's data visibility (`visible_to`): a
customer the caller does not see answers 404, like another tenant's.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import re
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

import msgspec
from piccolo.columns import JSONB
from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw

from infra.problems import NotFoundError, ProblemError, invalid
from infra.storage import tenant_storage
from infra.text import fold
from services.contacts.events import (
    CUSTOMER_CREATED,
    CUSTOMER_DELETED,
    CUSTOMER_UPDATED,
    CustomerDeleted,
    customer_data,
)
from services.contacts.schemas import (
    Address,
    CustomerCreate,
    CustomerFilter,
    CustomerOut,
    CustomerUpdate,
    EmailEntry,
    PhoneEntry,
    StatusChangeOut,
)
from services.contacts.service import duplicates, statuses
from services.contacts.service.fields import (
    ATTRIBUTE_FILTER_PREFIX,
    AttributeRule,
    AttributeSort,
    addresses_of,
    attribute_filters,
    attribute_rules,
    attribute_sort,
    attribute_values,
    check_tax_code,
    emails_of,
    normalise_phone,
    phones_of,
    primary_value,
    record_lifecycle_change,
    replace_primary,
    sort_value,
)
from services.contacts.service.sources import require_source
from services.contacts.tables import CodeSequence, Customer, Document
from services.identity.service.org import placement_of
from tenants import audit, quotas
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id
from tenants.pagination import BAD_CURSOR, Page, decode_cursor, page_of
from webhooks.outbox import emit

# The customers in a group or in any group below it: one recursive walk down the tree.
IN_GROUP_SUBTREE = """"customer"."id" IN (
    SELECT m.customer_id FROM customer_group_member m WHERE m.tenant_id = {} AND m.group_id IN (
        WITH RECURSIVE subtree AS (
            SELECT id FROM customer_group WHERE tenant_id = {} AND id = {}
            UNION
            SELECT g.id FROM customer_group g JOIN subtree s ON g.parent_id = s.id WHERE g.tenant_id = {}
        ) SELECT id FROM subtree))"""
_HAS_TAG = """"customer"."id" IN (
    SELECT ct.customer_id FROM customer_tag ct JOIN tag t ON t.tenant_id = ct.tenant_id AND t.id = ct.tag_id
    WHERE ct.tenant_id = {} AND t.name_folded = {})"""

CUSTOMER_CODE_PREFIX = "KH"
CUSTOMER_CODE_DIGITS = 6


async def reserve_codes(name: str, prefix: str, digits: int, count: int) -> list[str]:
    """The tenant's next `count` codes in a named sequence, in one statement; concurrent callers never get the
    same one."""
    rows = await CodeSequence.raw(
        "INSERT INTO code_sequence (tenant_id, name, value) VALUES ({}, {}, {}) "
        "ON CONFLICT (tenant_id, name) DO UPDATE SET value = code_sequence.value + {}, updated_at = now() "
        "RETURNING value",
        current_tenant_id(), name, count, count,
    )
    last = rows[0]["value"]
    return [f"{prefix}{value:0{digits}d}" for value in range(last - count + 1, last + 1)]


async def next_code(name: str, prefix: str, digits: int) -> str:
    """The tenant's next code in a named sequence."""
    return (await reserve_codes(name, prefix, digits, 1))[0]


async def skip_codes_taken(name: str, prefix: str, digits: int, codes: Collection[str]) -> None:
    """Move the sequence past any of `codes` written by hand in its own pattern, so it never hands them out."""
    pattern = f"^{prefix}[0-9]{{{digits}}}$"
    numbers = [int(code[len(prefix):]) for code in codes if re.match(pattern, code)]
    if numbers:
        await CodeSequence.raw(
            "INSERT INTO code_sequence (tenant_id, name, value) VALUES ({}, {}, {}) "
            "ON CONFLICT (tenant_id, name) DO UPDATE SET value = GREATEST(code_sequence.value, EXCLUDED.value), "
            "updated_at = now()", current_tenant_id(), name, max(numbers))


def _out(row: dict[str, Any]) -> CustomerOut:
    return msgspec.convert(row, CustomerOut, from_attributes=False, strict=False)


_OUT_COLUMNS = [getattr(Customer, name) for name in CustomerOut.__struct_fields__]
_JSON_COLUMNS = [column._meta.name for column in _OUT_COLUMNS if isinstance(column, JSONB)]


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A row read without Piccolo's `load_json`, its JSONB values decoded by msgspec (a list page decodes 200
    of them; the standard library's json took a third of the handler's time)."""
    for name in _JSON_COLUMNS:
        row[name] = msgspec.json.decode(row[name])
    return row
CUSTOMER_NOT_FOUND = NotFoundError("khách hàng", "Customer")


class Ownership(msgspec.Struct, frozen=True):
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    branch_id: uuid.UUID | None = None


async def ownership_of(owner_id: uuid.UUID | None) -> Ownership:
    """The owner, and the team and branch they sit in, to stamp on a customer; the owner must be a member."""
    if owner_id is None:
        return Ownership()
    placement = await placement_of(owner_id)
    if placement is None:
        raise ProblemError(422, "validation_error", "Người phụ trách không thuộc công ty.",
                           "The owner is not a member of this company.",
                           errors=[("owner_id", "not_found", "Không có thành viên này trong công ty",
                                    "No such member in this company")])
    return Ownership(owner_id=owner_id, team_id=placement.team_id, branch_id=placement.branch_id)


Entry = TypeVar("Entry", PhoneEntry, EmailEntry)
Unset = msgspec.UnsetType


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _entries_after(entries: Sequence[Entry] | Unset, single: str | Unset | None, current: Sequence[Entry], *,
                   field: str, clean_entries: Callable[[Sequence[Entry]], list[Entry]],
                   clean_single: Callable[[str], str], make: Callable[[str], Entry]) -> list[Entry] | None:
    """The new phone (or email) list when the body gives the whole list, or only the primary one as the
    single `phone` (`email`) field; None when it gives neither."""
    if not isinstance(entries, Unset) and not isinstance(single, Unset):
        raise invalid([(field, "conflict", f"Chỉ gửi `{field}` hoặc `{field}s`, không gửi cả hai",
                        f"Send `{field}` or `{field}s`, not both")])
    if not isinstance(entries, Unset):
        return clean_entries(entries)
    if not isinstance(single, Unset):
        return replace_primary(current, clean_single(single) if single else None, make)
    return None


def _phones_after(phones: Sequence[PhoneEntry] | Unset, phone: str | Unset | None,
                  current: Sequence[PhoneEntry]) -> list[PhoneEntry] | None:
    return _entries_after(phones, phone, current, field="phone", clean_entries=phones_of,
                          clean_single=normalise_phone, make=lambda value: PhoneEntry(value=value, primary=True))


def _emails_after(emails: Sequence[EmailEntry] | Unset, email: str | Unset | None,
                  current: Sequence[EmailEntry]) -> list[EmailEntry] | None:
    return _entries_after(emails, email, current, field="email", clean_entries=emails_of,
                          clean_single=str.lower, make=lambda value: EmailEntry(value=value, primary=True))


def _given(value: Any) -> Any:
    """Create bodies say "not given" with None, update bodies with UNSET; the list rules take UNSET."""
    return msgspec.UNSET if value is None else value


async def create_customer(data: CustomerCreate, creator_id: uuid.UUID | None,
                          access: Access | None = None) -> CustomerOut:
    """A new customer, owned by `data.owner_id` or else its creator (none when an API key or a job creates it).
    409 `duplicate` when it matches existing customers by the tenant's rules, unless `data.confirm_duplicate`
    (`access` withholds the names of matches the caller does not see)."""
    phones = _phones_after(_given(data.phones), _given(data.phone), []) or []
    emails = _emails_after(_given(data.emails), _given(data.email), []) or []
    tax_code = check_tax_code(data.tax_code) if data.tax_code else None
    addresses = addresses_of(data.addresses)
    await duplicates.refuse_duplicates(access, duplicates.keys_of(
        tax_code=tax_code, phones=phones, emails=emails, name=data.name, addresses=addresses),
        confirmed=data.confirm_duplicate)
    await quotas.consume("customers")
    ownership = await ownership_of(data.owner_id or creator_id)
    if data.source_id is not None:
        await require_source(data.source_id)
    rules = await attribute_rules(lock=bool(data.attributes))
    customer = Customer(
        tenant_id=current_tenant_id(),
        code=await next_code("customer", CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_DIGITS),
        kind=data.kind,
        name=data.name.strip(),
        name_folded=fold(data.name),
        email=primary_value(emails),
        phone=primary_value(phones),
        lifecycle_stage=data.lifecycle_stage,
        owner_id=ownership.owner_id,
        team_id=ownership.team_id,
        branch_id=ownership.branch_id,
        source_id=data.source_id,
        tax_code=tax_code,
        phones=_json(phones),
        emails=_json(emails),
        website=data.website,
        industry=data.industry.strip() if data.industry else None,
        addresses=_json(addresses),
        needs_status=data.needs_status,
        notes=data.notes,
        last_contacted_at=data.last_contacted_at,
        attributes=_json(attribute_values(rules, data.attributes)),
    )
    await customer.save()
    await record_lifecycle_change(customer.id, None, data.lifecycle_stage)
    if data.relationship_status_id is not None:
        await statuses.change_status([customer.id], data.relationship_status_id)
    created = await _fetch(customer.id)  # whoever it was given to, its creator gets it back once
    await audit.record("customer.create", "customer", created.id, after=created)
    await emit(CUSTOMER_CREATED, customer_data(created))
    return created


async def _fetch(customer_id: uuid.UUID, *visibility: Any) -> CustomerOut:
    row = await Customer.select(*_OUT_COLUMNS).where(
        (Customer.tenant_id == current_tenant_id()) & (Customer.id == customer_id), *visibility,
    ).output(load_json=True).first()
    if row is None:
        raise CUSTOMER_NOT_FOUND
    return _out(row)


async def get_customer(access: Access, customer_id: uuid.UUID) -> CustomerOut:
    return await _fetch(customer_id, *visible_to(access, Customer))


async def visible_customer_ids(access: Access, customer_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those of `customer_ids` that the caller sees (another tenant's never)."""
    rows = await Customer.select(Customer.id).where(
        Customer.tenant_id == current_tenant_id(), Customer.id.is_in(list(customer_ids)),
        *visible_to(access, Customer))
    return {row["id"] for row in rows}


# Search: ids of the tenant's customers whose folded name, code, tax code, phone or email contain the folded
# query, else those close to it (typos), by a SECURITY DEFINER lookup that can use the trigram index under RLS
# (see the contacts migration of 2026-12-03T06:02).
_SEARCH = '"customer"."id" = ANY(ARRAY(SELECT customer_search_ids({}, {})))'
_PHONE_LIKE = re.compile(r"^[0-9 .()+-]{6,}$")


def search_terms(q: str) -> tuple[str, str] | None:
    """The LIKE pattern and the words a search for `q` looks for; None when nothing is left to look for. A
    phone number is looked up without its 0 or +84 prefix, as phones are stored +84..."""
    folded = fold(q)
    if _PHONE_LIKE.match(folded):
        folded = re.sub(r"[ .()+-]", "", folded)
        folded = folded[1:] if folded.startswith("0") else folded.removeprefix("84")
    if not folded:
        return None
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%", folded


def _sort_cursor(sort: AttributeSort, value: str | None, last_id: uuid.UUID) -> str:
    raw = msgspec.json.encode([("-" if sort.descending else "") + sort.key, value, str(last_id)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_sort_cursor(sort: AttributeSort, cursor: str) -> tuple[str | None, uuid.UUID]:
    try:
        spec, value, last_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)),
                                                   type=tuple[str, str | None, str])
        if spec != ("-" if sort.descending else "") + sort.key:
            raise ValueError(spec)
        return value, uuid.UUID(last_id)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise BAD_CURSOR from None


def _after_sorted(sort: AttributeSort, value: str | None, last_id: uuid.UUID) -> WhereRaw:
    """Rows after (value, id) in the order `value` (nulls last), then id, both in the sort's direction."""
    beyond, after = ("<", "<") if sort.descending else (">", ">")
    if value is None:
        return WhereRaw(f'{sort.expression} IS NULL AND "customer"."id" {after} {{}}', last_id)
    typed = f"{{}}::text::{sort.cast}"
    return WhereRaw(f'({sort.expression} IS NULL OR {sort.expression} {beyond} {typed} '
                    f'OR ({sort.expression} = {typed} AND "customer"."id" {after} {{}}))', value, value, last_id)


def filter_conditions_of(tenant_id: uuid.UUID, access: Access, where: CustomerFilter,
                         rules: Mapping[str, AttributeRule]) -> list[Any]:
    """The conditions of the customer list: the tenant, the caller's data visibility and the filters; `rules` are
    the tenant's attribute definitions (needed when `where` filters by attributes)."""
    conditions: list[Any] = [Customer.tenant_id == tenant_id, *visible_to(access, Customer)]
    if where.q and (terms := search_terms(where.q)):
        conditions.append(WhereRaw(_SEARCH, *terms))
    if where.lifecycle_stage:
        conditions.append(Customer.lifecycle_stage == where.lifecycle_stage)
    if where.source_id:
        conditions.append(Customer.source_id == where.source_id)
    if where.relationship_status_id:
        conditions.append(Customer.relationship_status_id == where.relationship_status_id)
    if where.owner_id:
        conditions.append(Customer.owner_id == where.owner_id)
    if where.group_id:
        conditions.append(WhereRaw(IN_GROUP_SUBTREE, tenant_id, tenant_id, where.group_id, tenant_id))
    if where.tag:
        conditions.append(WhereRaw(_HAS_TAG, tenant_id, fold(where.tag)))
    if any(name.startswith(ATTRIBUTE_FILTER_PREFIX) for name, _ in where.attributes):
        conditions += attribute_filters(rules, where.attributes)
    return conditions


async def filter_conditions(access: Access, where: CustomerFilter) -> list[Any]:
    """`filter_conditions_of` for the current tenant, its attribute definitions read when needed."""
    filtered = any(name.startswith(ATTRIBUTE_FILTER_PREFIX) for name, _ in where.attributes)
    return filter_conditions_of(current_tenant_id(), access, where, await attribute_rules() if filtered else {})


def customer_list_query(tenant_id: uuid.UUID, access: Access, limit: int, cursor: str | None,
                        where: CustomerFilter, rules: Mapping[str, AttributeRule]) -> tuple[Any, AttributeSort | None]:
    """The statement of one page of customers (`limit + 1` rows) and its attribute sort, if any; `rules` are the
    tenant's attribute definitions (needed when `where` filters or sorts by attributes). Pure, so a benchmark
    can run the very same SQL."""
    query = Customer.select(*_OUT_COLUMNS).where(*filter_conditions_of(tenant_id, access, where, rules))
    sort = attribute_sort(rules, where.sort) if where.sort else None
    if sort is None and (after := decode_cursor(cursor)):
        query = query.where(Customer.id > after)
    elif sort is not None and cursor:
        query = query.where(_after_sorted(sort, *_decode_sort_cursor(sort, cursor)))
    if sort is None:
        query = query.order_by(Customer.id)
    else:
        query = query.order_by(OrderByRaw(f"{sort.expression} IS NULL")).order_by(
            OrderByRaw(sort.expression), OrderByRaw('"customer"."id"'), ascending=not sort.descending)
    return query.limit(limit + 1), sort


async def list_customers(access: Access, limit: int, cursor: str | None, where: CustomerFilter) -> Page[CustomerOut]:
    filtered = any(name.startswith(ATTRIBUTE_FILTER_PREFIX) for name, _ in where.attributes)
    rules = await attribute_rules() if where.sort or filtered else {}
    query, sort = customer_list_query(current_tenant_id(), access, limit, cursor, where, rules)
    items = [_out(_decoded(row)) for row in await query]
    if sort is None or len(items) <= limit:
        return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)
    last = items[limit - 1]
    return Page(items=items[:limit], next_cursor=_sort_cursor(sort, sort_value(sort, last.attributes), last.id))


async def update_customer(access: Access, customer_id: uuid.UUID, data: CustomerUpdate) -> CustomerOut:
    before = await get_customer(access, customer_id)  # 404 unless the caller sees it
    changes: dict[Any, Any] = {}
    if not isinstance(data.name, Unset):
        changes[Customer.name] = data.name.strip()
        changes[Customer.name_folded] = fold(data.name)
    if (phones := _phones_after(data.phones, data.phone, before.phones)) is not None:
        changes |= {Customer.phones: _json(phones), Customer.phone: primary_value(phones)}
    if (emails := _emails_after(data.emails, data.email, before.emails)) is not None:
        changes |= {Customer.emails: _json(emails), Customer.email: primary_value(emails)}
    if not isinstance(data.tax_code, Unset):
        changes[Customer.tax_code] = check_tax_code(data.tax_code) if data.tax_code else None
    if not isinstance(data.industry, Unset):
        changes[Customer.industry] = data.industry.strip() if data.industry else None
    if not isinstance(data.addresses, Unset):
        changes[Customer.addresses] = _json(addresses_of(data.addresses))
    await _refuse_new_duplicates(access, before, data, phones, emails)
    if not isinstance(data.attributes, Unset):
        changes[Customer.attributes] = _json(
            attribute_values(await attribute_rules(lock=True), data.attributes, before.attributes))
    for column, value in ((Customer.kind, data.kind), (Customer.website, data.website),
                          (Customer.needs_status, data.needs_status), (Customer.notes, data.notes),
                          (Customer.last_contacted_at, data.last_contacted_at),
                          (Customer.lifecycle_stage, data.lifecycle_stage)):
        if not isinstance(value, Unset):
            changes[column] = value
    if not isinstance(data.owner_id, Unset):
        ownership = await ownership_of(data.owner_id)
        changes |= {Customer.owner_id: ownership.owner_id, Customer.team_id: ownership.team_id,
                    Customer.branch_id: ownership.branch_id}
    if not isinstance(data.source_id, msgspec.UnsetType):
        if data.source_id is not None:
            await require_source(data.source_id)
        changes[Customer.source_id] = data.source_id
    status_changed = False
    if not isinstance(data.relationship_status_id, msgspec.UnsetType):
        status_changed = bool(await statuses.change_status([customer_id], data.relationship_status_id))
    elif isinstance(data.last_contacted_at, datetime.datetime):
        status_changed = await statuses.restore_after_contact(customer_id, data.last_contacted_at)
    if not changes and not status_changed:
        return before
    if changes:
        await Customer.update(changes).where(
            (Customer.tenant_id == current_tenant_id()) & (Customer.id == customer_id))
    if not isinstance(data.lifecycle_stage, Unset) and data.lifecycle_stage != before.lifecycle_stage:
        await record_lifecycle_change(customer_id, before.lifecycle_stage, data.lifecycle_stage)
    after = await _fetch(customer_id)  # handed to a colleague, it may leave the caller's sight afterwards
    await audit.record("customer.update", "customer", customer_id, before=before, after=after)
    await emit(CUSTOMER_UPDATED, customer_data(after))
    return after


async def _refuse_new_duplicates(access: Access, before: CustomerOut, data: CustomerUpdate,
                                 phones: list[PhoneEntry] | None, emails: list[EmailEntry] | None) -> None:
    """409 `duplicate` when the change gives the customer match values other customers have (values it already
    had do not count again), unless `data.confirm_duplicate`."""
    if data.confirm_duplicate:
        return

    def keys(name: str, tax_code: str | None, phones: list[PhoneEntry], emails: list[EmailEntry],
             addresses: list[Address]) -> set[duplicates.Key]:
        return duplicates.keys_of(tax_code=tax_code, phones=phones, emails=emails, name=name, addresses=addresses)

    old = keys(before.name, before.tax_code, before.phones, before.emails, before.addresses)
    new = keys(before.name if isinstance(data.name, Unset) else data.name,
               before.tax_code if isinstance(data.tax_code, Unset)
               else check_tax_code(data.tax_code) if data.tax_code else None,
               before.phones if phones is None else phones, before.emails if emails is None else emails,
               before.addresses if isinstance(data.addresses, Unset) else addresses_of(data.addresses))
    await duplicates.refuse_duplicates(access, new - old, exclude=[before.id])


async def delete_customer(access: Access, customer_id: uuid.UUID) -> None:
    """The customer and all that hangs off it (cascades), its documents' files in S3 too, removed last so a
    storage error rolls the deletion back."""
    before = await get_customer(access, customer_id)
    tenant_id = current_tenant_id()
    files = await files_of([customer_id])
    await Customer.delete().where((Customer.tenant_id == tenant_id) & (Customer.id == customer_id))
    await quotas.release("customers")
    await remove_files(files)
    await audit.record("customer.delete", "customer", customer_id, before=before)
    await emit(CUSTOMER_DELETED, CustomerDeleted(id=customer_id, code=before.code))


async def files_of(customer_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The documents' files of customers about to be deleted (the rows go with them, by cascade)."""
    if not customer_ids:
        return []
    return await Document.select(Document.storage_path, Document.size_bytes).where(
        (Document.tenant_id == current_tenant_id()) & Document.customer.is_in(customer_ids))


async def remove_files(files: list[dict[str, Any]]) -> None:
    """After the customers' deletion, in its transaction: a storage error rolls the deletion back."""
    await quotas.release("storage_bytes", sum(file["size_bytes"] for file in files))
    for file in files:
        await asyncio.to_thread(tenant_storage().delete, current_tenant_id(), file["storage_path"])


async def count_customers() -> int:
    return int(await Customer.count().where(Customer.tenant_id == current_tenant_id()))


async def status_history(access: Access, customer_id: uuid.UUID, limit: int,
                         cursor: str | None) -> Page[StatusChangeOut]:
    await get_customer(access, customer_id)
    return await statuses.status_history(customer_id, limit, cursor)
