"""A CSV input is read within bounds: one line (a row, its quoted line breaks included) and so
one field hold at most ``--max-line`` characters, 1,048,576 by default.

A longer one is refused with its line, exit status 2 and nothing written, whatever its shape:
one huge field, a quoted field over many lines, a line that never ends (``/dev/zero``). The
memory cases run the command line in a child process and read its peak memory.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from memory import MB, peak
from test_cli import LAUNCHERS, error, run
from titre_mercd import _bulk
from titre_mercd.exceptions import CsvInputError, TitreMercdError

CLI = LAUNCHERS["python -m titre_mercd"]
CONVERT = ("convert", "--from", "2011-06-01", "--to", "2018-12-11")
LIMIT = _bulk.MAX_LINE
CEILING = 100 * MB  # the README's figure for CSV


def source(data: bytes, max_line: int = LIMIT) -> list[list[str]]:
    """Every row of ``data`` as read, with ``max_line``."""
    with _bulk.large_fields():
        read = _bulk.CsvSource(io.BytesIO(data), "in.csv", "ccp", ";", max_line=max_line)
        return [row for row, _ in read.records()]


def test_the_default_limit_is_a_megabyte_of_text() -> None:
    assert LIMIT == 1_048_576


def test_a_row_at_the_limit_is_read_and_one_character_more_is_refused() -> None:
    fits = "x" * (100 - len("1;\r\n"))
    assert source(f"id;ccp\r\n1;{fits}\r\n".encode(), max_line=100) == [["1", fits]]
    with pytest.raises(CsvInputError, match=r"^in\.csv line 2: longer than 100 characters"):
        source(f"id;ccp\r\n1;{fits}x\r\n".encode(), max_line=100)


def test_a_quoted_field_over_many_lines_is_refused_with_its_lines() -> None:
    field = "\n".join(["ligne"] * 30)
    data = f'id;ccp\n1;2011-06-01/2\n2;"{field}"\n3;2011-06-01/1\n'.encode()
    # '2;"ligne' and 16 more lines of 'ligne' make 105 characters: line 3 to line 19.
    with pytest.raises(CsvInputError, match=r"^in\.csv lines 3 to 19 \(one row\): longer than"):
        source(data, max_line=100)
    assert len(source(data, max_line=200)) == 3


def test_the_header_is_bounded_too() -> None:
    with pytest.raises(CsvInputError, match=r"^in\.csv line 1: longer than 100 characters"):
        source(("h" * 200 + ";ccp\n").encode(), max_line=100)


def test_the_error_is_the_library_s() -> None:
    assert issubclass(CsvInputError, TitreMercdError)
    assert issubclass(CsvInputError, ValueError)


# ---------------------------------------------------------------- the command line


def test_a_long_field_is_refused_with_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text(
        "id;ccp\n1;2011-06-01/2\n2;" + "x" * (LIMIT + 1) + "\n", encoding="utf-8"
    )
    result = run(CLI, *CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "out.csv",
                 cwd=tmp_path)  # fmt: skip
    error(result, 2, "in.csv line 3: longer than 1,048,576 characters", "--max-line")
    assert not (tmp_path / "out.csv").exists()


def test_max_line_reads_a_longer_row(tmp_path: Path) -> None:
    huge = "x" * (3 * MB)
    (tmp_path / "in.csv").write_text(f"ccp;note\n2011-06-01/2;{huge}\n", encoding="utf-8")
    result = run(CLI, *CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "out.csv",
                 "--max-line", str(4 * MB), cwd=tmp_path)  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert huge in (tmp_path / "out.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("given", ["0", "-5", "lots", "1.5"])
def test_max_line_must_be_a_positive_number(given: str, tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("ccp\n2011-06-01/2\n", encoding="utf-8")
    result = run(CLI, *CONVERT, "--csv", "in.csv", "--column", "ccp", "--max-line", given,
                 cwd=tmp_path)  # fmt: skip
    error(result, 2, "--max-line")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_an_endless_input_is_refused_within_bounds() -> None:
    result = peak(*CONVERT, "--csv", "/dev/zero", "--column", "ccp")
    assert result.status == 2, result
    assert result.stderr == (
        "titre-mercd: /dev/zero line 1: longer than 1,048,576 characters, the longest line "
        "read (--max-line sets another limit)\n"
    )
    assert result.peak < CEILING, result


@pytest.mark.parametrize(
    "shape",
    ["one field", "a quoted field over many lines"],
)
def test_a_huge_cell_is_refused_within_bounds(shape: str, tmp_path: Path) -> None:
    size = 20 * MB  # the probes used 45 and 50 MB; 20 MB cost 200 to 400 MB before
    cell = "y" * size if shape == "one field" else '"' + "ligne\n" * (size // 6) + '"'
    (tmp_path / "in.csv").write_text(f"id;ccp\n1;{cell}\n", encoding="utf-8")
    result = peak(*CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "out.csv", cwd=tmp_path)
    assert result.status == 2, result
    assert "longer than 1,048,576 characters" in result.stderr
    assert result.peak < CEILING, result
    assert not (tmp_path / "out.csv").exists()
