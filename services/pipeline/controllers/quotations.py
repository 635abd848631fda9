"""Quotations over HTTP: create, edit (revisions), send, accept or reject, PDF, revisions and their comparison."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from infra.runtime import Runtime
from services.pipeline.schemas import (
    Download,
    QuotationCreate,
    QuotationOut,
    QuotationReject,
    QuotationRevisionOut,
    QuotationSendIn,
    QuotationSendOut,
    QuotationState,
    QuotationUpdate,
    RevisionComparison,
)
from services.pipeline.service import quotations
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("quotations:read")]
WRITE = [requires("quotations:write")]
FromRevision = Annotated[int, QueryParameter(name="from", ge=1, description="The older revision")]
ToRevision = Annotated[int, QueryParameter(name="to", ge=1, description="The newer revision")]


class QuotationController(Controller):
    path = "/quotations"
    tags = ["quotations"]

    @get(guards=READ, summary="Quotations (keyset pages), by state, customer or opportunity")
    async def list_quotations(self, access: CallerAccess, limit: Limit = 50, cursor: Cursor = None,
                              in_state: Annotated[QuotationState | None, QueryParameter(name="state")] = None,
                              customer_id: FromQuery[uuid.UUID | None] = None,
                              opportunity_id: FromQuery[uuid.UUID | None] = None) -> Page[QuotationOut]:
        return await quotations.list_quotations(access, limit, cursor, in_state, customer_id, opportunity_id)

    @post(guards=WRITE, summary="Create a quotation (BG000123) from an opportunity or for a customer; lines are "
                                "priced with the price policies in force")
    async def create_quotation(self, access: CallerAccess, data: JSONBody[QuotationCreate]) -> QuotationOut:
        return await quotations.create_quotation(access, data)

    @get("/{quotation_id:uuid}", guards=READ, summary="One quotation, its current revision's lines and totals")
    async def get_quotation(self, access: CallerAccess, quotation_id: FromPath[uuid.UUID]) -> QuotationOut:
        return await quotations.get_quotation(access, quotation_id)

    @patch("/{quotation_id:uuid}", guards=WRITE,
           summary="Edit a draft or sent quotation; after the first send this makes a new revision")
    async def update_quotation(self, access: CallerAccess, quotation_id: FromPath[uuid.UUID],
                               data: JSONBody[QuotationUpdate]) -> QuotationOut:
        return await quotations.update_quotation(access, quotation_id, data)

    @post("/{quotation_id:uuid}/send", guards=WRITE, status_code=200,
          summary="Send the current revision: the PDF is stored, the send logged and the recipients mailed")
    async def send_quotation(self, access: CallerAccess, runtime: NamedDependency[Runtime],
                             quotation_id: FromPath[uuid.UUID], data: JSONBody[QuotationSendIn]) -> QuotationOut:
        return await quotations.send_quotation(access, runtime.storage, quotation_id, data)

    @get("/{quotation_id:uuid}/sends", guards=READ, summary="The send log: when, to whom, by whom, which revision")
    async def send_log(self, access: CallerAccess, quotation_id: FromPath[uuid.UUID]) -> list[QuotationSendOut]:
        return await quotations.send_log(access, quotation_id)

    @post("/{quotation_id:uuid}/accept", guards=WRITE, status_code=200,
          summary="The customer accepted: the opportunity is won and `quotation.accepted` emitted")
    async def accept_quotation(self, access: CallerAccess, quotation_id: FromPath[uuid.UUID]) -> QuotationOut:
        return await quotations.accept_quotation(access, quotation_id)

    @post("/{quotation_id:uuid}/reject", guards=WRITE, status_code=200, summary="The customer rejected it")
    async def reject_quotation(self, access: CallerAccess, quotation_id: FromPath[uuid.UUID],
                               data: JSONBody[QuotationReject]) -> QuotationOut:
        return await quotations.reject_quotation(access, quotation_id, data.reason)

    @get("/{quotation_id:uuid}/pdf", guards=READ, summary="A short-lived download URL of the current revision's PDF")
    async def quotation_pdf(self, access: CallerAccess, runtime: NamedDependency[Runtime],
                            quotation_id: FromPath[uuid.UUID]) -> Download:
        return await quotations.pdf_download(access, runtime.storage, quotation_id)

    @get("/{quotation_id:uuid}/revisions", guards=READ, summary="Every revision, oldest first")
    async def list_revisions(self, access: CallerAccess,
                             quotation_id: FromPath[uuid.UUID]) -> list[QuotationRevisionOut]:
        return await quotations.revisions(access, quotation_id)

    @get("/{quotation_id:uuid}/revisions/{revision:int}", guards=READ, summary="One revision")
    async def get_revision(self, access: CallerAccess, quotation_id: FromPath[uuid.UUID],
                           revision: FromPath[int]) -> QuotationRevisionOut:
        return await quotations.get_revision(access, quotation_id, revision)

    @get("/{quotation_id:uuid}/compare", guards=READ,
         summary="Line differences between two revisions (`from`, `to`): added, removed, changed fields")
    async def compare(self, access: CallerAccess, quotation_id: FromPath[uuid.UUID],
                      from_revision: FromRevision, to_revision: ToRevision) -> RevisionComparison:
        return await quotations.compare(access, quotation_id, from_revision, to_revision)
