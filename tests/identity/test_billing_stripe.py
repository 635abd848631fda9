"""Billing with Stripe, Stripe replaced only at the HTTP boundary (tests/stripe_standin.py): Checkout and the
portal send the right requests; the webhook receiver verifies, stores once and lets an rq worker apply each event
exactly once and in the right order; a failed payment leads through the grace period to read-only and back."""

from __future__ import annotations

import datetime
import json
import time
import uuid
from typing import Any

import pytest

from infra.jobs import queue
from infra.settings import get_settings
from services.identity.jobs import end_grace_periods, process_stripe_event
from services.identity.service.billing_stripe import idempotency_key
from services.identity.service.mail import deliver_pending_mail
from tests.identity.billing_helpers import (
    PRICES,
    SUPPORT,
    WEBHOOK,
    event,
    invoice,
    link_customer,
    send,
    set_prices,
    signature,
    subscription,
)
from tests.identity.members import add_member
from tests.identity.support_helpers import audit_log, support_headers
from tests.identity.test_tenant_lifecycle import run_worker

BILLING = "/api/identity/v1/billing"
CUSTOMERS = "/api/contacts/v1/customers"


@pytest.fixture
async def support(client, stack) -> dict[str, str]:
    headers = await support_headers(client, stack)
    await set_prices(client, headers)
    return headers


