"""Peak memory and time of ``convert`` on hostile CSV files and workbooks, each refused.

    python benchmarks/hostile_sheets.py [--only NAME]

Builds each input an attacker would hand a certification centre (the probes of issue 19),
runs ``python -m titre_mercd convert ... --csv FILE`` or ``--input FILE.xlsx`` on it in a
fresh interpreter, and prints, for each: the input's size, the exit status (2: refused), the
peak resident memory of that process (``ru_maxrss``), the time taken, and the first words of
its error. The goals: under 100 MB for CSV, under 200 MB for workbooks, time linear in the
input. It judges nothing: it prints figures.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

FROM_KEY, TO_KEY = "2011-06-01", "2018-12-11"
MB = 1 << 20
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET, STRINGS = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
HEADER = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


# ---------------------------------------------------------------- CSV


def csv_one_field(path: Path) -> Path:
    """A 50 MB cell (the probe took 490 MB)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("id;ccp\n1;")
        for _ in range(50):
            out.write("y" * MB)
        out.write("\n")
    return path


def csv_multiline_field(path: Path) -> Path:
    """A 45 MB quoted cell over many lines (the probe took 970 MB)."""
    with path.open("w", encoding="utf-8") as out:
        out.write('id;ccp\n1;"')
        for _ in range(45):
            out.write("ligne\n" * (MB // 6))
        out.write('"\n')
    return path


# ---------------------------------------------------------------- workbooks


def workbook(path: Path, rows: Iterable[bytes] = (), strings: Iterable[bytes] = ()) -> Path:
    """A workbook (openpyxl's, its text made shared strings) whose sheet and strings are given.

    ``rows``: the sheet's rows after the header; ``strings``: the shared strings after « ccp ».
    Both are written a block at a time, so that large ones cost this process little memory.
    """
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Candidats"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    override = f'<Override PartName="/{STRINGS}" ContentType="{STRINGS_TYPE}"/>'.encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", override + b"</Types>"
    )
    del parts[SHEET]
    sheet_head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
    streamed = {
        SHEET: itertools.chain([sheet_head.encode(), HEADER.encode()], rows,
                               [b"</sheetData></worksheet>"]),
        STRINGS: itertools.chain([f'<sst xmlns="{MAIN}"><si><t>ccp</t></si>'.encode()], strings,
                                 [b"</sst>"]),
    }  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        for name, blocks in streamed.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for block in blocks:
                    member.write(block)
    return path


def repeated(block: bytes, count: int) -> Iterator[bytes]:
    """``block`` ``count`` times, a hundred thousand at a time."""
    for start in range(0, count, 100_000):
        yield block * min(100_000, count - start)


def strings_bomb(path: Path) -> Path:
    """0.8 MB of zip inflating to a table of 50 million strings (the probe took 890 MB, 60 s)."""
    return workbook(path, strings=repeated(b"<si><t>a</t></si>", 50_000_000))


def numbered(element: str, start: int, stop: int) -> Iterator[bytes]:
    """``element`` formatted with each number from ``start`` to ``stop``, 100,000 at a time."""
    for first in range(start, stop, 100_000):
        last = min(first + 100_000, stop)
        yield b"".join(element.format(i).encode() for i in range(first, last))


def strings_distinct(path: Path) -> Path:
    """4 million distinct short strings, compressing at a ratio under the limit (90 MB inflated)."""
    return workbook(path, strings=numbered("<si><t>{:07x}</t></si>", 0, 4_000_000))


def empty_rows(path: Path) -> Path:
    """A sheet of 50 million empty ``<row/>`` elements (the probe took over 700 MB)."""
    return workbook(path, rows=repeated(b"<row/>", 50_000_000))


def numbered_rows(path: Path) -> Path:
    """Two million empty rows, numbered (under the ratio): past Excel's 1,048,576 rows."""
    return workbook(path, rows=numbered('<row r="{}" ht="15" customHeight="1"/>', 2, 2_000_002))


def sparse_row(path: Path) -> Path:
    """One cell at row 2,000,000,000 in a 2 kB file (the probe hung writing empty rows)."""
    cell = b'<c r="A2000000000" t="inlineStr"><is><t>x</t></is></c>'
    return workbook(path, rows=[b'<row r="2000000000">' + cell + b"</row>"])


def deep_nesting(path: Path) -> Path:
    """A cell nesting 3,000,000 elements, each named differently (so that it does not compress
    beyond the ratio)."""
    depth, block = 3_000_000, 100_000
    opening = (
        "".join(f"<n{i:x}>" for i in range(start, start + block)).encode()
        for start in range(0, depth, block)
    )
    closing = (
        "".join(f"</n{i:x}>" for i in reversed(range(start - block, start))).encode()
        for start in range(depth, 0, -block)
    )
    return workbook(
        path,
        rows=itertools.chain([b'<row r="2"><c r="A2" t="inlineStr"><is>'], opening, closing,
                             [b"</is></c></row>"]),
    )  # fmt: skip


def long_text(path: Path) -> Path:
    """One cell of 40 MB of text that does not compress."""
    return workbook(
        path,
        rows=[b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
              *(os.urandom(MB).hex().encode() for _ in range(20)), b"</t></is></c></row>"],
    )  # fmt: skip


CASES: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "csv: one 50 MB field": ("in.csv", csv_one_field),
    "csv: a 45 MB quoted multi-line field": ("in.csv", csv_multiline_field),
    "csv: /dev/zero": ("", lambda _: Path("/dev/zero")),
    "xlsx: sharedStrings bomb": ("in.xlsx", strings_bomb),
    "xlsx: 4 million distinct shared strings": ("in.xlsx", strings_distinct),
    "xlsx: 50 million empty <row/>": ("in.xlsx", empty_rows),
    "xlsx: 2 million numbered empty rows": ("in.xlsx", numbered_rows),
    'xlsx: <row r="2000000000">': ("in.xlsx", sparse_row),
    "xlsx: 3,000,000-deep nesting": ("in.xlsx", deep_nesting),
    "xlsx: a 40 MB text": ("in.xlsx", long_text),
}


