"""Customers through HTTP: codes, Vietnamese search, phones, keyset pages, edits, deletes."""

from __future__ import annotations

import asyncio

from tests.contacts.helpers import CUSTOMERS, create_customer


async def _create(client, user, **body):
    response = await client.post("/api/contacts/v1/customers", headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_codes_are_generated_per_tenant_without_gaps_or_clashes(client, tenant_a, tenant_b):
    created = await asyncio.gather(*(_create(client, tenant_a, name=f"Khách {n}") for n in range(10)))
    codes_a = sorted(c["code"] for c in created)
    assert codes_a == [f"KH{n:06d}" for n in range(1, 11)]
    first_b = await _create(client, tenant_b, name="Khách đầu tiên của B")
    assert first_b["code"] == "KH000001"


async def test_search_ignores_vietnamese_diacritics(client, tenant_a, tenant_b):
    await _create(client, tenant_a, name="Nguyễn Thị Hằng", kind="individual")
    await _create(client, tenant_a, name="Công ty Đông Á")
    await _create(client, tenant_b, name="Nguyễn Văn Bê")
    found = await client.get("/api/contacts/v1/customers", params={"q": "nguyen thi hang"},
                             headers=tenant_a.headers)
    assert [c["name"] for c in found.json()["items"]] == ["Nguyễn Thị Hằng"]
    dong = await client.get("/api/contacts/v1/customers", params={"q": "DONG A"}, headers=tenant_a.headers)
    assert [c["name"] for c in dong.json()["items"]] == ["Công ty Đông Á"]
    wildcard = await client.get("/api/contacts/v1/customers", params={"q": "%"}, headers=tenant_a.headers)
    assert wildcard.json()["items"] == []


async def test_search_tolerates_typos_and_finds_codes_phones_and_emails(client, tenant_a, tenant_b):
    an = await _create(client, tenant_a, name="Nguyễn Văn An", kind="individual", phone="0912 345 678",
                       email="An.Nguyen@Example.VN")
    for name in ("Trần Thị Bích", "Lê Thị Vy", "Phạm Văn Nam"):  # "vy" is as near to "vna" as "van" by trigrams
        await _create(client, tenant_a, name=name, kind="individual")
    await _create(client, tenant_b, name="Nguyễn Văn An", kind="individual", phone="0912345678")

    async def names(q, user=tenant_a):
        response = await client.get("/api/contacts/v1/customers", params={"q": q}, headers=user.headers)
        assert response.status_code == 200, response.text
        return [(c["name"], c["id"]) for c in response.json()["items"]]

    expected = [("Nguyễn Văn An", an["id"])]
    assert await names("nguyen van an") == expected
    assert await names("nguyen vna an") == expected  # typos: no substring matches, the nearest words do
    assert await names("ngyen van an") == expected
    assert await names("nguyễn văn ân") == expected
    assert await names(an["code"].lower()) == expected
    assert await names("0912 345 678") == expected and await names("+84912345678") == expected
    assert await names("an.nguyen@example") == expected
    assert await names("zzzz qqqq") == []
    # B's customer of the same name and phone is B's alone.
    assert [name for name, _ in await names("nguyen van an", tenant_b)] == ["Nguyễn Văn An"]
    assert (await names("nguyen van an", tenant_b))[0][1] != an["id"]


async def test_phone_numbers_are_normalised_to_plus_84(client, tenant_a):
    for raw in ("0912 345 678", "+84 912.345.678", "84912345678"):
        created = await _create(client, tenant_a, name="Số", phone=raw, confirm_duplicate=True)  # same number
        assert created["phone"] == "+84912345678"
    bad = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                            json={"name": "Sai số", "phone": "0123"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "phone"


async def test_keyset_pages_walk_every_customer_once(client, tenant_a):
    ids = [(await _create(client, tenant_a, name=f"Trang {n}"))["id"] for n in range(7)]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/contacts/v1/customers", params=params, headers=tenant_a.headers)).json()
        seen += [item["id"] for item in page["items"]]
        assert len(page["items"]) <= 3
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids


async def test_update_and_delete(client, tenant_a):
    customer = await _create(client, tenant_a, name="Cũ", email="Cu@Example.VN")
    assert customer["email"] == "cu@example.vn"
    url = f"/api/contacts/v1/customers/{customer['id']}"
    changed = await client.patch(url, headers=tenant_a.headers, json={"name": "Mới", "lifecycle_stage": "lead",
                                                                       "email": None})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Mới" and changed.json()["lifecycle_stage"] == "lead"
    assert changed.json()["email"] is None and changed.json()["code"] == customer["code"]
    search = await client.get("/api/contacts/v1/customers", params={"q": "moi"}, headers=tenant_a.headers)
    assert [c["id"] for c in search.json()["items"]] == [customer["id"]]
    assert (await client.delete(url, headers=tenant_a.headers)).status_code == 204
    assert (await client.get(url, headers=tenant_a.headers)).status_code == 404
    assert (await client.delete(url, headers=tenant_a.headers)).status_code == 404


async def test_a_failed_validation_writes_nothing(client, tenant_a):
    before = (await client.get("/api/reporting/v1/indicators/lifecycle", headers=tenant_a.headers)).json()
    bad = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                            json={"name": "Không lưu", "phone": "12"})
    assert bad.status_code == 422
    after = (await client.get("/api/reporting/v1/indicators/lifecycle", headers=tenant_a.headers)).json()
    assert after == before
    # The failed attempt did not consume a code either: the transaction rolled back as a whole.
    assert (await _create(client, tenant_a, name="Đầu tiên"))["code"] == f"KH{before['total'] + 1:06d}"


async def test_a_deleted_or_renamed_customer_leaves_no_word_of_its_name_for_search(client, tenant_a, owner_conn):
    """The typo corrector's word list is tenant data: it follows deletes and renames."""
    async def words() -> set[str]:
        rows = await owner_conn.fetch("SELECT word FROM customer_search_word WHERE tenant_id = $1 AND uses > 0",
                                      tenant_a.tenant_id)
        return {row["word"] for row in rows}

    customer = await create_customer(client, tenant_a, name="Quách Quách Xuyến")
    await create_customer(client, tenant_a, name="Lò Xuyến")
    assert {"quach", "xuyen", "lo"} <= await words()
    renamed = await client.patch(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers,
                                 json={"name": "Ông Ích Khiêm"})
    assert renamed.status_code == 200, renamed.text
    assert "quach" not in await words() and {"ong", "ich", "khiem", "xuyen"} <= await words()
    assert (await client.delete(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers)).status_code == 204
    assert not {"ong", "ich", "khiem"} & await words() and "xuyen" in await words()
