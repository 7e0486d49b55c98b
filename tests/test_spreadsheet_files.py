"""A centre's sheet as LibreOffice saves it, converted every way: the same answers each time.

The files of ``tests/data/spreadsheets/`` were written by LibreOffice headless
(``tests/make_spreadsheets.py``): cp1252 with ``;``, UTF-8 with a byte order mark, and an
``.xlsx`` workbook with a title row and merged header cells. The sheet mixes holders of 2007
unités and 2011 CCPs: without ``--from``, one run converts it, each held bloc named with the
version it was recognised in. Outputs are read back with openpyxl or :mod:`csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converting import convert_cli
from titre_mercd import _bulk, _xlsx
from titre_mercd._referentiel import closest_blocks, deemed_obtained, find_block, version

openpyxl = pytest.importorskip("openpyxl", reason="the excel extra (openpyxl) is not installed")

DATA = Path(__file__).resolve().parent / "data" / "spreadsheets"
TO = "2018-12-11"
FR = list(_bulk.added_columns(TO, lang="fr", recognised=True))
TITLE = "Centre de Roubaix – session de juin 2019 (coût : 0 €)"
HEADER = ["Candidat", "", "CCP obtenus", "Date du jury"]
# Each candidate's CCPs as the sheet gives them, and the blocs the library finds in them.
CANDIDATES = {
    "Lefèvre": ["2011-06-01/2", "2011-06-01/3"],
    "Cœur": ["2007-04-27/2"],
    "N’Diaye": ["2007-04-27/3", "2011-06-01/2"],
    "Martin": None,  # « CCP 2 »: a bloc number, which each version gives
    "Durand": None,  # a typo
}
INPUTS = {
    "cp1252": ("centre-cp1252.csv", ["--encoding", "cp1252"]),
    "utf8-bom": ("centre-utf8-bom.csv", []),
    "xlsx": ("centre.xlsx", []),
}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return convert_cli("--to", TO, *args, cwd=cwd)


def expected_added(name: str) -> list[str]:
    """The five added values, in French, for a candidate (from the library)."""
    refs = CANDIDATES[name]
    if refs is None:
        return ["", "", "", ""]
    held = [find_block(ref) for ref in refs]
    obtained = deemed_obtained(held)
    blocks = version(TO).blocks
    return [
        " | ".join(refs),
        " | ".join(b.title for b in blocks if b in obtained),
        " | ".join(b.title for b in blocks if b not in obtained),
        "non" if any(b not in obtained for b in blocks) else "oui",
    ]


def convert_all(
    tmp_path: Path, form: str, out: str, *more: str
) -> subprocess.CompletedProcess[str]:
    name, options = INPUTS[form]
    return cli("--input", str(DATA / name), "--column", "CCP obtenus", *options, "--lang", "fr",
               "-o", out, *more, cwd=tmp_path)  # fmt: skip


def rows_of(path: Path, sep: str = ";") -> list[list[Any]]:
    """The rows of a written file: a workbook's values, or a CSV file's fields."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=sep))


def answers(rows: list[list[Any]]) -> dict[str, list[str]]:
    """Each candidate's added values, empty cells as ''."""
    found = {}
    for row in rows[2:]:
        cells = ["" if v is None else str(v) for v in row]
        if any(cells):
            found[cells[0]] = cells[4:9]
    return found


@pytest.mark.parametrize("out", ["out.xlsx", "out.csv", "out-excel.csv"])
@pytest.mark.parametrize("form", sorted(INPUTS))
def test_a_mixed_file_in_one_run_from_every_form_to_every_form(
    tmp_path: Path, form: str, out: str
) -> None:
    more = ["--excel"] if "excel" in out else []
    result = convert_all(tmp_path, form, out, *more)
    assert result.returncode == 1, result.stderr
    how = "" if form == "xlsx" else " (separator ';', detected from the header)"
    assert result.stdout == (
        f"Wrote 5 rows (1 row above the header and 1 blank row copied) to {out}{how}.\n"
    )
    assert result.stderr == (
        "titre-mercd: 2 of 5 rows could not be converted (see column 'erreur de conversion'); "
        "a bloc number such as 'CCP 2' names a bloc of one version: give --from KEY, the "
        "version of the CCPs held\n"
    )
    # A CSV output keeps a CSV input's ';'; one from a workbook has ',' unless --excel.
    rows = rows_of(tmp_path / out, "," if form == "xlsx" and not more else ";")
    assert rows[0][0] == TITLE  # the title row, copied through
    assert ["" if v is None else v for v in rows[1]] == HEADER + FR
    assert not any(rows[4])  # the blank row, copied
    found = answers(rows)
    assert list(found) == list(CANDIDATES)
    for name, added in found.items():
        assert added[:4] == expected_added(name), name
    assert found["Martin"][4] == (
        "'CCP 2' est un numéro de bloc, que chaque version donne : donner --from"
    )
    nearest = closest_blocks("Manager une equipe de conseilers…", ("2007-04-27", "2011-06-01", TO))
    titles = "; ".join(f"{b.ref} {b.title!r}" for b in nearest)
    assert found["Durand"][4] == (
        f"bloc inconnu 'Manager une equipe de conseilers…' (les plus proches : {titles})"
    )


