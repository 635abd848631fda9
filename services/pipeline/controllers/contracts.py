"""Contracts over HTTP: create, edit, the state transitions, and the signed PDF's versions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from infra.runtime import Runtime
from services.pipeline.schemas import (
    ContractCreate,
    ContractDocumentOut,
    ContractOut,
    ContractState,
    ContractTerminate,
    ContractUpdate,
    Download,
)
from services.pipeline.service import contracts
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("contracts:read")]
WRITE = [requires("contracts:write")]
FileName = Annotated[str, HeaderParameter(name="X-File-Name", min_length=1, max_length=255,
                                          description="The uploaded file's name")]


class ContractController(Controller):
    path = "/contracts"
    tags = ["contracts"]

    @get(guards=READ, summary="Contracts (keyset pages), by state or customer")
    async def list_contracts(self, access: CallerAccess, limit: Limit = 50, cursor: Cursor = None,
                             in_state: Annotated[ContractState | None, QueryParameter(name="state")] = None,
                             customer_id: FromQuery[uuid.UUID | None] = None) -> Page[ContractOut]:
        return await contracts.list_contracts(access, limit, cursor, in_state, customer_id)

    @post(guards=WRITE, summary="Create a contract (HD000123) from an accepted quotation or standalone")
    async def create_contract(self, access: CallerAccess, data: JSONBody[ContractCreate]) -> ContractOut:
        return await contracts.create_contract(access, data)

    @get("/{contract_id:uuid}", guards=READ, summary="One contract")
    async def get_contract(self, access: CallerAccess, contract_id: FromPath[uuid.UUID]) -> ContractOut:
        return await contracts.get_contract(access, contract_id)

    @patch("/{contract_id:uuid}", guards=WRITE,
           summary="Edit a draft contract; a signed or active one only changes its end date or notice days")
    async def update_contract(self, access: CallerAccess, contract_id: FromPath[uuid.UUID],
                              data: JSONBody[ContractUpdate]) -> ContractOut:
        return await contracts.update_contract(access, contract_id, data)

    @post("/{contract_id:uuid}/send", guards=WRITE, status_code=200, summary="draft → sent")
    async def send_contract(self, access: CallerAccess, contract_id: FromPath[uuid.UUID]) -> ContractOut:
        return await contracts.transition(access, contract_id, "send")

    @post("/{contract_id:uuid}/sign", guards=WRITE, status_code=200, summary="sent → signed (`contract.signed`)")
    async def sign_contract(self, access: CallerAccess, contract_id: FromPath[uuid.UUID]) -> ContractOut:
        return await contracts.transition(access, contract_id, "sign")

    @post("/{contract_id:uuid}/activate", guards=WRITE, status_code=200, summary="signed → active")
    async def activate_contract(self, access: CallerAccess, contract_id: FromPath[uuid.UUID]) -> ContractOut:
        return await contracts.transition(access, contract_id, "activate")

    @post("/{contract_id:uuid}/terminate", guards=WRITE, status_code=200,
          summary="End a contract early (or cancel it before signing), with a reason")
    async def terminate_contract(self, access: CallerAccess, contract_id: FromPath[uuid.UUID],
                                 data: JSONBody[ContractTerminate]) -> ContractOut:
        return await contracts.transition(access, contract_id, "terminate", data.reason)

    @post("/{contract_id:uuid}/documents", guards=WRITE,
          summary="Upload a new version of the signed PDF (the body is the PDF itself)")
    async def upload_document(self, request: Request[Any, Any, Any], access: CallerAccess,
                              runtime: NamedDependency[Runtime], contract_id: FromPath[uuid.UUID],
                              file_name: FileName) -> ContractDocumentOut:
        body = await request.body()
        return await contracts.upload_document(access, runtime.storage, contract_id, file_name, body)

    @get("/{contract_id:uuid}/documents", guards=READ, summary="Every version of the signed PDF")
    async def list_documents(self, access: CallerAccess,
                             contract_id: FromPath[uuid.UUID]) -> list[ContractDocumentOut]:
        return await contracts.documents(access, contract_id)

    @get("/{contract_id:uuid}/documents/{version:int}", guards=READ,
         summary="A short-lived download URL of one version")
    async def download_document(self, access: CallerAccess, runtime: NamedDependency[Runtime],
                                contract_id: FromPath[uuid.UUID], version: FromPath[int]) -> Download:
        return await contracts.document_download(access, runtime.storage, contract_id, version)
