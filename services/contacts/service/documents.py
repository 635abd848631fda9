"""Documents kept about a customer (policies, contracts, images), stored in S3 under the tenant's prefix.

Upload is a multipart/form-data POST to the API (chosen over a presigned PUT so that the size and content
type are checked before anything is stored, and a document exists only once its bytes do): the file part is
spooled to disk by the server, never held in a JSON body, and streamed to S3. Uploading a name the customer
already has adds a version; each version is its own object at `documents/<document id>`. Downloads are
presigned GET URLs, issued only after the caller is found to see the customer (another tenant's document,
or a customer the caller does not see, answers 404).
"""

from __future__ import annotations

import asyncio
import datetime
import uuid
from typing import IO, Any

import msgspec
from asyncpg.exceptions import UniqueViolationError

from infra.problems import NotFoundError, ProblemError
from infra.storage import tenant_storage
from services.contacts.events import DOCUMENT_UPLOADED, DocumentUploaded
from services.contacts.schemas import DocumentOut, DownloadLink
from services.contacts.service.customers import get_customer
from services.contacts.tables import Document
from tenants import audit, quotas
from tenants.access import Access
from tenants.context import current_tenant_id
from tenants.ids import new_id
from webhooks.outbox import emit

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# What a salesperson keeps about a customer: PDFs, images, office files, text and archives.
ALLOWED_CONTENT_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "text/csv",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/zip",
})
DOCUMENT_NOT_FOUND = NotFoundError("tài liệu", "Document")
_COLUMNS = [Document.id, Document.customer.as_alias("customer_id"), Document.name, Document.version,
            Document.content_type, Document.size_bytes, Document.uploaded_by, Document.created_at]


def _path(document_id: uuid.UUID) -> str:
    return f"documents/{document_id}"


def _out(row: dict[str, Any]) -> DocumentOut:
    return msgspec.convert(row, DocumentOut, strict=False)


def _file_problem(status: int, code: str, vi: str, en: str) -> ProblemError:
    return ProblemError(status, code, vi, en, errors=[("file", code, vi, en)])


def check_upload(name: str, content_type: str, size: int) -> tuple[str, str]:
    """The clean name and content type, or a problem naming the `file` (or `name`) field."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in ALLOWED_CONTENT_TYPES:
        raise _file_problem(415, "unsupported_media_type", f"Không nhận tệp kiểu {media_type or '(trống)'}.",
                            f"Files of type {media_type or '(none)'} are not accepted.")
    if size == 0:
        raise _file_problem(422, "empty", "Tệp rỗng.", "The file is empty.")
    if size > MAX_DOCUMENT_BYTES:
        raise _file_problem(413, "too_large", f"Tệp lớn hơn {MAX_DOCUMENT_BYTES // 1048576} MB.",
                            f"The file is larger than {MAX_DOCUMENT_BYTES // 1048576} MB.")
    clean = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not clean or len(clean) > 255:
        raise ProblemError(422, "validation_error", "Tên tài liệu cần từ 1 đến 255 ký tự.",
                           "A document name is 1 to 255 characters.",
                           errors=[("name", "length", "Tên cần từ 1 đến 255 ký tự", "1 to 255 characters")])
    return clean, media_type


async def upload_document(access: Access, customer_id: uuid.UUID, file: IO[bytes], name: str, content_type: str,
                          size: int) -> DocumentOut:
    """Keep `file` as the next version of `name` at the customer. The row is written first and the object
    second, in the request's transaction: a failed upload rolls the row back, so no row points at nothing."""
    await get_customer(access, customer_id)
    name, content_type = check_upload(name, content_type, size)
    await quotas.consume("storage_bytes", size)
    tenant_id, document_id = current_tenant_id(), new_id()
    path = _path(document_id)
    try:
        await Document.raw(
            "INSERT INTO document (id, tenant_id, customer, name, version, content_type, size_bytes, storage_path,"
            " uploaded_by) SELECT {}, {}, {}, {}, COALESCE(max(version), 0) + 1, {}, {}, {}, {} FROM document"
            " WHERE tenant_id = {} AND customer = {} AND name = {}",
            document_id, tenant_id, customer_id, name, content_type, size, path, access.user_id,
            tenant_id, customer_id, name)
    except UniqueViolationError:  # the same name uploaded at the same moment: the other one got this version
        raise ProblemError(409, "conflict", "Tài liệu cùng tên đang được tải lên; hãy thử lại.",
                           "A document of this name is being uploaded; try again.") from None
    await asyncio.to_thread(tenant_storage().put_file, tenant_id, path, file, content_type)
    created = await _fetch(document_id)
    await audit.record("document.upload", "document", document_id, after=created)
    await emit(DOCUMENT_UPLOADED, DocumentUploaded(
        id=created.id, customer_id=customer_id, name=created.name, version=created.version,
        content_type=created.content_type, size_bytes=created.size_bytes,
        download_path=f"/api/contacts/v1/documents/{document_id}/download"))
    return created


async def _fetch(document_id: uuid.UUID) -> DocumentOut:
    row = await Document.select(*_COLUMNS).where(
        (Document.tenant_id == current_tenant_id()) & (Document.id == document_id)).first()
    if row is None:
        raise DOCUMENT_NOT_FOUND
    return _out(row)


async def get_document(access: Access, document_id: uuid.UUID) -> DocumentOut:
    document = await _fetch(document_id)
    try:
        await get_customer(access, document.customer_id)
    except ProblemError:  # a customer the caller does not see: its documents look missing too
        raise DOCUMENT_NOT_FOUND from None
    return document


async def list_documents(access: Access, customer_id: uuid.UUID, name: str | None) -> list[DocumentOut]:
    """The latest version of each document of the customer by name; every version of `name` when given."""
    await get_customer(access, customer_id)
    query = Document.select(*_COLUMNS).where(
        (Document.tenant_id == current_tenant_id()) & (Document.customer == customer_id))
    if name is not None:
        rows = await query.where(Document.name == name).order_by(Document.version, ascending=False)
    else:
        rows = await query.distinct(on=[Document.name]).order_by(Document.name).order_by(
            Document.version, ascending=False)
    return [_out(row) for row in rows]


async def download_link(access: Access, document_id: uuid.UUID) -> DownloadLink:
    document = await get_document(access, document_id)
    storage = tenant_storage()
    url = storage.presigned_get(current_tenant_id(), _path(document_id), download_name=document.name,
                                content_type=document.content_type)
    expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=storage.presign_ttl)
    return DownloadLink(url=url, expires_at=expires_at)


async def delete_document(access: Access, document_id: uuid.UUID) -> None:
    """Remove one version, its row and its object. The object goes last, so a storage error rolls the row back."""
    document = await get_document(access, document_id)
    await Document.delete().where((Document.tenant_id == current_tenant_id()) & (Document.id == document_id))
    await quotas.release("storage_bytes", document.size_bytes)
    await audit.record("document.delete", "document", document_id, before=document)
    await asyncio.to_thread(tenant_storage().delete, current_tenant_id(), _path(document_id))
