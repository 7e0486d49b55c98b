"""The loader's memory on a hostile data directory, beside the shipped data (issue 19, item 9).

    python benchmarks/loader.py [--quick]

Builds (in a temporary directory, removed afterwards) a copy of the shipped data whose
``texts.json`` names one text of 15 MB sixty times, sealed in its manifest so that every check
up to the texts passes. Then it runs ``python -m titre_mercd --data DIR versions --json`` on it
in a child process (it loads: every rule passes), and the same command on the shipped data,
and prints each run's wall time and its peak RSS, read from ``getrusage(RUSAGE_CHILDREN)``.
Before 0.3.0 the loader read that file sixty times (about 950 MB); each file is now read once,
and all of them together are capped at 32 MiB.
Goal: peak RSS under 100 MB for the hostile directory. It judges nothing: it prints figures.
``--quick`` uses a 1 MB text, as CI does, so that the script cannot rot.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path


def hostile_directory(root: Path, size: int, names: int) -> Path:
    """A copy of the shipped data whose texts.json names one ``size``-byte text ``names`` times."""
    from titre_mercd._manifest import write_manifest

    data = root / "data"
    shutil.copytree(str(files("titre_mercd").joinpath("data")), data)
    (data / "texts" / "big.txt").write_bytes(b"x" * size)
    texts = json.loads((data / "texts.json").read_text(encoding="utf-8"))
    for i in range(names):
        entry = json.loads(json.dumps(texts["texts"][0]))
        entry.update(id=f"big-{i}", file="texts/big.txt")
        entry["legal_text"].update(title=f"A big text, named {i} times")
        texts["texts"].append(entry)
    (data / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    write_manifest(data, "hostile")
    return data


def run(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, the children's peak RSS in MB, and the exit status of ``argv``."""
    start = time.perf_counter()
    quiet = subprocess.DEVNULL
    status = subprocess.run(argv, check=False, stdout=quiet, stderr=quiet).returncode
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    return elapsed, peak, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 1 MB text, for CI")
    args = parser.parse_args()
    size = (1 if args.quick else 15) * 1024 * 1024
    command = [sys.executable, "-m", "titre_mercd"]
    with tempfile.TemporaryDirectory() as temporary:
        # The shipped data first: RUSAGE_CHILDREN keeps the largest child's peak so far.
        elapsed, peak, status = run([*command, "versions", "--json"])
        print(
            f"shipped data:       {elapsed * 1e3:7.0f} ms  peak RSS {peak:6.1f} MB  exit {status}"
        )
        data = hostile_directory(Path(temporary), size, 60)
        elapsed, peak, status = run([*command, "--data", str(data), "versions", "--json"])
        print(
            f"one {size >> 20} MB text x 60: {elapsed * 1e3:7.0f} ms  peak RSS {peak:6.1f} MB  "
            f"exit {status} (goal: peak < 100 MB)"
        )


if __name__ == "__main__":
    main()
