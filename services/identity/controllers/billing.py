"""Billing: the tenant's plan, usage, Checkout and portal; Stripe's webhook; plans and plan changes for support."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from infra.runtime import Runtime
from services.identity.controllers.support import SupportStaffId, provide_staff_id
from services.identity.schemas import (
    CheckoutRequest,
    PlanAssignment,
    PlanOut,
    PlanUpdate,
    RedirectOut,
    StripeWebhookAck,
    SubscriptionOut,
    SupportBillingOut,
    UsageOut,
)
from services.identity.service import billing, billing_events, billing_stripe, plans, support_billing
from tenants import lifecycle
from tenants.access import requires
from tenants.auth import TenantScope

OPEN_WHEN_READ_ONLY = {"open_when_read_only": True}  # a read-only company pays to become active again


class BillingController(Controller):
    path = "/billing"
    tags = ["billing"]

    @get(guards=[requires("billing:manage")], summary="The plan, subscription status and any payment banner")
    async def subscription(self, tenant: TenantScope) -> SubscriptionOut:
        return await billing.tenant_subscription(tenant.tenant_id)

    @get("/usage", guards=[requires("billing:manage")], summary="Usage against each quota of the plan")
    async def usage(self, tenant: TenantScope) -> UsageOut:
        return await billing.usage(tenant.tenant_id)

    @get("/plans", guards=[requires("billing:manage")], summary="The plans one can subscribe to")
    async def list_plans(self) -> list[PlanOut]:
        return await plans.list_plans()

    @post("/checkout", guards=[requires("billing:manage")], opt=OPEN_WHEN_READ_ONLY,
          summary="Start a Stripe Checkout for a plan and period; answers the page to send the browser to")
    async def checkout(self, request: Request[Any, Any, Any], tenant: TenantScope,
                       data: JSONBody[CheckoutRequest]) -> RedirectOut:
        return await billing_stripe.checkout(request.app.state.settings, tenant.tenant_id, data,
                                             request.headers.get("idempotency-key"))

    @post("/portal", guards=[requires("billing:manage")], opt=OPEN_WHEN_READ_ONLY,
          summary="Open Stripe's customer portal (payment method, invoices, cancel)")
    async def portal(self, request: Request[Any, Any, Any], tenant: TenantScope) -> RedirectOut:
        return await billing_stripe.portal(request.app.state.settings, tenant.tenant_id,
                                           request.headers.get("idempotency-key"))


class StripeWebhookController(Controller):
    path = "/billing/stripe/webhook"
    tags = ["billing"]
    opt = {"public": True}  # Stripe signs it; no tenant token

    @post(status_code=200, summary="Stripe's webhook: verified, stored by event id, processed by a job")
    async def receive(self, request: Request[Any, Any, Any]) -> StripeWebhookAck:
        return await billing_events.receive(request.app.state.settings, await request.body(),
                                            request.headers.get("stripe-signature"))


class SupportBillingController(Controller):
    path = "/support"
    tags = ["support"]
    opt = {"public": True}  # support tokens, checked by `staff_id`
    dependencies = {"staff_id": Provide(provide_staff_id)}

    @get("/plans", summary="Every plan with its quotas, features and Stripe prices")
    async def list_plans(self, staff_id: SupportStaffId) -> list[PlanOut]:
        return await plans.list_plans()

    @patch("/plans/{code:str}", summary="Edit a plan; the tenants on it get its new limits")
    async def update_plan(self, staff_id: SupportStaffId, code: FromPath[str],
                          data: JSONBody[PlanUpdate]) -> PlanOut:
        return await support_billing.update_plan(staff_id, code, data)

    @get("/tenants/{tenant_id:uuid}/billing", summary="A tenant's subscription, Stripe ids, usage and events")
    async def tenant_billing(self, staff_id: SupportStaffId, tenant_id: FromPath[uuid.UUID]) -> SupportBillingOut:
        return await support_billing.tenant_billing(tenant_id)

    @put("/tenants/{tenant_id:uuid}/plan", summary="Put a tenant on a plan (local mode, or a deal outside Stripe)")
    async def set_plan(self, staff_id: SupportStaffId, runtime: NamedDependency[Runtime],
                       tenant_id: FromPath[uuid.UUID], data: JSONBody[PlanAssignment]) -> SubscriptionOut:
        if await support_billing.set_plan(staff_id, tenant_id, data):
            await lifecycle.forget_status(runtime.redis, tenant_id)
        return await billing.tenant_subscription(tenant_id)
