"""Merging two customers, and undoing it (issue 5, item 7; docs/decisions.md "Merging customers").

`merge` re-points every reference to the loser (`services.contacts.refs`: contacts' persons, timeline, documents,
groups, tags, histories; pipeline's opportunities, quotations, contracts, activities; partners' profile,
hierarchy, credit and ledger) to the winner, one UPDATE per column, then deletes the loser. It records the ids
of the rows it moved, the rows it dropped because the winner had the same (a group both were in), the other
values it changed (a second primary contact person, clashing document versions, ledger totals added up) and
the loser's row, all in the caller's tenant transaction: a failure leaves nothing half-merged. While the merge
stands, the loser's id redirects to the winner. `undo` puts the loser back and moves exactly those rows back.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import msgspec

from infra.problems import NotFoundError, ProblemError, invalid
from services.contacts.events import CUSTOMER_MERGED, CUSTOMER_UNMERGED, CustomerMerged
from services.contacts.refs import REF_MODULES, CustomerRef
from services.contacts.schemas import MergeOut
from services.contacts.service.customers import get_customer
from services.contacts.tables import CustomerMerge
from tenants import audit, quotas
from tenants.access import Access
from tenants.context import current_tenant_id
from webhooks.outbox import emit

MERGE_NOT_FOUND = NotFoundError("lần gộp", "Merge")
_PERSONS_UNFLAGGED = "contact_person.is_primary"
_DOCUMENT_VERSIONS = "document.version"


def customer_refs() -> Iterator[CustomerRef]:
    """Every declared reference to a customer, in declaration order (contacts' first)."""
    for name in REF_MODULES:
        yield from importlib.import_module(name).CUSTOMER_REFS


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


_STORED_COLUMNS = ("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS names FROM pg_attribute "
                   "WHERE attrelid = 'customer'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''")


async def _raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await CustomerMerge.raw(sql, *args)
    return rows


def _same_key(ref: CustomerRef) -> str:
    """SQL: the winner has a row like the loser's row `l` under the ref's unique key (or points at itself)."""
    extra = f" AND w.{ref.where}" if ref.where else ""
    keys = "".join(f" AND w.{column} = l.{column}" for column in ref.unique or ())
    return (f"EXISTS (SELECT 1 FROM {ref.table} w WHERE w.tenant_id = l.tenant_id "  # noqa: S608 - declared names
            f"AND w.{ref.column} = {{}}{extra}{keys})")


def _loser_rows(ref: CustomerRef) -> str:
    extra = f" AND l.{ref.where}" if ref.where else ""
    return f"l.tenant_id = {{}} AND l.{ref.column} = {{}}{extra}"


async def _refuse_conflicts(winner_id: uuid.UUID, loser_id: uuid.UUID) -> None:
    tenant_id = current_tenant_id()
    for ref in customer_refs():
        if ref.on_conflict != "refuse":
            continue
        rows = await _raw(f"SELECT 1 FROM {ref.table} l WHERE {_loser_rows(ref)} AND {_same_key(ref)} LIMIT 1",  # noqa: S608
                          tenant_id, loser_id, winner_id)
        if rows:
            raise ProblemError(409, "merge_conflict", ref.what_vi, ref.what_en,
                               errors=[("loser_id", "merge_conflict", ref.what_vi, ref.what_en)])


async def _move(ref: CustomerRef, winner_id: uuid.UUID, loser_id: uuid.UUID, record: dict[str, Any]) -> None:
    tenant_id = current_tenant_id()
    if ref.on_conflict == "add" and ref.unique is not None:
        sets = ", ".join(f"{column} = w.{column} + l.{column}" for column in ref.add)
        keys = "".join(f" AND w.{column} = l.{column}" for column in ref.unique)
        added = await _raw(
            f"UPDATE {ref.table} w SET {sets}, updated_at = now() FROM {ref.table} l "  # noqa: S608 - declared names
            f"WHERE {_loser_rows(ref)} AND w.tenant_id = l.tenant_id AND w.{ref.column} = {{}}{keys} "
            f"RETURNING w.id, " + ", ".join(f"l.{column} AS {column}" for column in ref.add),
            tenant_id, loser_id, winner_id)
        if added:
            record["changed"][f"{ref.table}.add"] = [{**row, "id": str(row["id"])} for row in added]
    conflict = []
    if ref.unique is not None:
        conflict.append(_same_key(ref))
    if ref.self_column:
        conflict.append(f"l.{ref.self_column} = {{}}")
    if conflict:
        dropped = await _raw(
            f"DELETE FROM {ref.table} l WHERE {_loser_rows(ref)} AND ({' OR '.join(conflict)}) "  # noqa: S608
            "RETURNING to_jsonb(l.*)::text AS row", tenant_id, loser_id, *([winner_id] * len(conflict)))
        if dropped:
            record["removed"].setdefault(ref.table, []).extend(msgspec.json.decode(row["row"]) for row in dropped)
    moved = await _raw(f"UPDATE {ref.table} l SET {ref.column} = {{}} WHERE {_loser_rows(ref)} RETURNING l.id",  # noqa: S608
                       winner_id, tenant_id, loser_id)
    if moved:
        record["moved"].setdefault(f"{ref.table}.{ref.column}", []).extend(str(row["id"]) for row in moved)


async def _make_room(winner_id: uuid.UUID, loser_id: uuid.UUID, record: dict[str, Any]) -> None:
    """What would clash once moved: the loser's primary contact person when the winner has one (not primary
    any more), and document versions of a name both have (the loser's come after the winner's)."""
    tenant_id = current_tenant_id()
    unflagged = await _raw(
        "UPDATE contact_person l SET is_primary = false WHERE l.tenant_id = {} AND l.customer = {} AND l.is_primary "
        "AND EXISTS (SELECT 1 FROM contact_person w WHERE w.tenant_id = l.tenant_id AND w.customer = {} "
        "AND w.is_primary) RETURNING l.id", tenant_id, loser_id, winner_id)
    if unflagged:
        record["changed"][_PERSONS_UNFLAGGED] = [str(row["id"]) for row in unflagged]
    shifted = await _raw(
        "UPDATE document l SET version = l.version + w.top FROM ("
        "  SELECT name, max(version) AS top FROM document WHERE tenant_id = {} AND customer = {} GROUP BY name) w "
        "WHERE l.tenant_id = {} AND l.customer = {} AND l.name = w.name RETURNING l.id, w.top",
        tenant_id, winner_id, tenant_id, loser_id)
    if shifted:
        record["changed"][_DOCUMENT_VERSIONS] = {str(row["id"]): row["top"] for row in shifted}


async def merge_customers(access: Access, winner_id: uuid.UUID, loser_id: uuid.UUID) -> MergeOut:
    """Merge `loser_id` into `winner_id` (the winner's own fields are kept); both must be seen by the caller."""
    if winner_id == loser_id:
        raise invalid([("loser_id", "same_customer", "Không thể gộp một khách hàng với chính nó",
                        "A customer cannot be merged into itself")])
    await get_customer(access, winner_id)
    await get_customer(access, loser_id)
    tenant_id = current_tenant_id()
    await _raw("SELECT id FROM customer WHERE tenant_id = {} AND id = ANY({}::uuid[]) ORDER BY id FOR UPDATE",
               tenant_id, [winner_id, loser_id])
    await _refuse_conflicts(winner_id, loser_id)
    record: dict[str, Any] = {"moved": {}, "removed": {}, "changed": {}}
    await _make_room(winner_id, loser_id, record)
    for ref in customer_refs():
        await _move(ref, winner_id, loser_id, record)
    loser = msgspec.json.decode((await _raw(
        "DELETE FROM customer WHERE tenant_id = {} AND id = {} RETURNING to_jsonb(customer.*)::text AS row",
        tenant_id, loser_id))[0]["row"])
    await quotas.release("customers")
    merge = CustomerMerge(tenant_id=tenant_id, winner_id=winner_id, loser_id=loser_id, loser=_json(loser),
                          moved=_json(record["moved"]), removed=_json(record["removed"]),
                          changed=_json(record["changed"]), merged_by=access.user_id)
    await merge.save()
    out = await _fetch(merge.id)
    await audit.record("customer.merge", "customer", winner_id, before=loser,
                       after={"merge_id": str(out.id), "moved": record["moved"],
                              "removed": {table: len(rows) for table, rows in record["removed"].items()},
                              "changed": record["changed"]})
    await emit(CUSTOMER_MERGED, _event(out))
    return out


def _event(merge: MergeOut) -> CustomerMerged:
    return CustomerMerged(merge_id=merge.id, winner_id=merge.winner_id, loser_id=merge.loser_id,
                          loser_code=merge.loser_code,
                          moved={key: len(ids) for key, ids in merge.moved.items()})


async def _row(merge_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any]:
    query = CustomerMerge.select().where(
        (CustomerMerge.tenant_id == current_tenant_id()) & (CustomerMerge.id == merge_id))
    if lock:
        query = query.lock_rows("UPDATE")
    row = await query.output(load_json=True).first()
    if row is None:
        raise MERGE_NOT_FOUND
    return row


def _out(row: dict[str, Any]) -> MergeOut:
    return MergeOut(id=row["id"], winner_id=row["winner_id"], loser_id=row["loser_id"],
                    loser_code=row["loser"]["code"], loser_name=row["loser"]["name"],
                    moved={key: [uuid.UUID(id_) for id_ in ids] for key, ids in row["moved"].items()},
                    removed={table: len(rows) for table, rows in row["removed"].items()},
                    created_at=row["created_at"], merged_by=row["merged_by"], undone_at=row["undone_at"])


async def _fetch(merge_id: uuid.UUID) -> MergeOut:
    return _out(await _row(merge_id))


async def get_merge(access: Access, merge_id: uuid.UUID) -> MergeOut:
    """A merge; the caller must see its winner (404 otherwise, as for another tenant's)."""
    merge = await _fetch(merge_id)
    try:
        await get_customer(access, merge.winner_id)
    except NotFoundError:
        raise MERGE_NOT_FOUND from None
    return merge


async def merges_into(access: Access, customer_id: uuid.UUID) -> list[MergeOut]:
    """The merges whose winner is this customer, newest first."""
    await get_customer(access, customer_id)
    rows = await CustomerMerge.select().where(
        (CustomerMerge.tenant_id == current_tenant_id()) & (CustomerMerge.winner_id == customer_id)).order_by(
        CustomerMerge.id, ascending=False).output(load_json=True)
    return [_out(row) for row in rows]


async def merged_into(customer_id: uuid.UUID) -> uuid.UUID | None:
    """The winner a merged-away customer id redirects to (None when it was not merged, or the merge undone)."""
    row = await CustomerMerge.select(CustomerMerge.winner_id).where(
        (CustomerMerge.tenant_id == current_tenant_id()) & (CustomerMerge.loser_id == customer_id)
        & CustomerMerge.undone_at.is_null()).order_by(CustomerMerge.id, ascending=False).first()
    return row["winner_id"] if row else None


CANNOT_UNDO = ("Không thể hoàn tác: dữ liệu đã thay đổi từ khi gộp ({}).",
               "Cannot undo: the data changed since the merge ({}).")


async def undo_merge(access: Access, merge_id: uuid.UUID) -> MergeOut:
    """The loser back as it was, and exactly the rows the merge moved or dropped back with it."""
    row = await _row(merge_id, lock=True)
    await get_merge(access, merge_id)  # 404 unless the caller sees the winner
    if row["undone_at"] is not None:
        raise ProblemError(409, "conflict", "Lần gộp này đã được hoàn tác.", "This merge was already undone.")
    tenant_id, winner_id, loser_id = current_tenant_id(), row["winner_id"], row["loser_id"]
    await _raw("SELECT id FROM customer WHERE tenant_id = {} AND id = {} FOR UPDATE", tenant_id, winner_id)
    try:
        await _put_back(row, tenant_id, winner_id, loser_id)
    except asyncpg.exceptions.IntegrityConstraintViolationError as exc:
        raise ProblemError(409, "conflict", CANNOT_UNDO[0].format(exc.__class__.__name__),
                           CANNOT_UNDO[1].format(exc)) from None
    await quotas.consume("customers")
    await CustomerMerge.raw("UPDATE customer_merge SET undone_at = now(), undone_by = {}, updated_at = now() "
                            "WHERE tenant_id = {} AND id = {}", access.user_id, tenant_id, merge_id)
    out = await _fetch(merge_id)
    await audit.record("customer.merge_undo", "customer", loser_id, after={"merge_id": str(merge_id)})
    await emit(CUSTOMER_UNMERGED, _event(out))
    return out


async def _put_back(row: dict[str, Any], tenant_id: uuid.UUID, winner_id: uuid.UUID, loser_id: uuid.UUID) -> None:
    # Generated columns (`search_text`) take no value: the row goes back without them and PostgreSQL computes them.
    columns = (await _raw(_STORED_COLUMNS))[0]["names"]
    await _raw(f"INSERT INTO customer ({columns}) SELECT {columns} "  # noqa: S608 - the catalogue's names
               "FROM jsonb_populate_record(NULL::customer, {}::jsonb)", _json(row["loser"]))
    refs = {f"{ref.table}.{ref.column}": ref for ref in customer_refs()}
    for key, ids in row["moved"].items():
        ref = refs[key]
        await _raw(f"UPDATE {ref.table} SET {ref.column} = {{}} "  # noqa: S608 - declared names
                   f"WHERE tenant_id = {{}} AND id = ANY({{}}::uuid[]) AND {ref.column} = {{}}",
                   loser_id, tenant_id, ids, winner_id)
    changed = row["changed"]
    if versions := changed.get(_DOCUMENT_VERSIONS):
        await _raw("UPDATE document d SET version = d.version - u.top FROM unnest({}::uuid[], {}::int[]) AS u(id, top) "
                   "WHERE d.tenant_id = {} AND d.id = u.id AND d.customer = {}",
                   list(versions), list(versions.values()), tenant_id, loser_id)
    if unflagged := changed.get(_PERSONS_UNFLAGGED):
        await _raw("UPDATE contact_person SET is_primary = true WHERE tenant_id = {} AND id = ANY({}::uuid[]) "
                   "AND customer = {}", tenant_id, unflagged, loser_id)
    for key, additions in changed.items():
        if not key.endswith(".add"):
            continue
        table = key.removesuffix(".add")
        columns = [column for column in additions[0] if column != "id"]
        sets = ", ".join(f"{column} = t.{column} - (u ->> '{column}')::bigint" for column in columns)
        await _raw(f"UPDATE {table} t SET {sets}, updated_at = now() "  # noqa: S608 - declared names
                   "FROM jsonb_array_elements({}::jsonb) u WHERE t.tenant_id = {} AND t.id = (u ->> 'id')::uuid",
                   _json(additions), tenant_id)
    for table, rows in row["removed"].items():
        await _raw(f"INSERT INTO {table} SELECT * FROM jsonb_populate_recordset(NULL::{table}, {{}}::jsonb)",  # noqa: S608
                   _json(rows))
