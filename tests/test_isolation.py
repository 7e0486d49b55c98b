"""Nothing leaves the process and nothing a caller does changes what another caller sees.

The whole API and the whole command line run with sockets blocked and every way of writing a
file watched: no connection is attempted, and only the file or directory an explicit ``-o``
names is written. The command line will not overwrite a file without ``--force``. No caller
can change the shipped records, nor teach the lookups a wrong answer. And the source holds no
``pickle``, ``eval``, ``exec``, ``yaml`` or ``subprocess``.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import io
import json
import os
import pathlib
import socket
import tokenize
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import attrs
import pytest

import titre_mercd
from strategies import ROWS, SHIPPED_RECORDS
from titre_mercd import CertificationVersion, UnknownBlockError, _output, _referentiel
from titre_mercd._cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator

# ---------------------------------------------------------------- the whole API and CLI


def use_the_whole_api() -> None:
    """Every public function, with answers and with errors, and the lazy module attributes."""
    titre_mercd.preload()
    assert titre_mercd.DATA_VERSION
    assert titre_mercd.__version__
    with contextlib.suppress(titre_mercd.UndecidedError):  # after 2024 with the shipped data
        titre_mercd.current()
    titre_mercd.current(dt.date(2020, 1, 1))
    with contextlib.suppress(titre_mercd.UndecidedError):
        titre_mercd.is_in_force(dt.date(2030, 1, 1))
    titre_mercd.validity_gaps()
    for fiche in titre_mercd.registered_fiches():
        assert titre_mercd.registered_fiche(fiche.rncp) is fiche
    for v in titre_mercd.versions():
        use_one_version(v)
    for record in SHIPPED_RECORDS:
        with contextlib.suppress(titre_mercd.ArgumentTypeError):
            assert titre_mercd.from_dict(type(record), titre_mercd.to_dict(record)) == record
    for failing in (
        lambda: titre_mercd.version("1999-01-01"),
        lambda: titre_mercd.find_block("no such bloc"),
        lambda: titre_mercd.rome("Z9999"),
        lambda: titre_mercd.by_rncp("RNCP1"),
        lambda: titre_mercd.by_rncp("RNCP38665"),
        lambda: titre_mercd.is_in_force(dt.date(2018, 6, 1)),
        lambda: titre_mercd.from_dict(titre_mercd.Block, {"number": "1"}),
    ):
        with pytest.raises(titre_mercd.TitreMercdError):
            failing()


def use_one_version(v: CertificationVersion) -> None:
    """Every lookup that starts from the version ``v``."""
    assert titre_mercd.version(v.key) is v
    with contextlib.suppress(titre_mercd.NotInDataError):  # a successor registered, not in data
        titre_mercd.successor(v.key)
    titre_mercd.is_in_force(dt.date(2020, 1, 1), v.key)
    titre_mercd.text_of(v.legal_text)
    for field in attrs.fields(CertificationVersion):
        with contextlib.suppress(LookupError):
            titre_mercd.source_of(v, field.name)
    for code in v.rome_codes:
        titre_mercd.rome(code.code)
        titre_mercd.by_rome(code.code)
    for nsf_code in v.nsf_codes:
        titre_mercd.nsf(nsf_code.code)
        titre_mercd.by_nsf(nsf_code.code)
    if v.rncp is not None:
        titre_mercd.by_rncp(v.rncp)
    for block in v.blocks:
        assert titre_mercd.find_block(block.ref) is block
        titre_mercd.find_block(block.title, block.version_key)
    for new in titre_mercd.versions():
        with contextlib.suppress(titre_mercd.UndecidedError):  # no table between the two
            titre_mercd.correspondences(v.key, new.key)
            titre_mercd.correspondence_table(v.key, new.key)
        titre_mercd.deemed_obtained(v.blocks, new.key)
        titre_mercd.missing_blocks([b.ref for b in v.blocks], new.key)


CONVERT_CSV = ["convert", "--from", "2011-06-01", "--to", "2018-12-11", "--column", "ccp"]
# Every command, in its human and machine forms; "{out}" is a path under the test directory.
COMMANDS: list[list[str]] = [
    [],
    ["--version"],
    ["--help"],
    ["versions"],
    ["show"],
    ["show", "2011-06-01", "--json"],
    ["on", "2020-01-01"],
    ["on", "2030-01-01", "--json"],
    ["convert", "--from", "2011-06-01", "--to", "2018-12-11", "2011-06-01/2", "Mystery"],
    ["convert", "--from", "2007-04-27", "--to", "2018-12-11", "2007-04-27/1", "--json"],
    ["rome", "D1408"],
    ["nsf", "312", "--json"],
    ["rncp", "RNCP12505"],
    ["rncp", "RNCP1"],
    *(["export", "--format", f] for f in ("json", "csv", "jsonld", "mermaid", "dot")),
    ["export", "--format", "json", "-o", "{out}/data.json"],
    ["export", "--format", "csv", "-o", "{out}/tables"],
    ["export", "--format", "csv", "--table", "blocks", "-o", "{out}/blocks.csv", "--json"],
    [*CONVERT_CSV, "--csv", "{out}/../in.csv", "-o", "{out}/converted.csv"],
]


def run_the_whole_cli(directory: Path) -> list[Path]:
    """Every command in this process; the paths the commands were told to write."""
    (directory / "in.csv").write_text("id,ccp\n1,2011-06-01/2\n2,Mystery\n", encoding="utf-8")
    out = directory / "out"
    out.mkdir()
    targets = []
    for command in COMMANDS:
        argv = [arg.replace("{out}", str(out)) for arg in command]
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(argv)
        assert status in (0, 1), (argv, stderr.getvalue())
        targets += [Path(argv[i + 1]) for i, arg in enumerate(argv) if arg == "-o"]
    return targets


@pytest.fixture
def fresh_data() -> Iterator[None]:
    """Forget the loaded data, so that the guarded code loads it again."""
    shipped = _referentiel.in_use()
    _referentiel._switch(None)
    yield
    _referentiel._switch(shipped)


# ---------------------------------------------------------------- no network


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Block every way to open a connection or resolve a name; record each attempt."""
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def refused(*args: object, **kwargs: object) -> Any:
            attempts.append(f"{name}{args!r:.100}")
            raise OSError(f"test_isolation: no network ({name})")

        return refused

    monkeypatch.setattr(socket, "socket", refuse("socket.socket"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    return attempts


@pytest.mark.usefixtures("fresh_data")
def test_the_api_uses_no_network(no_network: list[str]) -> None:
    use_the_whole_api()
    assert no_network == []


@pytest.mark.usefixtures("fresh_data")
def test_the_cli_uses_no_network(no_network: list[str], tmp_path: Path) -> None:
    run_the_whole_cli(tmp_path)
    assert no_network == []


# ---------------------------------------------------------------- no writes

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class WriteWatch:
    """Records each path written, created, moved or removed while it is installed."""

    def __init__(self) -> None:
        self.written: list[Path] = []
        self._open, self._os_open = builtins.open, os.open

    def note(self, path: object) -> None:
        if isinstance(path, (str, bytes, os.PathLike)) and os.fsdecode(path) != os.devnull:
            self.written.append(Path(os.fsdecode(path)).absolute())

    def open(self, file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(m in mode for m in "wax+"):
            self.note(file)
        return self._open(file, mode, *args, **kwargs)

    def os_open(self, path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & WRITE_FLAGS:
            self.note(path)
        return self._os_open(path, flags, *args, **kwargs)

    def path_open(self, real: Callable[..., Any]) -> Callable[..., Any]:
        """``Path.open`` watched: before Python 3.11 it does not go through ``io.open``."""

        def watched(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if any(m in mode for m in "wax+"):
                self.note(path)
            return real(path, mode, *args, **kwargs)

        return watched

    def watching(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def watched(path: Any, *args: Any, **kwargs: Any) -> Any:
            self.note(path)
            return real(path, *args, **kwargs)

        return watched

    def moving(self, real: Callable[..., Any]) -> Callable[..., Any]:
        """A rename writes its destination (and removes its source)."""

        def watched(source: Any, destination: Any, *args: Any, **kwargs: Any) -> Any:
            self.note(source)
            self.note(destination)
            return real(source, destination, *args, **kwargs)

        return watched

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(builtins, "open", self.open)
        monkeypatch.setattr(io, "open", self.open)
        monkeypatch.setattr(os, "open", self.os_open)
        monkeypatch.setattr(pathlib.Path, "open", self.path_open(pathlib.Path.open))
        for name in ("mkdir", "makedirs", "remove", "unlink", "rmdir"):
            monkeypatch.setattr(os, name, self.watching(getattr(os, name)))
        for name in ("rename", "replace", "link"):
            monkeypatch.setattr(os, name, self.moving(getattr(os, name)))
        for name in ("write_text", "write_bytes", "touch", "mkdir", "unlink", "rename", "replace"):
            monkeypatch.setattr(pathlib.Path, name, self.watching(getattr(pathlib.Path, name)))


@pytest.fixture
def writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths written during the test (``tmp_path`` is made before the watch starts)."""
    watch = WriteWatch()
    assert tmp_path.is_dir()
    watch.install(monkeypatch)
    return watch.written


def test_the_write_guard_sees_writes(writes: list[Path], tmp_path: Path) -> None:
    """The guard below is worth something: each way of writing is seen."""
    (tmp_path / "a").write_text("a")
    with open(tmp_path / "b", "x"):  # noqa: PTH123 - the builtin is what is watched
        pass
    with (tmp_path / "c").open("ab"):
        pass
    os.close(os.open(tmp_path / "d", os.O_CREAT | os.O_WRONLY))
    (tmp_path / "e").mkdir()
    assert {p.name for p in writes} == {"a", "b", "c", "d", "e"}


@pytest.mark.usefixtures("fresh_data")
def test_the_api_writes_nothing(writes: list[Path]) -> None:
    use_the_whole_api()
    assert writes == []


@pytest.mark.usefixtures("fresh_data")
def test_the_cli_writes_only_where_o_says(
    writes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Output goes through names relative to an open directory, which the guard cannot place:
    # here it goes through full paths, the same operations otherwise.
    monkeypatch.setattr(_output, "_DIR_FD", False)
    targets = run_the_whole_cli(tmp_path)
    setup = {tmp_path / "in.csv", tmp_path / "out"}  # written by the test, not the program
    outside = [
        path
        for path in writes
        if path not in setup
        and not any(path == t or t in path.parents or _temporary_of(path, t) for t in targets)
    ]
    assert outside == [], f"written without -o naming them: {outside}"
    assert all(t.exists() for t in targets), "an -o target was not written"
    assert {p for p in writes if p not in setup} >= set(targets), "the guard missed a write"


# ---------------------------------------------------------------- --force


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--format", "json", "-o", "{file}"],
        ["export", "--format", "csv", "--table", "blocks", "-o", "{file}"],
        ["export", "--format", "csv", "-o", "{directory}"],
        [*CONVERT_CSV, "--csv", "{input}", "-o", "{file}"],
    ],
    ids=["json", "csv table", "csv tables directory", "convert --csv"],
)
def test_an_existing_output_is_kept_without_force(argv: list[str], tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,ccp\n1,2011-06-01/2\n", encoding="utf-8")
    existing = tmp_path / "existing.csv"
    existing.write_text("keep me\n", encoding="utf-8")
    directory = tmp_path / "tables"
    directory.mkdir()
    (directory / "blocks.csv").write_text("keep me too\n", encoding="utf-8")
    names = {"{file}": str(existing), "{directory}": str(directory), "{input}": str(source)}
    argv = [names.get(arg, arg) for arg in argv]
    kept = existing if str(existing) in argv else directory / "blocks.csv"
    before = kept.read_text(encoding="utf-8")

    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        status = main(argv)
    assert status == 2
    assert "--force" in stderr.getvalue()
    assert stderr.getvalue().count("\n") == 1
    assert kept.read_text(encoding="utf-8") == before

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main([*argv, "--force"])
    assert status == 0
    assert kept.read_text(encoding="utf-8") != before


# ---------------------------------------------------------------- no caller changes another's view


def stripped(value: str, to: str) -> str:
    """A string equal to ``value`` that, stripped, says ``to``."""

    class Stripped(str):
        __slots__ = ()

        def strip(self, *_: object) -> str:
            return to

    return Stripped(value)


def posing(value: str, poses_as: str) -> str:
    """A string holding ``value`` that hashes and compares equal to ``poses_as``."""

    class Posing(str):
        __slots__ = ()

        def __hash__(self) -> int:
            return hash(poses_as)

        def __eq__(self, other: object) -> bool:
            return other == poses_as

    return Posing(value)


def outcome(call: Callable[[], object]) -> object:
    """What a call answers, or the class of the error it raises."""
    try:
        return call()
    except titre_mercd.TitreMercdError as exc:
        return type(exc)


PLAIN_CALLS: list[Callable[[], object]] = [
    lambda: titre_mercd.version("2018-12-11"),
    lambda: titre_mercd.find_block("2018-12-11/1"),
    lambda: titre_mercd.find_block("2011-06-01/1", "2018-12-11"),
    lambda: titre_mercd.deemed_obtained(["2011-06-01/3"]),
    lambda: titre_mercd.missing_blocks(["2011-06-01/3"]),
    lambda: titre_mercd.rome("D1408"),
    lambda: titre_mercd.by_rome("D1408"),
    lambda: titre_mercd.nsf("312t"),
    lambda: titre_mercd.by_nsf("312t"),
    lambda: titre_mercd.by_rncp("RNCP12505"),
]
LYING_CALLS: list[Callable[[], object]] = [
    lambda: titre_mercd.version(stripped("2018-12-11", "2007-04-27")),
    lambda: titre_mercd.find_block(stripped("2018-12-11/1", "2011-06-01/1")),
    lambda: titre_mercd.find_block("2011-06-01/1", stripped("2018-12-11", "2011-06-01")),
    lambda: titre_mercd.deemed_obtained([stripped("2011-06-01/3", "2011-06-01/1")]),
    lambda: titre_mercd.missing_blocks([stripped("2011-06-01/3", "2011-06-01/1")]),
    lambda: titre_mercd.rome(posing("M1704", "D1408")),
    lambda: titre_mercd.by_rome(posing("M1704", "D1408")),
    lambda: titre_mercd.nsf(posing("312w", "312t")),
    lambda: titre_mercd.by_nsf(posing("315", "312t")),
    lambda: titre_mercd.by_rncp(posing("RNCP34809", "RNCP12505")),
]


@pytest.mark.usefixtures("fresh_data")
def test_a_string_that_lies_cannot_teach_the_lookups_a_wrong_answer() -> None:
    """Lookups remember answers by argument: a str subclass must not poison them for others."""
    expected = [outcome(call) for call in PLAIN_CALLS]
    assert expected[2] is UnknownBlockError
    _referentiel._switch(
        _referentiel._of(_referentiel.dataset())
    )  # the same data, with nothing remembered yet
    for lying in LYING_CALLS:
        outcome(lying)
    assert [outcome(call) for call in PLAIN_CALLS] == expected


def test_records_and_their_collections_cannot_be_changed() -> None:
    for record in [*SHIPPED_RECORDS, titre_mercd.correspondence_table("2011-06-01", "2018-12-11")]:
        for field in attrs.fields(type(record)):
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                setattr(record, field.name, None)
            value = getattr(record, field.name)
            assert not isinstance(value, (list, dict, set, bytearray)), (record, field.name)
        with pytest.raises((AttributeError, TypeError)):
            record.__dict__  # noqa: B018 - slotted: no instance dict to change behind attrs


def test_changing_an_answer_changes_nothing_shipped() -> None:
    """What the API hands out as mutable (dicts of to_dict) is a copy every time."""
    v = titre_mercd.version("2018-12-11")
    data = titre_mercd.to_dict(v)
    data["title"] = "changed"
    data["blocks"].clear()
    assert titre_mercd.to_dict(v)["title"] == v.title
    assert len(titre_mercd.to_dict(v)["blocks"]) == len(v.blocks)
    rows = list(titre_mercd.correspondences("2011-06-01", "2018-12-11"))
    rows.clear()
    assert titre_mercd.correspondences("2011-06-01", "2018-12-11") == tuple(
        row for row in ROWS if row.old.version_key == "2011-06-01"
    )
    assert json.loads(json.dumps(titre_mercd.to_dict(v))) == titre_mercd.to_dict(v)


# ---------------------------------------------------------------- what the source must not use

FORBIDDEN = {"pickle", "eval", "exec", "yaml", "subprocess"}


def forbidden_uses(path: Path) -> list[str]:
    """Each use, in code, of a forbidden name or of a module named in a string to import."""
    found = []
    with tokenize.open(path) as source:
        for token in tokenize.generate_tokens(source.readline):
            name = token.string.strip("'\"") if token.type == tokenize.STRING else token.string
            if token.type in (tokenize.NAME, tokenize.STRING) and name in FORBIDDEN:
                found.append(f"{path.name}:{token.start[0]}: {token.line.strip()}")
    return found


def test_the_source_uses_no_pickle_eval_exec_yaml_or_subprocess() -> None:
    package = Path(titre_mercd.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert len(sources) >= 10, sources
    found = [use for path in sources for use in forbidden_uses(path)]
    assert found == []


def test_the_source_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Mentions subprocess and eval( in prose only."""\n'
        "import subprocess  # a comment about pickle\n"
        "x = eval('1')\n"
        "y = __import__('yaml')\n"
        "z = evaluate(executor)\n",
        encoding="utf-8",
    )
    assert [use.split(":")[1] for use in forbidden_uses(sample)] == ["2", "3", "4"]


def _temporary_of(path: Path, target: Path) -> bool:
    """Whether ``path`` was (in) a temporary file or directory for ``target``: beside it, gone."""
    return any(
        folder.parent == target.parent
        and folder.name.startswith(f".{target.name[:64]}.")
        and folder.name.endswith(".tmp")
        and not folder.exists()
        and not folder.is_symlink()
        for folder in (path, *path.parents)
    )
