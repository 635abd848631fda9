"""The product catalogue: products by code (the ERP upserts them), bundles of products, and price policies."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError, invalid
from services.contacts.tables import CustomerGroup
from services.pipeline.schemas import (
    PRODUCT_CODE_PATTERN,
    ComponentIn,
    ComponentOut,
    PricePolicyCreate,
    PricePolicyOut,
    PricePolicyUpdate,
    ProductCreate,
    ProductFields,
    ProductOut,
    ProductUpdate,
)
from services.pipeline.service.pricing import check_percent, check_quantity
from services.pipeline.tables import BundleComponent, PricePolicy, Product
from tenants import audit
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of

PRODUCT_NOT_FOUND = NotFoundError("sản phẩm", "Product")
POLICY_NOT_FOUND = NotFoundError("chính sách giá", "Price policy")
_PRODUCT_COLUMNS = [getattr(Product, name) for name in ProductOut.__struct_fields__ if name != "components"]


def _code_taken(code: str) -> ProblemError:
    return ProblemError(409, "conflict", f"Mã sản phẩm {code} đã tồn tại.", f"Product code {code} already exists.",
                        errors=[("code", "duplicate", "Mã đã được dùng", "Code already in use")])


def _fields(data: ProductFields | ProductUpdate) -> dict[Any, Any]:
    """The columns a body sets (UNSET fields left out), checked."""
    values = {name: value for name, value in msgspec.structs.asdict(data).items()
              if value is not msgspec.UNSET and name != "code"}
    if "tax_rate" in values:
        check_percent(values["tax_rate"], "tax_rate")
    for name in ("name", "unit"):
        if name in values:
            values[name] = values[name].strip()
    return {getattr(Product, name): value for name, value in values.items()}


async def components_of(bundle_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ComponentOut]]:
    """The parts of each bundle among `bundle_ids` (a plain product is absent), in the order they were set."""
    if not bundle_ids:
        return {}
    rows = await BundleComponent.select(
        BundleComponent.bundle, BundleComponent.component.as_alias("product_id"),
        BundleComponent.component.code.as_alias("code"), BundleComponent.component.name.as_alias("name"),
        BundleComponent.quantity,
    ).where(BundleComponent.tenant_id == current_tenant_id(), BundleComponent.bundle.is_in(bundle_ids)).order_by(
        BundleComponent.id)
    by_bundle: dict[uuid.UUID, list[ComponentOut]] = {}
    for row in rows:
        by_bundle.setdefault(row.pop("bundle"), []).append(msgspec.convert(row, ComponentOut))
    return by_bundle


async def _out(rows: list[dict[str, Any]]) -> list[ProductOut]:
    parts = await components_of([row["id"] for row in rows])
    return [msgspec.convert({**row, "components": parts.get(row["id"], [])}, ProductOut) for row in rows]


async def get_product(product_id: uuid.UUID) -> ProductOut:
    row = await Product.select(*_PRODUCT_COLUMNS).where(
        (Product.tenant_id == current_tenant_id()) & (Product.id == product_id)).first()
    if row is None:
        raise PRODUCT_NOT_FOUND
    return (await _out([row]))[0]


async def products_by_id(product_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The tenant's products among `product_ids` (another tenant's are simply absent)."""
    if not product_ids:
        return {}
    rows = await Product.select(*_PRODUCT_COLUMNS).where(
        Product.tenant_id == current_tenant_id(), Product.id.is_in(product_ids))
    return {row["id"]: row for row in rows}


