"""Importing customers from CSV or XLSX: an upload, then a job on the `imports` queue that reports progress.

The upload checks the file's type, size and header against the column mapping at once (problem+json), keeps
the file in S3 and queues the job. The job reads the file row by row and works in batches of `BATCH_ROWS`:

- every row is checked on its own (`import_rows.check_row`); a bad row is rejected with its line, field and
  reason (vi/en) in the error report, and the others go on;
- a row whose key (`match_on`: code, tax code or email) matches an existing customer is skipped or updates
  it (`on_duplicate`); a key seen earlier in the same file, a key matching several customers, or a new row
  without a name is rejected;
- the batch is then written set-based (one INSERT for the new customers with their lifecycle history, one
  UPDATE for the matched ones), with its events, audit entry, error rows and progress, in ONE transaction:
  all or nothing per batch. If the database refuses the batch (say a customer with the same code was
  created meanwhile), nothing of it is written and each of its rows is reported rejected with the reason;
  the batches before it stay, the ones after it go on.

A dry run takes the same decisions on the same data and records the counts and the error report, but writes
no customer, so it predicts what the import will do (unless the customers change in between).
"""

from __future__ import annotations

import asyncio
import csv
import datetime
import io
import logging
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO, Any

import asyncpg
import msgspec

from infra.jobs import enqueue_for_tenant
from infra.problems import NotFoundError, ProblemError
from infra.storage import tenant_storage
from infra.text import fold
from services.contacts.events import CUSTOMER_CREATED, CUSTOMER_UPDATED, CustomerData
from services.contacts.schemas import EmailEntry, ImportOptions, ImportOut, PhoneEntry
from services.contacts.service import duplicates
from services.contacts.service.customers import (
    CUSTOMER_CODE_DIGITS,
    CUSTOMER_CODE_PREFIX,
    ownership_of,
    reserve_codes,
    skip_codes_taken,
)
from services.contacts.service.fields import attribute_rules, attribute_values
from services.contacts.service.import_rows import (
    FileProblem,
    ImportRow,
    RowError,
    check_row,
    column_indexes,
    read_rows,
)
from services.contacts.tables import Customer, CustomerImport, CustomerImportError
from tenants import audit, quotas
from tenants.access import Access
from tenants.context import after_commit, current_tenant_id, separate_tenant_transaction
from webhooks.outbox import emit_many

