"""Printed and exported reports: ask for one (a job writes it), follow it, download it."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from services.contacts.schemas import DownloadLink
from services.reporting.schemas import ReportCreate, ReportOut
from services.reporting.service import exports
from tenants.access import CallerAccess, requires

READ = [requires("reports:read")]


class ReportController(Controller):
    path = "/reports"
    tags = ["reports"]

    @post(guards=READ, status_code=202,
          summary="Ask for a report (potential customers, customer activity, sales by product and month, debt by "
                  "age) in CSV, XLSX or PDF, over the caller's records; a job on the `reports` queue writes it")
    async def start_report(self, access: CallerAccess, data: JSONBody[ReportCreate]) -> ReportOut:
        return await exports.start_report(access, data)

    @get(guards=READ, summary="The caller's reports (every report for a caller who sees all records), newest first")
    async def list_reports(self, access: CallerAccess) -> list[ReportOut]:
        return await exports.list_reports(access)

    @get("/{report_id:uuid}", guards=READ, summary="A report: its status and progress (rows written of rows)")
    async def get_report(self, access: CallerAccess, report_id: FromPath[uuid.UUID]) -> ReportOut:
        return await exports.get_report(access, report_id)

    @get("/{report_id:uuid}/download", guards=READ, summary="A short-lived presigned URL to the finished file")
    async def download_report(self, access: CallerAccess, report_id: FromPath[uuid.UUID]) -> DownloadLink:
        return await exports.download_link(access, report_id)
