"""A new company's pipeline works from its first opportunity: the default stages arrive on first use, once."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.pipeline.helpers import API, add_opportunity

DEFAULTS = [("Mới", "New", 10, False, False), ("Đủ điều kiện", "Qualified", 30, False, False),
            ("Báo giá", "Proposition", 60, False, False), ("Thành công", "Won", 100, True, True)]


def described(stages: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(s["name_vi"], s["name_en"], s["probability"], s["is_won"], s["is_folded"]) for s in stages]


async def test_a_new_tenant_gets_the_default_stages_once_even_when_asked_at_once(client, tenant_a, tenant_b):
    answers = await asyncio.gather(*(client.get(f"{API}/stages", headers=tenant_a.headers) for _ in range(6)))
    assert {answer.status_code for answer in answers} == {200}
    stages = (await client.get(f"{API}/stages", headers=tenant_a.headers)).json()
    assert described(stages) == DEFAULTS
    assert [s["sequence"] for s in stages] == [0, 1, 2, 3] and {s["team_id"] for s in stages} == {None}
    audit = await client.get("/api/identity/v1/audit-log", headers=tenant_a.headers, params={"action": "stage.seed"})
    assert [entry["actor_kind"] for entry in audit.json()["items"]] == ["system"]

    # Tenant B gets its own rows, not tenant A's.
    b_stages = (await client.get(f"{API}/stages", headers=tenant_b.headers)).json()
    assert described(b_stages) == DEFAULTS
    assert not {s["id"] for s in b_stages} & {s["id"] for s in stages}


async def test_the_first_opportunity_of_a_new_tenant_starts_in_the_first_stage(client, tenant_a):
    opportunity = await add_opportunity(client, tenant_a, kind="opportunity")
    board = (await client.get(f"{API}/opportunities/board", headers=tenant_a.headers)).json()
    assert [column["stage"]["name_en"] for column in board["columns"]] == [d[1] for d in DEFAULTS]
    assert board["columns"][0]["stage"]["id"] == opportunity["stage_id"]
    assert (opportunity["probability"], board["columns"][0]["count"]) == (10, 1)


async def test_a_tenant_with_its_own_stages_gets_no_defaults(client, tenant_a):
    created = await client.post(f"{API}/stages", headers=tenant_a.headers,
                                json={"name_vi": "Liên hệ", "name_en": "Contacted", "probability": 20})
    assert created.status_code == 201, created.text
    stages = (await client.get(f"{API}/stages", headers=tenant_a.headers)).json()
    assert [s["name_en"] for s in stages] == ["Contacted"]
