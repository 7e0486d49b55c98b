"""CSV as spreadsheets write and read it: Excel's and LibreOffice's forms, in and out.

Golden files are written here byte by byte in the forms Excel and LibreOffice save (cp1252
with ';' and CRLF, UTF-8 with a byte order mark, UTF-16), converted by the command line, and
read back with csv and pandas: every field in place, the added columns under their own
headers. A hypothesis law does the same for any table of cells in any accepted encoding, and
the other tests pin down the separator detection, the encodings, ``--excel`` (of ``convert``
and ``export``) and the ways people write CCPs in a cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from converting import convert_cli
from titre_mercd import _bulk, _export, deemed_obtained, missing_blocks, version
from titre_mercd._referentiel import closest_blocks

if TYPE_CHECKING:
    from pathlib import Path

FROM, TO = "2011-06-01", "2018-12-11"
ADDED = list(_bulk.added_columns(TO))
OLD = version(FROM).blocks
HEADER = ["Nom", "Prénom", "CCP obtenus", "Centre", "Remarque"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return convert_cli("--from", FROM, "--to", TO, *args, cwd=cwd)


def unknown(label: str) -> str:
    """The error of a label that names no bloc: with the closest titles (from the library)."""
    titles = "; ".join(f"{b.ref} {b.title!r}" for b in closest_blocks(label, (FROM, TO)))
    return f"unknown bloc {label!r} (closest: {titles})"


def added(*numbers: int) -> list[str]:
    """The four added values for a candidate holding those CCPs of 2011 (from the library)."""
    held = [OLD[n - 1] for n in numbers]
    obtained = deemed_obtained(held, TO)
    missing = missing_blocks(held, TO)
    return [
        " | ".join(b.title for b in version(TO).blocks if b in obtained),
        " | ".join(b.title for b in missing),
        "no" if missing else "yes",
        "",
    ]


def cell(value: str, sep: str) -> str:
    """A cell as spreadsheets write it: quoted when it holds the separator, a quote or a break."""
    if any(c in value for c in (sep, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def spreadsheet_text(rows: list[list[str]], sep: str, newline: str) -> str:
    """The rows as a spreadsheet writes them (one empty cell quoted, to tell it from no cell)."""
    return "".join(
        ('""' if row == [""] else sep.join(cell(v, sep) for v in row)) + newline for row in rows
    )


# ---------------------------------------------------------------- golden files


def golden_rows(sep: str) -> list[list[str]]:
    """The candidates, with the CCPs written as people write them in a spreadsheet.

    ``,`` or ``;`` separates CCPs in a cell only when it is not the file's separator.
    """
    other = ";" if sep == "," else ","
    return [
        ["Lefèvre", "Zoé", "CCP 1\nCCP 2", "Roubaix; Lille", 'dit "Zozo"'],
        [
            "Noël",
            "Gaëlle",
            "Manager une équipe de conseillers (ères) clientèle à distance",
            "Lyon",
            "",
        ],
        ["Dupont", "Jean", f"2{other} 3", "Lille, Nord", "à revoir"],
        ["Durand", "Œdipe", "Accueillir le public", "", ""],
        ["Martin", "Inès", "ccp2 | CCP 3", "", "«ok»"],
    ]


EXPECTED_ADDED = [
    added(1, 2),
    added(2),
    added(2, 3),
    ["", "", "", unknown("Accueillir le public")],
    added(2, 3),
]

# name: (encoding written, separator, line ending, --encoding to give, output has a BOM)
FORMS = {
    # Excel, « CSV (séparateur: point-virgule) » on a French Windows: cp1252, no BOM.
    "excel-csv-cp1252": ("cp1252", ";", "\r\n", "cp1252", True),
    # Excel, « CSV UTF-8 (délimité par des virgules) »: UTF-8 with a BOM, the list separator ';'.
    "excel-csv-utf8": ("utf-8-sig", ";", "\r\n", None, True),
    # Excel, « Texte Unicode »: UTF-16 little-endian with a BOM, tabs.
    "excel-unicode-text": ("utf-16", "\t", "\r\n", "utf-16", True),
    # LibreOffice Calc, « Texte CSV » with its defaults: UTF-8 without a BOM, ',' and LF.
    "libreoffice-csv-utf8": ("utf-8", ",", "\n", None, False),
    # LibreOffice Calc, « Texte CSV », jeu de caractères « Unicode (UTF-16) », ';'.
    "libreoffice-csv-utf16": ("utf-16", ";", "\n", "utf-16", True),
    # LibreOffice Calc, « Europe occidentale (Windows-1252/WinLatin 1) », ';'.
    "libreoffice-csv-cp1252": ("cp1252", ";", "\n", "cp1252", True),
}


def golden_bytes(form: str) -> bytes:
    encoding, sep, newline, _, _ = FORMS[form]
    rows = golden_rows(sep)
    text = spreadsheet_text([HEADER, *rows], sep, newline)
    if form == "excel-csv-cp1252":  # Excel leaves trailing separators on some rows
        text = text.replace("Lille, Nord;à revoir\r\n", "Lille, Nord;à revoir;;\r\n")
    data = text.encode(encoding)
    assert data.startswith(codecs.BOM_UTF16_LE) or encoding != "utf-16"
    return data


def read_back_with_csv(path: Path, sep: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as source:
        return list(csv.reader(source, delimiter=sep))


def read_back_with_pandas(path: Path, sep: str) -> list[list[str]]:
    pandas = pytest.importorskip("pandas", reason="pandas reads the output back")
    frame = pandas.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return [list(frame.columns), *(list(row) for row in frame.itertuples(index=False))]


@pytest.mark.parametrize("excel", [False, True], ids=["as read", "--excel"])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_golden_spreadsheet_files(tmp_path: Path, form: str, excel: bool) -> None:
    _, sep, newline, given_encoding, bom = FORMS[form]
    (tmp_path / "in.csv").write_bytes(golden_bytes(form))
    args = ["--csv", "in.csv", "--column", "CCP obtenus", "-o", "out.csv"]
    args += ["--encoding", given_encoding] if given_encoding else []
    args += ["--excel"] if excel else []

    result = cli(*args, cwd=tmp_path)

    assert result.returncode == 1  # one candidate's CCP is no bloc
    assert "1 of 5 rows could not be converted" in result.stderr
    name = _bulk.separator_name(sep)
    assert (
        result.stdout == f"Wrote 5 rows to out.csv (separator {name}, detected from the header).\n"
    )
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) is (bom or excel)
    out_sep = ";" if excel else sep
    if excel or newline == "\r\n":
        assert raw.count(b"\r\n") == 6  # every row ends in CRLF; a break inside a cell is LF
    expected = [HEADER + ADDED] + [
        row + extra for row, extra in zip(golden_rows(sep), EXPECTED_ADDED)
    ]
    assert read_back_with_csv(tmp_path / "out.csv", out_sep) == expected
    assert read_back_with_pandas(tmp_path / "out.csv", out_sep) == expected


def test_a_utf8_file_without_excel_is_kept_byte_for_byte(tmp_path: Path) -> None:
    data = golden_bytes("excel-csv-utf8")
    (tmp_path / "in.csv").write_bytes(data)
    result = cli("--csv", "in.csv", "--column", "CCP obtenus", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 1
    out = (tmp_path / "out.csv").read_bytes().split(b"\r\n")
    # Each row's own bytes, then the added fields.
    lines = data.split(b"\r\n")
    assert len(out) == len(lines)
    for line, written in zip(lines, out):
        assert written.startswith(line + b";") or written == line == b""


# ---------------------------------------------------------------- any table, any encoding

FROM_LABELS = ["CCP 1", "ccp2", "3", "2011-06-01/2", "CCP 7", "", "Accueillir", OLD[0].title]
TEXT = st.text(alphabet=st.sampled_from('ab é;,"|\r\n\t«»'), max_size=6)
CCP_CELLS = st.lists(st.sampled_from(FROM_LABELS) | TEXT, max_size=3).flatmap(
    lambda parts: st.sampled_from([" | ", "\n", "\r\n", ", ", ";"]).map(
        lambda between: between.join(parts)
    )
)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], int, list[list[str]]]:
    """A header, the position of its CCP column, and rows of any length (trailing empties too)."""
    width = draw(st.integers(2, 4))
    index = draw(st.integers(0, width - 1))
    header = [f"col{i}" for i in range(width)]
    header[index] = "ccp"
    row = st.tuples(
        st.lists(TEXT, min_size=index, max_size=index),
        CCP_CELLS,
        st.lists(TEXT, max_size=width + 2),
        st.lists(st.just(""), max_size=3),
    ).map(lambda parts: [*parts[0], parts[1], *parts[2], *parts[3]])
    short = st.lists(TEXT, max_size=width - 1)
    rows = draw(st.lists(row | short | st.just([]), max_size=12))
    return header, index, rows


def record_endings(text: str, sep: str) -> list[str]:
    """The line ending of each CSV record of ``text``."""
    parsed, raw = itertools.tee(io.StringIO(text, newline=""))
    reader = csv.reader(parsed, delimiter=sep)
    endings, read = [], 0
    for _ in reader:
        last = list(itertools.islice(raw, reader.line_num - read))[-1]
        read = reader.line_num
        endings.append(last[len(last.rstrip("\r\n")) :])
    return endings


@given(
    table=tables(),
    encoding=st.sampled_from(ENCODINGS),
    sep=st.sampled_from(_bulk.SEPARATORS),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
    detect=st.booleans(),
    excel=st.booleans(),
)
def test_every_field_is_kept_and_the_added_columns_are_aligned(  # noqa: PLR0917  (one per dimension drawn)
    table: tuple[list[str], int, list[list[str]]],
    encoding: str,
    sep: str,
    newline: str,
    detect: bool,
    excel: bool,
) -> None:
    header, index, rows = table
    data = spreadsheet_text([header, *rows], sep, newline).encode(encoding)
    given_encoding = None if encoding.startswith("utf-8") else encoding
    out = io.StringIO(newline="")
    with _bulk.large_fields():
        source = _bulk.CsvSource(
            io.BytesIO(data), "in.csv", "ccp", None if detect else sep, given_encoding
        )
        assert source.sep == sep
        convert_cell = _bulk.CellConverter(FROM, TO)
        outcome = _bulk.convert(source, out, convert_cell, excel=excel)
    output = out.getvalue()

    bom = excel or encoding != "utf-8"
    assert output.startswith("\ufeff") is bom
    out_sep = ";" if excel else sep
    parsed = list(
        csv.reader(io.StringIO(output.removeprefix("\ufeff"), newline=""), delimiter=out_sep)
    )
    width = len(header)
    assert parsed[0] == header + ADDED
    assert len(parsed) - 1 == len(rows) == outcome.rows + outcome.blank
    assert outcome.blank == sum(1 for row in rows if not any(row))
    for row, read in zip(rows, parsed[1:]):
        if not any(row):  # a blank row is copied as it was: a blank line stays a blank line
            assert read == row
            continue
        assert len(read) == width + 4  # the added columns under their own headers
        assert read[:width] == (row + [""] * width)[:width]  # every field in its place
        extra = row[width:]
        while extra and not extra[-1]:
            extra.pop()
        error = read[-1]
        if len(row) < width:
            assert error.startswith(f"the row has {len(row)} field")
        elif extra:  # real content beyond the header: at the end of the error cell
            kept = error.split("kept here as CSV: ", 1)[1]
            assert next(csv.reader(io.StringIO(kept, newline=""), delimiter=out_sep)) == extra
        else:
            assert read[width:] == list(convert_cell(row[index]))
    assert outcome.unmatched == sum(1 for read in parsed[1:] if read and read[-1])
    if excel:  # every row ends in CRLF
        assert set(record_endings(output.removeprefix("\ufeff"), ";")) == {"\r\n"}
        if sep != ";":  # rows written again: with csv's quoting
            again = io.StringIO(newline="")
            csv.writer(again, delimiter=";", lineterminator="\r\n").writerows(parsed)
            assert output == "\ufeff" + again.getvalue()


# ---------------------------------------------------------------- the separator


@pytest.mark.parametrize(
    ("header", "sep"),
    [
        ("nom;CCP obtenus\r\n", ";"),
        ("nom,CCP obtenus\n", ","),
        ("nom\tCCP obtenus\n", "\t"),
        ("nom|CCP obtenus\n", "|"),
        ("Nom, prénom;CCP obtenus\n", ";"),  # the split that names the column wins
        ('"Nom; prénom",CCP obtenus\n', ","),  # a quoted separator is no separator
        ("CCP obtenus\n", ","),  # nothing to detect: ','
    ],
)
def test_the_separator_is_detected_from_the_header(header: str, sep: str) -> None:
    source = _bulk.CsvSource(io.BytesIO(header.encode()), "in.csv", "CCP obtenus")
    assert (source.sep, source.sep_detected) == (sep, True)


def test_a_given_separator_is_used(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("a,b;ccp\n1,2;CCP 2\n", encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", "--sep", ";", "-o", "out.csv", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "Wrote 1 row to out.csv (separator ';').\n")
    assert read_back_with_csv(tmp_path / "out.csv", ";")[1] == ["1,2", "CCP 2", *added(2)]


# ---------------------------------------------------------------- encodings


def test_a_cp1252_file_is_refused_naming_cp1252(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes(golden_bytes("excel-csv-cp1252"))
    result = cli("--csv", "in.csv", "--column", "CCP obtenus", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "titre-mercd: in.csv is not UTF-8: byte 0xe9 at line 1 (byte offset 6) cannot be "
        "decoded; it decodes as cp1252 (Excel's default in France): add --encoding cp1252\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_a_pipe_of_cp1252_is_refused_naming_cp1252() -> None:
    data = b"ccp;nom\r\n" + "CCP 1;Noé\r\n".encode("cp1252") * 30_000
    command = [sys.executable, "-m", "titre_mercd", "convert", "--from", FROM, "--to", TO]
    result = subprocess.run(
        [*command, "--csv", "-", "--column", "ccp"],
        input=data,
        capture_output=True,
        check=False,
        timeout=120,
    )
    message = result.stderr.decode()
    assert result.returncode == 2
    assert "stdin is not UTF-8: byte 0xe9 at line 2 (byte offset 17)" in message
    assert "add --encoding cp1252" in message


def test_what_cp1252_cannot_decode_is_named_latin1(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes(b"ccp;nom\n1;\x81\xe9\n")
    result = cli("--csv", "in.csv", "--column", "ccp", cwd=tmp_path)
    assert result.returncode == 2
    assert "add --encoding latin-1" in result.stderr
    latin1 = ("--csv", "in.csv", "--column", "ccp", "--encoding", "latin-1")
    refused = cli(*latin1, cwd=tmp_path)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert "in.csv line 2, column 3: byte 0x81 is the control character U+0081" in refused.stderr
    assert "no other encoding read here makes it a letter" in refused.stderr
    assert "add --allow-c1" in refused.stderr
    forced = cli(*latin1, "--allow-c1", cwd=tmp_path)
    assert forced.returncode == 0
    assert forced.stdout.startswith("\ufeffccp;nom;")
    assert forced.stdout.splitlines()[1].startswith("1;\x81é;")


@pytest.mark.parametrize(
    ("data", "encoding", "words"),
    [
        (
            "ccp\n".encode("utf-16"),
            None,
            "is UTF-16 (it starts with a UTF-16 byte order mark): add --encoding utf-16",
        ),
        ("ccp\n".encode("utf-16-le"), "utf-16", "does not start with a UTF-16 byte order mark"),
        (
            "ccp\n".encode("utf-8-sig"),
            "cp1252",
            "starts with a UTF-8 byte order mark, so it is UTF-8",
        ),
        (
            b"ccp\n",
            "koi8-r",
            "unsupported encoding 'koi8-r': expected one of utf-8, cp1252, latin-1, utf-16",
        ),
    ],
)
def test_encodings_that_do_not_fit_are_refused(
    tmp_path: Path, data: bytes, encoding: str | None, words: str
) -> None:
    (tmp_path / "in.csv").write_bytes(data)
    result = cli(
        "--csv",
        "in.csv",
        "--column",
        "ccp",
        *(["--encoding", encoding] if encoding else []),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert words in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "name", ["UTF-8", "utf8", "Windows-1252", "CP1252", "ISO-8859-1", "latin1", "UTF-16"]
)
def test_encoding_names_are_accepted_as_python_spells_them(name: str) -> None:
    assert _bulk.check_encoding(name) in _bulk.ENCODINGS


# ---------------------------------------------------------------- --excel


def test_excel_rewrites_a_comma_file_with_semicolons_crlf_and_a_bom(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text('id,ccp,note\n1,CCP 2,"a; b"\n2,3,"x\ny"\n', encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", "--excel", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 0
    raw = (tmp_path / "out.csv").read_bytes().decode("utf-8")
    deemed, missing, held, error = added(2)
    assert raw == (
        f"\ufeffid;ccp;note;{';'.join(ADDED)}\r\n"
        f'1;CCP 2;"a; b";{deemed};{missing};{held};{error}\r\n'
        f'2;3;"x\ny";{";".join(added(3))}\r\n'
    )


@pytest.mark.parametrize("table", [None, "blocks"])
def test_export_csv_for_excel(tmp_path: Path, table: str | None) -> None:
    command = [sys.executable, "-m", "titre_mercd", "export", "--format", "csv", "--excel"]
    if table is None:
        command += ["-o", "tables"]
    else:
        command += ["--table", table]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, check=False, timeout=120)
    assert (result.returncode, result.stderr) == (0, b"")
    written = (
        [(tmp_path / "tables" / f"{t}.csv").read_bytes() for t in _export.CSV_TABLES]
        if table is None
        else [result.stdout]
    )
    for raw in written:
        assert raw.startswith(codecs.BOM_UTF8)
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        header, body = rows[0], rows[1:]
        assert len(header) > 1
        assert body
        assert all(len(row) == len(header) for row in body)
        assert set(record_endings(raw.decode("utf-8-sig"), ";")) == {"\r\n"}
    if table is not None:  # the values of the table, exactly
        names, values = _export.csv_table(table)
        assert rows == [list(names), *(list(row) for row in values)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "json", "--excel"], "--excel only goes with --format csv"),
        (["--format", "csv", "--excel", "--sep", ","], "--excel writes ';', not --sep ','"),
    ],
)
def test_export_excel_refusals(tmp_path: Path, args: list[str], words: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "titre_mercd", "export", *args],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (2, b"")
    assert words in result.stderr.decode()


def test_excel_goes_with_csv_only(tmp_path: Path) -> None:
    result = cli("--excel", "CCP 2", cwd=tmp_path)
    assert result.returncode == 2
    assert "--excel only go with --csv" in result.stderr


# ---------------------------------------------------------------- CCPs as people write them


@pytest.mark.parametrize(
    ("cell", "numbers"),
    [
        ("CCP 1 | CCP 2", [1, 2]),
        ("CCP 1\nCCP 3", [1, 3]),
        ("CCP 1\r\nCCP 3", [1, 3]),
        ("CCP 2; CCP3", [2, 3]),
        ("2, 3", [2, 3]),
        ("2,3", [2, 3]),
        ("1 ; 2, 3", [1, 2, 3]),
        ("ccp n° 2", [2]),
        (f"{OLD[0].title}, {OLD[2].title}", [1, 3]),
        ("2011-06-01/2;CCP 1", [1, 2]),
    ],
)
def test_ccp_cells_as_people_write_them(cell: str, numbers: list[int]) -> None:
    # Whatever the file's separator: a cell holding ';' or ',' was quoted, so meant as one.
    assert list(_bulk.CellConverter(FROM, TO)(cell)) == added(*numbers)


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        ("CCP 2; CCP 9", unknown("CCP 2; CCP 9")),  # split only when every part names a bloc
        ("CCP 4", "no CCP 4 in 2011-06-01"),
        ("CCP 1 | Accueillir le public", unknown("Accueillir le public")),
        # Longer than any title, and no word of one: no title is close.
        ("x" * 500, "unknown bloc '" + "x" * 59 + "…'"),
        ("CCP 0 | y", "no CCP 0 in 2011-06-01; " + unknown("y")),
    ],
)
def test_what_is_not_understood_is_named_with_the_closest_titles(cell: str, error: str) -> None:
    assert _bulk.CellConverter(FROM, TO)(cell) == ("", "", "", error)


def test_an_error_cell_names_at_most_three_titles() -> None:
    error = _bulk.CellConverter(FROM, TO)("Manager une equipe de conseilers")[3]
    assert error.startswith("unknown bloc 'Manager une equipe de conseilers' (closest: ")
    assert error.count(f"{FROM}/") + error.count(f"{TO}/") == 3
    assert f"{FROM}/2 {OLD[1].title!r}" in error  # the nearest first
    assert error.index(f"{FROM}/2") < error.index(f"{TO}/")


def test_a_title_holding_a_comma_stays_one_title() -> None:
    title = OLD[0].title  # « Gérer l'ensemble des moyens …, » holds no comma: make one that does
    assert _bulk.CellConverter(FROM, TO)(title.replace(" aux ", ", aux ")) == tuple(added(1))


def test_ccp_numbers_on_the_command_line(tmp_path: Path) -> None:
    result = cli("CCP 2", "3", "--json", cwd=tmp_path)
    assert result.returncode == 0
    import json

    report = json.loads(result.stdout)
    assert [b["number"] for b in report["held"]] == [2, 3]
    bad = cli("CCP 4", cwd=tmp_path)
    assert bad.returncode == 1
    assert "no CCP 4 in version 2011-06-01: its CCPs are numbered 1 to 3" in bad.stderr
