"""Classification through HTTP with two tenants: the group tree, sources, relationship statuses, tags."""

from __future__ import annotations

import asyncio

from tests.identity.members import add_member, user_id_of
from tests.identity.support_helpers import audit_log

API = "/api/contacts/v1"


async def _post(client, user, path, body, status=201):
    response = await client.post(f"{API}{path}", headers=user.headers, json=body)
    assert response.status_code == status, response.text
    return response.json()


async def _customer(client, user, name, **body):
    return await _post(client, user, "/customers", {"name": name, **body})


async def _group(client, user, name, parent_id=None):
    return await _post(client, user, "/groups", {"name": name, "parent_id": parent_id})


async def _ids(client, user, **params):
    response = await client.get(f"{API}/customers", headers=user.headers, params=params)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def _field(response):
    return [error["field"] for error in response.json()["errors"]]


async def test_group_codes_fold_vietnamese_and_take_a_suffix_when_taken(client, tenant_a, tenant_b):
    first = await _group(client, tenant_a, "Khách hàng Hà Nội")
    assert first["code"] == "KHACH-HANG-HA-NOI"
    second = await _group(client, tenant_a, "  khách HÀNG hà nội ")
    assert second["code"] == "KHACH-HANG-HA-NOI-2"
    third = await _group(client, tenant_a, "Khách hàng - Hà Nội!")
    assert third["code"] == "KHACH-HANG-HA-NOI-3"
    assert (await _group(client, tenant_a, "Đại lý Đà Nẵng"))["code"] == "DAI-LY-DA-NANG"
    assert (await _group(client, tenant_a, "***"))["code"] == "NHOM"
    # Codes are unique per tenant, not across tenants.
    assert (await _group(client, tenant_b, "Khách hàng Hà Nội"))["code"] == "KHACH-HANG-HA-NOI"


async def test_moving_a_group_under_itself_or_a_descendant_is_refused(client, tenant_a):
    root = await _group(client, tenant_a, "Miền Bắc")
    child = await _group(client, tenant_a, "Hà Nội", root["id"])
    grandchild = await _group(client, tenant_a, "Cầu Giấy", child["id"])
    other = await _group(client, tenant_a, "Miền Nam")
    for parent in (grandchild["id"], child["id"], root["id"]):
        refused = await client.patch(f"{API}/groups/{root['id']}", headers=tenant_a.headers,
                                     json={"parent_id": parent})
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert _field(refused) == ["parent_id"]
        assert refused.json()["i18n"]["vi"]["detail"] and refused.json()["i18n"]["en"]["detail"]
    tree = (await client.get(f"{API}/groups", headers=tenant_a.headers)).json()
    assert [(g["name"], g["depth"]) for g in tree] == [("Miền Bắc", 0), ("Hà Nội", 1), ("Cầu Giấy", 2),
                                                       ("Miền Nam", 0)]
    # A legal move: the whole subtree goes along.
    moved = await client.patch(f"{API}/groups/{child['id']}", headers=tenant_a.headers,
                               json={"parent_id": other["id"], "name": "Hà Nội (chuyển)"})
    assert moved.status_code == 200 and moved.json()["parent_id"] == other["id"]
    assert moved.json()["code"] == child["code"]  # a rename keeps the code
    tree = (await client.get(f"{API}/groups", headers=tenant_a.headers)).json()
    assert [(g["name"], g["depth"]) for g in tree] == [("Miền Bắc", 0), ("Miền Nam", 0), ("Hà Nội (chuyển)", 1),
                                                       ("Cầu Giấy", 2)]
    # A group with subgroups cannot be deleted; a leaf can.
    assert (await client.delete(f"{API}/groups/{other['id']}", headers=tenant_a.headers)).status_code == 409
    assert (await client.delete(f"{API}/groups/{grandchild['id']}", headers=tenant_a.headers)).status_code == 204
    to_top = await client.patch(f"{API}/groups/{child['id']}", headers=tenant_a.headers, json={"parent_id": None})
    assert to_top.status_code == 200 and to_top.json()["parent_id"] is None


