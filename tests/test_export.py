"""Every export parsed back: JSON against the shipped schema, CSV with the csv module, JSON-LD
by its structure, DOT by Graphviz, Mermaid by a parser of the flowchart statements it uses.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from importlib.resources import files
from typing import Any

import attrs
import jsonschema
import pytest

import titre_mercd
from titre_mercd import (
    Block,
    CertificationVersion,
    Correspondence,
    LegalText,
    Level,
    NsfCode,
    RomeCode,
    Source,
    ValidityWindow,
    correspondences,
    from_dict,
    source_of,
    versions,
)
from titre_mercd._export import CSV_TABLES, MAIN_TABLE, csv_table, dot, jsonld_document, mermaid

VERSIONS = versions()
BLOCKS = [b for v in VERSIONS for b in v.blocks]
# The shipped tables lead from each version to the next (no source gives any other).
TABLES = [
    (old.key, new.key, correspondences(old.key, new.key))
    for old, new in zip(VERSIONS, VERSIONS[1:])
]


def export(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "titre_mercd", "export", *args],
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert result.stderr == b""
    return result.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    shipped = files("titre_mercd").joinpath("schemas", "dataset.schema.json")
    loaded: dict[str, Any] = json.loads(shipped.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(export("--format", "json"))
    return loaded


# ---------------------------------------------------------------- JSON


def test_json_export_validates_against_the_shipped_schema(
    schema: dict[str, Any], document: dict[str, Any]
) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors


def test_the_schema_refuses_what_the_data_cannot_be(
    schema: dict[str, Any], document: dict[str, Any]
) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    broken = json.loads(json.dumps(document))
    broken["versions"][0]["rome_codes"] = [{"code": "D14", "label": "x"}]
    broken["versions"][1]["blocks"][0]["surprise"] = 1
    del broken["data_version"]
    assert len(list(validator.iter_errors(broken))) == 3


@pytest.mark.parametrize(
    "cls",
    [
        Block,
        CertificationVersion,
        Correspondence,
        LegalText,
        Level,
        NsfCode,
        RomeCode,
        Source,
        ValidityWindow,
        titre_mercd.ValidityGap,
        titre_mercd.RegisteredFiche,
        titre_mercd.CorrespondenceTable,
    ],
)
def test_the_schema_names_every_field_of_every_record(schema: dict[str, Any], cls: type) -> None:
    definition = schema["$defs"][cls.__name__]
    names = [f.name for f in attrs.fields(cls)]
    if cls is ValidityWindow:  # to_dict writes the derived last_day after end
        names.insert(names.index("end") + 1, "last_day")
    assert definition["required"] == names
    assert list(definition["properties"]) == names
    assert definition["additionalProperties"] is False


def test_json_export_is_the_data_and_reads_back(document: dict[str, Any]) -> None:
    assert document["data_version"] == titre_mercd.DATA_VERSION
    assert document["titre_mercd_version"] == titre_mercd.__version__
    assert tuple(from_dict(CertificationVersion, v) for v in document["versions"]) == VERSIONS
    tables = [
        (t["old_key"], t["new_key"], tuple(from_dict(Correspondence, r) for r in t["rows"]))
        for t in document["correspondence_tables"]
    ]
    assert tables == TABLES
    assert {c["code"] for c in document["rome_codes"]} >= {
        c.code for v in VERSIONS for c in v.rome_codes
    }
    for entry in document["rome_codes"]:
        assert from_dict(RomeCode, entry) == titre_mercd.rome(entry["code"])
    for entry in document["nsf_codes"]:
        assert from_dict(NsfCode, entry) == titre_mercd.nsf(entry["code"])


def test_json_export_gives_the_source_of_every_sourced_fact(document: dict[str, Any]) -> None:
    given = {(s["record"], s["key"], s["field"]): s["source"] for s in document["sources"]}
    records = [("version", v.key, v) for v in VERSIONS] + [("block", b.ref, b) for b in BLOCKS]
    checked = 0
    for kind, key, record in records:
        for field in attrs.fields(type(record)):
            try:
                expected = source_of(record, field.name)
            except LookupError:
                assert (kind, key, field.name) not in given
                continue
            assert from_dict(Source, given[(kind, key, field.name)]) == expected
            checked += 1
    assert checked > 50


# ---------------------------------------------------------------- CSV


def read(text: str, sep: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))


@pytest.mark.parametrize("name", CSV_TABLES)
def test_every_csv_table_reads_back(name: str) -> None:
    header, rows = csv_table(name)
    parsed = read(export("--format", "csv", "--table", name))
    assert parsed[0] == list(header)
    assert parsed[1:] == [list(row) for row in rows]
    assert all(len(row) == len(header) for row in parsed)


def test_the_main_table_has_one_row_per_bloc_and_competence() -> None:
    parsed = read(export("--format", "csv"))
    assert parsed[0][:4] == ["version_key", "version_title", "bloc_number", "bloc_title"]
    expected = [
        [b.version_key, b.title, competence]
        for b in BLOCKS
        for competence in (b.competences or ("",))
    ]
    assert [[r[0], r[3], r[5]] for r in parsed[1:]] == expected
    assert MAIN_TABLE == CSV_TABLES[0] == "competences"


def test_csv_tables_hold_the_data() -> None:
    versions_table = read(export("--format", "csv", "--table", "versions", "--sep", ";"), ";")
    header = versions_table[0]
    for row, v in zip(versions_table[1:], VERSIONS):
        record = dict(zip(header, row))
        assert record["key"] == v.key
        assert record["title"] == v.title
        assert record["legal_text_nor"] == (v.legal_text.nor or "")
        assert record["summary"] == (v.summary or "")
        assert record["sectors"].split(" | ") == (list(v.sectors) or [""])
        assert record["validity_last_day"] == (
            str(v.validity.last_day) if v.validity and v.validity.last_day else ""
        )
    rows = read(export("--format", "csv", "--table", "correspondences"))
    expected = [
        [
            row.old.version_key,
            str(row.old.number),
            new_key,
            "" if row.new is None else str(row.new.number),
        ]
        for _, new_key, table in TABLES
        for row in table
    ]
    assert [[r[0], r[1], r[3], r[4]] for r in rows[1:]] == expected
    codes = read(export("--format", "csv", "--table", "codes"))
    assert ["2018-12-11", "ROME", "M1704", titre_mercd.rome("M1704").label] in codes


# ---------------------------------------------------------------- JSON-LD


def test_jsonld_has_a_context_and_one_credential_per_version() -> None:
    data = json.loads(export("--format", "jsonld"))
    assert data == jsonld_document()
    assert data["@context"] == "https://schema.org"
    credentials = [n for n in data["@graph"] if n["@type"] == "EducationalOccupationalCredential"]
    assert [c["name"] for c in credentials] == [v.title for v in VERSIONS]
    for node, v in zip(credentials, VERSIONS):
        assert node["credentialCategory"]["name"] == "titre professionnel"
        assert node["isBasedOn"]["@type"] == "Legislation"
        assert node["isBasedOn"]["name"] == v.legal_text.title
        terms = [t["name"] if isinstance(t, dict) else t for t in node["competencyRequired"]]
        for b in v.blocks:
            assert b.title in terms
            assert set(b.competences) <= set(terms)
        if v.level is not None:
            assert [t["termCode"] for t in node["educationalLevel"]][-1] == str(v.level.eqf)
        occupations = node.get("@reverse", {}).get("qualifications", [])
        codes = [
            o["occupationalCategory"]["codeValue"]
            for o in occupations
            if "occupationalCategory" in o
        ]
        assert codes == [c.code for c in v.rome_codes]
        assert [o["name"] for o in occupations if "occupationalCategory" not in o] == list(
            v.job_titles
        )
        window = v.validity
        if window is None:
            assert "temporalCoverage" not in node
            assert "validFor" not in node
        else:
            assert node["temporalCoverage"] == f"{window.start}/{window.last_day}"


def test_jsonld_validity_of_the_2018_version() -> None:
    node = jsonld_document()["@graph"][-1]
    assert node["validFor"] == "P5Y"  # « créée pour cinq ans à compter du 12 mai 2019 »
    assert node["temporalCoverage"] == "2019-05-12/2024-05-11"


def test_jsonld_dates_follow_article_1_not_the_arretes_date() -> None:
    """2018: « créée pour cinq ans à compter du 12 mai 2019 »: created 2019-05-12."""
    for node, v in zip(jsonld_document()["@graph"], VERSIONS):
        if v.validity is None:
            assert "dateCreated" not in node
        else:
            assert node["dateCreated"] == v.validity.start.isoformat()
        assert node["isBasedOn"]["legislationDate"] == v.legal_text.date.isoformat()
    assert jsonld_document()["@graph"][-1]["dateCreated"] == "2019-05-12"


def test_jsonld_names_the_fields_no_source_gives() -> None:
    for node, v in zip(jsonld_document()["@graph"], VERSIONS):
        found = [
            p["value"]
            for p in node.get("additionalProperty", [])
            if p["propertyID"] == "unknown_fields"
        ]
        assert found == ([sorted(v.unknown_fields)] if v.unknown_fields else [])


def test_csv_versions_table_tells_unknown_from_none() -> None:
    versions_table = read(export("--format", "csv", "--table", "versions"))
    header = versions_table[0]
    assert header[-1] == "unknown_fields"
    assert header[header.index("sectors") + 1] == "sectors_text"
    for row, v in zip(versions_table[1:], VERSIONS):
        record = dict(zip(header, row))
        assert record["unknown_fields"] == " | ".join(sorted(v.unknown_fields))
        assert record["sectors_text"] == (v.sectors_text or "")
    v2007 = dict(zip(header, versions_table[1]))
    assert "rncp" in v2007["unknown_fields"].split(" | ")
    assert "rome_codes" not in v2007["unknown_fields"].split(" | ")  # « En attente … »: none


def test_json_export_carries_unknown_fields(document: dict[str, Any]) -> None:
    for data, v in zip(document["versions"], VERSIONS):
        assert data["unknown_fields"] == sorted(v.unknown_fields)
        assert data["sectors_text"] == v.sectors_text
    assert {"block": "2007-04-27/3", "title": "Contribuer aux évolutions de l'ensemble des "
            "activités d'un centre de relation client à distance"}.items() <= next(
        w for w in document["other_wordings"] if w["title"].startswith("Contribuer")
    ).items()  # fmt: skip
    assert [(c["key"], c["field"], c["reads"]) for c in document["contradictions"]] == [
        ("2011-06-01", "nsf_codes", "312 w")
    ]


def test_jsonld_leaves_out_what_no_source_gives() -> None:
    def nulls(value: object) -> int:
        if isinstance(value, dict):
            return sum(nulls(v) for v in value.values()) + sum(
                v in (None, []) for v in value.values()
            )
        if isinstance(value, list):
            return sum(nulls(v) for v in value)
        return 0

    assert nulls(jsonld_document()) == 0


# ---------------------------------------------------------------- DOT


@pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz 'dot' is not installed (Debian: apt-get install graphviz)",
)
def test_graphviz_reads_the_dot_export() -> None:
    text = export("--format", "dot")
    assert text == dot()
    rendered = subprocess.run(
        [shutil.which("dot") or "dot", "-Tjson"],
        input=text.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stderr == b""  # not even a warning
    graph = json.loads(rendered.stdout)
    nodes = {o["name"] for o in graph["objects"] if "nodes" not in o}
    assert {b.ref for b in BLOCKS} | {v.key for v in VERSIONS} <= nodes
    clusters = {o["name"] for o in graph["objects"] if "nodes" in o}
    assert clusters == {f"cluster_{v.key}" for v in VERSIONS}
    names = {o["_gvid"]: o["name"] for o in graph["objects"]}
    edges = {(names[e["tail"]], names[e["head"]]) for e in graph["edges"]}
    for _, _, table in TABLES:
        for row in table:
            if row.new is not None:
                assert (row.old.ref, row.new.ref) in edges
    for old, new in zip(VERSIONS, VERSIONS[1:]):
        assert (old.key, new.key) in edges


# ---------------------------------------------------------------- Mermaid

_NODE = re.compile(r'(?P<id>[A-Za-z][A-Za-z0-9_]*)\["(?P<label>[^"]*)"\]')
_STATEMENTS = {
    "subgraph": re.compile(rf"subgraph {_NODE.pattern}"),
    "end": re.compile(r"end"),
    "node": _NODE,
    "edge": re.compile(
        r"(?P<tail>[A-Za-z][A-Za-z0-9_]*) (?P<arrow>==>|-->|-\.->)(?:\|(?P<edge_label>[^|\"]+)\|)? "
        rf"(?:{_NODE.pattern}|(?P<head>[A-Za-z][A-Za-z0-9_]*))"
    ),
    "comment": re.compile(r"%%.*"),
}


def parse_mermaid(text: str) -> dict[str, Any]:
    """A parser of the Mermaid flowchart statements the export writes: refuses anything else."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    labels: dict[str, str] = {}
    subgraphs: dict[str, list[str]] = {}
    edges: list[tuple[str, str, str, str | None]] = []
    open_subgraph: str | None = None
    for number, line in enumerate(lines[1:], 2):
        statement = line.strip()
        kind, match = next(
            ((k, m) for k, p in _STATEMENTS.items() if (m := p.fullmatch(statement))), (None, None)
        )
        assert match is not None, f"line {number} is not a statement the export writes: {line!r}"
        if kind == "subgraph":
            assert open_subgraph is None, f"line {number}: nested subgraph"
            open_subgraph = match["id"]
            labels[match["id"]] = match["label"]
            subgraphs[open_subgraph] = []
        elif kind == "end":
            assert open_subgraph is not None, f"line {number}: end without subgraph"
            open_subgraph = None
        elif kind == "node":
            assert open_subgraph is not None
            assert match["id"] not in labels, f"line {number}: {match['id']} defined twice"
            labels[match["id"]] = match["label"]
            subgraphs[open_subgraph].append(match["id"])
        elif kind == "edge":
            assert open_subgraph is None
            head = match["head"] or match["id"]
            if match["id"]:
                labels[match["id"]] = match["label"]
            edges.append((match["tail"], match["arrow"], head, match["edge_label"]))
    assert open_subgraph is None, "a subgraph is not closed"
    for tail, _, head, _ in edges:
        assert tail in labels, f"edge from undefined {tail}"
        assert head in labels, f"edge to undefined {head}"
    return {"labels": labels, "subgraphs": subgraphs, "edges": edges}


