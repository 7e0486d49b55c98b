"""Peak memory of a bulk conversion whose every cell is different and large.

    python benchmarks/distinct_cells.py [--rows 40000] [--cell-kb 10] [--ceiling-mb 100]

Generates a file of ``--rows`` rows whose CCP cell is a distinct label of ``--cell-kb`` kB that
matches no bloc (the worst case for the caches: nothing repeats, every row carries an error),
converts it with ``python -m titre_mercd convert ... --csv FILE -o OUT`` in a fresh interpreter,
and prints the peak resident memory of that process (``ru_maxrss``), the input's size, the
time taken, and whether the peak is under the ceiling (100 MB by default: the README's figure).
Exit status 1 when it is not. Memory is what it measures; the time is printed for information.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FROM_KEY, TO_KEY = "2011-06-01", "2018-12-11"


def write_input(path: Path, rows: int, cell_kb: int) -> None:
    """``rows`` rows, each with a distinct unmatched label of ``cell_kb`` kB."""
    filler_length = cell_kb * 1024 - 32
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,ccp\n")
        for i in range(rows):
            # Distinct from the first characters on, and unlike any title.
            filler = os.urandom(filler_length // 2).hex()
            out.write(f"{i},label {i:08d} {filler}\n")


def peak_of_child(command: list[str]) -> tuple[int, float, int]:
    """The exit status, the wall-clock seconds and the peak RSS (bytes) of ``command``."""
    start = time.perf_counter()
    status = subprocess.run(
        command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    factor = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kB on Linux
    return status, elapsed, peak * factor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--cell-kb", type=int, default=10)
    parser.add_argument("--ceiling-mb", type=float, default=100.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.csv"), Path(folder, "out.csv")
        write_input(source, args.rows, args.cell_kb)
        command = [
            sys.executable, "-m", "titre_mercd", "convert", "--from", FROM_KEY, "--to", TO_KEY,
            "--csv", str(source), "--column", "ccp", "-o", str(target),
        ]  # fmt: skip
        status, elapsed, peak = peak_of_child(command)
        size = source.stat().st_size
        written = target.stat().st_size if target.exists() else 0
    peak_mb = peak / 1e6
    print(f"input: {args.rows:,} rows of distinct {args.cell_kb} kB cells, {size / 1e6:,.0f} MB")
    print(f"output: {written / 1e6:,.0f} MB; exit status {status} (1: rows not converted)")
    print(f"time: {elapsed:,.1f} s ({elapsed / args.rows * 1000:.2f} ms a row)")
    print(f"peak resident memory: {peak_mb:,.1f} MB (ceiling {args.ceiling_mb:,.0f} MB)")
    under = peak_mb <= args.ceiling_mb
    print("under the ceiling" if under else "OVER THE CEILING")
    return 0 if under and status in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
