"""Qualifying a lead into a new customer goes through contacts' duplicate check: 409 with the matches, then
qualify into the match or confirm a new one; another tenant's customers never match."""

from __future__ import annotations

from tests.contacts.helpers import CUSTOMERS, create_customer
from tests.pipeline.helpers import act, add_opportunity, default_stages


async def test_qualifying_a_lead_that_matches_a_customer(client, tenant_a, tenant_b):
    await default_stages(client, tenant_a)
    await default_stages(client, tenant_b)
    existing = await create_customer(client, tenant_a, name="Nguyễn Văn Ánh", phone="0912345678")
    lead = await add_opportunity(client, tenant_a, kind="lead", name="Anh Ánh hỏi giá", phone="0912 345 678",
                                 email="anh@example.vn")
    problem = await act(client, tenant_a, lead["id"], "qualify", {"new_customer_name": "Ánh"}, status=409)
    assert problem["code"] == "duplicate"
    assert problem["matches"] == [{"id": existing["id"], "code": existing["code"], "name": existing["name"],
                                   "rules": ["phone"]}]
    still = (await client.get(f"/api/pipeline/v1/opportunities/{lead['id']}", headers=tenant_a.headers)).json()
    assert (still["kind"], still["customer_id"]) == ("lead", None)
    assert len((await client.get(CUSTOMERS, headers=tenant_a.headers)).json()["items"]) == 1  # nothing created

    into_match = await act(client, tenant_a, lead["id"], "qualify", {"customer_id": existing["id"]})
    assert (into_match["kind"], into_match["customer_id"]) == ("opportunity", existing["id"])

    second = await add_opportunity(client, tenant_a, kind="lead", name="Lại anh Ánh", phone="0912345678")
    confirmed = await act(client, tenant_a, second["id"], "qualify",
                          {"new_customer_name": "Ánh (mới)", "confirm_duplicate": True})
    assert confirmed["customer_id"] not in (None, existing["id"])

    lead_b = await add_opportunity(client, tenant_b, kind="lead", name="Khách của B", phone="0912345678")
    assert (await act(client, tenant_b, lead_b["id"], "qualify", {}))["kind"] == "opportunity"
