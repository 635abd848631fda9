"""Partner policies (chính sách đối tác): versioned, dated rules. The version in force on a date applies.

A new version starts on its `valid_from` and ends the one before it there; versions that started earlier are
never changed in their rules, so terms computed for a past date stay what they were. A version may not start
on or before the latest version's start (history is not rewritten, only continued).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, invalid
from services.partners.schemas import (
    PolicyCreate,
    PolicyOut,
    PolicyRules,
    PolicyVersionCreate,
    PolicyVersionOut,
    Terms,
)
from services.partners.tables import PartnerPolicy, PolicyVersion
from tenants import audit
from tenants.context import current_tenant_id

POLICY_NOT_FOUND = NotFoundError("chính sách", "Policy")
NO_VERSION_ON_DATE = NotFoundError("phiên bản chính sách có hiệu lực vào ngày này",
                                   "Policy version in force on that date")
_VERSION_COLUMNS = [getattr(PolicyVersion, name) for name in PolicyVersionOut.__struct_fields__]


def _versions_of(policy_id: uuid.UUID) -> Any:
    return (PolicyVersion.tenant_id == current_tenant_id()) & (PolicyVersion.policy_id == policy_id)


async def get_policy(policy_id: uuid.UUID) -> PolicyOut:
    policy = await PartnerPolicy.select(PartnerPolicy.id, PartnerPolicy.name, PartnerPolicy.description).where(
        (PartnerPolicy.tenant_id == current_tenant_id()) & (PartnerPolicy.id == policy_id)).first()
    if policy is None:
        raise POLICY_NOT_FOUND
    versions = await PolicyVersion.select(*_VERSION_COLUMNS).where(_versions_of(policy_id)).order_by(
        PolicyVersion.version).output(load_json=True)
    return msgspec.convert({**policy, "versions": versions}, PolicyOut)


async def list_policies() -> list[PolicyOut]:
    rows = await PartnerPolicy.select(PartnerPolicy.id).where(
        PartnerPolicy.tenant_id == current_tenant_id()).order_by(PartnerPolicy.name)
    return [await get_policy(row["id"]) for row in rows]


async def create_policy(data: PolicyCreate, author: uuid.UUID | None) -> PolicyOut:
    policy = PartnerPolicy(tenant_id=current_tenant_id(), name=data.name.strip(), description=data.description)
    await policy.save()
    await PolicyVersion(tenant_id=current_tenant_id(), policy_id=policy.id, version=1, valid_from=data.valid_from,
                        rules=msgspec.json.encode(data.rules).decode(), created_by=author).save()
    created = await get_policy(policy.id)
    await audit.record("partner_policy.create", "partner_policy", policy.id, after=created)
    return created


async def add_version(policy_id: uuid.UUID, data: PolicyVersionCreate, author: uuid.UUID | None) -> PolicyOut:
    before = await get_policy(policy_id)
    latest = before.versions[-1]
    if data.valid_from <= latest.valid_from:
        raise invalid([("valid_from", "not_after_latest",
                        f"Phiên bản mới phải bắt đầu sau {latest.valid_from.isoformat()}",
                        f"A new version must start after {latest.valid_from.isoformat()}")])
    # Only the open end of the latest version moves; its rules and start stay as they were.
    await PolicyVersion.update({PolicyVersion.valid_to: data.valid_from}).where(
        _versions_of(policy_id) & (PolicyVersion.id == latest.id))
    await PolicyVersion(tenant_id=current_tenant_id(), policy_id=policy_id, version=latest.version + 1,
                        valid_from=data.valid_from, rules=msgspec.json.encode(data.rules).decode(),
                        created_by=author).save()
    after = await get_policy(policy_id)
    await audit.record("partner_policy.version", "partner_policy", policy_id, after=after.versions[-1])
    return after


async def version_on(policy_id: uuid.UUID, on: datetime.date) -> PolicyVersionOut:
    row = await PolicyVersion.select(*_VERSION_COLUMNS).where(
        _versions_of(policy_id) & (PolicyVersion.valid_from <= on)
        & (PolicyVersion.valid_to.is_null() | (PolicyVersion.valid_to > on))).output(load_json=True).first()
    if row is None:
        await get_policy(policy_id)  # 404 for another tenant's policy before "no version on that date"
        raise NO_VERSION_ON_DATE
    return msgspec.convert(row, PolicyVersionOut)


def terms_of(version: PolicyVersionOut, on: datetime.date, tier: str, product_code: str | None,
             category: str | None) -> Terms:
    """The most specific commission rule wins: product, then category, then tier (a rule that names a tier
    applies to that tier only)."""
    rules: PolicyRules = version.rules
    fits = [rule for rule in rules.commissions if rule.tier in (None, tier)]
    chosen, matched = None, "none"
    for kind, wanted in (("product", product_code), ("category", category)):
        candidates = [rule for rule in fits if wanted is not None and getattr(
            rule, "product_code" if kind == "product" else "category") == wanted]
        if candidates:
            chosen, matched = max(candidates, key=lambda rule: rule.tier is not None), kind
            break
    if chosen is None:
        generic = [rule for rule in fits if rule.product_code is None and rule.category is None]
        if generic:
            chosen = max(generic, key=lambda rule: rule.tier is not None)
            matched = "tier"
    discount = next((level.discount_percent for level in rules.discounts if level.tier == tier), 0.0)
    return Terms(policy_id=version.policy_id, version=version.version, on=on,
                 commission_percent=chosen.rate_percent if chosen else 0.0, commission_rule=matched,
                 discount_percent=discount, payment_terms_days=rules.payment_terms_days)


async def terms(policy_id: uuid.UUID, on: datetime.date, tier: str, product_code: str | None = None,
                category: str | None = None) -> Terms:
    return terms_of(await version_on(policy_id, on), on, tier, product_code, category)