async def test_the_group_filter_includes_descendants(client, tenant_a, tenant_b):
    root = await _group(client, tenant_a, "Toàn quốc")
    child = await _group(client, tenant_a, "Hà Nội", root["id"])
    grandchild = await _group(client, tenant_a, "Ba Đình", child["id"])
    elsewhere = await _group(client, tenant_a, "Nước ngoài")
    in_root, in_grandchild, in_elsewhere, nowhere = [
        (await _customer(client, tenant_a, name))["id"] for name in ("Gốc", "Cháu", "Ngoài", "Không nhóm")]
    for group, customers in ((root, [in_root]), (grandchild, [in_grandchild]), (elsewhere, [in_elsewhere])):
        assert (await _post(client, tenant_a, f"/groups/{group['id']}/customers",
                            {"customer_ids": customers}, 200)) == {"added": 1}
    again = await _post(client, tenant_a, f"/groups/{root['id']}/customers",
                        {"customer_ids": [in_root, in_grandchild]}, 200)
    assert again == {"added": 1}  # in_root was there already
    assert await _ids(client, tenant_a, group_id=root["id"]) == {in_root, in_grandchild}
    assert await _ids(client, tenant_a, group_id=child["id"]) == {in_grandchild}
    assert await _ids(client, tenant_a, group_id=elsewhere["id"]) == {in_elsewhere}
    assert nowhere in await _ids(client, tenant_a)
    groups = (await client.get(f"{API}/customers/{in_grandchild}/groups", headers=tenant_a.headers)).json()
    assert {g["id"] for g in groups} == {root["id"], grandchild["id"]}
    # Another tenant filtering by this tenant's group sees nothing of it.
    assert await _ids(client, tenant_b, group_id=root["id"]) == set()
    removed = await client.delete(f"{API}/groups/{grandchild['id']}/customers/{in_grandchild}",
                                  headers=tenant_a.headers)
    assert removed.status_code == 204
    assert await _ids(client, tenant_a, group_id=child["id"]) == set()
    assert await _ids(client, tenant_a, group_id=root["id"]) == {in_root, in_grandchild}  # still directly in root
    again = await client.delete(f"{API}/groups/{grandchild['id']}/customers/{in_grandchild}",
                                headers=tenant_a.headers)
    assert again.status_code == 404