def peak_of_child(command: list[str], cwd: str) -> tuple[int, float, float, str]:
    """Run ``command`` in a child: its exit status, seconds, peak RSS in MB and error line.

    This process runs one child only, so RUSAGE_CHILDREN's peak is that child's.
    """
    start = time.perf_counter()
    result = subprocess.run(command, check=False, capture_output=True, text=True, cwd=cwd)
    elapsed = time.perf_counter() - start
    factor = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kB on Linux
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * factor / MB
    return result.returncode, elapsed, peak, result.stderr.strip()


def run_case(name: str) -> None:
    """Build case ``name``, convert it in a fresh interpreter, print one line of figures."""
    file_name, build = CASES[name]
    with tempfile.TemporaryDirectory() as folder:
        path = build(Path(folder, file_name))
        given = path.name if path.parent == Path(folder) else str(path)
        size = path.stat().st_size if path.is_file() else None
        option = "--input" if file_name.endswith(".xlsx") else "--csv"
        output = "out.xlsx" if option == "--input" else "out.csv"
        command = [sys.executable, "-m", "titre_mercd", "convert", "--from", FROM_KEY, "--to",
                   TO_KEY, option, given, "--column", "ccp", "-o", output]  # fmt: skip
        status, elapsed, peak, error = peak_of_child(command, folder)
        shown = (
            "endless"
            if size is None
            else f"{size / MB:.1f} MB"
            if size >= MB
            else f"{size / 1024:.1f} kB"
        )
        said = error.removeprefix("titre-mercd: ")
        print(f"| {name} | {shown} | {status} | {peak:.1f} MB | {elapsed:.2f} s | {said} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(CASES), help="run this case only")
    args = parser.parse_args()
    if args.only:
        run_case(args.only)
        return
    print("| input | size | exit | peak memory | time | error |")
    print("|---|---|---|---|---|---|")
    for name in CASES:
        # Each case in its own interpreter: RUSAGE_CHILDREN keeps the largest child's peak.
        subprocess.run([sys.executable, __file__, "--only", name], check=True)


if __name__ == "__main__":
    main()
