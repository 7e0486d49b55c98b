"""``registry check`` and ``registry import``, through the command line and in Python.

The exports of this title's lineage are built by ``registry_exports`` (content made up, marked
as such, never shipped); the unrelated fiches around them are the real ones of the sample.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

import titre_mercd
from registry_exports import FICHE_2018, SAMPLE, SUCCESSOR, lineage_fiches, write_export
from test_cli import LAUNCHERS, error, run
from test_cli_schemas import validate as validate_with_references
from titre_mercd import _loading, _referentiel

SCHEMAS = Path(titre_mercd.__file__).parent / "schemas" / "cli"
PROGRAM = LAUNCHERS["python -m titre_mercd"]
NEW_KEY = "2024-02-23"  # « … modifiant l'arrêté du 23 février 2024 relatif au titre … »


def validate(payload: object, command: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / f"{command}.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(payload, schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    return {
        # the 2018 fiche and RNCP12505 write a ROME label differently from the shipped one
        "differs": write_export(
            folder / "export_fiches_RNCP_V4_1_2026-12-01.xml",
            lineage_fiches(rome_label_m1401="Conduite d'enquêtes et sondages"),
        ),
        "agrees": write_export(folder / "agreeing_2026-12-01.xml", lineage_fiches()),
        "no successor": write_export(
            folder / "old_2026-12-01.xml", lineage_fiches(successor=False)
        ),
    }


@pytest.fixture(scope="module")
def imported(exports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("imports") / "data"
    result = run(PROGRAM, "registry", "import", str(exports["differs"]), "-o", str(target))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return target


def check_json(path: Path, env: dict[str, str] | None = None) -> tuple[int, Any]:
    result = run(PROGRAM, "registry", "check", str(path), "--json", env=env)
    assert result.stderr == ""
    payload = json.loads(result.stdout)
    validate(payload, "registry-check")
    return result.returncode, payload


# ---------------------------------------------------------------- check


def test_check_the_sample_holds_no_fiche_of_the_lineage() -> None:
    status, report = check_json(SAMPLE)
    # An export holding no fiche of the lineage has nothing that disagrees: exit status 0.
    assert (status, report["agrees"], report["fiches_read"]) == (0, True, 12)
    assert report["lineage"] == []
    assert report["missing"] == []
    by_key = {v["key"]: v for v in report["versions"]}
    # the data names the 2011 version's fiche: absent from this export, which is no difference
    assert by_key["2011-06-01"]["fields"] == []
    assert by_key["2011-06-01"]["agrees"] is True
    assert by_key["2011-06-01"]["note"] == "its fiche RNCP12505 is not in this export"
    assert by_key["2018-12-11"]["fiche"] is None
    assert "DATE_EFFET 2019-05-12" in by_key["2018-12-11"]["note"]


def test_check_reports_differences_and_the_missing_successor(exports: dict[str, Path]) -> None:
    status, report = check_json(exports["differs"])
    assert status == 1
    assert report["fiches_read"] == 15
    assert report["lineage"] == ["RNCP12505", FICHE_2018, SUCCESSOR]
    by_key = {v["key"]: v for v in report["versions"]}
    # the inactive 2018 fiche is matched by title and DATE_EFFET = the window's start
    assert by_key["2018-12-11"]["fiche"] == FICHE_2018
    differences = {f["field"]: f for f in by_key["2018-12-11"]["fields"] if not f["agrees"]}
    assert set(differences) == {"rncp", "rome M1401 label", "bloc 1 code", "bloc 2 code"}
    assert differences["rome M1401 label"]["data"] == "Conduite d'enquêtes"
    assert differences["bloc 2 code"] == {
        "field": "bloc 2 code",
        "data": None,
        "registry": f"{FICHE_2018}BC02",
        "agrees": False,
    }
    agreeing = {f["field"] for f in by_key["2018-12-11"]["fields"] if f["agrees"]}
    assert {"title", "level", "nsf", "rome", "blocs", "bloc 1 title", "start", "end"} <= agreeing
    assert [m["number"] for m in report["missing"]] == [SUCCESSOR]
    assert report["missing"][0]["effective_on"] == "2024-05-12"
    assert report["missing"][0]["registered_until"] == "2029-05-12"


@pytest.mark.parametrize(
    "args",
    [
        ["registry", "check", "--json"],
        ["registry", "--json", "check"],
        ["--json", "registry", "check"],
    ],
)
def test_json_may_come_anywhere(args: list[str]) -> None:
    result = run(PROGRAM, *args, str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fiches_read"] == 12


def test_check_human_report_fits_80_columns(exports: dict[str, Path]) -> None:
    result = run(PROGRAM, "registry", "check", str(exports["differs"]))
    assert (result.returncode, result.stderr) == (1, "")
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "≠ rome M1401 label" in result.stdout
    assert f"{SUCCESSOR}  Manager d'équipe relation client à distance" in result.stdout
    assert result.stdout.rstrip().endswith("Differences found (exit status 1).")


def test_check_in_python_returns_a_frozen_report(exports: dict[str, Path]) -> None:
    report = titre_mercd.registry_check(exports["differs"])
    assert not report.agrees
    assert [m.number for m in report.missing] == [SUCCESSOR]
    with pytest.raises(AttributeError):
        report.missing = ()  # type: ignore[misc]


# ---------------------------------------------------------------- import, then use


def test_import_writes_a_data_directory_the_loader_accepts(
    imported: Path, exports: dict[str, Path]
) -> None:
    manifest = json.loads((imported / "MANIFEST.json").read_text(encoding="utf-8"))
    base = titre_mercd.DATA_VERSION
    assert manifest["data_version"] == f"{base}+rncp.2026-12-01"
    assert manifest["import"] == {
        "export": exports["differs"].name,
        "export_date": "2026-12-01",
        "base_data_version": base,
    }
    assert sorted(p.name for p in (imported / "versions").iterdir()) == [
        "2007-04-27.json",
        "2011-06-01.json",
        "2018-12-11.json",
        f"{NEW_KEY}.json",
    ]
    beside = sorted(p.name for p in imported.parent.iterdir())
    assert beside == [".data.versions", "data"], beside  # the name, and the copy it leads to
    copy = imported.readlink()
    assert copy.parent == Path(".data.versions")
    assert sorted(p.name for p in (imported.parent / copy.parent).iterdir()) == [copy.name, "lock"]


def test_the_imported_version_answers_the_whole_api(imported: Path) -> None:
    with _referentiel._use_data_directory(_loading._Directory(str(imported))):
        assert titre_mercd.DATA_VERSION.endswith("+rncp.2026-12-01")
        new = titre_mercd.current(dt.date(2026, 12, 1))
        assert new is not None
        assert new.key == NEW_KEY
        assert new.title == "Manager d'équipe relation client à distance"
        assert new.rncp == SUCCESSOR
        assert titre_mercd.by_rncp("38665") is new
        assert (new.validity.start, new.validity.end) == (
            dt.date(2024, 5, 12),
            dt.date(2029, 5, 12),
        )  # type: ignore[union-attr]
        assert new.level == titre_mercd.version("2018-12-11").level
        assert [c.code for c in new.rome_codes] == ["D1408", "M1704", "E1999"]
        assert titre_mercd.rome("E1999").label == "Métier inventé pour les tests"
        assert [(c.code, c.label) for c in new.formacodes] == [
            ("34026", "Développement sens commercial"),
            ("34027", "Service après-vente"),
            ("34507", "Vente à distance"),
            ("34076", "Gestion relation client"),
        ]  # the export's FORMACODES, the code written as the data writes it
        assert titre_mercd.by_formacode("34 027") == (new,)
        assert "formacodes" not in new.unknown_fields
        assert titre_mercd.source_of(new, "formacodes").location == "FORMACODES"
        assert [b.rncp_code for b in new.blocks] == [f"{SUCCESSOR}BC0{i}" for i in (1, 2, 3)]
        assert new.blocks[0].competences == (
            "Recruter et intégrer des conseillers client",
            "Animer l'équipe au quotidien",
        )
        assert new.legal_text.title == (
            "arrêté du 23 février 2024 relatif au titre professionnel de manager d'équipe "
            "relation client à distance"
        )
        # facts added to the shipped 2018 version
        v2018 = titre_mercd.version("2018-12-11")
        assert v2018.rncp == FICHE_2018
        assert [b.rncp_code for b in v2018.blocks] == [f"{FICHE_2018}BC01", f"{FICHE_2018}BC02"]
        assert titre_mercd.successor("2018-12-11") is new
        assert "rncp" not in v2018.unknown_fields
        # what the fiche does not give is unknown, never « none »
        assert new.unknown_fields >= {"former_titles", "legal_bases", "sectors_text", "summary"}
        assert not new.unknown_fields & {"blocks", "validity", "level", "rome_codes"}
        # the shipped label wins over the registry's
        assert titre_mercd.rome("M1401").label == "Conduite d'enquêtes"
        # chained: 2011 CCPs 2 and 3 → 2018 blocs 2 and 1 → the new blocs 1 and 2
        held = ["2011-06-01/2", "2011-06-01/3"]
        assert sorted(b.number for b in titre_mercd.deemed_obtained(held, NEW_KEY)) == [1, 2]
        assert [b.number for b in titre_mercd.missing_blocks(held, NEW_KEY)] == [3]


def test_source_of_an_imported_fact_is_the_fiche_verbatim(imported: Path) -> None:
    with _referentiel._use_data_directory(_loading._Directory(str(imported))):
        block = titre_mercd.version(NEW_KEY).blocks[1]
        source = titre_mercd.source_of(block, "title")
        assert source.location == "BLOCS_COMPETENCES/BLOC_COMPETENCES[2]/LIBELLE"
        assert source.excerpt == block.title
        assert source.text.kind == "fiche RNCP"
        assert source.text.title.startswith(f"Fiche {SUCCESSOR}")
        assert source.text.consolidated_on == dt.date(2026, 12, 1)
        assert source.excerpt in titre_mercd.text_of(source.text)
        code = titre_mercd.source_of(titre_mercd.version("2018-12-11").blocks[0], "rncp_code")
        assert (code.location, code.excerpt) == (
            "BLOCS_COMPETENCES/BLOC_COMPETENCES[1]/CODE",
            f"{FICHE_2018}BC01",
        )
        row = titre_mercd.correspondences("2018-12-11", NEW_KEY)[0]
        assert (row.old.number, row.new.number) == (1, 2)  # type: ignore[union-attr]
        assert row.source.location == "CORRESPONDANCES/CORRESPONDANCE[3]"
        key = titre_mercd.source_of(titre_mercd.version(NEW_KEY), "key")
        assert key.location == "PUBLICATION_DECRET_CREATION/PUBLICATION_JO[1]/TITRE"


def test_the_imported_directory_agrees_with_its_export(
    imported: Path, exports: dict[str, Path]
) -> None:
    with _referentiel._use_data_directory(_loading._Directory(str(imported))):
        assert titre_mercd.registry_check(exports["agrees"]).agrees
        report = titre_mercd.registry_check(exports["differs"])
        assert not report.missing
        assert {f.field for v in report.versions for f in v.fields if not f.agrees} == {
            "rome M1401 label"
        }


@pytest.mark.skipif(
    not hasattr(titre_mercd, "use_data"), reason="TITRE_MERCD_DATA arrives with use_data"
)
def test_titre_mercd_data_answers_from_the_imported_directory(imported: Path) -> None:
    side = titre_mercd.Referentiel(imported)
    assert side.imported.export_date == dt.date(2026, 12, 1)  # type: ignore[attr-defined]
    assert side.current(dt.date(2026, 12, 1)).key == NEW_KEY  # type: ignore[attr-defined]
    env = {"TITRE_MERCD_DATA": str(imported)}
    summary = run(PROGRAM, env=env)
    assert summary.returncode == 0
    assert f"Version               {NEW_KEY}" in summary.stdout
    converted = run(
        PROGRAM,
        "convert",
        "--from",
        "2011-06-01",
        "--to",
        NEW_KEY,
        "2011-06-01/2",
        "--json",
        env=env,
    )
    assert converted.returncode == 0, converted.stderr


def test_import_json_output(exports: dict[str, Path], tmp_path: Path) -> None:
    result = run(
        PROGRAM, "registry", "import", str(exports["differs"]), "-o", str(tmp_path / "d"), "--json"
    )
    assert (result.returncode, result.stderr) == (0, "")
    payload = json.loads(result.stdout)
    validate(payload, "registry-import")
    assert payload["new_versions"] == [NEW_KEY]
    assert f"2018-12-11: fiche number {FICHE_2018}" in payload["added"]
    assert "correspondence 2018-12-11 → 2024-02-23 (2 rows)" in payload["added"]


def test_import_of_the_sample_needs_its_date(tmp_path: Path) -> None:
    error(
        run(PROGRAM, "registry", "import", str(SAMPLE), "-o", str(tmp_path / "d")),
        2,
        "--export-date",
    )
    assert list(tmp_path.iterdir()) == []
    result = run(
        PROGRAM, "registry", "import", str(SAMPLE), "-o", str(tmp_path / "d"),
        "--export-date", "2026-08-16", "--json",
    )  # fmt: skip
    # The sample holds no fiche of the lineage: nothing is written, and that is a verdict.
    assert (result.returncode, result.stderr) == (1, ""), result.stderr
    report = json.loads(result.stdout)
    validate(report, "registry-no-lineage")
    assert (report["export_date"], report["not_in_export"]) == ("2026-08-16", ["RNCP38665"])
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_replaced_only_with_force_and_if_an_import_wrote_it(
    exports: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "d"
    args = ("registry", "import", str(exports["no successor"]), "-o", str(target))
    assert run(PROGRAM, *args).returncode == 0
    before = (target / "MANIFEST.json").read_bytes()
    error(run(PROGRAM, *args), 2, "--force")
    assert (target / "MANIFEST.json").read_bytes() == before
    replaced = run(
        PROGRAM, "registry", "import", str(exports["differs"]), "-o", str(target), "--force"
    )
    assert replaced.returncode == 0, replaced.stderr
    assert (target / "versions" / f"{NEW_KEY}.json").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    for extra in ((), ("--force",)):
        error(
            run(PROGRAM, "registry", "import", str(exports["differs"]), "-o", str(other), *extra),
            2,
            "not written by",
        )
    assert [p.name for p in other.iterdir()] == ["keep.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    error(
        run(PROGRAM, "registry", "import", str(exports["differs"]), "-o", str(a_file), "--force"), 2
    )
    assert a_file.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".d.versions", "d", "file", "other"]


# ---------------------------------------------------------------- hostile input

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE FICHES [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + "]>\n<FICHES><VERSION_FLUX>4.1</VERSION_FLUX><FICHE><INTITULE>&j;</INTITULE></FICHE></FICHES>\n"
)
HOSTILE_XML = {
    "entity bomb": (BOMB, "DTD"),
    "external entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE FICHES [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<FICHES><FICHE><INTITULE>&x;</INTITULE></FICHE></FICHES>",
        "DTD",
    ),
    "DTD": (
        '<!-- a comment first --><!DOCTYPE FICHES SYSTEM "http://example.invalid/rncp.dtd">'
        "<FICHES/>",
        "DTD",
    ),
    "truncated XML": (SAMPLE.read_text(encoding="utf-8")[:300_000], "line"),
    "HTML page": (
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
        "<body>data.gouv.fr</body></html>",
        "HTML page",
    ),
    "HTML without doctype": ("<html><body>Not found</body></html>", "HTML page"),
    "another XML": ('<?xml version="1.0"?><rss version="2.0"/>', "<rss>"),
    "CSV export": ("\ufeffNumero_Fiche;Intitule\nRNCP37674;Développeur web\n", "CSV"),
    "empty file": ("", "empty"),
    "UTF-16 XML": ("\ufeff<FICHES/>", "UTF-16"),
    "another encoding": ('<?xml version="1.0" encoding="ISO-8859-1"?><FICHES/>', "ISO-8859-1"),
}


def _limited(memory: int) -> Any:
    """A pre-exec function limiting the child's address space (bounded memory)."""

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return limit