@pytest.mark.parametrize("form", sorted(INPUTS))
def test_dates_stay_dates_in_a_workbook_shown_jj_mm_aaaa(tmp_path: Path, form: str) -> None:
    convert_all(tmp_path, form, "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    if form == "xlsx":  # a date cell stays a date, in a French format
        assert sheet["D3"].value == dt.datetime(2019, 6, 14)
        assert sheet["D3"].number_format == "DD/MM/YYYY"
    else:  # a CSV cell is copied as it is: text
        assert sheet["D3"].value == "14/06/2019"
        assert sheet["D3"].data_type == "s"


@pytest.mark.parametrize(
    ("more", "shown"),
    [([], "2019-06-14"), (["--lang", "fr"], "14/06/2019"), (["--excel"], "14/06/2019")],
)
def test_dates_from_a_workbook_in_a_csv_output(tmp_path: Path, more: list[str], shown: str) -> None:
    result = cli("--input", str(DATA / "centre.xlsx"), "--column", "CCP obtenus", "-o",
                 "out.csv", *more, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") is ("--excel" in more)
    sep = ";" if "--excel" in more else ","
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=sep))
    assert rows[2][3] == shown
    assert rows[1][4:] == list(
        _bulk.added_columns(TO, lang="fr" if "fr" in more else "en", recognised=True)
    )


def test_csv_cells_are_copied_as_they_are(tmp_path: Path) -> None:
    result = convert_all(tmp_path, "utf8-bom", "out.csv")
    assert result.returncode == 1
    written = (tmp_path / "out.csv").read_bytes()
    given = (DATA / "centre-utf8-bom.csv").read_bytes()
    for line, out in zip(given.split(b"\n"), written.split(b"\n")):
        assert out.startswith(line.rstrip(b"\r"))  # each row's bytes, then the added fields


def test_latin1_on_excel_s_cp1252_is_refused_naming_cp1252(tmp_path: Path) -> None:
    name = "centre-cp1252.csv"
    data = (DATA / name).read_bytes()
    at = min(data.index(bytes([byte])) for byte in range(0x80, 0xA0) if bytes([byte]) in data)
    assert data[at] == 0x96  # « – » in the title row, the first such byte
    line = data[:at].count(b"\n") + 1
    column = at - data.rfind(b"\n", 0, at)
    result = cli("--input", str(DATA / name), "--column", "CCP obtenus", "--encoding",
                 "latin-1", "-o", "out.xlsx", cwd=tmp_path)  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"titre-mercd: {DATA / name} line {line}, column {column}: byte 0x96 is the control "
        "character U+0096 in latin-1, which real text never holds; cp1252 (Excel's default in "
        "France) reads it as '–': give --encoding cp1252 (--allow-c1 keeps the control "
        "characters)\n"
    )
    assert list(tmp_path.iterdir()) == []  # nothing written
    kept = cli("--input", str(DATA / name), "--column", "CCP obtenus", "--encoding", "latin-1",
               "--allow-c1", "-o", "out.csv", cwd=tmp_path)  # fmt: skip
    assert kept.returncode == 1
    assert "\x96" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("form", sorted(INPUTS))
def test_from_restricts_the_lookup_to_that_version(tmp_path: Path, form: str) -> None:
    result = convert_all(tmp_path, form, "out.xlsx", "--from", "2011-06-01")
    assert result.returncode == 1
    assert "give --from" not in result.stderr
    rows = rows_of(tmp_path / "out.xlsx")
    assert rows[1][4:] == list(_bulk.added_columns(TO, lang="fr"))  # no « recognised » column
    by_name = {row[0]: row for row in rows[2:] if row and row[0]}
    held = [find_block("2011-06-01/2")]  # « CCP 2 », of 2011
    assert by_name["Martin"][4] == " | ".join(b.title for b in deemed_obtained(held))
    assert by_name["Martin"][6:] == ["non", None]
    assert by_name["Cœur"][7].startswith("bloc inconnu 'Manager les ressources humaines")


@pytest.mark.parametrize("form", sorted(INPUTS))
def test_the_header_row_given_or_found(tmp_path: Path, form: str) -> None:
    found = convert_all(tmp_path, form, "found.xlsx")
    given = convert_all(tmp_path, form, "given.xlsx", "--header-row", "2")
    assert found.returncode == given.returncode == 1
    assert rows_of(tmp_path / "found.xlsx") == rows_of(tmp_path / "given.xlsx")
    wrong = convert_all(tmp_path, form, "wrong.xlsx", "--header-row", "3")
    assert wrong.returncode == 2
    assert "no column 'CCP obtenus' in the header of" in wrong.stderr
    assert not (tmp_path / "wrong.xlsx").exists()


