"""Stages in full: per team, reorder in one call, update, delete with a move."""

from __future__ import annotations

from tests.pipeline.helpers import API, add_opportunity, add_stages, add_team, default_stages


async def test_stage_fields_team_scope_and_reorder(client, tenant_a, tenant_b):
    shared = await default_stages(client, tenant_a)
    team = await add_team(client, tenant_a, "Nhóm Hà Nội")
    other = await add_team(client, tenant_a, "Nhóm Sài Gòn")
    own = await add_stages(client, tenant_a, ("Demo", 40, False), ("Trial", 70, False), team_id=team["id"],
                           is_folded=True, requirements="Đã gửi tài liệu", rotting_days=7)
    await add_stages(client, tenant_a, ("Elsewhere", 20, False), team_id=other["id"])
    assert own[0] | {"id": None} == {
        "id": None, "name_vi": "GĐ Demo", "name_en": "Demo", "sequence": 3, "probability": 40, "is_won": False,
        "team_id": team["id"], "is_folded": True, "requirements": "Đã gửi tài liệu", "rotting_days": 7}

    used = await client.get(f"{API}/stages", headers=tenant_a.headers, params={"team_id": team["id"]})
    assert [s["name_en"] for s in used.json()] == ["New", "Proposal", "Won", "Demo", "Trial"]

    # All the tenant's stages in a new order, in one call.
    everything = [s["id"] for s in (await client.get(f"{API}/stages", headers=tenant_a.headers)).json()]
    order = everything[::-1]
    reordered = await client.put(f"{API}/stages/order", headers=tenant_a.headers, json={"stage_ids": order})
    assert reordered.status_code == 200, reordered.text
    assert [s["id"] for s in reordered.json()] == order
    assert [s["sequence"] for s in reordered.json()] == list(range(len(order)))
    # A team's board: the shared stages and its own, in the order given.
    board_order = [own[1]["id"], shared[0]["id"], own[0]["id"], shared[1]["id"], shared[2]["id"]]
    team_order = await client.put(f"{API}/stages/order", headers=tenant_a.headers,
                                  json={"team_id": team["id"], "stage_ids": board_order})
    assert team_order.status_code == 200, team_order.text
    assert [s["name_en"] for s in team_order.json()] == ["Trial", "New", "Demo", "Proposal", "Won"]
    used = await client.get(f"{API}/stages", headers=tenant_a.headers, params={"team_id": team["id"]})
    assert [s["id"] for s in used.json()] == board_order

    # A partial list, a stage twice, or another team's stage is refused naming the field.
    for stage_ids in (board_order[:-1], board_order[:-1] + board_order[:1], board_order[:-1] + everything[-1:]):
        bad = await client.put(f"{API}/stages/order", headers=tenant_a.headers,
                               json={"team_id": team["id"], "stage_ids": stage_ids})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "stage_ids"
    # Tenant B cannot order tenant A's stages, nor see them.
    foreign = await client.put(f"{API}/stages/order", headers=tenant_b.headers, json={"stage_ids": order})
    assert foreign.status_code == 422
    assert (await client.get(f"{API}/stages/{own[0]['id']}", headers=tenant_b.headers)).status_code == 404
    assert (await client.patch(f"{API}/stages/{own[0]['id']}", headers=tenant_b.headers,
                               json={"name_en": "X"})).status_code == 404
    assert (await client.delete(f"{API}/stages/{own[0]['id']}", headers=tenant_b.headers)).status_code == 404
    # A stage for another tenant's team is refused.
    bad_team = await client.post(f"{API}/stages", headers=tenant_b.headers,
                                 json={"name_vi": "A", "name_en": "A", "team_id": team["id"]})
    assert bad_team.status_code == 422
    assert bad_team.json()["errors"][0]["field"] == "team_id"


async def test_update_stage(client, tenant_a):
    stage, = await add_stages(client, tenant_a, ("New", 10, False))
    response = await client.patch(f"{API}/stages/{stage['id']}", headers=tenant_a.headers, json={
        "name_vi": " Mới ", "rotting_days": 14, "requirements": None, "is_folded": True})
    assert response.status_code == 200, response.text
    assert response.json() | {"id": None, "sequence": None} == stage | {
        "id": None, "sequence": None, "name_vi": "Mới", "rotting_days": 14, "is_folded": True}
    won = await client.patch(f"{API}/stages/{stage['id']}", headers=tenant_a.headers, json={"is_won": True})
    assert won.json()["probability"] == 100
    bad = await client.patch(f"{API}/stages/{stage['id']}", headers=tenant_a.headers, json={"rotting_days": 0})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "rotting_days"
    unknown = await client.patch(f"{API}/stages/{stage['id']}", headers=tenant_a.headers, json={"colour": "red"})
    assert unknown.status_code in (400, 422)
    assert unknown.headers["content-type"].startswith("application/problem+json")


async def test_delete_stage_with_opportunities_needs_move_to(client, tenant_a):
    new, proposal, _won = await default_stages(client, tenant_a)
    empty, = await add_stages(client, tenant_a, ("Spare", 5, False))
    held = [await add_opportunity(client, tenant_a, name=f"Cơ hội {n}", stage_id=proposal["id"]) for n in range(3)]

    refused = await client.delete(f"{API}/stages/{proposal['id']}", headers=tenant_a.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "stage_not_empty"
    same = await client.delete(f"{API}/stages/{proposal['id']}", headers=tenant_a.headers,
                               params={"move_to": proposal["id"]})
    assert same.status_code == 422
    assert same.json()["errors"][0]["field"] == "move_to"

    moved = await client.delete(f"{API}/stages/{proposal['id']}", headers=tenant_a.headers,
                                params={"move_to": new["id"]})
    assert moved.status_code == 204, moved.text
    assert (await client.get(f"{API}/stages/{proposal['id']}", headers=tenant_a.headers)).status_code == 404
    for opportunity in held:
        after = (await client.get(f"{API}/opportunities/{opportunity['id']}", headers=tenant_a.headers)).json()
        assert after["stage_id"] == new["id"]
        assert after["probability"] == 10
        history = (await client.get(f"{API}/opportunities/{opportunity['id']}/stage-history",
                                    headers=tenant_a.headers)).json()
        assert [(h["from_stage_id"], h["to_stage_id"]) for h in history] == [(proposal["id"], new["id"])]
    assert (await client.delete(f"{API}/stages/{empty['id']}", headers=tenant_a.headers)).status_code == 204
