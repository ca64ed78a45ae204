"""Licence timeline speed: what billing pays to ask every client's licence about a month.

Builds 20,000 licences with 0 to 5 events each (trials in London, deferred downgrades in
Paris, conversions, cancellations), then times, per call:

- ``timeline(period.start, period.end)`` for November 2026 (what billing calls),
- ``state_at(t)`` (what entitlement checks call),
- rebuilding a licence from its fields (what an adapter does on every load),

and prints the median microseconds, the total for all 20,000 licences, and the ratio of a
timeline call to a floor: building the same number of ``LicenseInterval`` objects directly.

Run: ``python benchmarks/licensing.py`` (``--licences N`` to change the count).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs

from partnercore.licensing import License, LicenseInterval, LicensePolicy
from partnercore.time import BillingPeriod

START = datetime(2026, 9, 1, tzinfo=UTC)
PERIOD = BillingPeriod(2026, 11, "Europe/Paris")


def build(rng: random.Random, index: int) -> License:
    license = License.open(
        f"c{index}",
        START + timedelta(hours=rng.randrange(24 * 30)),
        timezone=rng.choice(["UTC", "Europe/London", "America/New_York"]),
        policy=LicensePolicy(on_trial_end=rng.choice(["free", "full"])),
        billing_timezone="Europe/Paris",
    )
    at = license.opened_at
    for _ in range(rng.randrange(6)):
        at += timedelta(hours=rng.randrange(1, 24 * 25))
        state = license.state_at(at)
        if state == "free":
            license = rng.choice([license.request_upgrade, license.upgrade])(at)
        elif state == "trial":
            license = rng.choice([license.convert, license.cancel_trial])(at)
        else:
            license = license.downgrade(at, at_period_end=rng.random() < 0.5)
    return license


def per_call(items: list[License], call: Callable[[License], object]) -> list[float]:
    samples = []
    for item in items:
        begin = time.perf_counter()
        call(item)
        samples.append((time.perf_counter() - begin) * 1e6)
    return samples


def report(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    total = sum(samples) / 1e3
    print(f"{name:<28} median {median:6.2f} us   p95 {p95:6.2f} us   total {total:7.1f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(4)
    begin = time.perf_counter()
    licences = [build(rng, i) for i in range(args.licences)]
    print(
        f"{args.licences} licences, {sum(len(lic.events) for lic in licences)} events, "
        f"built in {time.perf_counter() - begin:.2f} s"
    )
    start, end = PERIOD.start, PERIOD.end
    timeline = report("timeline(period)", per_call(licences, lambda lic: lic.timeline(start, end)))
    middle = start + (end - start) / 2
    report("state_at(t)", per_call(licences, lambda lic: lic.state_at(middle)))
    fields = [f.name for f in attrs.fields(License) if f.init]
    report(
        "rebuild from fields (load)",
        per_call(licences, lambda lic: License(**{n: getattr(lic, n) for n in fields})),
    )
    shapes = [[(i.state, i.start, i.end) for i in lic.timeline(start, end)] for lic in licences]
    floor_samples = []
    for shape in shapes:
        t0 = time.perf_counter()
        tuple(LicenseInterval(state, s, e) for state, s, e in shape)
        floor_samples.append((time.perf_counter() - t0) * 1e6)
    floor = report("floor: build the intervals", floor_samples)
    print(f"timeline / floor ratio: {timeline / floor:.2f}")


if __name__ == "__main__":
    main()
