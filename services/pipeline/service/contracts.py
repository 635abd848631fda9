"""Contracts: from an accepted quotation or standalone; states draft → sent → signed → active → expired |
terminated (and cancelled before signing by terminating); signed PDFs kept as versions in S3. A signed contract
becomes active by hand or on its start date; activation, renewal reminders and expiry run hourly per tenant
(`services.pipeline.jobs`)."""

from __future__ import annotations

import asyncio
import datetime
import uuid
from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from infra.problems import NotFoundError, ProblemError, invalid
from infra.storage import TenantStorage
from services.contacts.service.customers import next_code
from services.identity.service import mail
from services.identity.tables import User
from services.pipeline.events import (
    CONTRACT_ACTIVATED,
    CONTRACT_CREATED,
    CONTRACT_EXPIRED,
    CONTRACT_RENEWAL_DUE,
    CONTRACT_SIGNED,
    CONTRACT_TERMINATED,
    contract_data,
)
from services.pipeline.schemas import ContractCreate, ContractDocumentOut, ContractOut, ContractUpdate, Download
from services.pipeline.service.credit_gate import require_credit
from services.pipeline.service.quotations import (
    customer_name_of,
    get_quotation,
    ownership,
    wrong_state,
)
from services.pipeline.tables import Contract, ContractDocument, ContractRenewalReminder
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import after_commit, current_tenant_id
from tenants.locale import tenant_today
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.events import EventType
from webhooks.outbox import emit

CONTRACT_NOT_FOUND = NotFoundError("hợp đồng", "Contract")
DOCUMENT_NOT_FOUND = NotFoundError("tài liệu hợp đồng", "Contract document")
NUMBER_PREFIX, NUMBER_DIGITS = "HD", 6
_OUT_COLUMNS = [getattr(Contract, name) for name in ContractOut.__struct_fields__]
_DOCUMENT_COLUMNS = [getattr(ContractDocument, name) for name in ContractDocumentOut.__struct_fields__]
# action -> (states it may start from, state it leads to, the event announcing it, vi and en verbs)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, EventType[Any] | None, str, str]] = {
    "send": (("draft",), "sent", None, "gửi hợp đồng", "send the contract"),
    "sign": (("sent",), "signed", CONTRACT_SIGNED, "ký hợp đồng", "sign the contract"),
    "activate": (("signed",), "active", CONTRACT_ACTIVATED, "kích hoạt hợp đồng", "activate the contract"),
    "terminate": (("draft", "sent", "signed", "active"), "terminated", CONTRACT_TERMINATED,
                  "chấm dứt hợp đồng", "terminate the contract"),
}
PDF_MAGIC = b"%PDF-"


async def _fetch(contract_id: uuid.UUID, *visibility: Combinable, lock: bool = False) -> ContractOut:
    query = Contract.select(*_OUT_COLUMNS).where(
        (Contract.tenant_id == current_tenant_id()) & (Contract.id == contract_id), *visibility)
    row = await (query.lock_rows() if lock else query).first()
    if row is None:
        raise CONTRACT_NOT_FOUND
    return msgspec.convert(row, ContractOut)


async def get_contract(access: Access, contract_id: uuid.UUID, lock: bool = False) -> ContractOut:
    """One contract the caller sees (its owner's, their team's or branch's, by the caller's visibility)."""
    return await _fetch(contract_id, *visible_to(access, Contract), lock=lock)


async def list_contracts(access: Access, limit: int, cursor: str | None, state: str | None,
                         customer_id: uuid.UUID | None) -> Page[ContractOut]:
    query = Contract.select(*_OUT_COLUMNS).where(Contract.tenant_id == current_tenant_id(),
                                                 *visible_to(access, Contract))
    if after := decode_cursor(cursor):
        query = query.where(Contract.id > after)
    if state is not None:
        query = query.where(Contract.state == state)
    if customer_id is not None:
        query = query.where(Contract.customer_id == customer_id)
    items = msgspec.convert(await query.order_by(Contract.id).limit(limit + 1), list[ContractOut])
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


