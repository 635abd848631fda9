"""HTTP handlers for customer imports (multipart upload, progress, error report) and exports."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, JSONBody, MultipartBody

from infra.problems import ProblemError, field_error_from_message
from services.contacts.schemas import (
    DownloadLink,
    ExportCreate,
    ExportOut,
    ImportMappingCreate,
    ImportMappingOut,
    ImportOptions,
    ImportOut,
    ImportRevertOut,
    ImportRowOut,
    LastImportMapping,
)
from services.contacts.service import exports, import_mappings, import_revert, imports
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

IMPORT = [requires("imports:manage", "customers:write")]
EXPORT = [requires("imports:manage", "customers:read")]
UPLOAD_BODY_LIMIT = imports.MAX_IMPORT_BYTES + 1024 * 1024


class ImportUpload(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The form: the CSV or XLSX file and, as JSON text, the `ImportOptions`."""

    file: UploadFile
    options: Annotated[str, msgspec.Meta(max_length=100_000)] = "{}"


def _options(text: str) -> ImportOptions:
    try:
        return msgspec.json.decode(text, type=ImportOptions)
    except msgspec.ValidationError as exc:
        error = field_error_from_message(str(exc))
        field = f"options.{error.field}" if error.field else "options"
        raise ProblemError(422, "validation_error", "Tuỳ chọn nhập không hợp lệ.", "Invalid import options.",
                           errors=[(field, error.code, error.message_vi, error.message_en)]) from None
    except msgspec.DecodeError:
        raise ProblemError(422, "validation_error", "Tuỳ chọn nhập phải là JSON.", "Import options must be JSON.",
                           errors=[("options", "malformed", "Không phải JSON hợp lệ", "Not valid JSON")]) from None


class ImportController(Controller):
    path = "/imports"
    tags = ["imports and exports"]

    @post(guards=IMPORT, status_code=202, request_max_body_size=UPLOAD_BODY_LIMIT,
          summary="Import customers from a CSV or XLSX file (multipart: `file`, `options` as JSON text)",
          description="Checks the file and its header at once, then runs as a job: poll the import for progress.")
    async def start_import(self, access: CallerAccess, data: MultipartBody[ImportUpload]) -> ImportOut:
        options = _options(data.options)
        upload = data.file
        upload.file.seek(0, 2)
        size = upload.file.tell()
        upload.file.seek(0)
        return await imports.start_import(access, upload.file, upload.filename, upload.content_type, size, options)

    @get("/{import_id:uuid}", guards=IMPORT, summary="An import: its status and progress (rows done of total)")
    async def get_import(self, import_id: FromPath[uuid.UUID]) -> ImportOut:
        return await imports.get_import(import_id)

    @get("/{import_id:uuid}/errors", guards=IMPORT, media_type="text/csv",
         summary="The error report: one CSV line per problem (row, field, code, message in vi and en)")
    async def import_errors(self, import_id: FromPath[uuid.UUID]) -> Response[bytes]:
        report = await imports.error_report(import_id)
        return Response(report, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'})


    @get("/{import_id:uuid}/rows", guards=IMPORT,
         summary="What the import did (or its dry run would do) with each good row: created, updated or skipped")
    async def import_rows(self, import_id: FromPath[uuid.UUID], limit: Limit = 200,
                          cursor: Cursor = None) -> Page[ImportRowOut]:
        return await imports.import_rows(import_id, limit, cursor)

    @post("/{import_id:uuid}/revert", guards=IMPORT, status_code=200,
          summary="Revert an import: delete the customers it created, restore those it updated (once)",
          description="409 for a dry run, an unfinished import or one already reverted. Customers changed since "
                      "the import are still reverted and listed in `changed_since`.")
    async def revert_import(self, import_id: FromPath[uuid.UUID]) -> ImportRevertOut:
        return await import_revert.revert_import(import_id)

    @get("/mappings", guards=IMPORT, summary="The tenant's saved column mappings, by name")
    async def list_mappings(self) -> list[ImportMappingOut]:
        return await import_mappings.list_mappings()

    @post("/mappings", guards=IMPORT, summary="Save a column mapping by name (409 if the name is taken)")
    async def create_mapping(self, data: JSONBody[ImportMappingCreate]) -> ImportMappingOut:
        return await import_mappings.create_mapping(data)

    @get("/mappings/last", guards=IMPORT, summary="The mapping the tenant's latest import used (saved or given)")
    async def last_mapping(self) -> LastImportMapping:
        return await import_mappings.last_mapping()

    @get("/mappings/{mapping_id:uuid}", guards=IMPORT, summary="A saved column mapping")
    async def get_mapping(self, mapping_id: FromPath[uuid.UUID]) -> ImportMappingOut:
        return await import_mappings.get_mapping(mapping_id)

    @delete("/mappings/{mapping_id:uuid}", guards=IMPORT, summary="Delete a saved mapping (imports keep theirs)")
    async def delete_mapping(self, mapping_id: FromPath[uuid.UUID]) -> None:
        await import_mappings.delete_mapping(mapping_id)


class ExportController(Controller):
    path = "/exports"
    tags = ["imports and exports"]

    @post(guards=EXPORT, status_code=202,
          summary="Export the customers the caller sees, filtered as the list is, to CSV or XLSX (a job)")
    async def start_export(self, access: CallerAccess, data: JSONBody[ExportCreate]) -> ExportOut:
        return await exports.start_export(access, data)

    @get("/{export_id:uuid}", guards=EXPORT, summary="An export: its status and rows written")
    async def get_export(self, export_id: FromPath[uuid.UUID]) -> ExportOut:
        return await exports.get_export(export_id)

    @get("/{export_id:uuid}/download", guards=EXPORT, summary="A short-lived presigned URL to the finished file")
    async def download_export(self, export_id: FromPath[uuid.UUID]) -> DownloadLink:
        return await exports.download_link(export_id)
