"""The JSON schemas: the data set's is written from the records, the command line's refer to it.

``schemas/dataset.schema.json`` is what ``python -m titre_mercd._schema`` writes; a record
changed without rewriting it fails here. Each concept (a version, a window, a level, a bloc, a
registered fiche, …) has one definition there, which the command line's schemas ``$ref``.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import attrs
import pytest
from jsonschema import Draft202012Validator

import titre_mercd
from titre_mercd import _records, _schema
from titre_mercd._export import dataset_document

SCHEMAS = files("titre_mercd").joinpath("schemas")
DATASET = json.loads(SCHEMAS.joinpath("dataset.schema.json").read_text(encoding="utf-8"))
CLI = {
    path.name: json.loads(path.read_text(encoding="utf-8"))
    for path in SCHEMAS.joinpath("cli").iterdir()
    if path.name.endswith(".schema.json")
}


def test_the_committed_schema_is_what_the_generator_writes() -> None:
    committed = SCHEMAS.joinpath("dataset.schema.json").read_text(encoding="utf-8")
    assert committed == _schema.render(), "run: python -m titre_mercd._schema"


def test_every_record_class_has_its_definition_with_every_field() -> None:
    for name in _records.__all__:
        cls = getattr(_records, name)
        definition = DATASET["$defs"][name]
        assert set(definition["required"]) >= {f.name for f in attrs.fields(cls)}
        assert definition["additionalProperties"] is False


def test_the_export_follows_the_generated_schema() -> None:
    Draft202012Validator.check_schema(DATASET)
    validator = Draft202012Validator(DATASET, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(dataset_document())] == []


def test_every_record_s_to_dict_follows_its_definition() -> None:
    records: list[Any] = [*titre_mercd.versions(), *titre_mercd.registered_fiches()]
    records += [b for v in titre_mercd.versions() for b in v.blocks]
    records += list(titre_mercd.validity_gaps())
    for record in records:
        schema = {**DATASET, "$ref": f"#/$defs/{type(record).__name__}"}
        del schema["required"], schema["properties"], schema["type"]
        del schema["additionalProperties"]
        errors = list(Draft202012Validator(schema).iter_errors(titre_mercd.to_dict(record)))
        assert errors == [], record


@pytest.mark.parametrize("name", sorted(CLI))
def test_a_command_schema_copies_no_definition_of_the_data_set(name: str) -> None:
    copied = set(CLI[name].get("$defs", {})) & set(DATASET["$defs"])
    assert not copied, f"{name} copies {sorted(copied)}: $ref ../dataset.schema.json instead"


def test_a_data_set_definition_a_command_refers_to_exists() -> None:
    prefix = "../dataset.schema.json#/$defs/"
    for name, schema in CLI.items():
        for ref in _refs(schema):
            if ref.startswith(prefix):
                node: Any = DATASET["$defs"]
                for part in ref[len(prefix) :].split("/"):
                    assert part in node, (name, ref)
                    node = node[part]


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []
