"""Quotations: for an open opportunity (its customer and contact person carried over) or a customer; priced
lines (see `pricing`), revisions, the send log, the PDF, and the states draft → sent → accepted | rejected |
expired. Accepting one wins its opportunity (`opportunities.mark_won`).

Until its first send a quotation is edited in place (revision 1). After that every edit adds a revision, keeps
the earlier ones, and brings the quotation back to draft, to be sent again. A sent quotation past its validity
date is expired by the periodic job, and also by the first read that finds it so.
"""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections import Counter
from collections.abc import Collection
from decimal import Decimal
from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from infra.problems import NotFoundError, ProblemError, invalid
from infra.storage import TenantStorage
from services.contacts.service.customers import CUSTOMER_NOT_FOUND, get_customer, next_code
from services.contacts.tables import ContactPerson
from services.identity.service import mail
from services.identity.service.org import placement_of
from services.identity.tables import Tenant
from services.pipeline.events import (
    QUOTATION_ACCEPTED,
    QUOTATION_CREATED,
    QUOTATION_EXPIRED,
    QUOTATION_REJECTED,
    QUOTATION_SENT,
    quotation_accepted,
    quotation_data,
)
from services.pipeline.schemas import (
    Download,
    LineChange,
    QuotationCreate,
    QuotationLine,
    QuotationLineIn,
    QuotationOut,
    QuotationRevisionOut,
    QuotationSendIn,
    QuotationSendOut,
    QuotationUpdate,
    RevisionComparison,
    Totals,
)
from services.pipeline.service import quotation_pdf
from services.pipeline.service.credit_gate import require_credit
from services.pipeline.service.opportunities import OPPORTUNITY_NOT_FOUND, get_opportunity, mark_won
from services.pipeline.service.pricing import (
    Priced,
    check_percent,
    check_quantity,
    policies_in_force,
    price_lines,
    totals_of,
)
from services.pipeline.service.products import components_of, products_by_id
from services.pipeline.tables import Quotation, QuotationRevision, QuotationSend
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import after_commit, current_tenant_id
from tenants.locale import tenant_today
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emit

QUOTATION_NOT_FOUND = NotFoundError("báo giá", "Quotation")
REVISION_NOT_FOUND = NotFoundError("phiên bản báo giá", "Quotation revision")
NUMBER_PREFIX, NUMBER_DIGITS = "BG", 6
_OUT_COLUMNS = [getattr(Quotation, name) for name in QuotationOut.__struct_fields__]
_REVISION_COLUMNS = [getattr(QuotationRevision, name) for name in QuotationRevisionOut.__struct_fields__]
_EDITABLE = ("draft", "sent")


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def wrong_state(state: str, action_vi: str, action_en: str) -> ProblemError:
    return ProblemError(409, "conflict", f"Không thể {action_vi} khi đang ở trạng thái {state}.",
                        f"Cannot {action_en} in state {state}.",
                        errors=[("state", "wrong_state", f"Trạng thái hiện tại: {state}", f"Current state: {state}")])


class Ownership(msgspec.Struct, frozen=True):
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    branch_id: uuid.UUID | None


async def ownership(access: Access) -> Ownership:
    """The caller as owner, with the team and branch they sit in (none for an API key)."""
    placement = await placement_of(access.user_id) if access.user_id else None
    return Ownership(owner_id=access.user_id, team_id=placement.team_id if placement else None,
                     branch_id=placement.branch_id if placement else None)


async def customer_name_of(access: Access, customer_id: uuid.UUID) -> str:
    """The name of a customer the caller sees; 422 naming `customer_id` otherwise."""
    try:
        return (await get_customer(access, customer_id)).name
    except ProblemError as error:
        if error is not CUSTOMER_NOT_FOUND:
            raise
        raise invalid([("customer_id", "not_found", "Không có khách hàng này", "No such customer")]) from None


async def _check_contact_person(customer_id: uuid.UUID, person_id: uuid.UUID | None) -> None:
    if person_id is not None and not await ContactPerson.exists().where(
            (ContactPerson.tenant_id == current_tenant_id()) & (ContactPerson.id == person_id)
            & (ContactPerson.customer == customer_id)):
        raise invalid([("contact_person_id", "not_found", "Người liên hệ không thuộc khách hàng này",
                        "No such contact person at this customer")])


