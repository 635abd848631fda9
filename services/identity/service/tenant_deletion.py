"""Deleting a tenant: export everything, then remove every row and object of it (an rq job, idempotent).

Requesting deletion marks the tenant `deleting` (every request then answers 403, login is refused) and
enqueues `delete_tenant`. The job runs in one transaction with the tenant set:

1. it locks the tenant row, so it waits for the request that marked it to commit (the job may be picked up
   before that), and it does nothing if the tenant is gone (a second run) or was not marked (rolled back);
2. it exports every row of every tenant table, with the tenant and its memberships, as JSON lines, and
   copies the tenant's S3 objects, all under `deleted-tenants/<id>/`. Not under `tenants/<id>/`: that whole
   prefix is deleted in the next step (and again by a re-run), which would take the export with it;
3. it deletes the objects under `tenants/<id>/`, every row of every tenant table (found by inheritance, as
   RLS finds them; the append-only audit log through its erase function), the platform rows that name the
   tenant (memberships, refresh tokens, subscription, Stripe events) and the tenant.

A crash before the commit leaves the rows and the `deleting` mark, so the job can simply run again.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, cast

import msgspec

from infra.jobs import enqueue_for_tenant
from infra.problems import NotFoundError, ProblemError
from infra.settings import get_settings
from infra.storage import TenantStorage
from services.identity.schemas import TenantDeletionAccepted
from services.identity.service.roles import OWNER
from services.identity.tables import Membership, RefreshToken, StripeEvent, Subscription, Tenant
from tenants import audit
from tenants.access import Access
from tenants.auth import Principal
from tenants.context import current_tenant_id
from tenants.rls import tenant_tables
from tenants.tables import TenantTable

EXPORT_PREFIX = "deleted-tenants"
NOT_THE_OWNER = ProblemError(403, "forbidden", "Chỉ chủ sở hữu được xóa công ty.",
                             "Only an owner may delete the company.")
WRONG_CONFIRMATION = ProblemError(
    422, "validation_error", "Tên công ty nhập để xác nhận không khớp.", "The company name typed does not match.",
    errors=[("company_name", "mismatch", "Nhập đúng tên công ty để xác nhận", "Type the company name to confirm")])


def export_key(tenant_id: uuid.UUID) -> str:
    return f"{EXPORT_PREFIX}/{tenant_id}/export.jsonl"


class DeletionReport(msgspec.Struct, kw_only=True):
    deleted: bool
    rows: dict[str, int] = msgspec.field(default_factory=dict)
    objects: int = 0
    export_key: str | None = None


async def request_deletion(reason: str, actor: audit.Actor | None = None) -> TenantDeletionAccepted:
    """Mark the current tenant `deleting` and enqueue the job; inside the tenant's transaction."""
    tenant_id = current_tenant_id()
    marked = await Tenant.update({Tenant.status: "deleting"}).where(Tenant.id == tenant_id).returning(Tenant.id)
    if not marked:
        raise NotFoundError("công ty", "Company")
    await audit.record("tenant.delete_requested", "tenant", tenant_id, after={"reason": reason}, actor=actor)
    job = await asyncio.to_thread(enqueue_for_tenant, tenant_id, delete_tenant)
    return TenantDeletionAccepted(tenant_id=tenant_id, status="deleting", job_id=job.id)


async def request_deletion_by_owner(principal: Principal, access: Access,
                                    company_name: str) -> TenantDeletionAccepted:
    # The role held now (the membership), not the one the token was issued with: a demoted owner's token lives on.
    if access.role != OWNER:
        raise NOT_THE_OWNER
    tenant = await Tenant.select(Tenant.name).where(Tenant.id == principal.tenant_id).first()
    if tenant is None or tenant["name"].strip().casefold() != company_name.strip().casefold():
        raise WRONG_CONFIRMATION
    return await request_deletion("requested by the owner")


async def delete_tenant() -> DeletionReport:
    """The rq job (enqueued with its tenant, so it runs inside the tenant's transaction)."""
    tenant_id = current_tenant_id()
    locked = await Tenant.raw("SELECT status FROM tenant WHERE id = {} FOR UPDATE", tenant_id)
    if not locked or locked[0]["status"] != "deleting":
        return DeletionReport(deleted=False)
    storage = TenantStorage(get_settings())
    export = await _export_rows(tenant_id)
    await asyncio.to_thread(_export_objects, storage, tenant_id, export)
    objects = await asyncio.to_thread(storage.delete_all, tenant_id)
    rows = {}
    for table in _tenant_tables():
        name = table._meta.tablename
        if getattr(table, "append_only", False):  # the app role may not DELETE it (see tenants.audit)
            erased = await table.raw("SELECT erase_deleting_tenant_audit() AS n")
            rows[name] = int(erased[0]["n"])
        else:
            rows[name] = len(await table.delete().where(table.tenant_id == tenant_id).returning(table.id))
    # Platform tables that name the tenant (not exported: sessions are hashes of secrets, and die with it).
    for platform_table in (Membership, RefreshToken, Subscription, StripeEvent):
        rows[platform_table._meta.tablename] = len(await platform_table.delete().where(
            platform_table.tenant_id == tenant_id).returning(platform_table.id))
    rows["tenant"] = len(await Tenant.delete().where(Tenant.id == tenant_id).returning(Tenant.id))
    return DeletionReport(deleted=True, rows=rows, objects=objects, export_key=export_key(tenant_id))


async def _export_rows(tenant_id: uuid.UUID) -> bytearray:
    """Every row of the tenant, one JSON object a line: {"table": ..., "row": {...}}."""
    export = bytearray()

    def add(table: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            export.extend(msgspec.json.encode({"table": table, "row": row}) + b"\n")

    add("tenant", await Tenant.select().where(Tenant.id == tenant_id))
    add("membership", await Membership.select().where(Membership.tenant_id == tenant_id))
    add("subscription", await Subscription.select().where(Subscription.tenant_id == tenant_id))
    for table in _tenant_tables():
        add(table._meta.tablename, await table.select().where(table.tenant_id == tenant_id).order_by(table.id))
    return export


def _tenant_tables() -> list[type[TenantTable]]:
    return cast("list[type[TenantTable]]", tenant_tables())


def _export_objects(storage: TenantStorage, tenant_id: uuid.UUID, export: bytearray) -> None:
    """Write the rows and copy the objects outside the tenant's own prefix (blocking: run in a thread)."""
    prefix = f"{EXPORT_PREFIX}/{tenant_id}"
    for path in storage.list(tenant_id):
        storage.client.copy_object(Bucket=storage.bucket, Key=f"{prefix}/objects/{path}",
                                   CopySource={"Bucket": storage.bucket, "Key": storage.key(tenant_id, path)})
    storage.client.put_object(Bucket=storage.bucket, Key=export_key(tenant_id), Body=bytes(export),
                              ContentType="application/x-ndjson")
