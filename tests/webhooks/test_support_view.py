"""Support staff see failing endpoints across tenants (never a secret); tenants filter their delivery log."""

from __future__ import annotations

import uuid

import pytest

from tests.identity.support_helpers import support_headers
from tests.webhooks.test_delivery import settled_deliveries_of
from tests.webhooks.test_delivery_rules import emit_deletions, endpoint_state
from tests.webhooks.test_endpoints import API, create_endpoint

pytestmark = pytest.mark.usefixtures("worker")


async def test_support_sees_failing_and_disabled_endpoints_of_every_tenant(
        client, stack, tenant_a, tenant_b, receiver):
    gone = await create_endpoint(client, tenant_a, receiver.url("/gone/support-a"), event_types=["customer.deleted"])
    failing = await create_endpoint(client, tenant_b, receiver.url("/fail/99/support-b"),
                                    event_types=["customer.deleted"])
    healthy = await create_endpoint(client, tenant_b, receiver.url("/ok/support-b"), event_types=["customer.deleted"])
    await emit_deletions(tenant_a.tenant_id, 1, one_transaction=True)
    await emit_deletions(tenant_b.tenant_id, 1, one_transaction=True)
    await endpoint_state(client, tenant_a, gone, lambda state: not state["enabled"])
    await endpoint_state(client, tenant_b, failing, lambda state: state["failing_since"] is not None)
    await receiver.wait_for("/ok/support-b", lambda got: len(got) == 1)
    support = await support_headers(client, stack)
    response = await client.get(f"{API}/support/failing-endpoints", headers=support, params={"limit": 200})
    assert response.status_code == 200, response.text
    listed = {item["id"]: item for item in response.json()}
    assert (listed[gone["id"]]["tenant_id"], listed[gone["id"]]["tenant_name"], listed[gone["id"]]["enabled"],
            listed[gone["id"]]["disabled_reason"]) == (str(tenant_a.tenant_id), "Công ty An Phát", False, "gone")
    assert (listed[failing["id"]]["tenant_name"], listed[failing["id"]]["enabled"]) == ("Công ty Bình Minh", True)
    assert listed[failing["id"]]["failing_since"] is not None
    assert healthy["id"] not in listed
    assert not any("secret" in key for item in listed.values() for key in item)
    no_token: dict[str, str] = {}
    for headers in (tenant_a.headers, no_token):  # a tenant token is not a support token
        assert (await client.get(f"{API}/support/failing-endpoints", headers=headers)).status_code == 401
        assert (await client.get(f"{API}/support/failing-endpoints", headers=headers,
                                 params={"tenant_id": str(tenant_a.tenant_id)})).status_code == 401

    async def of_tenant(tenant_id, **params):
        response = await client.get(f"{API}/support/failing-endpoints", headers=support,
                                    params={"tenant_id": str(tenant_id), **params})
        assert response.status_code == 200, response.text
        return response.json()

    [only_a] = await of_tenant(tenant_a.tenant_id)  # B's failing endpoint is not among A's
    assert only_a == listed[gone["id"]]
    assert [item["id"] for item in await of_tenant(tenant_b.tenant_id)] == [failing["id"]]
    assert await of_tenant(uuid.uuid4()) == []
    bad = await client.get(f"{API}/support/failing-endpoints", headers=support, params={"tenant_id": "an-phat"})
    assert bad.status_code == 422 and "tenant_id" in bad.text


async def test_the_delivery_log_filters_by_status_event_type_and_time(client, tenant_a, tenant_b, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/gone/filtered"))
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Lọc"})
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    url = f"{API}/endpoints/{endpoint['id']}/deliveries"

    async def listed(**params):
        response = await client.get(url, headers=tenant_a.headers, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await listed(status="failed", event_type="customer.created") == [delivery["id"]]
    assert await listed(status="succeeded") == []
    assert await listed(event_type="customer.deleted") == []
    assert await listed(since=delivery["created_at"]) == [delivery["id"]]
    assert await listed(until=delivery["created_at"]) == []
    bad = await client.get(url, headers=tenant_a.headers, params={"status": "lost"})
    assert bad.status_code == 422 and "status" in bad.text
    assert (await client.get(url, headers=tenant_b.headers, params={"status": "failed"})).status_code == 404
