"""Every ``--json`` output of the command line validates against its shipped JSON Schema.

``titre_mercd/schemas/cli/C.schema.json`` describes what ``titre-mercd C … --json`` prints
(``summary``: with no command; ``version``: ``--version --json``); ``error.schema.json`` the
one line on standard error for an error (exit status 2), and ``verdict.schema.json`` what a
lookup prints on standard output for « not found » or « undecided » (exit status 1) when the
command has no report of its own. Each case below runs the
real program (success, negative verdict and error) and checks both streams against the
schemas; every schema file in the folder, whoever wrote it, must be exercised by a case.
"""

from __future__ import annotations

import json
import shutil
import sys
from importlib.resources import files
from typing import TYPE_CHECKING, Any, NamedTuple

import jsonschema
import pytest
from referencing import Registry, Resource

from registry_exports import SAMPLE, lineage_fiches, write_export
from test_cli import run
from titre_mercd._cli._app import _COMMANDS

if TYPE_CHECKING:
    from pathlib import Path

LAUNCHER = [sys.executable, "-m", "titre_mercd"]
SCHEMAS = files("titre_mercd").joinpath("schemas")
CLI_SCHEMAS = {
    path.name.removesuffix(".schema.json"): json.loads(path.read_text(encoding="utf-8"))
    for path in SCHEMAS.joinpath("cli").iterdir()
    if path.name.endswith(".schema.json")
}
REGISTRY: Registry[Any] = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema))
    for schema in [
        json.loads(SCHEMAS.joinpath("dataset.schema.json").read_text(encoding="utf-8")),
        *CLI_SCHEMAS.values(),
    ]
)


class Case(NamedTuple):
    """A command line, its exit status, and the schemas its standard output may follow."""

    argv: tuple[str, ...]
    status: int
    stdout: tuple[str, ...]  # schema names; () for nothing on standard output

    @property
    def id(self) -> str:
        return " ".join(self.argv)


CSV = "candidate,ccps\nA,2011-06-01/2|2011-06-01/3\nB,manager une equipe de conseillers clientele a distance\n"
CSV_UNMATCHED = "candidate,ccps\nA,2011-06-01/2\nB,no such bloc\n"


def write_workbook(path: Path, table: str) -> None:
    """The rows of the CSV text ``table`` as the first sheet of a workbook at ``path``."""
    import openpyxl

    book = openpyxl.Workbook()
    for row in table.splitlines():
        book.active.append(row.split(","))
    book.save(path)


def broken_data(tmp_path: Path) -> Path:
    """A copy of the shipped data whose 2018 title and summary are not what their sources quote."""
    from titre_mercd._manifest import write_manifest

    root = tmp_path / "broken"
    if not root.exists():
        shutil.copytree(str(files("titre_mercd").joinpath("data")), root)
        name = root / "versions/2018-12-11.json"
        payload = json.loads(name.read_text(encoding="utf-8"))
        payload["version"]["title"] = "manager (a title no text gives)"
        payload["version"]["summary"] += "\nA paragraph no text gives."
        name.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        write_manifest(root, "broken")
    return root


def case(line: str, status: int = 0, *stdout: str) -> Case:
    return Case(tuple(line.split()), status, stdout)


CASES = [
    case("--version --json", 0, "version"),
    case("--json --version", 0, "version"),
    case("--json", 0, "summary"),
    case("show --json", 0, "show"),
    case("show 2011-06-01 --json", 0, "show"),
    case("--json show 2007-04-27", 0, "show"),
    case("show 2030-01-01 --json", 1, "verdict", "show"),
    case("show 2018 --json", 2),
    case("versions --json", 0, "versions"),
    case("on 2020-01-01 --json", 0, "on"),
    case("on 2012-01-01 --json", 1, "on", "verdict"),
    case("on 1990-01-01 --json", 1, "verdict", "on"),
    case("on 2030-01-01 --json", 1, "verdict", "on"),
    case("on yesterday --json", 2),
    case("rncp 12505 --json", 0, "rncp"),
    case("rncp RNCP12505 --json", 0, "rncp"),
    case("rncp 99999 --json", 1, "verdict", "rncp"),
    case("rncp RNCP38665 --json", 1, "verdict", "rncp"),
    case("rncp RNCP32xxx --json", 2),
    case("rome D1408 --json", 0, "rome"),
    case("rome m1704 --json", 0, "rome"),
    case("rome D9999 --json", 1, "verdict", "rome"),
    case("rome D14 --json", 2),
    case("nsf 312t --json", 0, "nsf"),
    case("nsf 312 --json", 0, "nsf"),
    case("nsf 312w --json", 0, "nsf"),
    case("nsf 999 --json", 1, "verdict", "nsf"),
    case("nsf 3121 --json", 2),
    case("formacode 34076 --json", 1, "formacode"),
    case("formacode 34027 --json", 1, "formacode"),
    case("formacode 3407 --json", 2),
    case("convert --from 2011-06-01 --to 2018-12-11 2011-06-01/2 2011-06-01/1 --json", 0, "convert"),
    case("convert --from 2018-12-11 --to 2018-12-11 2018-12-11/2 --json", 0, "convert"),
    case("convert --from 2007-04-27 --to 2018-12-11 2007-04-27/1 --json", 0, "convert"),
    case("convert --from 2011-06-01 --to 2018-12-11 nothing-like-a-bloc --json", 1, "verdict"),
    case("convert --from 2018-12-11 --to 2011-06-01 2018-12-11/1 --json", 2),
    case("convert --from 2011-06-01 --to 2018-12-11 --csv {dir}/in.csv --column ccps "
         "-o {dir}/out.csv --json", 0, "convert"),
    case("convert --from 2011-06-01 --to 2018-12-11 --csv {dir}/bad.csv --column ccps "
         "-o {dir}/out.csv --json", 1, "convert"),
    case("convert --from 2011-06-01 --to 2018-12-11 --csv {dir}/in.csv --column ccps --json", 2),
    case("convert --from 2011-06-01 --to 2018-12-11 --input {dir}/in.xlsx --column ccps "
         "-o {dir}/out.xlsx --json", 0, "convert"),
    case("convert --from 2011-06-01 --to 2018-12-11 --input {dir}/bad.xlsx --column ccps "
         "-o {dir}/out.xlsx --json", 1, "convert"),
    case("export --format json -o {dir}/data.json --json", 0, "export"),
    case("export --format xlsx -o {dir}/tables.xlsx --json", 0, "export"),
    case("export --format csv -o {dir}/tables --json", 0, "export"),
    case("export --format dot -o {dir}/graph.dot --json", 0, "export"),
    case("export --format json --json", 2),
    case("export --format json -o {dir} --json", 2),
    case("registry check {sample} --json", 0, "registry-check", "registry"),
    case("registry check {lineage} --json", 1, "registry-check", "registry"),
    case("registry import {sample} --export-date 2026-08-16 -o {dir}/data --json", 1,
         "registry-no-lineage", "registry"),
    case("registry import {lineage} -o {dir}/data --json", 0, "registry-import", "registry"),
    case("registry update --export {lineage} --json", 0, "registry-update", "registry"),
    case("registry update --export {sample} --export-date 2026-08-16 --json", 1,
         "registry-no-lineage", "registry"),
    case("registry update --offline --json", 2),
    case("registry import {sample} -o {dir}/data --json", 2),
    case("registry check {dir}/in.csv --json", 2),
    case("data verify --json", 0, "data"),
    case("data verify shipped --json", 0, "data"),
    case("data verify {broken} --json", 1, "data"),
    case("data verify {dir}/no-such-directory --json", 2),
    case("--json no-such-command", 2),
    case("rome --json", 2),
]  # fmt: skip


