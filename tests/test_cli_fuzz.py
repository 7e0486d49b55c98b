"""The command line fed random arguments and random CSV bytes: a status, one line, every row.

Whatever it is given, ``titre-mercd`` exits 0, 1 or 2; on failure it writes exactly one line
on standard error, never a traceback and never the catch-all "unexpected error" (which would
be a bug reaching the user); it writes no file but the one ``-o`` names; and ``convert
--csv`` writes every input row, in order, or no file at all. Most examples call
``titre_mercd._cli.main`` in this process; a few run the real program.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from strategies import (
    TRICKY,
    block_texts,
    dates,
    nsf_codes,
    rncp_codes,
    rome_codes,
    version_keys,
)
from titre_mercd._cli import main
from titre_mercd._cli._app import wants_json

if TYPE_CHECKING:
    from collections.abc import Iterator

COMMANDS = ["show", "versions", "on", "convert", "rome", "nsf", "rncp", "export"]
OPTIONS = [
    "--json",
    "--help",
    "--version",
    "--from",
    "--to",
    "--csv",
    "--column",
    "--sep",
    "-o",
    "--output",
    "--force",
    "--format",
    "--table",
    "-",
    "--",
]
FORMATS = ["json", "csv", "jsonld", "mermaid", "dot", "xml"]


class Run(NamedTuple):
    status: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def inside(directory: Path) -> Iterator[None]:
    """Work in ``directory``: relative paths given to ``-o`` and ``--csv`` land there."""
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def run(argv: list[str], stdin: bytes = b"") -> Run:
    """``main(argv)`` in this process, with its standard streams captured."""
    out, err = io.StringIO(), io.StringIO()
    real_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
    finally:
        sys.stdin = real_stdin
    return Run(status, out.getvalue(), err.getvalue())


def check_outcome(argv: list[str], result: Run) -> None:
    """A status of 0, 1 or 2; on failure one line on standard error, and never a crash."""
    assert result.status in (0, 1, 2), (argv, result)
    assert "Traceback" not in result.stderr, (argv, result.stderr)
    assert "unexpected error" not in result.stderr, (argv, result.stderr)
    if result.status == 0:
        assert result.stderr == "", (argv, result.stderr)
    elif result.status == 1 and result.stderr == "":
        assert result.stdout, (argv, "a negative verdict is still printed on standard output")
    else:
        assert result.stderr.endswith("\n"), (argv, result.stderr)
        assert result.stderr.count("\n") == 1, (argv, result.stderr)
        if wants_json(argv):  # a JSON object on that line, and JSON or nothing on stdout
            error = json.loads(result.stderr)
            assert error["status"] == result.status, (argv, error)
            if result.status == 2:
                assert result.stdout == "", (argv, result.stdout)
            else:
                json.loads(result.stdout)  # the verdict or the command's report
        else:
            assert result.stderr.startswith("titre-mercd: "), (argv, result.stderr)


# ---------------------------------------------------------------- random arguments


def harmless_path(token: str) -> bool:
    """Whether ``token``, taken as a path to write, stays in the current directory."""
    return not token.startswith(("/", "~", "\\")) and ".." not in token and ":" not in token


tokens = st.one_of(
    st.sampled_from(COMMANDS + OPTIONS + FORMATS),
    version_keys,
    block_texts,
    rome_codes,
    nsf_codes,
    rncp_codes,
    dates.map(str),
    st.text(alphabet=TRICKY + "abc-=,;|/ ", max_size=12),
    st.text(max_size=12),
).filter(harmless_path)
json_flag = st.lists(st.just("--json"), max_size=1)
# Commands nearly as documented, to reach past the parser; then tokens in any order.
commands = st.one_of(
    st.tuples(st.just("show"), st.lists(version_keys, max_size=1)),
    st.tuples(st.just("versions")),
    st.tuples(st.just("on"), dates.map(str) | version_keys),
    st.tuples(
        st.just("convert"),
        st.just("--from"),
        version_keys,
        st.just("--to"),
        version_keys,
        st.lists(block_texts, max_size=3),
    ),
    st.tuples(st.sampled_from(["rome", "nsf", "rncp"]), rome_codes | nsf_codes | rncp_codes),
    st.tuples(
        st.just("export"),
        st.just("--format"),
        st.sampled_from(FORMATS),
        st.lists(st.sampled_from(["-o", "out", "--table", "blocks", "--sep", ";"]), max_size=3),
    ),
).map(lambda parts: [p for part in parts for p in ([part] if isinstance(part, str) else part)])
argvs = st.one_of(
    st.builds(lambda command, flag: command + flag, commands, json_flag),
    st.builds(
        lambda first, rest: [*first, *rest],
        st.lists(st.sampled_from(COMMANDS), max_size=1),
        st.lists(tokens, max_size=7),
    ),
)


def output_paths(argv: list[str]) -> list[str]:
    """What ``argv`` names with ``-o``, in any form argparse takes: -o X, -oX, --out=X, …"""
    paths = []
    for i, arg in enumerate(argv):
        option, equals, value = arg.partition("=")
        if len(option) >= 3 and "--output".startswith(option):
            paths.append(value if equals else (argv[i + 1] if i + 1 < len(argv) else ""))
        elif arg == "-o":
            paths.append(argv[i + 1] if i + 1 < len(argv) else "")
        elif arg.startswith("-o"):
            paths.append(arg[2:])
    return paths


@given(argv=argvs)
def test_random_arguments(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as name, inside(Path(name)):
        directory = Path.cwd()
        result = run(argv)
        check_outcome(argv, result)
        event(f"exit status {result.status}")
        written = sorted(p for p in directory.rglob("*") if p.is_file())
    allowed = [directory / path for path in output_paths(argv) if path]
    for path in written:
        assert any(path == a or a in path.parents for a in allowed), (
            f"{argv} wrote {path.relative_to(directory)}, which no -o names"
        )


# ---------------------------------------------------------------- random CSV files

CONVERT = ["convert", "--from", "2011-06-01", "--to", "2018-12-11", "--column", "ccp"]
cells = st.one_of(
    block_texts,
    st.lists(block_texts, min_size=1, max_size=3).map(" | ".join),
    st.text(max_size=15),
    st.text(alphabet=',;"\r\n |' + TRICKY, max_size=8),
)
headers = st.lists(
    st.sampled_from(["id", "name", "ccp", "CCP ", "notes", ""]) | st.text(max_size=6),
    min_size=1,
    max_size=4,
)


class CsvCase(NamedTuple):
    """Bytes to convert, and how they were made (to tell what the output must be)."""

    content: bytes
    sep: str
    damaged: bool


@st.composite
def csv_files(draw: st.DrawFn) -> CsvCase:
    """A CSV file: a header (usually with a column ccp), rows of the same width or not,
    a BOM or not, CRLF or LF, and sometimes bytes that are not UTF-8 somewhere."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(headers)
    if draw(st.integers(0, 3)):
        header.insert(draw(st.integers(0, len(header))), "ccp")
    rows = draw(
        st.lists(
            st.lists(cells, min_size=max(len(header) - 1, 0), max_size=len(header) + 1),
            max_size=8,
        )
    )
    if sys.version_info < (3, 11):  # csv.writer cannot write a NUL there (csv reads it: see above)
        header = [h.replace("\x00", "") for h in header]
        rows = [[c.replace("\x00", "") for c in row] for row in rows]
    text = io.StringIO()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    csv.writer(text, delimiter=sep, lineterminator=newline).writerows([header, *rows])
    content = text.getvalue().encode("utf-8")
    if draw(st.booleans()):
        content = codecs.BOM_UTF8 + content
    damaged = draw(st.integers(0, 4)) == 0
    if damaged:
        where = draw(st.integers(0, len(content)))
        content = (
            content[:where]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe9t\xe9"]))
            + content[where:]
        )
    return CsvCase(content, sep, damaged)


