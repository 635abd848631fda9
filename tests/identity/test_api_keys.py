"""API keys through HTTP with two tenants: shown once, stored as a hash, scoped, expiring, revocable, rate
limited; and the database function that finds them before the tenant is known."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import uuid
from typing import Any

import asyncpg
import httpx

from tests.conftest import DATA_DIR, TenantUser, sign_up
from tests.identity.members import add_member

KEYS = "/api/identity/v1/api-keys"
CUSTOMERS = "/api/contacts/v1/customers"
STAGES = "/api/pipeline/v1/stages"


async def create_key(client: httpx.AsyncClient, user: TenantUser, scopes: list[str],
                     **extra: Any) -> dict[str, Any]:
    response = await client.post(KEYS, headers=user.headers, json={"name": "ERP kế toán", "scopes": scopes, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def as_tenant(connection: asyncpg.Connection, tenant_id: uuid.UUID, sql: str, *args: Any) -> list[Any]:
    """Run one statement with the tenant set, as the row-level security policy requires."""
    async with connection.transaction():
        await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        rows: list[Any] = await connection.fetch(sql, *args)
        return rows


async def test_a_key_is_shown_once_stored_as_a_hash_and_works(client, tenant_a, owner_conn):
    created = await create_key(client, tenant_a, ["contacts:read"], expires_at="2099-01-01T00:00:00Z")
    key = created["key"]
    scheme, prefix, secret = key.split("_", 2)
    assert (scheme, prefix) == ("crm", created["prefix"])
    assert len(secret) >= 40
    assert created["scopes"] == ["contacts:read"] and created["last_used_at"] is None

    used = await client.get(CUSTOMERS, headers=bearer(key))
    assert used.status_code == 200, used.text

    listed = await client.get(KEYS, headers=tenant_a.headers)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["id"] == created["id"] and "key" not in item
    assert item["last_used_at"] is not None
    assert secret not in listed.text

    [row] = await as_tenant(owner_conn, tenant_a.tenant_id, "SELECT * FROM api_key WHERE id = $1",
                            uuid.UUID(created["id"]))
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())
    assert secret not in (DATA_DIR / "test-server.log").read_text()


async def test_a_new_key_is_never_kept_for_idempotent_replay(client, tenant_a, owner_conn):
    headers = {**tenant_a.headers, "Idempotency-Key": f"tao-khoa-{uuid.uuid4()}"}
    body = {"name": "Nhập liệu", "scopes": ["contacts:write"]}
    first = await client.post(KEYS, headers=headers, json=body)
    second = await client.post(KEYS, headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["key"] != second.json()["key"]
    stored = await as_tenant(owner_conn, tenant_a.tenant_id, "SELECT body FROM idempotency_key")
    assert all(first.json()["key"].encode() not in bytes(row["body"] or b"") for row in stored)


async def test_a_revoked_key_stops_working_on_the_next_request(client, tenant_a):
    created = await create_key(client, tenant_a, ["contacts:read"])
    assert (await client.get(CUSTOMERS, headers=bearer(created["key"]))).status_code == 200
    revoked = await client.delete(f"{KEYS}/{created['id']}", headers=tenant_a.headers)
    assert revoked.status_code == 204
    after = await client.get(CUSTOMERS, headers=bearer(created["key"]))
    assert after.status_code == 401
    assert after.headers["content-type"].startswith("application/problem+json")
    listed = (await client.get(KEYS, headers=tenant_a.headers)).json()["items"]
    assert [item["revoked_at"] is not None for item in listed if item["id"] == created["id"]] == [True]


async def test_an_expired_key_is_rejected(client, tenant_a):
    created = await create_key(client, tenant_a, ["contacts:read"],
                               expires_at=(datetime.datetime.now(tz=datetime.UTC)
                                           + datetime.timedelta(seconds=2)).isoformat())
    assert (await client.get(CUSTOMERS, headers=bearer(created["key"]))).status_code == 200
    await asyncio.sleep(2.5)  # the key's lookup is still held in the server's memory: expiry must bite anyway
    assert (await client.get(CUSTOMERS, headers=bearer(created["key"]))).status_code == 401


async def test_a_wrong_secret_or_a_malformed_key_is_rejected(client, tenant_a):
    created = await create_key(client, tenant_a, ["contacts:read"])
    prefix = created["prefix"]
    for token in (f"crm_{prefix}_{'x' * 43}", f"crm_{prefix}_", f"crm_{prefix}", "crm_", f"crm_{'0' * 16}_abc",
                  created["key"] + "x", "crm_" + "a" * 500):
        response = await client.get(CUSTOMERS, headers=bearer(token))
        assert response.status_code == 401, token
    assert (await client.get(CUSTOMERS, headers=bearer(created["key"]))).status_code == 200


async def test_scopes_limit_methods_and_services(client, tenant_a):
    read_only = (await create_key(client, tenant_a, ["contacts:read"]))["key"]
    contacts_writer = (await create_key(client, tenant_a, ["contacts:write"]))["key"]
    reads_everything = (await create_key(client, tenant_a, ["*:read"]))["key"]

    refused = await client.post(CUSTOMERS, headers=bearer(read_only), json={"name": "Không được ghi"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert set(refused.json()["i18n"]) == {"vi", "en"}
    written = await client.post(CUSTOMERS, headers=bearer(contacts_writer), json={"name": "Được ghi"})
    assert written.status_code == 201, written.text
    assert (await client.get(CUSTOMERS, headers=bearer(contacts_writer))).status_code == 200  # write implies read
    assert (await client.get(STAGES, headers=bearer(contacts_writer))).status_code == 403
    assert (await client.get(STAGES, headers=bearer(reads_everything))).status_code == 200
    assert (await client.post(STAGES, headers=bearer(reads_everything), json={"name": "Mới"})).status_code == 403
    names = [item["name"] for item in (await client.get(CUSTOMERS, headers=tenant_a.headers)).json()["items"]]
    assert names == ["Được ghi"]  # the refused write left nothing behind


async def test_a_key_of_tenant_a_sees_and_manages_only_tenant_a(client, tenant_a, tenant_b):
    await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Khách của An Phát"})
    await client.post(CUSTOMERS, headers=tenant_b.headers, json={"name": "Khách của Bình Minh"})
    key_a = await create_key(client, tenant_a, ["contacts:read"])
    seen = await client.get(CUSTOMERS, headers=bearer(key_a["key"]))
    assert [item["name"] for item in seen.json()["items"]] == ["Khách của An Phát"]

    assert (await client.get(KEYS, headers=tenant_b.headers)).json()["items"] == []
    foreign = await client.delete(f"{KEYS}/{key_a['id']}", headers=tenant_b.headers)
    assert foreign.status_code == 404
    assert (await client.get(CUSTOMERS, headers=bearer(key_a["key"]))).status_code == 200


async def test_only_owners_and_admins_manage_keys(client, tenant_a):
    key = await create_key(client, tenant_a, ["*:write"])
    admin = await add_member(tenant_a, "admin")
    assert (await client.get(KEYS, headers=admin.headers)).status_code == 200
    viewer = await add_member(tenant_a, "viewer")
    manager = await add_member(tenant_a, "manager")
    for caller in (viewer.token, manager.token, key["key"]):  # a key cannot mint keys, even with every scope
        assert (await client.get(KEYS, headers=bearer(caller))).status_code == 403
        created = await client.post(KEYS, headers=bearer(caller), json={"name": "x", "scopes": ["*:read"]})
        assert created.status_code == 403
        assert (await client.delete(f"{KEYS}/{key['id']}", headers=bearer(caller))).status_code == 403
    assert len((await client.get(KEYS, headers=tenant_a.headers)).json()["items"]) == 1


async def test_bad_input_names_the_field(client, tenant_a):
    past = (datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=1)).isoformat()
    cases = [
        ({"name": "a", "scopes": ["contacts:delete"]}, "scopes[0]"),
        ({"name": "a", "scopes": ["ketoan:read"]}, "scopes[0]"),
        ({"name": "a", "scopes": []}, "scopes"),
        ({"name": "a", "scopes": ["contacts:read"], "expires_at": past}, "expires_at"),
        ({"name": "a", "scopes": ["contacts:read"], "expires_at": "2099-01-01T00:00:00"}, "expires_at"),
        ({"name": "   ", "scopes": ["contacts:read"]}, "name"),
        ({"name": "a", "scopes": ["contacts:read"], "secret": "tu-chon"}, "secret"),
        ({"scopes": ["contacts:read"]}, "name"),
    ]
    for body, field in cases:
        response = await client.post(KEYS, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == field, (body, response.text)
    malformed = await client.post(KEYS, headers={**tenant_a.headers, "content-type": "application/json"},
                                  content=b'{"name": "a", "scopes": [')
    assert malformed.status_code == 400
    assert (await client.get(KEYS, headers=tenant_a.headers)).json()["items"] == []
    assert (await client.delete(f"{KEYS}/{uuid.uuid4()}", headers=tenant_a.headers)).status_code == 404
    assert (await client.get(f"{KEYS}?limit=0", headers=tenant_a.headers)).status_code in (400, 422)


async def test_rate_limits_per_key_and_per_user_answer_429_with_retry_after(client, owner_conn):
    user = await sign_up(client, "Công ty Giới Hạn")
    await owner_conn.execute("UPDATE tenant SET requests_per_minute = 4 WHERE id = $1", user.tenant_id)
    key = (await create_key(client, user, ["contacts:read"]))["key"]  # the user's first token
    for _ in range(4):
        assert (await client.get(CUSTOMERS, headers=bearer(key))).status_code == 200
    limited = await client.get(CUSTOMERS, headers=bearer(key))
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(limited.headers["retry-after"]) <= 15  # 4 a minute: one token every 15 s
    assert limited.json()["code"] == "rate_limited"

    statuses = [(await client.get(CUSTOMERS, headers=user.headers)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # the user has a bucket of their own


async def test_the_lookup_function_does_not_open_rls(stack, client, tenant_a, app_conn, owner_conn):
    created = await create_key(client, tenant_a, ["contacts:read"])
    assert await app_conn.fetchval("SELECT count(*) FROM api_key") == 0
    await app_conn.execute("SET app.api_key_lookup = 'on'")  # the app role cannot borrow the function's setting
    assert await app_conn.fetchval("SELECT count(*) FROM api_key") == 0
    assert await owner_conn.fetchval("SELECT count(*) FROM api_key") == 0  # the owner outside the function
    [found] = await app_conn.fetch("SELECT tenant_id, scopes FROM api_key_lookup($1)", created["prefix"])
    assert found["tenant_id"] == tenant_a.tenant_id and found["scopes"] == ["contacts:read"]
    assert await app_conn.fetch("SELECT * FROM api_key_lookup($1)", "0" * 16) == []


async def test_deactivating_a_member_revokes_the_keys_they_created_at_once(client, tenant_a):
    admin = await add_member(tenant_a, "admin")
    theirs = await create_key(client, admin, ["contacts:read"])
    ours = await create_key(client, tenant_a, ["contacts:read"])
    assert (await client.get(CUSTOMERS, headers=bearer(theirs["key"]))).status_code == 200
    done = await client.post(f"/api/identity/v1/members/{admin.user_id}/deactivate", headers=tenant_a.headers)
    assert done.status_code == 204, done.text
    assert (await client.get(CUSTOMERS, headers=bearer(theirs["key"]))).status_code == 401
    assert (await client.get(CUSTOMERS, headers=bearer(ours["key"]))).status_code == 200
    listed = {key["id"]: key for key in (await client.get(KEYS, headers=tenant_a.headers)).json()["items"]}
    assert listed[theirs["id"]]["revoked_at"] is not None
    assert listed[ours["id"]]["revoked_at"] is None
