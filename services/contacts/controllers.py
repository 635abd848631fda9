"""Contacts' HTTP handlers."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from services.contacts import service
from services.contacts.schemas import CustomerCreate, CustomerOut, CustomerUpdate, LifecycleStage
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page


class CustomerController(Controller):
    path = "/customers"
    tags = ["customers"]

    @get(summary="List customers (keyset pages; `q` ignores Vietnamese diacritics)")
    async def list_customers(self, tenant: TenantScope, limit: Limit = 50, cursor: Cursor = None,
                             q: Annotated[str | None, QueryParameter(max_length=200)] = None,
                             lifecycle_stage: FromQuery[LifecycleStage | None] = None) -> Page[CustomerOut]:
        return await service.list_customers(limit, cursor, q, lifecycle_stage)

    @post(summary="Create a customer; its code (KH000123) is generated")
    async def create_customer(self, tenant: TenantScope, data: JSONBody[CustomerCreate]) -> CustomerOut:
        return await service.create_customer(data)

    @get("/{customer_id:uuid}", summary="One customer")
    async def get_customer(self, tenant: TenantScope, customer_id: FromPath[uuid.UUID]) -> CustomerOut:
        return await service.get_customer(customer_id)

    @patch("/{customer_id:uuid}", summary="Change some fields of a customer")
    async def update_customer(self, tenant: TenantScope, customer_id: FromPath[uuid.UUID],
                              data: JSONBody[CustomerUpdate]) -> CustomerOut:
        return await service.update_customer(customer_id, data)

    @delete("/{customer_id:uuid}", summary="Delete a customer")
    async def delete_customer(self, tenant: TenantScope, customer_id: FromPath[uuid.UUID]) -> None:
        await service.delete_customer(customer_id)
