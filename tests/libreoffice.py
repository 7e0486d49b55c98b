"""LibreOffice as a test instrument: it opens a file the tool wrote and saves it as CSV.

``soffice --headless --convert-to csv`` is a real spreadsheet application reading the file:
what comes back is what a user sees in the cells. Tests that use it are marked
``libreoffice`` and skip, saying why, where ``soffice`` is not installed; where
``TITRE_MERCD_REQUIRE_SOFFICE`` is set (the nox session ``libreoffice``, which installs it),
they fail instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["read_back", "shown", "soffice", "trimmed"]

# The CSV export filter's options, by position: separator ',' (44), text delimiter '"' (34),
# UTF-8 (76), from line 1, no column formats, English (US) (1033) so that numbers show with a
# '.', then for import: quoted fields as text, detect special numbers; for export: cell
# contents as shown, no formulas, spaces kept, and -1: every sheet, each to FILE-SHEET.csv.
EXPORT_ALL_SHEETS = "44,34,76,1,,1033,false,true,true,false,false,-1"
TIMEOUT = 180  # seconds: the first start of a fresh profile is slow on a busy machine


def shown(value: Any) -> str:
    """What a cell holding ``value`` shows, in the formats a converted sheet gives it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):  # shown as JJ/MM/AAAA, with the time if it has one
        if value.time() == dt.time():
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def trimmed(row: list[str]) -> list[str]:
    """``row`` without its trailing empty cells."""
    while row and row[-1] == "":
        row.pop()
    return row


def soffice() -> str:
    """The path of ``soffice``, or skip the test (fail it where it must be installed)."""
    found = shutil.which("soffice")
    if found is None:
        reason = (
            "LibreOffice's soffice is not on PATH (Debian: apt-get install libreoffice-calc-nogui)"
        )
        if os.environ.get("TITRE_MERCD_REQUIRE_SOFFICE"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def read_back(path: Path, folder: Path, infilter: str | None = None) -> dict[str, list[list[str]]]:
    """Each sheet of ``path`` as LibreOffice shows it: its rows of cell texts, by sheet name.

    Trailing empty cells of each row are dropped (LibreOffice pads every row to the widest).
    ``infilter`` is LibreOffice's import filter with its options, for a CSV file (e.g.
    ``CSV:59,34,76`` for ';'-separated UTF-8). A file LibreOffice opens as one sheet comes
    back under the name of that sheet.
    """
    executable = soffice()
    folder.mkdir(parents=True, exist_ok=True)
    # One profile per call, so that parallel tests do not share (and lock) one.
    profile = folder.resolve() / "profile"
    command = [
        executable,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        f"csv:Text - txt - csv (StarCalc):{EXPORT_ALL_SHEETS}",
        "--outdir",
        str(folder),
        str(path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    written = sorted(folder.glob(f"{path.stem}-*.csv"))
    assert result.returncode == 0, result.stderr
    assert written, f"LibreOffice wrote no CSV file: {result.stdout} {result.stderr}"
    sheets = {}
    for csv_path in written:
        with csv_path.open(encoding="utf-8", newline="") as file:
            rows = [_trimmed(row) for row in csv.reader(file)]
        sheets[csv_path.stem[len(path.stem) + 1 :]] = rows
    return sheets


def _trimmed(row: list[str]) -> list[str]:
    while row and row[-1] == "":
        row.pop()
    return row
