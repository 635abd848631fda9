"""The ERP's ledger and credit limits (chỉ tiêu tín dụng).

The ERP posts invoices, payments, credit notes and sales orders, each idempotent by its own reference: the same
reference with the same body changes nothing; with another body it is a 409. Balances shown are
summed from the ledger when a status is asked for; the credit check, which must be fast whatever the
history, reads running totals (`ledger_balance`) moved in the same transaction as each posting.

Payments and credit notes settle the oldest-due invoices first, so the overdue part of a balance is what the
invoices past due add up to, less everything settled. An account with anything overdue goes on hold (and
comes off it when the overdue is paid); a manual hold stays until released.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from typing import Any, Literal

import msgspec

from infra.problems import NotFoundError, ProblemError, invalid
from services.partners.events import (
    CREDIT_EXCEEDED,
    CREDIT_HOLD,
    CREDIT_LIMIT_CHANGED,
    CreditExceeded,
    CreditHold,
    CreditLimitChanged,
)
from services.partners.schemas import (
    CreditAccountSet,
    CreditApprovalOut,
    CreditCheckRequest,
    CreditDecision,
    CreditPosition,
    CreditStatus,
    LedgerEntryOut,
    LedgerPost,
    PartnersSettingsOut,
    PartnersSettingsUpdate,
)
from services.partners.service.refs import require_customer
from services.partners.tables import CreditAccount, CreditApproval, LedgerBalance, LedgerEntry, PartnersSettings
from tenants import audit
from tenants.context import current_tenant_id
from tenants.ids import new_id
from tenants.locale import tenant_today
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emit

DEFAULT_TERMS_DAYS = 30
REFERENCE_REUSED = ProblemError(409, "conflict", "Số chứng từ này đã được ghi với nội dung khác.",
                                "This reference was already posted with a different body.",
                                errors=[("reference", "reused", "Đã dùng cho chứng từ khác",
                                         "Already used for another document")])
APPROVAL_NOT_FOUND = NotFoundError("yêu cầu duyệt tín dụng", "Credit approval")
ALREADY_DECIDED = ProblemError(409, "conflict", "Yêu cầu này đã được quyết định.", "This request was already decided.")

# One statement, one index range (ledger_entry_credit: tenant, customer, currency, kind, due_date INCLUDE amount).
_SUMS = ("SELECT coalesce(sum(amount) FILTER (WHERE kind = 'invoice'), 0)::bigint AS invoiced, "
         "coalesce(sum(amount) FILTER (WHERE kind IN ('payment', 'credit_note')), 0)::bigint AS settled, "
         "coalesce(sum(amount) FILTER (WHERE kind = 'invoice' AND due_date < {}), 0)::bigint AS due "
         "FROM ledger_entry WHERE tenant_id = {} AND customer_id = {} AND currency = {} "
         "AND kind IN ('invoice', 'payment', 'credit_note')")

# The same sums for every account of the tenant at once, keeping those whose hold no longer fits.
_WRONG_HOLDS = ("SELECT a.customer_id FROM credit_account a LEFT JOIN LATERAL ("  # noqa: S608 - constant SQL
                + _SUMS.replace("customer_id = {}", "customer_id = a.customer_id").replace(
                    "currency = {}", "currency = a.currency")
                + ") s ON true WHERE a.tenant_id = {} AND ((NOT a.on_hold AND s.due > s.settled) "
                "OR (a.on_hold AND a.hold_reason = 'overdue' AND s.due <= s.settled))")



def _body_hash(data: LedgerPost) -> str:
    return hashlib.sha256(msgspec.json.encode(data)).hexdigest()


_ACCOUNT = ("SELECT credit_limit, currency, payment_terms_days, on_hold, hold_reason FROM credit_account "
            "WHERE tenant_id = {} AND customer_id = {}")


async def _account(customer_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
    rows = await CreditAccount.raw(f"{_ACCOUNT} FOR UPDATE" if lock else _ACCOUNT, current_tenant_id(), customer_id)
    return rows[0] if rows else None


# -- the ledger -------------------------------------------------------------------------------------------
_ENTRY_COLUMNS = [getattr(LedgerEntry, name) for name in LedgerEntryOut.__struct_fields__]


async def post_entry(data: LedgerPost) -> tuple[LedgerEntryOut, bool]:
    """The entry, and whether this call created it (False: the same document was posted before)."""
    await require_customer(data.customer_id)
    if data.kind != "invoice" and data.due_date is not None:
        raise invalid([("due_date", "not_allowed", "Chỉ hóa đơn có hạn thanh toán", "Only invoices have a due date")])
    account = await _account(data.customer_id)
    if account and data.kind != "sales_order" and data.currency != account["currency"]:
        raise invalid([("currency", "mismatch", f"Tài khoản tín dụng dùng {account['currency']}",
                        f"The credit account is in {account['currency']}")])
    due = data.due_date
    if data.kind == "invoice" and due is None:
        terms = account["payment_terms_days"] if account else DEFAULT_TERMS_DAYS
        due = data.document_date + datetime.timedelta(days=terms)
    body_hash = _body_hash(data)
    inserted = await LedgerEntry.raw(
        "INSERT INTO ledger_entry (id, tenant_id, customer_id, kind, reference, body_hash, amount, currency, "
        "document_date, due_date, lines, created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
        "{}::jsonb, now(), now()) ON CONFLICT (tenant_id, kind, reference) DO NOTHING RETURNING id",
        new_id(), current_tenant_id(), data.customer_id, data.kind, data.reference, body_hash, data.amount,
        data.currency, data.document_date, due, msgspec.json.encode(data.lines).decode())
    if inserted:
        if data.kind != "sales_order":
            await _move_balance(data)
        entry = await _entry(inserted[0]["id"])
        await audit.record("ledger.post", "ledger_entry", entry.id, after=entry)
        if data.kind != "sales_order":
            await refresh_hold(data.customer_id)
        return entry, True
    existing = await LedgerEntry.select(LedgerEntry.id, LedgerEntry.body_hash).where(
        (LedgerEntry.tenant_id == current_tenant_id()) & (LedgerEntry.kind == data.kind)
        & (LedgerEntry.reference == data.reference)).first()
    if existing is None or existing["body_hash"] != body_hash:
        raise REFERENCE_REUSED
    return await _entry(existing["id"]), False


async def _move_balance(data: LedgerPost) -> None:
    invoiced, settled = (data.amount, 0) if data.kind == "invoice" else (0, data.amount)
    await LedgerBalance.raw(
        "INSERT INTO ledger_balance (id, tenant_id, customer_id, currency, invoiced, settled, created_at, updated_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, now(), now()) ON CONFLICT (tenant_id, customer_id, currency) DO UPDATE "
        "SET invoiced = ledger_balance.invoiced + excluded.invoiced, "
        "settled = ledger_balance.settled + excluded.settled, updated_at = now()",
        new_id(), current_tenant_id(), data.customer_id, data.currency, invoiced, settled)


async def _entry(entry_id: uuid.UUID) -> LedgerEntryOut:
    row = await LedgerEntry.select(*_ENTRY_COLUMNS).where(
        (LedgerEntry.tenant_id == current_tenant_id()) & (LedgerEntry.id == entry_id)).output(load_json=True).first()
    if row is None:
        raise NotFoundError("chứng từ", "Ledger entry")
    return msgspec.convert(row, LedgerEntryOut)


async def list_entries(customer_id: uuid.UUID | None, kind: str | None, limit: int,
                       cursor: str | None) -> Page[LedgerEntryOut]:
    query = LedgerEntry.select(*_ENTRY_COLUMNS).where(LedgerEntry.tenant_id == current_tenant_id())
    if customer_id:
        query = query.where(LedgerEntry.customer_id == customer_id)
    if kind:
        query = query.where(LedgerEntry.kind == kind)
    if after := decode_cursor(cursor):
        query = query.where(LedgerEntry.id > after)
    rows = await query.order_by(LedgerEntry.id).limit(limit + 1).output(load_json=True)
    items = msgspec.convert(rows, list[LedgerEntryOut])
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


# -- credit status and limits -----------------------------------------------------------------------------
async def credit_status(customer_id: uuid.UUID) -> CreditStatus:
    account = await _account(customer_id)
    currency = account["currency"] if account else "VND"
    sums = (await LedgerEntry.raw(_SUMS, await tenant_today(), current_tenant_id(), customer_id, currency))[0]
    balance = sums["invoiced"] - sums["settled"]
    overdue = max(0, sums["due"] - sums["settled"])
    if account is None:
        return CreditStatus(customer_id=customer_id, has_limit=False, credit_limit=None, currency=currency,
                            payment_terms_days=None, balance=balance, overdue=overdue, available=None,
                            on_hold=False, hold_reason=None)
    return CreditStatus(customer_id=customer_id, has_limit=True, credit_limit=account["credit_limit"],
                        currency=currency, payment_terms_days=account["payment_terms_days"], balance=balance,
                        overdue=overdue, available=account["credit_limit"] - balance, on_hold=account["on_hold"],
                        hold_reason=account["hold_reason"])


async def get_credit(customer_id: uuid.UUID) -> CreditStatus:
    await require_customer(customer_id, None)
    return await credit_status(customer_id)


async def set_credit(customer_id: uuid.UUID, data: CreditAccountSet) -> CreditStatus:
    await require_customer(customer_id, None)
    before = await _account(customer_id, lock=True)
    if before and before["currency"] != data.currency:
        raise invalid([("currency", "immutable", "Không đổi được tiền tệ của tài khoản tín dụng",
                        "A credit account's currency cannot change")])
    await CreditAccount.raw(
        "INSERT INTO credit_account (id, tenant_id, customer_id, credit_limit, currency, payment_terms_days, "
        "created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, now(), now()) ON CONFLICT (tenant_id, customer_id) "
        "DO UPDATE SET credit_limit = excluded.credit_limit, payment_terms_days = excluded.payment_terms_days, "
        "updated_at = now()", new_id(), current_tenant_id(), customer_id, data.credit_limit, data.currency,
        data.payment_terms_days)
    if not isinstance(data.on_hold, msgspec.UnsetType):
        await _set_hold(customer_id, data.on_hold, "manual" if data.on_hold else None)
    after = await credit_status(customer_id)
    await audit.record("credit.set", "credit_account", customer_id, before=before, after=after)
    if before is None or before["credit_limit"] != data.credit_limit or \
            before["payment_terms_days"] != data.payment_terms_days:
        await emit(CREDIT_LIMIT_CHANGED, CreditLimitChanged(
            customer_id=customer_id, credit_limit=data.credit_limit,
            previous_limit=before["credit_limit"] if before else None, currency=data.currency,
            payment_terms_days=data.payment_terms_days))
    return after


async def _set_hold(customer_id: uuid.UUID, on_hold: bool, reason: str | None) -> bool:
    """True when the hold changed."""
    changed = await CreditAccount.raw(
        "UPDATE credit_account SET on_hold = {}, hold_reason = {}, held_at = CASE WHEN {} THEN now() END, "
        "updated_at = now() WHERE tenant_id = {} AND customer_id = {} AND on_hold IS DISTINCT FROM {} "
        "RETURNING id", on_hold, reason, on_hold, current_tenant_id(), customer_id, on_hold)
    if changed:
        status = await credit_status(customer_id)
        await emit(CREDIT_HOLD, CreditHold(customer_id=customer_id, on_hold=on_hold, reason=reason,
                                           overdue=status.overdue, currency=status.currency))
    return bool(changed)


async def refresh_hold(customer_id: uuid.UUID) -> None:
    """Overdue: on hold. Paid up after an overdue hold: released. A manual hold is left alone."""
    account = await _account(customer_id, lock=True)
    if account is None:
        return
    status = await credit_status(customer_id)
    if status.overdue > 0 and not account["on_hold"]:
        await _set_hold(customer_id, True, "overdue")
    elif status.overdue == 0 and account["on_hold"] and account["hold_reason"] == "overdue":
        await _set_hold(customer_id, False, None)


async def refresh_all_holds() -> int:
    """The daily pass (a per-tenant job): invoices fall due without anything being posted. Set-based: one
    statement finds the accounts whose hold is wrong; each is then corrected (and announced) on its own."""
    rows = await CreditAccount.raw(_WRONG_HOLDS, await tenant_today(), current_tenant_id(), current_tenant_id())
    for row in rows:
        await refresh_hold(row["customer_id"])
    return len(rows)


# -- the check a quotation or contract asks -------------------------------------------------------------
async def settings() -> PartnersSettingsOut:
    row = await PartnersSettings.select(PartnersSettings.over_credit).where(
        PartnersSettings.tenant_id == current_tenant_id()).first()
    return PartnersSettingsOut(over_credit=row["over_credit"] if row else "refuse")


async def update_settings(data: PartnersSettingsUpdate) -> PartnersSettingsOut:
    before = await settings()
    await PartnersSettings.raw(
        "INSERT INTO partners_settings (id, tenant_id, over_credit, created_at, updated_at) "
        "VALUES ({}, {}, {}, now(), now()) ON CONFLICT (tenant_id) DO UPDATE SET over_credit = excluded.over_credit, "
        "updated_at = now()", new_id(), current_tenant_id(), data.over_credit)
    after = await settings()
    await audit.record("partners_settings.update", "partners_settings", None, before=before, after=after)
    return after


POSITION = ("SELECT a.credit_limit, a.currency, a.on_hold, b.invoiced - b.settled AS balance "
            "FROM (SELECT {}::uuid AS customer_id) c "
            "LEFT JOIN credit_account a ON a.tenant_id = {} AND a.customer_id = c.customer_id "
            "LEFT JOIN ledger_balance b ON b.tenant_id = {} AND b.customer_id = c.customer_id "
            "AND b.currency = coalesce(a.currency, {})")


async def credit_position(customer_id: uuid.UUID, currency: str) -> CreditPosition:
    """The limit, hold and running balance in one indexed read (no summing of the ledger)."""
    rows = await CreditAccount.raw(POSITION, customer_id, current_tenant_id(), current_tenant_id(), currency)
    row = rows[0]
    balance = row["balance"] or 0
    if row["credit_limit"] is None:
        return CreditPosition(has_limit=False, credit_limit=None, currency=currency, balance=balance,
                              available=None, on_hold=False)
    return CreditPosition(has_limit=True, credit_limit=row["credit_limit"], currency=row["currency"],
                          balance=balance, available=row["credit_limit"] - balance, on_hold=row["on_hold"])


async def check_credit(request: CreditCheckRequest) -> CreditDecision:
    """Whether a document of `amount` fits the customer's available credit. Over it, the tenant's setting
    decides: refused, or a pending approval for a manager; a document already approved passes."""
    await require_customer(request.customer_id)
    status = await credit_position(request.customer_id, request.currency)
    if not status.has_limit:
        return CreditDecision(decision="ok", reason="no_limit", position=status)
    if request.currency != status.currency:
        raise invalid([("currency", "mismatch", f"Hạn mức tín dụng tính bằng {status.currency}",
                        f"The credit limit is in {status.currency}")])
    if not status.on_hold and status.available is not None and request.amount <= status.available:
        return CreditDecision(decision="ok", reason="within_limit", position=status)
    reason: Literal["on_hold", "over_limit"] = "on_hold" if status.on_hold else "over_limit"
    approval_id = None
    if reason == "over_limit" and request.document_id is not None:
        approved = await CreditApproval.select(CreditApproval.id, CreditApproval.status).where(
            (CreditApproval.tenant_id == current_tenant_id()) & (CreditApproval.document_id == request.document_id)
            & (CreditApproval.amount >= request.amount)).order_by(CreditApproval.id, ascending=False).first()
        if approved and approved["status"] == "approved":
            return CreditDecision(decision="ok", reason="within_limit", position=status,
                                  approval_id=approved["id"])
        if approved and approved["status"] == "pending":
            return CreditDecision(decision="approval_required", reason=reason, position=status,
                                  approval_id=approved["id"])
    decision: Literal["refused", "approval_required"] = "refused"
    if reason == "over_limit" and (await settings()).over_credit == "approval" and request.document_id:
        decision = "approval_required"
        approval = CreditApproval(tenant_id=current_tenant_id(), customer_id=request.customer_id,
                                  document_type=request.document_type or "quotation",
                                  document_id=request.document_id, amount=request.amount,
                                  available=status.available or 0)
        await approval.save()
        approval_id = approval.id
        await audit.record("credit.approval_requested", "credit_approval", approval.id,
                           after={"amount": request.amount, "available": status.available})
    await emit(CREDIT_EXCEEDED, CreditExceeded(
        customer_id=request.customer_id, amount=request.amount, available=status.available or 0,
        currency=status.currency, decision=decision, document_type=request.document_type,
        document_id=request.document_id))
    return CreditDecision(decision=decision, reason=reason, position=status, approval_id=approval_id)


_APPROVAL_COLUMNS = [getattr(CreditApproval, name) for name in CreditApprovalOut.__struct_fields__]


async def list_approvals(status: str | None) -> list[CreditApprovalOut]:
    query = CreditApproval.select(*_APPROVAL_COLUMNS).where(CreditApproval.tenant_id == current_tenant_id())
    if status:
        query = query.where(CreditApproval.status == status)
    return msgspec.convert(await query.order_by(CreditApproval.id), list[CreditApprovalOut])


async def decide_approval(approval_id: uuid.UUID, approve: bool, decided_by: uuid.UUID) -> CreditApprovalOut:
    decided = await CreditApproval.raw(
        "UPDATE credit_approval SET status = {}, decided_by = {}, decided_at = now(), updated_at = now() "
        "WHERE tenant_id = {} AND id = {} AND status = 'pending' RETURNING id",
        "approved" if approve else "rejected", decided_by, current_tenant_id(), approval_id)
    if not decided:
        exists = await CreditApproval.exists().where(
            (CreditApproval.tenant_id == current_tenant_id()) & (CreditApproval.id == approval_id))
        raise ALREADY_DECIDED if exists else APPROVAL_NOT_FOUND
    row = await CreditApproval.select(*_APPROVAL_COLUMNS).where(CreditApproval.id == approval_id).first()
    out = msgspec.convert(row, CreditApprovalOut)
    await audit.record("credit.approval_decided", "credit_approval", approval_id, after=out)
    return out
