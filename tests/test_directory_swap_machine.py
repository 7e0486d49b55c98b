"""The import's directory swap in any order: imports, re-imports, readers, user files, signals.

Each step writes a real imported directory through
:func:`titre_mercd._directory_swap.replace_directory` with the import's own manifest check,
while a thread loads the directory over and over with the real loader; a real SIGTERM
(``os.kill`` of this process) arrives at a drawn moment: while the new copy is written, while
the target is checked, held during the swap, or while the old copy is removed. Whatever the
order: no file the user made is ever lost, no reader ever gets an error, and the target is
always a whole data directory.
"""

from __future__ import annotations

import atexit
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from registry_exports import lineage_fiches, write_export
from titre_mercd._directory_swap import replace_directory
from titre_mercd._loading import load_directory
from titre_mercd._registry_import import _files_of_earlier_import, import_export
from titre_mercd.exceptions import DataError, OutputError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and links")

_TEMPLATE: list[Path] = []  # one real import, made once, copied by every step


class Stopped(KeyboardInterrupt):
    """What the test's SIGTERM handler raises, as the command line's does."""


def template() -> Path:
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="swap-machine-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        export = write_export(folder / "export_2026-12-01.xml", lineage_fiches())
        import_export(str(export), str(folder / "imported"))
        _TEMPLATE.append((folder / "imported").resolve())
    return _TEMPLATE[0]


class Readers:
    """A thread loading ``target`` until stopped; every error it meets is kept."""

    def __init__(self, target: Path, may_be_absent: bool) -> None:
        self.target, self.may_be_absent = target, may_be_absent
        self.errors: list[str] = []
        self.loads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                load_directory(self.target)
            except DataError as exc:
                if not (self.may_be_absent and "does not exist" in str(exc)):
                    self.errors.append(str(exc))
            self.loads += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


class DirectorySwap(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="swap-"))
        self.target = self.root / "data"
        self.mine: dict[Path, str] = {}  # the user's files and their content
        self.inside: set[str] = set()  # those inside the target, by their path in it
        self.count = 0

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _current(self) -> str | None:
        """Which copy the target leads to now."""
        return str(self.target.resolve()) if self.target.exists() else None

    def _signal_at(self, moment: int | None) -> Callable[[str], Any]:
        """The import's manifest check, sending SIGTERM to this process on its call ``moment``."""
        calls = [0]

        def written_files(path: str) -> Any:
            calls[0] += 1
            if calls[0] == moment:
                signal.raise_signal(signal.SIGTERM)
            return _files_of_earlier_import(path)

        return written_files

    @rule(
        force=st.booleans(),
        moment=st.none() | st.integers(1, 4),
        copied=st.none() | st.integers(0, 30),
    )
    def write(self, force: bool, moment: int | None, copied: int | None) -> None:
        existed = self.target.exists()
        before = self._current()
        readers = Readers(self.target, may_be_absent=not existed)
        files = [0]

        def copy(source: str, destination: str) -> None:
            files[0] += 1
            if files[0] == copied:
                signal.raise_signal(signal.SIGTERM)
            shutil.copy2(source, destination)

        def stop(signum: int, _frame: object) -> None:
            raise Stopped(signum)

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            with replace_directory(
                self.target, force=force, written_files=self._signal_at(moment)
            ) as building:
                shutil.copytree(template(), building, dirs_exist_ok=True, copy_function=copy)
            event("written")
        except OutputError:
            event("refused")
        except Stopped:
            event("ended by SIGTERM, " + ("written" if self._current() != before else "as it was"))
        finally:
            signal.signal(signal.SIGTERM, previous)
            readers.stop()
        # the loader refuses a directory holding a file its manifest does not list: the
        # user's own files make it so, and only those may be named
        assert [e for e in readers.errors if not any(name in e for name in self.inside)] == []

    @precondition(lambda self: self.target.exists())
    @rule(where=st.sampled_from(["notes.txt", "texts/mine.txt", "versions/mine.json"]))
    def a_user_file_inside(self, where: str) -> None:
        path = self.target / where
        path.parent.mkdir(parents=True, exist_ok=True)
        self.count += 1
        content = f"mine {self.count}"
        path.write_text(content, encoding="utf-8")
        self.mine[path.resolve()] = content
        self.inside.add(where)

    @rule()
    def a_user_file_beside(self) -> None:
        self.count += 1
        path = self.root / f"beside-{self.count}.txt"
        path.write_text("mine", encoding="utf-8")
        self.mine[path] = "mine"

    @precondition(lambda self: bool(self.mine))
    @rule()
    def the_user_moves_their_files_away(self) -> None:
        for path in list(self.mine):
            path.unlink()
            del self.mine[path]
        self.inside.clear()

    @invariant()
    def no_user_file_is_lost(self) -> None:
        for path, content in self.mine.items():
            assert path.read_text(encoding="utf-8") == content, path

    @invariant()
    def the_target_is_a_whole_data_directory_or_absent(self) -> None:
        if (self.target.exists() or self.target.is_symlink()) and not self.inside:
            load_directory(self.target)


DirectorySwap.TestCase.settings = settings(
    settings.default,
    max_examples=max(settings.default.max_examples // 4, 5),
    stateful_step_count=10,
)
test_the_directory_swap = DirectorySwap.TestCase
