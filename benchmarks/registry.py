"""The RNCP export reader and ``registry check`` against a bare ``iterparse`` loop, on a big file.

    python benchmarks/registry.py [--size-mb 520] [--repeat 3] [--defusedxml] [--quick]
    python benchmarks/registry.py --hostile [SHAPE ...] [--scale 1]

Generates (in a temporary directory, removed afterwards) an export of at least ``--size-mb``
MB: the 12 real fiches of ``tests/data/export_fiches_RNCP_V4_1_sample.xml`` repeated under new
numbers, with the lineage's fiches (made up, from ``tests/registry_exports.py``) in the middle.
Then it alternates, each in a fresh interpreter of this Python, start-up included:

- the baseline: ``xml.etree.ElementTree.iterparse`` over the file, clearing each ``FICHE``;
- the reader: every fiche of the file read as a record (``titre_mercd._rncp_export``);
- ``python -m titre_mercd registry check FILE --json``;
- with ``--defusedxml`` (if installed), the two ways to refuse DTDs the reader's docstring
  weighs: ``defusedxml.ElementTree.iterparse`` clearing each ``FICHE``, and the reader's own
  (``checked``: the prolog checked for a DTD, then the C parser, each ``FICHE`` freed; no
  records made).

It prints each run's MB per CPU second (and wall time) and peak RSS, and the medians of the
pairwise ratios of CPU times.
Goals: reader at least 0.7 times the baseline's throughput, peak RSS under 100 MB, and
``registry check`` in under 2 times the baseline's time. It judges nothing: it prints figures.
``--quick`` makes a file of about 5 MB and runs one round, as CI does, so that it cannot rot.

``--hostile`` runs ``registry check`` instead on exports of hostile shapes, at the sizes the
issue « No file lost, no input trusted » measured (times ``--scale``; ``--scale 0.5`` shows
whether time is linear in the size): one huge text node, elements that are not fiches, fiches
wrapped in another element, fiches of many links, deep nesting, and a lineage of thousands of
fiches (see ``tests/registry_exports.py``). Each is written to disk as it is generated, by a
child process, then removed. For each it prints the exit status (2: refused, and why), the
CPU time, the throughput and the peak RSS; the goal is under 100 MB for every shape.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from registry_exports import (  # noqa: E402
    HOSTILE_SHAPES,
    ISSUE_SIZES_MB,
    SAMPLE,
    lineage_fiches,
    sample_fiches,
    write_hostile,
)

BARE = """
import sys
from xml.etree.ElementTree import iterparse
fiches = 0
for _, element in iterparse(sys.argv[1]):
    if element.tag == "FICHE":
        fiches += 1
        element.clear()
print(fiches)
"""
DEFUSED = BARE.replace("from xml.etree.ElementTree", "from defusedxml.ElementTree")
CHECKED = """
import sys
from titre_mercd._rncp_export import fiche_elements
print(sum(1 for _ in fiche_elements(sys.argv[1], progress=False)))
"""
READER = """
import sys
from titre_mercd._rncp_export import read_fiches
print(sum(1 for _ in read_fiches(sys.argv[1], progress=False)))
"""


def generate(path: Path, size_mb: float) -> int:
    """Write the export: the sample's fiches renumbered, the lineage's in the middle."""
    fiches = sample_fiches()
    round_bytes = sum(len(f.encode("utf-8")) for f in fiches)
    rounds = max(1, int(size_mb * 1e6 / round_bytes) + 1)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<FICHES>\n')
        out.write("  <VERSION_FLUX>4.1</VERSION_FLUX>\n")
        for r in range(rounds):
            if r == rounds // 2:
                for fiche in lineage_fiches():
                    out.write(fiche + "\n")
                    count += 1
            for fiche in fiches:
                number = re.search(r"<NUMERO_FICHE>([^<]+)</NUMERO_FICHE>", fiche).group(1)  # type: ignore[union-attr]
                out.write(fiche.replace(number, f"RNCP{900000 + count}") + "\n")
                count += 1
        out.write("</FICHES>\n")
    return count


def measure(command: list[str], allowed: tuple[int, ...] = (0, 1)) -> tuple[float, float, float]:
    """Run ``command``; its wall time and CPU time in seconds, and its peak RSS in MB.

    The ratios compare CPU times (user and system, from ``wait4``): on a machine shared with
    other work, wall times measure the other work as much as this one.

    The peak is the child's own ``VmHWM`` (Linux), read every 10 ms while it runs: the
    ``ru_maxrss`` that ``wait4`` gives would count this process's size at the time it started
    the child (the kernel keeps it across exec). Elsewhere, ``ru_maxrss``.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status_file = Path(f"/proc/{process.pid}/status")
    peak_kb = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        try:
            for line in status_file.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    measure.status, measure.stderr = (
        code,
        (  # type: ignore[attr-defined]
            process.stderr.read().decode() if process.stderr else ""
        ),
    )
    if code not in allowed:
        sys.exit(f"{' '.join(command[:4])}… failed ({code}): {measure.stderr}")  # type: ignore[attr-defined]
    return elapsed, usage.ru_utime + usage.ru_stime, (peak_kb or usage.ru_maxrss) / 1024


