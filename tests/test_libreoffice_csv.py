"""A real spreadsheet application opens the ``--excel`` CSV files the tool writes.

LibreOffice Calc, headless, imports each file as a French user would (';' between fields, the
character set left for it to find from the byte order mark) and saves it again as plain UTF-8
CSV: every cell, accents, quotes, line breaks and separators inside cells included, comes back
exactly. Skipped where ``soffice`` is not installed (``apt-get install libreoffice-calc-nogui``),
failed instead where ``TITRE_MERCD_REQUIRE_SOFFICE`` is set (see ``tests/libreoffice.py``).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from libreoffice import TIMEOUT, soffice
from titre_mercd import _export

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.libreoffice

# LibreOffice's CSV filter options: separator ';' (59), quote '"' (34), character set 0 (« not
# known »: found from the byte order mark), from line 1. Saved as ',' (44), '"', UTF-8 (76).
IMPORT = "CSV:59,34,0,1"
EXPORT = "csv:Text - txt - csv (StarCalc):44,34,76,1"


def through_libreoffice(files: list[Path], tmp_path: Path) -> list[Path]:
    """Each file opened by LibreOffice and saved again as UTF-8 CSV; the saved files."""
    out = tmp_path / "libreoffice"
    profile = tmp_path / "profile"  # its own profile: never waits on another LibreOffice
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        + ["--infilter=" + IMPORT, "--convert-to", EXPORT, "--outdir", str(out)]
        + [str(f) for f in files],
        check=True,
        capture_output=True,
        timeout=TIMEOUT * 2,
    )
    return [out / f.name for f in files]


def cells(path: Path, encoding: str, sep: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as source:
        return list(csv.reader(source, delimiter=sep))


def titre_mercd(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "titre_mercd", *args],
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=120,
    )


def test_libreoffice_reads_the_excel_csv_of_convert_and_export(tmp_path: Path) -> None:
    candidates = (
        "Nom;Prénom;CCP obtenus;Remarque\r\n"
        'Lefèvre;Zoé;"CCP 1\nCCP 2";"dit ""Zozo""; à revoir"\r\n'
        "Œdipe;Gaëlle;Manager une équipe de conseillers (ères) clientèle à distance;«ok»\r\n"
        "Durand;Noé;Accueillir le public;;;\r\n"
    )
    (tmp_path / "in.csv").write_bytes(candidates.encode("cp1252"))
    converted = titre_mercd(
        *("convert", "--from", "2011-06-01", "--to", "2018-12-11", "--csv", "in.csv"),
        *("--column", "CCP obtenus", "--encoding", "cp1252", "--excel", "-o", "out.csv"),
        cwd=tmp_path,
    )
    assert converted.returncode == 1, converted.stderr  # Durand's CCP is no bloc
    exported = titre_mercd("export", "--format", "csv", "--excel", "-o", "tables", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    written = [
        tmp_path / "out.csv",
        *(tmp_path / "tables" / f"{t}.csv" for t in _export.CSV_TABLES),
    ]

    saved = through_libreoffice(written, tmp_path)

    for ours, theirs in zip(written, saved):
        expected = cells(ours, "utf-8-sig", ";")
        assert cells(theirs, "utf-8", ",") == expected, ours.name
    converted_cells = cells(written[0], "utf-8-sig", ";")
    assert converted_cells[1][:4] == ["Lefèvre", "Zoé", "CCP 1\nCCP 2", 'dit "Zozo"; à revoir']
    assert converted_cells[2][:2] == ["Œdipe", "Gaëlle"]
