"""``registry update`` against a plain download and ``registry import``, from a local server.

    python benchmarks/update.py [--size-mb 250] [--repeat 2] [--quick]

Generates (in a temporary directory, removed afterwards) an export zip of about ``--size-mb``
MB, stored uncompressed so that the file downloaded is that big: the 12 real fiches of
``tests/data/export_fiches_RNCP_V4_1_sample.xml`` repeated under new numbers, with the
lineage's fiches (made up, from ``tests/registry_exports.py``) in the middle. A server on
127.0.0.1 (``tests/update_server.py``) answers data.gouv.fr's API shape and serves the zip with
its sha1. Then it alternates, each in fresh interpreters of this Python:

- the baseline: a plain streamed download of the zip (``urllib``, 1 MB chunks, no checks),
  then ``python -m titre_mercd registry import ZIP -o DIR``;
- ``python -m titre_mercd registry update --api URL``, into empty user directories.

It prints each run's wall time and peak RSS (of the biggest process), and the median of the
pairwise ratios of wall times. Goals: the update in at most 1.2 times the baseline's time, and
under 100 MB of peak memory. It judges nothing: it prints figures. ``--quick`` makes a file of
about 5 MB and runs one round, as CI does, so that it cannot rot.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from registry import generate  # noqa: E402

from update_server import Server  # noqa: E402

DAY = "2026-12-01"
ZIP = f"export-fiches-rncp-v4-1-{DAY}.zip"
DOWNLOAD = """
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1]) as answer, open(sys.argv[2], "wb") as out:
    while chunk := answer.read(1 << 20):
        out.write(chunk)
"""


def measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``argv``; its wall time in seconds and its peak RSS in MB (Linux: ru_maxrss in kB)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"{argv[:4]} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def baseline(server: Server, work: Path) -> tuple[float, float]:
    target = work / "baseline"
    target.mkdir()
    download = measured(
        [sys.executable, "-c", DOWNLOAD, f"{server.url}/files/{ZIP}", str(target / ZIP)]
    )
    imported = measured(
        [
            sys.executable, "-m", "titre_mercd", "registry", "import", str(target / ZIP),
            "-o", str(target / "data"),
        ]
    )  # fmt: skip
    return download[0] + imported[0], max(download[1], imported[1])


def update(server: Server, work: Path) -> tuple[float, float]:
    home = work / "update"
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    argv = [sys.executable, "-m", "titre_mercd", "registry", "update", "--api", server.api]
    return measured(argv, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=250)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="5 MB, one round (CI)")
    args = parser.parse_args()
    size, repeat = (5.0, 1) if args.quick else (args.size_mb, args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        xml = work / f"export_fiches_RNCP_V4_1_{DAY}.xml"
        fiches = generate(xml, size)
        with zipfile.ZipFile(work / ZIP, "w", zipfile.ZIP_STORED) as archive:
            archive.write(xml, xml.name)
        xml.unlink()
        content = (work / ZIP).read_bytes()
        print(f"export: {len(content) / 1e6:.0f} MB zip (stored), {fiches} fiches")
        server = Server().start()
        server.publish(ZIP, content)
        print(f"sha1 {hashlib.sha1(content).hexdigest()} served by {server.url}")
        del content
        ratios = []
        peaks = []
        try:
            for round_ in range(repeat):
                with tempfile.TemporaryDirectory(dir=folder) as one:
                    base_time, base_peak = baseline(server, Path(one))
                with tempfile.TemporaryDirectory(dir=folder) as one:
                    up_time, up_peak = update(server, Path(one))
                ratios.append(up_time / base_time)
                peaks.append(up_peak)
                print(
                    f"round {round_ + 1}: download + import {base_time:.2f} s "
                    f"(peak {base_peak:.1f} MB), update {up_time:.2f} s (peak {up_peak:.1f} MB), "
                    f"ratio {up_time / base_time:.2f}"
                )
        finally:
            server.stop()
    print(
        f"update / (download + import), median of {repeat}: {statistics.median(ratios):.2f} "
        "(goal: at most 1.2)"
    )
    print(f"update peak RSS, largest: {max(peaks):.1f} MB (goal: under 100 MB)")


if __name__ == "__main__":
    main()
