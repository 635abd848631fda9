"""Partner attributes: the custom attribute engine of contacts, for the entity "partner"."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from services.contacts.schemas import AttributeCreate, AttributeDeleted, AttributeOut, AttributeUpdate
from services.contacts.service import attributes as engine
from services.partners.service.partners import PARTNER_ENTITY
from tenants.access import requires

READ = [requires("partners:read")]
MANAGE = [requires("attributes:manage")]


class PartnerAttributeController(Controller):
    path = "/attributes"
    tags = ["partner attributes"]

    @get(guards=READ, summary="The tenant's custom partner attributes, in display order")
    async def list_attributes(self) -> list[AttributeOut]:
        return await engine.list_attributes(PARTNER_ENTITY)

    @post(guards=MANAGE, summary="Define a partner attribute (text, number, date, boolean, select, multiselect)")
    async def create_attribute(self, data: JSONBody[AttributeCreate]) -> AttributeOut:
        return await engine.create_attribute(data, PARTNER_ENTITY)

    @get("/{attribute_id:uuid}", guards=READ, summary="One partner attribute")
    async def get_attribute(self, attribute_id: FromPath[uuid.UUID]) -> AttributeOut:
        return await engine.get_attribute(attribute_id, PARTNER_ENTITY)

    @patch("/{attribute_id:uuid}", guards=MANAGE, summary="Relabel, reorder, change options or the required flag")
    async def update_attribute(self, attribute_id: FromPath[uuid.UUID],
                               data: JSONBody[AttributeUpdate]) -> AttributeOut:
        return await engine.update_attribute(attribute_id, data, PARTNER_ENTITY)

    @delete("/{attribute_id:uuid}", guards=MANAGE, status_code=200,
            summary="Remove a partner attribute and its values; says how many partners had one")
    async def delete_attribute(self, attribute_id: FromPath[uuid.UUID]) -> AttributeDeleted:
        return await engine.delete_attribute(attribute_id, PARTNER_ENTITY)
