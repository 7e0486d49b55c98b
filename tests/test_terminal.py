"""Terminal controls in what the command line shows: made visible, never acted on.

Text from data is untrusted: an imported RNCP export, or a data directory someone handed over.
Human output and error messages show the C0 controls (but newline and tab), the C1 controls
and the bidi controls as visible escapes (``\\x1b``, ``\\x9b``, ``\\u202e``); ``--json``
output escapes them in JSON (``\\u001b``, ``\\u009b``, ``\\u202e``), the same value. The data
keeps them as the source gives them. The export and the data directory are made up here.
"""

from __future__ import annotations

import json
import re
import shutil
from typing import TYPE_CHECKING

import pytest

import titre_mercd
from registry_exports import SUCCESSOR, lineage_fiches, write_export
from test_cli import LAUNCHERS, run
from titre_mercd._manifest import write_manifest

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = LAUNCHERS["python -m titre_mercd"]
NEW_KEY = "2024-02-23"  # the successor's key in the made-up export (see test_registry)
# What a terminal would act on: C0 but tab and newline, DEL, C1, bidi embeddings and isolates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The successor's third bloc, and its title, carry a CSI (U+009B) and a right-to-left override.
BLOC = "Accompagner le changement en relation client (inventé)"
HOSTILE_BLOC = "Accompagner le changement\x9b2J en relation client \u202e(inventé)"
HOSTILE_TITLE = "Manager d'équipe relation client à distance \u202edetnevni"


def shows_no_control(text: str) -> str:
    """``text`` (a run's output), checked to hold no control a terminal would act on."""
    assert RAW_CONTROL.search(text) is None, [m.group() for m in RAW_CONTROL.finditer(text)]
    return text


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fiches = lineage_fiches()
    successor = fiches[-1]
    assert BLOC in successor
    successor = successor.replace(BLOC, HOSTILE_BLOC.replace("\x9b", "&#x9b;"), 1)
    successor = successor.replace(
        "<INTITULE>Manager d'équipe relation client à distance</INTITULE>",
        f"<INTITULE>{HOSTILE_TITLE}</INTITULE>",
    )
    assert HOSTILE_TITLE in successor
    folder = tmp_path_factory.mktemp("exports")
    return write_export(
        folder / "export_fiches_RNCP_V4_1_2026-12-01.xml", [*fiches[:-1], successor]
    )


@pytest.fixture(scope="module")
def imported(export: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("imports") / "data"
    result = run(PROGRAM, "registry", "import", str(export), "-o", str(target))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    shows_no_control(result.stdout)
    return target


def test_the_data_keeps_c1_and_bidi_controls_as_the_registry_gives_them(imported: Path) -> None:
    successor = titre_mercd.Referentiel(imported).version(NEW_KEY)
    assert successor.title == HOSTILE_TITLE
    assert successor.blocks[2].title == HOSTILE_BLOC


@pytest.mark.parametrize(
    "args",
    [
        ["show", NEW_KEY],
        ["versions"],
        ["convert", "--from", "2018-12-11", "--to", NEW_KEY, "2018-12-11/1"],
        ["rncp", SUCCESSOR],
        [],
    ],
)
def test_human_output_shows_the_controls_as_escapes(imported: Path, args: list[str]) -> None:
    result = run(PROGRAM, "--data", str(imported), *args)
    assert result.returncode in (0, 1), result.stderr
    shown = shows_no_control(result.stdout + result.stderr)
    assert "\\u202e" in shown
    if args[:1] in (["show"], ["convert"]):
        assert "\\x9b2J" in shown


@pytest.mark.parametrize("args", [["show", NEW_KEY], ["versions"], ["rncp", SUCCESSOR]])
def test_json_output_escapes_them_and_keeps_the_value(imported: Path, args: list[str]) -> None:
    result = run(PROGRAM, "--data", str(imported), "--json", *args)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    shows_no_control(result.stdout)
    assert HOSTILE_TITLE in json.dumps(json.loads(result.stdout), ensure_ascii=False)


@pytest.mark.parametrize("form", ["json", "jsonld"])
def test_the_json_exports_escape_them_and_keep_the_value(imported: Path, form: str) -> None:
    result = run(PROGRAM, "--data", str(imported), "export", "--format", form)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    shows_no_control(result.stdout)
    assert "\\u202e" in result.stdout
    assert HOSTILE_TITLE in json.dumps(json.loads(result.stdout), ensure_ascii=False)


def test_the_registry_check_report_shows_them_as_escapes(export: Path) -> None:
    result = run(PROGRAM, "registry", "check", str(export))
    assert result.returncode == 1, result.stderr
    assert "\\u202edetnevni" in shows_no_control(result.stdout)
    result = run(PROGRAM, "registry", "check", str(export), "--json")
    report = json.loads(shows_no_control(result.stdout))
    assert HOSTILE_TITLE in [m["title"] for m in report["missing"]]


def test_a_data_directory_with_escape_sequences_never_reaches_the_terminal(
    imported: Path, tmp_path: Path
) -> None:
    """ESC and OSC sequences (title, clear screen, a fake verdict) in a data directory's text.

    They cannot come from well-formed XML: a data directory edited by hand. Whether the loader
    shows them or refuses the directory, nothing a terminal acts on is printed.
    """
    hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[1AAll blocs held: yes\r"
    copy = tmp_path / "data"
    shutil.copytree(imported, copy)
    for path in copy.rglob("*"):
        if path.suffix in (".json", ".txt") and path.name != "MANIFEST.json":
            text = path.read_text(encoding="utf-8")
            if "Accompagner" not in text:
                continue
            if path.suffix == ".json":
                text = json.dumps(_replaced(json.loads(text), hostile), ensure_ascii=False)
            else:
                text = text.replace("\u202e(inventé)", f"\u202e(inventé){hostile}")
            # Python 3.9's write_text takes no newline argument.
            with path.open("w", encoding="utf-8", newline="") as file:
                file.write(text)
    manifest = json.loads((copy / "MANIFEST.json").read_text(encoding="utf-8"))
    write_manifest(copy, manifest["data_version"] + ".hostile")
    for args in (["show", NEW_KEY], ["convert", "--from", "2018-12-11", "--to", NEW_KEY, "x"]):
        result = run(PROGRAM, "--data", str(copy), *args)
        assert "Traceback" not in result.stderr
        shown = shows_no_control(result.stdout + result.stderr)
        if result.returncode == 0:
            assert "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[1AAll" in shown


def _replaced(value: object, hostile: str) -> object:
    if isinstance(value, str):
        return value.replace("\u202e(inventé)", f"\u202e(inventé){hostile}")
    if isinstance(value, list):
        return [_replaced(v, hostile) for v in value]
    if isinstance(value, dict):
        return {k: _replaced(v, hostile) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    "args",
    [
        ["show", "2018\x1b]0;pwned\x07"],
        ["convert", "--from", "2011-06-01", "--to", "2018-12-11", "x\x1b[2J\u202ey\x9b"],
        ["\x1b[2Jshow"],
        ["rome", "\x9b2J"],
        ["on", "\u2066today"],
    ],
)
@pytest.mark.parametrize("json_output", [False, True])
def test_error_messages_show_the_controls_as_escapes(args: list[str], json_output: bool) -> None:
    result = run(PROGRAM, *(["--json"] if json_output else []), *args)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    shows_no_control(result.stdout + result.stderr)
