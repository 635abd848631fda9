"""Branches, salesperson profiles and sales teams through HTTP, with two tenants."""

from __future__ import annotations

from tests.identity.members import add_member

BRANCHES = "/api/identity/v1/branches"
SALESPEOPLE = "/api/identity/v1/salespeople"
TEAMS = "/api/identity/v1/sales-teams"


async def _post(client, user, url, **body):
    response = await client.post(url, headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _fields(response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [error["field"] for error in response.json()["errors"]]


async def test_branch_crud_and_validation(client, tenant_a, tenant_b):
    hanoi = await _post(client, tenant_a, BRANCHES, code="HN", name="Chi nhánh Hà Nội", address="1 Tràng Tiền")
    assert hanoi["code"] == "HN" and hanoi["address"] == "1 Tràng Tiền"
    await _post(client, tenant_b, BRANCHES, code="HN", name="Hà Nội của B")  # codes are per tenant
    taken = await client.post(BRANCHES, headers=tenant_a.headers, json={"code": "HN", "name": "Trùng"})
    assert taken.status_code == 409 and _fields(taken) == ["code"]
    for body, field in (({"code": "DN"}, "name"), ({"code": "DN", "name": "   "}, "name"),
                        ({"code": "Đà Nẵng", "name": "x"}, "code"), ({"code": "DN", "name": "x", "city": 1}, "city"),
                        ({"code": "DN", "name": "x" * 201}, "name")):
        response = await client.post(BRANCHES, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, response.text
        assert _fields(response) == [field]
        assert response.json()["i18n"]["vi"]["detail"] and response.json()["i18n"]["en"]["detail"]
    malformed = await client.post(BRANCHES, headers=tenant_a.headers, content=b'{"code": ')
    assert malformed.status_code == 400

    url = f"{BRANCHES}/{hanoi['id']}"
    renamed = await client.patch(url, headers=tenant_a.headers, json={"name": "Hội sở Hà Nội"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Hội sở Hà Nội"
    assert renamed.json()["code"] == "HN"
    for method, payload in (("GET", None), ("PATCH", {"name": "Của B"}), ("DELETE", None)):
        response = await client.request(method, url, headers=tenant_b.headers, json=payload)
        assert response.status_code == 404, (method, response.text)
    await _post(client, tenant_a, BRANCHES, code="HCM", name="Chi nhánh Hồ Chí Minh")
    first = (await client.get(BRANCHES, headers=tenant_a.headers, params={"limit": 1})).json()
    assert [b["code"] for b in first["items"]] == ["HN"]
    second = (await client.get(BRANCHES, headers=tenant_a.headers,
                               params={"limit": 1, "cursor": first["next_cursor"]})).json()
    assert [b["code"] for b in second["items"]] == ["HCM"] and second["next_cursor"] is None
    assert (await client.delete(url, headers=tenant_a.headers)).status_code == 204
    assert (await client.get(url, headers=tenant_a.headers)).status_code == 404


async def test_salesperson_profiles(client, tenant_a, tenant_b):
    branch = await _post(client, tenant_a, BRANCHES, code="HN", name="Hà Nội")
    foreign_branch = await _post(client, tenant_b, BRANCHES, code="HN", name="Hà Nội của B")
    territory = await _post(client, tenant_a, "/api/partners/v1/territories", name="Miền Bắc",
                            province_codes=["01"])
    foreign_territory = await _post(client, tenant_b, "/api/partners/v1/territories", name="Miền Nam")
    manager = await add_member(tenant_a, "manager")
    seller = await add_member(tenant_a, "salesperson")
    stranger = await add_member(tenant_b, "salesperson")
    profile = await _post(client, tenant_a, SALESPEOPLE, user_id=str(seller.user_id), employee_code="NV001",
                          branch_id=branch["id"], manager_id=str(manager.user_id),
                          territory_ids=[territory["id"], territory["id"]], monthly_target_vnd=150_000_000)
    assert profile["territory_ids"] == [territory["id"]] and profile["monthly_target_vnd"] == 150_000_000

    invalid = [
        ({"user_id": str(stranger.user_id), "employee_code": "NV9"}, ["user_id"]),
        ({"user_id": str(manager.user_id), "employee_code": "NV9", "branch_id": foreign_branch["id"]},
         ["branch_id"]),
        ({"user_id": str(manager.user_id), "employee_code": "NV9", "territory_ids": [foreign_territory["id"]]},
         ["territory_ids[0]"]),
        ({"user_id": str(manager.user_id), "employee_code": "NV9", "manager_id": str(manager.user_id)},
         ["manager_id"]),
        ({"user_id": str(manager.user_id), "employee_code": "NV9", "monthly_target_vnd": -1},
         ["monthly_target_vnd"]),
        ({"user_id": "khong-phai-uuid", "employee_code": "NV9"}, ["user_id"]),
    ]
    for body, fields in invalid:
        response = await client.post(SALESPEOPLE, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert _fields(response) == fields
    twice = await client.post(SALESPEOPLE, headers=tenant_a.headers,
                              json={"user_id": str(seller.user_id), "employee_code": "NV002"})
    assert twice.status_code == 409 and _fields(twice) == ["user_id"]
    code_taken = await client.post(SALESPEOPLE, headers=tenant_a.headers,
                                   json={"user_id": str(manager.user_id), "employee_code": "NV001"})
    assert code_taken.status_code == 409 and _fields(code_taken) == ["employee_code"]

    in_use = await client.delete(f"{BRANCHES}/{branch['id']}", headers=tenant_a.headers)
    assert in_use.status_code == 409
    url = f"{SALESPEOPLE}/{profile['id']}"
    moved = await client.patch(url, headers=tenant_a.headers, json={"branch_id": None, "monthly_target_vnd": 0})
    assert moved.status_code == 200 and moved.json()["branch_id"] is None
    assert moved.json()["employee_code"] == "NV001"
    assert (await client.delete(f"{BRANCHES}/{branch['id']}", headers=tenant_a.headers)).status_code == 204
    listed = (await client.get(SALESPEOPLE, headers=seller.headers)).json()  # everyone reads the org
    assert [p["id"] for p in listed["items"]] == [profile["id"]]
    assert (await client.get(url, headers=tenant_b.headers)).status_code == 404
    assert (await client.delete(url, headers=tenant_b.headers)).status_code == 404
    assert (await client.get(SALESPEOPLE, headers=tenant_b.headers)).json()["items"] == []
    forbidden = await client.patch(url, headers=seller.headers, json={"monthly_target_vnd": 1})
    assert forbidden.status_code == 403
    assert (await client.delete(url, headers=tenant_a.headers)).status_code == 204


async def test_sales_team_crud_and_validation(client, tenant_a, tenant_b):
    leader = await add_member(tenant_a, "manager")
    an, binh = await add_member(tenant_a, "salesperson"), await add_member(tenant_a, "salesperson")
    stranger = await add_member(tenant_b, "salesperson")
    team = await _post(client, tenant_a, TEAMS, name="Nhóm Miền Bắc", leader_id=str(leader.user_id),
                       member_ids=[str(an.user_id)], use_warranty=True)
    assert team["member_ids"] == [str(an.user_id)] and team["leader_id"] == str(leader.user_id)
    assert (team["use_quotations"], team["use_opportunities"], team["use_warranty"]) == (True, True, True)

    for body, fields in (({}, ["name"]), ({"name": "  "}, ["name"]), ({"name": "x", "use_warranty": "yes"},
                                                                      ["use_warranty"]),
                         ({"name": "x", "member_ids": [str(binh.user_id), str(stranger.user_id)]},
                          ["member_ids[1]"]),
                         ({"name": "x", "leader_id": str(stranger.user_id)}, ["leader_id"])):
        response = await client.post(TEAMS, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert _fields(response) == fields
    clash = await client.post(TEAMS, headers=tenant_a.headers, json={"name": "Nhóm 2", "member_ids": [str(an.user_id)]})
    assert clash.status_code == 409 and _fields(clash) == ["member_ids"]
    assert [t["name"] for t in (await client.get(TEAMS, headers=tenant_a.headers)).json()["items"]] == [
        "Nhóm Miền Bắc"]  # the refused team left nothing behind

    url = f"{TEAMS}/{team['id']}"
    changed = await client.patch(url, headers=tenant_a.headers, json={
        "member_ids": [str(binh.user_id), str(an.user_id)], "use_quotations": False, "name": "Nhóm Bắc Bộ"})
    assert changed.status_code == 200, changed.text
    assert sorted(changed.json()["member_ids"]) == sorted([str(an.user_id), str(binh.user_id)])
    assert changed.json()["use_quotations"] is False and changed.json()["name"] == "Nhóm Bắc Bộ"
    emptied = await client.patch(url, headers=tenant_a.headers, json={"member_ids": []})
    assert emptied.json()["member_ids"] == [] and emptied.json()["name"] == "Nhóm Bắc Bộ"
    for method, payload in (("GET", None), ("PATCH", {"name": "Của B"}), ("DELETE", None)):
        response = await client.request(method, url, headers=tenant_b.headers, json=payload)
        assert response.status_code == 404, (method, response.text)
    assert (await client.get(TEAMS, headers=tenant_b.headers)).json()["items"] == []
    forbidden = await client.post(TEAMS, headers=an.headers, json={"name": "Tự lập"})
    assert forbidden.status_code == 403
    assert (await client.delete(url, headers=tenant_a.headers)).status_code == 204
    assert (await client.get(url, headers=tenant_a.headers)).status_code == 404
