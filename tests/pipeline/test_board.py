"""The board: every stage of a team as a column, sums equal to the rows of the list; visibility applies."""

from __future__ import annotations

import uuid
from collections import defaultdict

from tests.identity.members import add_member
from tests.pipeline.helpers import API, act, add_opportunity, add_stages, add_team, default_stages


async def _rows(client, user, **params):
    """Every open opportunity the list gives for these filters, through its pages."""
    rows, cursor = [], None
    while True:
        page = await client.get(f"{API}/opportunities", headers=user.headers, params={
            "kind": "opportunity", "state": "open", "limit": 7, **params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        rows += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            return rows


async def _board(client, user, **params):
    response = await client.get(f"{API}/opportunities/board", headers=user.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _expected_columns(rows):
    """Per stage: count, expected revenue, and the weighted sum divided by 100 once, rounded half up."""
    columns: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        column = columns[row["stage_id"]]
        column[0] += 1
        column[1] += row["expected_revenue"]
        column[2] += row["expected_revenue"] * row["probability"]
    return {stage: (count, expected, (weighted + 50) // 100) for stage, (count, expected, weighted) in columns.items()}


def _columns(board):
    return {c["stage"]["id"]: (c["count"], c["expected_revenue"], c["weighted_revenue"])
            for c in board["columns"] if c["count"]}


async def test_board_sums_equal_the_rows(client, tenant_a, app_conn):
    new, proposal, _won = await default_stages(client, tenant_a)
    team = await add_team(client, tenant_a, "Nhóm dự án")
    other_team = await add_team(client, tenant_a, "Nhóm bán lẻ")
    demo, _empty = await add_stages(client, tenant_a, ("Demo", 33, False), ("Empty", 70, False),
                                   team_id=team["id"], rotting_days=3)
    await add_stages(client, tenant_a, ("Retail only", 20, False), team_id=other_team["id"])
    seller = await add_member(tenant_a, "salesperson", "Trần Thị Bán")
    created = []
    for n in range(23):
        created.append(await add_opportunity(
            client, seller if n % 3 == 0 else tenant_a, name=f"Cơ hội {n}", team_id=team["id"],
            stage_id=(new, proposal, demo)[n % 3]["id"], expected_revenue=1_234_567 * n + 333,
            probability=(None, 17, None, 33)[n % 4], tags=["vip"] if n % 2 else ["retail"],
            expected_close_date=f"2026-12-{1 + n:02d}", priority=n % 4))
    await add_opportunity(client, tenant_a, team_id=other_team["id"], expected_revenue=999)  # another team
    await add_opportunity(client, tenant_a, team_id=team["id"], expected_revenue=5, currency="USD")
    await act(client, tenant_a, created[1]["id"], "won")
    lost_reason = (await client.get(f"{API}/lost-reasons", headers=tenant_a.headers)).json()[0]
    await act(client, tenant_a, created[2]["id"], "lost", {"lost_reason_id": lost_reason["id"]})
    async with app_conn.transaction():  # one Demo card has not moved for five days: rotting
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        await app_conn.execute("UPDATE opportunity SET date_last_stage_update = now() - interval '5 days' "
                               "WHERE id = $1", uuid.UUID(created[5]["id"]))

    board = await _board(client, tenant_a, team_id=team["id"], per_column=3)
    assert board["currency"] == "VND"
    assert [c["stage"]["name_en"] for c in board["columns"]] == ["New", "Proposal", "Won", "Demo", "Empty"]
    rows = await _rows(client, tenant_a, team_id=team["id"])
    rows = [row for row in rows if row["currency"] == "VND"]
    assert len(rows) == 21
    assert _columns(board) == _expected_columns(rows)
    by_name = {c["stage"]["name_en"]: c for c in board["columns"]}
    assert by_name["Empty"]["count"] == 0 and by_name["Empty"]["cards"] == []
    assert by_name["Won"]["count"] == 0  # the board shows open opportunities
    assert (by_name["Demo"]["rotting_count"], by_name["New"]["rotting_count"]) == (1, 0)
    demo_cards = by_name["Demo"]["cards"]
    assert len(demo_cards) == 3
    assert [(c["priority"], c["id"]) for c in demo_cards] == sorted(
        ((c["priority"], c["id"]) for c in demo_cards), reverse=True)
    all_demo = {row["id"] for row in rows if row["stage_id"] == demo["id"]}
    assert {c["id"] for c in demo_cards} <= all_demo
    top = max((row["priority"], row["id"]) for row in rows if row["stage_id"] == demo["id"])
    assert (demo_cards[0]["priority"], demo_cards[0]["id"]) == top

    rotting = await _board(client, tenant_a, team_id=team["id"], per_column=100)
    flagged = [c["id"] for column in rotting["columns"] for c in column["cards"] if c["rotting"]]
    assert flagged == [created[5]["id"]]

    # Filters: owner, tag, expected close date; the sums still equal the list's rows.
    for params in ({"owner_id": str(seller.user_id)}, {"tag": "vip"},
                   {"close_from": "2026-12-05", "close_to": "2026-12-15"}):
        filtered = await _board(client, tenant_a, team_id=team["id"], **params)
        assert len(filtered["columns"]) == 5
        expected = _expected_columns([row for row in await _rows(client, tenant_a, team_id=team["id"], **params)
                                      if row["currency"] == "VND"])
        assert expected and _columns(filtered) == expected, params

    usd = await _board(client, tenant_a, team_id=team["id"], currency="USD")
    assert sum(c["expected_revenue"] for c in usd["columns"]) == 5
    bad = await client.get(f"{API}/opportunities/board", headers=tenant_a.headers, params={"per_column": 101})
    assert bad.status_code in (400, 422)
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_weighted_revenue_rounds_half_up_once_per_column(client, tenant_a):
    new, = await add_stages(client, tenant_a, ("New", 10, False))
    # 3 × (5 × 10) = 150 → 1.5 → 2; per-row rounding would give 3 × round(0.5).
    for _ in range(3):
        await add_opportunity(client, tenant_a, expected_revenue=5)
    column, = (await _board(client, tenant_a))["columns"]
    assert (column["count"], column["expected_revenue"], column["weighted_revenue"]) == (3, 15, 2)
    assert column["stage"]["id"] == new["id"]


async def test_a_salesperson_with_own_visibility_sees_only_theirs(client, tenant_a, tenant_b):
    new, _proposal, _won = await default_stages(client, tenant_a)
    seller = await add_member(tenant_a, "salesperson", "Lê Văn Bán")
    colleague = await add_member(tenant_a, "salesperson", "Phạm Thị Đồng")
    mine = await add_opportunity(client, seller, name="Của tôi", expected_revenue=100)
    theirs = await add_opportunity(client, colleague, name="Của đồng nghiệp", expected_revenue=900)
    managers = await add_opportunity(client, tenant_a, name="Giao cho tôi", owner_id=str(seller.user_id),
                                     expected_revenue=50)
    assert managers["owner_id"] == str(seller.user_id)

    listed = (await client.get(f"{API}/opportunities", headers=seller.headers)).json()["items"]
    assert {row["id"] for row in listed} == {mine["id"], managers["id"]}
    assert (await client.get(f"{API}/opportunities/{theirs['id']}", headers=seller.headers)).status_code == 404
    assert (await client.post(f"{API}/opportunities/{theirs['id']}/stage", headers=seller.headers,
                              json={"stage_id": new["id"]})).status_code == 404
    board = await _board(client, seller)
    assert sum(c["count"] for c in board["columns"]) == 2
    assert sum(c["expected_revenue"] for c in board["columns"]) == 150
    everything = await _board(client, tenant_a)
    assert sum(c["expected_revenue"] for c in everything["columns"]) == 1050
    assert sum(c["count"] for c in (await _board(client, tenant_b))["columns"]) == 0
    # Stages are configured by admins: a salesperson cannot add one.
    assert (await client.post(f"{API}/stages", headers=seller.headers,
                              json={"name_vi": "A", "name_en": "A"})).status_code == 403
