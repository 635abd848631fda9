"""Reverting an import, in one transaction and set-based: the customers it created are deleted (with all that
hangs off them, by cascade, and their documents' files), the customers it updated get back the fields the
import changed, as each row's before-image kept them (`customer_import_outcome`).

Decisions (docs/decisions.md): a revert is refused (409) for a dry run, an import still queued or running, and
an import already reverted (a conditional UPDATE claims it, so two at once cannot both run). A customer changed
again after the import is still deleted or restored: the revert is an explicit request to undo the import, and
a partial undo would leave the file half-imported. Only the fields the import changed are put back, so a later
edit of another field stays. Those customers are listed in `changed_since` (and in the audit entry) so the
user can look at them. A customer deleted since the import is left deleted.
"""

from __future__ import annotations

import uuid

from infra.problems import ProblemError
from services.contacts.events import CUSTOMER_DELETED, CUSTOMER_UPDATED, CustomerDeleted
from services.contacts.schemas import ImportRevertOut
from services.contacts.service.customers import files_of, remove_files
from services.contacts.service.imports import RESTORABLE, event_data, get_import
from services.contacts.tables import Customer, CustomerImport
from tenants import audit, quotas
from tenants.context import current_tenant_id
from webhooks.outbox import emit_many

_CLAIM = """
UPDATE customer_import SET reverted_at = now(), updated_at = now()
WHERE tenant_id = {} AND id = {} AND reverted_at IS NULL AND status IN ('done', 'failed') AND NOT dry_run
RETURNING id
"""
# An import's customers of one outcome, with the transaction time of the batch that wrote them.
_OF_OUTCOME = """(
    SELECT u.id, u.n, o.befores, o.created_at FROM customer_import_outcome o, unnest(o.customer_ids) WITH ORDINALITY
        AS u(id, n)
    WHERE o.tenant_id = {{}} AND o.customer_import = {{}} AND o.outcome {outcome})"""
_CREATED = _OF_OUTCOME.format(outcome="= 'created'")
_ROWS_OF = "SELECT id AS customer_id FROM " + _CREATED + " r ORDER BY id"  # noqa: S608 - fixed text
# Rows written by the import carry its batch's transaction time, as do the customers it wrote; anything later
# changed them again.
_CHANGED_SINCE = """
SELECT c.id FROM """ + _OF_OUTCOME.format(outcome="IN ('created', 'updated')") + """ r
JOIN customer c ON c.tenant_id = {} AND c.id = r.id
WHERE c.updated_at > r.created_at
ORDER BY c.id
"""
_DELETE = """
DELETE FROM customer c USING """ + _CREATED + """ r
WHERE c.tenant_id = {} AND c.id = r.id
RETURNING c.id, c.code
"""
_TEXT = [name for name in RESTORABLE if name not in ("phones", "emails")]
_RESTORE = f"""
WITH restored AS (
    UPDATE customer c SET {", ".join(f"{name} = CASE WHEN r.before ? '{name}' THEN r.before->>'{name}' "
                                     f"ELSE c.{name} END" for name in _TEXT)},
        phones = COALESCE(r.before->'phones', c.phones), emails = COALESCE(r.before->'emails', c.emails),
        updated_at = now()
    FROM (SELECT id, befores -> (n::int - 1) AS before FROM {_OF_OUTCOME.format(outcome="= 'updated'")}
          AS o) r
    WHERE c.tenant_id = {{}} AND c.id = r.id
    RETURNING c.id, old.lifecycle_stage AS from_stage, new.lifecycle_stage AS to_stage
), history AS (
    INSERT INTO lifecycle_change (tenant_id, customer, from_stage, to_stage, actor_kind, actor_id)
    SELECT {{}}, id, from_stage, to_stage, {{}}, {{}}::uuid FROM restored WHERE from_stage <> to_stage
)
SELECT id FROM restored ORDER BY id
"""  # noqa: S608 - only fixed column names are formatted in


def _refused(code: str, vi: str, en: str) -> ProblemError:
    return ProblemError(409, code, vi, en)


async def revert_import(import_id: uuid.UUID) -> ImportRevertOut:
    tenant_id = current_tenant_id()
    await get_import(import_id)  # 404 for another tenant's
    if not await CustomerImport.raw(_CLAIM, tenant_id, import_id):
        job = await get_import(import_id)  # as the claim found it
        if job.dry_run:
            raise _refused("dry_run", "Lần chạy thử không ghi gì nên không thể hoàn tác.",
                           "A dry run wrote nothing, so there is nothing to revert.")
        if job.reverted_at is not None:
            raise _refused("already_reverted", "Lần nhập này đã được hoàn tác.", "This import was already reverted.")
        raise _refused("not_finished", "Lần nhập chưa chạy xong.", "The import has not finished yet.")
    changed_since = [row["id"] for row in await Customer.raw(_CHANGED_SINCE, tenant_id, import_id, tenant_id)]
    created = [row["customer_id"] for row in await Customer.raw(_ROWS_OF, tenant_id, import_id)]
    files = await files_of(created)
    deleted = await Customer.raw(_DELETE, tenant_id, import_id, tenant_id)
    await quotas.release("customers", len(deleted))
    await remove_files(files)
    actor = audit.current_actor()
    restored = [row["id"] for row in await Customer.raw(_RESTORE, tenant_id, import_id, tenant_id, tenant_id,
                                                        actor.kind, actor.id)]
    await emit_many(CUSTOMER_DELETED, [CustomerDeleted(id=row["id"], code=row["code"]) for row in deleted])
    await emit_many(CUSTOMER_UPDATED, await event_data(restored))
    await audit.record("customer_import.revert", "customer_import", import_id, after={
        "deleted": sorted(str(row["id"]) for row in deleted), "restored": [str(id_) for id_ in restored],
        "changed_since": [str(id_) for id_ in changed_since]})
    return ImportRevertOut(import_id=import_id, deleted=len(deleted), restored=len(restored),
                           changed_since=changed_since)
