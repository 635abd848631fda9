"""Secret rotation through HTTP: the new secret is shown once; for 24 hours a delivery carries signatures with
both secrets, each verifying with `standardwebhooks`; after that only the new one signs."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.webhooks.test_endpoints import API, create_endpoint

pytestmark = pytest.mark.usefixtures("worker")


async def test_after_rotation_deliveries_verify_with_either_secret_for_24_hours(
        client, app_conn, tenant_a, tenant_b, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/rotation"), event_types=["customer.created"])
    url = f"{API}/endpoints/{endpoint['id']}/rotate-secret"
    assert (await client.post(url, headers=tenant_b.headers)).status_code == 404
    rotated = await client.post(url, headers=tenant_a.headers)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != endpoint["secret"]
    fetched = await client.get(f"{API}/endpoints/{endpoint['id']}", headers=tenant_a.headers)
    assert new_secret not in fetched.text and endpoint["secret"] not in fetched.text

    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Hai Chữ Ký"})
    [received] = await receiver.wait_for("/ok/rotation", lambda got: len(got) == 1)
    assert [s[:3] for s in received.headers["webhook-signature"].split(" ")] == ["v1,", "v1,"]
    for secret in (endpoint["secret"], new_secret):
        assert Webhook(secret).verify(received.body, received.headers)["data"]["name"] == "Hai Chữ Ký"

    async with app_conn.transaction():  # 24 hours later
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        await app_conn.execute("UPDATE webhook_endpoint SET previous_secret_expires_at = now() - interval '1 second' "
                               "WHERE id = $1", endpoint["id"])
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Một Chữ Ký"})
    _, later = await receiver.wait_for("/ok/rotation", lambda got: len(got) == 2)
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(new_secret).verify(later.body, later.headers)["data"]["name"] == "Một Chữ Ký"
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(later.body, later.headers)


async def test_rotating_twice_drops_the_oldest_secret(client, tenant_a, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/rotate-twice"),
                                     event_types=["customer.created"])
    url = f"{API}/endpoints/{endpoint['id']}/rotate-secret"
    second = (await client.post(url, headers=tenant_a.headers)).json()["secret"]
    third = (await client.post(url, headers=tenant_a.headers)).json()["secret"]
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Ba Lần"})
    [received] = await receiver.wait_for("/ok/rotate-twice", lambda got: len(got) == 1)
    for secret in (second, third):
        Webhook(secret).verify(received.body, received.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(received.body, received.headers)
