"""Unknown stays unknown: what no source gives is never answered as « none » or « no ».

- a correspondence no source gives raises :class:`UndecidedError` from ``correspondences``,
  ``deemed_obtained`` and ``missing_blocks``, and ``convert`` reports it as not known (exit 1);
- ``deemed_obtained`` and ``missing_blocks`` target the latest version of the data set;
- ``show KEY`` names the successor, in the data or only registered;
- a version whose window ended where an interval no text covers starts is not known to be in
  force there, in ``show`` and ``versions`` as in ``is_in_force``.

The imported data sets are made from made-up exports (``registry_exports``) holding a
successor fiche with and without ``CORRESPONDANCES``, imported with ``registry import``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

import pytest

import titre_mercd
from registry_exports import SUCCESSOR, lineage_fiches, write_export
from test_cli import LAUNCHERS, flat, ok, run
from test_cli_schemas import validate
from titre_mercd import Referentiel, UndecidedError

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = LAUNCHERS["python -m titre_mercd"]
NEW_KEY = "2024-02-23"  # the made-up successor's key (see test_registry)


@pytest.fixture(scope="module")
def imports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Data directories imported from a successor fiche with a table, and without one."""
    folder = tmp_path_factory.mktemp("unknown")
    made = {}
    for name, table in (("with table", True), ("without table", False)):
        export = write_export(
            folder / f"{name.replace(' ', '_')}_2026-12-01.xml",
            lineage_fiches(successor_correspondences=table),
        )
        target = folder / name.replace(" ", "_")
        result = run(PROGRAM, "registry", "import", str(export), "-o", str(target))
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
        made[name] = target
    return made


@pytest.fixture(scope="module")
def with_table(imports: dict[str, Path]) -> Referentiel:
    return Referentiel(imports["with table"])


@pytest.fixture(scope="module")
def without_table(imports: dict[str, Path]) -> Referentiel:
    return Referentiel(imports["without table"])


# ---------------------------------------------------------------- no table is not an empty table


@pytest.mark.parametrize(
    ("old", "new"),
    [("2007-04-27", "2018-12-11"), ("2018-12-11", "2011-06-01"), ("2011-06-01", "2011-06-01")],
)
def test_a_pair_no_source_gives_a_table_for_is_undecided(old: str, new: str) -> None:
    with pytest.raises(UndecidedError) as raised:
        titre_mercd.correspondences(old, new)
    assert f"no source gives a correspondence table from {old} to {new}" in str(raised.value)
    with pytest.raises(UndecidedError):
        titre_mercd.correspondence_table(old, new)


def test_the_tables_the_law_gives_still_chain_from_2007_to_2018() -> None:
    assert [b.number for b in titre_mercd.deemed_obtained(["2007-04-27/3"], "2018-12-11")] == [1]
    assert [b.number for b in titre_mercd.missing_blocks(["2007-04-27/3"], "2018-12-11")] == [2]


def test_a_successor_fiche_without_correspondances_is_undecided(
    without_table: Referentiel,
) -> None:
    assert without_table.versions()[-1].key == NEW_KEY
    with pytest.raises(UndecidedError) as raised:
        without_table.correspondences("2018-12-11", NEW_KEY)
    assert f"from 2018-12-11 to {NEW_KEY}" in str(raised.value)
    for held in (["2018-12-11/1"], ["2011-06-01/2"], ["2007-04-27/1", f"{NEW_KEY}/3"]):
        with pytest.raises(UndecidedError) as raised:
            without_table.deemed_obtained(held)
        assert f"from 2018-12-11 to {NEW_KEY}" in str(raised.value)
        with pytest.raises(UndecidedError):
            without_table.missing_blocks(held, NEW_KEY)


def test_without_a_table_what_the_sources_decide_is_still_answered(
    without_table: Referentiel,
) -> None:
    """The steps the law gives still chain; the successor's own blocs count as themselves."""
    deemed = without_table.deemed_obtained(["2011-06-01/2", "2011-06-01/3"], "2018-12-11")
    assert [b.ref for b in deemed] == ["2018-12-11/1", "2018-12-11/2"]
    assert [b.ref for b in without_table.deemed_obtained([f"{NEW_KEY}/2"])] == [f"{NEW_KEY}/2"]
    assert [b.number for b in without_table.missing_blocks([f"{NEW_KEY}/2"])] == [1, 3]