def read_rows(content: bytes, sep: str) -> list[list[str]]:
    # The csv module before Python 3.11 refuses a NUL byte; the program keeps it as it is.
    text = content.decode("utf-8-sig").replace("\x00", "\ue000")
    limit = csv.field_size_limit(2**31 - 1)  # fields of any size, as the program reads them
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    finally:
        csv.field_size_limit(limit)


def check_conversion(case: CsvCase, directory: Path, extra: list[str]) -> Run:
    """Convert ``case`` to ``out.csv``: the outcome, and every row in order, or no file."""
    source, output = directory / "in.csv", directory / "out.csv"
    source.write_bytes(case.content)
    argv = [*CONVERT, "--csv", str(source), "--sep", case.sep, "-o", str(output), *extra]
    result = run(argv)
    check_outcome(argv, result)
    if result.status == 2 or not output.exists():
        assert not output.exists(), f"a failed conversion left {output}"
        try:
            rows = read_rows(case.content, case.sep)
        except UnicodeDecodeError:
            return result
        exact = sum(h == "ccp" for h in rows[0]) if rows else 0
        loose = sum(h.strip().casefold() == "ccp" for h in rows[0]) if rows else 0
        has_column = exact == 1 or (exact == 0 and loose == 1)
        assert not has_column or any(
            name in result.stderr for name in ("already has a column", "line ")
        ), f"a readable file was refused: {result.stderr}"
        return result
    rows = read_rows(case.content, case.sep)
    converted = read_rows(output.read_bytes(), case.sep)
    assert output.read_bytes().startswith(codecs.BOM_UTF8) == case.content.startswith(
        codecs.BOM_UTF8
    )
    assert len(converted) == len(rows), "a row was lost or added"
    # A bare CR splits the header line: what comes before the column's row is copied as it is.
    header_at = next(
        i for i, row in enumerate(rows) if "ccp" in (h.strip().casefold() for h in row)
    )
    assert converted[:header_at] == rows[:header_at], "a row above the header changed"
    rows, converted = rows[header_at:], converted[header_at:]
    width = len(rows[0])
    assert converted[0][:width] == rows[0]
    for given_row, out_row in zip(rows[1:], converted[1:]):
        if not any(given_row):  # a blank row (a blank line, or empty fields) is copied as is
            assert out_row == given_row, "a blank row changed"
            continue
        # Every field in its place (a short row padded), the added columns under their headers.
        assert out_row[:width] == (given_row + [""] * width)[:width], "a row was changed or moved"
        assert len(out_row) == width + 4
        beyond = given_row[width:]
        while beyond and not beyond[-1]:  # trailing empty fields hold nothing: dropped
            beyond.pop()
        if beyond:  # the rest is kept at the end of the error cell
            kept = out_row[-1].split("kept here as CSV: ", 1)[1]
            # (read as it is: a byte order mark there is a character of a field)
            assert list(csv.reader(io.StringIO(kept, newline=""), delimiter=case.sep)) == [beyond]
        elif len(given_row) < width:
            assert out_row[-1].startswith("the row has"), "a short row was not flagged"
    return result


