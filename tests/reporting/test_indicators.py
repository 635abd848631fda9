"""The lifecycle indicator counts only the caller's tenant."""


async def test_lifecycle_counts_are_per_tenant(client, tenant_a, tenant_b):
    for stage in ("lead", "lead", "loyal"):
        await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                          json={"name": "K", "lifecycle_stage": stage})
    await client.post("/api/contacts/v1/customers", headers=tenant_b.headers, json={"name": "B"})
    summary = (await client.get("/api/reporting/v1/indicators/lifecycle", headers=tenant_a.headers)).json()
    assert summary["total"] == 3
    assert {s["lifecycle_stage"]: s["customers"] for s in summary["by_stage"]} == {
        "raw": 0, "lead": 2, "customer": 0, "member": 0, "loyal": 1}
