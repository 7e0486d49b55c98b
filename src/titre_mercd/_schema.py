"""Maintainers' tool: write ``schemas/dataset.schema.json`` from the records.

Run after changing a record or the JSON export's envelope::

    python -m titre_mercd._schema

Each record class becomes one definition under ``$defs``, its properties read from its attrs
fields and what they declare (:mod:`._fields`): the label as ``title``, the JSON Schema
keywords a field declares (a code's pattern, a level's bounds), the fields that can be unknown
as the values ``unknown_fields`` may hold. The command line's schemas (``schemas/cli/``)
``$ref`` these definitions. ``tests/test_schemas.py`` fails when the committed file differs
from what this writes.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import typing
from pathlib import Path
from typing import Any

import attrs

from . import _records
from ._fields import fields_of

__all__ = ["SCHEMA_ID", "dataset_schema", "render", "write"]

SCHEMA_ID = "https://github.com/titre-mercd/titre-mercd/schemas/dataset.schema.json"
PATH = Path(__file__).parent / "schemas" / "dataset.schema.json"

_NULL = {"type": "null"}

# What a version summary holds: the fields that name a version and say what it is made of.
VERSION_SUMMARY_FIELDS = ("key", "title", "legal_text", "validity", "blocks")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _object(properties: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """An object that has every one of ``properties``, and no other."""
    described = {} if description is None else {"description": description}
    return {
        **described,
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def _value_schema(type_: Any, declared: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911
    """The JSON Schema of a value of ``type_`` (the keywords a field declares added)."""
    origin = typing.get_origin(type_)
    args = [a for a in typing.get_args(type_) if a is not type(None)]
    if origin is typing.Union:
        return {"oneOf": [_value_schema(args[0], declared), _NULL]}
    if origin is tuple:
        if args[0] is str and not declared:
            return _ref("texts")
        return {"type": "array", "items": _value_schema(args[0], declared)}
    if attrs.has(type_):
        return _ref(type_.__name__)
    if type_ is dt.date:
        return _ref("date")
    if type_ is int:
        return {"type": "integer", **declared}
    if "$ref" in declared or "enum" in declared:
        return dict(declared)
    return {"type": "string", **declared} if declared else _ref("text")


def record_schema(cls: type) -> dict[str, Any]:
    """One record class as a JSON Schema object, as :func:`titre_mercd.to_dict` writes it."""
    attrs.resolve_types(cls)
    types = attrs.fields_dict(cls)
    properties: dict[str, Any] = {}
    for name, declared in fields_of(cls):
        if name == "unknown_fields":
            unknowable = [n for n, d in fields_of(cls) if d.unknowable]
            value: dict[str, Any] = {
                "type": "array",
                "uniqueItems": True,
                "items": {"enum": unknowable},
                "description": "The fields whose value no shipped source gives, sorted.",
            }
        else:
            value = _value_schema(types[name].type, dict(declared.schema))
        properties[name] = {"title": declared.label, **value}
        for derived, after, label in getattr(cls, "_derived", ()):
            if after == name:
                properties[derived] = {"title": label, **_value_schema(types[name].type, {})}
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return _object(properties, " ".join(doc.split()))


def _version_summary() -> dict[str, Any]:
    version = record_schema(_records.CertificationVersion)
    properties = {name: version["properties"][name] for name in VERSION_SUMMARY_FIELDS}
    properties["in_force"] = {
        "description": "Whether the version is in force on the day asked; null: not known.",
        "oneOf": [{"type": "boolean"}, _NULL],
    }
    properties["reason"] = {"description": "Why, in a sentence.", **_ref("text")}
    return _object(
        properties,
        "A version named with what it is made of, and whether it is in force on the day the "
        "command answers for (versions --json, on --json).",
    )


def _array(items: str, description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": _ref(items)}
    return schema if description is None else {"description": description, **schema}


def _envelope() -> dict[str, Any]:
    """The JSON export's own keys: what ``titre-mercd export --format json`` writes."""
    text = _ref("text")
    quoted = _object({"block": text, "title": text, "source": _ref("Source")})
    contradiction = _object(
        {
            "record": {"const": "version"},
            "key": _ref("versionKey"),
            "field": text,
            "reads": text,
            "source": _ref("Source"),
        }
    )
    return {
        "data_version": {
            "description": "titre_mercd.DATA_VERSION: identifies the data that produced this "
            "export.",
            "type": "string",
            "minLength": 1,
        },
        "titre_mercd_version": {
            "description": "The version of the titre-mercd distribution that wrote this export.",
            "type": "string",
            "minLength": 1,
        },
        "versions": _array("CertificationVersion", "Every known version, oldest first."),
        "correspondence_tables": _array(
            "CorrespondenceTable",
            "The tables the law gives between two versions, rows in the law's order.",
        ),
        "rome_codes": _array("RomeCode"),
        "nsf_codes": _array("NsfCode"),
        "levels": _array(
            "Level", "The level table: 1969 nomenclature, 2019 national framework, EQF."
        ),
        "gaps": _array(
            "ValidityGap",
            "Intervals of the lineage no text found covers: whether a version is in force on "
            "those days is not known.",
        ),
        "registered": _array(
            "RegisteredFiche",
            "Fiches RNCP the data records as registered but holds no version of (what a "
            "source gives of them).",
        ),
        "sources": _array(
            "FactSource",
            "Where each fact comes from: record kind, its key, the field, and the source.",
        ),
        "other_wordings": {
            "description": "Other wordings of a block in the texts (find_block accepts them), "
            "each with its source.",
            "type": "array",
            "items": quoted,
        },
        "contradictions": {
            "description": "Facts the texts contradict: the field, what the other text reads, "
            "and its source (the reading followed is the field's entry in sources).",
            "type": "array",
            "items": contradiction,
        },
    }


