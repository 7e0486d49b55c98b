"""Broken copies of the shipped data are refused, with the file and the place named.

Each case copies the shipped data directory, breaks one thing, re-seals the manifest (so that
the check under test is the one that fires, except where the manifest itself is what is
broken) and loads the copy through the private entry points ``load(root)`` and
``_use_data_directory(root)``. Each must give a :class:`DataError` naming the file and the
place in it, and leave nothing behind: the shipped data still answers, and a good directory
loads right after.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
from pathlib import Path
from typing import Any, Callable, NamedTuple

import pytest

import titre_mercd
from titre_mercd import DataError, _loading, _referentiel
from titre_mercd._manifest import write_manifest

V2011 = "versions/2011-06-01.json"
V2007 = "versions/2007-04-27.json"
V2018 = "versions/2018-12-11.json"
TABLE = "correspondences/2011-06-01_2018-12-11.json"
TEXT_2018 = "texts/arrete-2018-12-11-MTRD1833181A.txt"
ROME = "nomenclatures/rome.json"
LEVELS = "nomenclatures/levels.json"
LINEAGE = "lineage.json"
MANIFEST = "MANIFEST.json"


def shipped_data() -> Path:
    """The shipped data directory, which the tests only ever read."""
    path = Path(str(importlib.resources.files("titre_mercd") / "data"))
    assert (path / MANIFEST).is_file(), path
    return path


# ---------------------------------------------------------------- ways to break a copy

Breakage = Callable[[Path], None]


def read_json(root: Path, name: str) -> Any:
    return json.loads((root / name).read_text(encoding="utf-8"))


def write_json(root: Path, name: str, payload: Any) -> None:
    (root / name).write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", "utf-8")


def reseal(root: Path) -> None:
    """Record the broken copy's hashes, so that only the check under test can fire."""
    write_manifest(root, "broken-copy")


def edit_json(name: str, change: Callable[[Any], object], *, sealed: bool = True) -> Breakage:
    def breakage(root: Path) -> None:
        payload = read_json(root, name)
        change(payload)
        write_json(root, name, payload)
        if sealed:
            reseal(root)

    return breakage


def replace_text(name: str, old: str, new: str, *, sealed: bool = True) -> Breakage:
    def breakage(root: Path) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not once in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        if sealed:
            reseal(root)

    return breakage


def delete(name: str) -> Breakage:
    def breakage(root: Path) -> None:
        (root / name).unlink()

    return breakage


def truncate(name: str, keep: Callable[[bytes], int], *, sealed: bool = True) -> Breakage:
    def breakage(root: Path) -> None:
        content = (root / name).read_bytes()
        (root / name).write_bytes(content[: keep(content)])
        if sealed:
            reseal(root)

    return breakage


def copy_file(name: str, to: str, *, sealed: bool) -> Breakage:
    def breakage(root: Path) -> None:
        shutil.copyfile(root / name, root / to)
        if sealed:
            reseal(root)

    return breakage


def setter(*path: str | int, value: object) -> Callable[[Any], object]:
    def change(payload: Any) -> None:
        for step in path[:-1]:
            payload = payload[step]
        payload[path[-1]] = value

    return change


def remover(*path: str | int) -> Callable[[Any], object]:
    def change(payload: Any) -> None:
        for step in path[:-1]:
            payload = payload[step]
        del payload[path[-1]]

    return change


def appender(*path: str | int, copy_of: int) -> Callable[[Any], object]:
    def change(payload: Any) -> None:
        for step in path:
            payload = payload[step]
        payload.append(json.loads(json.dumps(payload[copy_of])))

    return change


def first_multibyte_character(content: bytes) -> int:
    """An offset in the middle of the first character UTF-8 writes in two bytes or more."""
    return next(i for i, byte in enumerate(content) if byte >= 0xC0) + 1


def open_validity(payload: Any) -> None:
    """Give the 2011 version an open-ended window, and a source, so it overlaps 2018's."""
    payload["version"]["validity"] = {"start": "2011-06-01", "end": None}
    payload["version"]["unknown_fields"] = []
    payload["sources"]["validity"] = payload["sources"]["key"]


def closed_validity(payload: Any) -> None:
    """Give the 2011 version a window that runs past 2018's start."""
    payload["version"]["validity"] = {"start": "2011-06-01", "end": "2019-06-01"}
    payload["version"]["unknown_fields"] = []
    payload["sources"]["validity"] = payload["sources"]["key"]


