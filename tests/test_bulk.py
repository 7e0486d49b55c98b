"""Bulk conversion of a candidates' CSV file: every row out, in order, with the added columns.

The big test runs the command line on a generated 100,000-row file with messy labels, bad
rows, a byte order mark and CRLF line endings; the others pin down each promise (encodings,
line endings, quoting, huge fields, blank and ragged rows, refusals) in process or through the
command line, and a hypothesis law checks that no row is ever lost, reordered or changed.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from converting import convert_cli
from titre_mercd import _bulk, deemed_obtained, find_block, missing_blocks, version

FROM, TO = "2011-06-01", "2018-12-11"
ADDED = list(_bulk.added_columns(TO))
OLD_BLOCKS = version(FROM).blocks
ADDED_2 = version(TO).blocks[1].title  # what 2011-06-01/2 is deemed to give
STRIP_ACCENTS = str.maketrans("éèêàâîôûçœÉÈ", "eeeaaioucoEE")


def cli(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return convert_cli("--from", FROM, "--to", TO, *args, cwd=cwd, stdin=stdin, timeout=300)


def one_line(stderr: str) -> str:
    """The one line of an error: ``titre-mercd: …``, or a JSON object under ``--json``."""
    assert stderr.count("\n") == 1
    assert "Traceback" not in stderr
    if stderr.startswith("{"):
        import json

        return str(json.loads(stderr)["message"])
    assert stderr.startswith("titre-mercd: ")
    return stderr


def expected_added(cell: str) -> list[str]:
    """What the conversion must add for a cell of labels that all match (from the library)."""
    held = [find_block(part, FROM) for part in cell.split("|") if part.strip()]
    obtained = deemed_obtained(held, TO)
    missing = missing_blocks(held, TO)
    target = version(TO).blocks
    return [
        " | ".join(b.title for b in target if b in obtained),
        " | ".join(b.title for b in missing),
        "no" if missing else "yes",
        "",
    ]


def messy(title: str, rng: random.Random) -> str:
    """``title`` as people type it: case, accents, spacing, « (ères) » written several ways."""
    return rng.choice(
        [
            title,
            title.lower(),
            title.upper(),
            title.translate(STRIP_ACCENTS),
            title.replace(" (ères)", "(ères)"),
            title.replace(" (ères)", ""),
            title.replace(" (ères)", " (eres)").translate(STRIP_ACCENTS).lower(),
            "  " + title.replace(" ", "   ") + "\t",
        ]
    )


def candidates(count: int, seed: int) -> tuple[list[list[str]], set[int]]:
    """Rows ``id;nom;centre;ccp;note`` and the indexes of the rows with a label that matches nothing."""
    rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
    bad: set[int] = set()
    rows = []
    for i in range(count):
        held = rng.sample(range(len(OLD_BLOCKS)), rng.randint(0, len(OLD_BLOCKS)))
        parts = [
            f"{FROM}/{n + 1}" if rng.random() < 0.2 else messy(OLD_BLOCKS[n].title, rng)
            for n in held
        ]
        if rng.random() < 0.01:
            parts.insert(
                rng.randint(0, len(parts)), rng.choice(["CCP 4", "Accueillir", "2011-06-01/7"])
            )
            bad.add(i)
        name = rng.choice(["Dupont", "Lefèvre; Martin", 'Le "Petit"', "Noé", "Ørsted"])
        note = rng.choice(["", "ras", "ligne 1\r\nligne 2", "à revoir | plus tard"])
        rows.append([str(i + 1), name, rng.choice(["Roubaix", "Lyon"]), " | ".join(parts), note])
    return rows, bad


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], *, bom: bool, newline: str
) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)


def read_csv(path: Path, sep: str = ";") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as source:
        return list(csv.reader(source, delimiter=sep))


# ---------------------------------------------------------------- the big file


def test_a_100000_row_file_with_messy_labels_bom_and_crlf(tmp_path: Path) -> None:
    header = ["id", "nom", "centre", "CCP obtenus", "note"]
    rows, bad = candidates(100_000, seed=11)
    assert 500 < len(bad) < 1500
    write_csv(tmp_path / "in.csv", header, rows, bom=True, newline="\r\n")

    result = cli(
        "--csv", "in.csv", "--column", "CCP obtenus", "--sep", ";", "-o", "out.csv", cwd=tmp_path
    )

    assert result.returncode == 1
    message = one_line(result.stderr)
    assert (
        f"{len(bad):,} of {len(rows):,} rows could not be converted (see column {ADDED[3]!r})"
        in message
    )
    assert result.stdout == f"Wrote {len(rows):,} rows to out.csv (separator ';').\n"
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert raw.count(b"\n") == raw.count(b"\r\n")  # every line ending is still CRLF
    output = read_csv(tmp_path / "out.csv")
    assert output[0] == header + ADDED
    assert len(output) - 1 == len(rows)
    expected: dict[str, list[str]] = {}
    for i, (row, out) in enumerate(zip(rows, output[1:])):
        assert out[:5] == row  # same row, same place, data untouched
        if i in bad:
            assert out[5:8] == ["", "", ""]
            assert out[8].startswith(("unknown bloc '", "no CCP 4 in 2011-06-01"))
            assert len(out[8]) < 400  # a few words, and at most three titles
        else:
            cell = row[3]
            if cell not in expected:
                expected[cell] = expected_added(cell)
            assert out[5:] == expected[cell]


# ---------------------------------------------------------------- in process: every row, in order


def convert_bytes(data: bytes, column: str = "ccp", sep: str = ";") -> tuple[str, _bulk.Outcome]:
    out = io.StringIO(newline="")
    source = _bulk.CsvSource(io.BytesIO(data), "in.csv", column, sep)
    outcome = _bulk.convert(source, out, _bulk.CellConverter(FROM, TO))
    return out.getvalue(), outcome


def test_line_endings_and_quoting_are_kept() -> None:
    data = b'id;ccp;note\n1;"2011-06-01/2";"a ""quoted""\r\nnote"\r\n2;2011-06-01/3;x\n'
    output, outcome = convert_bytes(data)
    lines = output.split("\n")
    assert lines[1].startswith('1;"2011-06-01/2";"a ""quoted""\r')
    assert lines[2].startswith('note";')
    assert lines[2].endswith("\r")
    assert lines[3].startswith("2;2011-06-01/3;x;")
    assert outcome == _bulk.Outcome(rows=2, unmatched=0)


def test_blank_and_ragged_rows_keep_their_place() -> None:
    data = b"id;ccp;note\n\n1;2011-06-01/2\n2\n3;2011-06-01/1;x;extra;;\n4;2011-06-01/3;y;;\n;;\n"
    output, outcome = convert_bytes(data)
    rows = list(csv.reader(io.StringIO(output, newline=""), delimiter=";"))
    assert rows[1] == []
    # Too few fields: padded to the header's width and flagged, with no result.
    assert rows[2] == [
        "1",
        "2011-06-01/2",
        "",
        "",
        "",
        "",
        "the row has 2 fields, the header 3: check its separators",
    ]
    assert rows[3] == [
        "2",
        "",
        "",
        "",
        "",
        "",
        "the row has 1 field, the header 3: check its separators",
    ]
    # Real content beyond the header: flagged, and kept at the end of the error cell.
    assert rows[4][:6] == ["3", "2011-06-01/1", "x", "", "", ""]
    assert rows[4][6] == "1 field beyond the header's 3 columns, kept here as CSV: extra"
    # Empty fields beyond the header hold nothing: dropped, and the row converts.
    assert rows[5] == ["4", "2011-06-01/3", "y", *expected_added("2011-06-01/3")]
    assert output.splitlines()[5].startswith("4;2011-06-01/3;y;Piloter")
    # Blank rows are copied as they were, with no added field, and not counted as candidates.
    assert output.splitlines()[6] == ";;"
    assert outcome == _bulk.Outcome(rows=4, unmatched=3, blank=2)


def test_nul_characters_are_data_on_every_python() -> None:
    output, outcome = convert_bytes(b"ccp;note\n2011-06-01/2;a\x00b\n2011-06-01/2\x00;\n")
    lines = output.splitlines()
    assert lines[1].startswith("2011-06-01/2;a\x00b;")
    assert lines[1].endswith(";no;")
    assert lines[2].startswith("2011-06-01/2\x00;;;;;")
    assert outcome == _bulk.Outcome(rows=2, unmatched=1)


def test_a_label_of_a_later_version_passes_through() -> None:
    output, _ = convert_bytes(b"ccp\n2018-12-11/1|2011-06-01/2\n")
    assert output.splitlines()[1].endswith(";;yes;")


def test_an_unmatched_label_gives_no_partial_answer() -> None:
    output, outcome = convert_bytes("ccp\n2011-06-01/2 | Manager une équipe commerciale\n".encode())
    added = list(csv.reader(io.StringIO(output, newline=""), delimiter=";"))[1][1:]
    assert added[:3] == ["", "", ""]
    assert "Manager une équipe commerciale" in added[3]
    assert outcome.unmatched == 1


def test_the_cache_is_bounded_and_answers_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_bulk, "_CACHE_LIMIT", 2)
    cells = ["2011-06-01/1", "2011-06-01/2", "2011-06-01/3", "2011-06-01/2|2011-06-01/3"] * 5
    data = ("ccp\n" + "\n".join(cells) + "\n").encode()
    output, _ = convert_bytes(data)
    for cell, row in zip(
        cells, list(csv.reader(io.StringIO(output, newline=""), delimiter=";"))[1:]
    ):
        assert row[1:] == expected_added(cell)


def test_a_column_is_found_ignoring_case_and_spaces() -> None:
    source = _bulk.CsvSource(io.BytesIO(b"Id; CCP \n"), "in.csv", "ccp", ";")
    assert source.index == 1


@pytest.mark.parametrize(
    ("data", "column", "words"),
    [
        (b"", "ccp", ["in.csv is empty"]),
        (b"\n", "ccp", ["in.csv is empty"]),
        (b"id;name\n1;x\n", "ccp", ["no column 'ccp'", "'id', 'name'"]),
        (b"ccp;CCP\n", "ccp ", ["appears 2 times"]),
        (b"id;caf\xe9\n", "ccp", ["not UTF-8", "line 1"]),
    ],
)
def test_bad_headers_are_refused(data: bytes, column: str, words: list[str]) -> None:
    with pytest.raises(_bulk.CsvInputError) as raised:
        _bulk.CsvSource(io.BytesIO(data), "in.csv", column, ";")
    for word in words:
        assert word in str(raised.value)


def test_an_added_column_already_there_is_refused() -> None:
    with pytest.raises(_bulk.CsvInputError, match="already has a column"):
        convert_bytes(f"ccp;{ADDED[3]}\n".encode())


def test_undecodable_bytes_name_their_line() -> None:
    data = b"ccp\n" + b"2011-06-01/1\n" * 20_000 + b"caf\xe9\n"
    with pytest.raises(_bulk.CsvInputError, match=r"byte 0xe9 at line 20002"):
        convert_bytes(data)


def test_a_huge_field_is_read_when_max_line_allows_it(tmp_path: Path) -> None:
    huge = "x" * 10_000_000
    (tmp_path / "in.csv").write_text(f"ccp;note\n2011-06-01/2;{huge}\n", encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", "--sep", ";", "-o", "out.csv",
                 "--max-line", "10000100", cwd=tmp_path)  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    with _bulk.large_fields():
        assert read_csv(tmp_path / "out.csv")[1][:3] == ["2011-06-01/2", huge, ADDED_2]


# ---------------------------------------------------------------- through the command line


def test_utf8_without_bom_and_lf_stay_so(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("id,ccp\n1,2011-06-01/2\n", encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("id,ccp,deemed obtained (2018-12-11),")
    assert "\r" not in result.stdout
    assert result.stdout.count("\n") == 2


def test_stdin_to_stdout() -> None:
    result = cli("--csv", "-", "--column", "ccp", cwd=Path.cwd(), stdin=b"ccp\n2011-06-01/3\n")
    assert (result.returncode, result.stderr) == (0, "")
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows == [["ccp", *ADDED], ["2011-06-01/3", *expected_added("2011-06-01/3")]]


def test_a_tab_separator(tmp_path: Path) -> None:
    (tmp_path / "in.tsv").write_text("id\tccp\n1\t2011-06-01/2\n", encoding="utf-8")
    result = cli("--csv", "in.tsv", "--column", "ccp", "--sep", "\\t", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1].split("\t")[:3] == [
        "1",
        "2011-06-01/2",
        expected_added("2011-06-01/2")[0],
    ]


def test_an_existing_output_is_kept_without_force(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("ccp\n2011-06-01/2\n", encoding="utf-8")
    (tmp_path / "out.csv").write_text("keep me", encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "out.csv exists; give --force" in one_line(result.stderr)
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "keep me"
    forced = cli("--csv", "in.csv", "--column", "ccp", "-o", "out.csv", "--force", cwd=tmp_path)
    assert (forced.returncode, forced.stderr) == (0, "")
    assert read_csv(tmp_path / "out.csv", ",")[1][0] == "2011-06-01/2"


def test_the_input_is_never_its_own_output(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("ccp\n2011-06-01/2\n", encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", "-o", "./in.csv", "--force", cwd=tmp_path)
    assert result.returncode == 2
    assert "is the input file itself" in one_line(result.stderr)
    assert (tmp_path / "in.csv").read_text(encoding="utf-8") == "ccp\n2011-06-01/2\n"


def test_a_failure_midway_leaves_no_output_file(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes(b"ccp\n" + b"2011-06-01/2\n" * 50_000 + b"\xff\n")
    result = cli("--csv", "in.csv", "--column", "ccp", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "not UTF-8" in one_line(result.stderr)
    assert "line 50002" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize(
    ("content", "args", "words"),
    [
        (None, ["--column", "ccp"], ["cannot read missing.csv"]),
        (b"", ["--column", "ccp"], ["is empty"]),
        (b"id;ccp\n", ["--column", "CCPs"], ["no column 'CCPs'"]),
        (b"ccp\n", ["--column", "ccp", "--sep", ";;"], ["bad separator"]),
        (b"ccp\n", ["--column", "ccp", "--json"], ["-o"]),
        (b"ccp\n", ["--column", "ccp", "-o", "no/such/dir/out.csv"], ["cannot write"]),
        (b"ccp\n", ["--column", "ccp", "-o", "."], ["cannot write"]),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, content: bytes | None, args: list[str], words: list[str]
) -> None:
    name = "missing.csv" if content is None else "in.csv"
    if content is not None:
        (tmp_path / name).write_bytes(content)
    result = cli("--csv", name, *args, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    message = one_line(result.stderr)
    for word in words:
        assert word in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if content is None else ["in.csv"])


def test_a_directory_as_input(tmp_path: Path) -> None:
    result = cli("--csv", ".", "--column", "ccp", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot read ." in one_line(result.stderr)


def test_json_report(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("ccp\n2011-06-01/2\nnothing\n", encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", "-o", "out.csv", "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ""  # under --json, the report is the answer: nothing else
    import json

    assert json.loads(result.stdout) == {
        "output": "out.csv",
        "rows": 2,
        "unmatched": 1,
        "added_columns": ADDED,
        "blank_rows": 0,
        "rows_above_header": 0,
        "input_format": "csv",
        "output_format": "csv",
        "separator": ",",
        "encoding": "utf-8",
    }


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal is a POSIX thing")
def test_a_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    import pty

    (tmp_path / "in.csv").write_text("ccp\n" + "2011-06-01/2\n" * 200_000, encoding="utf-8")
    command = [sys.executable, "-m", "titre_mercd", "convert", "--from", FROM, "--to", TO]
    command += ["--csv", "in.csv", "--column", "ccp", "-o", "out.csv"]
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=terminal
    ) as process:
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closes when the program ends
                break
            if not chunk:
                break
            shown += chunk
        process.wait(timeout=120)
    os.close(controller)
    assert process.returncode == 0
    assert b"converting in.csv: [" in shown
    assert b"rows" in shown
    quiet = cli("--csv", "in.csv", "--column", "ccp", "-o", "out2.csv", cwd=tmp_path)
    assert (quiet.returncode, quiet.stderr) == (0, "")


# ---------------------------------------------------------------- CSV edge cases


class Trickle(io.RawIOBase):
    """A pipe that gives one byte at each read (its ``peek`` shows one byte)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._data:
            return 0
        buffer[0] = self._data[0]
        self._data = self._data[1:]
        return 1


