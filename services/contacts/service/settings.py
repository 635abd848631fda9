"""A tenant's settings of contacts: one row, written on the first change; until then the table's defaults."""

from __future__ import annotations

import msgspec

from services.contacts.schemas import ContactsSettingsOut, ContactsSettingsUpdate
from services.contacts.tables import ContactsSettings
from tenants import audit
from tenants.context import current_tenant_id

_COLUMNS = [getattr(ContactsSettings, name) for name in ContactsSettingsOut.__struct_fields__]
_UPSERT = """
INSERT INTO contacts_settings (tenant_id, dont_forget_after_days, dont_forget_excluded) VALUES ({}, {}, {})
ON CONFLICT (tenant_id) DO UPDATE
SET dont_forget_after_days = EXCLUDED.dont_forget_after_days, dont_forget_excluded = EXCLUDED.dont_forget_excluded,
    updated_at = now()
"""


async def get_contacts_settings() -> ContactsSettingsOut:
    row = await ContactsSettings.select(*_COLUMNS).where(ContactsSettings.tenant_id == current_tenant_id()).first()
    if row is None:
        return ContactsSettingsOut(dont_forget_after_days=ContactsSettings.dont_forget_after_days.default,
                                   dont_forget_excluded=list(ContactsSettings.dont_forget_excluded.default))
    return msgspec.convert(row, ContactsSettingsOut, strict=False)


async def update_contacts_settings(data: ContactsSettingsUpdate) -> ContactsSettingsOut:
    before = await get_contacts_settings()
    given = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    after = msgspec.structs.replace(before, **given)
    # Status ids are compared as text by the ageing query, which prints them in lower case.
    after.dont_forget_excluded = sorted({value.strip().lower() for value in after.dont_forget_excluded})
    if after == before:
        return before
    await ContactsSettings.raw(_UPSERT, current_tenant_id(), after.dont_forget_after_days, after.dont_forget_excluded)
    await audit.record("contacts_settings.update", "contacts_settings", before=before, after=after)
    return after