def refused(path: Path, tmp_path: Path, *words: str) -> None:
    """``check`` and ``import`` refuse ``path`` quickly, in one line, with bounded memory."""
    import subprocess

    target = tmp_path / "out"
    for args in (
        ("check", str(path)),
        ("import", str(path), "-o", str(target), "--export-date", "2026-08-16"),
    ):
        started = time.monotonic()
        completed = subprocess.run(
            [*PROGRAM, "registry", *args],
            capture_output=True,
            check=False,
            timeout=60,
            preexec_fn=_limited(1024**3) if sys.platform == "linux" else None,
        )
        result = subprocess.CompletedProcess(
            completed.args,
            completed.returncode,
            completed.stdout.decode(),
            completed.stderr.decode(),
        )
        assert time.monotonic() - started < 20
        error(result, 2, *words)
        assert not os.path.lexists(target)
        assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # nothing written


@pytest.mark.parametrize("case", sorted(HOSTILE_XML))
def test_hostile_or_wrong_files_are_refused(case: str, tmp_path: Path) -> None:
    content, word = HOSTILE_XML[case]
    path = tmp_path / "export_fiches_RNCP_V4_1_2026-08-16.xml"
    encoding = "utf-16" if case == "UTF-16 XML" else "utf-8"
    path.write_bytes(
        content.encode(encoding) if case != "UTF-16 XML" else "<FICHES/>".encode("utf-16")
    )
    refused(path, tmp_path, word)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    head = b'<?xml version="1.0"?><FICHES><VERSION_FLUX>4.1</VERSION_FLUX>'
    bomb = _zip(
        tmp_path / "export-fiches-rncp-v4-1-2026-08-16.zip",
        {"export_fiches_RNCP_V4_1_2026-08-16.xml": head + b" " * 300_000_000},
    )
    refused(bomb, tmp_path, "decompression bomb")


