"""French dates on the command line: DD/MM/YYYY wherever a date is taken, as well as ISO.

``on DATE`` and ``registry import … --export-date DATE`` take a day; ``show KEY`` and
``convert --from KEY --to KEY`` take the date of an arrêté. A French user types ``titre-mercd on 04/12/2026``: the answer is the ISO date's.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from titre_mercd._cli._common import CommandError, parse_date, version_argument


def run(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "titre_mercd", *args], capture_output=True, check=False, timeout=60
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_a_french_date_is_the_same_day_as_its_iso_form(day: dt.date) -> None:
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day
    assert parse_date(f" {day.day}/{day.month}/{day.year} ") == day
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize(
    "text", ["31/02/2020", "1/13/2020", "04/12/26", "04-12-2026", "2026/12/04", "4/12/2026/1", ""]
)
def test_what_is_no_date_is_refused_naming_both_forms(text: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse_date(text)
    assert raised.value.status == 2
    assert "expected YYYY-MM-DD or DD/MM/YYYY" in raised.value.message


def test_a_version_key_as_a_french_date() -> None:
    assert version_argument("11/12/2018").key == "2018-12-11"
    assert version_argument("1/6/2011").key == "2011-06-01"


@pytest.mark.parametrize(
    ("french", "iso"),
    [
        (["on", "01/01/2020"], ["on", "2020-01-01"]),
        (["on", "12/05/2024", "--json"], ["on", "2024-05-12", "--json"]),
        (["show", "11/12/2018"], ["show", "2018-12-11"]),
        (
            ["convert", "--from", "01/06/2011", "--to", "11/12/2018", "CCP 2"],
            ["convert", "--from", "2011-06-01", "--to", "2018-12-11", "CCP 2"],
        ),
        (  # the date is taken, then the missing export is reported the same way
            ["registry", "import", "missing.xml", "-o", "d", "--export-date", "16/08/2026"],
            ["registry", "import", "missing.xml", "-o", "d", "--export-date", "2026-08-16"],
        ),
    ],
)
def test_the_command_line_answers_a_french_date_as_its_iso_form(
    french: list[str], iso: list[str]
) -> None:
    in_french, in_iso = run(*french), run(*iso)
    assert (in_french.returncode, in_french.stdout, in_french.stderr) == (
        in_iso.returncode,
        in_iso.stdout,
        in_iso.stderr,
    )
    assert in_iso.stdout or in_iso.stderr


def test_a_bad_french_date_is_one_line_and_status_2() -> None:
    result = run("on", "31/02/2020")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "titre-mercd: bad date '31/02/2020': expected YYYY-MM-DD or DD/MM/YYYY, "
        "e.g. 2020-01-31 or 31/01/2020\n"
    )
