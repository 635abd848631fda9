"""Identity's own writes are in the tenant's audit log: every kind of write, made over HTTP by tenant A's admin
(an invitation accepted by its invitee), is found by action, object and author; no secret shown once (an API
key, an invitation token) is in any entry; and tenant B's log holds none of it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import msgspec

from infra.settings import get_settings
from services.identity.service.mail import deliver_pending_mail
from tests.conftest import TenantUser
from tests.identity.members import add_member, user_id_of
from tests.identity.support_helpers import audit_log
from tests.mailbox import Mailbox

API = "/api/identity/v1"


class Expected(msgspec.Struct, frozen=True):
    action: str
    object_id: str
    actor_id: str


class Writes:
    """Makes writes as one caller and notes the audit entry each one must leave."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], actor_id: uuid.UUID) -> None:
        self.client, self.headers, self.actor_id = client, headers, str(actor_id)
        self.expected: list[Expected] = []

    async def do(self, method: str, path: str, action: str, body: dict[str, Any] | None = None,
                 object_id: object = None) -> Any:
        response = await self.client.request(method, f"{API}{path}", headers=self.headers, json=body)
        assert response.status_code < 300, response.text
        result: Any = response.json() if response.content else None
        self.expected.append(Expected(action, str(object_id or result["id"]), self.actor_id))
        return result


async def accept(client: httpx.AsyncClient, mailbox: Mailbox, email: str, **account: str) -> tuple[str, str, str]:
    """Accept the invitation mailed to `email`: (the invitee's user id, the token spent, the access token)."""
    await deliver_pending_mail(get_settings())
    token = mailbox.token_for(email, "/accept-invitation")
    response = await client.post(f"{API}/invitations/accept", json={"token": token, **account})
    assert response.status_code == 200, response.text
    access = response.json()["access_token"]
    me = await client.get(f"{API}/me", headers={"Authorization": f"Bearer {access}"})
    return me.json()["user_id"], token, access


async def test_every_kind_of_identity_write_is_audited_with_its_author_and_no_secret(
        client, mailbox, tenant_a: TenantUser, tenant_b: TenantUser):
    admin = await add_member(tenant_a, "admin", "Quản trị A")
    seller = await add_member(tenant_a, "salesperson", "Nhân viên A")
    writes = Writes(client, admin.headers, admin.user_id)
    secrets: list[str] = []

    key = await writes.do("POST", "/api-keys", "api_key.create", {"name": "ERP", "scopes": ["contacts:read"]})
    secrets += [key["key"], key["key"].rsplit("_", 1)[1]]
    await writes.do("DELETE", f"/api-keys/{key['id']}", "api_key.revoke", object_id=key["id"])

    role = await writes.do("POST", "/roles", "role.create",
                           {"name": "ke-toan", "label": "Kế toán", "permissions": ["customers:read"]})
    await writes.do("PATCH", f"/roles/{role['id']}", "role.update",
                    {"permissions": ["customers:read", "reports:read"], "visibility": "all"})
    await writes.do("DELETE", f"/roles/{role['id']}", "role.delete", object_id=role["id"])
    await writes.do("PATCH", f"/members/{seller.user_id}/role", "member.role_change", {"role": "manager"},
                    object_id=seller.user_id)

    branch = await writes.do("POST", "/branches", "branch.create", {"code": "HN", "name": "Hà Nội"})
    await writes.do("PATCH", f"/branches/{branch['id']}", "branch.update", {"name": "Chi nhánh Hà Nội"})
    profile = await writes.do("POST", "/salespeople", "salesperson.create",
                              {"user_id": str(seller.user_id), "employee_code": "NV01", "branch_id": branch["id"]})
    await writes.do("PATCH", f"/salespeople/{profile['id']}", "salesperson.update", {"monthly_target_vnd": 5_000_000})
    await writes.do("DELETE", f"/salespeople/{profile['id']}", "salesperson.delete", object_id=profile["id"])
    await writes.do("DELETE", f"/branches/{branch['id']}", "branch.delete", object_id=branch["id"])
    team = await writes.do("POST", "/sales-teams", "sales_team.create",
                           {"name": "Nhóm 1", "leader_id": str(admin.user_id), "member_ids": [str(seller.user_id)]})
    await writes.do("PATCH", f"/sales-teams/{team['id']}", "sales_team.update", {"use_warranty": True})
    await writes.do("DELETE", f"/sales-teams/{team['id']}", "sales_team.delete", object_id=team["id"])
    await writes.do("PATCH", "/tenant/settings", "tenant.settings_update", {"daily_jobs_hour": 3},
                    object_id=tenant_a.tenant_id)

    withdrawn = await writes.do("POST", "/invitations", "invitation.create",
                                {"email": f"rut-{uuid.uuid4().hex[:8]}@example.vn", "role": "viewer"})
    await writes.do("DELETE", f"/invitations/{withdrawn['id']}", "invitation.withdraw", object_id=withdrawn["id"])
    newcomer_email = f"moi-{uuid.uuid4().hex[:8]}@example.vn"
    invited = await writes.do("POST", "/invitations", "invitation.create", {"email": newcomer_email, "role": "viewer"})
    password = "mat-khau-nguoi-moi-1"
    newcomer, token, access = await accept(client, mailbox, newcomer_email, password=password, full_name="Người Mới")
    secrets += [token, access, password]
    writes.expected += [Expected("invitation.accept", invited["id"], newcomer),  # the invitee is the author
                        Expected("member.join", newcomer, newcomer)]

    await writes.do("POST", f"/members/{seller.user_id}/deactivate", "member.deactivate", object_id=seller.user_id)
    again = await writes.do("POST", "/invitations", "invitation.create", {"email": seller.email, "role": "viewer"})
    _, token, access = await accept(client, mailbox, seller.email)
    secrets += [token, access]
    writes.expected += [Expected("invitation.accept", again["id"], str(seller.user_id)),
                        Expected("member.reactivate", str(seller.user_id), str(seller.user_id))]

    owner_id = str(await user_id_of(client, tenant_a))
    writes.expected.append(Expected("tenant.create", str(tenant_a.tenant_id), owner_id))  # sign-up, as its owner

    entries = await audit_log(client, tenant_a.headers)
    found = {Expected(e["action"], e["object_id"], e["actor_id"]) for e in entries}
    assert [expected for expected in writes.expected if expected not in found] == []
    by_action = {e["action"]: e for e in entries}  # each kind looked at below happens once
    assert by_action["role.update"]["before"] == {"permissions": ["customers:read"], "visibility": "own"}
    assert by_action["role.update"]["after"] == {"permissions": ["customers:read", "reports:read"], "visibility": "all"}
    assert (by_action["member.role_change"]["before"], by_action["member.role_change"]["after"]) == (
        {"role": "salesperson"}, {"role": "manager"})
    assert by_action["member.deactivate"]["after"]["is_active"] is False
    assert by_action["api_key.revoke"]["before"]["revoked_at"] is None
    assert by_action["api_key.revoke"]["after"]["revoked_at"] is not None
    assert by_action["member.reactivate"]["before"] == {"is_active": False, "role": "manager"}
    assert all(e["actor_kind"] == "user" for e in entries)

    written = json.dumps(entries)
    assert [secret for secret in secrets if secret in written] == []

    of_b = json.dumps(await audit_log(client, tenant_b.headers))
    assert [e.object_id for e in writes.expected if e.object_id in of_b] == []
    assert str(admin.user_id) not in of_b and str(tenant_a.tenant_id) not in of_b
