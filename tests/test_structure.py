"""The load path's light structurer accepts exactly what the cattrs converter accepts."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from titre_mercd import (
    Block,
    CertificationVersion,
    DataError,
    ValidityWindow,
    _format,
    _referentiel,
    to_dict,
)
from titre_mercd._converter import structure as structure_with_cattrs
from titre_mercd._structure import structure as structure_fast

DATA = Path(str(importlib.resources.files("titre_mercd") / "data"))
# Each shipped data file with the record it is read as.
FILES = {
    "MANIFEST.json": _format.Manifest,
    "texts.json": _format.TextsFile,
    "lineage.json": _format.LineageFile,
    "nomenclatures/rome.json": _format.CodesFile,
    "nomenclatures/nsf.json": _format.CodesFile,
    "nomenclatures/levels.json": _format.LevelsFile,
    **{f"versions/{v.key}.json": _format.VersionFile for v in titre_mercd.versions()},
    **{
        f"correspondences/{o}_{n}.json": _format.TableFile for o, n in _referentiel.dataset().tables
    },
}
SHIPPED = [
    *((type(r), to_dict(r)) for v in titre_mercd.versions() for r in (v, *v.blocks)),
    *((cls, json.loads((DATA / name).read_text(encoding="utf-8"))) for name, cls in FILES.items()),
]
json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12), st.just("2019-05-12")
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def outcome(structure: Any, data: object, cls: type) -> object:
    try:  # as plain data: a file's record is equal to another only if it is the same one
        return _format.unstructure(structure(data, cls, "x.json"))
    except DataError:
        return DataError


@pytest.mark.parametrize(("cls", "data"), SHIPPED, ids=lambda x: getattr(x, "__name__", ""))
def test_both_build_the_shipped_records_alike(cls: type, data: dict[str, Any]) -> None:
    built = outcome(structure_fast, data, cls)
    assert built is not DataError
    assert built == outcome(structure_with_cattrs, data, cls)


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[type, object]:
    """A shipped record's data with one value somewhere replaced by arbitrary JSON."""
    window = (ValidityWindow, {"start": "2019-05-12", "end": None})
    cls, data = draw(st.sampled_from([*SHIPPED, window]))

    def replace(value: Any) -> Any:
        if isinstance(value, dict) and value and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(value)))
            return {**value, key: replace(value[key])}
        if isinstance(value, list) and value and draw(st.booleans()):
            index = draw(st.integers(0, len(value) - 1))
            return [*value[:index], replace(value[index]), *value[index + 1 :]]
        return draw(json_values)

    return cls, replace(data)


@given(corrupted())
def test_both_accept_and_refuse_the_same_data(case: tuple[type, object]) -> None:
    cls, data = case
    assert outcome(structure_fast, data, cls) == outcome(structure_with_cattrs, data, cls)


def test_the_explanation_comes_from_cattrs_with_every_path() -> None:
    data = to_dict(titre_mercd.version("2018-12-11"))
    data["blocks"][0]["number"] = "1"
    data["summary"] = 3
    with pytest.raises(DataError) as info:
        structure_fast(data, CertificationVersion, "versions/2018-12-11.json", "$.version")
    message = str(info.value)
    assert message.startswith("versions/2018-12-11.json: ")
    assert "$.version.blocks[0].number" in message
    assert "$.version.summary" in message


def test_extra_and_missing_fields_are_refused() -> None:
    data = to_dict(titre_mercd.find_block("2018-12-11/1"))
    with pytest.raises(DataError, match="unknown fields"):
        structure_fast({**data, "colour": "red"}, Block, "x.json")
    del data["title"]
    with pytest.raises(DataError, match="title"):
        structure_fast(data, Block, "x.json")


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_shipped_file_is_written_back_as_it_is(name: str) -> None:
    """The records declare the files: reading one and writing it back gives the same bytes.

    A version's validity is the exception: a window is written with its ``last_day``.
    """
    text = (DATA / name).read_text(encoding="utf-8")
    data = json.loads(text)
    if name.startswith("versions/") and data["version"]["validity"] is not None:
        data["version"]["validity"] = to_dict(titre_mercd.version(name[9:19]).validity)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    record = structure_fast(data, FILES[name], name)
    assert json.dumps(_format.unstructure(record), ensure_ascii=False, indent=2) + "\n" == text


def test_a_file_error_names_the_member_as_the_file_writes_it() -> None:
    manifest = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))
    manifest["import"] = {"export": "x.xml", "export_date": 20261201, "base_data_version": "1"}
    manifest["files"]["texts/a.txt"] = None
    with pytest.raises(DataError) as raised:
        structure_fast(manifest, _format.Manifest, "MANIFEST.json")
    assert str(raised.value) == (
        "MANIFEST.json: $.files['texts/a.txt']: expected a string, got NoneType None; "
        "$.import.export_date: expected an ISO date string, got int 20261201"
    )
