"""Partner policies: versioned, dated rules; the terms in force on a date."""

from __future__ import annotations

import datetime
import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.partners.schemas import PolicyCreate, PolicyOut, PolicyVersionCreate, Terms
from services.partners.service import policies as service
from tenants.access import requires
from tenants.auth import TenantScope

READ = [requires("partners:read")]
WRITE = [requires("partners:write")]


class PolicyController(Controller):
    path = "/policies"
    tags = ["policies"]

    @get(guards=READ, summary="Policies with every version")
    async def list_policies(self) -> list[PolicyOut]:
        return await service.list_policies()

    @post(guards=WRITE, summary="A new policy with its first version")
    async def create_policy(self, tenant: TenantScope, data: JSONBody[PolicyCreate]) -> PolicyOut:
        return await service.create_policy(data, tenant.subject_id if tenant.kind == "user" else None)

    @get("/{policy_id:uuid}", guards=READ, summary="One policy with every version")
    async def get_policy(self, policy_id: FromPath[uuid.UUID]) -> PolicyOut:
        return await service.get_policy(policy_id)

    @post("/{policy_id:uuid}/versions", guards=WRITE,
          summary="A new version from a later date; the one before ends there, its rules unchanged")
    async def add_version(self, tenant: TenantScope, policy_id: FromPath[uuid.UUID],
                          data: JSONBody[PolicyVersionCreate]) -> PolicyOut:
        return await service.add_version(policy_id, data, tenant.subject_id if tenant.kind == "user" else None)

    @get("/{policy_id:uuid}/terms", guards=READ,
         summary="The commission, discount and payment terms the policy gives on a date")
    async def terms(self, policy_id: FromPath[uuid.UUID], on: FromQuery[datetime.date], tier: FromQuery[str],
                    product_code: FromQuery[str | None] = None, category: FromQuery[str | None] = None) -> Terms:
        return await service.terms(policy_id, on, tier, product_code, category)