async def list_products(limit: int, cursor: str | None, category: str | None,
                        active: bool | None) -> Page[ProductOut]:
    query = Product.select(*_PRODUCT_COLUMNS).where(Product.tenant_id == current_tenant_id())
    if after := decode_cursor(cursor):
        query = query.where(Product.id > after)
    if category is not None:
        query = query.where(Product.category == category)
    if active is not None:
        query = query.where(Product.active == active)
    items = await _out(await query.order_by(Product.id).limit(limit + 1))
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def create_product(data: ProductCreate) -> ProductOut:
    tenant_id = current_tenant_id()
    if await Product.exists().where((Product.tenant_id == tenant_id) & (Product.code == data.code)):
        raise _code_taken(data.code)
    columns = _fields(data)
    product = Product(tenant_id=tenant_id, code=data.code, **{column._meta.name: v for column, v in columns.items()})
    await product.save()
    created = await get_product(product.id)
    await audit.record("product.create", "product", product.id, after=created)
    return created


async def upsert_by_code(code: str, data: ProductFields) -> tuple[ProductOut, bool]:
    """The ERP's sync: create the product with this code, or replace its fields; True when created."""
    if not re.match(PRODUCT_CODE_PATTERN, code):
        raise invalid([("code", "invalid_format", "Mã gồm chữ, số, '.', '_' hoặc '-', tối đa 64 ký tự",
                        "A code is letters, digits, '.', '_' or '-', at most 64 characters")])
    tenant_id = current_tenant_id()
    existing = await Product.select(Product.id).where(
        (Product.tenant_id == tenant_id) & (Product.code == code)).first()
    if existing is None:
        return await create_product(ProductCreate(code=code, **msgspec.structs.asdict(data))), True
    return await update_product(existing["id"], msgspec.convert(msgspec.structs.asdict(data), ProductUpdate)), False


async def update_product(product_id: uuid.UUID, data: ProductUpdate) -> ProductOut:
    before = await get_product(product_id)
    columns = _fields(data)
    if not columns:
        return before
    await Product.update(columns).where((Product.tenant_id == current_tenant_id()) & (Product.id == product_id))
    after = await get_product(product_id)
    await audit.record("product.update", "product", product_id, before=before, after=after)
    return after


# Would `bundle` contain itself if it took these parts? Walk down from the parts through the bundles below them.
_REACHES = """
WITH RECURSIVE below AS (
    SELECT unnest({}::uuid[]) AS id
    UNION
    SELECT c.component FROM bundle_component c JOIN below b ON c.bundle = b.id WHERE c.tenant_id = {}
) SELECT EXISTS (SELECT 1 FROM below WHERE id = {}) AS cycle
"""


async def set_components(bundle_id: uuid.UUID, parts: list[ComponentIn]) -> ProductOut:
    """Replace a bundle's parts (an empty list makes it a plain product again); a bundle cannot contain itself,
    however deep."""
    tenant_id = current_tenant_id()
    before = await get_product(bundle_id)
    part_ids = [part.product_id for part in parts]
    for index, part in enumerate(parts):
        check_quantity(part.quantity, f"components[{index}].quantity")
    if len(set(part_ids)) != len(part_ids):
        raise invalid([("components", "duplicate", "Mỗi sản phẩm chỉ xuất hiện một lần",
                        "Each product may appear once")])
    known = await products_by_id(part_ids)
    if missing := [index for index, part_id in enumerate(part_ids) if part_id not in known]:
        raise invalid([(f"components[{index}].product_id", "not_found", "Không có sản phẩm này",
                        "No such product") for index in missing])
    if part_ids:
        rows = await BundleComponent.raw(_REACHES, part_ids, tenant_id, bundle_id)
        if rows[0]["cycle"]:
            raise invalid([("components", "cycle", "Gói sản phẩm không thể chứa chính nó",
                            "A bundle cannot contain itself")])
    await BundleComponent.delete().where(
        (BundleComponent.tenant_id == tenant_id) & (BundleComponent.bundle == bundle_id))
    if parts:
        await BundleComponent.insert(*[
            BundleComponent(tenant_id=tenant_id, bundle=bundle_id, component=part.product_id, quantity=part.quantity)
            for part in parts])
    after = await get_product(bundle_id)
    await audit.record("product.components", "product", bundle_id, before=before, after=after)
    return after


def _policy_out(row: dict[str, Any]) -> PricePolicyOut:
    return msgspec.convert({**row, "product_id": row["product"]}, PricePolicyOut)


