"""Answering from another data directory: ``use_data``, ``TITRE_MERCD_DATA``, ``--data``.

The other data directory is made here: a copy of the shipped data with a version added after
2018 (made up for these tests, with its own blocs and a correspondence table; nothing of it is
ever shipped) and its own ``DATA_VERSION``. Selected in each of the three ways, it answers
every question: ``current``, ``versions``, the conversion, the exports and ``DATA_VERSION``.
A broken directory is refused with the file and the place named, and changes nothing.
Two :class:`~titre_mercd.Referentiel` objects answer side by side.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

import titre_mercd
from test_cli import LAUNCHERS, SCRIPT, error, ok, ok_json, run
from titre_mercd import DataError, DataImport, Referentiel
from titre_mercd._manifest import write_manifest

NEW_KEY = "2029-01-15"  # made up for these tests: no such arrêté is known
OTHER_VERSION = "2026.1+test.other"  # the DATA_VERSION of the made-up directory
# In the made-up version's window; with the shipped data, not known: the 2018 window has
# ended and its registered successor (RNCP38665) is not a version in the shipped data.
IN_THE_NEW_WINDOW = dt.date(2030, 1, 1)
SHIPPED_KEYS = ["2007-04-27", "2011-06-01", "2018-12-11"]


def shipped_data() -> Path:
    import importlib.resources

    return Path(str(importlib.resources.files("titre_mercd") / "data"))


def add_a_successor(root: Path) -> None:
    """Add the made-up version NEW_KEY after 2018, with a table from 2018, to the copy."""
    payload = json.loads((root / "versions/2018-12-11.json").read_text(encoding="utf-8"))
    version = payload["version"]
    version["key"] = NEW_KEY
    version["legal_text"] = {**version["legal_text"], "date": NEW_KEY, "nor": "TEST0000000A"}
    version["validity"] = {"start": "2029-05-12", "end": None}
    version["blocks"] = [
        {**block, "version_key": NEW_KEY, "title": f"Bloc {block['number']} du titre de test"}
        for block in version["blocks"]
    ]
    # The made-up blocs are quoted from a made-up text shipped with them, in this copy only.
    titles = "\n".join(block["title"] for block in version["blocks"])
    (root / "texts/test-2029.txt").write_text(titles + "\n", encoding="utf-8")
    texts = json.loads((root / "texts.json").read_text(encoding="utf-8"))
    made_up_text = {"kind": "test", "date": None, "title": "Made-up text for a test"}
    texts["texts"].append(
        {
            "id": "test-2029",
            "file": "texts/test-2029.txt",
            "legal_text": {**made_up_text, "nor": None, "consolidated_on": None},
            "source": "made up for a test",
        }
    )
    (root / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    for block in version["blocks"]:
        quoted = {"text": "test-2029", "location": "test", "excerpt": block["title"]}
        payload["block_sources"][str(block["number"])].update(number=quoted, title=quoted)
    (root / f"versions/{NEW_KEY}.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    excerpt = "Piloter la performance d'une équipe de conseillers client"
    source = {"text": "arrete-2018", "location": "article 4", "excerpt": excerpt}
    table = {
        "header": {"source": "made up for a test"},
        "old_key": "2018-12-11",
        "new_key": NEW_KEY,
        "rows": [{"old": 1, "new": 2, "source": source}, {"old": 2, "new": None, "source": source}],
    }
    (root / f"correspondences/2018-12-11_{NEW_KEY}.json").write_text(
        json.dumps(table, ensure_ascii=False, indent=2), encoding="utf-8"
    )


@pytest.fixture
def other(tmp_path: Path) -> Path:
    """A data directory: the shipped data, a made-up successor, DATA_VERSION OTHER_VERSION."""
    root = tmp_path / "other data"  # a space, as users' paths have
    shutil.copytree(shipped_data(), root, ignore=shutil.ignore_patterns("__pycache__"))
    add_a_successor(root)
    write_manifest(root, OTHER_VERSION)
    return root


@pytest.fixture
def shipped_in_use() -> Any:
    """The shipped data in use before and after the test, whatever the test selects."""
    titre_mercd.use_data(None)
    yield titre_mercd.referentiel()
    titre_mercd.use_data(None)


def mark_as_import(root: Path, member: object) -> None:
    """Give the directory's manifest an "import" member (the manifest is not hashed)."""
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    manifest["import"] = member
    (root / "MANIFEST.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


IMPORT = {
    "export": "export_fiches_RNCP_V4_1_2029-06-01.xml",
    "export_date": "2029-06-01",
    "base_data_version": "2026.1",
}


def assert_answers_from_the_other_data() -> None:
    """Every module-level answer comes from the made-up directory."""
    assert titre_mercd.DATA_VERSION == OTHER_VERSION
    assert [v.key for v in titre_mercd.versions()] == [*SHIPPED_KEYS, NEW_KEY]
    assert titre_mercd.current(IN_THE_NEW_WINDOW).key == NEW_KEY  # type: ignore[union-attr]
    assert titre_mercd.successor("2018-12-11").key == NEW_KEY  # type: ignore[union-attr]
    # 2011/3 → 2018/1 (article 4 of 2018) → new/2: the tables chain into the new version.
    chained = titre_mercd.deemed_obtained(["2011-06-01/3"], NEW_KEY)
    assert [b.ref for b in chained] == [f"{NEW_KEY}/2"]
    assert [b.ref for b in titre_mercd.missing_blocks(["2011-06-01/3"], NEW_KEY)] == [
        f"{NEW_KEY}/1"
    ]
    assert titre_mercd.find_block("bloc 1 du titre de test").ref == f"{NEW_KEY}/1"
    from titre_mercd._export import dataset_document

    exported = dataset_document()
    assert exported["data_version"] == OTHER_VERSION
    assert NEW_KEY in json.dumps(exported)


def assert_answers_from_the_shipped_data(shipped: Referentiel) -> None:
    assert shipped.data_version == titre_mercd.DATA_VERSION
    assert titre_mercd.versions() is shipped.versions()
    with pytest.raises(titre_mercd.UndecidedError, match="RNCP38665"):
        titre_mercd.current(IN_THE_NEW_WINDOW)
    with pytest.raises(titre_mercd.UnknownVersionError):
        titre_mercd.version(NEW_KEY)
    with pytest.raises(titre_mercd.UnknownBlockError):
        titre_mercd.find_block("bloc 1 du titre de test")


# ---------------------------------------------------------------- use_data


@pytest.mark.parametrize("as_given", [str, Path], ids=["str", "Path"])
def test_use_data_answers_from_the_directory_then_none_goes_back(
    other: Path, shipped_in_use: Referentiel, as_given: Callable[[Path], Any]
) -> None:
    shipped_versions = titre_mercd.versions()
    shipped_2018 = titre_mercd.version("2018-12-11")

    selected = titre_mercd.use_data(as_given(other))

    assert selected.directory == other
    assert selected.data_version == OTHER_VERSION
    assert selected == titre_mercd.referentiel()
    assert not selected.is_import
    assert_answers_from_the_other_data()
    # The records of one data set are the same objects every time.
    assert titre_mercd.version(NEW_KEY) is titre_mercd.version(NEW_KEY)
    assert titre_mercd.versions()[-1] is titre_mercd.version(NEW_KEY)
    assert titre_mercd.version("2018-12-11") == shipped_2018  # equal facts, other objects

    back = titre_mercd.use_data(None)

    assert back.directory is None
    assert back == shipped_in_use
    assert_answers_from_the_shipped_data(shipped_in_use)
    # Back on the shipped data, its records are the very objects given before the switch.
    assert titre_mercd.versions() is shipped_versions
    assert titre_mercd.version("2018-12-11") is shipped_2018


def test_use_data_loads_the_directory_again_each_time(
    other: Path, shipped_in_use: Referentiel
) -> None:
    """A directory written again (a new import) is read again, and checked again."""
    first = titre_mercd.use_data(other)
    write_manifest(other, "2026.1+test.again")
    second = titre_mercd.use_data(other)
    assert (first.data_version, second.data_version) == (OTHER_VERSION, "2026.1+test.again")
    assert titre_mercd.DATA_VERSION == "2026.1+test.again"


# ---------------------------------------------------------------- broken directories


def delete(name: str) -> Callable[[Path], None]:
    def breakage(root: Path) -> None:
        (root / name).unlink()

    return breakage


def edit(name: str, old: str, new: str, *, seal: bool) -> Callable[[Path], None]:
    def breakage(root: Path) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        if seal:  # record the new hashes, so that the check under test is the one that fires
            write_manifest(root, "broken")

    return breakage


V_NEW = f"versions/{NEW_KEY}.json"
BROKEN = {
    "missing file": (delete(V_NEW), V_NEW, f"$.files['{V_NEW}']"),
    "bad sha": (edit(V_NEW, "Bloc 1", "Bloc 9", seal=False), V_NEW, "sha256"),
    "bad JSON": (edit(V_NEW, '"key"', '"key" "', seal=True), V_NEW, "invalid JSON: "),
    "unknown field": (
        edit(V_NEW, '"header"', '"commentaire": 1, "header"', seal=True),
        V_NEW,
        "$: unknown fields ['commentaire']",
    ),
    "bad import member": (
        lambda root: mark_as_import(root, {**IMPORT, "export_date": "1 juin 2029"}),
        "MANIFEST.json",
        "$.import.export_date",
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_directory_is_refused_and_changes_nothing(
    other: Path, shipped_in_use: Referentiel, kind: str
) -> None:
    breakage, file, place = BROKEN[kind]
    breakage(other)
    before = titre_mercd.versions()

    for select in (titre_mercd.use_data, Referentiel):
        with pytest.raises(DataError) as raised:
            select(other)
        message = str(raised.value)
        assert message.startswith(f"data directory {str(other)!r}: {file}: "), message
        assert place in message, message
        assert "\n" not in message
        assert raised.value.directory == str(other)

    assert titre_mercd.referentiel() == shipped_in_use
    assert titre_mercd.versions() is before
    assert_answers_from_the_shipped_data(shipped_in_use)


def test_a_broken_directory_after_another_keeps_the_other(
    other: Path, tmp_path: Path, shipped_in_use: Referentiel
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(other, broken)
    delete(V_NEW)(broken)
    titre_mercd.use_data(other)
    with pytest.raises(DataError, match="not be read"):
        titre_mercd.use_data(broken)
    assert_answers_from_the_other_data()


@pytest.mark.parametrize("what", ["missing", "a file"])
def test_use_data_refuses_what_is_not_a_directory(
    tmp_path: Path, shipped_in_use: Referentiel, what: str
) -> None:
    path = tmp_path / "data"
    if what == "a file":
        path.write_text("{}", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        titre_mercd.use_data(path)
    problem = "is not a directory" if what == "a file" else "does not exist"
    assert str(raised.value) == (
        f"data directory {str(path)!r}: {problem}; "
        "expected a directory written by titre-mercd registry import"
    )
    assert titre_mercd.referentiel() == shipped_in_use


def test_an_empty_directory_is_refused_for_its_manifest(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"MANIFEST\.json: cannot be read"):
        Referentiel(tmp_path)


@pytest.mark.parametrize("given", [42, b"/tmp", ["data"]], ids=["int", "bytes", "list"])
def test_use_data_refuses_what_is_not_a_path(given: object, shipped_in_use: Referentiel) -> None:
    with pytest.raises(TypeError, match="a data directory is a path"):
        titre_mercd.use_data(given)  # type: ignore[arg-type]
    assert titre_mercd.referentiel() == shipped_in_use


# ---------------------------------------------------------------- the "import" member


def test_a_directory_marked_as_an_import_says_so(other: Path, shipped_in_use: Referentiel) -> None:
    mark_as_import(other, IMPORT)
    selected = titre_mercd.use_data(other)
    assert selected.is_import
    assert selected.imported == DataImport(
        export="export_fiches_RNCP_V4_1_2029-06-01.xml",
        export_date=dt.date(2029, 6, 1),
        base_data_version="2026.1",
    )
    assert titre_mercd.referentiel().imported == selected.imported
    assert shipped_in_use.imported is None
    assert not shipped_in_use.is_import


@pytest.mark.parametrize(
    ("member", "place"),
    [
        ("yes", "$.import: expected an object, got str"),
        ({**IMPORT, "export": 1}, "$.import.export: expected a string, got int"),
        ({**IMPORT, "export": ""}, "$.import: export and base_data_version must not be empty"),
        (
            {**IMPORT, "export_date": "2029-6-1"},
            "$.import.export_date: expected an ISO date 'YYYY-MM-DD', got '2029-6-1'",
        ),
        (
            {**IMPORT, "export_date": 20290601},
            "$.import.export_date: expected an ISO date string, got int",
        ),
        ({**IMPORT, "base_data_version": None}, "$.import.base_data_version: expected a string"),
        ({k: v for k, v in IMPORT.items() if k != "export"}, "required field 'export' missing"),
        ({**IMPORT, "rows": 3}, "$.import: unknown fields ['rows']"),
    ],
)
def test_the_import_member_is_checked(other: Path, member: object, place: str) -> None:
    mark_as_import(other, member)
    with pytest.raises(DataError) as raised:
        Referentiel(other)
    assert "MANIFEST.json: " in str(raised.value)
    assert place in str(raised.value)


# ---------------------------------------------------------------- Referentiel, side by side


def test_two_referentiels_answer_side_by_side(other: Path, shipped_in_use: Referentiel) -> None:
    shipped, made_up = Referentiel(), Referentiel(other)

    assert shipped == shipped_in_use  # the shipped data is loaded once per process
    assert made_up != shipped
    assert (shipped.directory, made_up.directory) == (None, other)
    assert repr(made_up) == f"<Referentiel {OTHER_VERSION} from {str(other)!r}>"
    assert [v.key for v in made_up.versions()] == [v.key for v in shipped.versions()] + [NEW_KEY]
    with pytest.raises(titre_mercd.UndecidedError, match="RNCP38665"):
        shipped.current(IN_THE_NEW_WINDOW)
    new = made_up.current(IN_THE_NEW_WINDOW)
    assert new is made_up.version(NEW_KEY)
    assert made_up.is_in_force(IN_THE_NEW_WINDOW, NEW_KEY)
    with pytest.raises(titre_mercd.UndecidedError, match="RNCP38665"):
        shipped.is_in_force(IN_THE_NEW_WINDOW)
    with pytest.raises(titre_mercd.NotInDataError, match="RNCP38665"):
        shipped.successor("2018-12-11")
    assert [f.rncp for f in shipped.registered_fiches()] == ["RNCP38665"]
    assert made_up.validity_gaps() == shipped.validity_gaps()
    assert made_up.successor("2018-12-11") is new
    with pytest.raises(titre_mercd.UnknownVersionError):
        shipped.version(NEW_KEY)

    # The same facts, compared across the two: equal by value, each data set's own objects.
    for old, same in zip(shipped.versions(), made_up.versions()):
        assert old == same
        assert old is not same
    assert shipped.versions() is titre_mercd.versions()

    # Every lookup answers from its own data set.
    assert made_up.find_block("Bloc 2 du titre de test").ref == f"{NEW_KEY}/2"
    assert made_up.find_block("2018-12-11/1") is made_up.version("2018-12-11").blocks[0]
    assert shipped.find_block("2018-12-11/1") is titre_mercd.find_block("2018-12-11/1")
    assert made_up.deemed_obtained(["2011-06-01/3"], NEW_KEY) == (new.blocks[1],)
    assert made_up.missing_blocks(["2011-06-01/3"], NEW_KEY) == (new.blocks[0],)
    assert shipped.deemed_obtained(["2011-06-01/3"]) == titre_mercd.deemed_obtained(
        ["2011-06-01/3"]
    )
    rows = made_up.correspondences("2018-12-11", NEW_KEY)
    assert [(r.old.number, r.new and r.new.number) for r in rows] == [(1, 2), (2, None)]
    assert made_up.correspondence_table("2018-12-11", NEW_KEY).rows == rows
    assert made_up.by_rome("M1704") == (made_up.version("2018-12-11"), new)
    assert shipped.by_rome("M1704") == (shipped.version("2018-12-11"),)
    assert made_up.by_nsf("312t") == made_up.versions()[1:]
    assert shipped.by_nsf("312t") == shipped.versions()[1:3]
    assert made_up.rome("D1408") == shipped.rome("D1408")
    assert made_up.nsf("312t") == shipped.nsf("312t")
    assert made_up.by_rncp("12505") is made_up.version("2011-06-01")
    # The made-up version copies 2018's facts, and their sources with them.
    v2018 = shipped.version("2018-12-11")
    assert made_up.source_of(new, "validity") == shipped.source_of(v2018, "validity")
    with pytest.raises(LookupError, match="not a shipped record"):
        shipped.source_of(new, "validity")
    assert "MTRD1833181A" in made_up.text_of(made_up.version("2018-12-11").legal_text)
    with pytest.raises(LookupError, match="no shipped copy"):
        made_up.text_of(new.legal_text)  # made up: no text of it is in the directory

    # The module's functions still answer from the data in use.
    assert shipped.data_version == titre_mercd.DATA_VERSION
    with pytest.raises(titre_mercd.UndecidedError, match="RNCP38665"):
        titre_mercd.current(IN_THE_NEW_WINDOW)


def test_a_referentiel_does_not_see_a_later_switch(
    other: Path, shipped_in_use: Referentiel
) -> None:
    made_up = Referentiel(other)
    titre_mercd.use_data(None)
    assert made_up.current(IN_THE_NEW_WINDOW).key == NEW_KEY  # type: ignore[union-attr]
    titre_mercd.use_data(other)
    with pytest.raises(titre_mercd.UndecidedError, match="RNCP38665"):
        shipped_in_use.current(IN_THE_NEW_WINDOW)
    assert titre_mercd.referentiel() != made_up  # another load of the same directory


# ---------------------------------------------------------------- threads


def test_lookups_during_switches_answer_from_one_data_set_or_the_other(
    other: Path, shipped_in_use: Referentiel
) -> None:
    made_up = Referentiel(other)
    stop = threading.Event()
    errors: list[BaseException] = []
    title = "Manager une equipe de conseillers (eres) clientele a distance"

    def lookups() -> None:
        try:
            while not stop.is_set():
                block = titre_mercd.find_block(title)
                v2018 = titre_mercd.version("2018-12-11")
                found = titre_mercd.by_rome("M1704")
                deemed = titre_mercd.deemed_obtained([title], "2018-12-11")
                assert len(found) in (1, 2)
                assert v2018 in (
                    shipped_in_use.version("2018-12-11"),
                    made_up.version("2018-12-11"),
                )
                assert (
                    block.title == "Manager une équipe de conseillers (ères) clientèle à distance"
                )
                assert {b.ref for b in deemed} == {"2018-12-11/2"}
        except BaseException as exc:  # noqa: BLE001 - reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=lookups) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for i in range(200):
            titre_mercd.use_data(other if i % 2 else None)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors[0]
    assert not any(t.is_alive() for t in threads)

    # After the last switch, no answer remembered from the other data set is given.
    titre_mercd.use_data(None)
    assert titre_mercd.version("2018-12-11") is shipped_in_use.version("2018-12-11")
    assert titre_mercd.find_block(title) is shipped_in_use.find_block(title)
    assert titre_mercd.by_rome("M1704") == (shipped_in_use.version("2018-12-11"),)
    assert titre_mercd.by_rome("M1704")[0] is shipped_in_use.version("2018-12-11")
    (block,) = titre_mercd.deemed_obtained([title])
    assert block is shipped_in_use.version("2018-12-11").blocks[1]


# ---------------------------------------------------------------- TITRE_MERCD_DATA

PROBE = """
import datetime, json, titre_mercd
from titre_mercd._export import dataset_document
now = titre_mercd.current(datetime.date(2030, 1, 1))
print(json.dumps({
    "data_version": titre_mercd.DATA_VERSION,
    "versions": [v.key for v in titre_mercd.versions()],
    "current": now and now.key,
    "deemed": sorted(b.ref for b in titre_mercd.deemed_obtained(["2011-06-01/3"], now.key)),
    "exported": dataset_document()["data_version"],
    "directory": str(titre_mercd.referentiel().directory),
}))
"""


def test_the_environment_variable_selects_the_directory_at_first_use(other: Path) -> None:
    env = {**os.environ, "TITRE_MERCD_DATA": str(other)}
    out = subprocess.run(  # noqa: PLW1510  (the status is asserted below)
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "data_version": OTHER_VERSION,
        "versions": [*SHIPPED_KEYS, NEW_KEY],
        "current": NEW_KEY,
        "deemed": [f"{NEW_KEY}/2"],
        "exported": OTHER_VERSION,
        "directory": str(other),
    }


def test_the_environment_variable_is_read_at_first_use_and_shipped_overrides_it(
    other: Path,
) -> None:
    program = (
        "import os, titre_mercd\n"
        f"os.environ['TITRE_MERCD_DATA'] = {str(other)!r}\n"  # set after import, before use
        "print(titre_mercd.DATA_VERSION)\n"
        "titre_mercd.use_data('shipped')\n"
        "print(titre_mercd.referentiel().directory)\n"
        "titre_mercd.use_data(None)\n"  # the rule again: the variable
        "print(titre_mercd.DATA_VERSION)\n"
    )
    out = subprocess.run(  # noqa: PLW1510  (the status is asserted below)
        [sys.executable, "-c", program],
        env={k: v for k, v in os.environ.items() if k != "TITRE_MERCD_DATA"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [OTHER_VERSION, "None", OTHER_VERSION]


def test_a_broken_directory_in_the_environment_variable_is_a_data_error(other: Path) -> None:
    delete(V_NEW)(other)
    program = (
        "import titre_mercd\n"
        "try:\n"
        "    titre_mercd.versions()\n"
        "except titre_mercd.DataError as exc:\n"
        "    print(exc.directory); print(exc)\n"
    )
    env = {**os.environ, "TITRE_MERCD_DATA": str(other)}
    out = subprocess.run(  # noqa: PLW1510  (the status is asserted below)
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    directory, message = out.stdout.splitlines()
    assert directory == str(other)
    assert message.startswith(f"data directory {str(other)!r}: {V_NEW}: ")


# ---------------------------------------------------------------- --data


@pytest.fixture(params=sorted(LAUNCHERS))
def launcher(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "titre-mercd" and not SCRIPT.exists():
        pytest.skip(f"the titre-mercd script is not installed next to {sys.executable}")
    return LAUNCHERS[request.param]


@pytest.mark.parametrize("where", ["before", "after", "equals"])
def test_the_data_option_before_or_after_the_command(
    launcher: list[str], other: Path, where: str
) -> None:
    option = [f"--data={other}"] if where == "equals" else ["--data", str(other)]
    command = ["on", "2030-01-01", "--json"]
    argv = [*option, *command] if where != "after" else [*command, *option]
    answer = ok_json(run(launcher, *argv))
    assert answer["version"]["key"] == NEW_KEY


def test_every_command_answers_from_the_data_option(launcher: list[str], other: Path) -> None:
    data = ["--data", str(other)]
    listed = ok_json(run(launcher, *data, "versions", "--json"))
    listed = listed["versions"] if isinstance(listed, dict) else listed  # a list, or wrapped
    keys = [v["key"] for v in listed]
    assert keys == [*SHIPPED_KEYS, NEW_KEY]
    assert NEW_KEY in ok(run(launcher, *data, "versions"))
    converted = ok_json(
        run(launcher, *data, "convert", "--from", "2011-06-01", "--to", NEW_KEY, "2011-06-01/3",
            "--json")
    )  # fmt: skip
    deemed = [(b["version_key"], b["number"]) for b in converted["deemed_obtained"]]
    assert deemed == [(NEW_KEY, 2)]
    exported = ok_json(run(launcher, *data, "export", "--format", "json"))
    assert exported["data_version"] == OTHER_VERSION
    version_line = ok(run(launcher, *data, "--version"))
    assert version_line.endswith(f"(data {OTHER_VERSION}: a data directory)\n")
    assert ok(run(launcher, *data, "show", NEW_KEY)).count("Bloc 1 du titre de test") == 1
    # Without the option, the shipped data answers.
    error(run(launcher, "show", NEW_KEY), 1, "unknown version")


def test_the_environment_variable_for_the_command_line(launcher: list[str], other: Path) -> None:
    answer = ok_json(
        run(launcher, "on", "2030-01-01", "--json", env={"TITRE_MERCD_DATA": str(other)})
    )
    assert answer["version"]["key"] == NEW_KEY


@pytest.mark.parametrize("kind", ["missing file", "bad JSON", "not a directory"])
def test_a_bad_data_option_is_one_line_exit_2(
    launcher: list[str], other: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "not a directory":
        target = tmp_path / "file.json"
        target.write_text("{}", encoding="utf-8")
        words: tuple[str, ...] = ("is not a directory",)
    else:
        BROKEN[kind][0](other)
        target, words = other, (V_NEW,)
    for argv in (["--data", str(target), "versions"], ["versions", "--data", str(target)]):
        message = error(run(launcher, *argv), 2, f"data directory {str(target)!r}", *words)
        assert "reinstall" not in message
    message = error(run(launcher, "versions", env={"TITRE_MERCD_DATA": str(target)}), 2, *words)
    assert "reinstall" not in message


def test_a_data_option_without_a_directory_is_a_usage_error(launcher: list[str]) -> None:
    result = run(launcher, "versions", "--data")
    assert result.returncode == 2
    assert "--data" in result.stderr
    assert "Traceback" not in result.stderr