def _fact_source() -> dict[str, Any]:
    return _object(
        {
            "record": {"enum": ["version", "block", "rome", "nsf", "levels", "registered"]},
            "key": {
                "description": "The version key, the block's KEY/N, the code, the RNCP number "
                "of a registered fiche; null for the level table.",
                "oneOf": [_ref("text"), _NULL],
            },
            "field": _ref("text"),
            "source": _ref("Source"),
        }
    )


def dataset_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON export, and of every record, as plain data."""
    definitions: dict[str, Any] = {
        "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"},
        "versionKey": {
            "description": "The ISO date of the arrêté that made the version.",
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        },
        "text": {"type": "string", "minLength": 1},
        "texts": {"type": "array", "items": _ref("text")},
    }
    for name in _records.__all__:
        definitions[name] = record_schema(getattr(_records, name))
    definitions["VersionSummary"] = _version_summary()
    definitions["FactSource"] = _fact_source()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "titre_mercd data set",
        **_object(
            _envelope(),
            "The output of `titre-mercd export --format json`: every version of the titre "
            "professionnel « manager d'équipe relation client à distance » and its lineage, the "
            "correspondence tables, the nomenclatures and the source of every fact. Records "
            "have the fields of the titre_mercd attrs classes of the same name; each definition "
            "under $defs is written from its class by `python -m titre_mercd._schema`. A "
            "version's null or empty field is a fact no source gives when its unknown_fields "
            "names it, and one the text says is empty otherwise.",
        ),
        "$defs": definitions,
    }


def render() -> str:
    """The schema as the committed file holds it: indented JSON, non-ASCII text as it is."""
    return json.dumps(dataset_schema(), ensure_ascii=False, indent=2) + "\n"


def write(path: Path = PATH) -> None:
    """Write the schema to ``path`` (the package's ``schemas/dataset.schema.json``)."""
    path.write_text(render(), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - the maintainers' command
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else PATH)
