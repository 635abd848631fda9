"""HTTP handlers for documents kept about a customer (multipart upload, presigned download)."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, QueryParameter

from services.contacts.schemas import DocumentOut, DownloadLink
from services.contacts.service import documents
from tenants.access import CallerAccess, requires

READ = [requires("customers:read")]
WRITE = [requires("customers:write")]
# Room for the multipart envelope around the largest file; larger bodies are refused before they are read,
# files just over the limit by `documents.check_upload`, naming the field.
UPLOAD_BODY_LIMIT = documents.MAX_DOCUMENT_BYTES + 1024 * 1024


def uploaded_size(upload: UploadFile) -> int:
    """The size of the spooled file part, read from its end (the file is left at its start)."""
    upload.file.seek(0, 2)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


class DocumentUpload(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The form: the file, and the document's name when it should differ from the file's."""

    file: UploadFile
    name: str | None = None


class CustomerDocumentController(Controller):
    path = "/customers/{customer_id:uuid}/documents"
    tags = ["documents"]

    @post(guards=WRITE, request_max_body_size=UPLOAD_BODY_LIMIT,
          summary="Upload a document (multipart/form-data: `file`, optional `name`); the same name adds a version")
    async def upload_document(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                              data: MultipartBody[DocumentUpload]) -> DocumentOut:
        upload = data.file
        return await documents.upload_document(access, customer_id, upload.file, data.name or upload.filename,
                                               upload.content_type, uploaded_size(upload))

    @get(guards=READ, summary="The customer's documents: the latest version of each, or every version of `name`")
    async def list_documents(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                             name: Annotated[str | None, QueryParameter(max_length=255)] = None) -> list[DocumentOut]:
        return await documents.list_documents(access, customer_id, name)


class DocumentController(Controller):
    path = "/documents/{document_id:uuid}"
    tags = ["documents"]

    @get(guards=READ, summary="One document version")
    async def get_document(self, access: CallerAccess, document_id: FromPath[uuid.UUID]) -> DocumentOut:
        return await documents.get_document(access, document_id)

    @get("/download", guards=READ, summary="A short-lived presigned URL to download the document")
    async def download_document(self, access: CallerAccess, document_id: FromPath[uuid.UUID]) -> DownloadLink:
        return await documents.download_link(access, document_id)

    @delete(guards=WRITE, summary="Delete the document version and its stored file")
    async def delete_document(self, access: CallerAccess, document_id: FromPath[uuid.UUID]) -> None:
        await documents.delete_document(access, document_id)