def test_json_report_of_a_mixed_file(tmp_path: Path) -> None:
    result = convert_all(tmp_path, "xlsx", "out.csv", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "output": "out.csv",
        "rows": 5,
        "unmatched": 2,
        "added_columns": FR,
        "blank_rows": 1,
        "rows_above_header": 1,
        "input_format": "xlsx",
        "output_format": "csv",
    }


# ---------------------------------------------------------------- one sheet, both ways

TITLES = [b.title for v in ("2007-04-27", "2011-06-01", TO) for b in version(v).blocks]
LABELS = st.sampled_from(
    [*TITLES, "2007-04-27/2", "2011-06-01/3", "CCP 2", "manager une equipe de conseilers", ""]
)
CCP_CELLS = st.lists(LABELS, max_size=3).flatmap(
    lambda parts: st.sampled_from([" | ", "\n", "; ", ", "]).map(lambda sep: sep.join(parts))
)
# Text every encoding tried writes, and that no application reads as a formula.
OTHER_CELLS = st.text(alphabet='ab é;,"|\n', max_size=6)


@settings(max_examples=25)
@given(
    rows=st.lists(st.tuples(OTHER_CELLS, CCP_CELLS), min_size=1, max_size=6),
    title=st.booleans(),
    sep=st.sampled_from([";", ",", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
)
def test_the_same_sheet_gives_the_same_answers_from_csv_and_from_a_workbook(
    rows: list[tuple[str, str]], title: bool, sep: str, encoding: str
) -> None:
    sheet = [["Session de juin"]] if title else []
    sheet += [["nom", "CCP obtenus", "note"]]
    sheet += [[f"c{i}", ccp, note] for i, (note, ccp) in enumerate(rows)]
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=sep, lineterminator="\r\n").writerows(sheet)
    workbook = openpyxl.Workbook()
    for row in sheet:
        workbook.active.append([cell or None for cell in row])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "in.xlsx")
        workbook.save(path)
        from_csv = io.StringIO(newline="")
        given = None if encoding.startswith("utf-8") else encoding
        source = _bulk.CsvSource(io.BytesIO(text.getvalue().encode(encoding)), "in.csv",
                                 "CCP obtenus", encoding=given)  # fmt: skip
        assert source.sep == sep
        csv_outcome = _bulk.convert(source, from_csv, _bulk.CellConverter(None, TO))
        from_sheet = io.StringIO(newline="")
        sheet_source = _xlsx.XlsxSource(str(path), "in.xlsx", "CCP obtenus")
        try:
            sheet_outcome = _xlsx.convert_to_csv(
                sheet_source, from_sheet, _bulk.CellConverter(None, TO)
            )
        finally:
            sheet_source.close()
    assert csv_outcome == sheet_outcome
    read_csv = list(csv.reader(io.StringIO(from_csv.getvalue().lstrip("\ufeff")), delimiter=sep))
    read_sheet = list(csv.reader(io.StringIO(from_sheet.getvalue()), delimiter=","))
    assert len(read_csv) == len(read_sheet) == len(sheet)
    for csv_row, sheet_row in zip(read_csv, read_sheet):  # cell by cell, the answers included
        assert csv_row + [""] * (len(sheet_row) - len(csv_row)) == sheet_row


@pytest.mark.parametrize("option", ["--csv", "--input"])
def test_a_workbook_is_read_as_one_whatever_its_name_or_option(tmp_path: Path, option: str) -> None:
    disguised = tmp_path / "candidats.csv"  # a workbook under a CSV name
    disguised.write_bytes((DATA / "centre.xlsx").read_bytes())
    result = cli(option, str(disguised), "--column", "CCP obtenus", "--lang", "fr",
                 "-o", "out.xlsx", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("Wrote 5 rows (1 row above the header and 1 blank row")
    assert answers(rows_of(tmp_path / "out.xlsx")) == answers(rows_of_converted(tmp_path))


def rows_of_converted(tmp_path: Path) -> list[list[Any]]:
    """The centre's workbook converted under its own name, for comparison."""
    convert_all(tmp_path, "xlsx", "reference.xlsx")
    return rows_of(tmp_path / "reference.xlsx")


def test_a_workbook_from_standard_input_is_refused_with_the_way_to_give_it(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "titre_mercd", "convert", "--to", TO, "--csv", "-", "--column",
         "CCP obtenus"],
        input=(DATA / "centre.xlsx").read_bytes(), capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "titre-mercd: stdin is a zip file (an Excel workbook?), not CSV text: give its path "
        "with --input, which reads a workbook\n"
    )
