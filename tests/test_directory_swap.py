"""Replacing a whole directory: what ``registry import`` and ``registry update`` write through.

A directory written by an earlier run is replaced only with ``force``, only when it holds
nothing but the files its manifest lists, and in one step: the name is a link swapped onto a
complete copy. Nothing else is ever moved, replaced or deleted.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Callable

import pytest

from titre_mercd import _output
from titre_mercd._directory_swap import replace_directory
from titre_mercd.exceptions import OutputError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links and flock")


def listed(path: str) -> set[str] | None:
    """The files a made-up earlier run wrote, as its manifest lists them."""
    try:
        manifest = json.loads((Path(path) / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {*manifest["files"], "MANIFEST.json"}


def fill(directory: str, content: str, files: tuple[str, ...] = ("a.txt", "sub/b.txt")) -> None:
    root = Path(directory)
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    (root / "MANIFEST.json").write_text(json.dumps({"files": list(files)}), encoding="utf-8")


def write(target: Path, content: str, *, force: bool = False) -> None:
    with replace_directory(target, force=force, written_files=listed) as building:
        fill(building, content)


def write_while(target: Path, content: str, meanwhile: Callable[[], object]) -> None:
    """Write ``target`` with ``force``; ``meanwhile`` runs once the new copy is written."""
    with replace_directory(target, force=True, written_files=listed) as building:
        fill(building, content)
        meanwhile()


def everything(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_new_directory_is_a_link_onto_a_complete_copy(tmp_path: Path) -> None:
    target = tmp_path / "data"
    write(target, "one")
    assert target.is_symlink()
    assert (target / "sub" / "b.txt").read_text() == "one"
    assert Path(os.path.realpath(target)).parent == tmp_path / ".data.versions"


def test_an_existing_directory_is_replaced_only_with_force(tmp_path: Path) -> None:
    target = tmp_path / "data"
    write(target, "one")
    with pytest.raises(OutputError, match="give --force"):
        write(target, "two")
    assert (target / "a.txt").read_text() == "one"
    write(target, "two", force=True)
    assert (target / "a.txt").read_text() == "two"
    # the old copy is gone: the store holds the lock and the current copy only
    assert sorted(p.name for p in (tmp_path / ".data.versions").iterdir()) == [
        target.readlink().name,
        "lock",
    ]


def test_a_file_the_run_did_not_write_stops_it_and_nothing_is_deleted(tmp_path: Path) -> None:
    target = tmp_path / "data"
    write(target, "one")
    (target / "mine.txt").write_text("keep")
    (target / "sub" / "notes").mkdir()
    before = everything(tmp_path)
    with pytest.raises(OutputError) as refused:
        write(target, "two", force=True)
    assert "mine.txt" in str(refused.value)
    assert "sub/notes/" in str(refused.value)
    assert "nothing was deleted" in str(refused.value)
    assert everything(tmp_path) == before
    assert (target / "mine.txt").read_text() == "keep"


@pytest.mark.parametrize("kind", ["file", "plain directory", "foreign link"])
def test_what_no_run_wrote_is_refused_force_or_not(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "data"
    if kind == "file":
        target.write_text("mine")
    elif kind == "plain directory":
        target.mkdir()
        (target / "mine.txt").write_text("mine")
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to("elsewhere")
    before = everything(tmp_path)
    for force in (False, True):
        with pytest.raises(OutputError, match="refused"):
            write(target, "two", force=force)
    assert everything(tmp_path) == before


def test_an_earlier_plain_directory_import_is_replaced_with_force(tmp_path: Path) -> None:
    target = tmp_path / "data"
    target.mkdir()
    fill(str(target), "old")
    write(target, "new", force=True)
    assert target.is_symlink()
    assert (target / "a.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".data.versions", "data"]


def test_a_directory_that_appears_while_the_block_runs_is_left_as_it_is(tmp_path: Path) -> None:
    target = tmp_path / "data"

    def appear() -> None:
        target.mkdir()
        (target / "theirs.txt").write_text("theirs")

    with pytest.raises(OutputError, match="while it was being written: left as it is"):
        write_while(target, "mine", appear)
    assert everything(target) == ["theirs.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # nothing of the run left


def test_a_target_that_changes_while_the_block_runs_is_left_as_it_is(tmp_path: Path) -> None:
    target = tmp_path / "data"
    write(target, "one")
    with pytest.raises(OutputError, match="holds files titre-mercd did not write"):
        write_while(target, "two", lambda: (target / "mine.txt").write_text("keep"))
    assert (target / "mine.txt").read_text() == "keep"
    assert (target / "a.txt").read_text() == "one"


def test_a_second_run_on_the_same_target_is_refused_while_the_first_holds_it(
    tmp_path: Path,
) -> None:
    target = tmp_path / "data"
    with replace_directory(target, force=False, written_files=listed) as building:
        fill(building, "first")
        with pytest.raises(OutputError, match="another titre-mercd run is writing"):
            write(target, "second", force=True)
    assert (target / "a.txt").read_text() == "first"


def test_a_failed_block_leaves_nothing_and_the_old_directory_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "data"
    write(target, "one")
    before = everything(tmp_path)

    def fail(exc: BaseException) -> None:
        raise exc

    with pytest.raises(KeyboardInterrupt):
        write_while(target, "two", lambda: fail(KeyboardInterrupt()))
    assert everything(tmp_path) == before
    with pytest.raises(ValueError, match="broken"):
        write_while(tmp_path / "new", "two", lambda: fail(ValueError("broken")))
    assert everything(tmp_path) == before


def test_copies_left_by_an_interrupted_run_are_removed_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "data"
    write(target, "one")
    store = tmp_path / ".data.versions"
    # what a run killed after its swap leaves: an old copy, partly removed, and a build
    fill(str(store / "d-0123456789abcdef"), "old")
    (store / "d-0123456789abcdef" / "a.txt").unlink()
    fill(str(store / "b-0123456789abcdef"), "half")
    # and what a user put in an old copy is kept, with its folder
    fill(str(store / "d-fedcba9876543210"), "old")
    (store / "d-fedcba9876543210" / "sub" / "mine.txt").write_text("keep")
    write(target, "two", force=True)
    assert sorted(p.name for p in store.iterdir()) == sorted(
        ["d-fedcba9876543210", target.readlink().name, "lock"]
    )
    assert everything(store / "d-fedcba9876543210") == ["sub", "sub/mine.txt"]


def test_an_old_copy_is_removed_only_within_itself(tmp_path: Path) -> None:
    """A manifest naming ``../x``, or a folder made a link, leads nothing outside to be deleted."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text("keep")
    (tmp_path / "x").write_text("keep")
    target = tmp_path / "data"
    write(target, "one")
    store = tmp_path / ".data.versions"
    old = store / "d-0123456789abcdef"
    old.mkdir()
    (old / "sub").symlink_to(outside)
    (old / "MANIFEST.json").write_text(json.dumps({"files": ["../../x", "sub/b.txt"]}))
    write(target, "two", force=True)
    assert (tmp_path / "x").read_text() == "keep"
    assert (outside / "b.txt").read_text() == "keep"


def test_created_directories_and_files_follow_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "data"
    previous = os.umask(0o027)
    try:
        write(target, "one")
    finally:
        os.umask(previous)
    real = Path(os.path.realpath(target))
    assert stat.S_IMODE(real.stat().st_mode) == 0o750
    assert stat.S_IMODE((tmp_path / ".data.versions").stat().st_mode) == 0o750


def test_nothing_is_written_under_dev_or_proc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before anything is looked at: nothing is created there, not even a lock.

    A stand-in for ``/dev`` here; the real one is tried in a private mount namespace
    (``test_output_streams.py``).
    """
    system = tmp_path / "dev"
    system.mkdir()
    monkeypatch.setattr(_output, "_SYSTEM", (str(system),))
    with pytest.raises(OutputError, match="belongs to the system"):
        write(system / "data", "one", force=True)
    assert list(system.iterdir()) == []
