"""The tenant transaction of the service layer: one round trip sets the tenant; errors roll back."""

from __future__ import annotations

import uuid

import pytest

from services.contacts.schemas import CustomerCreate
from services.contacts.service import customers
from services.contacts.tables import Customer
from tenants.access import PERMISSIONS, Access
from tenants.context import NoTenantError, current_tenant_id, tenant_transaction
from tenants.ids import new_id

EVERYTHING = Access(user_id=None, role="owner", permissions=frozenset(PERMISSIONS), visibility="all")


async def test_service_functions_need_a_tenant(stack):
    with pytest.raises(NoTenantError):
        current_tenant_id()
    with pytest.raises(NoTenantError):
        await customers.count_customers()


async def test_an_error_rolls_the_whole_transaction_back(stack):
    tenant_id = new_id()

    async def create_then_fail() -> None:
        async with tenant_transaction(tenant_id):
            await customers.create_customer(CustomerCreate(name="Sẽ biến mất"), creator_id=None)
            assert await customers.count_customers() == 1
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await create_then_fail()
    async with tenant_transaction(tenant_id):
        assert await customers.count_customers() == 0


async def test_rows_written_in_one_tenant_are_invisible_in_another(stack):
    first, second = new_id(), new_id()
    async with tenant_transaction(first):
        created = await customers.create_customer(CustomerCreate(name="Nguyễn Văn A"), creator_id=None)
    async with tenant_transaction(second):
        assert await Customer.count() == 0  # even without the app's tenant filter
        assert await Customer.exists().where(Customer.id == created.id) is False
    async with tenant_transaction(first):
        assert (await customers.get_customer(EVERYTHING, created.id)).name == "Nguyễn Văn A"


def test_ids_are_uuid_v7_and_time_ordered():
    ids = [new_id() for _ in range(100)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert isinstance(ids[0], uuid.UUID)
