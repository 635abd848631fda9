"""Billing test helpers: Stripe events signed the way Stripe signs them, sent to the webhook receiver, and the
rq worker that processes them."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import stripe

from tests.conftest import STRIPE_WEBHOOK_SECRET, TenantUser
from tests.identity.test_tenant_lifecycle import run_worker

WEBHOOK = "/api/identity/v1/billing/stripe/webhook"
SUPPORT = "/api/identity/v1/support"
PRICES = {"standard": ("price_standard_monthly", "price_standard_yearly"), "pro": ("price_pro_monthly", "")}

def event(event_type: str, obj: dict[str, Any], created: int | None = None) -> dict[str, Any]:
    return {"id": f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": event_type,
            "created": created or int(time.time()), "livemode": False, "data": {"object": obj}}


def subscription(tenant: TenantUser, customer: str, price: str, status: str, *, period_end: int | None = None,
                 cancel_at_period_end: bool = False, sub_id: str = "sub_test") -> dict[str, Any]:
    return {"id": sub_id, "object": "subscription", "customer": customer, "status": status,
            "cancel_at_period_end": cancel_at_period_end, "metadata": {"tenant_id": str(tenant.tenant_id)},
            "items": {"object": "list", "data": [{"id": "si_test", "quantity": 1, "price": {"id": price},
                                                   "current_period_end": period_end or int(time.time()) + 30 * 86400}]}}


def invoice(customer: str, sub_id: str = "sub_test") -> dict[str, Any]:
    return {"id": f"in_{uuid.uuid4().hex[:12]}", "object": "invoice", "customer": customer, "subscription": sub_id}


def signature(payload: bytes, timestamp: int | None = None, secret: str = STRIPE_WEBHOOK_SECRET) -> str:
    return str(stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret, timestamp=timestamp or int(time.time())))


async def send(client: httpx.AsyncClient, body: dict[str, Any], **sign: Any) -> httpx.Response:
    payload = json.dumps(body).encode()
    return await client.post(WEBHOOK, content=payload, headers={
        "Stripe-Signature": signature(payload, **sign), "Content-Type": "application/json"})


async def link_customer(client: httpx.AsyncClient, stack: Any, tenant: TenantUser) -> str:
    """Checkout completed for `tenant`: its Stripe customer and subscription are linked; the customer id."""
    customer = f"cus_{uuid.uuid4().hex[:14]}"
    response = await send(client, event("checkout.session.completed", {
        "id": f"cs_{uuid.uuid4().hex[:10]}", "object": "checkout.session", "mode": "subscription",
        "client_reference_id": str(tenant.tenant_id), "customer": customer, "subscription": "sub_test"}))
    assert response.status_code == 200, response.text
    run_worker(stack)
    return customer


async def set_prices(client: httpx.AsyncClient, support: dict[str, str]) -> None:
    for code, (monthly, yearly) in PRICES.items():
        response = await client.patch(f"{SUPPORT}/plans/{code}", headers=support,
                                      json={"stripe_price_monthly": monthly, "stripe_price_yearly": yearly})
        assert response.status_code == 200, response.text