@given(case=csv_files())
@example(case=CsvCase(b"\r,ccp\n", ",", damaged=False))  # a blank row above the header
@example(case=CsvCase(b"id,id,\r,ccp\n", ",", damaged=False))  # a title row above it
def test_random_csv_files(case: CsvCase) -> None:
    with tempfile.TemporaryDirectory() as directory:
        result = check_conversion(case, Path(directory), [])
    event(f"exit status {result.status}")
    if case.damaged and result.status == 2:
        # Refused for the bytes that are not UTF-8, or for a header read before them.
        assert any(why in result.stderr for why in ("not UTF-8", "column", "empty")), result


@pytest.mark.parametrize(
    ("name", "content", "status", "says"),
    [
        ("empty file", b"", 2, "empty"),
        ("only a BOM", codecs.BOM_UTF8, 2, "empty"),
        ("no such column", b"id,name\n1,Ann\n", 2, "no column 'ccp'"),
        ("column twice", b"ccp,id,ccp\n1,2,3\n", 2, "appears 2 times"),
        ("column in another case", b"id, CCP \n1,2011-06-01/2\n", 0, ""),
        ("Latin-1", "id,ccp\n1,Contrôle\n".encode("latin-1"), 2, "not UTF-8"),
        ("invalid UTF-8 on line 3", b"id,ccp\n1,2011-06-01/2\n2,\xff\n", 2, "line 3"),
        ("header only", b"id,ccp\r\n", 0, ""),
        ("BOM and CRLF", codecs.BOM_UTF8 + b"id,ccp\r\n1,2011-06-01/2\r\n", 0, ""),
        ("an unknown CCP", b"id,ccp\n1,2011-06-01/2\n2,Mystery\n", 1, "1 of 2 rows"),
    ],
)
def test_csv_edge_cases(name: str, content: bytes, status: int, says: str, tmp_path: Path) -> None:
    result = check_conversion(CsvCase(content, ",", damaged=False), tmp_path, [])
    assert result.status == status, (name, result)
    assert says in result.stderr, (name, result.stderr)


