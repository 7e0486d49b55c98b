"""Whether a version is in force: « not known » whenever the sources do not decide.

SPEC.md « Unknown », three rules: (1) a version with a window is in force on its days, but a
version whose window ended where an interval no text covers starts is undecided inside it;
(2) a version without a window is not in force before its text nor from the day its successor
starts, and undecided in between; (3) « any version » is true when one is in force, undecided
when one is, inside a recorded interval, or after the last window while a registered successor
is not in the data, and false otherwise. Facts are checked against the shipped texts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from titre_mercd import (
    Formacode,
    Level,
    NotInDataError,
    NsfCode,
    RegisteredFiche,
    UndecidedError,
    UnknownCodeError,
    ValidityGap,
    by_rncp,
    current,
    is_in_force,
    registered_fiche,
    registered_fiches,
    source_of,
    successor,
    text_of,
    validity_gaps,
    version,
    versions,
)
from titre_mercd._manifest import write_manifest
from titre_mercd._referentiel import _use_data_directory

D = dt.date
V2007, V2011, V2018 = "2007-04-27", "2011-06-01", "2018-12-11"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def undecided(call: Any) -> str:
    """The message of the UndecidedError ``call()`` raises."""
    with pytest.raises(UndecidedError) as raised:
        call()
    return str(raised.value)


# ---------------------------------------------------------------- days the sources decide


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (D(2020, 1, 1), V2018),
        (D(2019, 5, 12), V2018),
        (D(2024, 5, 11), V2018),
        (D(2013, 1, 1), V2011),
        (D(2012, 5, 12), V2011),
        (D(2017, 5, 11), V2011),
    ],
)
def test_a_day_inside_a_known_window(day: dt.date, key: str) -> None:
    assert current(day) is version(key)
    assert is_in_force(day) is True
    assert is_in_force(day, key) is True
    others = [v for v in versions() if v.key != key]
    assert not any(is_in_force(day, v.key) for v in others)


def test_before_any_text_no_version_is_in_force() -> None:
    assert current(D(2007, 4, 26)) is None
    assert is_in_force(D(2007, 4, 26)) is False
    assert is_in_force(D(2007, 4, 26), V2007) is False


# ---------------------------------------------------------------- a window unknown (rule 2)


def test_the_2007_version_in_2010_is_not_known() -> None:
    message = undecided(lambda: is_in_force(D(2010, 1, 1), V2007))
    assert message.startswith("whether version 2007-04-27 is in force on 2010-01-01 is not known")
    assert "no source gives the validity window of 2007-04-27" in message
    assert "2012-05-12, when its successor 2011-06-01 starts" in message
    # « any version » is undecided too, and says why
    assert "2007-04-27" in undecided(lambda: current(D(2010, 1, 1)))
    assert "2007-04-27" in undecided(lambda: is_in_force(D(2010, 1, 1)))


def test_the_2007_version_is_undecided_until_the_2011_version_starts() -> None:
    undecided(lambda: is_in_force(D(2007, 4, 27), V2007))  # the day of its own text
    undecided(lambda: is_in_force(D(2012, 5, 11), V2007))
    assert is_in_force(D(2012, 5, 12), V2007) is False
    assert is_in_force(D(2012, 5, 12), V2011) is True
    assert version(V2007).validity is None  # unknown, never a window


# ---------------------------------------------------------------- the interval no text covers


@pytest.mark.parametrize("day", [D(2017, 5, 12), D(2018, 6, 1), D(2019, 5, 11)])
def test_the_interval_no_text_covers(day: dt.date) -> None:
    for message in (
        undecided(lambda: is_in_force(day)),
        undecided(lambda: current(day)),
        undecided(lambda: is_in_force(day, V2011)),
    ):
        assert f"on {day} is not known" in message
        assert "no text found covers 2017-05-12 to 2019-05-11" in message
        assert "12 May 2017 to 11 May 2019: no text found covers these two years" in message
        assert "\n" not in message
    # The 2011 window ended where the interval starts; the others are decided.
    assert is_in_force(day, V2018) is False
    assert is_in_force(day, V2007) is False


def test_the_interval_is_recorded_in_the_data_with_its_source() -> None:
    (gap,) = validity_gaps()
    assert (gap.start, gap.end, gap.last_day) == (D(2017, 5, 12), D(2019, 5, 12), D(2019, 5, 11))
    window_2011, window_2018 = version(V2011).validity, version(V2018).validity
    assert window_2011 is not None
    assert window_2018 is not None
    assert (gap.start, gap.end) == (window_2011.end, window_2018.start)
    assert gap.source.location == "section « Versions of the title »"
    assert gap.source.excerpt in text_of(gap.source.text)
    assert squash(gap.source.excerpt).startswith(
        "12 May 2017 to 11 May 2019: no text found covers these two years"
    )
    assert source_of(gap, "start") is gap.source
    assert gap.contains(D(2018, 6, 1))
    assert not gap.contains(D(2019, 5, 12))


# ---------------------------------------------------------------- a registered successor


@pytest.mark.parametrize("day", [D(2024, 5, 12), D(2025, 1, 1), D(2030, 1, 1)])
def test_any_version_after_2024_is_not_known(day: dt.date) -> None:
    for message in (undecided(lambda: current(day)), undecided(lambda: is_in_force(day))):
        assert f"whether any version is in force on {day} is not known" in message
        assert "the window of the latest version, 2018-12-11, ended on 2024-05-11" in message
        assert "RNCP38665" in message
        assert "titre-mercd registry import" in message
    assert is_in_force(day, V2018) is False  # its own window has ended: that is decided


def test_the_successor_of_2018_is_registered_but_not_in_the_data() -> None:
    with pytest.raises(NotInDataError) as raised:
        successor(V2018)
    message = str(raised.value)
    assert isinstance(raised.value, UnknownCodeError)
    for known in (
        "RNCP38665",
        "registered successor of 2018-12-11",
        "niveau 5",
        "312t Négociation et vente",
        "2029-05-12",
        "MINISTERE DU TRAVAIL DU PLEIN EMPLOI ET DE L' INSERTION",
        "titre-mercd registry import",
    ):
        assert known in message


@pytest.mark.parametrize("code", ["38665", "RNCP38665", " rncp 38665 "])
def test_by_rncp_says_what_is_known_of_the_registered_successor(code: str) -> None:
    with pytest.raises(NotInDataError) as raised:
        by_rncp(code)
    message = str(raised.value)
    assert message.startswith("RNCP38665 is registered but is not a version in this data")
    assert "niveau 5" in message
    assert "titre-mercd registry import" in message
    assert registered_fiche(code) is registered_fiches()[0]


def test_the_registered_fiche_as_facts_md_gives_it() -> None:
    (fiche,) = registered_fiches()
    assert fiche == RegisteredFiche(
        rncp="RNCP38665",
        successor_of=V2018,
        level=Level(france_1969=None, france_2019=5, eqf=5),  # FACTS.md gives no 1969 level
        nsf_codes=(NsfCode("312t", "Négociation et vente"),),
        formacodes=(
            Formacode("34026", "Développement sens commercial"),
            Formacode("34027", "Service après-vente"),
            Formacode("34507", "Vente à distance"),
            Formacode("34076", "Gestion relation client"),
        ),
        registered_until=D(2029, 5, 12),  # « 12-05-2029 », the échéance kept as given
        certifying_authority="MINISTERE DU TRAVAIL DU PLEIN EMPLOI ET DE L' INSERTION",
    )
    expected = {
        "rncp": "fiche RNCP38665",
        "level": "niveau 5",
        "nsf_codes": "NSF « 312t : Négociation et vente »",
        "formacodes": "Formacodes 34026 Développement sens commercial, 34027 Service après-vente, "
        "34507 Vente à distance, 34076 Gestion relation client",
        "registered_until": "date d'échéance de l'enregistrement 12-05-2029",
        "certifying_authority": (
            "certificateur « MINISTERE DU TRAVAIL DU PLEIN EMPLOI ET DE L' INSERTION »"
        ),
        "successor_of": "registered successor",
    }
    for field, words in expected.items():
        source = source_of(fiche, field)
        assert source.text.kind == "FACTS.md"  # FACTS.md's own words, no legal text's
        assert source.location == "section « Versions of the title »"
        assert source.excerpt in text_of(source.text)
        assert words in squash(source.excerpt)
    with pytest.raises(UnknownCodeError, match="RNCP12505"):
        registered_fiche("RNCP12505")  # a fiche of a version in the data is not « registered »


# ---------------------------------------------------------------- laws

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2035, 12, 31))


def verdict(day: dt.date, key: str | None = None) -> bool | None:
    """``is_in_force``, with ``None`` for « not known »."""
    try:
        return is_in_force(day, key)
    except UndecidedError:
        return None


def current_or_undecided(day: dt.date) -> object:
    try:
        return current(day)
    except UndecidedError:
        return UndecidedError


@given(days)
def test_at_most_one_version_is_in_force_on_any_day(day: dt.date) -> None:
    assert sum(verdict(day, v.key) is True for v in versions()) <= 1


@given(days, st.sampled_from(versions()))
def test_current_is_v_exactly_when_v_is_in_force(day: dt.date, v: Any) -> None:
    found = current_or_undecided(day)
    if found is not UndecidedError:
        assert (found is v) == (verdict(day, v.key) is True)
    if verdict(day, v.key) is True:
        assert found is v


@given(days)
def test_current_and_is_in_force_are_undecided_together(day: dt.date) -> None:
    found = current_or_undecided(day)
    answer = verdict(day)
    assert (found is UndecidedError) == (answer is None)
    if answer is not None:
        assert answer == (found is not None)
    if found is None:  # « none » is said only when every version is decided « no »
        assert all(verdict(day, v.key) is False for v in versions())
    if any(verdict(day, v.key) is None for v in versions()) and answer is not True:
        assert answer is None


# ---------------------------------------------------------------- the rules read the data


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(str(Path(str(titre_mercd.__file__)).parent / "data"), root)
    return root


def edit(root: Path, name: str, change: Any) -> None:
    payload = json.loads((root / name).read_text(encoding="utf-8"))
    change(payload)
    (root / name).write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def test_without_lineage_facts_the_same_days_are_decided(data_copy: Path) -> None:
    """The interval and the registered successor are data: a directory without them decides."""
    (data_copy / "lineage.json").unlink()
    write_manifest(data_copy, "test")
    with _use_data_directory(data_copy):
        assert current(D(2018, 6, 1)) is None
        assert current(D(2025, 1, 1)) is None
        assert successor(V2018) is None
        assert titre_mercd.validity_gaps() == ()
        with pytest.raises(UnknownCodeError) as raised:
            by_rncp("38665")
        assert not isinstance(raised.value, NotInDataError)


def test_once_imported_the_successor_is_a_version(data_copy: Path) -> None:
    """A version holding RNCP38665 (made up here) is the successor: nothing is undecided after."""
    key = "2024-05-01"  # made up for this test
    payload = json.loads((data_copy / f"versions/{V2018}.json").read_text(encoding="utf-8"))
    new = payload["version"]
    new.update(key=key, rncp="RNCP38665", validity={"start": "2024-05-12", "end": "2029-05-12"})
    new["legal_text"] = {**new["legal_text"], "date": key, "nor": "TEST0000000A"}
    new["blocks"] = [{**b, "version_key": key} for b in new["blocks"]]  # the 2018 titles
    payload["sources"]["rncp"] = {"text": "facts", "location": "x", "excerpt": "fiche RNCP38665"}
    new["unknown_fields"] = [f for f in new["unknown_fields"] if f != "rncp"]
    (data_copy / f"versions/{key}.json").write_text(
        json.dumps(payload, ensure_ascii=False), encoding="utf-8"
    )
    write_manifest(data_copy, "test")
    with _use_data_directory(data_copy):
        assert successor(V2018).key == key  # type: ignore[union-attr]
        assert by_rncp("38665").key == key
        assert current(D(2025, 1, 1)).key == key  # type: ignore[union-attr]
        assert titre_mercd.registered_fiches() == ()
        assert current(D(2030, 1, 1)) is None  # no successor registered after it


def test_a_gap_is_a_record_of_the_package() -> None:
    (gap,) = validity_gaps()
    assert isinstance(gap, ValidityGap)
    assert titre_mercd.from_dict(ValidityGap, titre_mercd.to_dict(gap)) == gap


# ---------------------------------------------------------------- exports


def test_the_json_export_carries_windows_the_gap_and_the_registered_successor() -> None:
    from titre_mercd._export import dataset_document

    document = dataset_document()
    windows = [v["validity"] for v in document["versions"] if v["validity"] is not None]
    assert windows == [
        {
            "start": "2012-05-12",
            "end": "2017-05-12",
            "last_day": "2017-05-11",
            "registered_until": None,
        },
        {
            "start": "2019-05-12",
            "end": "2024-05-12",
            "last_day": "2024-05-11",
            "registered_until": None,
        },
    ]
    assert [(g["start"], g["end"]) for g in document["gaps"]] == [("2017-05-12", "2019-05-12")]
    (fiche,) = document["registered"]
    assert (fiche["rncp"], fiche["successor_of"], fiche["registered_until"]) == (
        "RNCP38665",
        V2018,
        "2029-05-12",
    )
    sourced = {s["field"] for s in document["sources"] if s["record"] == "registered"}
    assert sourced == {
        "rncp",
        "successor_of",
        "level",
        "nsf_codes",
        "formacodes",
        "registered_until",
        "certifying_authority",
    }


def test_csv_and_jsonld_carry_the_registered_until_of_a_window_read_from_the_registry(
    data_copy: Path,
) -> None:
    from titre_mercd._export import csv_table, jsonld_document

    def registered(payload: Any) -> None:  # as `registry import` would write a window
        payload["version"]["validity"]["registered_until"] = "2024-05-12"

    edit(data_copy, f"versions/{V2018}.json", registered)
    write_manifest(data_copy, "test")
    with _use_data_directory(data_copy):
        window = version(V2018).validity
        assert window is not None
        assert (window.end, window.registered_until) == (D(2024, 5, 12), D(2024, 5, 12))
        header, rows = csv_table("versions")
        column = header.index("validity_registered_until")
        assert [row[column] for row in rows] == ["", "", "2024-05-12"]
        credential = jsonld_document()["@graph"][2]
        assert credential["temporalCoverage"] == "2019-05-12/2024-05-11"
        properties = {p["propertyID"]: p["value"] for p in credential["additionalProperty"]}
        assert properties["registered_until"] == "2024-05-12"