logger = logging.getLogger("crm.contacts.imports")
BATCH_ROWS = 1000
MAX_IMPORT_BYTES = 50 * 1024 * 1024
FORMATS = {"csv": ("text/csv", "application/vnd.ms-excel", "text/plain", "application/octet-stream"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")}
IMPORT_NOT_FOUND = NotFoundError("lần nhập", "Import")
_COLUMNS = [getattr(CustomerImport, name) for name in ImportOut.__struct_fields__]
# The fields an import writes, in the order of the unnest() columns below.
_WRITTEN = ("kind", "name", "name_folded", "email", "phone", "phones", "emails", "tax_code", "website", "industry",
            "lifecycle_stage", "needs_status", "notes")
_UNNEST = ", ".join(["{}::text[]"] * len(_WRITTEN))
_INSERT = f"""
WITH created AS (
    INSERT INTO customer (tenant_id, code, kind, name, name_folded, email, phone, phones, emails, tax_code, website,
                          industry, lifecycle_stage, needs_status, notes, owner_id, team_id, branch_id)
    SELECT {{}}, u.code, COALESCE(u.kind, 'company'), u.name, u.name_folded, u.email, u.phone, u.phones::jsonb,
           u.emails::jsonb, u.tax_code, u.website, u.industry, COALESCE(u.lifecycle_stage, 'raw'),
           COALESCE(u.needs_status, 'unknown'), u.notes, {{}}::uuid, {{}}::uuid, {{}}::uuid
    FROM unnest({{}}::text[], {_UNNEST}) AS u(code, {", ".join(_WRITTEN)})
    RETURNING id, lifecycle_stage
), history AS (
    INSERT INTO lifecycle_change (tenant_id, customer, from_stage, to_stage, actor_kind, actor_id)
    SELECT {{}}, id, NULL, lifecycle_stage, {{}}, {{}}::uuid FROM created
)
SELECT id FROM created
"""  # noqa: S608 - only fixed column names are formatted in


def _primary_first(column: str) -> str:
    """The new primary phone (email) first, the customer's others after it, no longer primary."""
    return f"""CASE WHEN u.{column} IS NULL THEN c.{column}s ELSE
        jsonb_build_array(jsonb_build_object('value', u.{column}, 'label', NULL, 'primary', true))
        || COALESCE((SELECT jsonb_agg(e || jsonb_build_object('primary', false))
                     FROM jsonb_array_elements(c.{column}s) e WHERE e->>'value' <> u.{column}), '[]'::jsonb) END"""  # noqa: S608


_KEPT_UNLESS_GIVEN = ("kind", "name", "name_folded", "email", "phone", "tax_code", "website", "industry",
                      "lifecycle_stage", "needs_status", "notes")
_UPDATE = f"""
WITH changed AS (
    UPDATE customer c SET {", ".join(f"{name} = COALESCE(u.{name}, c.{name})" for name in _KEPT_UNLESS_GIVEN)},
        phones = {_primary_first("phone")}, emails = {_primary_first("email")}, updated_at = now()
    FROM unnest({{}}::uuid[], {_UNNEST}) AS u(id, {", ".join(_WRITTEN)})
    WHERE c.tenant_id = {{}} AND c.id = u.id
    RETURNING c.id, old.lifecycle_stage AS from_stage, new.lifecycle_stage AS to_stage
)
INSERT INTO lifecycle_change (tenant_id, customer, from_stage, to_stage, actor_kind, actor_id)
SELECT {{}}, id, from_stage, to_stage, {{}}, {{}}::uuid FROM changed WHERE from_stage <> to_stage
"""  # noqa: S608 - only fixed column names are formatted in
_PROGRESS = """
UPDATE customer_import SET rows_done = rows_done + {}, created = created + {}, updated = updated + {},
    skipped = skipped + {}, rejected = rejected + {}, updated_at = now()
WHERE tenant_id = {} AND id = {}
"""


def _out(row: dict[str, Any]) -> ImportOut:
    return msgspec.convert(row, ImportOut, strict=False)


def _source_path(import_id: uuid.UUID, file_format: str) -> str:
    return f"imports/{import_id}/source.{file_format}"


def file_format_of(file_name: str, content_type: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    media_type = content_type.split(";")[0].strip().lower()
    if extension in FORMATS and media_type in FORMATS[extension]:
        return extension
    raise ProblemError(415, "unsupported_media_type", "Chỉ nhận tệp .csv hoặc .xlsx.",
                       "Only .csv and .xlsx files are accepted.",
                       errors=[("file", "unsupported_media_type", "Chỉ nhận tệp .csv hoặc .xlsx",
                                "Only .csv and .xlsx files are accepted")])


async def start_import(access: Access, file: IO[bytes], file_name: str, content_type: str, size: int,
                       options: ImportOptions) -> ImportOut:
    """Check the file and its header now, keep it in S3, and queue the job once this transaction commits."""
    file_format = file_format_of(file_name, content_type)
    if size > MAX_IMPORT_BYTES:
        raise ProblemError(413, "body_too_large", "Tệp nhập lớn hơn 50 MB.", "The import file is larger than 50 MB.",
                           errors=[("file", "too_large", "Tệp lớn hơn 50 MB", "The file is larger than 50 MB")])
    header = next(read_rows(file, file_format), None)
    if header is None:
        raise FileProblem("Tệp trống: cần một dòng tiêu đề.", "The file is empty: it needs a header row.")
    column_indexes(header, options.mapping)
    file.seek(0)
    tenant_id = current_tenant_id()
    customer_import = CustomerImport(
        tenant_id=tenant_id, file_name=file_name[:255], file_format=file_format, source_path="",
        mapping=msgspec.json.encode(options.mapping).decode(), match_on=options.match_on,
        on_duplicate=options.on_duplicate, dry_run=options.dry_run, created_by=access.user_id)
    customer_import.source_path = _source_path(customer_import.id, file_format)
    await customer_import.save()
    await asyncio.to_thread(tenant_storage().put_file, tenant_id, customer_import.source_path, file,
                            content_type or "application/octet-stream")
    created = await get_import(customer_import.id)
    await audit.record("customer_import.create", "customer_import", created.id, after=created)
    from services.contacts import jobs  # the jobs module imports this one

    def enqueue() -> None:
        enqueue_for_tenant(tenant_id, jobs.run_import, str(created.id), queue_name="imports")

    after_commit(enqueue)
    return created


async def get_import(import_id: uuid.UUID) -> ImportOut:
    row = await CustomerImport.select(*_COLUMNS).where(
        (CustomerImport.tenant_id == current_tenant_id()) & (CustomerImport.id == import_id),
    ).output(load_json=True).first()
    if row is None:
        raise IMPORT_NOT_FOUND
    return _out(row)


async def error_report(import_id: uuid.UUID) -> bytes:
    """The rejected rows as CSV (UTF-8 with a BOM, so Excel shows the Vietnamese): row, field, code, messages."""
    await get_import(import_id)
    rows = await CustomerImportError.select(
        CustomerImportError.row_number, CustomerImportError.field, CustomerImportError.code,
        CustomerImportError.message_vi, CustomerImportError.message_en,
    ).where((CustomerImportError.tenant_id == current_tenant_id())
            & (CustomerImportError.customer_import == import_id)).order_by(
        CustomerImportError.row_number).order_by(CustomerImportError.field)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "field", "code", "message_vi", "message_en"])
    writer.writerows([row["row_number"], row["field"], row["code"], row["message_vi"], row["message_en"]]
                     for row in rows)
    return out.getvalue().encode("utf-8-sig")


# The job ------------------------------------------------------------------------------------------------

class _Run(msgspec.Struct, kw_only=True):
    """What one run of an import carries from batch to batch."""

    import_id: uuid.UUID
    tenant_id: uuid.UUID
    options: ImportOptions
    columns: dict[str, int]
    actor: audit.Actor
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    branch_id: uuid.UUID | None
    first_row_of_key: dict[tuple[str, str], int] = {}  # (field, value) -> the line that first had it


class _Decisions(msgspec.Struct, kw_only=True):
    create: list[ImportRow] = []
    update: list[tuple[uuid.UUID, ImportRow]] = []
    skipped: int = 0
    errors: list[RowError] = []


async def run_import(import_id: uuid.UUID) -> ImportOut:
    """The job: each batch in its own tenant transaction (the job's own transaction stays unused), so progress
    shows as it goes. A second run of a finished or running import does nothing."""
    tenant_id = current_tenant_id()
    async with separate_tenant_transaction(tenant_id):
        claimed = await CustomerImport.raw(
            "UPDATE customer_import SET status = 'running', updated_at = now() WHERE tenant_id = {} AND id = {} "
            "AND status = 'queued' RETURNING id", tenant_id, import_id)
        job = await get_import(import_id)
        row = await CustomerImport.select(CustomerImport.source_path, CustomerImport.created_by).where(
            (CustomerImport.tenant_id == tenant_id) & (CustomerImport.id == import_id)).first()
        assert row is not None
    if not claimed:
        return job
    actor = audit.Actor(kind="user", id=row["created_by"]) if row["created_by"] else audit.SYSTEM
    token = audit.bind_actor(actor)
    try:
        with tempfile.TemporaryFile() as file:
            await asyncio.to_thread(tenant_storage().get_file, tenant_id, row["source_path"], file)
            await _import_file(job, actor, file)
    except Exception as exc:
        await _finish(import_id, "failed", exc.detail_en if isinstance(exc, ProblemError) else
                      "The import stopped on an internal error; the batches before it are kept.")
        if not isinstance(exc, ProblemError):
            raise
    else:
        await _finish(import_id, "done", None)
    finally:
        audit.unbind_actor(token)
    async with separate_tenant_transaction(tenant_id):
        return await get_import(import_id)


async def _finish(import_id: uuid.UUID, status: str, error: str | None) -> None:
    async with separate_tenant_transaction(current_tenant_id()):
        await CustomerImport.update({CustomerImport.status: status, CustomerImport.error: error,
                                     CustomerImport.finished_at: datetime.datetime.now(datetime.UTC)}).where(
            (CustomerImport.tenant_id == current_tenant_id()) & (CustomerImport.id == import_id))


def _data_rows(file: IO[bytes], file_format: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every row after the header that has any value."""
    for line, cells in enumerate(read_rows(file, file_format), start=1):
        if line > 1 and any(cells):
            yield line, cells


async def _import_file(job: ImportOut, actor: audit.Actor, file: IO[bytes]) -> None:
    tenant_id = current_tenant_id()
    total = sum(1 for _ in _data_rows(file, job.file_format))
    file.seek(0)
    header = next(read_rows(file, job.file_format))
    file.seek(0)
    async with separate_tenant_transaction(tenant_id):
        ownership = await ownership_of(actor.id) if actor.id else None
        await CustomerImport.update({CustomerImport.rows_total: total}).where(
            (CustomerImport.tenant_id == tenant_id) & (CustomerImport.id == job.id))
    run = _Run(import_id=job.id, tenant_id=tenant_id, actor=actor,
               options=msgspec.convert({"mapping": job.mapping, "match_on": job.match_on,
                                        "on_duplicate": job.on_duplicate, "dry_run": job.dry_run}, ImportOptions),
               columns=column_indexes(header, job.mapping),
               owner_id=ownership.owner_id if ownership else None, team_id=ownership.team_id if ownership else None,
               branch_id=ownership.branch_id if ownership else None)
    batch: list[tuple[int, list[str]]] = []
    for line, cells in _data_rows(file, job.file_format):
        batch.append((line, cells))
        if len(batch) == BATCH_ROWS:
            await _run_batch(run, batch)
            batch = []
    if batch:
        await _run_batch(run, batch)


async def _run_batch(run: _Run, batch: list[tuple[int, list[str]]]) -> None:
    """One batch, all or nothing; a batch the database refuses is reported row by row in its own transaction."""
    keys_before = dict(run.first_row_of_key)
    try:
        async with separate_tenant_transaction(run.tenant_id):
            await _write_batch(run, [check_row(line, cells, run.columns) for line, cells in batch])
    except asyncpg.PostgresError as exc:
        logger.warning("import %s: a batch of %d rows was refused: %s", run.import_id, len(batch), exc)
        run.first_row_of_key = keys_before  # its rows were not imported, so later rows may still use their keys
        errors = [RowError(line, "row", "batch_failed", f"Cả lô bị từ chối, không dòng nào được ghi: {exc}",
                           f"The whole batch was refused and none of it written: {exc}") for line, _ in batch]
        async with separate_tenant_transaction(run.tenant_id):
            await _record(run, errors, len(batch), 0, 0, 0)


async def _decide(run: _Run, checked: list[ImportRow | list[RowError]]) -> _Decisions:
    decisions = _Decisions()
    good: list[ImportRow] = []
    for result in checked:
        if isinstance(result, list):
            decisions.errors += result
            continue
        repeated = next(((field, run.first_row_of_key[(field, result.values[field])])
                         for field in {run.options.match_on, "code"}
                         if (field, result.values.get(field)) in run.first_row_of_key), None)
        if repeated:
            field, first = repeated
            decisions.errors.append(RowError(result.row, field, "duplicate_in_file",
                                             f"Trùng với dòng {first} trong tệp", f"Same as line {first} of the file"))
            continue
        for field in {run.options.match_on, "code"}:
            if field in result.values:
                run.first_row_of_key[(field, result.values[field])] = result.row
        good.append(result)
    match_on = run.options.match_on
    # A tax code or email matches through the duplicate engine (every email of a customer, not only its primary).
    find = _existing if match_on == "code" else duplicates.customers_by_value
    matches = await find(match_on, [row.values[match_on] for row in good if match_on in row.values])
    for row in good:
        found = matches.get(row.values.get(match_on, ""), [])
        if len(found) > 1:
            decisions.errors.append(RowError(row.row, match_on, "ambiguous", f"Khớp {len(found)} khách hàng",
                                             f"Matches {len(found)} customers"))
        elif found and run.options.on_duplicate == "skip":
            decisions.skipped += 1
        elif found:
            decisions.update.append((found[0], row))
        elif "name" not in row.values:
            decisions.errors.append(RowError(row.row, "name", "required", "Khách hàng mới cần có tên",
                                             "A new customer needs a name"))
        else:
            decisions.create.append(row)
    await _refuse_taken_codes(decisions)
    return decisions


async def _existing(field: str, values: list[str]) -> dict[str, list[uuid.UUID]]:
    """The tenant's customers whose `field` (code, tax_code or email: a fixed column name) is one of `values`."""
    if not values:
        return {}
    rows = await Customer.raw("SELECT id, " + field + " AS key FROM customer "  # noqa: S608 - a fixed column
                              "WHERE tenant_id = {} AND " + field + " = ANY({}::text[]) ORDER BY id",
                              current_tenant_id(), values)
    found: dict[str, list[uuid.UUID]] = {}
    for row in rows:
        found.setdefault(row["key"], []).append(row["id"])
    return found


async def _refuse_taken_codes(decisions: _Decisions) -> None:
    taken = await _existing("code", [row.values["code"] for row in decisions.create if "code" in row.values])
    if taken:
        decisions.errors += [RowError(row.row, "code", "taken", "Mã khách hàng đã được dùng",
                                      "This customer code is in use") for row in decisions.create
                             if row.values.get("code") in taken]
        decisions.create = [row for row in decisions.create if row.values.get("code") not in taken]


def _columns(rows: list[ImportRow]) -> list[list[str | None]]:
    """The unnest() arrays of `_WRITTEN` for `rows`; a field the row does not give is NULL (kept on update)."""
    def value(row: ImportRow, name: str) -> str | None:
        values = row.values
        if name == "name_folded":
            return fold(values["name"]) if "name" in values else None
        if name == "phones":
            return msgspec.json.encode([PhoneEntry(value=values["phone"], primary=True)] if "phone" in values
                                       else []).decode()
        if name == "emails":
            return msgspec.json.encode([EmailEntry(value=values["email"], primary=True)] if "email" in values
                                       else []).decode()
        if name == "name" and "name" in values:
            return values["name"].strip()
        return values.get(name)

    return [[value(row, name) for row in rows] for name in _WRITTEN]


async def _write_batch(run: _Run, checked: list[ImportRow | list[RowError]]) -> None:
    decisions = await _decide(run, checked)
    if decisions.create:
        try:
            attribute_values(await attribute_rules(), {})  # required custom attributes an import cannot fill
        except ProblemError as exc:
            decisions.errors += [RowError(row.row, field, code, vi, en) for row in decisions.create
                                 for field, code, vi, en in exc.errors]
            decisions.create = []
    if decisions.create:
        await _count_against_quota(run, decisions)
    if not run.options.dry_run:
        await _write_customers(run, decisions)
    await _record(run, decisions.errors, len(checked), len(decisions.create), len(decisions.update),
                  decisions.skipped)


async def _count_against_quota(run: _Run, decisions: _Decisions) -> None:
    """The batch's new customers count against the plan (a dry run only asks); over it, they are rejected."""
    try:
        if run.options.dry_run:
            await quotas.check("customers", len(decisions.create))
        else:
            await quotas.consume("customers", len(decisions.create))
    except quotas.QuotaExceeded as exc:
        decisions.errors += [RowError(row.row, "customers", exc.code, exc.detail_vi, exc.detail_en)
                             for row in decisions.create]
        decisions.create = []


async def _write_customers(run: _Run, decisions: _Decisions) -> None:
    tenant_id, actor = run.tenant_id, run.actor
    created_ids: list[uuid.UUID] = []
    if decisions.create:
        given = [row.values["code"] for row in decisions.create if "code" in row.values]
        await skip_codes_taken("customer", CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_DIGITS, given)
        generated = iter(await reserve_codes("customer", CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_DIGITS,
                                             len(decisions.create) - len(given)))
        codes = [row.values["code"] if "code" in row.values else next(generated) for row in decisions.create]
        rows = await Customer.raw(_INSERT, tenant_id, run.owner_id, run.team_id, run.branch_id, codes,
                                  *_columns(decisions.create), tenant_id, actor.kind, actor.id)
        created_ids = [row["id"] for row in rows]
    updated_ids = [customer_id for customer_id, _ in decisions.update]
    if updated_ids:
        await Customer.raw(_UPDATE, updated_ids, *_columns([row for _, row in decisions.update]), tenant_id,
                           tenant_id, actor.kind, actor.id)
    await emit_many(CUSTOMER_CREATED, await _event_data(created_ids))
    await emit_many(CUSTOMER_UPDATED, await _event_data(updated_ids))
    if created_ids or updated_ids:
        await audit.record("customer.import", "customer_import", run.import_id, after={
            "created": [str(id_) for id_ in created_ids], "updated": [str(id_) for id_ in updated_ids]})


async def _event_data(customer_ids: list[uuid.UUID]) -> list[CustomerData]:
    """The events' payloads read straight from the rows (not through `CustomerOut`: thousands at a time)."""
    if not customer_ids:
        return []
    rows = await Customer.select(*[getattr(Customer, name) for name in CustomerData.__struct_fields__]).where(
        Customer.tenant_id == current_tenant_id(), Customer.id.is_in(customer_ids)).order_by(Customer.id)
    return msgspec.convert(rows, list[CustomerData], strict=False)


async def _record(run: _Run, errors: list[RowError], done: int, created: int, updated: int, skipped: int) -> None:
    """The batch's error rows and its share of the progress counters."""
    if errors:
        await CustomerImportError.insert(*[
            CustomerImportError(tenant_id=run.tenant_id, customer_import=run.import_id, row_number=error.row,
                                field=error.field, code=error.code, message_vi=error.message_vi,
                                message_en=error.message_en) for error in errors])
    await CustomerImport.raw(_PROGRESS, done, created, updated, skipped,
                             len({error.row for error in errors}),
                             run.tenant_id, run.import_id)