def validate(data: Any, name: str) -> None:
    schema = CLI_SCHEMAS[name]
    jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate(data)


@pytest.mark.parametrize("schema", sorted(CLI_SCHEMAS))
def test_each_schema_is_a_valid_2020_12_schema(schema: str) -> None:
    jsonschema.Draft202012Validator.check_schema(CLI_SCHEMAS[schema])
    assert CLI_SCHEMAS[schema]["$id"].endswith(f"/schemas/cli/{schema}.schema.json")
    assert CLI_SCHEMAS[schema]["description"]


def test_every_schema_in_the_folder_is_exercised() -> None:
    exercised = {"error"} | {name for c in CASES for name in c.stdout}
    assert set(CLI_SCHEMAS) <= exercised, sorted(set(CLI_SCHEMAS) - exercised)


@pytest.mark.parametrize("command", ["summary", "version", *(row[0] for row in _COMMANDS)])
def test_every_command_with_json_output_has_a_schema(command: str) -> None:
    assert command in CLI_SCHEMAS
    assert any(command in c.stdout for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_json_output_follows_its_schema(case: Case, tmp_path: Path) -> None:
    assert set(case.stdout) <= set(CLI_SCHEMAS), f"no schema for {case.id}"
    (tmp_path / "in.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(CSV_UNMATCHED, encoding="utf-8")
    write_workbook(tmp_path / "in.xlsx", CSV)
    write_workbook(tmp_path / "bad.xlsx", CSV_UNMATCHED)
    lineage = write_export(tmp_path / "export_fiches_RNCP_V4_1_2026-12-01.xml", lineage_fiches())
    argv = [
        word.replace("{dir}", str(tmp_path))
        .replace("{sample}", str(SAMPLE))
        .replace("{lineage}", str(lineage))
        .replace("{broken}", str(broken_data(tmp_path)))
        for word in case.argv
    ]
    result = run(LAUNCHER, *argv, cwd=tmp_path)
    assert result.returncode == case.status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    if case.status in (0, 1):  # a negative verdict is JSON on standard output, and no more
        assert result.stderr == ""
    else:
        assert result.stderr.count("\n") == 1, result.stderr
        error = json.loads(result.stderr)
        validate(error, "error")
        assert error["status"] == case.status
    if not case.stdout:
        assert result.stdout == ""
        return
    output = json.loads(result.stdout)
    problems = []
    for name in case.stdout:
        validator = jsonschema.Draft202012Validator(CLI_SCHEMAS[name], registry=REGISTRY)
        errors = [f"{e.message} at {e.json_path}" for e in validator.iter_errors(output)]
        if not errors:
            return
        problems.append(f"{name}: {errors[0]}")
    pytest.fail(f"{case.id}: the output follows none of {case.stdout}: {problems}")


def test_an_undecided_answer_is_an_undecided_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    """« The sources do not decide » is a verdict too: exit status 1, JSON on standard output."""
    from titre_mercd import UndecidedError
    from titre_mercd._cli import _app

    message = "whether a version is in force on 2018-01-01 is undecided: no text covers it"
    status = _app._fail(*_app._explain(UndecidedError(message)), ["on", "2018-01-01", "--json"])
    out, err = capsys.readouterr()
    assert (status, err) == (1, "")
    verdict = json.loads(out)
    validate(verdict, "verdict")
    assert verdict == {
        "command": "on",
        "verdict": "undecided",
        "kind": "UndecidedError",
        "message": message,
        "status": 1,
    }


def test_without_json_an_error_is_one_plain_line(capsys: pytest.CaptureFixture[str]) -> None:
    from titre_mercd._cli import _app

    assert _app._fail(2, "bad\ninput", "InputError", ["rome", "--", "--json"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "titre-mercd: bad input\n")