@pytest.mark.parametrize("wrap", [Trickle, lambda data: io.BufferedReader(Trickle(data))])
def test_a_byte_order_mark_split_across_reads_is_kept(wrap: Any) -> None:
    stream = wrap(codecs.BOM_UTF8 + b"ccp;nom\n2011-06-01/2;No\xc3\xa9\n")
    if isinstance(stream, io.BufferedReader):
        assert len(stream.peek(3)) == 1
    source = _bulk.CsvSource(stream, "stdin", "ccp", ";")
    assert (source.bom, source.header) == (True, ["ccp", "nom"])
    out = io.StringIO(newline="")
    _bulk.convert(source, out, _bulk.CellConverter(FROM, TO))
    assert out.getvalue().startswith("\ufeffccp;nom;deemed obtained")
    assert out.getvalue().splitlines()[1].startswith("2011-06-01/2;Noé;")


def test_a_byte_order_mark_arriving_slowly_on_a_pipe_is_kept() -> None:
    command = [sys.executable, "-m", "titre_mercd", "convert", "--from", FROM, "--to", TO]
    with subprocess.Popen(
        [*command, "--csv", "-", "--column", "ccp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdin is not None
        for piece in (b"\xef", b"\xbb", b"\xbfccp\n2011-06-01/2\n"):
            process.stdin.write(piece)
            process.stdin.flush()
            time.sleep(0.2)
        stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (0, b"")
    assert stdout.startswith(codecs.BOM_UTF8 + b"ccp,deemed obtained")
    assert (
        stdout.decode("utf-8-sig").splitlines()[1]
        == ",".join(["2011-06-01/2", *expected_added("2011-06-01/2")]).rstrip(",") + ","
    )


NEWLINES = pytest.mark.parametrize("nl", [b"\r", b"\n", b"\r\n"], ids=["CR", "LF", "CRLF"])


@NEWLINES
def test_an_undecodable_byte_is_located_whatever_the_line_ending(nl: bytes, tmp_path: Path) -> None:
    data = nl.join([b"ccp", b"2011-06-01/1", b"caf\xe9", b"2011-06-01/2", b""])
    (tmp_path / "in.csv").write_bytes(data)
    from_file = cli("--csv", "in.csv", "--column", "ccp", cwd=tmp_path)
    from_pipe = cli("--csv", "-", "--column", "ccp", cwd=tmp_path, stdin=data)
    for result in (from_file, from_pipe):
        assert result.returncode == 2
        assert "is not UTF-8: byte 0xe9 at line 3 " in one_line(result.stderr)


@NEWLINES
def test_an_unclosed_quote_is_reported_where_it_opens(nl: bytes, tmp_path: Path) -> None:
    data = nl.join([b"ccp;note", b"CCP 1;x", b'CCP 2;"open', b"CCP 3;y", b"CCP 1;z", b""])
    (tmp_path / "in.csv").write_bytes(data)
    result = cli("--csv", "in.csv", "--column", "ccp", "-o", "out.csv", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert one_line(result.stderr) == (
        "titre-mercd: in.csv line 3: a quoted field starts here and its closing quote is "
        "missing (it would swallow every line after it)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # nothing written


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'"ccp\n1\n2\n', 1),  # in the header
        (b'ccp;note\n1;"a\nb";"c\nd\n', 3),  # on the second line of a row
        (b'ccp;note\n1;"a""\n', 2),  # a doubled quote does not close
        (b'ccp;note\n1;"a""b\n2;x', 2),
    ],
)
def test_where_an_unclosed_quote_opens(data: bytes, line: int) -> None:
    with pytest.raises(_bulk.CsvInputError, match=f"in.csv line {line}: a quoted field starts"):
        convert_bytes(data)


@pytest.mark.parametrize(
    "data", [b'ccp;note\n1;"a""b"\n', b'ccp;note\n1;a"b\n', b'ccp;note\n1;"a"b\n', b'ccp\n""']
)
def test_quotes_that_close_are_no_error(data: bytes) -> None:
    _, outcome = convert_bytes(data)
    assert outcome.rows + outcome.blank == 1


@given(
    rows=st.lists(
        st.lists(st.text(alphabet='a;"\r\n', max_size=4), min_size=1, max_size=3), max_size=4
    ),
    cut=st.integers(min_value=0),
)
def test_an_unclosed_quote_is_found_as_csv_would_find_it(rows: list[list[str]], cut: int) -> None:
    """Any prefix of well-formed CSV: csv (strict) says « unexpected end of data » exactly then."""
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(rows)
    prefix = text.getvalue()[: cut % (len(text.getvalue()) + 1)]
    try:
        list(csv.reader(io.StringIO(prefix, newline=""), delimiter=";", strict=True))
    except csv.Error as exc:
        assert "unexpected end of data" in str(exc)
        assert _bulk._unclosed_quote(prefix, ";") is not None
    else:
        assert _bulk._unclosed_quote(prefix, ";") is None


def test_rows_with_too_few_fields_are_flagged(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("id;ccp;note\n1;CCP 2;x\n2;CCP 2\n", encoding="utf-8")
    result = cli("--csv", "in.csv", "--column", "ccp", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "1 of 2 rows could not be converted" in one_line(result.stderr)
    rows = read_csv(tmp_path / "out.csv")
    assert rows[2] == [
        "2",
        "CCP 2",
        "",
        "",
        "",
        "",
        "the row has 2 fields, the header 3: check its separators",
    ]
