"""The tenant's settings of contacts over HTTP."""

from __future__ import annotations

from litestar import Controller, get, patch
from litestar.params import JSONBody

from services.contacts.controllers.customers import READ, WRITE
from services.contacts.schemas import ContactsSettingsOut, ContactsSettingsUpdate
from services.contacts.service import settings


class ContactsSettingsController(Controller):
    path = "/settings"
    tags = ["settings"]

    @get(guards=READ, summary="The tenant's contacts settings, such as when customers become \"Don't forget\"")
    async def get_settings(self) -> ContactsSettingsOut:
        return await settings.get_contacts_settings()

    @patch(guards=WRITE, summary="Change the contacts settings (only the fields given)")
    async def update_settings(self, data: JSONBody[ContactsSettingsUpdate]) -> ContactsSettingsOut:
        return await settings.update_contacts_settings(data)
