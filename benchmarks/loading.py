"""Scenario loading and billing over a range: a generated world of N partners.

Each partner has 20 clients (a reseller and a non-reseller in turn; a third of them
upgraded, some on trial), a partner admin and 4 advisors, an all-clients grant and 500
usage records spread over 2025 (so 200 partners: 4,000 clients and 100,000 usage records,
about 9 MB of TOML).

Printed, as the median CPU seconds (``time.process_time``) of ``--repeat`` interleaved runs
(the machine is shared: wall times are noisy):

- for 200 partners (``--partners``): ``tomllib.loads`` on the text, the whole load
  (``partnercore.scenario.loads``: parsing, checking and building the world in memory), and
  the ratio of the two (target: within 2x);
- for 100, 200 and 400 partners (``--scales``): the load time per usage record, which stays
  flat when loading is linear in the number of records;
- ``Scenario.bill_range`` over the 12 months of 2025 against the same 12 months billed one by
  one with ``Scenario.bill`` (target: within 1.1x), and the ratio.

    python benchmarks/loading.py [--partners 200] [--scales 100,200,400] [--repeat 3]
                                 [--skip-load] [--skip-scales] [--skip-range]

Compare two trees in one run of the machine by running it twice with ``PYTHONPATH``
pointing at each tree's ``src``.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
import tomllib
from collections.abc import Callable

from partnercore.scenario import loads

CLIENTS = 20
RECORDS_PER_PARTNER = 500
METRICS = ("assessments", "reports", "api_calls")
ZONES = ("UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo")

HEADER = """format = 1

