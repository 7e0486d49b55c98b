"""The ``--json`` answers about validity follow their JSON Schema: one shape for a window.

``src/titre_mercd/schemas/cli/C.schema.json`` describes the ``--json`` output of command C;
a validity window is everywhere ``{"start", "end" (excluded), "last_day", …}`` and a verdict
``in_force`` is ``true``, ``false`` or ``null`` (not known).
"""

from __future__ import annotations

import json
import sys
from importlib.resources import files
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from test_cli import run
from titre_mercd import registered_fiche, to_dict

PYTHON = [sys.executable, "-m", "titre_mercd"]
CASES = [
    ("summary", [], 0),
    ("show", ["show", "2018-12-11"], 0),
    ("show", ["show", "2007-04-27"], 0),
    ("versions", ["versions"], 0),
    ("on", ["on", "2020-01-01"], 0),
    ("on", ["on", "2010-01-01"], 1),
    ("on", ["on", "2018-06-01"], 1),
    ("on", ["on", "2025-01-01"], 1),
    ("on", ["on", "1900-01-01"], 1),
    ("rncp", ["rncp", "12505"], 0),
    ("rncp", ["rncp", "38665"], 1),
]


def schema(command: str) -> dict[str, Any]:
    text = files("titre_mercd").joinpath(f"schemas/cli/{command}.schema.json").read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(found)
    return found


DATASET = json.loads(
    files("titre_mercd").joinpath("schemas/dataset.schema.json").read_text("utf-8")
)
# The command line's schemas $ref the data set's definitions: one shape for each concept.
REGISTRY: Registry[Any] = Registry().with_resource(DATASET["$id"], Resource.from_contents(DATASET))


def windows(data: object) -> list[dict[str, Any]]:
    """Every validity window in ``data``: an object with start, end and last_day."""
    if isinstance(data, list):
        return [w for item in data for w in windows(item)]
    if not isinstance(data, dict):
        return []
    own = [data] if {"start", "end", "last_day"} <= data.keys() else []
    return own + [w for value in data.values() for w in windows(value)]


@pytest.mark.parametrize(
    ("command", "argv", "status"),
    CASES,
    ids=lambda x: " ".join(x) if isinstance(x, list) else str(x),
)
def test_the_json_answer_follows_its_schema(command: str, argv: list[str], status: int) -> None:
    result = run(PYTHON, *argv, "--json")
    assert (result.returncode, result.stderr) == (status, "")
    data = json.loads(result.stdout)
    validator = Draft202012Validator(
        schema(command), registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    problems = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    assert not problems
    for window in windows(data):
        assert set(window) == {"start", "end", "last_day", "registered_until"}


def test_every_schema_takes_the_one_window_whose_end_is_excluded() -> None:
    end = DATASET["$defs"]["ValidityWindow"]["properties"]["end"]
    assert "excluded" in end["title"]
    for command in ("summary", "show", "versions", "on", "rncp"):
        text = json.dumps(schema(command))
        assert "ValidityWindow" not in schema(command).get("$defs", {})
        assert "../dataset.schema.json#/$defs/" in text


@pytest.mark.parametrize(("day", "successor"), [("2025-01-01", "RNCP38665"), ("2018-06-01", None)])
def test_a_day_after_the_last_window_names_the_registered_successor(
    day: str, successor: str | None
) -> None:
    result = run(PYTHON, "on", day, "--json")
    answer = json.loads(result.stdout)
    assert answer["in_force"] is None
    fiche = answer["registered_successor"]
    assert (fiche and fiche["rncp"]) == successor
    if fiche:  # the one form of a registered fiche, as everywhere
        assert fiche == to_dict(registered_fiche(fiche["rncp"]))
