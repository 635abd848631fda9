"""Agreement documents of a partner (multipart upload with dates, versions, presigned download) and the
collaborator results per period."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

import msgspec
from litestar import Controller, delete, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, MultipartBody, QueryParameter

from services.contacts.controllers.documents import UPLOAD_BODY_LIMIT, uploaded_size
from services.contacts.schemas import DownloadLink
from services.partners.schemas import AgreementDates, AgreementOut, CollaboratorResult, PartnerKind
from services.partners.service import agreements, results
from tenants.access import CallerAccess, requires

READ = [requires("partners:read")]
WRITE = [requires("partners:write")]
Period = Literal["month", "quarter", "year"]
Currency = Annotated[str, QueryParameter(min_length=3, max_length=3)]


class AgreementUpload(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The form: the file, its name when it should differ from the file's, and the agreement's dates."""

    file: UploadFile
    name: str | None = None
    signed_on: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


class PartnerAgreementController(Controller):
    path = "/partners/{partner_id:uuid}/agreements"
    tags = ["agreements"]

    @post(guards=WRITE, request_max_body_size=UPLOAD_BODY_LIMIT,
          summary="Upload an agreement document (multipart: `file`, optional `name`, `signed_on`, `valid_from`, "
                  "`valid_to`); the same name adds a version")
    async def upload_agreement(self, access: CallerAccess, partner_id: FromPath[uuid.UUID],
                               data: MultipartBody[AgreementUpload]) -> AgreementOut:
        upload = data.file
        dates = AgreementDates(signed_on=data.signed_on, valid_from=data.valid_from, valid_to=data.valid_to)
        return await agreements.upload(access, partner_id, upload.file, data.name or upload.filename,
                                       upload.content_type, uploaded_size(upload), dates)

    @get(guards=READ, summary="The partner's agreements: the latest version of each, or every version of `name`")
    async def list_agreements(self, access: CallerAccess, partner_id: FromPath[uuid.UUID],
                              name: Annotated[str | None, QueryParameter(max_length=255)] = None
                              ) -> list[AgreementOut]:
        return await agreements.list_agreements(access, partner_id, name)


class AgreementController(Controller):
    path = "/agreements/{document_id:uuid}"
    tags = ["agreements"]

    @get(guards=READ, summary="One agreement version")
    async def get_agreement(self, access: CallerAccess, document_id: FromPath[uuid.UUID]) -> AgreementOut:
        return await agreements.get_agreement(access, document_id)

    @get("/download", guards=READ, summary="A short-lived presigned URL to download the agreement")
    async def download_agreement(self, access: CallerAccess, document_id: FromPath[uuid.UUID]) -> DownloadLink:
        return await agreements.download_link(access, document_id)

    @delete(guards=WRITE, summary="Delete the agreement version and its stored file")
    async def delete_agreement(self, access: CallerAccess, document_id: FromPath[uuid.UUID]) -> None:
        await agreements.delete(access, document_id)


class ResultsController(Controller):
    path = "/results"
    tags = ["results"]

    @get(guards=READ, summary="Collaborator results for a period: leads referred, converted, revenue, commission")
    async def all_results(self, access: CallerAccess, period: FromQuery[Period],
                          period_start: FromQuery[datetime.date], kind: FromQuery[PartnerKind | None] = "collaborator",
                          currency: Currency = "VND") -> list[CollaboratorResult]:
        return await results.all_results(access, kind, period, period_start, currency)

    @get("/{partner_id:uuid}", guards=READ, summary="One partner's results for a period")
    async def partner_results(self, access: CallerAccess, partner_id: FromPath[uuid.UUID],
                              period: FromQuery[Period], period_start: FromQuery[datetime.date],
                              currency: Currency = "VND") -> CollaboratorResult:
        return await results.partner_results(access, partner_id, period, period_start, currency)