def _check_dates(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise invalid([("end_date", "before_start", "Ngày kết thúc trước ngày bắt đầu", "Ends before it starts")])


class _Parties(msgspec.Struct, frozen=True):
    customer_id: uuid.UUID
    customer_name: str
    value: int
    currency: str
    title: str


async def _from_quotation(access: Access, quotation_id: uuid.UUID, data: ContractCreate) -> _Parties:
    try:
        quotation = await get_quotation(access, quotation_id)
    except ProblemError as error:
        raise invalid([("quotation_id", "not_found", "Không có báo giá này", "No such quotation")]) from error
    if quotation.state != "accepted":
        raise invalid([("quotation_id", "not_accepted", "Báo giá chưa được chấp nhận",
                        "The quotation has not been accepted")])
    return _Parties(customer_id=quotation.customer_id, customer_name=quotation.customer_name,
                    value=quotation.total if data.value is None else data.value,
                    currency=data.currency or quotation.currency,
                    title=data.title or f"Hợp đồng theo báo giá {quotation.number}")


async def _standalone(access: Access, data: ContractCreate) -> _Parties:
    if data.customer_id is None or data.value is None or data.currency is None or data.title is None:
        raise invalid([(name, "required", "Bắt buộc khi không có báo giá", "Required without a quotation")
                       for name in ("customer_id", "value", "currency", "title") if getattr(data, name) is None])
    return _Parties(customer_id=data.customer_id, customer_name=await customer_name_of(access, data.customer_id),
                    value=data.value, currency=data.currency, title=data.title.strip())


async def create_contract(access: Access, data: ContractCreate) -> ContractOut:
    """From an accepted quotation (its customer, total and currency unless given) or standalone."""
    _check_dates(data.start_date, data.end_date)
    parties = (await _from_quotation(access, data.quotation_id, data) if data.quotation_id is not None
               else await _standalone(access, data))
    owner = await ownership(access)
    contract = Contract(
        tenant_id=current_tenant_id(), number=await next_code("contract", NUMBER_PREFIX, NUMBER_DIGITS),
        title=parties.title, quotation_id=data.quotation_id, customer_id=parties.customer_id,
        customer_name=parties.customer_name, owner_id=owner.owner_id, team_id=owner.team_id,
        branch_id=owner.branch_id, value=parties.value, currency=parties.currency,
        start_date=data.start_date,
        end_date=data.end_date, terms=data.terms, renewal_notice_days=data.renewal_notice_days)
    await contract.save()
    created = await _fetch(contract.id)
    await audit.record("contract.create", "contract", contract.id, after=created)
    await emit(CONTRACT_CREATED, contract_data(created))
    return created


async def update_contract(access: Access, contract_id: uuid.UUID, data: ContractUpdate) -> ContractOut:
    """Terms change only while the contract is a draft; the end date also while it runs (an extension)."""
    before = await get_contract(access, contract_id, lock=True)
    values = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    if not values:
        return before
    extension_only = set(values) <= {"end_date", "renewal_notice_days"}
    if before.state != "draft" and not (extension_only and before.state in ("signed", "active")):
        raise wrong_state(before.state, "sửa hợp đồng", "edit the contract")
    _check_dates(values.get("start_date", before.start_date), values.get("end_date", before.end_date))
    await Contract.update({getattr(Contract, name): value for name, value in values.items()}).where(
        (Contract.tenant_id == current_tenant_id()) & (Contract.id == contract_id))
    after = await _fetch(contract_id)
    await audit.record("contract.update", "contract", contract_id, before=before, after=after)
    return after


async def transition(access: Access, contract_id: uuid.UUID, action: str, reason: str | None = None) -> ContractOut:
    """Move the contract by `action` when its state allows it; 409 otherwise."""
    sources, target, event, action_vi, action_en = TRANSITIONS[action]
    before = await get_contract(access, contract_id, lock=True)
    if before.state not in sources:
        raise wrong_state(before.state, action_vi, action_en)
    if target == "signed" and before.quotation_id is None:  # an accepted quotation's amount passed already
        await require_credit(before.customer_id, before.value, before.currency, "contract", contract_id)
    now = datetime.datetime.now(datetime.UTC)
    changes: dict[Any, Any] = {Contract.state: target}
    if target == "signed":
        changes[Contract.signed_at] = now
    if target == "terminated":
        changes |= {Contract.terminated_at: now, Contract.termination_reason: reason}
    await Contract.update(changes).where((Contract.tenant_id == current_tenant_id()) & (Contract.id == contract_id))
    after = await _fetch(contract_id)
    await audit.record(f"contract.{action}", "contract", contract_id, before=before, after=after)
    if event is not None:
        await emit(event, contract_data(after))
    return after


async def upload_document(access: Access, storage: TenantStorage, contract_id: uuid.UUID, file_name: str,
                          body: bytes) -> ContractDocumentOut:
    """Keep another version of the contract's signed PDF."""
    await get_contract(access, contract_id, lock=True)  # also serialises concurrent uploads' version numbers
    if not body.startswith(PDF_MAGIC):
        raise invalid([("body", "not_pdf", "Tệp tải lên phải là PDF", "The upload must be a PDF")])
    tenant_id = current_tenant_id()
    last = await ContractDocument.select(ContractDocument.version).where(
        (ContractDocument.tenant_id == tenant_id) & (ContractDocument.contract == contract_id)).order_by(
        ContractDocument.version, ascending=False).first()
    version = (last["version"] if last else 0) + 1
    path = f"contracts/{contract_id}/v{version}.pdf"
    await asyncio.to_thread(storage.put, tenant_id, path, body, "application/pdf")
    document = ContractDocument(tenant_id=tenant_id, contract=contract_id, version=version, file_name=file_name,
                                size=len(body), storage_path=path, uploaded_by=access.user_id)
    await document.save()
    out = ContractDocumentOut(version=version, file_name=file_name, size=len(body), uploaded_by=access.user_id,
                              created_at=document.created_at)
    await audit.record("contract.document", "contract", contract_id, after=out)
    return out


async def documents(access: Access, contract_id: uuid.UUID) -> list[ContractDocumentOut]:
    await get_contract(access, contract_id)
    rows = await ContractDocument.select(*_DOCUMENT_COLUMNS).where(
        (ContractDocument.tenant_id == current_tenant_id()) & (ContractDocument.contract == contract_id)).order_by(
        ContractDocument.version)
    return msgspec.convert(rows, list[ContractDocumentOut])


async def document_download(access: Access, storage: TenantStorage, contract_id: uuid.UUID,
                            version: int) -> Download:
    await get_contract(access, contract_id)
    row = await ContractDocument.select(ContractDocument.storage_path, ContractDocument.file_name).where(
        (ContractDocument.tenant_id == current_tenant_id()) & (ContractDocument.contract == contract_id)
        & (ContractDocument.version == version)).first()
    if row is None:
        raise DOCUMENT_NOT_FOUND
    url = await asyncio.to_thread(storage.presigned_get, current_tenant_id(), row["storage_path"])
    return Download(url=url, file_name=row["file_name"])


async def _announce(contract_ids: list[uuid.UUID], event: EventType[Any]) -> list[ContractOut]:
    rows = await Contract.select(*_OUT_COLUMNS).where(
        Contract.tenant_id == current_tenant_id(), Contract.id.is_in(contract_ids)).order_by(Contract.id)
    contracts = msgspec.convert(rows, list[ContractOut])
    for contract in contracts:
        await emit(event, contract_data(contract))
    return contracts


async def activate_started(today: datetime.date | None = None) -> int:
    """Signed contracts whose start date has come become active, in one statement; returns how many."""
    today = today or await tenant_today()
    rows = await Contract.update({Contract.state: "active"}).where(
        (Contract.tenant_id == current_tenant_id()) & (Contract.state == "signed") & (Contract.start_date <= today)
    ).returning(Contract.id)
    started = [row["id"] for row in rows]
    if started:
        await _announce(started, CONTRACT_ACTIVATED)
        await audit.record("contract.activate", "contract", None, after={"contract_ids": started, "today": today})
    return len(started)


async def expire_ended(today: datetime.date | None = None) -> int:
    """Active contracts whose end date has passed become expired, in one statement; returns how many."""
    today = today or await tenant_today()
    rows = await Contract.update({Contract.state: "expired"}).where(
        (Contract.tenant_id == current_tenant_id()) & (Contract.state == "active") & (Contract.end_date < today)
    ).returning(Contract.id)
    expired = [row["id"] for row in rows]
    if expired:
        await _announce(expired, CONTRACT_EXPIRED)
        await audit.record("contract.expire", "contract", None, after={"contract_ids": expired, "today": today})
    return len(expired)


# Signed or active contracts inside their notice window, not yet reminded for this end date: the reminder row
# is the record that it was sent, and its unique (contract, end_date) makes a second run find nothing.
_REMIND = """
INSERT INTO contract_renewal_reminder (tenant_id, contract, end_date)
SELECT tenant_id, id, end_date FROM contract
WHERE tenant_id = {} AND state IN ('signed', 'active') AND end_date >= {}
  AND end_date - renewal_notice_days <= {}
ON CONFLICT (tenant_id, contract, end_date) DO NOTHING
RETURNING contract
"""


async def remind_renewals(today: datetime.date | None = None) -> int:
    """Remind each contract's owner once per term, by mail, and emit `contract.renewal_due`; returns how many."""
    today = today or await tenant_today()
    rows = await ContractRenewalReminder.raw(_REMIND, current_tenant_id(), today, today)
    if not rows:
        return 0
    contracts = await _announce([row["contract"] for row in rows], CONTRACT_RENEWAL_DUE)
    owners = {row["id"]: row for row in await User.select(User.id, User.email, User.full_name, User.language).where(
        User.id.is_in([contract.owner_id for contract in contracts if contract.owner_id]))} if any(
        contract.owner_id for contract in contracts) else {}
    for contract in contracts:
        if owner := owners.get(contract.owner_id):
            await mail.queue_mail(owner["email"], owner["language"], "contract_renewal", number=contract.number,
                                  name=owner["full_name"] or owner["email"], title=contract.title,
                                  customer=contract.customer_name, end_date=f"{contract.end_date:%d/%m/%Y}")
    after_commit(mail.enqueue_sender)
    await audit.record("contract.renewal_reminder", "contract", None,
                       after={"contract_ids": [contract.id for contract in contracts], "today": today})
    return len(contracts)
