"""The ERP's ledger (its own API key scope, `ledger:write`), credit limits, the credit check and approvals."""

from __future__ import annotations

import uuid
from typing import Literal

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from services.partners.schemas import (
    ApprovalDecision,
    CreditAccountSet,
    CreditApprovalOut,
    CreditCheckRequest,
    CreditDecision,
    CreditStatus,
    LedgerEntryOut,
    LedgerKind,
    LedgerPost,
    PartnersSettingsOut,
    PartnersSettingsUpdate,
)
from services.partners.service import credit as service
from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page

READ = [requires("partners:read")]
WRITE = [requires("partners:write")]


class LedgerController(Controller):
    path = "/ledger"
    tags = ["ledger"]
    opt = {"api_scope": "ledger"}

    @post(guards=WRITE,
          summary="The ERP posts an invoice, payment, credit note or sales order (idempotent by its reference)")
    async def post_entry(self, data: JSONBody[LedgerPost]) -> Response[LedgerEntryOut]:
        entry, created = await service.post_entry(data)
        return Response(entry, status_code=201 if created else 200)

    @get(guards=READ, summary="Ledger entries, by customer and kind")
    async def list_entries(self, limit: Limit = 50, cursor: Cursor = None,
                           customer_id: FromQuery[uuid.UUID | None] = None,
                           kind: FromQuery[LedgerKind | None] = None) -> Page[LedgerEntryOut]:
        return await service.list_entries(customer_id, kind, limit, cursor)


class CreditController(Controller):
    path = "/credit"
    tags = ["credit"]

    @post("/check", guards=READ, status_code=200,
          summary="Does a quotation or contract of this amount fit the customer's available credit?")
    async def check(self, data: JSONBody[CreditCheckRequest]) -> CreditDecision:
        return await service.check_credit(data)

    @get("/approvals", guards=READ, summary="Documents over the credit limit waiting for (or given) a decision")
    async def list_approvals(self, status: FromQuery[Literal["pending", "approved", "rejected"] | None] = None
                             ) -> list[CreditApprovalOut]:
        return await service.list_approvals(status)

    @post("/approvals/{approval_id:uuid}/decision", guards=WRITE, status_code=200,
          summary="A manager approves or rejects a document over the credit limit")
    async def decide(self, tenant: TenantScope, approval_id: FromPath[uuid.UUID],
                     data: JSONBody[ApprovalDecision]) -> CreditApprovalOut:
        return await service.decide_approval(approval_id, data.approve, tenant.subject_id)

    @get("/settings", guards=READ, summary="What happens to a document over the limit: refused, or approval")
    async def get_settings(self) -> PartnersSettingsOut:
        return await service.settings()

    @put("/settings", guards=WRITE, summary="Choose: over-limit documents are refused, or go for approval")
    async def update_settings(self, data: JSONBody[PartnersSettingsUpdate]) -> PartnersSettingsOut:
        return await service.update_settings(data)

    @get("/{customer_id:uuid}", guards=READ, summary="A customer's limit, balance, overdue, available credit, hold")
    async def get_credit(self, customer_id: FromPath[uuid.UUID]) -> CreditStatus:
        return await service.get_credit(customer_id)

    @put("/{customer_id:uuid}", guards=WRITE, summary="Set a customer's credit limit, terms, or a manual hold")
    async def set_credit(self, customer_id: FromPath[uuid.UUID], data: JSONBody[CreditAccountSet]) -> CreditStatus:
        return await service.set_credit(customer_id, data)
