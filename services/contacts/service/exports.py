"""Exporting a filtered customer list to CSV or XLSX: a job on the `imports` queue writes the file to S3 and the
caller downloads it through a presigned link.

The job sees exactly what the exporter saw when asking: their data visibility is kept with the export, and the
list is read with the same query as `GET /customers`, page by page (each page its own transaction, so progress
shows). The columns are the import's field names, so an export imports back with no mapping. CSV is UTF-8 with
a BOM, which Excel needs to show Vietnamese; XLSX is written in openpyxl's streaming (write-only) mode.
"""

from __future__ import annotations

import asyncio
import csv
import datetime
import io
import tempfile
import uuid
from collections.abc import AsyncIterator
from typing import IO, Any

import msgspec
import openpyxl

from infra.jobs import enqueue_for_tenant
from infra.problems import NotFoundError, ProblemError
from infra.storage import tenant_storage
from services.contacts.schemas import CustomerFilter, CustomerOut, DownloadLink, ExportCreate, ExportOut
from services.contacts.service.customers import list_customers
from services.contacts.service.import_rows import FIELDS
from services.contacts.tables import CustomerExport
from tenants import audit
from tenants.access import Access
from tenants.context import after_commit, current_tenant_id, separate_tenant_transaction

PAGE_ROWS = 1000
HEADER = (*FIELDS, "relationship_status_id", "owner_id", "last_contacted_at", "created_at")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXPORT_NOT_FOUND = NotFoundError("bản xuất", "Export")
_COLUMNS = [getattr(CustomerExport, name) for name in ExportOut.__struct_fields__]


def _result_path(export_id: uuid.UUID, file_format: str) -> str:
    return f"exports/{export_id}.{file_format}"


async def start_export(access: Access, data: ExportCreate) -> ExportOut:
    filters = msgspec.structs.asdict(data)
    file_format = filters.pop("format")
    export = CustomerExport(tenant_id=current_tenant_id(), file_format=file_format,
                            filters=msgspec.json.encode(filters).decode(),
                            access=msgspec.json.encode(access).decode(), created_by=access.user_id)
    await export.save()
    created = await get_export(export.id)
    await audit.record("customer_export.create", "customer_export", export.id, after={**filters, "format": file_format})
    tenant_id = current_tenant_id()
    from services.contacts import jobs  # the jobs module imports this one

    def enqueue() -> None:
        enqueue_for_tenant(tenant_id, jobs.run_export, str(export.id), queue_name="imports")

    after_commit(enqueue)
    return created


async def get_export(export_id: uuid.UUID) -> ExportOut:
    row = await CustomerExport.select(*_COLUMNS).where(
        (CustomerExport.tenant_id == current_tenant_id()) & (CustomerExport.id == export_id)).first()
    if row is None:
        raise EXPORT_NOT_FOUND
    return msgspec.convert(row, ExportOut, strict=False)


async def download_link(export_id: uuid.UUID) -> DownloadLink:
    export = await get_export(export_id)
    if export.status != "done":
        raise ProblemError(409, "conflict", "Bản xuất chưa xong.", "The export is not finished yet.")
    storage = tenant_storage()
    stamp = export.created_at.strftime("%Y%m%d-%H%M")
    url = storage.presigned_get(current_tenant_id(), _result_path(export_id, export.file_format),
                                download_name=f"khach-hang-{stamp}.{export.file_format}",
                                content_type=MEDIA_TYPES[export.file_format])
    return DownloadLink(url=url, expires_at=datetime.datetime.now(datetime.UTC)
                        + datetime.timedelta(seconds=storage.presign_ttl))


def _cells(customer: CustomerOut) -> list[Any]:
    fields = msgspec.to_builtins(customer)
    return [fields.get(name) for name in HEADER]


async def run_export(export_id: uuid.UUID) -> ExportOut:
    """The job: list page by page into a temporary file, then store it. A second run of a started export does
    nothing."""
    tenant_id = current_tenant_id()
    async with separate_tenant_transaction(tenant_id):
        claimed = await CustomerExport.raw(
            "UPDATE customer_export SET status = 'running', updated_at = now() WHERE tenant_id = {} AND id = {} "
            "AND status = 'queued' RETURNING access, filters", tenant_id, export_id)
        export = await get_export(export_id)
    if not claimed:
        return export
    access = msgspec.json.decode(claimed[0]["access"], type=Access)
    where = msgspec.json.decode(claimed[0]["filters"], type=CustomerFilter)
    status, error = "done", None
    try:
        with tempfile.TemporaryFile() as file:
            await _write(export, access, where, file)
            file.seek(0)
            await asyncio.to_thread(tenant_storage().put_file, tenant_id,
                                    _result_path(export_id, export.file_format), file, MEDIA_TYPES[export.file_format])
    except Exception:
        status, error = "failed", "The export stopped on an internal error."
        raise
    finally:
        async with separate_tenant_transaction(tenant_id):
            await CustomerExport.update({CustomerExport.status: status, CustomerExport.error: error,
                                         CustomerExport.finished_at: datetime.datetime.now(datetime.UTC)}).where(
                (CustomerExport.tenant_id == tenant_id) & (CustomerExport.id == export_id))
    async with separate_tenant_transaction(tenant_id):
        return await get_export(export_id)


async def _pages(export_id: uuid.UUID, access: Access, where: CustomerFilter) -> AsyncIterator[list[CustomerOut]]:
    """The list as `GET /customers` gives it, a page per transaction, with the progress counted."""
    tenant_id, cursor, done = current_tenant_id(), None, 0
    while True:
        async with separate_tenant_transaction(tenant_id):
            page = await list_customers(access, PAGE_ROWS, cursor, where)
            done += len(page.items)
            await CustomerExport.update({CustomerExport.rows_done: done}).where(
                (CustomerExport.tenant_id == tenant_id) & (CustomerExport.id == export_id))
        yield page.items
        if (cursor := page.next_cursor) is None:
            return


async def _write(export: ExportOut, access: Access, where: CustomerFilter, file: IO[bytes]) -> None:
    if export.file_format == "xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Khách hàng")
        sheet.append(list(HEADER))
        async for customers in _pages(export.id, access, where):
            for customer in customers:
                sheet.append(_cells(customer))
        workbook.save(file)  # type: ignore[arg-type]  # a file object is fine: it is handed to zipfile
        return
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(HEADER)
    async for customers in _pages(export.id, access, where):
        writer.writerows(_cells(customer) for customer in customers)
    text.flush()
    text.detach()  # the caller still owns `file`