@pytest.mark.parametrize(
    ("members", "word"),
    [
        ({"../../export_fiches_RNCP_V4_1_2026-08-16.xml": b"<FICHES/>"}, "not a plain .xml"),
        ({"/etc/export.xml": b"<FICHES/>"}, "not a plain .xml"),
        ({"export.exe": b"MZ"}, "not a plain .xml"),
        ({"a.xml": b"<FICHES/>", "b.xml": b"<FICHES/>"}, "a zip of 2 files"),
    ],
)
def test_zip_members_that_are_not_the_export_are_refused(
    members: dict[str, bytes], word: str, tmp_path: Path
) -> None:
    refused(_zip(tmp_path / "export-2026-08-16.zip", members), tmp_path, word)


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export-2026-08-16.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    refused(path, tmp_path, "damaged zip")


def test_a_fiche_with_every_element_missing_is_read_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "export_fiches_RNCP_V4_1_2026-08-16.xml"
    path.write_text("<FICHES><VERSION_FLUX>4.1</VERSION_FLUX><FICHE/></FICHES>", encoding="utf-8")
    status, report = check_json(path)
    assert (status, report["fiches_read"], report["lineage"]) == (0, 1, [])
    result = run(PROGRAM, "registry", "import", str(path), "-o", str(tmp_path / "d"))
    assert (result.returncode, result.stderr) == (1, "")  # read; none of the lineage
    assert "holds no fiche of this title's lineage" in " ".join(result.stdout.split())


