"""LibreOffice opens every output of every pair (CSV or workbook in, CSV or workbook out).

The centre's files LibreOffice wrote (``tests/data/spreadsheets/``) are converted to CSV and
to a workbook; LibreOffice headless opens each output and saves it as CSV: what it shows is
what openpyxl or :mod:`csv` read from the output, cell by cell, the French added columns and
the dates (JJ/MM/AAAA) included. Skipped, saying why, where LibreOffice is not installed.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import pytest

from libreoffice import read_back, shown, soffice, trimmed

openpyxl = pytest.importorskip("openpyxl", reason="the excel extra (openpyxl) is not installed")

from test_spreadsheet_files import DATA, INPUTS, cli  # noqa: E402  (it needs openpyxl)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.libreoffice


@pytest.mark.parametrize("out", ["out.xlsx", "out.csv"])
@pytest.mark.parametrize("form", ["cp1252", "xlsx"])
def test_libreoffice_shows_each_output_as_written(tmp_path: Path, form: str, out: str) -> None:
    soffice()
    name, options = INPUTS[form]
    more = ["--excel"] if out.endswith(".csv") else []  # ';' and a byte order mark
    result = cli("--input", str(DATA / name), "--column", "CCP obtenus", *options, "--lang",
                 "fr", *more, "-o", out, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1, result.stderr  # two candidates' CCPs name no bloc
    path = tmp_path / out
    if out.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(path).active
        written = [trimmed([shown(v) for v in row]) for row in sheet.iter_rows(values_only=True)]
        infilter = None
    else:
        with path.open(encoding="utf-8-sig", newline="") as file:
            written = [trimmed(row) for row in csv.reader(file, delimiter=";")]
        infilter = "CSV:59,34,76,1"  # ';', '"', UTF-8, from line 1
    (seen,) = read_back(path, tmp_path / "lo", infilter).values()
    while written and not written[-1]:
        written.pop()
    assert seen == written
    assert seen[1][4:] == [
        "blocs détenus reconnus",
        "blocs réputés obtenus (2018-12-11)",
        "blocs à obtenir (2018-12-11)",
        "tous les blocs obtenus (2018-12-11)",
        "erreur de conversion",
    ]
    assert seen[2][3] == "14/06/2019"
    assert seen[3][:5] == ["Cœur", "Benoît", seen[3][2], "14/06/2019", "2007-04-27/2"]
