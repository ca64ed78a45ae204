"""How long ``partnercore --help`` takes, against a bare Python start.

    python benchmarks/cli_startup.py [RUNS] [--compare SRC]

Runs ``python -c pass``, ``python -m partnercore --help`` and (when installed next to the
interpreter) the ``partnercore`` console script with ``--help``, RUNS times each (default
30), interleaved so that a busy machine slows all alike, and prints for each the median wall
time and the median CPU time (user + system) of the child process, then the command line's
own cost (``-m partnercore --help`` minus bare Python) and the margin to the target: a
median under 40 ms for ``python -m partnercore --help`` (the console script skips runpy and
is a little faster).

The children run as an installed package does: with cached bytecode (pip compiles it on
install). ``PYTHONDONTWRITEBYTECODE`` is dropped and the bytecode goes to a temporary
``PYTHONPYCACHEPREFIX``, never into the source tree; two warm-up runs fill it.

``--compare SRC``: also time ``--help`` of the source tree SRC (``PYTHONPATH=SRC``), e.g.
an older checkout, interleaved with the others, to compare before and after in one run.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_MS = 40.0


def _environment(cache: str, source: str | None) -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = cache
    if source is not None:
        environment["PYTHONPATH"] = source
    return environment


def _run(arguments: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time (user + system) of one child, in ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def _arguments(argv: list[str]) -> tuple[int, str | None]:
    runs, compare = 30, None
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        if word == "--compare" and rest:
            compare = os.path.abspath(rest.pop(0))
        elif word.isdigit() and int(word) > 0:
            runs = int(word)
        else:
            raise SystemExit(f"usage: {sys.argv[0]} [RUNS] [--compare SRC]")
    return runs, compare


def main() -> None:
    runs, compare = _arguments(sys.argv[1:])
    help_ = ["-m", "partnercore", "--help"]
    with tempfile.TemporaryDirectory(prefix="partnercore-pyc-") as cache:
        cases = {
            "python -c pass": (["-c", "pass"], _environment(cache, None)),
            "python -m partnercore --help": (help_, _environment(cache, None)),
        }
        script = os.path.join(os.path.dirname(sys.executable), "partnercore")
        if os.path.isfile(script):  # what a user types: the installed console script
            cases["partnercore --help (script)"] = ([script, "--help"], _environment(cache, None))
        if compare is not None:
            cases[f"--help of {compare}"] = (help_, _environment(cache, compare))
        for arguments, environment in cases.values():  # fill the bytecode cache, warm up
            _run(arguments, environment)
            _run(arguments, environment)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (arguments, environment) in cases.items():
                times[name].append(_run(arguments, environment))
    medians = {
        name: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
        for name, got in times.items()
    }
    width = max(len(name) for name in medians)
    print(f"{'':{width}}  median wall   median CPU   ({runs} runs each, interleaved)")
    for name, (wall, cpu) in medians.items():
        print(f"{name:{width}}  {wall:8.1f} ms  {cpu:8.1f} ms")
    bare_wall, bare_cpu = medians["python -c pass"]
    help_wall, help_cpu = medians["python -m partnercore --help"]
    print(f"the command line's own cost: {help_wall - bare_wall:.1f} ms wall, "
          f"{help_cpu - bare_cpu:.1f} ms CPU")  # fmt: skip
    if compare is not None:
        other_wall, other_cpu = medians[f"--help of {compare}"]
        print(f"--help against {compare}: x{help_wall / other_wall:.2f} wall, "
              f"x{help_cpu / other_cpu:.2f} CPU")  # fmt: skip
    verdict = "under" if help_wall < TARGET_MS else "OVER"
    print(f"target: --help under {TARGET_MS:.0f} ms: {verdict} "
          f"(margin {TARGET_MS - help_wall:+.1f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
