"""`make bench`: every benchmark, one table."""

from __future__ import annotations

import asyncio

from bench import (
    ageing,
    auth_overhead,
    contacts_import,
    contacts_search,
    credit_check,
    dashboard,
    duplicates,
    pipeline_board,
    rls_cost,
    webhooks_delivery,
)
from bench.harness import print_table


def main() -> None:
    results = []
    for module in (rls_cost, auth_overhead, credit_check, dashboard, pipeline_board, webhooks_delivery,
                   contacts_import, contacts_search, duplicates, ageing):
        results += asyncio.run(module.run())
    print_table(results)


if __name__ == "__main__":
    main()
