"""How long ``partnercore --help`` takes, against a bare Python start.

    python benchmarks/cli_startup.py [RUNS]

Prints the median wall time of RUNS (default 20) runs of ``python -m partnercore --help``
and of ``python -c pass`` with the same interpreter, and the difference: the cost of the
command line itself. The target is a median under 40 ms for ``--help``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

TARGET_MS = 40.0


def median_ms(arguments: list[str], runs: int) -> float:
    """The median wall time of ``runs`` runs of the interpreter with ``arguments``, in ms."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, *arguments],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    median_ms(["-m", "partnercore", "--help"], 2)  # warm the file cache and .pyc files
    bare = median_ms(["-c", "pass"], runs)
    help_ = median_ms(["-m", "partnercore", "--help"], runs)
    verdict = "under" if help_ < TARGET_MS else "OVER"
    print(f"python -c pass               median {bare:6.1f} ms ({runs} runs)")
    print(f"python -m partnercore --help median {help_:6.1f} ms ({runs} runs)")
    print(f"the command line's own cost         {help_ - bare:6.1f} ms")
    print(f"target: --help under {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
