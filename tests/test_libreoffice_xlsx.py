"""A real spreadsheet application opens the workbooks the tool writes.

LibreOffice, headless, opens the ``.xlsx`` that ``convert --input`` and ``export --format
xlsx`` write and saves every sheet as CSV: each cell shows exactly what was meant, accents
included, and the added columns sit under their headers. Skipped, saying why, where LibreOffice
is not installed (``nox -s libreoffice`` installs it where it can).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from titre_mercd._bulk import CellConverter, added_columns
from titre_mercd._export import CSV_TABLES, csv_table

pytest.importorskip("openpyxl", reason="the excel extra (openpyxl) is not installed")

from libreoffice import read_back, shown, soffice, trimmed
from test_cli import LAUNCHERS, run
from test_xlsx import HEADER, ROWS, write_workbook

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.libreoffice

CLI = LAUNCHERS["python -m titre_mercd"]
FROM_KEY, TO_KEY = "2011-06-01", "2018-12-11"


def test_a_converted_workbook_shows_every_cell_and_the_added_columns(tmp_path: Path) -> None:
    soffice()
    source = write_workbook(tmp_path / "candidats.xlsx", HEADER, ROWS)
    out = tmp_path / "candidats-2018.xlsx"
    result = run(CLI, "convert", "--from", FROM_KEY, "--to", TO_KEY, "--input", str(source),
                 "--column", "CCP obtenus", "-o", str(out))  # fmt: skip
    assert result.returncode == 1, result.stderr  # one label matches no bloc
    sheets = read_back(out, tmp_path / "lo")
    assert list(sheets) == ["Candidats"]
    convert_cell = CellConverter(FROM_KEY, TO_KEY)
    expected = [[*HEADER, *added_columns(TO_KEY)]]
    expected += [trimmed([*(shown(v) for v in row), *convert_cell(row[2] or "")]) for row in ROWS]
    assert sheets["Candidats"] == expected
    # The accents as typed, in the kept cells and in the added ones.
    assert sheets["Candidats"][1][1] == "Élodie"
    assert sheets["Candidats"][5][:2] == ["Nguyễn", "Ærøskøbing ß"]
    assert "proximité d'une équipe" in sheets["Candidats"][1][6]


def test_the_exported_workbook_shows_every_table(tmp_path: Path) -> None:
    soffice()
    out = tmp_path / "titre-mercd.xlsx"
    result = run(CLI, "export", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    sheets = read_back(out, tmp_path / "lo")
    assert sorted(sheets) == sorted(CSV_TABLES)
    for name in CSV_TABLES:
        header, rows = csv_table(name)
        assert sheets[name] == [list(header), *(trimmed(list(row)) for row in rows)], name
