"""The company's own settings: name, language, time zone and the hour its daily jobs run."""

from __future__ import annotations

import zoneinfo

import msgspec

from infra.problems import NotFoundError, ProblemError
from services.identity.schemas import TenantSettingsOut, TenantSettingsUpdate
from services.identity.tables import Tenant
from tenants import audit
from tenants.context import current_tenant_id
from tenants.locale import forget_time_zone

_OUT_COLUMNS = [getattr(Tenant, name) for name in TenantSettingsOut.__struct_fields__]
UNKNOWN_ZONE = ProblemError(422, "validation_error", "Múi giờ không hợp lệ.", "Unknown time zone.",
                            errors=[("time_zone", "invalid_choice", "Không phải múi giờ IANA, ví dụ Asia/Ho_Chi_Minh",
                                     "Not an IANA time zone, e.g. Asia/Ho_Chi_Minh")])


async def get_tenant_settings() -> TenantSettingsOut:
    row = await Tenant.select(*_OUT_COLUMNS).where(Tenant.id == current_tenant_id()).first()
    if row is None:
        raise NotFoundError("công ty", "Company")
    return msgspec.convert(row, TenantSettingsOut)


async def update_tenant_settings(data: TenantSettingsUpdate) -> TenantSettingsOut:
    changes = {getattr(Tenant, name): value for name, value in msgspec.structs.asdict(data).items()
               if value is not msgspec.UNSET}
    if isinstance(data.time_zone, str) and data.time_zone not in zoneinfo.available_timezones():
        raise UNKNOWN_ZONE
    if isinstance(data.name, str):
        changes[Tenant.name] = data.name.strip()
    before = await get_tenant_settings()
    if changes:
        await Tenant.update(changes).where(Tenant.id == current_tenant_id())
        forget_time_zone(current_tenant_id())
    after = await get_tenant_settings()
    await audit.record("tenant.settings_update", "tenant", current_tenant_id(), before=before, after=after)
    return after
