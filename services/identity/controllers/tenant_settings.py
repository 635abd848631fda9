"""The company's settings: every member reads them; `org:manage` changes them."""

from __future__ import annotations

from litestar import Controller, get, patch
from litestar.params import JSONBody

from services.identity.schemas import TenantSettingsOut, TenantSettingsUpdate
from services.identity.service import tenant_settings as service
from tenants.access import requires


class TenantSettingsController(Controller):
    path = "/tenant/settings"
    tags = ["tenant"]

    @get(guards=[requires("org:read")], summary="The company's name, language, time zone and daily job hour")
    async def get_settings(self) -> TenantSettingsOut:
        return await service.get_tenant_settings()

    @patch(guards=[requires("org:manage")], summary="Change the company's name, language, time zone or job hour")
    async def update_settings(self, data: JSONBody[TenantSettingsUpdate]) -> TenantSettingsOut:
        return await service.update_tenant_settings(data)