async def billing_of(client, tenant) -> dict[str, Any]:
    response = await client.get(BILLING, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def stored_events(owner_conn, event_id: str) -> list[Any]:
    return list(await owner_conn.fetch("SELECT * FROM stripe_event WHERE event_id = $1", event_id))


async def test_sign_up_starts_a_trial_subscription_with_the_plans_limits(client, tenant_a, owner_conn):
    body = await billing_of(client, tenant_a)
    assert (body["plan"]["code"], body["status"], body["tenant_status"], body["mode"]) == (
        "trial", "trialing", "active", "stripe")
    assert body["banner"] is None
    usage = (await client.get(f"{BILLING}/usage", headers=tenant_a.headers)).json()
    by_quota = {item["quota"]: item for item in usage["quotas"]}
    assert by_quota["seats"] == {"quota": "seats", "used": 1, "limit": 5}
    assert by_quota["customers"] == {"quota": "customers", "used": 0, "limit": 1000}
    assert set(by_quota) == {"seats", "customers", "storage_bytes", "webhook_endpoints", "custom_attributes"}
    rpm = await owner_conn.fetchval("SELECT requests_per_minute FROM tenant WHERE id = $1", tenant_a.tenant_id)
    assert rpm == body["plan"]["quotas"]["requests_per_minute"] == 600


async def test_checkout_sends_the_plans_price_one_seat_per_member_the_tenant_and_an_idempotency_key(
        client, support, tenant_a, tenant_b, stripe_standin, owner_conn):
    await add_member(tenant_a, "salesperson")
    customers_before = len(stripe_standin.sent("/v1/customers"))
    sessions_before = len(stripe_standin.sent("/v1/checkout/sessions"))
    headers = {**tenant_a.headers, "Idempotency-Key": "nang-cap-1"}
    response = await client.post(f"{BILLING}/checkout", headers=headers, json={"plan": "standard", "period": "yearly"})
    assert response.status_code == 201, response.text
    assert response.json()["url"].startswith("https://checkout.stripe.test/")

    customer_calls = stripe_standin.sent("/v1/customers")[customers_before:]
    assert len(customer_calls) == 1
    assert customer_calls[0].form["metadata[tenant_id]"] == str(tenant_a.tenant_id)
    assert customer_calls[0].idempotency_key == idempotency_key("customer", tenant_a.tenant_id)
    [sent] = stripe_standin.sent("/v1/checkout/sessions")[sessions_before:]
    assert sent.headers["authorization"] == "Bearer sk_test_standin"
    assert sent.form["mode"] == "subscription"
    assert sent.form["client_reference_id"] == str(tenant_a.tenant_id)
    assert sent.form["line_items[0][price]"] == PRICES["standard"][1]
    assert sent.form["line_items[0][quantity]"] == "2"  # the owner and the member
    assert sent.form["customer"] == await stripe_customer(owner_conn, tenant_a)
    expected_key = idempotency_key("checkout", tenant_a.tenant_id, "standard", "yearly", 2, "nang-cap-1")
    assert sent.idempotency_key == expected_key

    # The same request again is answered from our idempotency store: Stripe is not asked twice.
    again = await client.post(f"{BILLING}/checkout", headers=headers, json={"plan": "standard", "period": "yearly"})
    assert again.json() == response.json()
    assert len(stripe_standin.sent("/v1/checkout/sessions")) == sessions_before + 1
    # A later checkout reuses the tenant's customer; tenant B gets its own, with its own reference.
    await client.post(f"{BILLING}/checkout", headers=tenant_a.headers, json={"plan": "pro"})
    await client.post(f"{BILLING}/checkout", headers=tenant_b.headers, json={"plan": "pro"})
    assert len(stripe_standin.sent("/v1/customers")) == customers_before + 2
    last = stripe_standin.sent("/v1/checkout/sessions")[-1]
    assert (last.form["client_reference_id"], last.form["line_items[0][quantity]"]) == (str(tenant_b.tenant_id), "1")
    assert last.form["line_items[0][price]"] == PRICES["pro"][0]


async def stripe_customer(owner_conn, tenant) -> str:
    return str(await owner_conn.fetchval("SELECT stripe_customer_id FROM subscription WHERE tenant_id = $1",
                                         tenant.tenant_id))


async def test_checkout_refuses_an_unknown_plan_a_period_without_price_and_non_admins(client, support, tenant_a):
    unknown = await client.post(f"{BILLING}/checkout", headers=tenant_a.headers, json={"plan": "gold"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "plan"
    no_price = await client.post(f"{BILLING}/checkout", headers=tenant_a.headers,
                                 json={"plan": "pro", "period": "yearly"})
    assert (no_price.status_code, no_price.json()["errors"][0]["field"]) == (422, "period")
    extra = await client.post(f"{BILLING}/checkout", headers=tenant_a.headers, json={"plan": "pro", "coupon": "x"})
    assert extra.status_code == 422
    sales = await add_member(tenant_a, "salesperson")
    assert (await client.post(f"{BILLING}/checkout", headers=sales.headers, json={"plan": "pro"})).status_code == 403
    assert (await client.get(BILLING, headers=sales.headers)).status_code == 403


async def test_portal_session_for_the_tenants_customer(client, support, tenant_a, stripe_standin, owner_conn):
    response = await client.post(f"{BILLING}/portal", headers={**tenant_a.headers, "Idempotency-Key": "cong-1"})
    assert response.status_code == 201, response.text
    assert response.json()["url"].startswith("https://billing.stripe.test/p/session/")
    sent = stripe_standin.sent("/v1/billing_portal/sessions")[-1]
    assert sent.form["customer"] == await stripe_customer(owner_conn, tenant_a)
    assert sent.idempotency_key == idempotency_key("portal", tenant_a.tenant_id, "cong-1")
    [linked] = await audit_log(client, tenant_a.headers, action="billing.customer_create")  # made on first need
    assert linked["after"] == {"stripe_customer_id": sent.form["customer"]} and linked["actor_kind"] == "user"


async def test_a_bad_or_stale_signature_is_refused_and_nothing_is_stored(client, stack, tenant_a, owner_conn):
    customer = await link_customer(client, stack, tenant_a)
    # An event that changes the tenant's state when it is believed: the real customer's payment failed.
    body = event("invoice.payment_failed", invoice(customer))
    payload = json.dumps(body).encode()
    harmless = json.dumps(event("invoice.paid", invoice(customer))).encode()
    before = await billing_of(client, tenant_a)
    audited = await audit_entries(owner_conn, tenant_a)
    refused = [
        await send(client, body, secret="whsec_someone_else"),
        await send(client, body, timestamp=int(time.time()) - 600),
        await client.post(WEBHOOK, content=payload, headers={"Stripe-Signature": signature(harmless)}),  # tampered
        await client.post(WEBHOOK, content=payload),
        await client.post(WEBHOOK, content=b"{not json", headers={"Stripe-Signature": "t=1,v1=abc"}),
    ]
    for response in refused:
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    run_worker(stack)
    assert await stored_events(owner_conn, body["id"]) == []
    assert await billing_of(client, tenant_a) == before
    assert before["status"] == "trialing"
    assert await audit_entries(owner_conn, tenant_a) == audited

    # The very same event, signed by Stripe's secret, is applied: the refusals above were what stopped it.
    assert (await send(client, body)).status_code == 200
    run_worker(stack)
    assert (await billing_of(client, tenant_a))["status"] == "past_due"
    assert await audit_entries(owner_conn, tenant_a) == audited + 1


async def test_a_replayed_event_changes_nothing(client, stack, tenant_a, owner_conn):
    customer = await link_customer(client, stack, tenant_a)
    failed = event("invoice.payment_failed", invoice(customer))
    assert (await send(client, failed)).json() == {"received": True, "duplicate": False}
    run_worker(stack)
    after_first = await billing_of(client, tenant_a)
    audit_count = await audit_entries(owner_conn, tenant_a)
    replay = await send(client, failed)
    assert replay.json() == {"received": True, "duplicate": True}
    # The job itself delivered again (rq at-least-once): it finds the event taken.
    redelivered = queue("default").enqueue(process_stripe_event, failed["id"])
    run_worker(stack)
    assert redelivered.return_value() == "already processed"
    assert await billing_of(client, tenant_a) == after_first
    assert await audit_entries(owner_conn, tenant_a) == audit_count
    [row] = await stored_events(owner_conn, failed["id"])
    assert (row["outcome"], row["tenant_id"]) == ("applied", tenant_a.tenant_id)


async def audit_entries(owner_conn, tenant) -> int:
    async with owner_conn.transaction():
        await owner_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.tenant_id))
        return int(await owner_conn.fetchval("SELECT count(*) FROM audit_entry WHERE action = 'subscription.update'"))


async def test_events_out_of_order_end_in_the_state_of_the_latest(client, stack, support, tenant_a, tenant_b):
    customer = await link_customer(client, stack, tenant_a)
    now = int(time.time())
    created = event("customer.subscription.created",
                    subscription(tenant_a, customer, PRICES["standard"][0], "incomplete"), created=now - 60)
    updated = event("customer.subscription.updated",
                    subscription(tenant_a, customer, PRICES["pro"][0], "active", cancel_at_period_end=True),
                    created=now - 30)
    assert (await send(client, updated)).status_code == 200  # the later one first
    assert (await send(client, created)).status_code == 200
    run_worker(stack)
    body = await billing_of(client, tenant_a)
    assert (body["plan"]["code"], body["period"], body["status"], body["cancel_at_period_end"]) == (
        "pro", "monthly", "active", True)
    usage = {q["quota"]: q["limit"] for q in (await client.get(f"{BILLING}/usage", headers=tenant_a.headers)).json()[
        "quotas"]}
    assert usage["customers"] == 100000  # the Pro plan's limits followed
    assert (await billing_of(client, tenant_b))["plan"]["code"] == "trial"  # the other tenant untouched
    detail = await client.get(f"{SUPPORT}/tenants/{tenant_a.tenant_id}/billing", headers=support)
    outcomes = {e["type"]: e["outcome"] for e in detail.json()["events"]}
    assert outcomes["customer.subscription.created"].startswith("stale")
    assert detail.json()["stripe_customer_id"] == customer
    assert detail.json()["stripe_subscription_id"] == "sub_test"


async def test_payment_failure_grace_read_only_then_active_again_on_invoice_paid(client, stack, tenant_a,
                                                                                 owner_conn):
    customer = await link_customer(client, stack, tenant_a)
    now = int(time.time())
    await send(client, event("invoice.payment_failed", invoice(customer), created=now - 10))
    run_worker(stack)
    past_due = await billing_of(client, tenant_a)
    assert (past_due["status"], past_due["tenant_status"]) == ("past_due", "active")
    banner = past_due["banner"]
    assert banner["code"] == "payment_past_due" and "read-only" in banner["message_en"]
    read_only_from = datetime.datetime.fromisoformat(banner["read_only_from"])
    since = datetime.datetime.fromisoformat(past_due["past_due_since"])
    assert read_only_from - since == datetime.timedelta(days=7)
    # Within the grace period the company keeps working, and the grace job leaves it alone.
    assert (await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Vẫn ghi được"})).status_code == 201
    queue("default").enqueue(end_grace_periods)
    run_worker(stack)
    assert (await billing_of(client, tenant_a))["tenant_status"] == "active"

    # Eight days later the periodic job makes it read-only.
    await owner_conn.execute("UPDATE subscription SET past_due_since = now() - interval '8 days' "
                             "WHERE tenant_id = $1", tenant_a.tenant_id)
    queue("default").enqueue(end_grace_periods)
    run_worker(stack)
    locked = await billing_of(client, tenant_a)
    assert (locked["status"], locked["tenant_status"], locked["banner"]) == ("past_due", "read_only", None)
    assert (await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Bị chặn"})).status_code == 423
    # ...but it can still pay: Checkout and the portal stay open to a read-only company.
    assert (await client.post(f"{BILLING}/portal", headers=tenant_a.headers)).status_code == 201

    await send(client, event("invoice.paid", invoice(customer), created=now))
    run_worker(stack)
    paid = await billing_of(client, tenant_a)
    assert (paid["status"], paid["tenant_status"], paid["past_due_since"]) == ("active", "active", None)
    assert (await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Đã trả"})).status_code == 201

    async with owner_conn.transaction():
        await owner_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        changes = await owner_conn.fetch("SELECT after FROM audit_entry WHERE action = 'subscription.update' "
                                         "ORDER BY created_at")
        events = await owner_conn.fetch(  # the outbox lets the owner see every tenant (webhooks' reaper policy)
            "SELECT body FROM webhook_outbox WHERE tenant_id = $1 AND event_type = 'subscription.updated' "
            "ORDER BY created_at", tenant_a.tenant_id)
    states = [(json.loads(e["body"])["data"]["status"], json.loads(e["body"])["data"]["tenant_status"]) for e in events]
    assert states == [("past_due", "active"), ("past_due", "read_only"), ("active", "active")]
    assert [json.loads(c["after"]).get("tenant_status") for c in changes][-2:] == ["read_only", "active"]


async def test_canceled_at_period_end_makes_the_company_read_only_and_a_new_subscription_reactivates_it(
        client, stack, support, tenant_a):
    customer = await link_customer(client, stack, tenant_a)
    now = int(time.time())
    sub = subscription(tenant_a, customer, PRICES["standard"][0], "canceled", sub_id="sub_old")
    await send(client, event("customer.subscription.deleted", sub, created=now - 20))
    run_worker(stack)
    canceled = await billing_of(client, tenant_a)
    assert (canceled["status"], canceled["tenant_status"]) == ("canceled", "read_only")
    renewed = subscription(tenant_a, customer, PRICES["pro"][0], "active", sub_id="sub_new")
    await send(client, event("customer.subscription.created", renewed, created=now))
    run_worker(stack)
    active = await billing_of(client, tenant_a)
    assert (active["status"], active["tenant_status"], active["plan"]["code"]) == ("active", "active", "pro")


async def test_an_event_for_an_unknown_customer_is_stored_and_ignored(client, stack, owner_conn):
    stray = event("invoice.paid", invoice(f"cus_{uuid.uuid4().hex[:10]}"))
    assert (await send(client, stray)).status_code == 200
    run_worker(stack)
    [row] = await stored_events(owner_conn, stray["id"])
    assert (row["outcome"], row["tenant_id"]) == ("ignored: no tenant", None)


async def test_the_seat_quantity_follows_the_active_members(client, stack, support, tenant_a, stripe_standin,
                                                            mailbox):
    customer = await link_customer(client, stack, tenant_a)
    sub_id = f"sub_{uuid.uuid4().hex[:12]}"
    stripe_standin.subscriptions[sub_id] = subscription(tenant_a, customer, PRICES["standard"][0], "active",
                                                        sub_id=sub_id)
    await send(client, event("customer.subscription.created", stripe_standin.subscriptions[sub_id]))
    run_worker(stack)
    email = f"ghe-{uuid.uuid4().hex[:8]}@example.vn"
    invited = await client.post("/api/identity/v1/invitations", headers=tenant_a.headers,
                                json={"email": email, "role": "salesperson"})
    assert invited.status_code == 201, invited.text
    await deliver_pending_mail(get_settings())
    accepted = await client.post("/api/identity/v1/invitations/accept", json={
        "token": mailbox.token_for(email, "/accept-invitation"), "password": "mat-khau-nhan-vien-1",
        "full_name": "Thành Viên Mới"})
    assert accepted.status_code == 200, accepted.text
    run_worker(stack)
    [update] = stripe_standin.sent(f"/v1/subscriptions/{sub_id}")[-1:]
    assert (update.method, update.form["items[0][id]"], update.form["items[0][quantity]"]) == ("POST", "si_test", "2")
    assert update.idempotency_key and update.idempotency_key.startswith("crm-")

    member = (await client.get("/api/identity/v1/me", headers={
        "Authorization": f"Bearer {accepted.json()['access_token']}"})).json()["user_id"]
    deactivated = await client.post(f"/api/identity/v1/members/{member}/deactivate", headers=tenant_a.headers)
    assert deactivated.status_code == 204
    run_worker(stack)
    assert stripe_standin.subscriptions[sub_id]["items"]["data"][0]["quantity"] == 1
