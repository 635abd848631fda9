"""Data visibility on partners: a salesperson sees the partners they look after, a manager their team's, an
admin all, and tenant B none of tenant A's; what hangs off an unseen partner answers 404 too."""

from __future__ import annotations

import datetime

from tests.contacts.helpers import create_customer, fields_at_fault
from tests.identity.members import sales_office
from tests.partners.helpers import API, new_partner

MONTH = {"period": "month", "period_start": datetime.date.today().replace(day=1).isoformat()}


async def _listed(client, user) -> set[str]:
    response = await client.get(f"{API}/partners", headers=user.headers)
    assert response.status_code == 200, response.text
    return {item["customer_name"] for item in response.json()["items"]}


async def test_a_salesperson_sees_their_partners_the_manager_the_teams_an_admin_all(client, tenant_a, tenant_b):
    office = await sales_office(client, tenant_a)
    anh, binh, chi, manager, admin, team_id = (office.anh, office.binh, office.chi, office.manager, office.admin,
                                               office.team_id)
    of_anh = await new_partner(client, tenant_a, "Đại lý của Anh", owner_id=str(anh.user_id))
    of_binh = await new_partner(client, tenant_a, "Đại lý của Bình", owner_id=str(binh.user_id))
    of_chi = await new_partner(client, tenant_a, "CTV của Chi", kind="collaborator", owner_id=str(chi.user_id))
    assert (of_anh["owner_id"], of_anh["team_id"]) == (str(anh.user_id), team_id)
    assert (of_chi["owner_id"], of_chi["team_id"]) == (str(chi.user_id), None)
    # Without an owner named, the creator looks after it, in the team they lead.
    of_manager = await new_partner(client, manager, "Đại lý của Dũng")
    assert (of_manager["owner_id"], of_manager["team_id"]) == (str(manager.user_id), team_id)
    of_b = await new_partner(client, tenant_b, "Đại lý của B")
    target = await client.post(f"{API}/targets", headers=tenant_a.headers, json={
        "partner_id": of_binh["id"], **MONTH, "target": 1_000, "tiers": [{"threshold_percent": 100, "rate_bp": 100}]})
    assert target.status_code == 201, target.text

    assert await _listed(client, anh) == {"Đại lý của Anh"}
    assert (await client.get(f"{API}/partners/{of_anh['id']}", headers=anh.headers)).status_code == 200
    for path, params in ((f"partners/{of_binh['id']}", {}), (f"partners/{of_binh['id']}/tree", {}),
                         (f"partners/{of_binh['id']}/agreements", {}), (f"results/{of_binh['id']}", MONTH),
                         (f"targets/{target.json()['id']}", {})):
        response = await client.get(f"{API}/{path}", headers=anh.headers, params=params)
        assert response.status_code == 404, (path, response.text)
    assert (await client.get(f"{API}/targets", headers=anh.headers)).json() == []
    results = (await client.get(f"{API}/results", headers=anh.headers, params={**MONTH, "kind": "dealer"})).json()
    assert [row["partner_id"] for row in results] == [of_anh["id"]]

    assert await _listed(client, manager) == {"Đại lý của Anh", "Đại lý của Bình", "Đại lý của Dũng"}
    assert (await client.get(f"{API}/partners/{of_binh['id']}", headers=manager.headers)).status_code == 200
    assert [t["id"] for t in (await client.get(f"{API}/targets", headers=manager.headers)).json()] == [
        target.json()["id"]]
    for method, body in (("GET", None), ("PATCH", {"tier": "gold"})):
        response = await client.request(method, f"{API}/partners/{of_chi['id']}", headers=manager.headers, json=body)
        assert response.status_code == 404, (method, response.text)
    # A manager makes partners only of customers they see.
    unseen = await create_customer(client, chi, name="Khách của Chi")
    refused = await client.post(f"{API}/partners", headers=manager.headers,
                                json={"customer_id": unseen["id"], "kind": "collaborator"})
    assert refused.status_code == 422 and fields_at_fault(refused) == ["customer_id"]

    everyone = {"Đại lý của Anh", "Đại lý của Bình", "CTV của Chi", "Đại lý của Dũng"}
    assert await _listed(client, admin) == everyone
    assert await _listed(client, tenant_b) == {"Đại lý của B"}
    assert (await client.get(f"{API}/partners/{of_anh['id']}", headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{API}/partners/{of_b['id']}", headers=admin.headers)).status_code == 404

    # Handed over to Anh, Chi's collaborator moves into Anh's team: Anh and the manager see it, Chi no more.
    handed = await client.patch(f"{API}/partners/{of_chi['id']}", headers=admin.headers,
                                json={"owner_id": str(anh.user_id)})
    assert handed.status_code == 200, handed.text
    assert (handed.json()["owner_id"], handed.json()["team_id"]) == (str(anh.user_id), team_id)
    assert await _listed(client, anh) == {"Đại lý của Anh", "CTV của Chi"}
    assert "CTV của Chi" in await _listed(client, manager)
    assert await _listed(client, chi) == set()
