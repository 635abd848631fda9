"""Products, bundles and price policies over HTTP."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from services.pipeline.schemas import (
    ComponentIn,
    PricePolicyCreate,
    PricePolicyOut,
    PricePolicyUpdate,
    ProductCreate,
    ProductFields,
    ProductOut,
    ProductUpdate,
)
from services.pipeline.service import products
from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page

READ = [requires("products:read")]
WRITE = [requires("products:write")]


class ProductController(Controller):
    path = "/products"
    tags = ["products"]

    @get(guards=READ, summary="The catalogue (keyset pages)")
    async def list_products(self, tenant: TenantScope, limit: Limit = 50, cursor: Cursor = None,
                            category: Annotated[str | None, QueryParameter(max_length=100)] = None,
                            active: FromQuery[bool | None] = None) -> Page[ProductOut]:
        return await products.list_products(limit, cursor, category, active)

    @post(guards=WRITE, summary="Add a product; its code is unique in the company")
    async def create_product(self, tenant: TenantScope, data: JSONBody[ProductCreate]) -> ProductOut:
        return await products.create_product(data)

    @put("/by-code/{code:str}", guards=WRITE, summary="Create or replace the product with this code (ERP sync)",
         description="201 when the product was created, 200 when an existing one was replaced.")
    async def upsert_product(self, tenant: TenantScope, code: FromPath[str],
                             data: JSONBody[ProductFields]) -> Response[ProductOut]:
        product, created = await products.upsert_by_code(code, data)
        return Response(product, status_code=201 if created else 200)

    @get("/{product_id:uuid}", guards=READ, summary="One product, with its parts when it is a bundle")
    async def get_product(self, tenant: TenantScope, product_id: FromPath[uuid.UUID]) -> ProductOut:
        return await products.get_product(product_id)

    @patch("/{product_id:uuid}", guards=WRITE, summary="Change some fields of a product")
    async def update_product(self, tenant: TenantScope, product_id: FromPath[uuid.UUID],
                             data: JSONBody[ProductUpdate]) -> ProductOut:
        return await products.update_product(product_id, data)

    @put("/{product_id:uuid}/components", guards=WRITE,
         summary="Make the product a bundle of these parts (replaces them; an empty list undoes the bundle)")
    async def set_components(self, tenant: TenantScope, product_id: FromPath[uuid.UUID],
                             data: JSONBody[list[ComponentIn]]) -> ProductOut:
        return await products.set_components(product_id, data)


class PricePolicyController(Controller):
    path = "/price-policies"
    tags = ["price policies"]

    @get(guards=READ, summary="Price policies; `on` keeps those in force on that date")
    async def list_policies(self, tenant: TenantScope, limit: Limit = 50, cursor: Cursor = None,
                            on: FromQuery[datetime.date | None] = None) -> Page[PricePolicyOut]:
        return await products.list_policies(limit, cursor, on)

    @post(guards=WRITE, summary="Add a discount or promotion (by customer group, product or category, quantity)")
    async def create_policy(self, tenant: TenantScope, data: JSONBody[PricePolicyCreate]) -> PricePolicyOut:
        return await products.create_policy(data)

    @get("/{policy_id:uuid}", guards=READ, summary="One price policy")
    async def get_policy(self, tenant: TenantScope, policy_id: FromPath[uuid.UUID]) -> PricePolicyOut:
        return await products.get_policy(policy_id)

    @patch("/{policy_id:uuid}", guards=WRITE, summary="Rename, end, reprioritise or switch off a price policy")
    async def update_policy(self, tenant: TenantScope, policy_id: FromPath[uuid.UUID],
                            data: JSONBody[PricePolicyUpdate]) -> PricePolicyOut:
        return await products.update_policy(policy_id, data)

    @delete("/{policy_id:uuid}", guards=WRITE, summary="Delete a price policy (quotations keep what it gave)")
    async def delete_policy(self, tenant: TenantScope, policy_id: FromPath[uuid.UUID]) -> None:
        await products.delete_policy(policy_id)