def test_a_successor_fiche_with_correspondances_chains(with_table: Referentiel) -> None:
    rows = with_table.correspondences("2018-12-11", NEW_KEY)
    assert [(row.old.number, row.new and row.new.number) for row in rows] == [(1, 2), (2, 1)]
    held = ["2011-06-01/2", "2011-06-01/3"]
    assert [b.number for b in with_table.deemed_obtained(held)] == [1, 2]
    assert [b.number for b in with_table.missing_blocks(held)] == [3]


# ---------------------------------------------------------------- the default target


def test_the_default_target_is_the_latest_version_of_the_shipped_data() -> None:
    held = ["2011-06-01/2"]
    assert titre_mercd.versions()[-1].key == "2018-12-11"
    assert titre_mercd.deemed_obtained(held) == titre_mercd.deemed_obtained(held, "2018-12-11")
    assert titre_mercd.missing_blocks(held) == titre_mercd.missing_blocks(held, "2018-12-11")


def test_the_default_target_is_the_latest_version_of_the_data_in_use(
    imports: dict[str, Path], with_table: Referentiel
) -> None:
    new = with_table.version(NEW_KEY)
    assert with_table.deemed_obtained([f"{NEW_KEY}/1"]) == (new.blocks[0],)
    previous = titre_mercd.referentiel()
    titre_mercd.use_data(imports["with table"])
    try:
        assert titre_mercd.deemed_obtained(["2018-12-11/1"])[0].version_key == NEW_KEY
        assert [b.number for b in titre_mercd.missing_blocks(["2018-12-11/1"])] == [1, 3]
    finally:
        titre_mercd.use_data(previous.directory)


# ---------------------------------------------------------------- convert


def test_convert_reports_an_undecided_step_as_not_known(imports: dict[str, Path]) -> None:
    data = ["--data", str(imports["without table"])]
    result = run(PROGRAM, *data, "convert", "--from", "2018-12-11", "--to", NEW_KEY, "CCP 1")
    assert (result.returncode, result.stderr) == (1, "")
    text = flat(result.stdout)
    assert "Deemed obtained not known: no source gives a correspondence table" in text
    assert f"All blocs of the {NEW_KEY} title held: not known" in text
    assert "none" not in text.lower().replace("none of", "")

    result = run(PROGRAM, *data, "convert", "--json", "--from", "2018-12-11", "--to", NEW_KEY, "1")
    assert (result.returncode, result.stderr) == (1, "")
    report = json.loads(result.stdout)
    validate(report, "convert")
    assert (report["deemed_obtained"], report["missing"], report["all_held"]) == (None, None, None)
    assert f"from 2018-12-11 to {NEW_KEY}" in report["not_known"]
    assert [b["number"] for b in report["held"]] == [1]


def test_convert_with_a_table_still_answers(imports: dict[str, Path]) -> None:
    data = ["--data", str(imports["with table"])]
    result = run(PROGRAM, *data, "convert", "--json", "--from", "2018-12-11", "--to", NEW_KEY, "1")
    assert (result.returncode, result.stderr) == (0, "")
    report = json.loads(result.stdout)
    validate(report, "convert")
    assert [b["number"] for b in report["deemed_obtained"]] == [2]
    assert "not_known" not in report


def test_convert_a_file_reports_undecided_rows_as_not_known(
    imports: dict[str, Path], tmp_path: Path
) -> None:
    candidates = tmp_path / "in.csv"
    candidates.write_text(f"id,ccp\n1,2018-12-11/1\n2,{NEW_KEY}/1\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run(
        PROGRAM,
        *("--data", str(imports["without table"])),
        *("convert", "--csv", str(candidates), "--column", "ccp"),
        *("--from", "2018-12-11", "--to", NEW_KEY, "-o", str(out)),
    )
    assert result.returncode == 1, result.stderr
    assert "1 of 2 rows could not be converted" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    undecided, decided = rows
    assert undecided[f"deemed obtained ({NEW_KEY})"] == ""
    assert undecided[f"still missing ({NEW_KEY})"] == ""
    assert undecided[f"all blocs held ({NEW_KEY})"] == ""
    assert undecided["conversion error"].startswith("not known: no source gives")
    assert decided[f"all blocs held ({NEW_KEY})"] == "no"
    assert decided["conversion error"] == ""