async def _priced(lines: list[QuotationLineIn], customer_id: uuid.UUID, currency: str,
                  on: datetime.date) -> list[QuotationLine]:
    """Check the lines, fill them in from their products, and price them with the policies in force `on`."""
    products = await products_by_id([line.product_id for line in lines if line.product_id])
    bundles = await components_of(list(products))
    errors, priced = [], []
    for index, line in enumerate(lines):
        field = f"lines[{index}]"
        check_quantity(line.quantity, f"{field}.quantity")
        check_percent(line.discount_percent, f"{field}.discount_percent")
        if line.tax_percent is not None:
            check_percent(line.tax_percent, f"{field}.tax_percent")
        product = products.get(line.product_id) if line.product_id else None
        if line.product_id and product is None:
            errors.append((f"{field}.product_id", "not_found", "Không có sản phẩm này", "No such product"))
            continue
        if product is None and not (line.description and line.description.strip()):
            errors.append((f"{field}.description", "required", "Dòng không có sản phẩm cần diễn giải",
                           "A line without a product needs a description"))
            continue
        if line.unit_price is None and (product is None or product["currency"] != currency):
            errors.append((f"{field}.unit_price", "required", "Cần đơn giá (sản phẩm không có giá bằng " + currency
                           + ")", f"A unit price is needed (the product has no price in {currency})"))
            continue
        product = product or {}  # a free line: its figures are all the caller's
        priced.append(Priced(
            product_id=line.product_id, product_code=product.get("code"), category=product.get("category"),
            description=(line.description or "").strip() or product["name"], unit=product.get("unit"),
            quantity=line.quantity,
            unit_price=line.unit_price if line.unit_price is not None else product["list_price"],
            discount_percent=line.discount_percent,
            tax_percent=line.tax_percent if line.tax_percent is not None else Decimal(product.get("tax_rate", 0)),
            parts=tuple(msgspec.structs.replace(part, quantity=part.quantity * line.quantity)
                        for part in (bundles.get(line.product_id, []) if line.product_id else []))))
    if errors:
        raise invalid(errors)
    return price_lines(priced, await policies_in_force(customer_id, on), currency)


def _out(row: dict[str, Any]) -> QuotationOut:
    return msgspec.convert(row, QuotationOut)


async def _fetch(quotation_id: uuid.UUID, *visibility: Combinable, lock: bool = False) -> QuotationOut:
    query = Quotation.select(*_OUT_COLUMNS).where(
        (Quotation.tenant_id == current_tenant_id()) & (Quotation.id == quotation_id), *visibility).output(
        load_json=True)
    row = await (query.lock_rows() if lock else query).first()
    if row is None:
        raise QUOTATION_NOT_FOUND
    return _out(row)


async def get_quotation(access: Access, quotation_id: uuid.UUID, lock: bool = False) -> QuotationOut:
    """One quotation the caller sees; a sent one found past its validity date is expired on the way."""
    quotation = await _fetch(quotation_id, *visible_to(access, Quotation), lock=lock)
    if quotation.state == "sent" and quotation.valid_until < await tenant_today():
        await expire_due(ids=[quotation_id])
        quotation = await _fetch(quotation_id)
    return quotation


async def list_quotations(access: Access, limit: int, cursor: str | None, state: str | None,
                          customer_id: uuid.UUID | None, opportunity_id: uuid.UUID | None) -> Page[QuotationOut]:
    await expire_due()  # so that a list never shows a sent quotation past its date
    query = Quotation.select(*_OUT_COLUMNS).where(Quotation.tenant_id == current_tenant_id(),
                                                   *visible_to(access, Quotation))
    if after := decode_cursor(cursor):
        query = query.where(Quotation.id > after)
    for column, value in ((Quotation.state, state), (Quotation.customer_id, customer_id),
                          (Quotation.opportunity_id, opportunity_id)):
        if value is not None:
            query = query.where(column == value)
    items = [_out(row) for row in await query.order_by(Quotation.id).limit(limit + 1).output(load_json=True)]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def _check_valid_until(valid_until: datetime.date) -> None:
    if valid_until < await tenant_today():
        raise invalid([("valid_until", "in_past", "Ngày hiệu lực đã qua", "The validity date has passed")])


def _revision(quotation_id: uuid.UUID, revision: int, valid_until: datetime.date, notes: str | None,
              lines: list[QuotationLine], totals: Totals, created_by: uuid.UUID | None) -> QuotationRevision:
    return QuotationRevision(tenant_id=current_tenant_id(), quotation=quotation_id, revision=revision,
                             valid_until=valid_until, notes=notes, lines=_json(lines), created_by=created_by,
                             **msgspec.structs.asdict(totals))


class Party(msgspec.Struct, frozen=True):
    customer_id: uuid.UUID
    contact_person_id: uuid.UUID | None


