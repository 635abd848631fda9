"""HTTP handlers for custom attribute definitions, contact persons and the lifecycle history."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from services.contacts.schemas import (
    AttributeCreate,
    AttributeDeleted,
    AttributeImpact,
    AttributeOut,
    AttributeUpdate,
    LifecycleChangeOut,
    PersonCreate,
    PersonOut,
    PersonUpdate,
)
from services.contacts.service import attributes as service
from tenants.access import CallerAccess, requires

READ = [requires("customers:read")]
WRITE = [requires("customers:write")]
MANAGE = [requires("attributes:manage")]


class AttributeController(Controller):
    path = "/attributes"
    tags = ["custom attributes"]

    @get(guards=READ, summary="The tenant's custom customer attributes, in display order")
    async def list_attributes(self) -> list[AttributeOut]:
        return await service.list_attributes()

    @post(guards=MANAGE, summary="Define a custom attribute (text, long text, number, money, date, boolean, select, "
                                 "multiselect, user, URL, email, phone)")
    async def create_attribute(self, data: JSONBody[AttributeCreate]) -> AttributeOut:
        return await service.create_attribute(data)

    @get("/{attribute_id:uuid}", guards=READ, summary="One custom attribute")
    async def get_attribute(self, attribute_id: FromPath[uuid.UUID]) -> AttributeOut:
        return await service.get_attribute(attribute_id)

    @get("/{attribute_id:uuid}/impact", guards=MANAGE,
         summary="What deleting the attribute, or some of its options (`option=`), would touch; changes nothing")
    async def attribute_impact(
            self, attribute_id: FromPath[uuid.UUID],
            option: Annotated[list[str] | None, QueryParameter(max_items=200)] = None) -> AttributeImpact:
        return await service.attribute_impact(attribute_id, option)

    @patch("/{attribute_id:uuid}", guards=MANAGE,
           summary="Relabel, reorder, change options, limits, default, help or the required flag; dropping an "
                   "option that customers hold needs `?confirm=true` (409 with the counts otherwise)")
    async def update_attribute(self, attribute_id: FromPath[uuid.UUID], data: JSONBody[AttributeUpdate],
                               confirm: FromQuery[bool] = False) -> AttributeOut:
        return await service.update_attribute(attribute_id, data, confirm=confirm)

    @delete("/{attribute_id:uuid}", guards=MANAGE, status_code=200,
            summary="Remove a custom attribute and its values; while customers hold one, needs `?confirm=true` "
                    "(409 with the count otherwise)")
    async def delete_attribute(self, attribute_id: FromPath[uuid.UUID],
                               confirm: FromQuery[bool] = False) -> AttributeDeleted:
        return await service.delete_attribute(attribute_id, confirm=confirm)


class PersonController(Controller):
    path = "/customers/{customer_id:uuid}/persons"
    tags = ["customers"]

    @get(guards=READ, summary="The contact persons of a company customer, the primary one first")
    async def list_persons(self, access: CallerAccess, customer_id: FromPath[uuid.UUID]) -> list[PersonOut]:
        return await service.list_persons(access, customer_id)

    @post(guards=WRITE, summary="Add a contact person to a company customer")
    async def create_person(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                            data: JSONBody[PersonCreate]) -> PersonOut:
        return await service.create_person(access, customer_id, data)

    @patch("/{person_id:uuid}", guards=WRITE, summary="Change a contact person")
    async def update_person(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                            person_id: FromPath[uuid.UUID], data: JSONBody[PersonUpdate]) -> PersonOut:
        return await service.update_person(access, customer_id, person_id, data)

    @delete("/{person_id:uuid}", guards=WRITE, summary="Remove a contact person")
    async def delete_person(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                            person_id: FromPath[uuid.UUID]) -> None:
        await service.delete_person(access, customer_id, person_id)


@get("/customers/{customer_id:uuid}/lifecycle-history", guards=READ, tags=["customers"],
     summary="Every lifecycle stage of a customer, with who moved it and when, oldest first")
async def lifecycle_history(access: CallerAccess, customer_id: FromPath[uuid.UUID]) -> list[LifecycleChangeOut]:
    return await service.lifecycle_history(access, customer_id)