def test_a_missing_export_is_one_line(tmp_path: Path) -> None:
    error(run(PROGRAM, "registry", "check", str(tmp_path / "nowhere.xml")), 2, "cannot be read")
    error(run(PROGRAM, "registry", "check", str(tmp_path)), 2, "directory")


# ---------------------------------------------------------------- the README's examples

README = Path(__file__).parent.parent / "README.md"


@pytest.mark.skipif(not README.exists(), reason="runs in a clone, beside README.md")
def test_readme_keeping_the_data_current(tmp_path: Path) -> None:
    """The section's commands print what it shows (the data version as it is today)."""
    import re
    import shlex
    import shutil
    import subprocess

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("the README's examples are bash command lines")
    section = README.read_text(encoding="utf-8").split("\n## Keeping the data current\n")[1]
    section = section.split("\n## ", 1)[0]
    (tmp_path / "tests" / "data").mkdir(parents=True)
    shutil.copy(SAMPLE, tmp_path / "tests" / "data")
    define = "titre-mercd() { " + " ".join(shlex.quote(p) for p in PROGRAM) + ' "$@"; }'
    base = titre_mercd.DATA_VERSION
    sessions = 0
    for block in re.findall(r"```console\n(.*?)```", section, flags=re.DOTALL):
        command, *shown = block.splitlines()
        assert command.startswith("$ ")
        result = subprocess.run(
            [bash, "-c", f"{define}\n{command[2:]}"],
            cwd=tmp_path,
            capture_output=True,
            check=False,
            timeout=120,
        )
        printed = result.stdout.decode("utf-8").replace(f"Data {base}.", "Data 2026.2.")
        printed = printed.replace(f"version {base}+", "version 2026.2+")
        assert printed == "".join(line + "\n" for line in shown), command
        sessions += 1
    assert sessions == 2
    assert not (tmp_path / "registry-data").exists()  # an export without the lineage


