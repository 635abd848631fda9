"""Sessions: refresh rotation and reuse, logout, switching tenant, password reset, and the login lock."""

from __future__ import annotations

import asyncio
import uuid

from infra.settings import get_settings
from services.identity.service.mail import deliver_pending_mail
from tests.conftest import sign_up

API = "/api/identity/v1"


async def login(client, email, password, **extra):
    return await client.post(f"{API}/login", json={"email": email, "password": password, **extra})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


async def refresh(client, refresh_token):
    return await client.post(f"{API}/token/refresh", json={"refresh_token": refresh_token})


async def test_login_returns_a_refresh_token_that_rotates(client, tenant_a):
    first = (await login(client, tenant_a.email, tenant_a.password)).json()
    assert first["refresh_token"] and first["refresh_expires_in"] == get_settings().refresh_token_ttl_seconds
    rotated = await refresh(client, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["tenant_id"] == str(tenant_a.tenant_id)
    me = await client.get(f"{API}/me", headers=bearer(second["access_token"]))
    assert me.status_code == 200 and me.json()["email"] == tenant_a.email
    third = await refresh(client, second["refresh_token"])
    assert third.status_code == 200


async def test_reusing_a_spent_refresh_token_revokes_the_whole_family(client, tenant_a):
    stolen = (await login(client, tenant_a.email, tenant_a.password)).json()
    other_session = (await login(client, tenant_a.email, tenant_a.password)).json()
    legit = (await refresh(client, stolen["refresh_token"])).json()
    assert (await client.get(f"{API}/me", headers=bearer(legit["access_token"]))).status_code == 200

    reuse = await refresh(client, stolen["refresh_token"])
    assert reuse.status_code == 401
    assert reuse.json()["errors"][0]["field"] == "refresh_token"
    # The whole family is gone: the newest access token at once, and the newest refresh token.
    for path in (f"{API}/me", "/api/contacts/v1/customers"):
        assert (await client.get(path, headers=bearer(legit["access_token"]))).status_code == 401
    assert (await client.get(f"{API}/me", headers=bearer(stolen["access_token"]))).status_code == 401
    assert (await refresh(client, legit["refresh_token"])).status_code == 401
    # Another session of the same user is not part of that family.
    assert (await client.get(f"{API}/me", headers=bearer(other_session["access_token"]))).status_code == 200
    assert (await refresh(client, other_session["refresh_token"])).status_code == 200


async def test_unknown_or_malformed_refresh_tokens_are_refused(client):
    unknown = await refresh(client, "x" * 43)
    assert unknown.status_code == 401
    malformed = await client.post(f"{API}/token/refresh", json={"refresh_token": "x" * 43, "extra": 1})
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "extra"
    short = await client.post(f"{API}/token/refresh", json={"refresh_token": "short"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "refresh_token"


async def test_logout_ends_the_current_session_only(client, tenant_a):
    session = (await login(client, tenant_a.email, tenant_a.password)).json()
    other = (await login(client, tenant_a.email, tenant_a.password)).json()
    out = await client.post(f"{API}/logout", headers=bearer(session["access_token"]))
    assert out.status_code == 204, out.text
    assert (await client.get(f"{API}/me", headers=bearer(session["access_token"]))).status_code == 401
    assert (await refresh(client, session["refresh_token"])).status_code == 401
    assert (await client.get(f"{API}/me", headers=bearer(other["access_token"]))).status_code == 200
    assert (await client.post(f"{API}/logout")).status_code == 401


async def test_a_user_of_tenant_a_cannot_switch_to_tenant_b(client, tenant_a, tenant_b):
    for target in (tenant_b.tenant_id, uuid.uuid4()):
        response = await client.post(f"{API}/switch-tenant", headers=tenant_a.headers,
                                     json={"tenant_id": str(target)})
        assert response.status_code == 404, response.text
    assert (await client.post(f"{API}/switch-tenant", headers=tenant_a.headers,
                              json={"tenant_id": "not-a-uuid"})).status_code == 422
    # the failed attempts did not end the caller's session
    assert (await client.get(f"{API}/me", headers=tenant_a.headers)).status_code == 200


async def test_a_member_of_two_tenants_can_switch(client, mailbox, tenant_a, tenant_b):
    await client.post("/api/contacts/v1/customers", headers=tenant_b.headers, json={"name": "Khách của B"})
    invited = await client.post(f"{API}/invitations", headers=tenant_b.headers,
                                json={"email": tenant_a.email, "role": "admin"})
    assert invited.status_code == 201, invited.text
    await deliver_pending_mail(get_settings())
    token = mailbox.token_for(tenant_a.email, "/accept-invitation")
    accepted = await client.post(f"{API}/invitations/accept", json={"token": token})
    assert accepted.status_code == 200, accepted.text

    switched = await client.post(f"{API}/switch-tenant", headers=tenant_a.headers,
                                 json={"tenant_id": str(tenant_b.tenant_id)})
    assert switched.status_code == 200, switched.text
    tokens = switched.json()
    me = (await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()
    assert me["tenant"] == {**me["tenant"], "id": str(tenant_b.tenant_id), "role": "admin"}
    customers = await client.get("/api/contacts/v1/customers", headers=bearer(tokens["access_token"]))
    assert [c["name"] for c in customers.json()["items"]] == ["Khách của B"]
    # switching replaced the session it came from
    assert (await client.get(f"{API}/me", headers=tenant_a.headers)).status_code == 401
    back = await client.post(f"{API}/switch-tenant", headers=bearer(tokens["access_token"]),
                             json={"tenant_id": str(tenant_a.tenant_id)})
    assert back.status_code == 200 and back.json()["tenant_id"] == str(tenant_a.tenant_id)


async def test_password_reset_by_mailed_token_works_once(client, mailbox, tenant_a):
    old_session = (await login(client, tenant_a.email, tenant_a.password)).json()
    nobody = await client.post(f"{API}/password-reset", json={"email": f"khong-co-{uuid.uuid4().hex[:6]}@ai.vn"})
    asked = await client.post(f"{API}/password-reset", json={"email": tenant_a.email.upper()})
    assert (nobody.status_code, asked.status_code) == (202, 202)
    assert nobody.content == asked.content  # nothing tells whether the email has an account
    assert await deliver_pending_mail(get_settings()) >= 1
    mail = mailbox.to(tenant_a.email)[-1]
    assert mail["Subject"] == "Đặt lại mật khẩu CRM"  # the account's language (vi by default)
    token = mailbox.token_for(tenant_a.email, "/reset-password")

    confirm = await client.post(f"{API}/password-reset/confirm", json={"token": token, "password": "mat-khau-moi-2026"})
    assert confirm.status_code == 204, confirm.text
    assert (await login(client, tenant_a.email, "mat-khau-moi-2026")).status_code == 200
    assert (await login(client, tenant_a.email, tenant_a.password)).status_code == 401
    # every earlier session ended
    assert (await client.get(f"{API}/me", headers=bearer(old_session["access_token"]))).status_code == 401
    assert (await refresh(client, old_session["refresh_token"])).status_code == 401
    again = await client.post(f"{API}/password-reset/confirm", json={"token": token, "password": "mat-khau-khac-2026"})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "token"
    assert (await login(client, tenant_a.email, "mat-khau-khac-2026")).status_code == 401


async def test_an_expired_reset_token_is_refused(client, mailbox, owner_conn, tenant_a):
    await client.post(f"{API}/password-reset", json={"email": tenant_a.email})
    await deliver_pending_mail(get_settings())
    token = mailbox.token_for(tenant_a.email, "/reset-password")
    await owner_conn.execute(
        "UPDATE password_reset SET expires_at = now() - interval '1 second' WHERE user_id = "
        "(SELECT id FROM app_user WHERE email = $1)", tenant_a.email)
    response = await client.post(f"{API}/password-reset/confirm",
                                 json={"token": token, "password": "mat-khau-moi-2026"})
    assert response.status_code == 422
    assert (await login(client, tenant_a.email, tenant_a.password)).status_code == 200


async def test_repeated_failures_back_off_then_lock_the_email(client, tenant_a):
    wrong = "mat-khau-sai-123"
    for _ in range(3):
        assert (await login(client, tenant_a.email, wrong)).status_code == 401
    waiting = await login(client, tenant_a.email, tenant_a.password)  # even the right password must wait
    assert waiting.status_code == 429
    assert waiting.headers["retry-after"] == "1"
    assert waiting.json()["code"] == "rate_limited"
    await asyncio.sleep(1.1)
    assert (await login(client, tenant_a.email, wrong)).status_code == 401  # fourth: wait 2 s
    assert int((await login(client, tenant_a.email, wrong)).headers["retry-after"]) == 2
    await asyncio.sleep(2.1)
    assert (await login(client, tenant_a.email, wrong)).status_code == 401  # fifth: locked
    locked = await login(client, tenant_a.email, tenant_a.password, tenant_id=str(tenant_a.tenant_id))
    assert locked.status_code == 429
    assert 890 <= int(locked.headers["retry-after"]) <= 900
    assert "giây" in locked.json()["detail"]
    english = await client.post(f"{API}/login", json={"email": tenant_a.email, "password": tenant_a.password},
                                headers={"Accept-Language": "en"})
    assert english.status_code == 429 and "seconds" in english.json()["detail"]


async def test_a_successful_login_resets_the_failure_count(client, tenant_a):
    wrong = "mat-khau-sai-123"
    for _ in range(2):
        assert (await login(client, tenant_a.email, wrong)).status_code == 401
    assert (await login(client, tenant_a.email, tenant_a.password)).status_code == 200
    for _ in range(2):
        assert (await login(client, tenant_a.email, wrong)).status_code == 401
    # without the reset this would be the fifth failure in a row and the email locked
    assert (await login(client, tenant_a.email, tenant_a.password)).status_code == 200


async def test_signup_tokens_form_a_session_too(client):
    user = await sign_up(client, "Công ty Phiên")
    out = await client.post(f"{API}/logout", headers=user.headers)
    assert out.status_code == 204
    assert (await client.get(f"{API}/me", headers=user.headers)).status_code == 401