def test_convert_a_file_in_french_says_not_known_in_french(
    imports: dict[str, Path], tmp_path: Path
) -> None:
    candidates = tmp_path / "in.csv"
    candidates.write_text("id,ccp\n1,2018-12-11/1\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run(
        PROGRAM,
        *("--data", str(imports["without table"])),
        *("convert", "--csv", str(candidates), "--column", "ccp", "--lang", "fr"),
        *("--from", "2018-12-11", "--to", NEW_KEY, "-o", str(out)),
    )
    assert result.returncode == 1, result.stderr
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert row[f"tous les blocs obtenus ({NEW_KEY})"] == ""
    assert row["erreur de conversion"].startswith("non déterminé : no source gives")


# ---------------------------------------------------------------- show names the successor


def field_of(out: str, name: str) -> str:
    """The value of a field of ``show``, its wrapped lines rejoined."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(name + " "))
    value = [lines[start][len(name) :]]
    for line in lines[start + 1 :]:
        if line[:1] != " ":
            break
        value.append(line)
    return flat(" ".join(value))


def test_show_names_the_successor_in_the_data() -> None:
    out = ok(run(PROGRAM, "show", "2011-06-01"))
    assert field_of(out, "Successor") == "2018-12-11, manager d'équipe relation client à distance"


def test_show_names_the_registered_successor_not_in_the_data() -> None:
    successor = field_of(ok(run(PROGRAM, "show", "2018-12-11")), "Successor")
    assert successor.startswith(f"{SUCCESSOR}, registered but not a version in this data")
    assert "échéance 2029-05-12" in successor


def test_show_names_an_imported_successor(imports: dict[str, Path]) -> None:
    out = ok(run(PROGRAM, "--data", str(imports["with table"]), "show", "2018-12-11"))
    assert field_of(out, "Successor").startswith(f"{NEW_KEY}, Manager d'équipe")
    out = ok(run(PROGRAM, "--data", str(imports["with table"]), "show", NEW_KEY))
    assert field_of(out, "Successor") == "none in the sources yet"


# ---------------------------------------------------------------- a window ended at a gap


def test_a_window_that_ends_where_no_text_covers_is_not_known_there() -> None:
    """SPEC rule 1: 2011's window ends on 12 May 2017, where two uncovered years start."""
    with pytest.raises(UndecidedError):
        titre_mercd.is_in_force(dt.date(2018, 1, 1), "2011-06-01")
    assert titre_mercd.is_in_force(dt.date(2019, 5, 12), "2011-06-01") is False
    reason = titre_mercd.referentiel()._verdict(dt.date(2020, 1, 1), "2011-06-01").reason
    assert "from 2017-05-12 to 2019-05-11 is not known" in reason


def test_show_does_not_say_no_longer_in_force_where_it_is_not_known() -> None:
    validity = field_of(ok(run(PROGRAM, "show", "2011-06-01")), "Validity")
    assert "since 2017-05-12" not in validity
    assert validity == (
        "No longer in force since 2019-05-12: it was in force from 2012-05-12 to 2017-05-11 "
        "(last day); whether it was from 2017-05-12 to 2019-05-11 is not known (no text found "
        "covers those days)."
    )


def test_versions_says_when_a_window_is_followed_by_days_not_known() -> None:
    out = flat(ok(run(PROGRAM, "versions")))
    assert (
        "No text found covers 2017-05-12 to 2019-05-11: whether a version is in force then is "
        "not known, 2011-06-01 (whose window ended the day before) included"
    ) in out
    entries: list[Any] = json.loads(run(PROGRAM, "versions", "--json").stdout)["versions"]
    entry = next(e for e in entries if e["key"] == "2011-06-01")
    assert entry["in_force"] is False
    assert "from 2017-05-12 to 2019-05-11 is not known" in entry["reason"]


def test_the_csv_export_names_the_days_a_version_is_not_known_to_be_in_force() -> None:
    result = run(PROGRAM, "export", "--format", "csv", "--table", "versions")
    assert (result.returncode, result.stderr) == (0, "")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    not_known = {row["key"]: row["validity_not_known"] for row in rows}
    assert not_known == {"2007-04-27": "", "2011-06-01": "2017-05-12/2019-05-11", "2018-12-11": ""}


def test_the_jsonld_export_names_the_days_a_version_is_not_known_to_be_in_force() -> None:
    result = run(PROGRAM, "export", "--format", "jsonld")
    assert (result.returncode, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    text = json.dumps(document, ensure_ascii=False)
    assert text.count('"propertyID": "validity_not_known"') == 1
    assert '"value": "2017-05-12/2019-05-11"' in text
