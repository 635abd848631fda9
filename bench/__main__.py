"""`make bench`: every benchmark, one table."""

from __future__ import annotations

import asyncio

from bench import ageing, auth_overhead, credit_check, dashboard, rls_cost
from bench.harness import print_table


def main() -> None:
    results = []
    for module in (rls_cost, auth_overhead, credit_check, dashboard, ageing):
        results += asyncio.run(module.run())
    print_table(results)


if __name__ == "__main__":
    main()
