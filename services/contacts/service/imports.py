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

Each good row's outcome (created, updated with the fields it changed as they were before, skipped) is kept in
`customer_import_outcome` by the batch's statements: `GET /imports/{id}/rows` lists them, `service.import_revert`
undoes the import from them.

A dry run takes the same decisions on the same data (the plan's customer quota counted across its batches as
the real run consumes it) and records the counts, the rows and the error report, but writes no customer, so it
predicts what the import will do (unless the customers change in between, or the database refuses a batch).
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
from infra.problems import NotFoundError, ProblemError, invalid
from infra.storage import tenant_storage
from infra.text import fold
from services.contacts.events import CUSTOMER_CREATED, CUSTOMER_UPDATED, CustomerData
from services.contacts.schemas import ImportOptions, ImportOut, ImportRowOut
from services.contacts.service import duplicates
from services.contacts.service.customers import (
    CUSTOMER_CODE_DIGITS,
    CUSTOMER_CODE_PREFIX,
    ownership_of,
    reserve_codes,
    skip_codes_taken,
)
from services.contacts.service.fields import attribute_rules, attribute_values
from services.contacts.service.import_mappings import with_saved_mapping
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
from tenants.pagination import Page
from webhooks.outbox import emit_many

logger = logging.getLogger("crm.contacts.imports")
BATCH_ROWS = 1000
MAX_IMPORT_BYTES = 50 * 1024 * 1024
FORMATS = {"csv": ("text/csv", "application/vnd.ms-excel", "text/plain", "application/octet-stream"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")}
IMPORT_NOT_FOUND = NotFoundError("lần nhập", "Import")
_COLUMNS = [getattr(CustomerImport, name) for name in ImportOut.__struct_fields__]
# The fields an import writes, in the order of the unnest() columns below.
_WRITTEN = ("kind", "name", "name_folded", "email", "phone", "tax_code", "website", "industry",
            "lifecycle_stage", "needs_status", "notes")
_EVENT_COLUMNS = ", ".join(CustomerData.__struct_fields__)
_UNNEST = ", ".join(["{}::text[]"] * len(_WRITTEN))


def _only(column: str) -> str:
    """The list of phones (emails) of a new customer: the row's one as primary, or none."""
    return (f"CASE WHEN u.{column} IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object("
            f"'value', u.{column}, 'label', NULL, 'primary', true)) END")


_INSERT = f"""
WITH created AS (
    INSERT INTO customer (tenant_id, code, kind, name, name_folded, email, phone, phones, emails, tax_code, website,
                          industry, lifecycle_stage, needs_status, notes, owner_id, team_id, branch_id)
    SELECT {{}}, u.code, COALESCE(u.kind, 'company'), u.name, u.name_folded, u.email, u.phone, {_only("phone")},
           {_only("email")}, u.tax_code, u.website, u.industry, COALESCE(u.lifecycle_stage, 'raw'),
           COALESCE(u.needs_status, 'unknown'), u.notes, {{}}::uuid, {{}}::uuid, {{}}::uuid
    FROM unnest({{}}::text[], {_UNNEST}) AS u(code, {", ".join(_WRITTEN)})
    RETURNING {_EVENT_COLUMNS}
), history AS (
    INSERT INTO lifecycle_change (tenant_id, customer, from_stage, to_stage, actor_kind, actor_id)
    SELECT {{}}, id, NULL, lifecycle_stage, {{}}, {{}}::uuid FROM created
)
SELECT {_EVENT_COLUMNS} FROM created
"""  # noqa: S608 - only fixed column names are formatted in


def _primary_first(column: str) -> str:
    """The new primary phone (email) first, the customer's others after it, no longer primary."""
    return f"""CASE WHEN u.{column} IS NULL THEN c.{column}s ELSE
        jsonb_build_array(jsonb_build_object('value', u.{column}, 'label', NULL, 'primary', true))
        || COALESCE((SELECT jsonb_agg(e || jsonb_build_object('primary', false))
                     FROM jsonb_array_elements(c.{column}s) e WHERE e->>'value' <> u.{column}), '[]'::jsonb) END"""  # noqa: S608


_KEPT_UNLESS_GIVEN = ("kind", "name", "name_folded", "email", "phone", "tax_code", "website", "industry",
                      "lifecycle_stage", "needs_status", "notes")
# The fields an update may change: each updated row keeps the values before it of those its row gave (the
# revert puts them back, and leaves the others, which the import did not touch, as they are).
RESTORABLE = (*_KEPT_UNLESS_GIVEN, "phones", "emails")
_GIVEN_BY = {"phones": "phone", "emails": "email"}
_UPDATE = f"""
WITH changed AS (
    UPDATE customer c SET {", ".join(f"{name} = COALESCE(u.{name}, c.{name})" for name in _KEPT_UNLESS_GIVEN)},
        phones = {_primary_first("phone")}, emails = {_primary_first("email")}, updated_at = now()
    FROM unnest({{}}::uuid[], {{}}::int[], {_UNNEST}) AS u(id, row_number, {", ".join(_WRITTEN)})
    WHERE c.tenant_id = {{}} AND c.id = u.id
    RETURNING c.id, u.row_number, old.lifecycle_stage AS from_stage, new.lifecycle_stage AS to_stage,
        jsonb_build_object({", ".join(f"'{name}', old.{name}" for name in RESTORABLE)})
        - array_remove(ARRAY[{", ".join(f"CASE WHEN u.{_GIVEN_BY.get(name, name)} IS NULL THEN '{name}' END"
                                        for name in RESTORABLE)}], NULL) AS before
), history AS (
    INSERT INTO lifecycle_change (tenant_id, customer, from_stage, to_stage, actor_kind, actor_id)
    SELECT {{}}, id, from_stage, to_stage, {{}}, {{}}::uuid FROM changed WHERE from_stage <> to_stage
)
INSERT INTO customer_import_outcome (tenant_id, customer_import, outcome, row_numbers, customer_ids, befores)
SELECT {{}}, {{}}, 'updated', array_agg(row_number ORDER BY row_number), array_agg(id ORDER BY row_number),
       jsonb_agg(before ORDER BY row_number)
FROM changed HAVING count(*) > 0
"""  # noqa: S608 - only fixed column names are formatted in
_OUTCOMES = """
INSERT INTO customer_import_outcome (tenant_id, customer_import, outcome, row_numbers, customer_ids)
VALUES ({}, {}, {}, {}::int[], {}::uuid[])
"""
_ROWS_PAGE = """
SELECT u.row_number, o.outcome, u.customer_id
FROM customer_import_outcome o, unnest(o.row_numbers, o.customer_ids) AS u(row_number, customer_id)
WHERE o.tenant_id = {} AND o.customer_import = {} AND u.row_number > {}
ORDER BY u.row_number LIMIT {}
"""
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
    options = await with_saved_mapping(options)
    header = next(read_rows(file, file_format), None)
    if header is None:
        raise FileProblem("Tệp trống: cần một dòng tiêu đề.", "The file is empty: it needs a header row.")
    column_indexes(header, options.mapping)
    file.seek(0)
    tenant_id = current_tenant_id()
    customer_import = CustomerImport(
        tenant_id=tenant_id, file_name=file_name[:255], file_format=file_format, source_path="",
        mapping=msgspec.json.encode(options.mapping).decode(), match_on=options.match_on,
        on_duplicate=options.on_duplicate, dry_run=options.dry_run, created_by=access.user_id,
        mapping_id=options.mapping_id)
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


async def import_rows(import_id: uuid.UUID, limit: int, cursor: str | None) -> Page[ImportRowOut]:
    """What the import did (or its dry run would do) with each good row, by line; the cursor is the last line."""
    await get_import(import_id)
    if cursor is not None and not cursor.isdigit():
        raise invalid([("cursor", "invalid_format", "Con trỏ trang không hợp lệ", "Invalid page cursor")])
    rows = await CustomerImport.raw(_ROWS_PAGE, current_tenant_id(), import_id, int(cursor or 0), limit + 1)
    items = msgspec.convert(rows, list[ImportRowOut], strict=False)
    return Page(items=items[:limit], next_cursor=str(items[limit - 1].row_number) if len(items) > limit else None)


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
    dry_created: int = 0  # a dry run: the customers its batches so far would have created (and counted)
    batch_keys: list[tuple[str, str]] = []  # the keys the current batch added to first_row_of_key


class _Decisions(msgspec.Struct, kw_only=True):
    create: list[ImportRow] = []
    update: list[tuple[uuid.UUID, ImportRow]] = []
    skip: list[tuple[uuid.UUID, ImportRow]] = []
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
    run.batch_keys = []
    try:
        async with separate_tenant_transaction(run.tenant_id):
            # Plans made for this batch's values: the pooled connection caches the statements, and a generic plan
            # made while the tenant had few customers goes on scanning them all as they grow.
            await Customer.raw("SET LOCAL plan_cache_mode = force_custom_plan")
            await _write_batch(run, [check_row(line, cells, run.columns) for line, cells in batch])
    except asyncpg.PostgresError as exc:
        logger.warning("import %s: a batch of %d rows was refused: %s", run.import_id, len(batch), exc)
        for key in run.batch_keys:  # its rows were not imported, so later rows may still use their keys
            del run.first_row_of_key[key]
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
                run.batch_keys.append((field, result.values[field]))
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
            decisions.skip.append((found[0], row))
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
    # A join on the keys, not `= ANY(array)`: under a generic plan (see `_run_batch`), `= ANY` became a filter
    # over a scan of all the tenant's customers (0.7 s a batch at 40,000 customers); the join hashes at worst.
    rows = await Customer.raw("SELECT c.id, c." + field + " AS key FROM unnest({}::text[]) AS k(key) "  # noqa: S608
                              "JOIN customer c ON c.tenant_id = {} AND c." + field + " = k.key ORDER BY c.id",
                              values, current_tenant_id())
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
    if run.options.dry_run:
        await _record_rows(run, "created", [(row.row, None) for row in decisions.create])
        await _record_rows(run, "updated", [(row.row, customer_id) for customer_id, row in decisions.update])
    else:
        await _write_customers(run, decisions)
    await _record_rows(run, "skipped", [(row.row, customer_id) for customer_id, row in decisions.skip])
    await _record(run, decisions.errors, len(checked), len(decisions.create), len(decisions.update),
                  len(decisions.skip))


async def _record_rows(run: _Run, outcome: str, rows: list[tuple[int, uuid.UUID | None]]) -> None:
    """What happened to these rows (`customer_import_outcome`), in one statement."""
    if rows:
        await CustomerImport.raw(_OUTCOMES, run.tenant_id, run.import_id, outcome, [row for row, _ in rows],
                                 [customer_id for _, customer_id in rows])


async def _count_against_quota(run: _Run, decisions: _Decisions) -> None:
    """The batch's new customers count against the plan (a dry run only asks); over it, they are rejected."""
    try:
        if run.options.dry_run:  # as if the batches before had consumed theirs
            await quotas.check("customers", run.dry_created + len(decisions.create))
            run.dry_created += len(decisions.create)
        else:
            await quotas.consume("customers", len(decisions.create))
    except quotas.QuotaExceeded as exc:
        decisions.errors += [RowError(row.row, "customers", exc.code, exc.detail_vi, exc.detail_en)
                             for row in decisions.create]
        decisions.create = []


async def _write_customers(run: _Run, decisions: _Decisions) -> None:
    tenant_id, actor = run.tenant_id, run.actor
    created: list[CustomerData] = []
    if decisions.create:
        given = [row.values["code"] for row in decisions.create if "code" in row.values]
        await skip_codes_taken("customer", CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_DIGITS, given)
        generated = iter(await reserve_codes("customer", CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_DIGITS,
                                             len(decisions.create) - len(given)))
        codes = [row.values["code"] if "code" in row.values else next(generated) for row in decisions.create]
        rows = await Customer.raw(_INSERT, tenant_id, run.owner_id, run.team_id, run.branch_id, codes,
                                  *_columns(decisions.create), tenant_id, actor.kind, actor.id)
        id_of_code = {row["code"]: row["id"] for row in rows}
        created = msgspec.convert(rows, list[CustomerData], strict=False)
        await _record_rows(run, "created", [(row.row, id_of_code[code])
                                            for row, code in zip(decisions.create, codes, strict=True)])
    updated_ids = [customer_id for customer_id, _ in decisions.update]
    if updated_ids:
        await Customer.raw(_UPDATE, updated_ids, [row.row for _, row in decisions.update],
                           *_columns([row for _, row in decisions.update]), tenant_id,
                           tenant_id, actor.kind, actor.id, tenant_id, run.import_id)
    await emit_many(CUSTOMER_CREATED, created)
    await emit_many(CUSTOMER_UPDATED, await event_data(updated_ids))
    if created or updated_ids:
        await audit.record("customer.import", "customer_import", run.import_id, after={
            "created": [str(customer.id) for customer in created], "updated": [str(id_) for id_ in updated_ids]})


async def event_data(customer_ids: list[uuid.UUID]) -> list[CustomerData]:
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
