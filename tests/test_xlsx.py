"""Excel workbooks: ``convert --input FILE.xlsx`` and ``export --format xlsx``, read back with openpyxl.

A converted sheet keeps every cell's value and type in its place (text with its accents,
numbers, dates, booleans, empty cells; formulas as their cached values) and gains the four
columns a CSV conversion adds, computed by the same converter. Errors are one line and exit
status 2; rows that could not be converted give exit status 1 with the file written; without
openpyxl, one line says how to install the ``excel`` extra.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from titre_mercd import _xlsx
from titre_mercd._bulk import CellConverter, added_columns
from titre_mercd._export import CSV_TABLES, csv_table

openpyxl = pytest.importorskip("openpyxl", reason="the excel extra (openpyxl) is not installed")

from test_cli import LAUNCHERS, error, run  # noqa: E402  (after the skip without openpyxl)

if TYPE_CHECKING:
    import subprocess

CLI = LAUNCHERS["python -m titre_mercd"]
FROM_KEY, TO_KEY = "2011-06-01", "2018-12-11"
CONVERT = ("convert", "--from", FROM_KEY, "--to", TO_KEY)
ADDED = added_columns(TO_KEY)
# From a source checkout (this test's own, when the package is imported from it), the
# install command is pip's for the checkout; from an installed wheel, PyPI's.
_CHECKOUT = Path(__file__).resolve().parents[1]
INSTALL = (
    f'pip install ".[excel]" (in {_CHECKOUT})'
    if Path(_xlsx.__file__).resolve().parents[1] == _CHECKOUT / "src"
    else "pip install 'titre-mercd[excel]'"
)

HEADER = ["nom", "prénom", "CCP obtenus", "note", "session", "présent"]
ROWS: list[list[Any]] = [
    ["Dupont", "Élodie", "Manager une equipe de conseillers (eres) clientele a distance",
     12.5, dt.date(2020, 1, 15), True],
    ["Martin", None, "2011-06-01/2 | 2011-06-01/3", 3, dt.datetime(2021, 3, 4, 10, 30), False],
    ["Durand", "Zoë « la grande »", "Accueillir le public", -7, None, None],
    ["=Lefèvre", 'dit "Jo"; ou, bien\nJojo', "", 0.1, dt.date(1999, 12, 31), True],
    ["Nguyễn", "Ærøskøbing ß", "2011-06-01/1", 10**12, dt.datetime(2024, 2, 29), None],
]  # fmt: skip


def write_workbook(path: Path, header: list[Any], rows: list[list[Any]], **sheets: Any) -> Path:
    """A workbook whose first sheet holds ``header`` and ``rows``, then one sheet per keyword.

    Text is text even when it starts with '=', as a user types it after an apostrophe.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Candidats"
    for r, row in enumerate([header, *rows], 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                cell = sheet.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"
    for title, more in sheets.items():
        extra = workbook.create_sheet(title)
        for row in more:
            extra.append(row)
    workbook.save(path)
    return path


def values(path: Path, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """Every row of a sheet as values, as openpyxl reads them (trailing empty cells dropped)."""
    workbook = openpyxl.load_workbook(path, data_only=True)
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    rows = []
    for row in worksheet.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(tuple(cells))
    return rows


def expected_added(cell: str) -> tuple[Any, ...]:
    return tuple(v or None for v in CellConverter(FROM_KEY, TO_KEY)(cell))


def convert(*args: str) -> subprocess.CompletedProcess[str]:
    return run(CLI, *CONVERT, *args)


# ---------------------------------------------------------------- round trip


def test_every_cell_comes_back_with_the_added_columns(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "candidats.xlsx", HEADER, ROWS)
    out = tmp_path / "candidats-2018.xlsx"
    result = convert("--input", str(source), "--column", "CCP obtenus", "-o", str(out))
    assert result.returncode == 1, result.stderr  # « Accueillir le public » matches no bloc
    assert result.stdout == f"Wrote {len(ROWS)} rows to {out}.\n"
    assert result.stderr == (
        f"titre-mercd: 1 of {len(ROWS)} rows could not be converted (see column "
        "'conversion error')\n"
    )
    read_in, read_out = values(source), values(out)
    assert read_out[0] == (*HEADER, *ADDED)
    assert len(read_out) == len(read_in) == len(ROWS) + 1
    for before, after, row in zip(read_in[1:], read_out[1:], ROWS):
        kept = before + (None,) * (len(HEADER) - len(before))
        assert after[: len(HEADER)] == kept
        added = expected_added(row[2] or "")
        assert after[len(HEADER) :] == added[: len(after) - len(HEADER)]
        assert all(v is None for v in added[len(after) - len(HEADER) :])
    # The values themselves, as they were written: accents, numbers, dates, booleans, None.
    assert read_out[1][:2] == ("Dupont", "Élodie")
    assert read_out[1][3:6] == (12.5, dt.datetime(2020, 1, 15), True)
    assert read_out[2][1] is None
    assert read_out[2][4] == dt.datetime(2021, 3, 4, 10, 30)
    assert read_out[4][:2] == ("=Lefèvre", 'dit "Jo"; ou, bien\nJojo')
    assert read_out[5][:2] == ("Nguyễn", "Ærøskøbing ß")
    assert read_out[5][3] == 10**12
    assert read_out[3][len(HEADER) + 3].startswith("unknown bloc 'Accueillir le public'")


def test_the_output_is_values_only(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "in.xlsx", HEADER, ROWS)
    out = tmp_path / "out.xlsx"
    convert("--input", str(source), "--column", "CCP obtenus", "-o", str(out))
    workbook = openpyxl.load_workbook(out)  # formulas as formulas, if there were any
    sheet = workbook.worksheets[0]
    assert workbook.sheetnames == ["Candidats"]
    types = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert "f" not in types
    assert sheet["A5"].value == "=Lefèvre"
    assert sheet["A5"].data_type == "s"
    assert sheet["E2"].is_date
    assert sheet["E2"].number_format == "DD/MM/YYYY"  # JJ/MM/AAAA, as in France
    assert sheet["E3"].number_format == "DD/MM/YYYY HH:MM:SS"


def with_cached_values(path: Path, cached: dict[str, tuple[str, str]]) -> None:
    """Give formula cells the values a spreadsheet application would have saved with them."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, (kind, value) in cached.items():
        pattern = rf'<c r="{ref}"([^>]*)><f>([^<]*)</f><v ?/>(</v>)?</c>'
        replacement = rf'<c r="{ref}" t="{kind}"><f>\2</f><v>{value}</v></c>'
        sheet, count = re.subn(pattern, replacement, sheet)
        assert count == 1, ref
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_formulas_come_out_as_their_cached_values(tmp_path: Path) -> None:
    rows = [
        ["Dupont", "2011-06-01/2", 4, "=C2*2", '=A2&" É."', "=C2/0"],
        ["Martin", '=""&"2011-06-01/3"', 5, "=C3*2", "=A3", "=C3+1"],
    ]
    header = ["nom", "ccp", "n", "double", "texte", "jamais calculé"]
    source = write_workbook(tmp_path / "in.xlsx", header, [])
    workbook = openpyxl.load_workbook(source)
    for row in rows:
        workbook.active.append(row)
    workbook.save(source)
    with_cached_values(
        source,
        {
            "D2": ("n", "8"),
            "E2": ("str", "Dupont É."),
            "F2": ("e", "#DIV/0!"),
            "B3": ("str", "2011-06-01/3"),
            "D3": ("n", "10"),
            "E3": ("str", "Martin"),
        },
    )  # F3 keeps no cached value, as when no application has calculated the workbook
    out = tmp_path / "out.xlsx"
    result = convert("--input", str(source), "--column", "ccp", "-o", str(out))
    assert result.returncode == 0, result.stderr
    read = values(out)
    assert read[1][:6] == ("Dupont", "2011-06-01/2", 4, 8, "Dupont É.", "#DIV/0!")
    assert read[2][:6] == ("Martin", "2011-06-01/3", 5, 10, "Martin", None)
    # The CCP cell computed by a formula is converted from its value.
    assert read[2][6:] == expected_added("2011-06-01/3")[: len(read[2]) - 6]
    written = openpyxl.load_workbook(out).worksheets[0]
    assert written["F2"].data_type == "e"
    assert all(cell.data_type != "f" for row in written.iter_rows() for cell in row)


def test_a_sheet_by_name_and_the_output_sheet_keeps_it(tmp_path: Path) -> None:
    source = write_workbook(
        tmp_path / "in.xlsx",
        ["autre"],
        [["x"]],
        **{"Session de juin": [["Nom", "CCP"], ["Petit", "2011-06-01/3"]]},
    )
    out = tmp_path / "out.xlsx"
    result = convert(
        "--input", str(source), "--sheet", "session de JUIN", "--column", "ccp", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(out).sheetnames == ["Session de juin"]
    assert values(out)[1][:2] == ("Petit", "2011-06-01/3")


def test_empty_rows_and_rows_above_the_header_keep_their_place(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "nom", "ccp"
    sheet["B4"], sheet["C4"] = "Petit", "2011-06-01/3"
    sheet["B6"] = "Robert"  # row 5 is empty, and so is Robert's CCP cell
    workbook.save(source)
    out = tmp_path / "out.xlsx"
    result = convert("--input", str(source), "--column", "ccp", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout
        == f"Wrote 2 rows (2 rows above the header and 1 blank row copied) to {out}.\n"
    )
    read = values(out)
    assert read[:2] == [(), ()]
    assert read[2] == (None, "nom", "ccp", *ADDED)
    assert read[3][:3] == (None, "Petit", "2011-06-01/3")
    assert read[4] == ()
    assert read[5][:3] == (None, "Robert", None)
    assert read[5][3:] == expected_added("")[: len(read[5]) - 3]


def test_values_beyond_the_header_are_flagged_and_kept_after_the_added_columns(
    tmp_path: Path,
) -> None:
    source = write_workbook(
        tmp_path / "in.xlsx",
        ["nom", "ccp"],
        [["Petit", "2011-06-01/3", None, "en plus", None], ["Robert", "2011-06-01/2", None]],
    )
    out = tmp_path / "out.xlsx"
    result = convert("--input", str(source), "--column", "ccp", "-o", str(out))
    assert result.returncode == 1
    read = values(out)
    assert read[1][:2] == ("Petit", "2011-06-01/3")
    assert read[1][2:5] == (None, None, None)
    assert "beyond the header's last column (B)" in read[1][5]
    assert read[1][6:] == (None, "en plus")
    assert read[2][:2] == ("Robert", "2011-06-01/2")
    assert read[2][2:] == expected_added("2011-06-01/2")[: len(read[2]) - 2]


def test_json_report(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "in.xlsx", HEADER, ROWS[:2])
    out = tmp_path / "out.xlsx"
    result = run(CLI, "--json", *CONVERT, "--input", str(source), "--column", "ccp obtenus",
                 "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("{")
    import json

    assert json.loads(result.stdout) == {
        "output": str(out),
        "rows": 2,
        "unmatched": 0,
        "added_columns": list(ADDED),
        "blank_rows": 0,
        "rows_above_header": 0,
        "input_format": "xlsx",
        "output_format": "xlsx",
    }


def test_a_csv_input_is_converted_as_with_csv(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"nom;ccp\r\nPetit;2011-06-01/3\r\n")
    by_input, by_csv = tmp_path / "a.csv", tmp_path / "b.csv"
    first = convert("--input", str(source), "--column", "ccp", "--sep", ";", "-o", str(by_input))
    second = convert("--csv", str(source), "--column", "ccp", "--sep", ";", "-o", str(by_csv))
    assert first.returncode == second.returncode == 0, first.stderr
    assert by_input.read_bytes() == by_csv.read_bytes()


# ---------------------------------------------------------------- errors


def corrupt(path: Path) -> None:
    """Cut the sheet's XML short, after its first rows."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: sheet.index(b'<row r="40"')] + b"<row r="
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Each case: its arguments after ``convert --from --to``, and words of its message."""
    good = write_workbook(tmp_path / "good.xlsx", HEADER, ROWS)
    with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as archive:
        archive.writestr("notes.txt", "no workbook here")
    with zipfile.ZipFile(tmp_path / "sheet.ods", "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    write_workbook(tmp_path / "empty.xlsx", [], [])
    write_workbook(tmp_path / "clash.xlsx", ["ccp", ADDED[0]], [["2011-06-01/2", "x"]])
    write_workbook(tmp_path / "twice.xlsx", ["CCP", "ccp "], [])
    truncated = write_workbook(tmp_path / "cut.xlsx", ["ccp"], [["2011-06-01/2"]] * 100)
    corrupt(truncated)
    out = str(tmp_path / "out.xlsx")
    return {
        "a zip but not a workbook": (
            ["--input", str(tmp_path / "other.xlsx"), "--column", "ccp", "-o", out],
            ["other.xlsx, zip member '[Content_Types].xml': cannot be read"]),
        "an .ods spreadsheet": (["--csv", str(tmp_path / "sheet.ods"), "--column", "c", "-o", out],
                                ["sheet.ods is an OpenDocument spreadsheet (.ods)", ".xlsx"]),
        "the old .xls format": (["--input", str(tmp_path / "old.xls"), "--column", "c", "-o", out],
                                ["old.xls is in the old .xls format", ".xlsx"]),
        "no such file": (["--input", str(tmp_path / "none.xlsx"), "--column", "c", "-o", out],
                         ["cannot read", "none.xlsx"]),
        "unknown sheet": (["--input", str(good), "--sheet", "Juin", "--column", "ccp obtenus",
                           "-o", out], ["no sheet 'Juin'", "sheets: 'Candidats'"]),
        "unknown column": (["--input", str(good), "--column", "CCP", "-o", out],
                           ["no column 'CCP'", "sheet 'Candidats'", "'prénom', 'CCP obtenus'"]),
        "a column twice": (["--input", str(tmp_path / "twice.xlsx"), "--column", "Ccp", "-o", out],
                           ["appears 2 times"]),
        "an empty sheet": (["--input", str(tmp_path / "empty.xlsx"), "--column", "ccp", "-o", out],
                           ["is empty", "header row"]),
        "an added column already there": (
            ["--input", str(tmp_path / "clash.xlsx"), "--column", "ccp", "-o", out],
            ["already has a column 'deemed obtained (2018-12-11)'"]),
        "a sheet that stops being readable": (
            ["--input", str(truncated), "--column", "ccp", "-o", out],
            ["cut.xlsx, sheet 'Candidats', around row 40, zip member 'xl/worksheets/sheet1.xml'",
             "not well-formed XML"]),
        "a workbook asked for without -o": (
            ["--input", str(good), "--column", "nom", "--output-format", "xlsx"],
            ["give -o FILE.xlsx"]),
        "--excel with a workbook output": (["--input", str(good), "--column", "nom", "--excel",
                                            "-o", out], ["--excel only goes with a CSV output"]),
        "--sep": (["--input", str(good), "--column", "nom", "--sep", ";", "-o", out],
                  ["--sep only goes with a CSV input"]),
        "no --column": (["--input", str(good), "-o", out], ["--input needs --column"]),
        "--input and --csv": (["--input", str(good), "--csv", "x.csv", "--column", "c"],
                              ["--input or --csv, not both"]),
        "--input and BLOCK": (["2011-06-01/1", "--input", str(good), "--column", "c", "-o", out],
                              ["BLOCK arguments or --input"]),
        "--sheet with a CSV file": (["--input", "x.csv", "--sheet", "a", "--column", "c"],
                                    ["--sheet only goes with a workbook"]),
        "--sheet alone": (["2011-06-01/1", "--sheet", "a"], ["--sheet only goes with a workbook"]),
    }  # fmt: skip


CASES = [
    "a zip but not a workbook", "an .ods spreadsheet", "the old .xls format", "no such file", "unknown sheet", "unknown column",
    "a column twice", "an empty sheet", "an added column already there",
    "a sheet that stops being readable", "a workbook asked for without -o",
    "--excel with a workbook output", "--sep", "no --column",
    "--input and --csv", "--input and BLOCK", "--sheet with a CSV file", "--sheet alone",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_status_2_and_writes_nothing(tmp_path: Path, case: str) -> None:
    arguments, words = bad_inputs(tmp_path)[case]
    error(convert(*arguments), 2, *words)
    assert not (tmp_path / "out.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_existing_output_is_kept_without_force_and_replaced_with_it(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "in.xlsx", HEADER, ROWS[:1])
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous")
    arguments = ["--input", str(source), "--column", "ccp obtenus", "-o", str(out)]
    error(convert(*arguments), 2, "exists; give --force")
    assert out.read_bytes() == b"previous"
    assert convert(*arguments, "--force").returncode == 0
    assert values(out)[1][0] == "Dupont"


def test_a_failure_midway_leaves_the_previous_output(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "in.xlsx", ["ccp"], [["2011-06-01/2"]] * 100)
    corrupt(source)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous")
    result = convert("--input", str(source), "--column", "ccp", "-o", str(out), "--force")
    error(result, 2, "around row")
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "out.xlsx"]


def test_the_input_is_never_its_own_output(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "in.xlsx", HEADER, ROWS)
    before = source.read_bytes()
    result = convert("--input", str(source), "--column", "nom", "-o", str(source), "--force")
    error(result, 2, "is the input file itself")
    assert source.read_bytes() == before


# ---------------------------------------------------------------- export


def test_export_writes_one_sheet_per_csv_table(tmp_path: Path) -> None:
    out = tmp_path / "titre-mercd.xlsx"
    result = run(CLI, "export", "--format", "xlsx", "-o", str(out))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout == f"Wrote {out}\n"
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == list(CSV_TABLES)
    for name in CSV_TABLES:
        header, rows = csv_table(name)
        read = [
            tuple("" if v is None else v for v in row)
            for row in workbook[name].iter_rows(values_only=True)
        ]
        assert read == [header, *rows]
        assert {c.data_type for row in workbook[name].iter_rows() for c in row} <= {"s", "n"}
        assert workbook[name].freeze_panes == "A2"


def test_export_json_report_and_its_errors(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = run(CLI, "--json", "export", "--format", "xlsx", "-o", str(out))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    import json

    assert json.loads(result.stdout) == {"format": "xlsx", "files": [str(out)]}
    error(run(CLI, "export", "--format", "xlsx", "-o", str(out)), 2, "exists; give --force")
    error(run(CLI, "export", "--format", "xlsx"), 2, "give -o FILE.xlsx")
    error(run(CLI, "export", "--format", "xlsx", "-o", str(tmp_path / "t.ods")), 2, "FILE.xlsx")
    error(run(CLI, "export", "--format", "xlsx", "--table", "codes", "-o", str(out)), 2,
          "--table only goes with --format csv")  # fmt: skip


# ---------------------------------------------------------------- without the extra

WITHOUT_OPENPYXL = (
    "import sys; sys.modules['openpyxl'] = None; "  # importing it now raises ImportError
    "from titre_mercd._cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize(
    "arguments",
    [
        [*CONVERT, "--input", "{dir}/in.xlsx", "--column", "nom", "-o", "{dir}/out.xlsx"],
        ["export", "--format", "xlsx", "-o", "{dir}/out.xlsx"],
    ],
    ids=["convert", "export"],
)
def test_without_openpyxl_one_line_says_how_to_install_it(
    tmp_path: Path, arguments: list[str]
) -> None:
    write_workbook(tmp_path / "in.xlsx", HEADER, ROWS)
    given = [a.format(dir=tmp_path) for a in arguments]
    result = run([sys.executable, "-c", WITHOUT_OPENPYXL], *given)
    message = error(result, 2, INSTALL, "openpyxl")
    assert (
        message == f"titre-mercd: reading and writing .xlsx workbooks needs openpyxl: {INSTALL}\n"
    )
    assert not (tmp_path / "out.xlsx").exists()


def test_without_openpyxl_an_old_xls_file_is_still_refused_as_one(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = run([sys.executable, "-c", WITHOUT_OPENPYXL], *CONVERT, "--input",
                 str(tmp_path / "old.xls"), "--column", "c", "-o", str(tmp_path / "out.csv"))  # fmt: skip
    error(result, 2, "old.xls is in the old .xls format", "save it as an Excel workbook (.xlsx)")


def test_the_csv_conversion_needs_no_openpyxl(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("nom,ccp\nPetit,2011-06-01/3\n", encoding="utf-8")
    result = run([sys.executable, "-c", WITHOUT_OPENPYXL], *CONVERT, "--input", str(source),
                 "--column", "ccp")  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1].startswith("Petit,2011-06-01/3,")


# ---------------------------------------------------------------- the law, in process

LABELS = ["2011-06-01/1", "2011-06-01/2 | 2011-06-01/3", "Manager une equipe", "", "CCP 9"]
# Text as a cell can hold it: no control characters but tab and line feed (XML drops the
# others, and a carriage return reads back as a line feed).
TEXT = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n=#;,\"'"),
    max_size=20,
)
VALUES = st.one_of(
    st.none(),
    TEXT,
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: abs(f) < 1e300),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
)


@settings(max_examples=30)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(VALUES, max_size=4), st.sampled_from(LABELS), st.lists(VALUES, max_size=3)
        ),
        max_size=8,
    )
)
def test_every_cell_is_kept_and_the_added_columns_align(
    rows: list[tuple[list[Any], str, list[Any]]],
) -> None:
    header = ["a", "b", "c", "d", "ccp", "e", "f", "g"]
    table = [
        [*(before + [None] * (4 - len(before))), label, *after] for before, label, after in rows
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder, "in.xlsx"), header, table)
        read_in = values(path)
        convert_cell = CellConverter(FROM_KEY, TO_KEY)
        sink = io.BytesIO()
        source = _xlsx.XlsxSource(str(path), "in.xlsx", "ccp")
        try:
            outcome = _xlsx.convert(source, sink, convert_cell)
        finally:
            source.close()
        out = Path(folder, "out.xlsx")
        out.write_bytes(sink.getvalue())
        read_out = values(out)
    # The rows that hold something are candidates; the others are blank rows, copied.
    assert outcome.rows == sum(1 for row in table if any(v not in (None, "") for v in row))
    assert read_out[0] == (*header, *ADDED)
    # Empty rows at the end hold nothing: openpyxl writes no row element for them.
    while len(read_in) > 1 and all(v in (None, "") for v in read_in[-1]):
        read_in.pop()
    assert len(read_out) == len(read_in)
    unmatched = 0
    for before, after in zip(read_in[1:], read_out[1:]):
        if all(v in (None, "") for v in before):  # an empty row stays empty
            assert after == ()
            continue
        kept = before + (None,) * (len(header) - len(before))
        assert after[: len(header)] == kept
        label = before[4] if len(before) > 4 and before[4] is not None else ""
        added = tuple(v or None for v in convert_cell(label))
        padded = after + (None,) * (len(header) + 4 - len(after))
        assert padded[len(header) :] == added
        unmatched += bool(added[3])
    assert outcome.unmatched == unmatched