def rncp_of_2011(payload: Any) -> None:
    """Give the 2018 version the 2011 version's RNCP number (and its source)."""
    payload["version"]["rncp"] = "RNCP12505"
    payload["version"]["unknown_fields"] = []
    payload["sources"]["rncp"] = read_json(shipped_data(), V2011)["sources"]["rncp"]


def bloc_codes(*codes: str) -> Breakage:
    """Give the 2018 blocks RNCP bloc codes, each sourced in a made-up text shipped with them.

    No source gives the shipped versions bloc codes: this is test data, in a copy only.
    """

    def breakage(root: Path) -> None:
        (root / "texts" / "bloc-codes.txt").write_text(
            "Blocs de compétences (made up for the tests): " + ", ".join(codes) + ".\n",
            encoding="utf-8",
        )
        texts = read_json(root, "texts.json")
        entry = json.loads(json.dumps(texts["texts"][0]))
        entry.update(id="bloc-codes", file="texts/bloc-codes.txt")
        entry["legal_text"].update(title="Bloc codes made up for the tests", nor=None)
        texts["texts"].append(entry)
        write_json(root, "texts.json", texts)
        payload = read_json(root, V2018)
        for i, code in enumerate(codes):
            payload["version"]["blocks"][i]["rncp_code"] = code
            source = {"text": "bloc-codes", "location": "bloc", "excerpt": code}
            payload["block_sources"].setdefault(str(i + 1), {})["rncp_code"] = source
        write_json(root, V2018, payload)
        reseal(root)

    return breakage


def unlist(name: str) -> Callable[[Any], object]:
    def change(manifest: Any) -> None:
        del manifest["files"][name]

    return change


def new_text_file(root: Path) -> None:
    """A text named in texts.json and present on disk, but not in the manifest."""
    (root / "texts" / "extra.txt").write_text("Arrêté du 1er janvier 2030.\n", encoding="utf-8")
    texts = read_json(root, "texts.json")
    entry = json.loads(json.dumps(texts["texts"][0]))
    entry.update(id="extra", file="texts/extra.txt")
    texts["texts"].append(entry)
    write_json(root, "texts.json", texts)
    reseal(root)
    manifest = read_json(root, MANIFEST)
    del manifest["files"]["texts/extra.txt"]
    write_json(root, MANIFEST, manifest)


# ---------------------------------------------------------------- the cases


class Case(NamedTuple):
    """One way to break the data, and the file and place the error must name."""

    kind: str
    name: str
    breakage: Breakage
    file: str
    place: str


