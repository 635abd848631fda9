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


async def test_every_indicator_and_report_is_in_the_openapi(client):
    spec = (await client.get("/api/reporting/docs/openapi.json")).json()
    assert {"/api/reporting/v1/indicators/customers", "/api/reporting/v1/indicators/pipeline",
            "/api/reporting/v1/indicators/debt", "/api/reporting/v1/indicators/lifecycle",
            "/api/reporting/v1/reports", "/api/reporting/v1/reports/{report_id}/download"} <= set(spec["paths"])
    pipeline = spec["paths"]["/api/reporting/v1/indicators/pipeline"]["get"]
    assert {p["name"] for p in pipeline["parameters"]} >= {
        "date_from", "date_to", "team_id", "branch_id", "owner_id", "group_id", "source_id", "currency"}
    assert "PipelineIndicators" in str(pipeline["responses"]["200"])