def test_a_ten_megabyte_field(tmp_path: Path) -> None:
    """A 10 MB cell, in another column and in the column of CCPs, goes through whole when
    ``--max-line`` lets lines that long in."""
    big = "é" * 5_000_000  # 10 MB of UTF-8
    content = f"id,notes,ccp\n1,{big},2011-06-01/2\n2,short,{big}\n3,,2011-06-01/3\n"
    case = CsvCase(content.encode(), ",", damaged=False)
    result = check_conversion(case, tmp_path, ["--max-line", "5000100"])
    assert result.status == 1, result.stderr
    assert "1 of 3 rows" in result.stderr


# ---------------------------------------------------------------- the real program


@pytest.mark.parametrize(
    "argv",
    [
        [b"rome", b"D1408"],
        [b"show", b"\xff\xfe"],
        [b"convert", b"--from", b"2011-06-01", b"--to", b"2018-12-11", b"\xc3("],
        [b"on", b"2020-02-30"],
        [b"export", b"--format", b"xml"],
        [b"nsf", b"312t\xe9"],
    ],
    ids=[
        "found",
        "show with bytes not UTF-8",
        "convert not UTF-8",
        "bad date",
        "bad format",
        "nsf",
    ],
)
def test_the_real_program(argv: list[bytes], tmp_path: Path) -> None:
    """A few runs of ``python -m titre_mercd``, with arguments the shell passes as raw bytes."""
    completed = subprocess.run(
        [sys.executable, "-m", "titre_mercd", *argv],
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    stderr = completed.stderr.decode("utf-8", "replace")
    check_outcome(
        [a.decode("utf-8", "replace") for a in argv], Run(completed.returncode, "", stderr)
    )
    assert list(tmp_path.iterdir()) == [], "the program wrote a file without -o"


def test_the_real_program_converts_a_broken_csv_from_stdin(tmp_path: Path) -> None:
    content = codecs.BOM_UTF8 + b"id,ccp\r\n1,2011-06-01/2\r\n2,\xe9t\xe9\r\n"
    completed = subprocess.run(
        [sys.executable, "-m", "titre_mercd", *CONVERT, "--csv", "-"],
        input=content,
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    stderr = completed.stderr.decode()
    assert completed.returncode == 2, stderr
    assert stderr.count("\n") == 1
    assert "stdin is not UTF-8" in stderr
    assert "Traceback" not in stderr