def main() -> None:  # noqa: C901  (one branch per mode)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=520)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--defusedxml", action="store_true", help="also time defusedxml")
    parser.add_argument("--sample", action="store_true", help="time the 722 kB sample instead")
    parser.add_argument("--quick", action="store_true", help="about 5 MB, one round (CI)")
    parser.add_argument(
        "--hostile",
        nargs="*",
        metavar="SHAPE",
        choices=sorted(HOSTILE_SHAPES),
        help=f"time registry check on hostile shapes (default all: {', '.join(HOSTILE_SHAPES)})",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="--hostile: times the sizes")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:  # in a child process, so that this one stays small (see measure)
        if args.shape:
            write_hostile(Path(args.generate), args.shape, args.size_mb)
        else:
            print(generate(Path(args.generate), args.size_mb))
        return
    if args.hostile is not None:
        hostile(args.hostile or list(HOSTILE_SHAPES), args.scale)
        return
    if args.quick:
        args.size_mb, args.repeat = 5, 1
    with tempfile.TemporaryDirectory() as tmp:
        if args.sample:
            export, count = SAMPLE, len(sample_fiches())
        else:
            export = Path(tmp, "export_fiches_RNCP_V4_1_2026-12-01.xml")
            generator = [sys.executable, __file__, "--generate", str(export)]
            made = subprocess.run(
                [*generator, "--size-mb", str(args.size_mb)], capture_output=True, check=True
            )
            count = int(made.stdout)
        size = export.stat().st_size / 1e6
        print(
            f"{count:,} fiches, {size:.1f} MB; Python {sys.version.split()[0]}; "
            f"{args.repeat} rounds"
        )
        commands = {
            "bare": [sys.executable, "-c", BARE, str(export)],
            "reader": [sys.executable, "-c", READER, str(export)],
            "check": [sys.executable, "-m", "titre_mercd", "registry", "check", str(export)],
        }
        if args.defusedxml:
            commands["defusedxml"] = [sys.executable, "-c", DEFUSED, str(export)]
            commands["checked"] = [sys.executable, "-c", CHECKED, str(export)]
        times: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            line = []
            for name, command in commands.items():
                elapsed, cpu, peak = measure(command)
                times[name].append(cpu)
                peaks[name].append(peak)
                line.append(f"{name} {size / cpu:5.1f} MB/s ({elapsed:4.0f} s) {peak:4.1f} MB")
            print("  " + " | ".join(line))
        bare = times["bare"]
        print(
            "reader / bare throughput (median): "
            f"{statistics.median(b / r for b, r in zip(bare, times['reader'])):.2f} (goal ≥ 0.7)"
        )
        print(
            "registry check / bare time (median): "
            f"{statistics.median(c / b for b, c in zip(bare, times['check'])):.2f} (goal < 2)"
        )
        if args.defusedxml:
            for name in ("defusedxml", "checked"):
                ratio = statistics.median(b / d for b, d in zip(bare, times[name]))
                print(f"{name} / bare throughput (median): {ratio:.2f}")
        print(
            f"peak RSS: reader {max(peaks['reader']):.1f} MB, check {max(peaks['check']):.1f} MB, "
            f"bare {max(peaks['bare']):.1f} MB (goal < 100 MB)"
        )


def hostile(shapes: list[str], scale: float) -> None:
    """``registry check`` on each hostile shape: status, time and peak memory."""
    print(f"Python {sys.version.split()[0]}; registry check on hostile shapes (scale {scale})")
    for shape in shapes:
        size_mb = ISSUE_SIZES_MB[shape] * scale
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp, "export_fiches_RNCP_V4_1_2026-12-01.xml")
            subprocess.run(
                [sys.executable, __file__, "--generate", str(export), "--shape", shape,
                 "--size-mb", str(size_mb)],
                check=True,
            )  # fmt: skip
            size = export.stat().st_size / 1e6
            command = [sys.executable, "-m", "titre_mercd", "registry", "check", str(export)]
            elapsed, cpu, peak = measure(command, allowed=(0, 1, 2))
            status = measure.status  # type: ignore[attr-defined]
            why = measure.stderr.strip().split(": ", 2)[-1][:90]  # type: ignore[attr-defined]
            print(
                f"  {shape:<15} {size:7.1f} MB  exit {status}  {cpu:6.1f} s CPU "
                f"({elapsed:5.1f} s)  {size / max(cpu, 1e-9):6.1f} MB/s  peak {peak:5.1f} MB"
                + (f"\n    {why}" if status == 2 else "")
            )


if __name__ == "__main__":
    main()
