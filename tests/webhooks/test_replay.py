"""Replay and recovery through HTTP: resend one delivery, recover an endpoint's failed deliveries in a window,
test-send a sample event; each verified with `standardwebhooks`, and tenant B never reaching tenant A's ids."""

from __future__ import annotations

import datetime

import msgspec
import pytest

from services.contacts.events import CustomerData
from tests.webhooks.test_delivery import deliveries_of, detail, settled_deliveries_of, verified
from tests.webhooks.test_endpoints import API, create_endpoint
from webhooks.delivery import RETRY_SCHEDULE
from webhooks.events import catalogue
from webhooks.replay import SAMPLE_UUID, sample_payload

pytestmark = pytest.mark.usefixtures("worker")
ALL_ATTEMPTS = 1 + len(RETRY_SCHEDULE)


async def test_resend_sends_the_same_message_again_with_the_same_webhook_id(client, tenant_a, tenant_b, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/resend"), event_types=["customer.created"])
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Gửi Lại"})
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    url = f"{API}/deliveries/{delivery['id']}/resend"
    assert (await client.post(url, headers=tenant_b.headers)).status_code == 404
    resent = await client.post(url, headers=tenant_a.headers)
    assert resent.status_code == 202, resent.text
    assert (resent.json()["status"], resent.json()["attempt_count"]) == ("pending", 0)
    first, second = await receiver.wait_for("/ok/resend", lambda got: len(got) == 2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery["message_id"]
    assert first.body == second.body and verified(endpoint, second)["data"]["name"] == "Gửi Lại"
    [after] = await settled_deliveries_of(client, tenant_a, endpoint)
    logged = await detail(client, tenant_a, after["id"])
    assert (logged["status"], logged["attempt_count"]) == ("succeeded", 1)
    assert [a["status_code"] for a in logged["attempts"]] == [200, 200]
    assert len(receiver.at("/ok/resend")) == 2  # tenant B's refused resend sent nothing


async def test_resend_refuses_a_pending_delivery_and_a_disabled_endpoint(client, tenant_a, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/resend-refused"))
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": "Tắt"})
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    await client.patch(f"{API}/endpoints/{endpoint['id']}", headers=tenant_a.headers, json={"enabled": False})
    refused = await client.post(f"{API}/deliveries/{delivery['id']}/resend",
                                headers={**tenant_a.headers, "Accept-Language": "en"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "endpoint_disabled" and refused.json()["i18n"]["vi"]["detail"]
    assert (await detail(client, tenant_a, delivery["id"]))["status"] == "succeeded"  # rolled back, not re-queued


async def test_recover_requeues_the_failed_deliveries_in_the_window(client, tenant_a, tenant_b, receiver):
    path = f"/fail/{ALL_ATTEMPTS}/recover"
    endpoint = await create_endpoint(client, tenant_a, receiver.url(path), event_types=["customer.created"])
    since = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(seconds=1)
    for name in ("Hỏng Một", "Hỏng Hai"):
        await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": name})
    await receiver.wait_for(path, lambda got: len(got) >= 2 * ALL_ATTEMPTS, seconds=90)
    failed = await settled_deliveries_of(client, tenant_a, endpoint)
    assert [d["status"] for d in failed] == ["failed", "failed"]
    url = f"{API}/endpoints/{endpoint['id']}/recover"
    before = {"since": (since - datetime.timedelta(hours=1)).isoformat(), "until": since.isoformat()}
    assert (await client.post(url, headers=tenant_a.headers, json=before)).json() == {"queued": 0}
    assert (await client.post(url, headers=tenant_b.headers, json={"since": since.isoformat()})).status_code == 404
    recovered = await client.post(url, headers=tenant_a.headers, json={"since": since.isoformat()})
    assert (recovered.status_code, recovered.json()) == (202, {"queued": 2})
    received = await receiver.wait_for(path, lambda got: sum(r.status == 200 for r in got) == 2)
    delivered = [r for r in received if r.status == 200]
    assert {verified(endpoint, r)["data"]["name"] for r in delivered} == {"Hỏng Một", "Hỏng Hai"}
    assert {r.headers["webhook-id"] for r in delivered} == {d["message_id"] for d in failed}
    settled = await settled_deliveries_of(client, tenant_a, endpoint)
    assert [d["status"] for d in settled] == ["succeeded", "succeeded"]
    assert (await client.post(url, headers=tenant_a.headers, json={"since": since.isoformat()})).json() == {"queued": 0}


@pytest.mark.parametrize(("body", "field", "code"), [
    ({}, "since", "required"),
    ({"since": "yesterday"}, "since", "invalid_format"),
    ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until", "before_since"),
    ({"since": "2026-01-01T00:00:00Z", "status": "failed"}, "status", "unknown_field"),
])
async def test_a_bad_recovery_window_names_the_field(client, tenant_a, receiver, body, field, code):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/bad-window"))
    response = await client.post(f"{API}/endpoints/{endpoint['id']}/recover", headers=tenant_a.headers, json=body)
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


async def test_a_test_send_delivers_a_sample_event_to_that_endpoint_only(client, tenant_a, tenant_b, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/test-send"))
    other = await create_endpoint(client, tenant_a, receiver.url("/ok/test-send-other"))
    url = f"{API}/endpoints/{endpoint['id']}/test"
    assert (await client.post(url, headers=tenant_b.headers, json={"event_type": "customer.created"})
            ).status_code == 404
    unknown = await client.post(url, headers=tenant_a.headers, json={"event_type": "customer.exploded"})
    assert unknown.status_code == 422
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [("event_type", "unknown_event_type")]
    sent = await client.post(url, headers=tenant_a.headers, json={"event_type": "customer.created"})
    assert sent.status_code == 202, sent.text
    assert (sent.json()["event_type"], sent.json()["endpoint_id"]) == ("customer.created", endpoint["id"])
    [received] = await receiver.wait_for("/ok/test-send", lambda got: len(got) == 1)
    message = verified(endpoint, received)
    assert message["type"] == "customer.created"
    data = msgspec.convert(message["data"], CustomerData, strict=False)
    assert data.id == SAMPLE_UUID and received.headers["webhook-id"] == sent.json()["message_id"]
    assert receiver.at("/ok/test-send-other") == []
    assert [d["status"] for d in await settled_deliveries_of(client, tenant_a, endpoint)] == ["succeeded"]
    assert await deliveries_of(client, tenant_a, other) == []


def test_every_event_in_the_catalogue_has_a_valid_sample():
    for event in catalogue().values():
        assert isinstance(sample_payload(event), event.payload)