def test_nothing_of_this_is_imported_by_a_plain_use() -> None:
    import subprocess

    code = (
        "import sys, datetime, titre_mercd\n"
        "titre_mercd.by_rome('D1408'); titre_mercd.current(datetime.date(2020, 1, 1))\n"
        "from titre_mercd._cli import _app\n"
        "_app.run(['rome', 'D1408', '--json'])\n"
        "loaded = [m for m in ('titre_mercd._rncp_export', 'titre_mercd._registry',\n"
        "    'titre_mercd._registry_import', 'titre_mercd._cli._registry', 'xml.etree.ElementTree',\n"
        "    'zipfile') if m in sys.modules]\n"
        "print(loaded, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stderr == "[]\n"


def test_without_a_creation_arrete_the_key_is_date_effet(tmp_path: Path) -> None:
    export = write_export(
        tmp_path / "export_fiches_RNCP_V4_1_2026-12-01.xml",
        lineage_fiches(
            successor_creation="Décret n° 2016-954 du 11 juillet 2016 relatif au titre professionnel"
        ),
    )
    result = run(PROGRAM, "registry", "import", str(export), "-o", str(tmp_path / "d"), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["new_versions"] == ["2024-05-12"]
    assert any("DATE_EFFET" in note and SUCCESSOR in note for note in payload["notes"])
    with _referentiel._use_data_directory(_loading._Directory(str(tmp_path / "d"))):
        new = titre_mercd.version("2024-05-12")
        assert new.legal_text.kind == "fiche RNCP"
        assert (
            new.legal_text.title
            == f"Fiche {SUCCESSOR} : Manager d'équipe relation client à distance"
        )
        assert titre_mercd.source_of(new, "key").location == "DATE_EFFET"


@pytest.mark.skipif(
    not (Path(titre_mercd.__file__).parent / "data" / "lineage.json").exists(),
    reason="lineage.json (the registered fiches that are not versions) is not in the data yet",
)
def test_an_imported_registered_fiche_is_no_longer_listed_as_registered(imported: Path) -> None:
    shipped = json.loads(
        (Path(titre_mercd.__file__).parent / "data" / "lineage.json").read_text(encoding="utf-8")
    )
    assert SUCCESSOR in [entry["rncp"] for entry in shipped["registered"]]
    lineage = json.loads((imported / "lineage.json").read_text(encoding="utf-8"))
    assert SUCCESSOR not in [entry["rncp"] for entry in lineage["registered"]]


def test_a_fiche_whose_window_overlaps_a_version_is_not_imported(tmp_path: Path) -> None:
    from registry_exports import BLOCS_2018, made_up_fiche

    overlapping = made_up_fiche(
        "RNCP90002",
        "Manager d'équipe relation client à distance",
        active=False,
        effet="01/01/2020",
        fin="01/01/2025",
        creation=None,
        nsf=[("312t", "Négociation et vente")],
        rome=[("D1408", "Téléconseil et télévente")],
        blocs=list(BLOCS_2018),
        bloc_codes=False,
    )
    export = write_export(
        tmp_path / "export_fiches_RNCP_V4_1_2026-12-01.xml", [*lineage_fiches(), overlapping]
    )
    status, report = check_json(export)
    assert status == 1
    assert [m["number"] for m in report["missing"]] == ["RNCP90002", SUCCESSOR]
    result = run(PROGRAM, "registry", "import", str(export), "-o", str(tmp_path / "d"), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["new_versions"] == [NEW_KEY]
    assert any(n.startswith("RNCP90002: its window") for n in payload["notes"])


def test_the_registry_date_is_kept_as_given(imported: Path) -> None:
    import attrs

    if "registered_until" not in attrs.fields_dict(titre_mercd.ValidityWindow):
        pytest.skip("ValidityWindow.registered_until is not in this version of the records")
    with _referentiel._use_data_directory(_loading._Directory(str(imported))):
        window = titre_mercd.version(NEW_KEY).validity
        assert window.registered_until == dt.date(2029, 5, 12)  # type: ignore[union-attr]
        assert window.last_day == dt.date(2029, 5, 11)  # type: ignore[union-attr]


def test_a_fiche_the_data_records_as_registered_is_found_by_its_number(tmp_path: Path) -> None:
    from registry_exports import BLOCS_SUCCESSOR, made_up_fiche

    renamed = made_up_fiche(
        SUCCESSOR,
        "Responsable d'équipe en relation client (intitulé inventé)",
        active=True,
        effet="12/05/2024",
        fin="12/05/2029",
        creation=None,
        nsf=[("312t", "Négociation et vente")],
        rome=[("D1408", "Téléconseil et télévente")],
        blocs=list(BLOCS_SUCCESSOR),
    )
    export = write_export(tmp_path / "export_fiches_RNCP_V4_1_2026-12-01.xml", [renamed])
    report = titre_mercd.registry_check(export)
    registered = {f.rncp for f in titre_mercd.registered_fiches()}
    assert SUCCESSOR in registered
    assert [m.number for m in report.missing] == [SUCCESSOR]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["registry", "check", "x.xml", "-o", "d"], ["-o only goes with import"]),
        (["registry", "check", "x.xml", "--export-date", "2026-08-16"], ["--export-date"]),
        (["registry", "import", "x.xml"], ["-o DIR is required"]),
        (["registry", "frob", "x.xml"], ["invalid choice"]),
        (["registry", "import", "x.xml", "-o", "d", "--export-date", "31/02/2026"], ["bad date"]),
    ],
)
def test_usage_errors(args: list[str], words: list[str], tmp_path: Path) -> None:
    error(run(PROGRAM, *args, cwd=tmp_path), 2, *words)
    assert list(tmp_path.iterdir()) == []


def test_formacode_names_each_imported_version_that_lists_it(imported: Path) -> None:
    result = run(PROGRAM, "--data", str(imported), "formacode", " 34 076 ")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("34076  Gestion relation client\n")
    assert f"{NEW_KEY}  Manager d'équipe relation client à distance" in result.stdout
    answer = json.loads(
        run(PROGRAM, "--data", str(imported), "formacode", "34076", "--json").stdout
    )
    assert [v["key"] for v in answer["versions"]] == [NEW_KEY]
    assert answer["label"] == "Gestion relation client"
    assert answer["registered_fiches"] == []  # RNCP38665 is a version of this data now
    assert answer["not_known"] == ["2007-04-27", "2011-06-01", "2018-12-11"]
    validate_with_references(answer, "formacode")