async def test_relationship_statuses_are_seeded_once_and_every_change_is_kept(client, tenant_a, tenant_b):
    # Two first uses at once still seed one list.
    lists = await asyncio.gather(*(client.get(f"{API}/relationship-statuses", headers=tenant_a.headers)
                                   for _ in range(3)))
    statuses = lists[0].json()
    assert all(response.json() == statuses for response in lists)
    assert [(s["name"], s["name_en"]) for s in statuses] == [
        ("Mới", "New"), ("Tiếp cận", "Approached"), ("Nóng", "Hot"), ("Tiềm năng", "Potential"), ("Mất", "Lost"),
        ("Chốt", "Won"), ("Đừng quên", "Don't forget")]
    assert [s["is_system"] for s in statuses] == [False] * 6 + [True]
    assert statuses[-1]["system_key"] == "dont_forget"
    by_name = {s["name"]: s["id"] for s in statuses}
    other_list = (await client.get(f"{API}/relationship-statuses", headers=tenant_b.headers)).json()
    assert len(other_list) == 7 and not {s["id"] for s in other_list} & set(by_name.values())

    customer = await _customer(client, tenant_a, "Công ty Hải Âu", relationship_status_id=by_name["Mới"])
    assert customer["relationship_status_id"] == by_name["Mới"]
    url = f"{API}/customers/{customer['id']}"
    hot = await client.patch(url, headers=tenant_a.headers, json={"relationship_status_id": by_name["Nóng"]})
    assert hot.status_code == 200 and hot.json()["relationship_status_id"] == by_name["Nóng"]
    same = await client.patch(url, headers=tenant_a.headers, json={"relationship_status_id": by_name["Nóng"]})
    assert same.status_code == 200  # no change, no history row
    cleared = await client.patch(url, headers=tenant_a.headers, json={"relationship_status_id": None})
    assert cleared.json()["relationship_status_id"] is None
    history = (await client.get(f"{url}/status-history", headers=tenant_a.headers)).json()
    assert [(h["from_status_name"], h["to_status_name"]) for h in history["items"]] == [
        ("Nóng", None), ("Mới", "Nóng"), (None, "Mới")]
    me = str(await user_id_of(client, tenant_a))
    assert {(h["actor_kind"], h["actor_id"]) for h in history["items"]} == {("user", me)}
    page = (await client.get(f"{url}/status-history", headers=tenant_a.headers, params={"limit": 2})).json()
    rest = (await client.get(f"{url}/status-history", headers=tenant_a.headers,
                             params={"limit": 2, "cursor": page["next_cursor"]})).json()
    assert [h["id"] for h in page["items"] + rest["items"]] == [h["id"] for h in history["items"]]

    # The system status is never deleted; a status in use is not either; an unused one is.
    system = await client.delete(f"{API}/relationship-statuses/{by_name['Đừng quên']}", headers=tenant_a.headers)
    assert system.status_code == 409
    await client.patch(url, headers=tenant_a.headers, json={"relationship_status_id": by_name["Chốt"]})
    in_use = await client.delete(f"{API}/relationship-statuses/{by_name['Chốt']}", headers=tenant_a.headers)
    assert in_use.status_code == 409
    assert await _ids(client, tenant_a, relationship_status_id=by_name["Chốt"]) == {customer["id"]}
    added = await _post(client, tenant_a, "/relationship-statuses", {"name": "Chờ báo giá", "name_en": "Quoting"})
    assert added["position"] == 8 and added["is_system"] is False
    renamed = await client.patch(f"{API}/relationship-statuses/{added['id']}", headers=tenant_a.headers,
                                 json={"name": "Đã báo giá", "position": 3})
    assert renamed.json()["name"] == "Đã báo giá" and renamed.json()["position"] == 3
    assert (await client.delete(f"{API}/relationship-statuses/{added['id']}",
                                headers=tenant_a.headers)).status_code == 204


async def test_tags_and_the_tag_filter(client, tenant_a, tenant_b):
    vip = await _post(client, tenant_a, "/tags", {"name": "Khách VIP", "color": "#ff0000"})
    clash = await client.post(f"{API}/tags", headers=tenant_a.headers, json={"name": "khach vip"})
    assert clash.status_code == 409 and _field(clash) == ["name"]
    await _post(client, tenant_b, "/tags", {"name": "Khách VIP"})  # names are unique per tenant only
    cold = await _post(client, tenant_a, "/tags", {"name": "Lạnh"})
    tagged = await _customer(client, tenant_a, "Có thẻ")
    untagged = await _customer(client, tenant_a, "Không thẻ")
    linked = await _post(client, tenant_a, f"/customers/{tagged['id']}/tags",
                         {"tag_ids": [vip["id"], cold["id"], vip["id"]]}, 200)
    assert linked == {"added": 2}
    assert await _ids(client, tenant_a, tag="KHACH vip") == {tagged["id"]}
    assert await _ids(client, tenant_b, tag="Khách VIP") == set()
    tags = (await client.get(f"{API}/customers/{tagged['id']}/tags", headers=tenant_a.headers)).json()
    assert [t["name"] for t in tags] == ["Khách VIP", "Lạnh"]
    assert untagged["id"] in await _ids(client, tenant_a)
    off = await client.delete(f"{API}/customers/{tagged['id']}/tags/{vip['id']}", headers=tenant_a.headers)
    assert off.status_code == 204
    assert await _ids(client, tenant_a, tag="Khách VIP") == set()
    recolour = await client.patch(f"{API}/tags/{cold['id']}", headers=tenant_a.headers, json={"color": None})
    assert recolour.status_code == 200 and recolour.json()["color"] is None
    assert (await client.delete(f"{API}/tags/{cold['id']}", headers=tenant_a.headers)).status_code == 204
    assert (await client.get(f"{API}/customers/{tagged['id']}/tags", headers=tenant_a.headers)).json() == []


