"""Sign-up, login and the tokens every service accepts."""

from __future__ import annotations

import datetime
import uuid

import jwt

from infra.settings import get_settings
from services.identity.service.sessions import issue_access_token
from tests.conftest import sign_up


async def test_signup_creates_a_tenant_and_its_owner(client):
    user = await sign_up(client, "Công ty Cổ phần Sao Việt")
    me = await client.get("/api/identity/v1/me", headers=user.headers)
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["email"] == user.email
    assert body["tenant"]["id"] == str(user.tenant_id)
    assert body["tenant"]["role"] == "owner"
    assert body["tenant"]["slug"].startswith("cong-ty-co-phan-sao-viet")
    assert "password" not in me.text and "hash" not in me.text


async def test_duplicate_email_or_slug_is_409(client):
    user = await sign_up(client, "Công ty Trùng Lặp")
    again = await client.post("/api/identity/v1/signup", json={
        "company_name": "Khác", "email": user.email.upper(), "password": "mat-khau-that-dai-2"})
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "email"
    slug = f"slug-{uuid.uuid4().hex[:8]}"
    first = await client.post("/api/identity/v1/signup", json={
        "company_name": "Một", "email": f"{slug}@a.vn", "password": "mat-khau-that-dai-2", "slug": slug})
    assert first.status_code == 201
    second = await client.post("/api/identity/v1/signup", json={
        "company_name": "Hai", "email": f"{slug}@b.vn", "password": "mat-khau-that-dai-2", "slug": slug})
    assert second.status_code == 409
    assert second.json()["errors"][0]["field"] == "slug"


async def test_same_company_name_gets_a_distinct_slug(client):
    name = f"Công ty Giống Tên {uuid.uuid4().hex[:6]}"
    first = await sign_up(client, name)
    second = await sign_up(client, name)
    slugs = [(await client.get("/api/identity/v1/me", headers=u.headers)).json()["tenant"]["slug"]
             for u in (first, second)]
    assert slugs[0] != slugs[1]


async def test_login_and_wrong_password(client):
    user = await sign_up(client, "Công ty Đăng Nhập")
    good = await client.post("/api/identity/v1/login", json={"email": user.email, "password": user.password})
    assert good.status_code == 200
    assert good.json()["tenant_id"] == str(user.tenant_id)
    bad = await client.post("/api/identity/v1/login", json={"email": user.email, "password": "sai-mat-khau"})
    assert bad.status_code == 401
    nobody = await client.post("/api/identity/v1/login", json={"email": "khong-co@ai.vn", "password": "x"})
    assert nobody.status_code == 401
    assert bad.json()["detail"] == nobody.json()["detail"]  # no hint which emails exist


async def test_a_user_of_tenant_a_cannot_log_in_to_tenant_b(client, tenant_a, tenant_b):
    response = await client.post("/api/identity/v1/login", json={
        "email": tenant_a.email, "password": tenant_a.password, "tenant_id": str(tenant_b.tenant_id)})
    assert response.status_code == 401


async def test_tampered_expired_and_foreign_tokens_are_rejected(client, tenant_a):
    settings = get_settings()
    header, payload, signature = tenant_a.token.split(".")
    claims = jwt.decode(tenant_a.token, options={"verify_signature": False})
    forged_claims = {**claims, "tid": str(uuid.uuid4())}
    forged = jwt.encode(forged_claims, "not-the-secret", algorithm="HS256")
    expired = jwt.encode({**claims, "exp": datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(1)},
                         settings.jwt_secret, algorithm="HS256")
    unsigned = jwt.encode(claims, "", algorithm="none")
    refresh_typed = jwt.encode({**claims, "typ": "refresh"}, settings.jwt_secret, algorithm="HS256")
    for token in (f"{header}.{payload}x.{signature}", forged, expired, unsigned, refresh_typed):
        response = await client.get("/api/contacts/v1/customers", headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


async def test_a_correctly_signed_token_naming_a_tenant_the_user_is_not_in_is_refused(client, tenant_a, tenant_b):
    """Signed with the app's own secret and unexpired, so only the membership check can stop it."""
    secret_name = f"Bí mật của B {uuid.uuid4().hex[:6]}"
    created = await client.post("/api/contacts/v1/customers", headers=tenant_b.headers, json={"name": secret_name})
    assert created.status_code == 201, created.text
    user_of_a = uuid.UUID((await client.get("/api/identity/v1/me", headers=tenant_a.headers)).json()["user_id"])
    token = issue_access_token(get_settings(), user_of_a, tenant_b.tenant_id, "owner", uuid.uuid4())
    headers = {"authorization": f"Bearer {token}"}
    attempts = [client.get("/api/contacts/v1/customers", headers=headers),
                client.get(f"/api/contacts/v1/customers/{created.json()['id']}", headers=headers),
                client.get("/api/identity/v1/me", headers=headers),
                client.get("/api/identity/v1/members", headers=headers),
                client.get("/api/identity/v1/tenant/settings", headers=headers),
                client.get("/api/identity/v1/audit-log", headers=headers),
                client.post("/api/contacts/v1/customers", headers=headers, json={"name": "Cài vào B"}),
                client.post("/api/identity/v1/tenant/deletion", headers=headers,
                            json={"company_name": "Công ty Bình Minh"})]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 401, (response.request.url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert secret_name not in response.text and "Công ty Bình Minh" not in response.text
    names = [c["name"] for c in (await client.get("/api/contacts/v1/customers", headers=tenant_b.headers)).json()[
        "items"]]
    assert names == [secret_name]
    assert (await client.get("/api/identity/v1/tenant/settings", headers=tenant_b.headers)).status_code == 200


async def test_a_valid_token_for_a_tenant_sees_only_that_tenant(client, tenant_a, tenant_b):
    await client.post("/api/contacts/v1/customers", headers=tenant_b.headers, json={"name": "Của B"})
    me = (await client.get("/api/identity/v1/me", headers=tenant_a.headers)).json()
    token = issue_access_token(get_settings(), uuid.UUID(me["user_id"]), tenant_a.tenant_id, "owner", uuid.uuid4())
    listed = await client.get("/api/contacts/v1/customers", headers={"authorization": f"Bearer {token}"})
    assert all(item["name"] != "Của B" for item in listed.json()["items"])


async def test_weak_password_and_bad_email_are_refused(client):
    response = await client.post("/api/identity/v1/signup", json={
        "company_name": "Yếu", "email": "khong-phai-email", "password": "ngan"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in ("email", "password")