async def _party(access: Access, data: QuotationCreate) -> Party:
    """Whom the quotation is for: the opportunity's customer and contact person (unless the body names another
    person at that customer), or the customer given."""
    if data.opportunity_id is None:
        if data.customer_id is None:
            raise invalid([("customer_id", "required", "Cần khách hàng hoặc cơ hội bán hàng",
                            "A customer or an opportunity is needed")])
        return Party(customer_id=data.customer_id, contact_person_id=data.contact_person_id)
    try:
        opportunity = await get_opportunity(access, data.opportunity_id)
    except ProblemError as error:
        if error is not OPPORTUNITY_NOT_FOUND:
            raise
        raise invalid([("opportunity_id", "not_found", "Không có cơ hội bán hàng này",
                        "No such opportunity")]) from None
    if opportunity.customer_id is None or opportunity.state != "open":
        raise invalid([("opportunity_id", "not_quotable", "Cơ hội phải đang mở và có khách hàng",
                        "The opportunity must be open and have a customer")])
    if data.customer_id not in (None, opportunity.customer_id):
        raise invalid([("customer_id", "mismatch", "Khác khách hàng của cơ hội", "Not the opportunity's customer")])
    return Party(customer_id=opportunity.customer_id,
                 contact_person_id=data.contact_person_id or opportunity.contact_person_id)


async def create_quotation(access: Access, data: QuotationCreate) -> QuotationOut:
    party = await _party(access, data)
    customer_id, person_id = party.customer_id, party.contact_person_id
    customer_name = await customer_name_of(access, customer_id)
    await _check_contact_person(customer_id, person_id)
    await _check_valid_until(data.valid_until)
    today = await tenant_today()
    lines = await _priced(data.lines, customer_id, data.currency, today)
    totals = totals_of(lines)
    owner = await ownership(access)
    quotation = Quotation(
        tenant_id=current_tenant_id(), number=await next_code("quotation", NUMBER_PREFIX, NUMBER_DIGITS),
        opportunity_id=data.opportunity_id, customer_id=customer_id, customer_name=customer_name,
        contact_person_id=person_id, owner_id=owner.owner_id, team_id=owner.team_id, branch_id=owner.branch_id,
        currency=data.currency, quoted_on=today,
        valid_until=data.valid_until, notes=data.notes, lines=_json(lines), **msgspec.structs.asdict(totals))
    await quotation.save()
    await _revision(quotation.id, 1, data.valid_until, data.notes, lines, totals, access.user_id).save()
    created = await _fetch(quotation.id)
    await audit.record("quotation.create", "quotation", quotation.id, after=created)
    await emit(QUOTATION_CREATED, quotation_data(created))
    return created


async def update_quotation(access: Access, quotation_id: uuid.UUID, data: QuotationUpdate) -> QuotationOut:
    """Edit in place before the first send; after it, a new revision (back to draft, to be sent again)."""
    before = await get_quotation(access, quotation_id, lock=True)
    if before.state not in _EDITABLE:
        raise wrong_state(before.state, "sửa báo giá", "edit the quotation")
    valid_until = before.valid_until if data.valid_until is msgspec.UNSET else data.valid_until
    notes = before.notes if data.notes is msgspec.UNSET else data.notes
    person_id = before.contact_person_id if data.contact_person_id is msgspec.UNSET else data.contact_person_id
    if data.valid_until is not msgspec.UNSET:
        await _check_valid_until(valid_until)
    await _check_contact_person(before.customer_id, person_id)
    lines = before.lines if isinstance(data.lines, msgspec.UnsetType) else await _priced(
        data.lines, before.customer_id, before.currency, before.quoted_on)
    totals = totals_of(lines)
    new_revision = before.revision + 1 if before.send_count else before.revision
    tenant_id = current_tenant_id()
    await Quotation.update({
        Quotation.valid_until: valid_until, Quotation.notes: notes, Quotation.contact_person_id: person_id,
        Quotation.lines: _json(lines), Quotation.revision: new_revision, Quotation.state: "draft",
        **{getattr(Quotation, name): value for name, value in msgspec.structs.asdict(totals).items()},
    }).where((Quotation.tenant_id == tenant_id) & (Quotation.id == quotation_id))
    if new_revision == before.revision:
        await QuotationRevision.delete().where(
            (QuotationRevision.tenant_id == tenant_id) & (QuotationRevision.quotation == quotation_id)
            & (QuotationRevision.revision == new_revision))
    await _revision(quotation_id, new_revision, valid_until, notes, lines, totals, access.user_id).save()
    after = await _fetch(quotation_id)
    await audit.record("quotation.update", "quotation", quotation_id, before=before, after=after)
    return after


