"""Write the spreadsheet files of ``tests/data/spreadsheets/`` with LibreOffice, once.

    python tests/make_spreadsheets.py

A certification centre's sheet (a title row, a header with merged cells, candidates holding
2007 unités and 2011 CCPs, French text with « œ », « € », « ’ », dates, a blank row) is written
with openpyxl, then opened and saved by LibreOffice headless in the forms a centre sends:

- ``centre-cp1252.csv``: « Texte CSV » in Western Europe (Windows-1252), ``;`` between fields,
  written with the filter options ``59,34,1`` (``1`` is the real cp1252; ``1252`` is not);
- ``centre-utf8-bom.csv``: UTF-8 with a byte order mark, ``;`` between fields (LibreOffice
  7.4 writes no byte order mark, an option from 7.6 on: it is put before what it wrote, as
  Excel's « CSV UTF-8 » starts with one);
- ``centre.xlsx``: an Excel 2007-365 workbook, with its title row and merged header cells.

The files are committed: the tests read them as LibreOffice wrote them, and need no LibreOffice
to run. The tests check what they hold, so a file written again differently fails them.
"""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent / "data" / "spreadsheets"
TITLE = "Centre de Roubaix – session de juin 2019 (coût : 0 €)"
HEADER = ["Candidat", None, "CCP obtenus", "Date du jury"]
ROWS = [
    ["Lefèvre", "Zoé", "Manager une équipe de conseillers (ères) clientèle à distance|2011-06-01/3",
     dt.date(2019, 6, 14)],
    ["Cœur", "Benoît", "Manager les ressources humaines d’une équipe de téléconseillers "
     "(téléconseillères)", dt.date(2019, 6, 14)],
    [None, None, None, None],
    ["N’Diaye", "Aïssata", "2007-04-27/3; Manager une équipe de conseillers (ères) clientèle à "
     "distance", dt.date(2019, 6, 17)],
    ["Martin", "Inès", "CCP 2", dt.date(2019, 6, 17)],
    ["Durand", "Œdipe", "Manager une equipe de conseilers…", dt.date(2019, 6, 17)],
]  # fmt: skip
# Filter options of the CSV export, by position: separator ';' (59), text delimiter '"' (34),
# character set, first line 1, no column formats, default language, then: quoted text
# fields, detect special numbers, cell contents as shown, no formulas, no trimmed spaces,
# this sheet only, formulas not recomputed, and a byte order mark (from LibreOffice 7.6 on).
CSV_FORMS = {
    "centre-cp1252.csv": "59,34,1,1,,0,true,true,true,false,false,0,false,false",
    "centre-utf8-bom.csv": "59,34,76,1,,0,true,true,true,false,false,0,false,true",
}


def source_workbook(path: Path) -> None:
    """The sheet as a centre makes it: title row, merged header cells, a blank row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Juin 2019"
    sheet.append([TITLE])
    sheet.merge_cells("A1:D1")
    sheet.append(HEADER)
    sheet.merge_cells("A2:B2")  # « Candidat » over the name and the first name
    for row in ROWS:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3, min_col=4, max_col=4):
        row[0].number_format = "DD/MM/YYYY"
    workbook.save(path)


def soffice(*arguments: str, folder: Path) -> None:
    """Run LibreOffice headless with a profile of its own in ``folder``."""
    executable = shutil.which("soffice")
    if executable is None:
        sys.exit("soffice is not installed (Debian: apt-get install libreoffice-calc-nogui)")
    profile = (folder / "profile").as_uri()
    command = [executable, f"-env:UserInstallation={profile}", "--headless", "--norestore"]
    subprocess.run([*command, *arguments], check=True, capture_output=True, timeout=300)


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        source = folder / "centre.xlsx"
        source_workbook(source)
        out = folder / "out"
        soffice("--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                str(source), folder=folder)  # fmt: skip
        shutil.copyfile(out / "centre.xlsx", HERE / "centre.xlsx")
        for name, options in CSV_FORMS.items():
            soffice("--convert-to", f"csv:Text - txt - csv (StarCalc):{options}", "--outdir",
                    str(out), str(source), folder=folder)  # fmt: skip
            written = (out / "centre.csv").read_bytes()
            bom = codecs.BOM_UTF8 if name.endswith("-bom.csv") else b""
            (HERE / name).write_bytes(bom + written)
    for path in sorted(HERE.iterdir()):
        print(f"wrote {path.relative_to(HERE.parents[1])} ({path.stat().st_size:,} bytes)")  # noqa: T201


if __name__ == "__main__":
    main()
