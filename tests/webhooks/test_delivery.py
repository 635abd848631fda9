"""Delivery end to end: contacts' change → outbox → dispatcher → a real rq worker → a real receiver on loopback.
Every message is verified with the independent `standardwebhooks` package."""

from __future__ import annotations

import asyncio
import datetime
import itertools
import json
import uuid

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.contacts.events import CUSTOMER_DELETED, CustomerDeleted
from tenants.context import tenant_transaction
from tests.webhooks.conftest import RETRY_SCALE
from tests.webhooks.test_endpoints import API, create_endpoint
from webhooks.delivery import RETRY_SCHEDULE
from webhooks.outbox import emit

pytestmark = pytest.mark.usefixtures("worker")
SETTLE_SECONDS = 2.5  # longer than a scheduler tick: time enough for a duplicate to show up


def verified(endpoint, received):
    """The envelope, once its signature checks out with the endpoint's secret."""
    return Webhook(endpoint["secret"]).verify(received.body, received.headers)


async def deliveries_of(client, user, endpoint):
    page = await client.get(f"{API}/endpoints/{endpoint['id']}/deliveries", headers=user.headers)
    assert page.status_code == 200, page.text
    return page.json()["items"]


async def settled_deliveries_of(client, user, endpoint, seconds: float = 30):
    """The delivery log once no delivery is still on its way: the receiver can have the request before the
    worker has committed its outcome."""
    for _ in range(int(seconds * 10)):
        logged = await deliveries_of(client, user, endpoint)
        if logged and all(d["status"] in ("succeeded", "failed", "cancelled") for d in logged):
            return logged
        await asyncio.sleep(0.1)
    raise AssertionError(f"deliveries still in flight after {seconds} s: {logged}")