async def _pdf_path(storage: TenantStorage, quotation: QuotationOut) -> str:
    """The stored PDF of the quotation's current revision, rendered and stored on first need."""
    tenant_id = current_tenant_id()
    where = ((QuotationRevision.tenant_id == tenant_id) & (QuotationRevision.quotation == quotation.id)
             & (QuotationRevision.revision == quotation.revision))
    row = await QuotationRevision.select(QuotationRevision.pdf_path).where(where).first()
    if row and row["pdf_path"]:
        return str(row["pdf_path"])
    path = f"quotations/{quotation.id}/{quotation.number}-r{quotation.revision}.pdf"
    body = await asyncio.to_thread(quotation_pdf.render, quotation)
    await asyncio.to_thread(storage.put, tenant_id, path, body, "application/pdf")
    await QuotationRevision.update({QuotationRevision.pdf_path: path}).where(where)
    return path


async def pdf_download(access: Access, storage: TenantStorage, quotation_id: uuid.UUID) -> Download:
    quotation = await get_quotation(access, quotation_id)
    path = await _pdf_path(storage, quotation)
    url = await asyncio.to_thread(storage.presigned_get, current_tenant_id(), path)
    return Download(url=url, file_name=path.rsplit("/", 1)[1])


async def _mail_quotation(quotation: QuotationOut, recipients: list[str]) -> None:
    tenant = await Tenant.select(Tenant.name, Tenant.language).where(Tenant.id == current_tenant_id()).first()
    company = tenant["name"] if tenant else ""
    for address in recipients:
        await mail.queue_mail(address, tenant["language"] if tenant else "vi", "quotation_sent",
                              number=quotation.number, company=company, customer=quotation.customer_name,
                              revision=quotation.revision, total=quotation_pdf.money(quotation.total,
                                                                                    quotation.currency),
                              valid_until=f"{quotation.valid_until:%d/%m/%Y}")
    after_commit(mail.enqueue_sender)


async def send_quotation(access: Access, storage: TenantStorage, quotation_id: uuid.UUID,
                         data: QuotationSendIn) -> QuotationOut:
    """Send (or send again) the current revision: its PDF is stored, the send logged, the customer mailed."""
    before = await get_quotation(access, quotation_id, lock=True)
    if before.state not in _EDITABLE:
        raise wrong_state(before.state, "gửi báo giá", "send the quotation")
    await _check_valid_until(before.valid_until)
    await _pdf_path(storage, before)
    recipients = sorted({address.strip().lower() for address in data.to})
    tenant_id = current_tenant_id()
    await QuotationSend(tenant_id=tenant_id, quotation=quotation_id, revision=before.revision,
                        recipients=recipients, sent_by=access.user_id).save()
    await Quotation.update({Quotation.state: "sent", Quotation.send_count: Quotation.send_count + 1}).where(
        (Quotation.tenant_id == tenant_id) & (Quotation.id == quotation_id))
    after = await _fetch(quotation_id)
    await _mail_quotation(after, recipients)
    await audit.record("quotation.send", "quotation", quotation_id, before=before, after=after)
    await emit(QUOTATION_SENT, quotation_data(after))
    return after


async def send_log(access: Access, quotation_id: uuid.UUID) -> list[QuotationSendOut]:
    await get_quotation(access, quotation_id)
    rows = await QuotationSend.select(QuotationSend.revision, QuotationSend.recipients, QuotationSend.sent_by,
                                      QuotationSend.created_at.as_alias("sent_at")).where(
        (QuotationSend.tenant_id == current_tenant_id()) & (QuotationSend.quotation == quotation_id)).order_by(
        QuotationSend.id)
    return msgspec.convert(rows, list[QuotationSendOut])


async def _decide(access: Access, quotation_id: uuid.UUID, state: str, action_vi: str, action_en: str,
                  reason: str | None = None) -> tuple[QuotationOut, QuotationOut]:
    """Move a sent quotation to `state`; the row lock makes a second, concurrent decision see the first."""
    before = await get_quotation(access, quotation_id, lock=True)
    if before.state != "sent":
        raise wrong_state(before.state, action_vi, action_en)
    await Quotation.update({Quotation.state: state, Quotation.decided_at: datetime.datetime.now(datetime.UTC),
                            Quotation.rejection_reason: reason}).where(
        (Quotation.tenant_id == current_tenant_id()) & (Quotation.id == quotation_id))
    after = await _fetch(quotation_id)
    await audit.record(f"quotation.{state}", "quotation", quotation_id, before=before, after=after)
    return before, after


