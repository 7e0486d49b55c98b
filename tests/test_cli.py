"""The command line, run as a user runs it: ``python -m titre_mercd`` and the ``titre-mercd`` script.

Every subcommand and every error path goes through a real process: its exit status, what it
prints on standard output, and exactly one line on standard error for an error, never a
traceback. Expected answers come from the library itself, so these tests check that the
command line says what the library knows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

import titre_mercd
from titre_mercd import (
    current,
    deemed_obtained,
    find_block,
    missing_blocks,
    registered_fiche,
    to_dict,
    version,
    versions,
)

SCRIPT = Path(sysconfig.get_path("scripts")) / (
    "titre-mercd.exe" if os.name == "nt" else "titre-mercd"
)
LAUNCHERS = {
    "python -m titre_mercd": [sys.executable, "-m", "titre_mercd"],
    "titre-mercd": [str(SCRIPT)],
}


@pytest.fixture(params=sorted(LAUNCHERS))
def launcher(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "titre-mercd" and not SCRIPT.exists():
        pytest.skip(f"the titre-mercd script is not installed next to {sys.executable}")
    return LAUNCHERS[request.param]


def run(
    launcher: list[str],
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the program; stdout and stderr decoded as UTF-8."""
    result = subprocess.run(
        [*launcher, *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The standard output of a successful run, checked to fit 80 columns."""
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout.endswith("\n")
    too_wide = [line for line in result.stdout.splitlines() if len(line) > 80]
    assert not too_wide
    return result.stdout


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return json.loads(result.stdout)


def error(result: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    """The one line on standard error of a failed run; nothing on standard output."""
    assert result.returncode == status, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.endswith("\n")
    assert result.stderr.startswith("titre-mercd: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    return result.stderr


def json_error(result: subprocess.CompletedProcess[str], status: int, *words: str) -> Any:
    """Under ``--json``: an error's JSON object, or a negative verdict's.

    An error (status 2) is one line on standard error holding a JSON object, and nothing on
    standard output; a negative verdict (status 1) is a JSON object on standard output, and
    nothing on standard error.
    """
    assert result.returncode == status, (result.returncode, result.stderr)
    if status == 2:
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        report = json.loads(result.stderr)
        assert set(report) == {"message", "kind", "status"}
    else:
        assert result.stderr == ""
        report = json.loads(result.stdout)
        assert report["verdict"] in ("not found", "undecided")
    assert report["status"] == status
    for word in words:
        assert word in report["message"]
    return report


def flat(text: str) -> str:
    """``text`` with every run of white space made one space (wrapped lines rejoined)."""
    return " ".join(text.split())


# ---------------------------------------------------------------- no arguments, --version, help


def today_verdict() -> tuple[bool | None, Any]:
    """Whether a version is in force today (``None``: not known), and the version to show."""
    try:
        found = current(dt.date.today())
    except titre_mercd.UndecidedError:
        return None, versions()[-1]
    return found is not None, found or versions()[-1]


def test_no_arguments_summarises_the_version_in_force_or_the_latest(launcher: list[str]) -> None:
    today = dt.date.today()
    in_force, shown = today_verdict()
    out = flat(ok(run(launcher)))
    assert shown.title in out
    assert f"Version {shown.key}" in out
    for block in shown.blocks:
        assert flat(block.title) in out
    if in_force is None:  # never « none in force » for a day the sources do not decide
        assert f"Not known whether a version is in force today ({today})" in out
        assert "No version is in force" not in out
        assert "The latest version in the data is:" in out
    elif not in_force:
        assert f"No version is in force today ({today})" in out
    else:
        assert f"In force today ({today})" in out
    window = shown.validity
    if not in_force and window is not None and window.end is not None:
        assert f"No longer in force since {window.end}" in out
        assert f"{window.last_day} (last day)" in out


def test_no_arguments_with_the_shipped_data_names_the_registered_successor(
    launcher: list[str],
) -> None:
    if dt.date.today() < dt.date(2024, 5, 12):
        pytest.skip("the 2018 version is in force today")
    out = flat(ok(run(launcher)))
    assert "Not known whether a version is in force today" in out
    assert "its registered successor RNCP38665 is not a version in this data" in out
    assert "titre-mercd registry import" in out


def test_no_arguments_json(launcher: list[str]) -> None:
    today = dt.date.today()
    in_force, shown = today_verdict()
    data = ok_json(run(launcher, "--json"))
    assert data["date"] == today.isoformat()
    assert data["in_force"] is in_force
    assert data["reason"]
    assert data["version"] == to_dict(shown)
    window = shown.validity
    assert data["validity"] == (None if window is None else to_dict(window))


def test_version_names_the_package_and_the_data(launcher: list[str]) -> None:
    out = ok(run(launcher, "--version"))
    version, data = titre_mercd.__version__, titre_mercd.DATA_VERSION
    assert out == f"titre-mercd {version} (data {data}: the shipped data)\n"


@pytest.mark.parametrize(
    "command", ["", "show", "versions", "on", "convert", "rome", "nsf", "rncp", "export"]
)
def test_help(launcher: list[str], command: str) -> None:
    out = ok(run(launcher, *command.split(), "--help"))
    assert out.startswith(f"usage: titre-mercd {command}".rstrip())


# ---------------------------------------------------------------- show, versions, on


@pytest.mark.parametrize("key", [v.key for v in versions()])
def test_show_prints_every_field(launcher: list[str], key: str) -> None:
    v = version(key)
    out = flat(ok(run(launcher, "show", key)))
    text = v.legal_text
    expected = [v.title, v.key, text.title, text.kind, *v.former_titles]
    expected += [str(text.date)] if text.date else []
    expected += [f"NOR {text.nor}"] if text.nor else ["NOR not known"]
    expected += [f"consolidated on {text.consolidated_on}"] if text.consolidated_on else []
    expected += [c.code for c in v.nsf_codes] + [f"{c.code} {c.label}" for c in v.rome_codes]
    expected += [v.rncp or "not known", v.certifying_authority or "", v.regulation or ""]
    expected += [b.title for b in v.blocks] + [c for b in v.blocks for c in b.competences]
    expected += [*v.transversal_competences, *v.sectors, *v.job_titles, *v.legal_bases]
    expected += (v.summary or "").split("\n")
    if v.level is not None:
        expected.append(f"niveau {v.level.france_2019} · EQF {v.level.eqf}")
    if v.validity is not None:
        expected.append(f"from {v.validity.start}")
    else:
        expected.append("validity window is not known")
    missing = [item for item in expected if flat(item) not in out]
    assert not missing


def test_show_tells_not_known_from_none(launcher: list[str]) -> None:
    """A field no source gives is « not known »; one the text says is empty is « none »."""
    out = flat(ok(run(launcher, "show", "2007-04-27")))
    assert flat("RNCP not known (no source gives it)") in out
    assert flat("Compétences transversales not known (no source gives it)") in out
    assert (
        flat("ROME none (the text: « Code ROME : En attente de la nouvelle nomenclature. »)") in out
    )
    assert flat("Principal sectors none listed") in out
    assert flat(version("2007-04-27").sectors_text or "") in out
    out_2018 = flat(ok(run(launcher, "show", "2018-12-11")))
    assert flat("RNCP not known (no source gives it)") in out_2018
    assert flat("L'emploi s'exerce dans tous les secteurs d'activités.") in out_2018
    assert "Texts disagree" not in out_2018
    out_2011 = flat(ok(run(launcher, "show", "2011-06-01")))
    assert (
        flat(
            "Texts disagree nsf_codes: followed annexe « Code NSF : 312 t. » "
            "not article 1 « dans le domaine d'activité 312 w (code NSF) »"
        )
        in out_2011
    )


def test_show_without_key_shows_todays_or_the_latest(launcher: list[str]) -> None:
    _, shown = today_verdict()
    assert ok(run(launcher, "show")) == ok(run(launcher, "show", shown.key))


def test_show_json_is_to_dict(launcher: list[str]) -> None:
    assert ok_json(run(launcher, "show", " 2011-06-01 ", "--json")) == to_dict(
        version("2011-06-01")
    )


def test_json_may_come_before_the_command(launcher: list[str]) -> None:
    assert ok_json(run(launcher, "--json", "show", "2018-12-11")) == to_dict(version("2018-12-11"))


def test_versions_timeline(launcher: list[str]) -> None:
    out = ok(run(launcher, "versions"))
    lines = out.split("\n\n")[0].splitlines()  # the table, before the notes under it
    assert lines[0].split() == ["KEY", "IN", "FORCE", "TITLE"]
    keys = [line.split()[0] for line in lines[1:] if line[:1].isdigit()]
    assert keys == [v.key for v in versions()]
    for v in versions():
        window = v.validity
        row = next(line for line in lines if line.startswith(v.key))
        assert (f"{window.start} to {window.last_day}" if window else "not known") in row
        assert flat(v.title) in flat(out)


def test_versions_json(launcher: list[str]) -> None:
    data = ok_json(run(launcher, "versions", "--json"))
    in_force, shown = today_verdict()
    assert data["in_force"] is in_force
    assert data["version"] == (to_dict(shown) if in_force else None)
    assert [d["key"] for d in data["versions"]] == [v.key for v in versions()]
    for entry, v in zip(data["versions"], versions()):
        assert entry["title"] == v.title
        assert entry["blocks"] == [to_dict(b) for b in v.blocks]  # as in show and export
        assert entry["legal_text"] == to_dict(v.legal_text)
        try:
            own = titre_mercd.is_in_force(dt.date.today(), v.key)
        except titre_mercd.UndecidedError:
            own = None
        assert entry["in_force"] is own
        assert entry["reason"]
        window = v.validity
        assert entry["validity"] == (None if window is None else to_dict(window))
        if window is not None:  # one shape everywhere: start, end (excluded), last_day
            assert entry["validity"]["start"] == str(window.start)
            assert entry["validity"]["end"] == str(window.end)
            assert entry["validity"]["last_day"] == str(window.last_day)
    assert [(g["start"], g["end"]) for g in data["gaps"]] == [("2017-05-12", "2019-05-12")]
    assert [r["rncp"] for r in data["registered"]] == ["RNCP38665"]


@pytest.mark.parametrize("day", ["2019-05-12", "2020-01-01", "2024-05-11", "2013-01-01"])
def test_on_a_day_in_force(launcher: list[str], day: str) -> None:
    found = current(dt.date.fromisoformat(day))
    assert found is not None
    out = flat(ok(run(launcher, "on", day)))
    assert found.title in out
    assert f"In force on {day}" in out
    data = ok_json(run(launcher, "on", day, "--json"))
    assert data["version"]["key"] == found.key
    assert data["in_force"] is True
    assert data["validity"] == to_dict(found.validity)


def verdict(result: subprocess.CompletedProcess[str]) -> str:
    """The standard output of a negative verdict: still printed, with exit status 1."""
    assert (result.returncode, result.stderr) == (1, ""), (result.returncode, result.stderr)
    assert result.stdout.endswith("\n")
    if "--json" not in result.args:
        assert not [line for line in result.stdout.splitlines() if len(line) > 80]
    return result.stdout


def test_on_a_day_no_version_is_in_force(launcher: list[str]) -> None:
    assert current(dt.date(1900, 1, 1)) is None
    out = flat(verdict(run(launcher, "on", "1900-01-01")))
    assert out.startswith("No version is in force on 1900-01-01: ")
    data = json.loads(verdict(run(launcher, "on", "1900-01-01", "--json")))
    assert (data["in_force"], data["version"], data["validity"]) == (False, None, None)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("2010-01-01", "no source gives the validity window of 2007-04-27"),
        ("2018-06-01", "no text found covers 2017-05-12 to 2019-05-11"),
        ("2025-01-01", "its registered successor RNCP38665 is not a version in this data"),
    ],
)
def test_on_a_day_the_sources_do_not_decide(launcher: list[str], day: str, why: str) -> None:
    out = flat(verdict(run(launcher, "on", day)))
    assert out.startswith(f"Not known whether a version is in force on {day}: ")
    assert why in out
    assert "No version is in force" not in out
    data = json.loads(verdict(run(launcher, "on", day, "--json")))
    assert data["date"] == day
    assert data["in_force"] is None
    assert why in data["reason"]
    assert data["version"] is None


def test_rncp_of_the_registered_successor_says_what_is_known(launcher: list[str]) -> None:
    out = flat(verdict(run(launcher, "rncp", "38665")))
    assert out.startswith("RNCP38665: registered, not a version in this data")
    for known in [
        "Successor of 2018-12-11",
        "niveau 5",
        "312t Négociation et vente",
        "Registered until 2029-05-12",
        "MINISTERE DU TRAVAIL DU PLEIN EMPLOI ET DE L' INSERTION",
        "titre-mercd registry import",
    ]:
        assert known in out
    data = json.loads(verdict(run(launcher, "rncp", "RNCP38665", "--json")))
    assert data["registered_fiche"] == to_dict(registered_fiche("RNCP38665"))
    assert data["registered_fiche"]["level"] == {"france_1969": None, "france_2019": 5, "eqf": 5}
    assert data["registered_fiche"]["registered_until"] == "2029-05-12"
    assert "registry import" in data["message"]


@pytest.mark.parametrize(
    "day", ["2024-13-01", "2024-02-30", "20240101", "yesterday", "", "2024-5-1"]
)
def test_on_a_bad_date(launcher: list[str], day: str) -> None:
    error(run(launcher, "on", day), 2, "bad date", repr(day), "YYYY-MM-DD")


@pytest.mark.parametrize(
    ("key", "status"), [("2099-01-01", 1), ("1900-01-01", 1), ("2018", 2), ("foo", 2)]
)
def test_show_unknown_or_malformed_version(launcher: list[str], key: str, status: int) -> None:
    message = error(run(launcher, "show", key), status, repr(key))
    for v in versions():
        assert v.key in message


# ---------------------------------------------------------------- codes


@pytest.mark.parametrize("code", ["D1408", " d1408 ", "d 1408", "M1704"])
def test_rome(launcher: list[str], code: str) -> None:
    rome = titre_mercd.rome(code)
    listed = titre_mercd.by_rome(code)
    out = ok(run(launcher, "rome", code))
    assert out.splitlines()[0] == f"{rome.code}  {rome.label}"
    for v in listed:
        assert f"{v.key}  {v.title}" in out
    data = ok_json(run(launcher, "rome", code, "--json"))
    assert data == {
        "code": rome.code,
        "label": rome.label,
        "versions": [{"key": v.key, "title": v.title} for v in listed],
    }


@pytest.mark.parametrize("code", ["312t", "312 T", "312", "312w"])
def test_nsf(launcher: list[str], code: str) -> None:
    nsf = titre_mercd.nsf(code)
    listed = titre_mercd.by_nsf(code)
    assert listed
    out = ok(run(launcher, "nsf", code))
    assert out.splitlines()[0] == f"{nsf.code}  {nsf.label or 'label not known'}"
    for v in listed:
        assert v.key in out
    data = ok_json(run(launcher, "nsf", code, "--json"))
    assert (data["code"], data["label"]) == (nsf.code, nsf.label)
    assert [d["key"] for d in data["versions"]] == [v.key for v in listed]


@pytest.mark.parametrize("code", ["RNCP12505", "12505", " rncp 12505 "])
def test_rncp(launcher: list[str], code: str) -> None:
    found = titre_mercd.by_rncp(code)
    out = flat(ok(run(launcher, "rncp", code)))
    assert found.title in out
    assert f"Version {found.key}" in out
    assert ok_json(run(launcher, "rncp", code, "--json")) == to_dict(found)


@pytest.mark.parametrize(
    ("command", "code", "status"),
    [
        ("rome", "D14", 2),
        ("rome", "Z1408", 2),
        ("rome", "", 2),
        ("rome", "D9999", 1),
        ("nsf", "3121", 2),
        ("nsf", "31", 2),
        ("nsf", "999", 1),
        ("nsf", "312z", 1),
        ("rncp", "RNCP32xxx", 2),
        ("rncp", "", 2),
        ("rncp", "99999", 1),
    ],
)
def test_unknown_or_malformed_codes(
    launcher: list[str], command: str, code: str, status: int
) -> None:
    message = error(run(launcher, command, code), status, repr(code))
    assert ("malformed" if status == 2 else "unknown") in message
    report = json_error(run(launcher, command, code, "--json"), status, repr(code))
    assert report["kind"] == ("InvalidCodeError" if status == 2 else "UnknownCodeError")


# ---------------------------------------------------------------- convert, one candidate


def test_convert_blocks(launcher: list[str]) -> None:
    labels = ["manager une equipe de conseillers clientele a distance", "2011-06-01/1"]
    held = [find_block(label, "2011-06-01") for label in labels]
    obtained = deemed_obtained(held, "2018-12-11")
    missing = missing_blocks(held, "2018-12-11")
    out = ok(run(launcher, "convert", "--from", "2011-06-01", "--to", "2018-12-11", *labels))
    sections = out.split("\nDeemed obtained\n")[1].split("\nStill to obtain\n")
    deemed_part, missing_part = sections[0], sections[1].split("\n\n")[0]
    assert {b.ref for b in obtained} == {w for w in deemed_part.split() if w.startswith("2018")}
    assert [b.ref for b in missing] == [w for w in missing_part.split() if w.startswith("2018")]
    assert f"All blocs of the 2018-12-11 title held: {'no' if missing else 'yes'}" in out
    source = titre_mercd.correspondences("2011-06-01", "2018-12-11")[0].source
    assert f"{source.text.title}, {source.location}." in flat(out)


def test_convert_blocks_json(launcher: list[str]) -> None:
    labels = ["Contribuer à l'amélioration des activités d'un centre de relation client à distance"]
    held = [find_block(labels[0])]
    data = ok_json(
        run(launcher, "convert", "--from", "2011-06-01", "--to", "2018-12-11", *labels, "--json")
    )
    assert data["held"] == [to_dict(b) for b in held]
    target = version("2018-12-11").blocks
    obtained = deemed_obtained(held)
    assert data["deemed_obtained"] == [to_dict(b) for b in target if b in obtained]
    assert data["missing"] == [to_dict(b) for b in missing_blocks(held)]
    assert data["all_held"] is False
    assert data["sources"] == [
        to_dict(titre_mercd.correspondences("2011-06-01", "2018-12-11")[2].source)
    ]


def test_convert_2007_unites_chains_through_2011_to_2018(launcher: list[str]) -> None:
    """Typed as the 2011 table and the 2007 annex word them, without accents: both blocs."""
    labels = [
        "manager les ressources humaines d'une equipe de teleconseillers(eres)",
        "Ameliorer la qualite de services et contribuer aux evolutions de l'ensemble des "
        "activites d'un centre de relations clients a distance",
    ]
    data = ok_json(
        run(launcher, "convert", "--from", "2007-04-27", "--to", "2018-12-11", *labels, "--json")
    )
    assert [b["number"] for b in data["held"]] == [2, 3]
    assert [b["number"] for b in data["deemed_obtained"]] == [1, 2]
    assert data["missing"] == []
    assert data["all_held"] is True
    tables = [
        titre_mercd.correspondences("2007-04-27", "2011-06-01"),
        titre_mercd.correspondences("2011-06-01", "2018-12-11"),
    ]
    locations = {(s["text"]["nor"], s["location"].split(" (")[0]) for s in data["sources"]}
    assert locations == {
        (table[0].source.text.nor, table[0].source.location.split(" (")[0]) for table in tables
    }
    out = flat(ok(run(launcher, "convert", "--from", "2007-04-27", "--to", "2018-12-11",
                      "2007-04-27/1")))  # fmt: skip
    assert flat("→ none of the 2018-12-11 blocs Deemed obtained none Still to obtain") in out


def test_convert_blocks_of_the_target_version_pass_through(launcher: list[str]) -> None:
    data = ok_json(
        run(
            launcher,
            "convert",
            "--from",
            "2011-06-01",
            "--to",
            "2018-12-11",
            "2018-12-11/1",
            "--json",
        )
    )
    assert [b["number"] for b in data["deemed_obtained"]] == [1]


def test_convert_unknown_label_names_the_closest_titles(launcher: list[str]) -> None:
    typo = "Manager une équipe de conseilers clientele a distanse"
    message = error(run(launcher, "convert", "--from", "2011-06-01", "--to", "2018-12-11", typo), 1)
    assert repr(typo) in message
    assert "closest" in message
    assert find_block("2011-06-01/2").title in message


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["--from", "2018-12-11", "--to", "2011-06-01", "x"], 2, ["later than"]),
        (["--from", "2011-06-01", "--to", "2018-12-11"], 2, ["BLOCK"]),
        (["--from", "2011-06-01", "--to", "2018-12-11", "x", "--csv", "in.csv"], 2, ["not both"]),
        (["--from", "2011-06-01", "--to", "2018-12-11", "x", "--column", "c"], 2, ["--column"]),
        (["--from", "2011-06-01", "--to", "2018-12-11", "x", "--force"], 2, ["--force"]),
        (["--from", "2011-06-01", "--to", "2018-12-11", "--csv", "in.csv"], 2, ["--column"]),
        (["--to", "2018-12-11", "CCP 2"], 2, ["is a bloc number", "give --from KEY"]),
        (["--from", "2011-06-01", "--to", "2099-01-01", "x"], 1, ["'2099-01-01'"]),
        (["--from", "2011", "--to", "2018-12-11", "x"], 2, ["malformed version key"]),
        (["--from", "2011-06-01", "--to", "2018-12-11", "2018-12-11/9"], 1, ["2018-12-11/9"]),
    ],
)
def test_convert_usage_errors(
    launcher: list[str], args: list[str], status: int, words: list[str]
) -> None:
    error(run(launcher, "convert", *args), status, *words)


# ---------------------------------------------------------------- convert, a file of candidates


def test_convert_a_file(launcher: list[str], tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes("\ufeffid;ccp\r\n1;2011-06-01/2\r\n2;nope\r\n".encode())
    convert = ["convert", "--from", "2011-06-01", "--to", "2018-12-11", "--csv", "in.csv"]
    result = run(launcher, *convert, "--column", "ccp", "--sep", ";", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "Wrote 2 rows to out.csv (separator ';').\n"
    assert result.stderr == (
        "titre-mercd: 1 of 2 rows could not be converted (see column 'conversion error')\n"
    )
    text = (tmp_path / "out.csv").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert [row[:2] for row in rows] == [["id", "ccp"], ["1", "2011-06-01/2"], ["2", "nope"]]
    assert rows[2][2:5] == ["", "", ""]


@pytest.mark.parametrize(
    ("content", "args", "words"),
    [
        (None, ["--column", "ccp"], ["cannot read in.csv", "No such file"]),
        (b"ccp\ncaf\xe9\n", ["--column", "ccp"], ["in.csv is not UTF-8", "line 2"]),
        (b"id\n1\n", ["--column", "ccp"], ["no column 'ccp'"]),
        (b"ccp\n", ["--column", "ccp", "-o", "missing/out.csv"], ["cannot write missing/out.csv"]),
        (b"ccp\n", ["--column", "ccp", "-o", "in.csv"], ["is the input file itself"]),
        (b"ccp\n", ["--column", "ccp", "-o", "taken.csv"], ["taken.csv exists", "--force"]),
    ],
)
def test_convert_a_file_errors(
    launcher: list[str], tmp_path: Path, content: bytes | None, args: list[str], words: list[str]
) -> None:
    if content is not None:
        (tmp_path / "in.csv").write_bytes(content)
    (tmp_path / "taken.csv").write_text("keep", encoding="utf-8")
    convert = ["convert", "--from", "2011-06-01", "--to", "2018-12-11", "--csv", "in.csv"]
    error(run(launcher, *convert, *args, cwd=tmp_path), 2, *words)
    assert (tmp_path / "taken.csv").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["taken.csv", *(["in.csv"] if content is not None else [])]
    )


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["frobnicate"], ["invalid choice"]),
        (["--frobnicate"], ["unrecognized arguments"]),
        (["rome"], ["required", "CODE"]),
        (["rome", "D1408", "M1704"], ["unrecognized arguments"]),
        (["export"], ["--format"]),
        (["export", "--format", "xml"], ["invalid choice"]),
        (["on"], ["DATE"]),
    ],
)
def test_usage_errors_are_one_line(launcher: list[str], args: list[str], words: list[str]) -> None:
    error(run(launcher, *args), 2, *words, "--help")


def test_a_closed_pipe_is_not_a_traceback(launcher: list[str]) -> None:
    process = subprocess.Popen(
        [*launcher, "export", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr
    assert process.returncode == 141  # 107 kB: more than the pipe holds, so the pipe broke


def test_a_terminal_that_cannot_show_french_is_one_line(launcher: list[str]) -> None:
    result = run(launcher, "rome", "D1408", env={"PYTHONIOENCODING": "ascii"})
    error(result, 2, "PYTHONIOENCODING=utf-8")


def test_exports_are_utf8_whatever_the_terminal(launcher: list[str], tmp_path: Path) -> None:
    result = run(
        launcher, "export", "--format", "csv", "--table", "codes", env={"PYTHONIOENCODING": "ascii"}
    )
    assert result.returncode == 0
    assert "Téléconseil et télévente" in result.stdout


# ---------------------------------------------------------------- export through the command line


@pytest.mark.parametrize("fmt", ["json", "jsonld", "mermaid", "dot"])
def test_export_to_stdout_and_to_a_file_agree(
    launcher: list[str], fmt: str, tmp_path: Path
) -> None:
    printed = run(launcher, "export", "--format", fmt)
    assert (printed.returncode, printed.stderr) == (0, "")
    target = tmp_path / f"out.{fmt}"
    # A relative -o path, so that the "Wrote" line's width does not depend on tmp_path's.
    wrote = ok(run(launcher, "export", "--format", fmt, "-o", target.name, cwd=tmp_path))
    assert wrote == f"Wrote {target.name}\n"
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert list(tmp_path.iterdir()) == [target]


def test_export_refuses_to_overwrite_without_force(launcher: list[str], tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    target.write_text("keep me", encoding="utf-8")
    error(run(launcher, "export", "--format", "json", "-o", str(target)), 2, "exists", "--force")
    assert target.read_text(encoding="utf-8") == "keep me"
    ok(run(launcher, "export", "--format", "json", "-o", target.name, "--force", cwd=tmp_path))
    assert (
        json.loads(target.read_text(encoding="utf-8"))["data_version"] == titre_mercd.DATA_VERSION
    )


def test_export_csv_tables_to_a_directory(launcher: list[str], tmp_path: Path) -> None:
    data = ok_json(
        run(launcher, "export", "--format", "csv", "-o", "tables", "--json", cwd=tmp_path)
    )
    names = ["competences", "versions", "blocks", "codes", "correspondences"]
    assert data == {"format": "csv", "files": [str(Path("tables", f"{n}.csv")) for n in names]}
    folder = tmp_path / "tables"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.csv" for n in names)
    assert list(tmp_path.iterdir()) == [folder]
    error(run(launcher, "export", "--format", "csv", "-o", "tables", cwd=tmp_path), 2, "exists")
    out = ok(run(launcher, "export", "--format", "csv", "-o", "tables", "--force", cwd=tmp_path))
    assert out.splitlines() == [f"Wrote {Path('tables', f'{n}.csv')}" for n in names]


def test_export_one_table_and_the_main_one(launcher: list[str], tmp_path: Path) -> None:
    main_table = run(launcher, "export", "--format", "csv")
    competences = run(launcher, "export", "--format", "csv", "--table", "competences")
    assert main_table.returncode == competences.returncode == 0
    assert main_table.stdout == competences.stdout
    assert main_table.stdout.startswith("version_key,version_title,bloc_number,bloc_title,")
    semicolons = run(launcher, "export", "--format", "csv", "--table", "codes", "--sep", ";")
    assert semicolons.stdout.startswith("version_key;system;code;label\r\n")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "csv", "--table", "people"], ["no table 'people'", "competences"]),
        (["--format", "json", "--table", "codes"], ["--table", "--format csv"]),
        (["--format", "dot", "--sep", ";"], ["--sep"]),
        (["--format", "csv", "--sep", ";;"], ["bad separator"]),
        (["--format", "json", "--json"], ["-o"]),
        (
            ["--format", "json", "-o", "/nonexistent-dir/x.json"],
            ["cannot write", "/nonexistent-dir"],
        ),
    ],
)
def test_export_errors(launcher: list[str], args: list[str], words: list[str]) -> None:
    if "--json" in args:
        json_error(run(launcher, "export", *args), 2, *words)
    else:
        error(run(launcher, "export", *args), 2, *words)


def test_export_to_a_directory_that_is_a_file(launcher: list[str], tmp_path: Path) -> None:
    target = tmp_path / "tables"
    target.write_text("", encoding="utf-8")
    error(run(launcher, "export", "--format", "csv", "-o", str(target)), 2, "is a file")


def test_export_to_an_unwritable_directory(launcher: list[str], tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere; a directory that is a file still refuses
        target = tmp_path / "file" / "out.json"
        (tmp_path / "file").write_text("", encoding="utf-8")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "out.json"
    error(run(launcher, "export", "--format", "json", "-o", str(target)), 2, "cannot write")


# ---------------------------------------------------------------- the README's examples

README = Path(__file__).parent.parent / "README.md"
BASH = shutil.which("bash")
_TODAY = re.compile(r"today \(\d{4}-\d{2}-\d{2}\)")


def _readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]


def _readme_sessions() -> list[tuple[str, str]]:
    """Each ``$ command`` of the section's console blocks, with the output shown after it."""
    sessions: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", _readme_section(), flags=re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                sessions.append((line[2:], []))
            else:
                sessions[-1][1].append(line)
    return [(command, "".join(line + "\n" for line in output)) for command, output in sessions]


def _markdown_table(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    cells = [
        [cell.strip().replace("\0", "|") for cell in row.replace("\\|", "\0").split("|")[1:-1]]
        for row in rows
    ]
    return [cells[0], *cells[2:]]  # without the |---| line


@pytest.mark.skipif(not README.exists(), reason="runs in a clone, beside README.md")
@pytest.mark.skipif(BASH is None, reason="the README's examples are bash command lines")
def test_readme_commands_print_what_the_readme_shows(launcher: list[str], tmp_path: Path) -> None:
    define = "titre-mercd() { " + " ".join(shlex.quote(part) for part in launcher) + ' "$@"; }'
    sessions = _readme_sessions()
    assert len(sessions) >= 8
    for command, shown in sessions:
        result = subprocess.run(
            [str(BASH), "-c", f"{define}\n{command}"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=120,
        )
        printed = result.stdout.decode("utf-8")
        assert _TODAY.sub("today (…)", printed) == _TODAY.sub("today (…)", shown), command
    converted = tmp_path / "candidats-2018.csv"
    with converted.open(encoding="utf-8-sig", newline="") as table:
        rows = list(csv.reader(table, delimiter=";"))
    shown_table = _readme_section().split("`candidats-2018.csv` now reads:", 1)[1].split("\n\n")[1]
    assert _markdown_table(shown_table) == rows
