"""A test helper: more users in one tenant, before invitations exist.

`add_member` inserts a user and an active membership with identity's tables (what accepting an invitation
will do) and starts a session for it, as login would.
"""

from __future__ import annotations

import uuid

import httpx
import msgspec
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


class SalesOffice(msgspec.Struct):
    """Two salespeople in a team, one in none, the team's manager and an admin: who sees whose records."""

    anh: Member
    binh: Member
    chi: Member  # in no team
    manager: Member
    admin: Member
    team_id: str


async def sales_office(client: httpx.AsyncClient, tenant: TenantUser) -> SalesOffice:
    anh, binh = await add_member(tenant, "salesperson", "Anh"), await add_member(tenant, "salesperson", "Bình")
    chi, manager = await add_member(tenant, "salesperson", "Chi"), await add_member(tenant, "manager", "Quản lý Dũng")
    admin = await add_member(tenant, "admin", "Quản trị Em")
    team = await client.post("/api/identity/v1/sales-teams", headers=tenant.headers, json={
        "name": "Nhóm Hà Nội", "leader_id": str(manager.user_id), "member_ids": [str(anh.user_id), str(binh.user_id)]})
    assert team.status_code == 201, team.text
    return SalesOffice(anh=anh, binh=binh, chi=chi, manager=manager, admin=admin, team_id=team.json()["id"])
