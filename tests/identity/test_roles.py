"""Roles, permissions and data visibility through HTTP, with two tenants."""

from __future__ import annotations

import uuid

from services.identity.tables import Membership
from tests.identity.members import add_member, sales_office, user_id_of

CUSTOMERS = "/api/contacts/v1/customers"
ROLES = "/api/identity/v1/roles"


def member_role_url(user_id: uuid.UUID) -> str:
    return f"/api/identity/v1/members/{user_id}/role"


async def _customer(client, user, name, **body):
    response = await client.post(CUSTOMERS, headers=user.headers, json={"name": name, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def _names(client, user) -> set[str]:
    response = await client.get(CUSTOMERS, headers=user.headers)
    assert response.status_code == 200, response.text
    return {item["name"] for item in response.json()["items"]}


async def _create_role(client, user, **body):
    response = await client.post(ROLES, headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _assert_forbidden(response) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "forbidden"
    assert body["i18n"]["vi"]["detail"] and body["i18n"]["en"]["detail"]


async def test_a_salesperson_sees_own_customers_the_manager_the_teams_an_admin_all(client, tenant_a, tenant_b):
    office = await sales_office(client, tenant_a)
    anh, binh, chi, manager, admin = office.anh, office.binh, office.chi, office.manager, office.admin
    of_anh = await _customer(client, anh, "Khách của Anh")
    of_binh = await _customer(client, binh, "Khách của Bình")
    await _customer(client, chi, "Khách của Chi")
    await _customer(client, tenant_b, "Khách của B")
    assert of_anh["owner_id"] == str(anh.user_id) and of_anh["team_id"] == office.team_id

    assert await _names(client, anh) == {"Khách của Anh"}
    for method, body in (("GET", None), ("PATCH", {"name": "Lấy mất"}), ("DELETE", None)):
        response = await client.request(method, f"{CUSTOMERS}/{of_binh['id']}", headers=anh.headers, json=body)
        assert response.status_code == 404, (method, response.text)
    assert await _names(client, manager) == {"Khách của Anh", "Khách của Bình"}
    manager_get = await client.get(f"{CUSTOMERS}/{of_binh['id']}", headers=manager.headers)
    assert manager_get.json()["name"] == "Khách của Bình"
    assert await _names(client, admin) == {"Khách của Anh", "Khách của Bình", "Khách của Chi"}
    assert await _names(client, tenant_b) == {"Khách của B"}


async def test_a_viewer_reads_but_cannot_write(client, tenant_a):
    viewer = await add_member(tenant_a, "viewer")
    await _customer(client, tenant_a, "Có sẵn")
    assert await _names(client, viewer) == {"Có sẵn"}
    writes = [
        (CUSTOMERS, {"name": "Không được"}),
        ("/api/pipeline/v1/stages", {"name_vi": "Mới", "name_en": "New"}),
        ("/api/partners/v1/territories", {"name": "Miền Bắc"}),
        ("/api/identity/v1/branches", {"code": "HN", "name": "Hà Nội"}),
        (ROLES, {"name": "tu-cap", "label": "Tự cấp", "permissions": ["customers:write"]}),
    ]
    for url, body in writes:
        _assert_forbidden(await client.post(url, headers=viewer.headers, json=body))
    assert await _names(client, tenant_a) == {"Có sẵn"}
    english = await client.post(CUSTOMERS, headers={**viewer.headers, "accept-language": "en"},
                                json={"name": "x"})
    assert "customers:write" in english.json()["detail"]


async def test_a_custom_role_with_only_customers_read(client, tenant_a, tenant_b):
    role = await _create_role(client, tenant_a, name="doc-khach", label="Đọc khách hàng",
                              permissions=["customers:read"], visibility="all")
    assert role["permissions"] == ["customers:read"] and role["builtin"] is False
    reader = await add_member(tenant_a, "doc-khach")
    await _customer(client, tenant_a, "Khách chung")
    assert await _names(client, reader) == {"Khách chung"}
    _assert_forbidden(await client.post(CUSTOMERS, headers=reader.headers, json={"name": "Không"}))
    _assert_forbidden(await client.get("/api/pipeline/v1/stages", headers=reader.headers))
    access = (await client.get("/api/identity/v1/me/access", headers=reader.headers)).json()
    assert access == {"role": "doc-khach", "permissions": ["customers:read"], "visibility": "all",
                      "team_ids": [], "branch_id": None}
    listed = (await client.get(ROLES, headers=tenant_a.headers)).json()
    assert [r["name"] for r in listed] == ["owner", "admin", "manager", "salesperson", "viewer", "doc-khach"]
    assert (await client.get(ROLES, headers=tenant_b.headers)).json()[-1]["name"] == "viewer"
    # A tenant's role name is its own: another tenant may define the same name.
    await _create_role(client, tenant_b, name="doc-khach", label="B", permissions=[])


async def test_role_bodies_are_validated(client, tenant_a):
    bad = await client.post(ROLES, headers=tenant_a.headers, json={
        "name": "ke-toan", "label": "Kế toán", "permissions": ["customers:read", "ships:sail"]})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["permissions[1]"]
    for body, field in (({"name": "Ke Toan", "label": "x", "permissions": []}, "name"),
                        ({"name": "ke-toan", "label": "x", "permissions": [], "visibility": "mine"}, "visibility"),
                        ({"name": "ke-toan", "label": "x", "permissions": [], "extra": 1}, "extra"),
                        ({"name": "ke-toan", "permissions": []}, "label")):
        response = await client.post(ROLES, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    builtin = await client.post(ROLES, headers=tenant_a.headers, json={"name": "admin", "label": "x",
                                                                        "permissions": []})
    assert builtin.status_code == 409
    await _create_role(client, tenant_a, name="ke-toan", label="Kế toán", permissions=["reports:read"])
    again = await client.post(ROLES, headers=tenant_a.headers, json={"name": "ke-toan", "label": "y",
                                                                      "permissions": []})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "name"


async def test_role_changes_take_effect_on_the_next_request(client, tenant_a):
    seller = await add_member(tenant_a, "salesperson")
    await _customer(client, seller, "Trước khi đổi")
    changed = await client.patch(member_role_url(seller.user_id), headers=tenant_a.headers, json={"role": "viewer"})
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    _assert_forbidden(await client.post(CUSTOMERS, headers=seller.headers, json={"name": "Sau khi đổi"}))

    role = await _create_role(client, tenant_a, name="thu-viec", label="Thử việc", permissions=["customers:read"])
    await client.patch(member_role_url(seller.user_id), headers=tenant_a.headers, json={"role": "thu-viec"})
    _assert_forbidden(await client.post(CUSTOMERS, headers=seller.headers, json={"name": "Chưa được"}))
    widened = await client.patch(f"{ROLES}/{role['id']}", headers=tenant_a.headers,
                                 json={"permissions": ["customers:read", "customers:write"]})
    assert widened.status_code == 200, widened.text
    await _customer(client, seller, "Giờ thì được")
    assert (await client.delete(f"{ROLES}/{role['id']}", headers=tenant_a.headers)).status_code == 409
    await client.patch(member_role_url(seller.user_id), headers=tenant_a.headers, json={"role": "salesperson"})
    assert (await client.delete(f"{ROLES}/{role['id']}", headers=tenant_a.headers)).status_code == 204
    assert (await client.get(f"{ROLES}/{role['id']}", headers=tenant_a.headers)).status_code == 404
    unknown = await client.patch(member_role_url(seller.user_id), headers=tenant_a.headers,
                                 json={"role": "thu-viec"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "role"


async def test_a_deactivated_member_is_refused_at_once(client, tenant_a):
    seller = await add_member(tenant_a, "salesperson")
    assert (await client.get(CUSTOMERS, headers=seller.headers)).status_code == 200
    await Membership.update({Membership.is_active: False}).where(Membership.user_id == seller.user_id)
    assert (await client.get(CUSTOMERS, headers=seller.headers)).status_code == 401


async def test_nobody_hands_out_more_than_they_hold(client, tenant_a):
    owner_id = await user_id_of(client, tenant_a)
    admin = await add_member(tenant_a, "admin")
    seller = await add_member(tenant_a, "salesperson")
    _assert_forbidden(await client.patch(member_role_url(seller.user_id), headers=admin.headers,
                                         json={"role": "owner"}))
    _assert_forbidden(await client.patch(member_role_url(owner_id), headers=admin.headers, json={"role": "viewer"}))
    _assert_forbidden(await client.post(ROLES, headers=admin.headers, json={
        "name": "thu-ngan", "label": "Thu ngân", "permissions": ["billing:manage"]}))
    promoted = await client.patch(member_role_url(seller.user_id), headers=admin.headers, json={"role": "manager"})
    assert promoted.status_code == 200
    last = await client.patch(member_role_url(owner_id), headers=tenant_a.headers, json={"role": "admin"})
    assert last.status_code == 409 and last.json()["errors"][0]["field"] == "role"
    await client.patch(member_role_url(admin.user_id), headers=tenant_a.headers, json={"role": "owner"})
    stepped_down = await client.patch(member_role_url(owner_id), headers=tenant_a.headers, json={"role": "admin"})
    assert stepped_down.status_code == 200


async def test_another_tenants_roles_and_members_answer_404(client, tenant_a, tenant_b):
    role = await _create_role(client, tenant_a, name="rieng", label="Riêng", permissions=["customers:read"])
    member = await add_member(tenant_a, "salesperson")
    url = f"{ROLES}/{role['id']}"
    for method, body in (("GET", None), ("PATCH", {"label": "Của B"}), ("DELETE", None)):
        response = await client.request(method, url, headers=tenant_b.headers, json=body)
        assert response.status_code == 404, (method, response.text)
    moved = await client.patch(member_role_url(member.user_id), headers=tenant_b.headers, json={"role": "owner"})
    assert moved.status_code == 404
    assert (await client.get(url, headers=tenant_a.headers)).json()["label"] == "Riêng"
    assert (await client.get("/api/identity/v1/me/access", headers=member.headers)).json()["role"] == "salesperson"


async def test_branch_visibility_and_handing_a_customer_over(client, tenant_a, tenant_b):
    branches = {}
    for code in ("HN", "HCM"):
        response = await client.post("/api/identity/v1/branches", headers=tenant_a.headers,
                                     json={"code": code, "name": f"Chi nhánh {code}"})
        branches[code] = response.json()["id"]
    await _create_role(client, tenant_a, name="giam-doc-cn", label="Giám đốc chi nhánh",
                       permissions=["customers:read"], visibility="branch")
    director = await add_member(tenant_a, "giam-doc-cn")
    hanoi = await add_member(tenant_a, "salesperson")
    saigon = await add_member(tenant_a, "salesperson")
    for n, (who, code) in enumerate(((director, "HN"), (hanoi, "HN"), (saigon, "HCM"))):
        profile = await client.post("/api/identity/v1/salespeople", headers=tenant_a.headers, json={
            "user_id": str(who.user_id), "employee_code": f"NV{n}", "branch_id": branches[code]})
        assert profile.status_code == 201, profile.text
    in_hanoi = await _customer(client, hanoi, "Khách Hà Nội")
    assert in_hanoi["branch_id"] == branches["HN"]
    in_saigon = await _customer(client, saigon, "Khách Sài Gòn")
    assert await _names(client, director) == {"Khách Hà Nội"}

    handed = await client.patch(f"{CUSTOMERS}/{in_saigon['id']}", headers=saigon.headers,
                                json={"owner_id": str(hanoi.user_id)})
    assert handed.status_code == 200, handed.text
    assert handed.json()["owner_id"] == str(hanoi.user_id) and handed.json()["branch_id"] == branches["HN"]
    assert (await client.get(f"{CUSTOMERS}/{in_saigon['id']}", headers=saigon.headers)).status_code == 404
    assert await _names(client, hanoi) == {"Khách Hà Nội", "Khách Sài Gòn"}
    assert await _names(client, director) == {"Khách Hà Nội", "Khách Sài Gòn"}

    assigned = await _customer(client, tenant_a, "Giao cho Sài Gòn", owner_id=str(saigon.user_id))
    assert assigned["owner_id"] == str(saigon.user_id) and assigned["branch_id"] == branches["HCM"]
    outsider = await user_id_of(client, tenant_b)
    foreign = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "X", "owner_id": str(outsider)})
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "owner_id"
