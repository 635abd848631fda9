"""Agreement documents of a partner (hợp đồng đại lý / cộng tác), with their dates, kept in S3.

They are contacts' documents on the partner's customer (services/contacts/service/documents.py: the upload
checks, versions by name, the storage quota, the presigned download after the caller is found to see the
customer, the delete that releases the quota), plus one `partner_agreement` row per version with the dates the
agreement was signed and is valid. Nothing about storing a file is repeated here. The caller sees an agreement
when they see both its partner and the partner's customer (whose document it is). A contacts document deleted
through contacts takes its agreement row with it (foreign key, ON DELETE CASCADE).
"""

from __future__ import annotations

import datetime
import uuid
from typing import IO, Any

import msgspec

from infra.problems import NotFoundError, ProblemError, invalid
from services.contacts.schemas import DownloadLink
from services.contacts.service import documents
from services.contacts.service.customers import get_customer
from services.partners.schemas import AgreementDates, AgreementOut
from services.partners.service.partners import get_partner
from services.partners.tables import PartnerAgreement
from tenants import audit
from tenants.access import Access
from tenants.context import current_tenant_id
from tenants.locale import tenant_today

AGREEMENT_NOT_FOUND = NotFoundError("tài liệu thỏa thuận", "Agreement document")
_SELECT = (
    "SELECT {distinct} d.id, a.partner_id, d.customer AS customer_id, d.name, d.version, d.content_type, "
    "d.size_bytes, d.uploaded_by, d.created_at, a.signed_on, a.valid_from, a.valid_to "
    "FROM partner_agreement a JOIN document d ON d.tenant_id = a.tenant_id AND d.id = a.document_id "
    "WHERE a.tenant_id = {{}} AND {where} ORDER BY {order}")


def check_dates(dates: AgreementDates) -> None:
    if dates.valid_from and dates.valid_to and dates.valid_to < dates.valid_from:
        raise invalid([("valid_to", "before_start", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực",
                        "Valid to must not be before valid from")])


def _outs(rows: list[dict[str, Any]], today: datetime.date) -> list[AgreementOut]:
    return [msgspec.convert({**row, "in_force": (row["valid_from"] is None or row["valid_from"] <= today) and (
        row["valid_to"] is None or today <= row["valid_to"])}, AgreementOut) for row in rows]


async def _select(where: str, order: str, *args: Any, distinct: str = "") -> list[AgreementOut]:
    rows = await PartnerAgreement.raw(_SELECT.format(distinct=distinct, where=where, order=order),
                                      current_tenant_id(), *args)
    return _outs(rows, await tenant_today())


async def upload(access: Access, partner_id: uuid.UUID, file: IO[bytes], name: str, content_type: str, size: int,
                 dates: AgreementDates) -> AgreementOut:
    """The next version of the agreement `name`: contacts keeps the file (quota, S3), this row its dates."""
    partner = await get_partner(access, partner_id)
    check_dates(dates)
    document = await documents.upload_document(access, partner.customer_id, file, name, content_type, size)
    await PartnerAgreement(tenant_id=current_tenant_id(), partner_id=partner_id, document_id=document.id,
                           signed_on=dates.signed_on, valid_from=dates.valid_from, valid_to=dates.valid_to).save()
    created = await get_agreement(access, document.id)
    await audit.record("partner_agreement.upload", "partner", partner_id, after=created)
    return created


async def list_agreements(access: Access, partner_id: uuid.UUID, name: str | None) -> list[AgreementOut]:
    """The latest version of each agreement by name; every version of `name` when given."""
    partner = await get_partner(access, partner_id)
    await get_customer(access, partner.customer_id)  # the caller sees the customer, as for its documents
    if name is not None:
        return await _select("a.partner_id = {} AND d.name = {}", "d.version DESC", partner_id, name)
    return await _select("a.partner_id = {}", "d.name, d.version DESC", partner_id, distinct="DISTINCT ON (d.name)")


async def get_agreement(access: Access, document_id: uuid.UUID) -> AgreementOut:
    found = await _select("a.document_id = {}", "d.id", document_id)
    if not found:
        raise AGREEMENT_NOT_FOUND
    try:
        await get_partner(access, found[0].partner_id)
        await get_customer(access, found[0].customer_id)
    except ProblemError:  # a partner or customer the caller does not see: its agreements look missing too
        raise AGREEMENT_NOT_FOUND from None
    return found[0]


async def download_link(access: Access, document_id: uuid.UUID) -> DownloadLink:
    await get_agreement(access, document_id)
    return await documents.download_link(access, document_id)


async def delete(access: Access, document_id: uuid.UUID) -> None:
    """Delete the version: contacts removes the document, its object and its quota; the row cascades."""
    agreement = await get_agreement(access, document_id)
    await documents.delete_document(access, document_id)
    await audit.record("partner_agreement.delete", "partner", agreement.partner_id, before=agreement)