[[pricebooks]]
id = "standard"
currency = "USD"
advisor_monthly_fee = "50.00"
full_license_monthly_fee = "400.00"
[pricebooks.usage]
assessments = "5.00"
reports = "1.25"
api_calls = "0.0125"
"""


def world(partners: int, seed: int = 7) -> str:
    """The TOML text of a world of ``partners`` partners (see the module docstring)."""
    rng = random.Random(seed)
    out: list[str] = [HEADER]
    clients: list[str] = []
    for p in range(partners):
        pid = f"p{p:04d}"
        out.append(
            f'\n[[partners]]\nid = "{pid}"\nname = "Partner {p}"\npricebook = "standard"\n'
            f'referral_rate = "0.20"\ntimezone = "{ZONES[p % len(ZONES)]}"\n'
        )
        for c in range(CLIENTS):
            cid = f"{pid}-c{c:02d}"
            clients.append(cid)
            model = "reseller" if c % 2 == 0 else "non_reseller"
            out.append(
                f'\n[[clients]]\nid = "{cid}"\nname = "Client {c} of {p}"\npartner = "{pid}"\n'
                f'billing_model = "{model}"\noperated_by = "partner"\n'
            )
    for p in range(partners):
        pid = f"p{p:04d}"
        for a in range(5):
            out.append(f'\n[[users]]\nid = "{pid}-u{a}"\nemail = "u{a}@{pid}.example"\n')
    for p in range(partners):
        pid = f"p{p:04d}"
        for a in range(5):
            role = "partner_admin" if a == 0 else "advisor"
            out.append(
                f'\n[[memberships]]\nuser = "{pid}-u{a}"\nteam = "{pid}"\nrole = "{role}"\n'
                "from = 2025-01-01T00:00:00Z\n"
            )
        out.append(
            f'\n[[grants]]\nid = "{pid}-g"\npartner = "{pid}"\nclient = "*"\nadvisor = "*"\n'
            'role = "advisor"\ngranted_at = 2025-01-01T00:00:00Z\n'
        )
    for index, cid in enumerate(clients):
        if index % 3 == 0:
            day = 1 + index % 27
            out.append(
                f'\n[[license_events]]\nteam = "{cid}"\nevent = "upgrade"\n'
                f"at = 2025-02-{day:02d}T00:00:00Z\n"
            )
        elif index % 3 == 1:
            out.append(
                f'\n[[license_events]]\nteam = "{cid}"\nevent = "request_upgrade"\n'
                "at = 2025-03-01T00:00:00Z\n"
            )
    for _ in range(partners * RECORDS_PER_PARTNER):
        cid = clients[rng.randrange(len(clients))]
        month, day = rng.randrange(1, 13), rng.randrange(2, 28)
        hour, minute = rng.randrange(24), rng.randrange(60)
        out.append(
            f'\n[[usage]]\nteam = "{cid}"\nmetric = "{METRICS[rng.randrange(3)]}"\n'
            f"quantity = {rng.randrange(1, 10)}\n"
            f"at = 2025-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z\n"
        )
    return "".join(out)


def cpu(action: Callable[[], object]) -> float:
    """CPU seconds ``action`` takes, with a collection beforehand (not inside)."""
    gc.collect()
    start = time.process_time()
    action()
    return time.process_time() - start


def loading(partners: int, repeat: int) -> None:
    text = world(partners)
    parse: list[float] = []
    load: list[float] = []
    for _ in range(repeat):  # interleaved, so a busy spell hits both alike
        parse.append(cpu(lambda: tomllib.loads(text)))
        load.append(cpu(lambda: loads(text)))
    toml, whole = statistics.median(parse), statistics.median(load)
    print(
        f"{partners} partners, {partners * CLIENTS} clients, "
        f"{partners * RECORDS_PER_PARTNER} usage records, {len(text) / 1e6:.1f} MB"
    )
    print(f"  tomllib.loads     {toml:8.3f} s CPU")
    print(f"  scenario.loads    {whole:8.3f} s CPU")
    print(f"  ratio             {whole / toml:8.2f} x (target <= 2)")


def _medians(text: str, repeat: int) -> tuple[float, float]:
    """The median CPU seconds of loading ``text``, and of ``tomllib.loads`` on it."""
    load = statistics.median(cpu(lambda: loads(text)) for _ in range(repeat))
    toml = statistics.median(cpu(lambda: tomllib.loads(text)) for _ in range(repeat))
    return load, toml


def scales(sizes: list[int], repeat: int) -> None:
    print("load time per usage record (linear: about the same at every size)")
    for partners in sizes:
        records = partners * RECORDS_PER_PARTNER
        load, toml = _medians(world(partners), repeat)
        print(
            f"  {partners:4d} partners {records:7d} records: load {load:7.3f} s "
            f"({load / records * 1e6:6.1f} us/record), tomllib {toml:6.3f} s, "
            f"ratio {load / toml:5.2f} x"
        )


def billing_range(partners: int, repeat: int) -> None:
    scenario = loads(world(partners))
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    one_by_one: list[float] = []
    ranged: list[float] = []

    def each_month() -> None:
        for month in months:  # each run dropped once billed
            scenario.bill(month)

    for _ in range(repeat):
        one_by_one.append(cpu(each_month))
        ranged.append(cpu(lambda: scenario.bill_range(months[0], months[-1]).to_rows()))
    single, whole = statistics.median(one_by_one), statistics.median(ranged)
    print(f"billing 12 months of {partners} partners")
    print(f"  12 x Scenario.bill           {single:8.3f} s CPU")
    print(f"  Scenario.bill_range + rows   {whole:8.3f} s CPU")
    print(f"  ratio                        {whole / single:8.2f} x (target <= 1.1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--scales", default="100,200,400")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-scales", action="store_true")
    parser.add_argument("--skip-range", action="store_true")
    args = parser.parse_args()
    print(f"partnercore from {os.path.dirname(loads.__code__.co_filename)}")
    if not args.skip_load:
        loading(args.partners, args.repeat)
    if not args.skip_scales:
        scales([int(size) for size in args.scales.split(",")], args.repeat)
    if not args.skip_range:
        billing_range(args.partners, args.repeat)


if __name__ == "__main__":
    main()
