"""Printed reports as files: asked for over HTTP, written by a job on the `reports` queue (its `job_run`, with
progress, is linked from the report), stored in S3 under the tenant's prefix, downloaded through a presigned
link. The job sees what the requester saw when asking: their data visibility is kept with the report, as
contacts' customer exports do."""

from __future__ import annotations

import asyncio
import datetime
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec

from infra.jobs import enqueue_for_tenant
from infra.problems import NotFoundError, ProblemError
from infra.storage import tenant_storage
from services.contacts.schemas import DownloadLink
from services.reporting.schemas import ReportCreate, ReportOut
from services.reporting.service.render import MEDIA_TYPES, WRITERS, Table
from services.reporting.service.reports import REPORTS, period_of
from services.reporting.tables import ReportExport
from tenants import audit
from tenants.access import Access
from tenants.context import after_commit, current_tenant_id, separate_tenant_transaction
from tenants.ids import new_id
from tenants.job_runs import JobRun
from tenants.locale import tenant_today

REPORT_NOT_FOUND = NotFoundError("báo cáo", "Report")
PROGRESS_SECONDS = 1.0  # between two progress updates while a file is written
_SELECT = """
SELECT r.id, r.report, r.file_format, r.status, r.job_run_id, r.rows_done, j.rows_total, r.error, r.created_by,
       r.created_at, r.finished_at
FROM report_export r LEFT JOIN job_run j ON j.tenant_id = r.tenant_id AND j.id = r.job_run_id
WHERE r.tenant_id = {} AND {}
"""


def _path(report_id: uuid.UUID, file_format: str) -> str:
    return f"reports/{report_id}.{file_format}"


async def _fetch(where: str, *args: Any) -> list[ReportOut]:
    rows = await ReportExport.raw(_SELECT.format("{}", where) + " ORDER BY r.id DESC LIMIT 200",
                                  current_tenant_id(), *args)
    return [msgspec.convert(row, ReportOut, strict=False) for row in rows]


async def start_report(access: Access, data: ReportCreate) -> ReportOut:
    tenant_id, run_id = current_tenant_id(), new_id()
    report = ReportExport(tenant_id=tenant_id, report=data.report, file_format=data.format, job_run_id=run_id,
                          params=msgspec.json.encode(data).decode(), access=msgspec.json.encode(access).decode(),
                          created_by=access.user_id)
    await report.save()
    await audit.record("report_export.create", "report_export", report.id, after=data)
    from services.reporting import jobs  # the jobs module imports this one

    def enqueue() -> None:
        enqueue_for_tenant(tenant_id, jobs.run_report, str(report.id), queue_name="reports", run_id=run_id)

    after_commit(enqueue)
    return await get_report(access, report.id)


def _mine(access: Access) -> tuple[str, list[object]]:
    """A member sees the reports they asked for; one who sees every record sees every report."""
    if access.visibility == "all":
        return "true", []
    return "r.created_by IS NOT DISTINCT FROM {}", [access.user_id]


async def list_reports(access: Access) -> list[ReportOut]:
    where, args = _mine(access)
    return await _fetch(where, *args)


async def get_report(access: Access, report_id: uuid.UUID) -> ReportOut:
    where, args = _mine(access)
    found = await _fetch(f"r.id = {{}} AND {where}", report_id, *args)
    if not found:
        raise REPORT_NOT_FOUND
    return found[0]


async def download_link(access: Access, report_id: uuid.UUID) -> DownloadLink:
    report = await get_report(access, report_id)
    if report.status != "done":
        raise ProblemError(409, "conflict", "Báo cáo chưa xong.", "The report is not finished yet.")
    storage = tenant_storage()
    name = f"{report.report.replace('_', '-')}-{report.created_at:%Y%m%d-%H%M}.{report.file_format}"
    url = storage.presigned_get(current_tenant_id(), _path(report.id, report.file_format), download_name=name,
                                content_type=MEDIA_TYPES[report.file_format])
    return DownloadLink(url=url, expires_at=datetime.datetime.now(datetime.UTC)
                        + datetime.timedelta(seconds=storage.presign_ttl))


async def _progress(report: uuid.UUID, run: uuid.UUID | None, done: int, total: int) -> None:
    tenant_id = current_tenant_id()
    async with separate_tenant_transaction(tenant_id):
        await ReportExport.update({ReportExport.rows_done: done}).where(
            (ReportExport.tenant_id == tenant_id) & (ReportExport.id == report))
        if run is not None:
            await JobRun.update({JobRun.rows_done: done, JobRun.rows_total: total}).where(
                (JobRun.tenant_id == tenant_id) & (JobRun.id == run))


async def _subtitle(data: ReportCreate, dated: bool, language: str) -> str:
    if not dated:
        day = data.as_of or await tenant_today()
        return f"Đến ngày {day:%d/%m/%Y}" if language == "vi" else f"As of {day:%d/%m/%Y}"
    if data.report == "potential_customers" and not (data.date_from or data.date_to):
        return "Tất cả" if language == "vi" else "All"
    start, end = await period_of(data)
    return f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}" if language == "vi" else f"From {start:%d/%m/%Y} to {end:%d/%m/%Y}"


async def run_report(report_id: uuid.UUID) -> str:
    """The job: query the rows under the kept visibility, write the file, store it. A second run of a started
    report does nothing."""
    tenant_id = current_tenant_id()
    async with separate_tenant_transaction(tenant_id):
        claimed = await ReportExport.raw(
            "UPDATE report_export SET status = 'running', updated_at = now() WHERE tenant_id = {} AND id = {} "
            "AND status = 'queued' RETURNING access, params, job_run_id", tenant_id, report_id)
    if not claimed:
        return "skipped"
    access = msgspec.json.decode(claimed[0]["access"], type=Access)
    data = msgspec.json.decode(claimed[0]["params"], type=ReportCreate)
    run_id: uuid.UUID | None = claimed[0]["job_run_id"]
    definition = REPORTS[data.report]
    status, error = "done", None
    try:
        async with separate_tenant_transaction(tenant_id):
            rows = await definition.rows(access, data)
            table = Table(title=definition.title_vi if data.language == "vi" else definition.title_en,
                          subtitle=await _subtitle(data, definition.dated, data.language),
                          columns=definition.columns, language=data.language, currency=data.currency)
        await _progress(report_id, run_id, 0, len(rows))

        written = [0]

        def counted() -> Iterator[tuple[Any, ...]]:
            for row in rows:
                yield row
                written[0] += 1

        with tempfile.TemporaryFile() as file:
            # The writer works in a thread; meanwhile the job records how far it has got, every second.
            writing = asyncio.ensure_future(asyncio.to_thread(WRITERS[data.format], table, counted(), file))
            while not writing.done():
                await asyncio.wait([writing], timeout=PROGRESS_SECONDS)
                if not writing.done():
                    await _progress(report_id, run_id, written[0], len(rows))
            writing.result()
            file.seek(0)
            await asyncio.to_thread(tenant_storage().put_file, tenant_id, _path(report_id, data.format), file,
                                    MEDIA_TYPES[data.format])
        await _progress(report_id, run_id, len(rows), len(rows))
    except Exception:
        status, error = "failed", "The report stopped on an internal error."
        raise
    finally:
        async with separate_tenant_transaction(tenant_id):
            await ReportExport.update({ReportExport.status: status, ReportExport.error: error,
                                       ReportExport.result_path: _path(report_id, data.format) if status == "done"
                                       else None,
                                       ReportExport.finished_at: datetime.datetime.now(datetime.UTC)}).where(
                (ReportExport.tenant_id == tenant_id) & (ReportExport.id == report_id))
    return status
