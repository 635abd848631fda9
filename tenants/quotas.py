"""Plan quotas, checked at the point of use by every service through one call (DESIGN §2: plans and quotas as
data in the tenancy core).

Each tenant has one counter row per quota: what it uses and the limit its plan allows (NULL: unlimited).
Identity writes the limits when the tenant's plan changes; a service that creates something counted calls
`consume()` in the same transaction as its insert, and `release()` with its delete. `consume` is one
conditional `UPDATE … SET used = used + n WHERE used + n <= limit`: concurrent creates queue on the row lock,
so the count stays exact and the limit is never passed, and a rolled-back request takes its count back with it.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from piccolo.columns import BigInt, Varchar

from infra.problems import ProblemError
from tenants.context import current_tenant_id
from tenants.tables import TenantTable

Quota = Literal["seats", "customers", "storage_bytes", "webhook_endpoints", "custom_attributes"]
QUOTAS: tuple[Quota, ...] = get_args(Quota)
UPGRADE_PATH = "/api/identity/v1/billing/checkout"

_NAMES: dict[str, tuple[str, str]] = {
    "seats": ("thành viên", "seats"),
    "customers": ("khách hàng", "customers"),
    "storage_bytes": ("byte lưu trữ", "storage bytes"),
    "webhook_endpoints": ("địa chỉ webhook", "webhook endpoints"),
    "custom_attributes": ("thuộc tính tùy chỉnh", "custom attributes"),
}


class TenantQuota(TenantTable, tablename="tenant_quota"):
    quota = Varchar(length=32, null=False)  # one of QUOTAS; unique per tenant
    used = BigInt(default=0, null=False)
    quota_limit = BigInt(null=True, default=None)  # NULL: unlimited on this plan


class QuotaExceeded(ProblemError):
    """402 naming the quota, the usage, the limit and where to upgrade."""

    def __init__(self, quota: str, used: int, limit: int, wanted: int) -> None:
        vi, en = _NAMES[quota]
        super().__init__(
            402, "quota_exceeded",
            f"Gói hiện tại cho phép tối đa {limit} {vi}; đã dùng {used}, cần thêm {wanted}. "
            f"Nâng cấp gói tại {UPGRADE_PATH}.",
            f"Your plan allows {limit} {en}; {used} used, {wanted} more requested. Upgrade at {UPGRADE_PATH}.",
            errors=[(quota, "quota_exceeded", f"Vượt hạn mức {vi} của gói", f"Over the plan's {en} quota")],
            extensions={"quota": quota, "usage": used, "limit": limit, "upgrade_url": UPGRADE_PATH})


async def _counter(quota: Quota) -> dict[str, Any] | None:
    rows = await TenantQuota.raw(
        "SELECT used, quota_limit FROM tenant_quota WHERE tenant_id = {} AND quota = {}", current_tenant_id(), quota)
    return rows[0] if rows else None


async def check(quota: Quota, amount: int = 1) -> None:
    """Refuse (402) when `amount` more would pass the limit, without counting it (e.g. an invitation)."""
    counter = await _counter(quota)
    if counter and counter["quota_limit"] is not None and counter["used"] + amount > counter["quota_limit"]:
        raise QuotaExceeded(quota, counter["used"], counter["quota_limit"], amount)


async def consume(quota: Quota, amount: int = 1) -> None:
    """Count `amount` more, in the caller's transaction, or refuse with 402 when it would pass the limit.
    A tenant without counters (created before plans) is not limited until identity gives it its plan."""
    taken = await TenantQuota.raw(
        "UPDATE tenant_quota SET used = used + {}, updated_at = now() WHERE tenant_id = {} AND quota = {} "
        "AND (quota_limit IS NULL OR used + {} <= quota_limit) RETURNING used",
        amount, current_tenant_id(), quota, amount)
    if taken:
        return
    counter = await _counter(quota)
    if counter is not None:
        raise QuotaExceeded(quota, counter["used"], counter["quota_limit"], amount)


async def release(quota: Quota, amount: int = 1) -> None:
    """Count `amount` less (a delete), in the caller's transaction."""
    await TenantQuota.raw(
        "UPDATE tenant_quota SET used = GREATEST(used - {}, 0), updated_at = now() "
        "WHERE tenant_id = {} AND quota = {}", amount, current_tenant_id(), quota)