async def detail(client, user, delivery_id):
    response = await client.get(f"{API}/deliveries/{delivery_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def outbox_rows(app_conn, tenant_id, customer_id):
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        return await app_conn.fetchval("SELECT count(*) FROM webhook_outbox WHERE body::jsonb #>> '{data,id}' = $1",
                                       str(customer_id))


async def test_a_customers_life_arrives_signed_in_order_of_events(client, tenant_a, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/life"))
    created = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                                json={"name": "Công ty Hòa Bình", "email": "kt@hoabinh.vn", "phone": "0912345678"})
    customer = created.json()
    url = f"/api/contacts/v1/customers/{customer['id']}"
    assert (await client.patch(url, headers=tenant_a.headers, json={"lifecycle_stage": "lead"})).status_code == 200
    assert (await client.delete(url, headers=tenant_a.headers)).status_code == 204
    received = await receiver.wait_for("/ok/life", lambda got: len(got) >= 3)
    envelopes = {envelope["type"]: envelope for envelope in (verified(endpoint, r) for r in received)}
    assert envelopes.keys() == {"customer.created", "customer.updated", "customer.deleted"}
    data = envelopes["customer.created"]["data"]
    assert data == {key: customer[key] for key in data}
    assert envelopes["customer.created"]["data"]["phone"] == "+84912345678"
    assert envelopes["customer.updated"]["data"]["lifecycle_stage"] == "lead"
    assert envelopes["customer.deleted"]["data"] == {"id": customer["id"], "code": customer["code"]}
    assert all(r.headers["webhook-id"].startswith("msg_") and r.headers["content-type"] == "application/json"
               for r in received)
    assert len({r.headers["webhook-id"] for r in received}) == 3
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(received[0].body + b" ", received[0].headers)
    logged = await settled_deliveries_of(client, tenant_a, endpoint)
    assert sorted(d["status"] for d in logged) == ["succeeded"] * 3
    assert {d["message_id"] for d in logged} == {r.headers["webhook-id"] for r in received}


async def test_a_rolled_back_change_emits_nothing_and_a_committed_one_exactly_one_event(
        client, app_conn, tenant_a, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/outbox"), event_types=["customer.deleted"])
    rolled_back, committed = uuid.uuid4(), uuid.uuid4()

    async def change_that_fails_after_emitting() -> None:
        async with tenant_transaction(tenant_a.tenant_id):
            await emit(CUSTOMER_DELETED, CustomerDeleted(id=rolled_back, code="KH-HUY"))
            raise RuntimeError("the change fails after its event was written")

    with pytest.raises(RuntimeError):
        await change_that_fails_after_emitting()
    async with tenant_transaction(tenant_a.tenant_id):
        await emit(CUSTOMER_DELETED, CustomerDeleted(id=committed, code="KH-GIU"))
    received = await receiver.wait_for("/ok/outbox", lambda got: len(got) >= 1)
    await asyncio.sleep(SETTLE_SECONDS)
    received = receiver.at("/ok/outbox")
    assert [verified(endpoint, r)["data"]["id"] for r in received] == [str(committed)]
    assert (await outbox_rows(app_conn, tenant_a.tenant_id, rolled_back),
            await outbox_rows(app_conn, tenant_a.tenant_id, committed)) == (0, 1)


async def test_a_receiver_failing_twice_gets_the_message_on_the_third_attempt_with_the_same_id(
        client, tenant_a, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/fail/2/retry"), event_types=["customer.created"])
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Kiên Nhẫn"})
    received = await receiver.wait_for("/fail/2/retry", lambda got: len(got) >= 3)
    assert [r.status for r in received] == [500, 500, 200]
    assert len({r.headers["webhook-id"] for r in received}) == 1
    assert len({r.body for r in received}) == 1
    for r in received:
        assert verified(endpoint, r)["data"]["name"] == "Kiên Nhẫn"
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    logged = await detail(client, tenant_a, delivery["id"])
    assert (logged["status"], logged["attempt_count"]) == ("succeeded", 3)
    assert [a["status_code"] for a in logged["attempts"]] == [500, 500, 200]
    assert logged["attempts"][0]["response_excerpt"] == "answered 500"
    assert all(a["duration_ms"] >= 0 and a["error"] is None for a in logged["attempts"])
    assert logged["delivered_at"] == logged["attempts"][-1]["attempted_at"]


async def test_a_410_disables_the_endpoint(client, tenant_a, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/gone/erp"))
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Đi Xa"})
    await receiver.wait_for("/gone/erp", lambda got: len(got) == 1)
    url = f"{API}/endpoints/{endpoint['id']}"
    for _ in range(50):
        state = (await client.get(url, headers=tenant_a.headers)).json()
        if not state["enabled"]:
            break
        await asyncio.sleep(0.1)
    assert (state["enabled"], state["disabled_reason"]) == (False, "gone")
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    assert (delivery["status"], delivery["attempt_count"]) == ("failed", 1)
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Không Gửi Nữa"})
    await asyncio.sleep(SETTLE_SECONDS)
    assert len(receiver.at("/gone/erp")) == 1
    assert len(await deliveries_of(client, tenant_a, endpoint)) == 1
    enabled = await client.patch(url, headers=tenant_a.headers, json={"enabled": True})
    assert (enabled.json()["enabled"], enabled.json()["disabled_reason"]) == (True, None)


async def test_tenants_receive_and_see_only_their_own_deliveries(client, tenant_a, tenant_b, receiver):
    endpoint_a = await create_endpoint(client, tenant_a, receiver.url("/ok/tenant-a"))
    endpoint_b = await create_endpoint(client, tenant_b, receiver.url("/ok/tenant-b"))
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Của A"})
    [received] = await receiver.wait_for("/ok/tenant-a", lambda got: len(got) == 1)
    assert verified(endpoint_a, received)["data"]["name"] == "Của A"
    with pytest.raises(WebhookVerificationError):
        verified(endpoint_b, received)  # each endpoint has its own secret
    await asyncio.sleep(SETTLE_SECONDS)
    assert receiver.at("/ok/tenant-b") == []
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint_a)
    assert (await client.get(f"{API}/deliveries/{delivery['id']}", headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{API}/endpoints/{endpoint_a['id']}/deliveries",
                             headers=tenant_b.headers)).status_code == 404
    assert await deliveries_of(client, tenant_b, endpoint_b) == []
    assert json.loads(received.body)["type"] == "customer.created"


async def test_a_receiver_that_never_answers_2xx_gets_the_first_attempt_and_seven_retries(
        client, tenant_a, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/fail/99/never"),
                                     event_types=["customer.created"])
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Không Bao Giờ"})
    await receiver.wait_for("/fail/99/never", lambda got: len(got) >= 1 + len(RETRY_SCHEDULE), seconds=90)
    await asyncio.sleep(SETTLE_SECONDS)
    received = receiver.at("/fail/99/never")
    assert len(received) == 8 and len({r.headers["webhook-id"] for r in received}) == 1
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    logged = await detail(client, tenant_a, delivery["id"])
    assert (logged["status"], logged["attempt_count"], logged["next_attempt_at"]) == ("failed", 8, None)
    times = [datetime.datetime.fromisoformat(a["attempted_at"]) for a in logged["attempts"]]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= delay * float(RETRY_SCALE) for gap, delay in zip(gaps, RETRY_SCHEDULE, strict=True))
