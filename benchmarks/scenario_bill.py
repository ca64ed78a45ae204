"""``Scenario.bill`` against a bare floor, on the 200-partner world of ``loading.py``.

The world of ``benchmarks/loading.py`` (200 partners, 4,000 clients, 100,000 usage records),
with every usage record moved into one month (June 2025), as in ``benchmarks/billing.py``:
billing that month aggregates all 100,000 records. Printed, as median CPU seconds of
``--repeat`` interleaved runs:

- ``Scenario.bill("2025-06")``: aggregating the raw records and billing every partner;
- the floor of ``benchmarks/billing.py``: a bare loop summing the same records by client
  and metric (here with their ``Decimal`` quantities and the period filter the aggregation
  needs), and the ratio of the two (target: within 2x).

    python benchmarks/scenario_bill.py [--partners 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loading import world

from partnercore.scenario import loads
from partnercore.time import BillingPeriod

MONTH = "2025-06"
_USAGE_AT = re.compile(r"(\n\[\[usage\]\]\n(?:[^\n]*\n){3}at = )2025-\d\d-")


def one_month(text: str) -> str:
    """``text`` with every usage record dated in ``MONTH``."""
    return _USAGE_AT.sub(rf"\g<1>{MONTH}-", text)


def floor(rows: list[tuple[str, str, Decimal, datetime]], start: datetime, end: datetime) -> int:
    """Sum the records of ``[start, end)`` by client and metric: the least any billing does."""
    sums: dict[tuple[str, str], Decimal] = {}
    for client, metric, quantity, at in rows:
        if start <= at < end:
            key = (client, metric)
            sums[key] = sums.get(key, 0) + quantity
    return len(sums)


def cpu(action: object) -> float:
    gc.collect()
    began = time.process_time()
    action()  # type: ignore[operator]
    return time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scenario = loads(one_month(world(args.partners)))
    period = BillingPeriod.parse(MONTH)
    rows = [
        (record.client_id, record.metric, record.quantity, record.at)
        for team in scenario.store.teams.partners()
        for client in scenario.store.teams.clients_of(team.id)
        for record in scenario.store.usage.records(client.id)
    ]
    inside = sum(1 for row in rows if period.start <= row[3] < period.end)
    bill: list[float] = []
    bare: list[float] = []
    for _ in range(args.repeat):
        bill.append(cpu(lambda: scenario.bill(MONTH)))
        bare.append(cpu(lambda: floor(rows, period.start, period.end)))
    run = scenario.bill(MONTH)
    billed, low = statistics.median(bill), statistics.median(bare)
    print(
        f"{args.partners} partners, {len(rows):,} usage records ({inside:,} in {MONTH}), "
        f"{len(run.invoices):,} invoices"
    )
    print(f"  Scenario.bill     {billed:8.3f} s CPU")
    print(f"  floor             {low:8.3f} s CPU")
    print(f"  ratio             {billed / low:8.2f} x (target <= 2)")


if __name__ == "__main__":
    main()