_POLICY_SELECT = [*(getattr(PricePolicy, name) for name in PricePolicyOut.__struct_fields__ if name != "product_id"),
                  PricePolicy.product]


async def get_policy(policy_id: uuid.UUID) -> PricePolicyOut:
    row = await PricePolicy.select(*_POLICY_SELECT).where(
        (PricePolicy.tenant_id == current_tenant_id()) & (PricePolicy.id == policy_id)).first()
    if row is None:
        raise POLICY_NOT_FOUND
    return _policy_out(row)


async def list_policies(limit: int, cursor: str | None, on: datetime.date | None) -> Page[PricePolicyOut]:
    query = PricePolicy.select(*_POLICY_SELECT).where(PricePolicy.tenant_id == current_tenant_id())
    if after := decode_cursor(cursor):
        query = query.where(PricePolicy.id > after)
    if on is not None:
        query = query.where((PricePolicy.valid_from <= on)
                            & (PricePolicy.valid_to.is_null() | (PricePolicy.valid_to >= on)))
    items = [_policy_out(row) for row in await query.order_by(PricePolicy.id).limit(limit + 1)]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def _check_policy(data: PricePolicyCreate) -> None:
    errors = []
    if (data.percent is None) == (data.amount is None):
        errors.append(("percent", "one_of", "Chọn đúng một: phần trăm hoặc số tiền",
                       "Give exactly one of percent and amount"))
    if data.amount is not None and data.currency is None:
        errors.append(("currency", "required", "Số tiền giảm cần đơn vị tiền tệ", "An amount needs its currency"))
    if data.valid_to is not None and data.valid_to < data.valid_from:
        errors.append(("valid_to", "before_start", "Ngày kết thúc trước ngày bắt đầu", "Ends before it starts"))
    if errors:
        raise invalid(errors)
    if data.percent is not None:
        check_percent(data.percent, "percent")
    check_quantity(data.min_quantity, "min_quantity", allow_zero=True)
    tenant_id = current_tenant_id()
    if data.product_id is not None and not await products_by_id([data.product_id]):
        raise invalid([("product_id", "not_found", "Không có sản phẩm này", "No such product")])
    if data.customer_group_id is not None and not await CustomerGroup.exists().where(
            (CustomerGroup.tenant_id == tenant_id) & (CustomerGroup.id == data.customer_group_id)):
        raise invalid([("customer_group_id", "not_found", "Không có nhóm khách hàng này", "No such customer group")])


async def create_policy(data: PricePolicyCreate) -> PricePolicyOut:
    await _check_policy(data)
    values = msgspec.structs.asdict(data)
    values["product"] = values.pop("product_id")
    policy = PricePolicy(tenant_id=current_tenant_id(), **values)
    await policy.save()
    created = await get_policy(policy.id)
    await audit.record("price_policy.create", "price_policy", policy.id, after=created)
    return created


async def update_policy(policy_id: uuid.UUID, data: PricePolicyUpdate) -> PricePolicyOut:
    before = await get_policy(policy_id)
    values = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    valid_to = values.get("valid_to")
    if valid_to is not None and valid_to < before.valid_from:
        raise invalid([("valid_to", "before_start", "Ngày kết thúc trước ngày bắt đầu", "Ends before it starts")])
    if not values:
        return before
    await PricePolicy.update({getattr(PricePolicy, name): value for name, value in values.items()}).where(
        (PricePolicy.tenant_id == current_tenant_id()) & (PricePolicy.id == policy_id))
    after = await get_policy(policy_id)
    await audit.record("price_policy.update", "price_policy", policy_id, before=before, after=after)
    return after


async def delete_policy(policy_id: uuid.UUID) -> None:
    before = await get_policy(policy_id)
    await PricePolicy.delete().where((PricePolicy.tenant_id == current_tenant_id()) & (PricePolicy.id == policy_id))
    await audit.record("price_policy.delete", "price_policy", policy_id, before=before)
