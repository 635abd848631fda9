"""Invitations, members and the mail outbox, through HTTP with two tenants and a real SMTP server."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
import pytest

from infra.settings import get_settings
from services.identity.service.mail import deliver_pending_mail
from tests.conftest import sign_up

API = "/api/identity/v1"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


async def invite(client, inviter, email, role="salesperson"):
    response = await client.post(f"{API}/invitations", headers=inviter.headers, json={"email": email, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


async def mailed_token(mailbox, email):
    await deliver_pending_mail(get_settings())
    return mailbox.token_for(email, "/accept-invitation")


async def test_a_new_user_accepts_an_invitation(client, mailbox, tenant_a):
    email = f"moi-{uuid.uuid4().hex[:8]}@example.vn"
    invitation = await invite(client, tenant_a, email, "manager")
    assert invitation["email"] == email and invitation["role"] == "manager"
    assert "token" not in invitation
    token = await mailed_token(mailbox, email)
    mail = mailbox.to(email)[-1]
    assert mail["Subject"] == "Lời mời tham gia Công ty An Phát trên CRM"  # the tenant's language: vi
    assert "quản lý" in mail.get_content()

    missing = await client.post(f"{API}/invitations/accept", json={"token": token})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"password", "full_name"}
    accepted = await client.post(f"{API}/invitations/accept", json={
        "token": token, "password": "mat-khau-nhan-vien-1", "full_name": "Trần Thị Mới"})
    assert accepted.status_code == 200, accepted.text
    tokens = accepted.json()
    assert tokens["tenant_id"] == str(tenant_a.tenant_id)
    me = (await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()
    assert (me["full_name"], me["tenant"]["role"], len(me["tenants"])) == ("Trần Thị Mới", "manager", 1)
    login = await client.post(f"{API}/login", json={"email": email, "password": "mat-khau-nhan-vien-1"})
    assert login.status_code == 200
    pending = (await client.get(f"{API}/invitations", headers=tenant_a.headers)).json()["items"]
    assert invitation["id"] not in [item["id"] for item in pending]


async def test_an_existing_user_is_linked_and_mailed_in_their_language(client, mailbox, tenant_a):
    email = f"en-{uuid.uuid4().hex[:8]}@example.vn"
    signed = await client.post(f"{API}/signup", json={"company_name": "English Co", "email": email,
                                                      "password": "an-english-password", "language": "en"})
    assert signed.status_code == 201
    await invite(client, tenant_a, email, "viewer")
    token = await mailed_token(mailbox, email)
    assert mailbox.to(email)[-1]["Subject"] == "Invitation to join Công ty An Phát on CRM"
    accepted = await client.post(f"{API}/invitations/accept", json={"token": token})
    assert accepted.status_code == 200, accepted.text
    me = (await client.get(f"{API}/me", headers=bearer(accepted.json()["access_token"]))).json()
    assert me["tenant"]["id"] == str(tenant_a.tenant_id) and me["tenant"]["role"] == "viewer"
    assert len(me["tenants"]) == 2
    # the existing password is untouched
    login = await client.post(f"{API}/login", json={"email": email, "password": "an-english-password",
                                                    "tenant_id": str(tenant_a.tenant_id)})
    assert login.status_code == 200


async def test_used_expired_and_withdrawn_invitations_are_refused(client, mailbox, owner_conn, tenant_a):
    used_email, expired_email, withdrawn_email = (f"{kind}-{uuid.uuid4().hex[:8]}@example.vn"
                                                  for kind in ("used", "expired", "withdrawn"))
    await invite(client, tenant_a, used_email)
    used = await mailed_token(mailbox, used_email)
    body = {"password": "mat-khau-nhan-vien-1", "full_name": "Ai Đó"}
    assert (await client.post(f"{API}/invitations/accept", json={"token": used, **body})).status_code == 200
    again = await client.post(f"{API}/invitations/accept", json={"token": used, **body})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "token"

    await invite(client, tenant_a, expired_email)
    expired = await mailed_token(mailbox, expired_email)
    async with owner_conn.transaction():  # the owner too is bound by the tenant policy for writes
        await owner_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        status = await owner_conn.execute(
            "UPDATE invitation SET expires_at = now() - interval '1 second' WHERE email = $1", expired_email)
    assert status == "UPDATE 1"
    refused = await client.post(f"{API}/invitations/accept", json={"token": expired, **body})
    assert refused.status_code == 422

    withdrawn = await invite(client, tenant_a, withdrawn_email)
    withdrawn_token = await mailed_token(mailbox, withdrawn_email)
    assert (await client.delete(f"{API}/invitations/{withdrawn['id']}", headers=tenant_a.headers)).status_code == 204
    assert (await client.post(f"{API}/invitations/accept",
                              json={"token": withdrawn_token, **body})).status_code == 422
    assert (await client.post(f"{API}/invitations/accept", json={"token": "z" * 43, **body})).status_code == 422


async def test_invitations_stay_inside_their_tenant(client, tenant_a, tenant_b):
    mine = await invite(client, tenant_a, f"a-{uuid.uuid4().hex[:8]}@example.vn")
    listed_b = (await client.get(f"{API}/invitations", headers=tenant_b.headers)).json()["items"]
    assert mine["id"] not in [item["id"] for item in listed_b]
    listed_a = (await client.get(f"{API}/invitations", headers=tenant_a.headers)).json()["items"]
    assert mine["id"] in [item["id"] for item in listed_a]
    assert (await client.delete(f"{API}/invitations/{mine['id']}", headers=tenant_b.headers)).status_code == 404
    assert (await client.delete(f"{API}/invitations/{mine['id']}", headers=tenant_a.headers)).status_code == 204


async def test_only_owners_and_admins_invite(client, mailbox, tenant_a):
    email = f"viewer-{uuid.uuid4().hex[:8]}@example.vn"
    await invite(client, tenant_a, email, "viewer")
    token = await mailed_token(mailbox, email)
    viewer = (await client.post(f"{API}/invitations/accept", json={
        "token": token, "password": "mat-khau-nhan-vien-1", "full_name": "Người Xem"})).json()
    response = await client.post(f"{API}/invitations", headers=bearer(viewer["access_token"]),
                                 json={"email": "x@example.vn", "role": "admin"})
    assert response.status_code == 403
    assert (await client.get(f"{API}/invitations", headers=bearer(viewer["access_token"]))).status_code == 403
    owner_role = await client.post(f"{API}/invitations", headers=tenant_a.headers,
                                   json={"email": "x@example.vn", "role": "owner"})
    assert owner_role.status_code == 422 and owner_role.json()["errors"][0]["field"] == "role"
    member = await client.post(f"{API}/invitations", headers=tenant_a.headers,
                               json={"email": tenant_a.email, "role": "admin"})
    assert member.status_code == 409


async def test_a_deactivated_members_tokens_stop_at_once(client, mailbox, tenant_a, tenant_b):
    email = f"nghi-{uuid.uuid4().hex[:8]}@example.vn"
    await invite(client, tenant_a, email)
    token = await mailed_token(mailbox, email)
    member = (await client.post(f"{API}/invitations/accept", json={
        "token": token, "password": "mat-khau-nhan-vien-1", "full_name": "Sắp Nghỉ"})).json()
    assert (await client.get("/api/contacts/v1/customers", headers=bearer(member["access_token"]))).status_code == 200
    user_id = (await client.get(f"{API}/me", headers=bearer(member["access_token"]))).json()["user_id"]
    members = (await client.get(f"{API}/members", headers=tenant_a.headers)).json()["items"]
    assert {m["email"] for m in members} == {tenant_a.email, email}
    assert all(m["email"] != email for m in (await client.get(f"{API}/members",
                                                              headers=tenant_b.headers)).json()["items"])

    foreign = await client.post(f"{API}/members/{user_id}/deactivate", headers=tenant_b.headers)
    assert foreign.status_code == 404
    assert (await client.get(f"{API}/me", headers=bearer(member["access_token"]))).status_code == 200
    done = await client.post(f"{API}/members/{user_id}/deactivate", headers=tenant_a.headers)
    assert done.status_code == 204, done.text
    assert (await client.get("/api/contacts/v1/customers", headers=bearer(member["access_token"]))).status_code == 401
    refreshed = await client.post(f"{API}/token/refresh", json={"refresh_token": member["refresh_token"]})
    assert refreshed.status_code == 401
    login = await client.post(f"{API}/login", json={"email": email, "password": "mat-khau-nhan-vien-1"})
    assert login.status_code == 401
    listed = (await client.get(f"{API}/members", headers=tenant_a.headers)).json()["items"]
    assert next(m for m in listed if m["email"] == email)["is_active"] is False
    assert (await client.post(f"{API}/members/{tenant_a_user(listed, tenant_a)}/deactivate",
                              headers=tenant_a.headers)).status_code == 409


def tenant_a_user(members, tenant):
    return next(m["user_id"] for m in members if m["email"] == tenant.email)


async def test_the_invitation_lookup_does_not_open_the_table_to_the_app_role(client, app_conn, tenant_a):
    await invite(client, tenant_a, f"rls-{uuid.uuid4().hex[:8]}@example.vn")
    assert await app_conn.fetchval("SELECT count(*) FROM invitation") == 0  # no tenant set: no rows
    assert await app_conn.fetch("SELECT * FROM invitation_by_token($1)", "0" * 64) == []
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_conn.execute("CREATE OR REPLACE FUNCTION invitation_by_token(p_token_hash text) "
                               "RETURNS SETOF invitation LANGUAGE sql AS 'SELECT * FROM invitation'")


async def test_locally_each_mail_is_also_written_as_an_eml_file(client, mailbox, tmp_path):
    user = await sign_up(client, "Công ty Thư")
    await client.post(f"{API}/password-reset", json={"email": user.email})
    local = msgspec.structs.replace(get_settings(), env="local", data_dir=str(tmp_path))
    assert await deliver_pending_mail(local) >= 1
    files = [path.read_text() for path in (tmp_path / "mail").glob("*.eml")]
    mine = [text for text in files if f"To: {user.email}" in text]
    assert len(mine) == 1 and "/reset-password?token=" in mine[0]
    assert mailbox.to(user.email)  # and it went through SMTP as well


async def test_mail_that_cannot_be_sent_stays_in_the_outbox(client, owner_conn, mailbox):
    user = await sign_up(client, "Công ty Hộp Thư")
    await client.post(f"{API}/password-reset", json={"email": user.email})
    unreachable = msgspec.structs.replace(get_settings(), smtp_port=1)
    assert await deliver_pending_mail(unreachable) == 0
    row = await owner_conn.fetchrow("SELECT status, attempts, last_error, body FROM mail_outbox "
                                    "WHERE to_address = $1", user.email)
    assert (row["status"], row["attempts"]) == ("pending", 1) and row["last_error"] and row["body"]
    assert await deliver_pending_mail(get_settings()) >= 1
    row = await owner_conn.fetchrow("SELECT status, body FROM mail_outbox WHERE to_address = $1", user.email)
    assert (row["status"], row["body"]) == ("sent", "")  # the live token is not kept once sent
    assert len(mailbox.to(user.email)) == 1