def test_mermaid_export_parses() -> None:
    text = export("--format", "mermaid")
    assert text == mermaid()
    graph = parse_mermaid(text)
    labels = {k: v.replace("<br>", " ").replace("#quot;", '"') for k, v in graph["labels"].items()}
    assert len(graph["subgraphs"]) == len(VERSIONS)
    for v, (subgraph, members) in zip(VERSIONS, graph["subgraphs"].items()):
        assert labels[subgraph] == f"{v.key} · {v.title}"
        assert [labels[m] for m in members] == [f"CCP {b.number} · {b.title}" for b in v.blocks]
    arrows = [(a, labels[t], labels[h]) for t, a, h, _ in graph["edges"]]
    lineage = [(a, t, h) for a, t, h in arrows if a == "==>"]
    assert [(t.split(" ")[0], h.split(" ")[0]) for _, t, h in lineage] == [
        (old.key, new.key) for old, new in zip(VERSIONS, VERSIONS[1:])
    ]
    rows = [(a, t, h) for a, t, h in arrows if a != "==>"]
    expected = [
        (
            "-.->" if row.new is None else "-->",
            f"CCP {row.old.number} · {row.old.title}",
            "Aucune correspondance"
            if row.new is None
            else f"CCP {row.new.number} · {row.new.title}",
        )
        for _, _, table in TABLES
        for row in table
    ]
    assert rows == expected


def test_the_mermaid_parser_refuses_broken_text() -> None:
    good = mermaid()
    for broken in (
        good.replace("  end\n", "", 1),
        good.replace('["Aucune correspondance"]', '["Aucune "correspondance"]'),
        good.replace("==> v_2011_06_01", "==> v_2099_01_01"),
    ):
        with pytest.raises(AssertionError):
            parse_mermaid(broken)
