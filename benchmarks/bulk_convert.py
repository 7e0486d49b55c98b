"""Bulk conversion: throughput against a plain csv copy of the same file, and peak memory.

    python benchmarks/bulk_convert.py [--rows 1000000] [--repeat 3]

Generates a candidates' file (';'-separated, UTF-8 with a byte order mark, CRLF line endings,
CCP titles typed the way people type them, about 1% of rows with a label that matches no
bloc), then alternates, in fresh interpreters of this Python:

- the baseline: a plain ``csv.reader`` -> ``csv.writer`` copy of the file;
- the conversion: ``python -m titre_mercd convert --from 2011-06-01 --to 2018-12-11 --csv``.

It prints the rows per second of each run, the median of the pairwise ratios
(conversion / baseline; the goal is at least 0.5) and the peak resident memory of each process
(the goal for the conversion is under 100 MB). Times are wall-clock times of whole processes,
start-up included. It judges nothing: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FROM_KEY, TO_KEY = "2011-06-01", "2018-12-11"

# The three CCPs of 2011 as the arrêté writes them, and the ways people type them.
TITLES = (
    (
        "Gérer l'ensemble des moyens nécessaires aux activités d'une équipe de conseillers (ères) "
        "clientèle à distance"
    ),
    "Manager une équipe de conseillers (ères) clientèle à distance",
    "Contribuer à l'amélioration des activités d'un centre de relation client à distance",
)
STRIP_ACCENTS = str.maketrans("éèêàâîôûçœÉ", "eeeaaioucoE")


def typed(title: str, rng: random.Random) -> str:
    """``title`` as someone may have typed it: case, accents, spacing, « (ères) »."""
    variants = [
        title,
        title.lower(),
        title.upper(),
        title.translate(STRIP_ACCENTS),
        title.replace(" (ères)", "(ères)"),
        title.replace(" (ères)", ""),
        title.replace(" (ères)", " (eres)").translate(STRIP_ACCENTS).lower(),
        "  " + title.replace(" ", "  ") + " ",
    ]
    return rng.choice(variants)


def cell(rng: random.Random) -> str:
    """The CCPs of one candidate, separated by '|'; about 1% name no bloc."""
    if rng.random() < 0.01:
        return rng.choice(["Accueillir le public", "CCP 4", "Manager une équipe commerciale"])
    held = rng.sample(range(3), rng.randint(0, 3))
    parts = [f"{FROM_KEY}/{n + 1}" if rng.random() < 0.2 else typed(TITLES[n], rng) for n in held]
    return " | ".join(parts)


def generate(path: Path, rows: int) -> None:
    """Write the candidates' file: a header and ``rows`` rows."""
    rng = random.Random(20181211)
    first_names = ["Camille", "Dominique", "Claude", "Sacha", "Lou", "Noé", "Maël", "Inès"]
    last_names = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand"]
    centres = ["Roubaix", "Lyon; Vaise", "Marseille", "Toulouse", 'Nantes "Est"']
    cells = [cell(rng) for _ in range(4096)]  # each candidate's cell drawn from a pool
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("id;nom;prénom;centre;session;ccp\r\n")
        for i in range(rows):
            centre = rng.choice(centres)
            quoted = (
                f'"{centre.replace(chr(34), chr(34) * 2)}"'
                if ";" in centre or '"' in centre
                else centre
            )
            out.write(
                f"{i + 1};{rng.choice(last_names)};{rng.choice(first_names)};{quoted};"
                f'2019-{rng.randint(1, 12):02d};"{cells[i % len(cells)]}"\r\n'
            )


COPY = """
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as source, \\
        open(sys.argv[2], "w", encoding="utf-8", newline="") as sink:
    csv.writer(sink, delimiter=";").writerows(csv.reader(source, delimiter=";"))
"""


def measure(command: list[str]) -> tuple[float, float, int]:
    """Run ``command``; its wall time in seconds, its peak RSS in MB, its exit status."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({process.returncode}): {stderr}")
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source, copied, converted = Path(tmp, "in.csv"), Path(tmp, "copy.csv"), Path(tmp, "out.csv")
        generate(source, args.rows)
        size = source.stat().st_size / 1e6
        print(
            f"{args.rows:,} rows, {size:.1f} MB; Python {sys.version.split()[0]}; "
            f"{args.repeat} pairs"
        )
        baseline = [sys.executable, "-c", COPY, str(source), str(copied)]
        conversion = [
            sys.executable,
            "-m",
            "titre_mercd",
            "convert",
            "--from",
            FROM_KEY,
            "--to",
            TO_KEY,
            "--csv",
            str(source),
            "--column",
            "ccp",
            "--sep",
            ";",
            "-o",
            str(converted),
            "--force",
        ]
        ratios, copy_rss, convert_rss = [], [], []
        for _ in range(args.repeat):
            copy_time, copy_mb, _ = measure(baseline)
            convert_time, convert_mb, status = measure(conversion)
            ratios.append(copy_time / convert_time)
            copy_rss.append(copy_mb)
            convert_rss.append(convert_mb)
            print(
                f"  copy {args.rows / copy_time:>12,.0f} rows/s {copy_mb:6.1f} MB | "
                f"convert {args.rows / convert_time:>12,.0f} rows/s {convert_mb:6.1f} MB "
                f"(exit {status}) | ratio {copy_time / convert_time:.2f}"
            )
        with converted.open(encoding="utf-8-sig", newline="") as out:
            lines = sum(1 for _ in out)
        print(f"output lines: {lines:,} (header + {lines - 1:,} rows)")
        print(
            f"throughput ratio, convert / plain csv copy (median): {statistics.median(ratios):.2f}"
        )
        print(f"peak RSS: convert {max(convert_rss):.1f} MB, plain copy {max(copy_rss):.1f} MB")


if __name__ == "__main__":
    main()
