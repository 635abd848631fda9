"""The printed reports (báo cáo in): their columns and their rows, each one set-based query under the
requester's data visibility. `exports` writes them to files in jobs.

- potential customers: raw contacts and leads (danh sách khách hàng tiềm năng);
- customer activity: interactions and transactions per customer over a period (giao dịch với khách hàng);
- sales by product: quotations and the ERP's sales orders, by product and month (tổng hợp bán hàng theo mặt
  hàng và thời gian);
- debt: what each customer owes, aged (công nợ theo tuổi nợ), the same figures as the debt indicator.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from services.contacts.tables import Customer
from services.reporting.schemas import ReportCreate
from services.reporting.service import debt
from services.reporting.service.customers import Filters, owned_filters, periods
from services.reporting.service.render import Column
from tenants.access import Access, visible_sql
from tenants.context import current_tenant_id
from tenants.locale import tenant_time_zone, tenant_today

Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class Report:
    title_vi: str
    title_en: str
    columns: tuple[Column, ...]
    rows: Callable[[Access, ReportCreate], Awaitable[Rows]]
    dated: bool = True  # over a period; the debt report is on a date


def _where(access: Access, params: ReportCreate, alias: str) -> tuple[str, list[object]]:
    visible, args = visible_sql(access, alias)
    owned, owned_args = owned_filters(Filters(team_id=params.team_id, branch_id=params.branch_id,
                                              owner_id=params.owner_id), alias)
    return " AND ".join([visible, *owned]), [*args, *owned_args]


async def period_of(params: ReportCreate) -> tuple[datetime.date, datetime.date]:
    period, _ = periods(Filters(date_from=params.date_from, date_to=params.date_to), await tenant_today())
    return period.date_from, period.date_to


async def _potential_customers(access: Access, params: ReportCreate) -> Rows:
    where, args = _where(access, params, "c")
    zone = (await tenant_time_zone()).key
    dated = ""
    if params.date_from or params.date_to:
        start, end = await period_of(params)
        dated, args = " AND (c.created_at AT TIME ZONE {})::date BETWEEN {} AND {}", [*args, zone, start, end]
    rows = await Customer.raw(
        "SELECT c.code, c.name, c.phone, c.email, c.lifecycle_stage, s.name AS source, r.name AS status, "  # noqa: S608
        "coalesce(nullif(u.full_name, ''), u.email) AS owner, (c.created_at AT TIME ZONE {})::date AS created "
        "FROM customer c LEFT JOIN customer_source s ON s.tenant_id = c.tenant_id AND s.id = c.source_id "
        "LEFT JOIN relationship_status r ON r.tenant_id = c.tenant_id AND r.id = c.relationship_status_id "
        "LEFT JOIN app_user u ON u.id = c.owner_id "
        f"WHERE c.tenant_id = {{}} AND c.lifecycle_stage IN ('raw', 'lead') AND {where}{dated} "
        "ORDER BY c.name, c.code", zone, current_tenant_id(), *args)
    return [tuple(row.values()) for row in rows]


async def _customer_activity(access: Access, params: ReportCreate) -> Rows:
    where, args = _where(access, params, "c")
    start, end = await period_of(params)
    zone = (await tenant_time_zone()).key
    tenant_id = current_tenant_id()
    rows = await Customer.raw(
        "WITH i AS (SELECT customer AS customer_id, count(*) FILTER (WHERE kind = 'call') AS calls, "  # noqa: S608
        "count(*) FILTER (WHERE kind = 'meeting') AS meetings, count(*) AS interactions, "
        "max(occurred_at) AS last_contact FROM interaction WHERE tenant_id = {} "
        "AND (occurred_at AT TIME ZONE {})::date BETWEEN {} AND {} GROUP BY 1), "
        "q AS (SELECT customer_id, count(*) AS quotations, sum(total) AS quoted FROM quotation "
        "WHERE tenant_id = {} AND currency = {} AND state <> 'draft' AND quoted_on BETWEEN {} AND {} GROUP BY 1), "
        "l AS (SELECT customer_id, sum(amount) FILTER (WHERE kind = 'sales_order') AS ordered, "
        "sum(amount) FILTER (WHERE kind = 'invoice') AS invoiced, "
        "sum(amount) FILTER (WHERE kind = 'payment') AS paid FROM ledger_entry "
        "WHERE tenant_id = {} AND currency = {} AND document_date BETWEEN {} AND {} GROUP BY 1) "
        "SELECT c.code, c.name, coalesce(i.calls, 0) AS calls, coalesce(i.meetings, 0) AS meetings, "
        "coalesce(i.interactions, 0) AS interactions, i.last_contact AT TIME ZONE {} AS last_contact, "
        "coalesce(q.quotations, 0) AS quotations, coalesce(q.quoted, 0) AS quoted, "
        "coalesce(l.ordered, 0) AS ordered, coalesce(l.invoiced, 0) AS invoiced, coalesce(l.paid, 0) AS paid "
        "FROM customer c LEFT JOIN i ON i.customer_id = c.id LEFT JOIN q ON q.customer_id = c.id "
        "LEFT JOIN l ON l.customer_id = c.id "
        "WHERE c.tenant_id = {} AND (i.customer_id IS NOT NULL OR q.customer_id IS NOT NULL "
        f"OR l.customer_id IS NOT NULL) AND {where} ORDER BY c.name, c.code",
        tenant_id, zone, start, end, tenant_id, params.currency, start, end, tenant_id, params.currency, start, end,
        zone, tenant_id, *args)
    return [tuple(row.values()) for row in rows]


async def _sales_by_product(access: Access, params: ReportCreate) -> Rows:
    quoted_where, quoted_args = _where(access, params, "q")
    ordered_where, ordered_args = _where(access, params, "c")
    start, end = await period_of(params)
    tenant_id = current_tenant_id()
    rows = await Customer.raw(
        "WITH q AS (SELECT date_trunc('month', q.quoted_on)::date AS month, "  # noqa: S608
        "coalesce(l->>'product_code', '') AS product_code, max(l->>'description') AS description, "
        "count(DISTINCT q.id) AS quotations, sum((l->>'quantity')::numeric) AS quoted_quantity, "
        "sum((l->>'net')::bigint) AS quoted_amount FROM quotation q, jsonb_array_elements(q.lines) l "
        "WHERE q.tenant_id = {} AND q.currency = {} AND q.state <> 'draft' AND q.quoted_on BETWEEN {} AND {} "
        f"AND {quoted_where} GROUP BY 1, 2), "
        "s AS (SELECT date_trunc('month', e.document_date)::date AS month, "
        "coalesce(l->>'product_code', '') AS product_code, count(DISTINCT e.id) AS orders, "
        "sum((l->>'quantity')::numeric) AS ordered_quantity, sum((l->>'amount')::bigint) AS ordered_amount "
        "FROM ledger_entry e JOIN customer c ON c.tenant_id = e.tenant_id AND c.id = e.customer_id, "
        "jsonb_array_elements(e.lines) l WHERE e.tenant_id = {} AND e.kind = 'sales_order' AND e.currency = {} "
        f"AND e.document_date BETWEEN {{}} AND {{}} AND {ordered_where} GROUP BY 1, 2) "
        "SELECT to_char(month, 'MM/YYYY') AS month, product_code, coalesce(p.name, q.description, '') AS product, "
        "coalesce(q.quotations, 0) AS quotations, coalesce(q.quoted_quantity, 0) AS quoted_quantity, "
        "coalesce(q.quoted_amount, 0) AS quoted_amount, coalesce(s.orders, 0) AS orders, "
        "coalesce(s.ordered_quantity, 0) AS ordered_quantity, coalesce(s.ordered_amount, 0) AS ordered_amount "
        "FROM q FULL JOIN s USING (month, product_code) "
        "LEFT JOIN product p ON p.tenant_id = {} AND p.code = product_code AND product_code <> '' "
        "ORDER BY month, product_code",
        tenant_id, params.currency, start, end, *quoted_args, tenant_id, params.currency, start, end, *ordered_args,
        tenant_id)
    return [tuple(row.values()) for row in rows]


async def _debt(access: Access, params: ReportCreate) -> Rows:
    owned = Filters(team_id=params.team_id, branch_id=params.branch_id, owner_id=params.owner_id)
    ageing = await debt.debt_ageing(access, params.as_of, params.currency, owned)
    return [(c.name, c.balance, c.buckets.current, c.buckets.days_0_30, c.buckets.days_31_60, c.buckets.days_61_90,
             c.buckets.days_over_90, c.credit_limit, "x" if c.over_limit else "", "x" if c.on_hold else "")
            for c in ageing.customers]


REPORTS: dict[str, Report] = {
    "potential_customers": Report("Danh sách khách hàng tiềm năng", "Potential customers", (
        Column("code", "Mã KH", "Code", width=1), Column("name", "Tên khách hàng", "Name", width=3),
        Column("phone", "Điện thoại", "Phone", width=1.3), Column("email", "Email", "Email", width=2),
        Column("stage", "Giai đoạn", "Stage", width=0.9), Column("source", "Nguồn", "Source", width=1.3),
        Column("status", "Tình trạng", "Status", width=1.2), Column("owner", "Nhân viên", "Salesperson", width=1.6),
        Column("created", "Ngày tạo", "Created", "date", 1)), _potential_customers),
    "customer_activity": Report("Giao dịch với khách hàng", "Interactions and transactions per customer", (
        Column("code", "Mã KH", "Code", width=1), Column("name", "Tên khách hàng", "Name", width=3),
        Column("calls", "Cuộc gọi", "Calls", "int", 0.8), Column("meetings", "Gặp mặt", "Meetings", "int", 0.8),
        Column("interactions", "Tương tác", "Interactions", "int", 0.9),
        Column("last_contact", "Liên hệ cuối", "Last contact", "date", 1.4),
        Column("quotations", "Báo giá", "Quotations", "int", 0.8), Column("quoted", "Giá trị báo giá", "Quoted",
                                                                          "money", 1.5),
        Column("ordered", "Đơn bán", "Sales orders", "money", 1.5), Column("invoiced", "Hoá đơn", "Invoiced",
                                                                           "money", 1.5),
        Column("paid", "Đã thu", "Paid", "money", 1.5)), _customer_activity),
    "sales_by_product": Report("Tổng hợp bán hàng theo mặt hàng và tháng", "Sales by product and month", (
        Column("month", "Tháng", "Month", width=0.8), Column("product_code", "Mã hàng", "Product code", width=1.1),
        Column("product", "Tên hàng", "Product", width=2.8), Column("quotations", "Số báo giá", "Quotations",
                                                                    "int", 0.9),
        Column("quoted_quantity", "SL báo giá", "Quoted qty", "number", 0.9),
        Column("quoted_amount", "Tiền báo giá", "Quoted amount", "money", 1.5),
        Column("orders", "Số đơn bán", "Sales orders", "int", 0.9),
        Column("ordered_quantity", "SL bán", "Ordered qty", "number", 0.9),
        Column("ordered_amount", "Tiền bán", "Ordered amount", "money", 1.5)), _sales_by_product),
    "debt": Report("Công nợ khách hàng theo tuổi nợ", "Customer debt by age", (
        Column("name", "Khách hàng", "Customer", width=3), Column("balance", "Dư nợ", "Balance", "money", 1.4),
        Column("current", "Chưa đến hạn", "Not yet due", "money", 1.3),
        Column("days_0_30", "1-30 ngày", "1-30 days", "money", 1.3),
        Column("days_31_60", "31-60 ngày", "31-60 days", "money", 1.3),
        Column("days_61_90", "61-90 ngày", "61-90 days", "money", 1.3),
        Column("days_over_90", "Trên 90 ngày", "Over 90 days", "money", 1.3),
        Column("credit_limit", "Hạn mức", "Credit limit", "money", 1.3),
        Column("over_limit", "Vượt hạn mức", "Over limit", width=0.8),
        Column("on_hold", "Đang khoá", "On hold", width=0.7)), _debt, dated=False),
}
