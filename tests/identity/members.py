"""A test helper: more users in one tenant, before invitations exist.

`add_member` inserts a user and an active membership with identity's tables (what accepting an invitation
will do) and starts a session for it, as login would.
"""

from __future__ import annotations

import uuid

import httpx
from argon2 import PasswordHasher

from infra.settings import get_settings
from services.identity.service.sessions import start_session
from services.identity.tables import Membership, Tenant, User
from tests.conftest import TenantUser

PASSWORD = "mat-khau-thanh-vien-1"


class Member(TenantUser):
    user_id: uuid.UUID


async def add_member(tenant: TenantUser, role: str, name: str = "Thành viên") -> Member:
    email = f"member-{uuid.uuid4().hex[:10]}@example.vn"
    user = User(email=email, full_name=name, password_hash=PasswordHasher().hash(PASSWORD))
    await user.save()
    await Membership(tenant_id=tenant.tenant_id, user_id=user.id, role=role).save()
    tenant_row = await Tenant.objects().where(Tenant.id == tenant.tenant_id).first()
    assert tenant_row is not None
    token = (await start_session(get_settings(), user.id, tenant_row, role)).access_token
    return Member(tenant_id=tenant.tenant_id, token=token, email=email, password=PASSWORD, user_id=user.id)


async def user_id_of(client: httpx.AsyncClient, user: TenantUser) -> uuid.UUID:
    me = await client.get("/api/identity/v1/me", headers=user.headers)
    assert me.status_code == 200, me.text
    return uuid.UUID(me.json()["user_id"])
