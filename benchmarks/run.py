"""Benchmarks of issue 5: each figure is a ratio to a baseline measured in the same run.

Commands are alternated with their baseline and the median of the pairwise ratios is printed,
because these machines are noisy and absolute times do not compare between runs.

    python benchmarks/run.py            # the full run (about a minute)
    python benchmarks/run.py --quick    # tiny sizes, to check it still runs (CI)

Needs the package installed, and pycountry for the first-use baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
import timeit
from pathlib import Path
from typing import Callable

GOALS = {
    "import": 1.10,
    "first use": 0.85,
    "lookup by_rome": 3.0,
    "lookup rome": 3.0,
    "lookup version": 3.0,
    "lookup find_block": 3.0,
    "bulk deemed_obtained": 3.0,
    "memory (MiB)": 5.0,
    "CLI start-up": 1.35,
}

FIRST_USE = (
    "import datetime, titre_mercd; titre_mercd.by_rome('D1408'); "
    "titre_mercd.current(datetime.date(2020, 1, 1))"
)
PYCOUNTRY = "import pycountry; pycountry.countries.get(alpha_2='FR')"


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def paired_ratio(ours: list[str], baseline: list[str], pairs: int) -> tuple[float, float, float]:
    """Median of ours/baseline over alternated runs, and the two median times in ms."""
    wall(ours), wall(baseline)  # warm the file cache
    ours_times, base_times, ratios = [], [], []
    for i in range(pairs):
        if i % 2:
            b, o = wall(baseline), wall(ours)
        else:
            o, b = wall(ours), wall(baseline)
        ours_times.append(o)
        base_times.append(b)
        ratios.append(o / b)
    return (
        statistics.median(ratios),
        statistics.median(ours_times) * 1e3,
        statistics.median(base_times) * 1e3,
    )


def per_call(func: Callable[[], object], number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def alternated(
    ours: Callable[[], object], baseline: Callable[[], object], number: int, repeat: int
) -> tuple[float, float, float]:
    """Median of ours/baseline over five alternated rounds, and the two median times in s."""
    ratios, ours_t, base_t = [], [], []
    for _ in range(5):
        o, b = per_call(ours, number, repeat), per_call(baseline, number, repeat)
        ratios.append(o / b)
        ours_t.append(o)
        base_t.append(b)
    return statistics.median(ratios), statistics.median(ours_t), statistics.median(base_t)


def lookup_ratio(ours: Callable[[], object], number: int) -> tuple[float, float, float]:
    """Per-call time of ``ours`` against ``dict.get`` on a normalised key (times in ns)."""
    table = {"D1408": 1, "M1401": 2, "M1704": 3}
    key = "D1408"
    ratio, o, b = alternated(ours, lambda: table.get(key), number, 7)
    return ratio, o * 1e9, b * 1e9


def candidates(count: int) -> list[list[str]]:
    """Candidates' held CCPs as a centre's file has them: references and hand-typed titles."""
    import titre_mercd

    choices = [
        ["2011-06-01/1"],
        ["2011-06-01/2", "2011-06-01/3"],
        ["Manager une equipe de conseillers (eres) clientele a distance"],
        ["contribuer a l'amelioration des activites d'un centre de relation client a distance"],
        ["2011-06-01/1", "2011-06-01/2", "2011-06-01/3"],
        ["2018-12-11/1"],
        [],
    ]
    titre_mercd.preload()
    return [choices[i % len(choices)] for i in range(count)]


def bulk_ratio(count: int) -> tuple[float, float, float]:
    """``deemed_obtained`` over many candidates against a plain dict-mapping loop."""
    import titre_mercd

    people = candidates(count)
    mapping: dict[str, frozenset[str]] = {}
    for held in people:
        for label in held:
            mapping[label] = frozenset(b.ref for b in titre_mercd.deemed_obtained([label]))

    def ours() -> None:
        for held in people:
            titre_mercd.deemed_obtained(held)

    def baseline() -> None:
        for held in people:
            obtained: set[str] = set()
            for label in held:
                obtained.update(mapping.get(label, ()))
            frozenset(obtained)

    ratio, o, b = alternated(ours, baseline, 1, 3)
    return ratio, o * 1e3, b * 1e3


def rss_kib(code: str) -> int:
    """Peak RSS (VmHWM) of a fresh interpreter after running ``code``."""
    probe = (
        f"{code}\n"
        "for line in open('/proc/self/status'):\n"
        "    if line.startswith('VmHWM'):\n"
        "        print(line.split()[1])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def memory_mib(runs: int) -> tuple[float, float, float]:
    deltas, ours, base = [], [], []
    for _ in range(runs):
        o = rss_kib("import attrs, titre_mercd; titre_mercd.preload()")
        b = rss_kib("import attrs")
        deltas.append((o - b) / 1024)
        ours.append(o / 1024)
        base.append(b / 1024)
    return statistics.median(deltas), statistics.median(ours), statistics.median(base)


def cli() -> list[str]:
    script = Path(sysconfig.get_path("scripts")) / "titre-mercd"
    return [str(script)] if script.exists() else [sys.executable, "-m", "titre_mercd"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    args = parser.parse_args()
    pairs, number, people, runs = (3, 200, 200, 1) if args.quick else (41, 200_000, 20_000, 5)

    import titre_mercd

    titre_mercd.preload()
    title = "Manager une equipe de conseillers (eres) clientele a distance"
    py = [sys.executable, "-c"]
    rows: list[tuple[str, float, str]] = []

    ratio, o, b = paired_ratio([*py, "import titre_mercd"], [*py, "import attrs"], pairs)
    rows.append(("import", ratio, f"{o:.1f} ms vs import attrs {b:.1f} ms"))
    try:
        import pycountry  # noqa: F401
    except ImportError:
        rows.append(("first use", float("nan"), "pycountry not installed: pip install pycountry"))
    else:
        ratio, o, b = paired_ratio([*py, FIRST_USE], [*py, PYCOUNTRY], pairs)
        rows.append(("first use", ratio, f"{o:.1f} ms vs pycountry {b:.1f} ms"))
    for name, func in [
        ("by_rome", lambda: titre_mercd.by_rome("D1408")),
        ("rome", lambda: titre_mercd.rome("D1408")),
        ("version", lambda: titre_mercd.version("2018-12-11")),
        ("find_block", lambda: titre_mercd.find_block(title)),
    ]:
        ratio, o, b = lookup_ratio(func, number)
        rows.append((f"lookup {name}", ratio, f"{o:.0f} ns vs dict.get {b:.0f} ns"))
    gc.collect()
    ratio, o, b = bulk_ratio(people)
    rows.append(
        (
            "bulk deemed_obtained",
            ratio,
            f"{o:.1f} ms vs dict loop {b:.1f} ms ({people:,} candidates)",
        )
    )
    delta, o, b = memory_mib(runs)
    rows.append(
        (
            "memory (MiB)",
            delta,
            f"peak RSS {o:.1f} MiB after preload vs {b:.1f} MiB after import attrs",
        )
    )
    ratio, o, b = paired_ratio([*cli(), "rome", "D1408", "--json"], [*py, "import attrs"], pairs)
    rows.append(("CLI start-up", ratio, f"{o:.1f} ms vs import attrs {b:.1f} ms"))

    print(f"titre_mercd {titre_mercd.__version__}, data {titre_mercd.DATA_VERSION}")
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"Python {platform.python_version()} on {machine}, {dt.date.today()}")
    print(f"{'figure':<22} {'value':>7} {'goal':>6}  detail")
    for name, value, detail in rows:
        goal = GOALS[name]
        mark = "" if args.quick else (" ok" if value <= goal else " MISSED")
        print(f"{name:<22} {value:>7.2f} {'≤' + format(goal, 'g'):>6}  {detail}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
