"""Customers' HTTP handlers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from infra.problems import NotFoundError
from services.contacts.schemas import (
    BulkOut,
    BulkRequest,
    CustomerCreate,
    CustomerFilter,
    CustomerOut,
    CustomerUpdate,
    LifecycleStage,
)
from services.contacts.service import bulk, customers, merge
from tenants.access import CallerAccess, requires
from tenants.pagination import Limit, Page


class MergedInto(msgspec.Struct, kw_only=True):
    merged_into: uuid.UUID


READ = [requires("customers:read")]
WRITE = [requires("customers:write")]


class CustomerController(Controller):
    path = "/customers"
    tags = ["customers"]

    @get(guards=READ, summary="List the customers the caller sees (keyset pages; `q` ignores diacritics; "
                              "`group_id` includes the groups below it; `tag` is a tag name)",
         description="Custom attributes filter as `attr.<key>=value` (a multiselect: has that option), numbers, "
                     "money (minor units) and dates also by `attr.<key>.min=` and `attr.<key>.max=` (inclusive). "
                     "`sort=attr.<key>` sorts by an attribute (`-attr.<key>` descending; numbers and money "
                     "numerically, dates as dates, customers without a value last), still in keyset pages.")
    async def list_customers(self, request: Request[Any, Any, Any], access: CallerAccess, limit: Limit = 50,
                             cursor: Annotated[str | None, QueryParameter(max_length=3000)] = None,
                             q: Annotated[str | None, QueryParameter(max_length=200)] = None,
                             lifecycle_stage: FromQuery[LifecycleStage | None] = None,
                             group_id: FromQuery[uuid.UUID | None] = None,
                             tag: Annotated[str | None, QueryParameter(max_length=100)] = None,
                             source_id: FromQuery[uuid.UUID | None] = None,
                             relationship_status_id: FromQuery[uuid.UUID | None] = None,
                             owner_id: FromQuery[uuid.UUID | None] = None,
                             sort: Annotated[str | None, QueryParameter(max_length=80)] = None) -> Page[CustomerOut]:
        where = CustomerFilter(q=q, lifecycle_stage=lifecycle_stage, group_id=group_id, tag=tag,
                               source_id=source_id, relationship_status_id=relationship_status_id, owner_id=owner_id,
                               attributes=tuple(request.query_params.multi_items()), sort=sort)
        return await customers.list_customers(access, limit, cursor, where)

    @post(guards=WRITE, summary="Create a customer; its code (KH000123) is generated, its owner is the caller")
    async def create_customer(self, access: CallerAccess, data: JSONBody[CustomerCreate]) -> CustomerOut:
        return await customers.create_customer(data, creator_id=access.user_id, access=access)

    @post("/bulk", guards=WRITE, status_code=200,
          summary="One action on selected customers (`ids`) or on all the list's filters find (`filter`)",
          description="assign_owner, add_group / remove_group, add_tag / remove_tag, set_status; only customers "
                      "the caller sees; one transaction; returns how many were matched and changed.")
    async def bulk_action(self, access: CallerAccess, data: JSONBody[BulkRequest]) -> BulkOut:
        return await bulk.run_bulk(access, data)

    @get("/{customer_id:uuid}", guards=READ, summary="One customer",
         description="A customer merged into another answers 308 with `Location` (the kept customer) and "
                     "`{\"merged_into\": id}`, until the merge is undone.",
         responses={308: ResponseSpec(MergedInto, description="Merged into another customer")})
    async def get_customer(self, access: CallerAccess, customer_id: FromPath[uuid.UUID]) -> Response[Any]:
        try:
            return Response(await customers.get_customer(access, customer_id))
        except NotFoundError:
            winner_id = await merge.merged_into(customer_id)
            if winner_id is None:
                raise
            return Response(MergedInto(merged_into=winner_id), status_code=308,
                            headers={"Location": f"/api/contacts/v1/customers/{winner_id}"})

    @patch("/{customer_id:uuid}", guards=WRITE, summary="Change some fields of a customer, or its owner")
    async def update_customer(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                              data: JSONBody[CustomerUpdate]) -> CustomerOut:
        return await customers.update_customer(access, customer_id, data)

    @delete("/{customer_id:uuid}", guards=WRITE, summary="Delete a customer")
    async def delete_customer(self, access: CallerAccess, customer_id: FromPath[uuid.UUID]) -> None:
        await customers.delete_customer(access, customer_id)