async def accept_quotation(access: Access, quotation_id: uuid.UUID) -> QuotationOut:
    """The customer said yes: when the total fits the customer's credit, the opportunity is won and the ERP's
    sales module hears it once."""
    quotation = await get_quotation(access, quotation_id)
    await require_credit(quotation.customer_id, quotation.total, quotation.currency, "quotation", quotation_id)
    _, after = await _decide(access, quotation_id, "accepted", "chấp nhận báo giá", "accept the quotation")
    if after.opportunity_id is not None:
        await mark_won(after.opportunity_id)
    await emit(QUOTATION_ACCEPTED, quotation_accepted(after))
    return after


async def reject_quotation(access: Access, quotation_id: uuid.UUID, reason: str | None) -> QuotationOut:
    _, after = await _decide(access, quotation_id, "rejected", "từ chối báo giá", "reject the quotation", reason)
    await emit(QUOTATION_REJECTED, quotation_data(after))
    return after


async def expire_due(ids: Collection[uuid.UUID] | None = None) -> int:
    """Expire the sent quotations past their validity date (only `ids` when given), in one statement; each
    announced once, since a second run finds them no longer sent. Returns how many expired."""
    tenant_id, today = current_tenant_id(), await tenant_today()
    query = Quotation.update({Quotation.state: "expired", Quotation.decided_at: datetime.datetime.now(datetime.UTC)})
    query = query.where((Quotation.tenant_id == tenant_id) & (Quotation.state == "sent")
                        & (Quotation.valid_until < today))
    if ids is not None:
        query = query.where(Quotation.id.is_in(list(ids)))
    expired = [row["id"] for row in await query.returning(Quotation.id)]
    if not expired:
        return 0
    rows = await Quotation.select(*_OUT_COLUMNS).where(
        Quotation.tenant_id == tenant_id, Quotation.id.is_in(expired)).output(load_json=True)
    for row in rows:
        await emit(QUOTATION_EXPIRED, quotation_data(_out(row)))
    await audit.record("quotation.expire", "quotation", None, after={"quotation_ids": expired, "today": today})
    return len(expired)


async def revisions(access: Access, quotation_id: uuid.UUID) -> list[QuotationRevisionOut]:
    await get_quotation(access, quotation_id)
    rows = await QuotationRevision.select(*_REVISION_COLUMNS).where(
        (QuotationRevision.tenant_id == current_tenant_id()) & (QuotationRevision.quotation == quotation_id)
    ).order_by(QuotationRevision.revision).output(load_json=True)
    return msgspec.convert(rows, list[QuotationRevisionOut])


async def get_revision(access: Access, quotation_id: uuid.UUID, revision: int,
                       field: str = "revision") -> QuotationRevisionOut:
    await get_quotation(access, quotation_id)
    row = await QuotationRevision.select(*_REVISION_COLUMNS).where(
        (QuotationRevision.tenant_id == current_tenant_id()) & (QuotationRevision.quotation == quotation_id)
        & (QuotationRevision.revision == revision)).output(load_json=True).first()
    if row is None:
        raise ProblemError(404, "not_found", "Không tìm thấy phiên bản báo giá.", "Quotation revision not found.",
                           errors=[(field, "not_found", "Không có phiên bản này", "No such revision")])
    return msgspec.convert(row, QuotationRevisionOut)


_COMPARED = ("description", "quantity", "unit_price", "discount_percent", "tax_percent", "policy", "total")


def _keyed(lines: list[QuotationLine]) -> dict[str, QuotationLine]:
    """Lines by product (or description for a free line); a product's second line is `<key>#2`."""
    seen: Counter[str] = Counter()
    keyed = {}
    for line in lines:
        key = str(line.product_code or line.product_id or line.description)
        seen[key] += 1
        keyed[key if seen[key] == 1 else f"{key}#{seen[key]}"] = line
    return keyed


async def compare(access: Access, quotation_id: uuid.UUID, from_revision: int, to_revision: int) -> RevisionComparison:
    old = await get_revision(access, quotation_id, from_revision, "from")
    new = await get_revision(access, quotation_id, to_revision, "to")
    before, after = _keyed(old.lines), _keyed(new.lines)
    changes = []
    for key in [*before, *(key for key in after if key not in before)]:
        was, now = before.get(key), after.get(key)
        if was is None or now is None:
            changes.append(LineChange(change="added" if was is None else "removed", key=key, before=was, after=now,
                                      fields=[]))
        elif fields := [name for name in _COMPARED if getattr(was, name) != getattr(now, name)]:
            changes.append(LineChange(change="changed", key=key, before=was, after=now, fields=fields))
    return RevisionComparison(from_revision=from_revision, to_revision=to_revision, lines=changes,
                              total_before=old.total, total_after=new.total)
