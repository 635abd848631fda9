"""`crm seed-demo`: a demo tenant with a little data, created once and reused on later runs."""

from __future__ import annotations

import msgspec

from infra.settings import Settings
from services.contacts.schemas import CustomerCreate
from services.contacts.service import customers as contacts
from services.identity.schemas import SignupRequest
from services.identity.service import auth as identity
from services.identity.service import billing
from services.identity.tables import Tenant
from services.partners.schemas import TerritoryCreate
from services.partners.service import territories as partners
from services.pipeline.service import stages as pipeline
from tenants.context import tenant_transaction


class DemoLogin(msgspec.Struct):
    email: str
    password: str
    tenant_slug: str


DEMO = DemoLogin(email="demo@crm.local", password="demo-password-2026", tenant_slug="demo")  # noqa: S106

DEMO_CUSTOMERS = [
    CustomerCreate(name="Công ty TNHH Thương mại Nguyễn Hoàng", phone="0912 345 678", lifecycle_stage="lead"),
    CustomerCreate(name="Trần Thị Bích Ngọc", kind="individual", email="ngoc.tran@example.vn",
                   lifecycle_stage="customer"),
    CustomerCreate(name="Công ty Cổ phần Đầu tư Phát triển Đà Nẵng", phone="+84 236 382 2222"),
    CustomerCreate(name="Lê Văn Đức", kind="individual", phone="0987654321", lifecycle_stage="member"),
    CustomerCreate(name="Hợp tác xã Nông nghiệp Đồng Tháp", lifecycle_stage="loyal"),
]


async def seed_demo(settings: Settings) -> DemoLogin:
    if await Tenant.exists().where(Tenant.slug == DEMO.tenant_slug):
        return DEMO
    token = await identity.signup(settings, SignupRequest(
        company_name="Công ty Demo", email=DEMO.email, password=DEMO.password, language="vi",
        full_name="Người dùng Demo", slug=DEMO.tenant_slug))
    async with tenant_transaction(token.tenant_id):
        for customer in DEMO_CUSTOMERS:
            await contacts.create_customer(customer, creator_id=None)
        await pipeline.ensure_default_stages()
        await partners.create_territory(TerritoryCreate(name="Miền Bắc", province_codes=["01", "31", "22"]))
        await partners.create_territory(TerritoryCreate(name="Miền Nam", province_codes=["79", "74", "75"]))
        await billing.set_plan(token.tenant_id, "pro", "monthly")  # local mode: no trial running out on the demo
    return DEMO
