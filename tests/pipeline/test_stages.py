"""Stages per tenant, in order."""


async def test_stages_are_appended_in_order_and_per_tenant(client, tenant_a, tenant_b):
    for name_vi, name_en in (("Mới", "New"), ("Báo giá", "Quoted")):
        response = await client.post("/api/pipeline/v1/stages", headers=tenant_a.headers,
                                     json={"name_vi": name_vi, "name_en": name_en, "probability": 20})
        assert response.status_code == 201, response.text
    won = await client.post("/api/pipeline/v1/stages", headers=tenant_a.headers,
                            json={"name_vi": "Thắng", "name_en": "Won", "is_won": True, "probability": 5})
    assert won.json()["probability"] == 100
    stages = (await client.get("/api/pipeline/v1/stages", headers=tenant_a.headers)).json()
    assert [s["name_en"] for s in stages] == ["New", "Quoted", "Won"]
    assert [s["sequence"] for s in stages] == [0, 1, 2]
    b_stages = (await client.get("/api/pipeline/v1/stages", headers=tenant_b.headers)).json()
    assert not {s["id"] for s in b_stages} & {s["id"] for s in stages}  # B has its own (the defaults), not A's


async def test_probability_must_be_a_percentage(client, tenant_a):
    response = await client.post("/api/pipeline/v1/stages", headers=tenant_a.headers,
                                 json={"name_vi": "X", "name_en": "X", "probability": 150})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "probability"