CASES = [
    # -- a file is missing
    Case("missing file", "listed version file", delete(V2011), V2011, f"$.files[{V2011!r}]"),
    Case(
        "missing file",
        "shipped copy of a text",
        delete(TEXT_2018),
        TEXT_2018,
        "texts.json: $.texts[",
    ),
    Case("missing file", "manifest", delete(MANIFEST), MANIFEST, "in the data directory"),
    # -- truncated JSON
    Case("truncated JSON", "version", truncate(V2018, lambda b: len(b) // 2), V2018, "line "),
    Case("truncated JSON", "empty table", truncate(TABLE, lambda _: 0), TABLE, "line 1 column 1"),
    Case(
        "truncated JSON",
        "manifest",
        truncate(MANIFEST, lambda b: len(b) - 10, sealed=False),
        MANIFEST,
        "line ",
    ),
    Case(
        "truncated JSON",
        "cut inside a character",
        truncate(ROME, first_multibyte_character),
        ROME,
        "at byte ",
    ),
    # -- a value of the wrong type
    Case(
        "wrong type",
        "block number as a string",
        edit_json(V2018, setter("version", "blocks", 0, "number", value="1")),
        V2018,
        "$.version.blocks[0].number",
    ),
    Case(
        "wrong type",
        "date as a number",
        edit_json(V2018, setter("version", "validity", "start", value=20190512)),
        V2018,
        "$.version.validity.start",
    ),
    Case(
        "wrong type",
        "date not ISO",
        edit_json("texts.json", setter("texts", 0, "legal_text", "date", value="27/04/2007")),
        "texts.json",
        "$.texts[0].legal_text.date",
    ),
    Case(
        "wrong type",
        "list for an object",
        edit_json(V2018, setter("version", "level", value=[5, 5])),
        V2018,
        "$.version.level",
    ),
    Case(
        "wrong type",
        "object for a list",
        edit_json(V2011, setter("version", "blocks", value={"1": "Gérer"})),
        V2011,
        "$.version.blocks",
    ),
    Case(
        "wrong type",
        "label as a number",
        edit_json(ROME, setter("codes", 0, "label", value=1408)),
        ROME,
        "$.codes[0].label",
    ),
    Case(
        "wrong type",
        "level as a string",
        edit_json(LEVELS, setter("levels", 0, "eqf", value="5")),
        LEVELS,
        "$.levels[0].eqf",
    ),
    Case(
        "wrong type",
        "row number as a string",
        edit_json(TABLE, setter("rows", 2, "old", value="3")),
        TABLE,
        "$.rows[2].old",
    ),
    Case(
        "wrong type",
        "top level an array",
        lambda root: (write_json(root, V2011, []), reseal(root)),
        V2011,
        "$",
    ),
    Case(
        "wrong type",
        "manifest data version a number",
        edit_json(MANIFEST, setter("data_version", value=2026.1), sealed=False),
        MANIFEST,
        "$.data_version",
    ),
    Case(
        "wrong type",
        "required field missing",
        edit_json(V2018, remover("version", "blocks", 1, "title")),
        V2018,
        "$.version.blocks[1]",
    ),
    # -- a field nobody reads
    Case(
        "unknown field",
        "in a version",
        edit_json(V2018, setter("version", "colour", value="blue")),
        V2018,
        "$.version",
    ),
    Case(
        "unknown field",
        "at a version file's top",
        edit_json(V2018, setter("comment", value="draft")),
        V2018,
        "$",
    ),
    Case(
        "unknown field",
        "in a block",
        edit_json(V2011, setter("version", "blocks", 2, "ccp", value=True)),
        V2011,
        "$.version.blocks[2]",
    ),
    Case(
        "unknown field",
        "in a source",
        edit_json(V2018, setter("sources", "title", "page", value=3)),
        V2018,
        "$.sources.title",
    ),
    Case(
        "unknown field",
        "source of a field that does not exist",
        edit_json(V2018, setter("sources", "titel", value={})),
        V2018,
        "$.sources.titel",
    ),
    Case(
        "unknown field",
        "in a table row",
        edit_json(TABLE, setter("rows", 1, "comment", value="")),
        TABLE,
        "$.rows[1]",
    ),
    Case(
        "unknown field",
        "in a text entry",
        edit_json("texts.json", setter("texts", 1, "colour", value="blue")),
        "texts.json",
        "$.texts[1]",
    ),
    Case(
        "unknown field",
        "at texts.json's top",
        edit_json("texts.json", setter("extra", value=[])),
        "texts.json",
        "$",
    ),
    Case(
        "unknown field",
        "at a nomenclature's top",
        edit_json(ROME, setter("extra", value=[])),
        ROME,
        "$",
    ),
    Case(
        "unknown field",
        "in a code",
        edit_json(ROME, setter("codes", 1, "colour", value="blue")),
        ROME,
        "$.codes[1]",
    ),
    Case(
        "unknown field",
        "at the levels' top",
        edit_json(LEVELS, setter("extra", value=[])),
        LEVELS,
        "$",
    ),
    Case(
        "unknown field",
        "in the manifest",
        edit_json(MANIFEST, setter("signature", value="x"), sealed=False),
        MANIFEST,
        "$",
    ),
    # -- a reference to nothing
    Case(
        "dangling reference",
        "new block number past the end",
        edit_json(TABLE, setter("rows", 1, "new", value=7)),
        TABLE,
        "$.rows[1].new",
    ),
    Case(
        "dangling reference",
        "old block number zero",
        edit_json(TABLE, setter("rows", 0, "old", value=0)),
        TABLE,
        "$.rows[0].old",
    ),
    Case(
        "dangling reference",
        "old block null",
        edit_json(TABLE, setter("rows", 0, "old", value=None)),
        TABLE,
        "$.rows[0].old",
    ),
    Case(
        "dangling reference",
        "unknown version in a table",
        edit_json(TABLE, setter("new_key", value="2019-01-01")),
        TABLE,
        "$.new_key",
    ),
    Case(
        "dangling reference",
        "unknown text in a source",
        edit_json(V2018, setter("sources", "title", "text", value="arrete-1999")),
        V2018,
        "$.sources.title.text",
    ),
    Case(
        "dangling reference",
        "sources of a block that does not exist",
        edit_json(V2018, setter("block_sources", "9", value={})),
        V2018,
        "$.block_sources.9",
    ),
    Case(
        "dangling reference",
        "code not in its nomenclature as written",
        edit_json(V2018, setter("version", "rome_codes", 0, "label", value="Téléconseil")),
        V2018,
        "$.version.rome_codes[0]",
    ),
    # -- a key given twice
    Case(
        "duplicated key",
        "JSON object key twice in a version",
        replace_text(V2018, '"version": {\n', '"version": {\n    "regulation": "Néant",\n'),
        V2018,
        "$.version",
    ),
    Case(
        "duplicated key",
        "JSON object key twice in a row",
        replace_text(TABLE, '"old": 3,', '"old": 3,\n      "old": 1,'),
        TABLE,
        "$.rows[2]",
    ),
    Case(
        "duplicated key",
        "JSON object key twice in the manifest",
        replace_text(MANIFEST, '"files": {\n', f'"files": {{\n    "{V2011}": "0",\n', sealed=False),
        MANIFEST,
        "$.files",
    ),
    Case(
        "duplicated key",
        "two versions with the same key",
        copy_file(V2018, "versions/2019-01-01.json", sealed=True),
        "versions/2019-01-01.json",
        "$.version.key",
    ),
    Case(
        "duplicated key",
        "two texts with the same id",
        edit_json("texts.json", setter("texts", 1, "id", value="arrete-2007")),
        "texts.json",
        "$.texts[1].id",
    ),
    Case(
        "duplicated key",
        "ROME code twice",
        edit_json(ROME, appender("codes", copy_of=0)),
        ROME,
        "$.codes[",
    ),
    Case(
        "duplicated key",
        "old block twice in a table",
        edit_json(TABLE, setter("rows", 1, "old", value=1)),
        TABLE,
        "$.rows[1].old",
    ),
    Case(
        "duplicated key",
        "RNCP number of two versions",
        edit_json(V2018, rncp_of_2011),
        V2018,
        "$.version.rncp",
    ),
    Case(
        "duplicated key",
        "RNCP bloc code of two blocks",
        bloc_codes("RNCP34809BC01", "RNCP34809BC01"),
        V2018,
        "$.version.blocks[1].rncp_code",
    ),
    Case(
        "wrong type",
        "RNCP bloc code not canonical",
        bloc_codes("rncp34809bc01"),
        V2018,
        "$.version.blocks[0].rncp_code",
    ),
    # -- validity windows
    Case(
        "overlapping windows",
        "open-ended window before another",
        edit_json(V2011, open_validity),
        V2018,
        "$.version.validity",
    ),
    Case(
        "overlapping windows",
        "window running into the next",
        edit_json(V2011, closed_validity),
        V2018,
        "$.version.validity",
    ),
    Case(
        "overlapping windows",
        "window ending before it starts",
        edit_json(V2018, setter("version", "validity", "end", value="2019-05-11")),
        V2018,
        "$.version.validity",
    ),
    Case(
        "overlapping windows",
        "empty window",
        edit_json(V2018, setter("version", "validity", "end", value="2019-05-12")),
        V2018,
        "$.version.validity",
    ),
    Case(
        "overlapping windows",
        "an interval no text covers, inside a version's window",
        edit_json(LINEAGE, setter("gaps", 0, "start", value="2016-05-12")),
        LINEAGE,
        "$.gaps[0]",
    ),
    Case(
        "overlapping windows",
        "an interval no text covers, ending before it starts",
        edit_json(LINEAGE, setter("gaps", 0, "end", value="2017-05-12")),
        LINEAGE,
        "$.gaps[0].end",
    ),
    # -- lineage.json
    Case(
        "wrong type",
        "interval start not an ISO date",
        edit_json(LINEAGE, setter("gaps", 0, "start", value="12/05/2017")),
        LINEAGE,
        "$.gaps[0].start",
    ),
    Case(
        "wrong type",
        "registered niveau out of range",
        edit_json(LINEAGE, setter("registered", 0, "level", value=9)),
        LINEAGE,
        "$.registered[0].level",
    ),
    Case(
        "wrong type",
        "registered NSF label not the nomenclature's",
        edit_json(LINEAGE, setter("registered", 0, "nsf", 0, "label", value="Commerce, vente")),
        LINEAGE,
        "$.registered[0].nsf[0]",
    ),
    Case(
        "wrong type",
        "registered fiche with a source for an empty field",
        edit_json(LINEAGE, setter("registered", 0, "certifying_authority", value=None)),
        LINEAGE,
        "$.registered[0].sources.certifying_authority",
    ),
    Case(
        "unknown field",
        "registered fiche",
        edit_json(LINEAGE, setter("registered", 0, "title", value="manager")),
        LINEAGE,
        "$.registered[0]",
    ),
    Case(
        "dangling reference",
        "registered successor of an unknown version",
        edit_json(LINEAGE, setter("registered", 0, "successor_of", value="2024-01-01")),
        LINEAGE,
        "$.registered[0].successor_of",
    ),
    Case(
        "duplicated key",
        "registered fiche recorded twice",
        edit_json(LINEAGE, appender("registered", copy_of=0)),
        LINEAGE,
        "$.registered[1].rncp",
    ),
    # -- an excerpt no longer verbatim
    Case(
        "edited excerpt",
        "registered fiche's échéance",
        edit_json(
            LINEAGE,
            setter(
                "registered",
                0,
                "sources",
                "registered_until",
                "excerpt",
                value="date d'échéance de l'enregistrement 12-05-2029",
            ),
        ),
        LINEAGE,
        "$.registered[0].sources.registered_until.excerpt",
    ),
    Case(
        "edited excerpt",
        "source of an interval no text covers",
        edit_json(
            LINEAGE,
            setter(
                "gaps",
                0,
                "source",
                "excerpt",
                value="12 May 2017 to 11 May 2019: no text covers these two years",
            ),
        ),
        LINEAGE,
        "$.gaps[0].source.excerpt",
    ),
    Case(
        "edited excerpt",
        "word changed in a version's source",
        edit_json(
            V2018,
            setter(
                "sources",
                "validity",
                "excerpt",
                value="La version du titre professionnel de manager d'équipe relation client "
                "à distance issue du présent arrêté est créée pour six ans à compter du "
                "12 mai 2019.",
            ),
        ),
        V2018,
        "$.sources.validity.excerpt",
    ),
    Case(
        "edited excerpt",
        "accent dropped in a table row's source",
        edit_json(
            TABLE,
            setter(
                "rows",
                1,
                "source",
                "excerpt",
                value="Manager une equipe de conseillers (ères) clientèle à distance",
            ),
        ),
        TABLE,
        "$.rows[1].source.excerpt",
    ),
    Case(
        "edited excerpt",
        "empty excerpt",
        edit_json(ROME, setter("codes", 0, "sources", "label", "excerpt", value="")),
        ROME,
        "$.codes[0].sources.label.excerpt",
    ),
    Case(
        "edited excerpt",
        "shipped text edited under its excerpt",
        replace_text(TEXT_2018, "créée pour cinq ans", "créée pour six ans"),
        V2018,
        "$.sources.validity.excerpt",
    ),
    # -- a file that is not what the manifest recorded
    Case(
        "hash mismatch",
        "version edited after sealing",
        replace_text(V2018, "2024-05-12", "2025-05-12", sealed=False),
        V2018,
        f"$.files[{V2018!r}]",
    ),
    Case(
        "hash mismatch",
        "text edited after sealing",
        replace_text(TEXT_2018, "créée pour cinq ans", "créée pour six ans", sealed=False),
        TEXT_2018,
        f"$.files[{TEXT_2018!r}]",
    ),
    Case(
        "hash mismatch",
        "hash edited in the manifest",
        edit_json(MANIFEST, setter("files", TABLE, value="0" * 64), sealed=False),
        TABLE,
        f"$.files[{TABLE!r}]",
    ),
    Case(
        "hash mismatch",
        "hash not a string",
        edit_json(MANIFEST, setter("files", LEVELS, value=None), sealed=False),
        MANIFEST,
        f"$.files[{LEVELS!r}]",
    ),
    # -- a file on disk that the manifest does not list
    Case(
        "not in the manifest",
        "extra version file",
        copy_file(V2018, "versions/2030-01-01.json", sealed=False),
        "versions/2030-01-01.json",
        "$.files",
    ),
    Case(
        "not in the manifest",
        "extra correspondence table",
        copy_file(TABLE, "correspondences/2018-12-11_2030-01-01.json", sealed=False),
        "correspondences/2018-12-11_2030-01-01.json",
        "$.files",
    ),
    Case(
        "not in the manifest",
        "version file dropped from the manifest",
        edit_json(MANIFEST, unlist(V2011), sealed=False),
        V2011,
        "$.files",
    ),
    Case(
        "not in the manifest",
        "text named in texts.json",
        new_text_file,
        "texts/extra.txt",
        "texts.json: $.texts[",
    ),
    # -- unknown is neither « none » nor a value
    Case(
        "unknown fields",
        "a name that is no field",
        edit_json(V2018, setter("version", "unknown_fields", value=["rncp", "colour"])),
        V2018,
        "$.version.unknown_fields",
    ),
    Case(
        "unknown fields",
        "a field every version has",
        edit_json(V2018, setter("version", "unknown_fields", value=["rncp", "title"])),
        V2018,
        "$.version.unknown_fields",
    ),
    Case(
        "unknown fields",
        "a field that has a value",
        edit_json(V2018, setter("version", "unknown_fields", value=["rncp", "summary"])),
        V2018,
        "$.version.unknown_fields",
    ),
    Case(
        "unknown fields",
        "the same field twice",
        edit_json(V2018, setter("version", "unknown_fields", value=["rncp", "rncp"])),
        V2018,
        "$.version.unknown_fields",
    ),
    Case(
        "unknown fields",
        "a source for a field no source gives",
        edit_json(
            V2007,
            setter(
                "sources",
                "transversal_competences",
                value={"text": "arrete-2007", "location": "annexe", "excerpt": "Néant."},
            ),
        ),
        V2007,
        "$.sources.transversal_competences",
    ),
    # -- a source covers the whole fact
    Case(
        "partial source",
        "a list item the excerpt does not quote",
        edit_json(V2018, setter("sources", "job_titles", "excerpt", value="Superviseur,")),
        V2018,
        "$.sources.job_titles.excerpt",
    ),
    Case(
        "partial source",
        "a paragraph the excerpt does not quote",
        edit_json(V2018, setter("sources", "summary", "excerpt", value="Il alerte sa hiérarchie")),
        V2018,
        "$.sources.summary.excerpt",
    ),
    Case(
        "partial source",
        "a capacité the excerpt does not quote",
        edit_json(
            V2007,
            setter(
                "block_sources",
                "2",
                "competences",
                "excerpt",
                value="Animer des formations ponctuelles pour téléconseillers.",
            ),
        ),
        V2007,
        "$.block_sources.2.competences.excerpt",
    ),
    # -- other wordings and contradictions
    Case(
        "other wordings",
        "a wording its excerpt does not contain",
        edit_json(V2007, setter("other_wordings", "2", 0, "title", value="Manager des gens")),
        V2007,
        "$.other_wordings.2[0].title",
    ),
    Case(
        "other wordings",
        "a block that does not exist",
        edit_json(V2007, setter("other_wordings", "4", value=[])),
        V2007,
        "$.other_wordings.4",
    ),
    Case(
        "contradictions",
        "a reading its excerpt does not contain",
        edit_json(V2011, setter("contradictions", 0, "readings", 0, "reads", value="312 x")),
        V2011,
        "$.contradictions[0].readings[0].reads",
    ),
    Case(
        "contradictions",
        "a field with no source",
        edit_json(V2011, setter("contradictions", 0, "field", value="rncp_code")),
        V2011,
        "$.contradictions[0].field",
    ),
]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(shipped_data(), root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_copy_loads_like_the_shipped_data(data_copy: Path) -> None:
    """The cases below break a copy that is, unbroken, as good as the shipped data."""
    reseal(data_copy)
    copied = _loading.load(data_copy)
    assert copied.versions == titre_mercd.versions()
    assert copied.tables == _referentiel.dataset().tables
    assert copied.sources == _referentiel.dataset().sources


def test_every_kind_of_breakage_is_covered() -> None:
    kinds = {case.kind for case in CASES}
    assert kinds == {
        "missing file",
        "truncated JSON",
        "wrong type",
        "unknown field",
        "dangling reference",
        "duplicated key",
        "overlapping windows",
        "edited excerpt",
        "hash mismatch",
        "not in the manifest",
        "unknown fields",
        "partial source",
        "other wordings",
        "contradictions",
    }
    assert len({(case.kind, case.name) for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.kind}: {case.name}")
def test_broken_data_is_refused_naming_file_and_place(case: Case, data_copy: Path) -> None:
    shipped = titre_mercd.versions()
    active = _referentiel._in_use
    case.breakage(data_copy)

    with pytest.raises(DataError) as raised:
        _loading.load(data_copy)
    message = str(raised.value)
    assert case.file in message, message
    assert case.place in message, message
    assert "\n" not in message, "one line, so that the command line can print it as is"

    with pytest.raises(DataError) as again, _referentiel._use_data_directory(data_copy):
        pytest.fail("a broken directory was put in use")
    assert str(again.value) == message

    # Nothing of the failed load stays: the shipped data still answers, unchanged.
    assert _referentiel._in_use is active
    assert titre_mercd.versions() is shipped


def test_good_data_loads_right_after_broken_data(data_copy: Path, tmp_path: Path) -> None:
    good = tmp_path / "good"
    shutil.copytree(data_copy, good)
    replace_text(V2018, "2024-05-12", "2025-05-12")(good)
    delete(V2011)(data_copy)

    with pytest.raises(DataError), _referentiel._use_data_directory(data_copy):
        pytest.fail("a broken directory was put in use")
    with _referentiel._use_data_directory(good):
        assert titre_mercd.version("2018-12-11").validity.end.year == 2025  # type: ignore[union-attr]
        assert titre_mercd.DATA_VERSION == "broken-copy"
    assert titre_mercd.version("2018-12-11").validity.end.year == 2024  # type: ignore[union-attr]


def test_a_failed_first_load_is_not_cached(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the first use fails, the next use reads the files again rather than a half state."""
    truncate(V2018, lambda b: len(b) // 2)(data_copy)
    directory = {"root": data_copy}
    # Forget the loaded data (and the answers memoised from it); restored after the test.
    monkeypatch.setattr(_referentiel, "_in_use", _referentiel._in_use)
    monkeypatch.setattr(_referentiel, "_shipped_referentiel", _referentiel._shipped_referentiel)
    _referentiel._switch(None)
    monkeypatch.setattr(_loading, "_package_data", lambda: directory["root"])

    for _ in range(2):
        with pytest.raises(DataError, match=re.escape(V2018)):
            titre_mercd.versions()
        assert _referentiel._in_use is None

    directory["root"] = shipped_data()
    assert [v.key for v in titre_mercd.versions()] == ["2007-04-27", "2011-06-01", "2018-12-11"]
    assert _referentiel._in_use is not None


def test_blocks_found_by_their_rncp_bloc_code(data_copy: Path) -> None:
    """The shipped versions have no bloc codes; a copy that has some finds blocks by them."""
    bloc_codes("RNCP34809BC01", "RNCP34809BC02")(data_copy)
    with _referentiel._use_data_directory(data_copy):
        first, second = titre_mercd.version("2018-12-11").blocks
        assert titre_mercd.find_block("RNCP34809BC01") is first
        assert titre_mercd.find_block(" rncp34809 bc02 ", "2018-12-11") is second
        assert titre_mercd.deemed_obtained(["RNCP34809BC02"]) == (second,)
        with pytest.raises(titre_mercd.UnknownBlockError) as raised:
            titre_mercd.find_block("RNCP34809BC01", "2011-06-01")
        assert str(raised.value) == (
            "no block has the RNCP bloc code 'RNCP34809BC01' (RNCP34809BC01); "
            "no source gives the bloc codes of these versions"
        )
        with pytest.raises(titre_mercd.UnknownBlockError) as raised:
            titre_mercd.find_block("rncp34809bc03")
        assert str(raised.value) == (
            "no block has the RNCP bloc code 'rncp34809bc03' (RNCP34809BC03); "
            "known bloc codes: RNCP34809BC01, RNCP34809BC02"
        )


def test_a_title_two_versions_share_is_ambiguous(data_copy: Path) -> None:
    """No two shipped blocks share a title; in a copy where two do, a bare title names both."""
    title = "Manager une équipe de conseillers (ères) clientèle à distance"

    def share_the_title(payload: Any) -> None:
        payload["version"]["blocks"][1]["title"] = title
        payload["block_sources"]["2"]["title"] = read_json(shipped_data(), V2011)["block_sources"][
            "2"
        ]["title"]

    edit_json(V2018, share_the_title)(data_copy)
    with _referentiel._use_data_directory(data_copy):
        with pytest.raises(titre_mercd.AmbiguousBlockError) as raised:
            titre_mercd.find_block(title.upper())
        assert str(raised.value) == (
            f"{title.upper()!r} matches 2 blocks: 2011-06-01/2 {title!r}; "
            f"2018-12-11/2 {title!r}; give a version key or 'KEY/N'"
        )
        assert titre_mercd.find_block(title, "2018-12-11").ref == "2018-12-11/2"


def test_a_structuring_error_names_every_problem(data_copy: Path) -> None:
    """cattrs reports every bad field of a record, each with its JSON path."""

    def two_problems(payload: Any) -> None:
        payload["version"]["blocks"][0]["number"] = "1"
        payload["version"]["legal_text"]["date"] = 2018

    edit_json(V2018, two_problems)(data_copy)
    with pytest.raises(DataError) as raised:
        _loading.load(data_copy)
    assert "$.version.blocks[0].number" in str(raised.value)
    assert "$.version.legal_text.date" in str(raised.value)


# ---------------------------------------------------------------- checked when built, verified when loaded


def test_the_shipped_data_passes_every_rule() -> None:
    """The rules across files run here, on the shipped data, as on every import before it writes."""
    found = _loading.verify(shipped_data())
    assert found.failures == ()
    assert found.data_version == titre_mercd.DATA_VERSION


def test_the_shipped_data_is_trusted_a_named_directory_is_not(data_copy: Path) -> None:
    """Only the shipped data (and the user's own update) skips the rules: its digests prove it."""
    assert _loading._package_data().trusted  # type: ignore[union-attr]
    edit_json(V2018, setter("version", "title", value="manager (no text gives this title)"))(
        data_copy
    )
    trusted = _loading.load(_loading._Directory(str(data_copy), trusted=True))
    assert trusted.version_by_key["2018-12-11"].title == "manager (no text gives this title)"
    with pytest.raises(DataError, match=re.escape(f"{V2018}: $.sources.title.excerpt")):
        _loading.load(data_copy)
    with pytest.raises(DataError, match=re.escape(f"{V2018}: $.sources.title.excerpt")):
        _loading.load_directory(data_copy)


def test_a_trusted_directory_still_fails_its_manifest(data_copy: Path) -> None:
    """The fast path checks every digest: a file changed since it was sealed is refused."""
    edit_json(V2018, setter("version", "title", value="changed"), sealed=False)(data_copy)
    with pytest.raises(DataError, match=re.escape(f"{V2018}: sha256 ")):
        _loading.load(_loading._Directory(str(data_copy), trusted=True))


def test_verify_lists_every_failure_not_only_the_first(data_copy: Path) -> None:
    def breakage(payload: Any) -> None:
        payload["version"]["title"] = "manager (no text gives this title)"
        payload["version"]["rome_codes"][0]["label"] = "Téléconseil"

    edit_json(V2018, breakage)(data_copy)
    found = _loading.verify(data_copy)
    assert found.data_version == "broken-copy"
    assert len(found.failures) == 2, found.failures
    assert found.failures[0].startswith(f"{V2018}: $.sources.title.excerpt: ")
    assert found.failures[1].startswith(f"{V2018}: $.version.rome_codes[0]: ")


def test_data_verify_exits_1_with_the_failures_listed(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from titre_mercd._cli import main

    assert main(["data", "verify", str(data_copy)]) == 0
    assert "passes every rule" in capsys.readouterr().out
    edit_json(V2018, setter("version", "title", value="manager (no text gives this title)"))(
        data_copy
    )
    assert main(["data", "verify", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "fails 1 rule:" in out
    assert f"{V2018}: $.sources.title.excerpt" in out
    assert main(["data", "verify", str(data_copy), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "failed"
    assert report["directory"] == str(data_copy.absolute())
    assert [f[: len(V2018)] for f in report["failures"]] == [V2018]


def test_data_verify_refuses_a_dir_that_is_missing_or_no_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from titre_mercd._cli import main

    (tmp_path / "file").write_text("")
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere")
    for name, what in (
        ("nowhere", "does not exist"),
        ("file", "is not a directory"),
        ("broken", "is not a directory"),
    ):
        assert main(["data", "verify", str(tmp_path / name)]) == 2
        assert capsys.readouterr().err == (
            f"titre-mercd: data verify: {str(tmp_path / name)!r} {what}\n"
        )


def test_data_verify_without_dir_lists_what_the_directory_in_use_fails(data_copy: Path) -> None:
    """TITRE_MERCD_DATA naming a broken directory: every failure listed, exit 1, not an error."""
    import os
    import subprocess
    import sys

    edit_json(V2018, setter("version", "title", value="manager (no text gives this title)"))(
        data_copy
    )
    environment = {**os.environ, "TITRE_MERCD_DATA": str(data_copy)}
    result = subprocess.run(
        [sys.executable, "-m", "titre_mercd", "data", "verify"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert f"{V2018}: $.sources.title.excerpt" in result.stdout
    assert result.stderr == ""
