"""Passwords, tokens and API keys never reach the server's output, even when it logs everything.

A second copy of the product runs with CRM_LOG_LEVEL=DEBUG (access log and all), every flow that carries a
secret goes through it, and then its whole output is searched for each secret.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from infra.settings import get_settings
from services.identity.service.mail import deliver_pending_mail
from tests import conftest
from tests.conftest import DATA_DIR, serve_product
from tests.mailbox import Mailbox

API = "/api/identity/v1"
LOG = DATA_DIR / "test-server-debug.log"


@pytest.fixture(scope="module")
def debug_server(stack: conftest.TestStack) -> Iterator[str]:
    with serve_product({**stack.env, "CRM_LOG_LEVEL": "DEBUG"}, LOG) as url:
        yield url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_no_secret_reaches_the_log_of_a_debug_server(debug_server: str, mailbox: Mailbox) -> None:
    secrets: list[str] = []
    email = f"log-{uuid.uuid4().hex[:8]}@example.vn"
    password, wrong, new_password = "mat-khau-dang-ky-91", "mat-khau-sai-roi-92", "mat-khau-moi-dat-93"
    secrets += [password, wrong, new_password]
    async with httpx.AsyncClient(base_url=debug_server, timeout=30) as client:
        signup = await client.post(f"{API}/signup", json={"company_name": "Công ty Nhật Ký",
                                                          "email": email, "password": password})
        assert signup.status_code == 201, signup.text
        owner = signup.json()
        secrets += [owner["access_token"], owner["refresh_token"]]
        assert (await client.post(f"{API}/login", json={"email": email, "password": wrong})).status_code == 401
        refreshed = (await client.post(f"{API}/token/refresh", json={"refresh_token": owner["refresh_token"]})).json()
        secrets += [refreshed["access_token"], refreshed["refresh_token"]]
        headers = bearer(refreshed["access_token"])

        key = await client.post(f"{API}/api-keys", headers=headers,
                                json={"name": "ERP", "scopes": ["contacts:read"]})
        assert key.status_code == 201, key.text
        secrets.append(key.json()["key"].rsplit("_", 1)[1])  # the secret part; the prefix is a lookup id
        assert (await client.get("/api/contacts/v1/customers", headers=bearer(key.json()["key"]))).status_code == 200
        forged = key.json()["key"][:-4] + "abcd"
        assert (await client.get("/api/contacts/v1/customers", headers=bearer(forged))).status_code == 401

        invitee = f"moi-{uuid.uuid4().hex[:8]}@example.vn"
        assert (await client.post(f"{API}/invitations", headers=headers,
                                  json={"email": invitee, "role": "viewer"})).status_code == 201
        await deliver_pending_mail(get_settings())
        invitation_token = mailbox.token_for(invitee, "/accept-invitation")
        accepted = await client.post(f"{API}/invitations/accept", json={
            "token": invitation_token, "password": "mat-khau-nhan-vien-94", "full_name": "Lê Văn Mời"})
        assert accepted.status_code == 200, accepted.text
        secrets += [invitation_token, "mat-khau-nhan-vien-94", accepted.json()["access_token"]]

        assert (await client.post(f"{API}/password-reset", json={"email": email})).status_code == 202
        await deliver_pending_mail(get_settings())
        reset_token = mailbox.token_for(email, "/reset-password")
        confirmed = await client.post(f"{API}/password-reset/confirm",
                                      json={"token": reset_token, "password": new_password})
        assert confirmed.status_code in (200, 204), confirmed.text
        secrets.append(reset_token)

    log = LOG.read_text()
    assert "/api/identity/v1/login" in log, "the access log must be on for this test to mean anything"
    assert [secret[:6] for secret in secrets if secret in log] == []
