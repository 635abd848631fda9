"""Customer parent -> subsidiaries, and roll-ups of revenue and debt over a parent's tree."""

from __future__ import annotations

import datetime
import uuid

from infra.problems import invalid
from services.partners.schemas import RollUp, TreeNode
from services.partners.service.refs import customer_names, require_customer
from services.partners.tables import AccountParent, LedgerEntry
from tenants import audit
from tenants.context import current_tenant_id
from tenants.ids import new_id

_DESCENDANTS = ("WITH RECURSIVE down AS (SELECT {}::uuid AS id, NULL::uuid AS parent_id, 0 AS depth, "
                "ARRAY[{}::uuid] AS path UNION ALL SELECT a.customer_id, a.parent_customer_id, down.depth + 1, "
                "down.path || a.customer_id FROM account_parent a JOIN down ON a.parent_customer_id = down.id "
                "WHERE a.tenant_id = {} AND NOT a.customer_id = ANY(down.path)) ")


async def set_parent(customer_id: uuid.UUID, parent_customer_id: uuid.UUID | None) -> list[TreeNode]:
    """Place a customer under a parent (or at the top with None); a move under its own subsidiary is refused."""
    await require_customer(customer_id, None)
    before = await AccountParent.select(AccountParent.parent_customer_id).where(
        (AccountParent.tenant_id == current_tenant_id()) & (AccountParent.customer_id == customer_id)).first()
    if parent_customer_id is None:
        await AccountParent.delete().where(
            (AccountParent.tenant_id == current_tenant_id()) & (AccountParent.customer_id == customer_id))
    else:
        await require_customer(parent_customer_id, "parent_customer_id")
        if parent_customer_id in {node.id for node in await account_tree(customer_id)}:
            raise invalid([("parent_customer_id", "cycle",
                            "Không thể đặt công ty mẹ là chính nó hoặc một công ty con của nó",
                            "A customer cannot sit under itself or one of its own subsidiaries")])
        await AccountParent.raw(
            "INSERT INTO account_parent (id, tenant_id, customer_id, parent_customer_id, created_at, updated_at) "
            "VALUES ({}, {}, {}, {}, now(), now()) ON CONFLICT (tenant_id, customer_id) DO UPDATE "
            "SET parent_customer_id = excluded.parent_customer_id, updated_at = now()",
            new_id(), current_tenant_id(), customer_id, parent_customer_id)
    await audit.record("account.set_parent", "customer", customer_id,
                       before={"parent_customer_id": before["parent_customer_id"] if before else None},
                       after={"parent_customer_id": parent_customer_id})
    return await account_tree(parent_customer_id or customer_id)


async def account_tree(customer_id: uuid.UUID) -> list[TreeNode]:
    """The customer and all its subsidiaries, depth first."""
    await require_customer(customer_id, None)
    rows = await AccountParent.raw(_DESCENDANTS + "SELECT id, parent_id, depth FROM down ORDER BY path",  # noqa: S608
                                   customer_id, customer_id, current_tenant_id())
    names = await customer_names(row["id"] for row in rows)
    return [TreeNode(id=row["id"], parent_id=row["parent_id"], depth=row["depth"], name=names.get(row["id"], ""))
            for row in rows]


async def roll_up(customer_id: uuid.UUID, include_children: bool, date_from: datetime.date | None,
                  date_to: datetime.date | None, currency: str = "VND") -> RollUp:
    """Revenue (invoices less credit notes, dated in the period) and debt (everything still owed) of the
    customer, and of its subsidiaries too when asked."""
    ids = [node.id for node in await account_tree(customer_id)] if include_children else [customer_id]
    if not include_children:
        await require_customer(customer_id, None)
    rows = await LedgerEntry.raw(
        "SELECT coalesce(sum(CASE kind WHEN 'invoice' THEN amount WHEN 'credit_note' THEN -amount END) "
        "FILTER (WHERE document_date >= coalesce({}::date, '-infinity') AND document_date <= "
        "coalesce({}::date, 'infinity')), 0)::bigint AS revenue, "
        "coalesce(sum(CASE kind WHEN 'invoice' THEN amount ELSE -amount END), 0)::bigint AS debt "
        "FROM ledger_entry WHERE tenant_id = {} AND customer_id = ANY({}::uuid[]) AND currency = {} "
        "AND kind IN ('invoice', 'payment', 'credit_note')",
        date_from, date_to, current_tenant_id(), ids, currency)
    return RollUp(customer_id=customer_id, include_children=include_children, customer_ids=ids,
                  currency=currency, revenue=rows[0]["revenue"], debt=rows[0]["debt"])