async def test_sources(client, tenant_a):
    fair = await _post(client, tenant_a, "/sources", {"name": "Hội chợ"})
    web = await _post(client, tenant_a, "/sources", {"name": "Website"})
    clash = await client.patch(f"{API}/sources/{web['id']}", headers=tenant_a.headers, json={"name": "HOI CHO"})
    assert clash.status_code == 409 and _field(clash) == ["name"]
    customer = await _customer(client, tenant_a, "Từ hội chợ", source_id=fair["id"])
    assert customer["source_id"] == fair["id"]
    assert await _ids(client, tenant_a, source_id=fair["id"]) == {customer["id"]}
    assert [s["name"] for s in (await client.get(f"{API}/sources", headers=tenant_a.headers)).json()] == [
        "Hội chợ", "Website"]
    in_use = await client.delete(f"{API}/sources/{fair['id']}", headers=tenant_a.headers)
    assert in_use.status_code == 409
    moved = await client.patch(f"{API}/customers/{customer['id']}", headers=tenant_a.headers,
                               json={"source_id": web["id"]})
    assert moved.json()["source_id"] == web["id"]
    assert (await client.delete(f"{API}/sources/{fair['id']}", headers=tenant_a.headers)).status_code == 204
    assert (await client.get(f"{API}/sources/{fair['id']}", headers=tenant_a.headers)).status_code == 404


async def test_another_tenants_ids_are_404_or_422_naming_the_field(client, tenant_a, tenant_b):
    group = await _group(client, tenant_a, "Của A")
    tag = await _post(client, tenant_a, "/tags", {"name": "Của A"})
    source = await _post(client, tenant_a, "/sources", {"name": "Của A"})
    status_a = (await client.get(f"{API}/relationship-statuses", headers=tenant_a.headers)).json()[0]
    customer_a = await _customer(client, tenant_a, "Khách của A")
    for path in (f"/groups/{group['id']}", f"/tags/{tag['id']}", f"/sources/{source['id']}",
                 f"/relationship-statuses/{status_a['id']}", f"/customers/{customer_a['id']}/status-history",
                 f"/customers/{customer_a['id']}/groups", f"/customers/{customer_a['id']}/tags"):
        assert (await client.get(f"{API}{path}", headers=tenant_b.headers)).status_code == 404, path
    for path in (f"/groups/{group['id']}", f"/tags/{tag['id']}", f"/sources/{source['id']}",
                 f"/relationship-statuses/{status_a['id']}"):
        assert (await client.patch(f"{API}{path}", headers=tenant_b.headers,
                                   json={"name": "Chiếm"})).status_code == 404, path
        assert (await client.delete(f"{API}{path}", headers=tenant_b.headers)).status_code == 404, path
    assert (await client.post(f"{API}/groups/{group['id']}/customers", headers=tenant_b.headers,
                              json={"customer_ids": [customer_a["id"]]})).status_code == 404

    group_b = await _group(client, tenant_b, "Của B")
    customer_b = await _customer(client, tenant_b, "Khách của B")
    checks = [
        ("post", "/groups", {"name": "Con", "parent_id": group["id"]}, "parent_id"),
        ("patch", f"/groups/{group_b['id']}", {"parent_id": group["id"]}, "parent_id"),
        ("post", f"/groups/{group_b['id']}/customers", {"customer_ids": [customer_a["id"], customer_b["id"]]},
         "customer_ids"),
        ("post", f"/customers/{customer_b['id']}/tags", {"tag_ids": [tag["id"]]}, "tag_ids"),
        ("patch", f"/customers/{customer_b['id']}", {"source_id": source["id"]}, "source_id"),
        ("patch", f"/customers/{customer_b['id']}", {"relationship_status_id": status_a["id"]},
         "relationship_status_id"),
        ("post", "/customers", {"name": "Mới", "relationship_status_id": status_a["id"]}, "relationship_status_id"),
    ]
    for method, path, body, field in checks:
        response = await client.request(method, f"{API}{path}", headers=tenant_b.headers, json=body)
        assert response.status_code == 422, (path, response.text)
        assert _field(response) == [field], path
    # Nothing of the refused writes landed: B's customer kept no source, status or group.
    fetched = (await client.get(f"{API}/customers/{customer_b['id']}", headers=tenant_b.headers)).json()
    assert fetched["source_id"] is None and fetched["relationship_status_id"] is None
    assert await _ids(client, tenant_b, group_id=group_b["id"]) == set()
    assert [c["name"] for c in (await client.get(f"{API}/customers", headers=tenant_b.headers)).json()["items"]] == [
        "Khách của B"]


async def test_bad_input_is_a_problem_naming_the_field(client, tenant_a):
    group = await _group(client, tenant_a, "Nhóm")
    cases = [
        ("/groups", {"name": ""}, "name"),
        ("/groups", {"name": "X", "colour": "red"}, "colour"),
        ("/groups", {"name": "X", "parent_id": "không-phải-uuid"}, "parent_id"),
        (f"/groups/{group['id']}/customers", {"customer_ids": []}, "customer_ids"),
        ("/tags", {"name": "Đỏ", "color": "red"}, "color"),
        ("/relationship-statuses", {"name": "A", "position": -1}, "position"),
        ("/sources", {}, "name"),
    ]
    for path, body, field in cases:
        response = await client.post(f"{API}{path}", headers=tenant_a.headers, json=body)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert _field(response) == [field], (path, response.text)
        assert response.json()["errors"][0]["message_vi"] and response.json()["errors"][0]["message_en"]
    malformed = await client.post(f"{API}/groups", headers={**tenant_a.headers, "content-type": "application/json"},
                                  content=b'{"name": ')
    assert malformed.status_code == 400 and _field(malformed) == ["body"]
    bad_query = await client.get(f"{API}/customers", headers=tenant_a.headers, params={"group_id": "abc"})
    assert bad_query.status_code == 422 and _field(bad_query) == ["query.group_id"]
    assert (await client.get(f"{API}/groups", headers=tenant_a.headers)).json()[0]["name"] == "Nhóm"
    assert len((await client.get(f"{API}/groups", headers=tenant_a.headers)).json()) == 1


async def test_a_viewer_reads_the_lists_but_cannot_change_them(client, tenant_a):
    await _group(client, tenant_a, "Nhóm A")
    viewer = await add_member(tenant_a, "viewer")
    assert (await client.get(f"{API}/groups", headers=viewer.headers)).status_code == 200
    assert (await client.get(f"{API}/relationship-statuses", headers=viewer.headers)).status_code == 200
    for path in ("/groups", "/tags", "/sources", "/relationship-statuses"):
        refused = await client.post(f"{API}{path}", headers=viewer.headers, json={"name": "Không được"})
        assert refused.status_code == 403, path


async def test_classification_writes_are_audited(client, tenant_a):
    group = await _group(client, tenant_a, "Nhóm kiểm toán")
    await client.patch(f"{API}/groups/{group['id']}", headers=tenant_a.headers, json={"name": "Nhóm đổi tên"})
    customer = await _customer(client, tenant_a, "Khách kiểm toán")
    await _post(client, tenant_a, f"/groups/{group['id']}/customers", {"customer_ids": [customer["id"]]}, 200)
    statuses = (await client.get(f"{API}/relationship-statuses", headers=tenant_a.headers)).json()
    await client.patch(f"{API}/customers/{customer['id']}", headers=tenant_a.headers,
                       json={"relationship_status_id": statuses[2]["id"]})
    entries = await audit_log(client, tenant_a.headers, object_id=group["id"])
    assert [e["action"] for e in entries] == ["customer_group.assign", "customer_group.update",
                                              "customer_group.create"]
    assert entries[0]["after"] == {"customer_ids": [customer["id"]]}
    assert entries[1]["before"] == {"name": "Nhóm kiểm toán"} and entries[1]["after"] == {"name": "Nhóm đổi tên"}
    [status_change] = await audit_log(client, tenant_a.headers, object_id=customer["id"], action="customer.update")
    assert status_change["before"] == {"relationship_status_id": None}
    assert status_change["after"] == {"relationship_status_id": statuses[2]["id"]}
    [seeding] = await audit_log(client, tenant_a.headers, action="relationship_status.seed")
    assert seeding["actor_kind"] == "system"
