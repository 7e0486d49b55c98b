"""Writing output: the new content is complete and in place, or nothing has changed.

``titre_mercd._output`` is the one way the package writes files. A file is written next to
its target and moved over it in one step; a directory's files are all written first, then
moved. What the caller named is never followed, truncated or unlinked early; ``force``
replaces a regular file or a symbolic link itself, never what the link points to; devices,
FIFOs, sockets and directories are refused. Whatever fails (a write, the flush to disk, a move,
Ctrl-C), every existing file is byte-identical afterwards and no new file is left.
"""

# ruff: noqa: PT012
# (PT012: each failure is raised inside the output block on purpose, after writing.)
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from titre_mercd import _output
from titre_mercd._output import OutputError, atomic_directory, atomic_file

# ---------------------------------------------------------------- what a tree holds


Snapshot = dict[str, tuple[Any, ...]]


def snapshot(root: Path) -> Snapshot:
    """Every entry under ``root``, links not followed: its kind, content or target, and mode."""
    seen: Snapshot = {}
    for directory, names, files in os.walk(root):
        for name in [*names, *files]:
            path = Path(directory, name)
            status = path.lstat()
            key = str(path.relative_to(root))
            if stat.S_ISLNK(status.st_mode):
                seen[key] = ("link", str(path.readlink()))
            elif stat.S_ISREG(status.st_mode):
                seen[key] = ("file", path.read_bytes(), stat.S_IMODE(status.st_mode))
            elif stat.S_ISDIR(status.st_mode):
                seen[key] = ("dir", stat.S_IMODE(status.st_mode))
            else:
                seen[key] = ("other", stat.S_IFMT(status.st_mode))
    return seen


def leftovers(root: Path) -> list[str]:
    """Temporary files (their names start with a dot) anywhere under ``root``."""
    return [
        str(Path(d, n).relative_to(root))
        for d, names, files in os.walk(root)
        for n in [*names, *files]
        if n.startswith(".")
    ]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "old.csv").write_bytes(b"old content\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "target.csv").write_bytes(b"the link's target\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "elsewhere" / "target.csv")
    return tmp_path


# ---------------------------------------------------------------- one file


def test_a_new_file_is_written(tree: Path) -> None:
    with atomic_file(tree / "new.csv", force=False, newline="") as out:
        out.write("a,b\r\n")
    assert (tree / "new.csv").read_bytes() == b"a,b\r\n"
    assert leftovers(tree) == []


def test_binary_and_encoding(tree: Path) -> None:
    with atomic_file(tree / "new.bin", force=False, binary=True) as out:
        out.write(b"\x00\xff")
    with atomic_file(tree / "new.txt", force=False, encoding="latin-1") as out:
        out.write("é")
    assert (tree / "new.bin").read_bytes() == b"\x00\xff"
    assert (tree / "new.txt").read_bytes() == b"\xe9"


def test_the_target_is_untouched_until_the_new_content_is_complete(tree: Path) -> None:
    with atomic_file(tree / "old.csv", force=True) as out:
        out.write("new")
        out.flush()
        assert (tree / "old.csv").read_bytes() == b"old content\n"
        (temporary,) = leftovers(tree)
        assert Path(tree, temporary).parent == tree  # in the target's own directory
    assert (tree / "old.csv").read_bytes() == b"new"
    assert leftovers(tree) == []


def test_an_existing_file_needs_force(tree: Path) -> None:
    before = snapshot(tree)
    with (
        pytest.raises(OutputError, match=r"old\.csv exists; give --force"),
        atomic_file(tree / "old.csv", force=False) as out,
    ):
        out.write("new")
    assert snapshot(tree) == before


def test_force_keeps_the_permissions_of_the_replaced_file(tree: Path) -> None:
    (tree / "old.csv").chmod(0o640)
    with atomic_file(tree / "old.csv", force=True) as out:
        out.write("new")
    assert stat.S_IMODE((tree / "old.csv").stat().st_mode) == 0o640


def test_force_replaces_a_symlink_itself_never_its_target(tree: Path) -> None:
    with atomic_file(tree / "link.csv", force=True) as out:
        out.write("new")
    assert not (tree / "link.csv").is_symlink()
    assert (tree / "link.csv").read_bytes() == b"new"
    assert (tree / "elsewhere" / "target.csv").read_bytes() == b"the link's target\n"


def test_a_symlink_without_force_is_refused_and_its_target_kept(tree: Path) -> None:
    before = snapshot(tree)
    with pytest.raises(OutputError, match="exists"), atomic_file(tree / "link.csv", force=False):
        pass
    assert snapshot(tree) == before


def test_a_dangling_symlink_is_not_followed(tree: Path) -> None:
    (tree / "dangling.csv").symlink_to(tree / "elsewhere" / "created-through-link.csv")
    with (
        pytest.raises(OutputError, match="exists"),
        atomic_file(tree / "dangling.csv", force=False) as out,
    ):
        out.write("x")
    assert not (tree / "elsewhere" / "created-through-link.csv").exists()
    with atomic_file(tree / "dangling.csv", force=True) as out:
        out.write("x")
    assert not (tree / "elsewhere" / "created-through-link.csv").exists()
    assert (tree / "dangling.csv").read_bytes() == b"x"


@pytest.mark.parametrize("force", [False, True])
def test_a_failure_leaves_the_old_file_and_no_new_file(tree: Path, force: bool) -> None:
    before = snapshot(tree)
    for name in ("old.csv", "link.csv", "new.csv"):
        with pytest.raises(RuntimeError), atomic_file(tree / name, force=True) as out:
            out.write("partial " * 10_000)
            raise RuntimeError
    assert snapshot(tree) == before


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_an_interruption_cleans_up(tree: Path, interruption: type[BaseException]) -> None:
    before = snapshot(tree)
    with pytest.raises(interruption), atomic_file(tree / "old.csv", force=True) as out:
        out.write("partial")
        raise interruption
    assert snapshot(tree) == before


def test_a_full_disk_leaves_everything_as_it_was(tree: Path) -> None:
    before = snapshot(tree)

    def full(fd: int, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_output.os, "write", full)
        with (
            pytest.raises(OutputError, match="No space left on device"),
            atomic_file(tree / "old.csv", force=True) as out,
        ):
            out.write("x" * 100_000)
    assert snapshot(tree) == before


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: p.mkdir(), "a directory"),
        (os.mkfifo, "a FIFO"),
        (lambda p: p.symlink_to("/dev/null"), "a symbolic link to a device"),
    ],
)
@pytest.mark.parametrize("force", [False, True])
def test_refused_kinds(tree: Path, make: Callable[[Path], None], kind: str, force: bool) -> None:
    if not hasattr(os, "mkfifo") and kind == "a FIFO":
        pytest.skip("no FIFOs on this platform")
    make(tree / "special")
    before = snapshot(tree)
    with (
        pytest.raises(OutputError, match=f"it is {kind}"),
        atomic_file(tree / "special", force=force) as out,
    ):
        out.write("x")
    assert snapshot(tree) == before


def test_a_socket_is_refused(tmp_path: Path) -> None:
    # AF_UNIX paths are short: bind in a short directory of our own.
    short = Path(tempfile.mkdtemp(prefix="s", dir="/tmp" if Path("/tmp").is_dir() else None))  # noqa: S108
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(short / "sock"))
            with (
                pytest.raises(OutputError, match="it is a socket"),
                atomic_file(short / "sock", force=True),
            ):
                pass
            assert stat.S_ISSOCK((short / "sock").lstat().st_mode)
    finally:
        shutil.rmtree(short)


def test_a_device_is_refused_and_never_unlinked() -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null here")
    with (
        pytest.raises(OutputError, match="it is a device"),
        atomic_file("/dev/null", force=True) as out,
    ):
        out.write("x")
    assert stat.S_ISCHR(Path("/dev/null").lstat().st_mode)


def test_writing_files_needs_no_part_of_the_command_line(tree: Path) -> None:
    """The library's file writer stands alone: nothing of ``titre_mercd._cli`` is imported."""
    program = (
        "import sys\n"
        "from titre_mercd._output import atomic_file\n"
        "with atomic_file(sys.argv[1], force=False) as out:\n"
        "    out.write('x' * 100_000)\n"
        "print(sorted(m for m in sys.modules if m.startswith('titre_mercd._cli')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, str(tree / "out.txt")],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")
    assert (tree / "out.txt").read_text() == "x" * 100_000


def test_a_missing_directory_is_an_output_error(tree: Path) -> None:
    with (
        pytest.raises(OutputError, match="No such file"),
        atomic_file(tree / "no" / "x", force=True),
    ):
        pass


def test_messages_show_at_most_a_few_hundred_characters_of_the_path(tree: Path) -> None:
    long_name = "x" * 250
    (tree / long_name).write_bytes(b"")
    with pytest.raises(OutputError) as caught, atomic_file(tree / long_name, force=False):
        pass
    assert len(str(caught.value)) < 300


# ---------------------------------------------------------------- a directory of files


def test_a_new_directory_appears_whole(tmp_path: Path) -> None:
    with atomic_directory(tmp_path / "tables", force=False) as writer:
        writer.open("a.csv").write("a")
        writer.open("b.bin", binary=True).write(b"b")
        assert not (tmp_path / "tables").exists()  # built under another name
    assert snapshot(tmp_path / "tables") == {
        "a.csv": ("file", b"a", 0o666 & ~current_umask()),
        "b.bin": ("file", b"b", 0o666 & ~current_umask()),
    }
    assert leftovers(tmp_path) == []


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_failure_in_a_new_directory_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_directory(tmp_path / "t", force=False) as w:
        w.open("a.csv").write("a")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_failure_before_the_moves_changes_nothing_in_the_directory(tree: Path) -> None:
    before = snapshot(tree)
    with pytest.raises(OSError), atomic_directory(tree, force=True) as writer:
        writer.open("old.csv").write("new")
        writer.open("new.csv").write("new")
        raise OSError(errno.EIO, "input/output error")
    assert snapshot(tree) == before


def test_a_failed_move_puts_back_the_earlier_ones(tree: Path) -> None:
    before = snapshot(tree)
    real = os.replace
    calls = []

    def second_fails(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise OSError(errno.EIO, "input/output error")
        real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_output.os, "replace", second_fails)
        with pytest.raises(OutputError), atomic_directory(tree, force=True) as writer:
            writer.open("old.csv").write("new")
            writer.open("link.csv").write("new")
            writer.open("new.csv").write("new")
    assert snapshot(tree) == before


def test_a_directory_entry_in_the_way_fails_before_any_file_is_written(tree: Path) -> None:
    (tree / "b.csv").mkdir()
    before = snapshot(tree)
    with (
        pytest.raises(OutputError, match="it is a directory"),
        atomic_directory(tree, force=True) as writer,
    ):
        writer.open("a.csv").write("a")
        writer.open("b.csv").write("b")
    assert snapshot(tree) == before


def test_nothing_is_written_through_a_symlink_inside_the_directory(tree: Path) -> None:
    outside = tree / "elsewhere" / "outside.csv"
    (tree / "codes.csv").symlink_to(outside)
    before = snapshot(tree)
    with pytest.raises(OutputError, match="exists"), atomic_directory(tree, force=False) as w:
        w.open("codes.csv").write("x")
    assert snapshot(tree) == before
    with atomic_directory(tree, force=True) as writer:
        writer.open("codes.csv").write("x")
    assert not outside.exists()
    assert (tree / "codes.csv").read_bytes() == b"x"
    assert not (tree / "codes.csv").is_symlink()


@pytest.mark.parametrize("name", ["../escape.csv", "sub/a.csv", "..", ".", "", "a\0b"])
def test_only_plain_names_inside_the_directory(tree: Path, name: str) -> None:
    before = snapshot(tree.parent)
    with (
        pytest.raises(OutputError, match="only plain file names"),
        atomic_directory(tree, force=True) as writer,
    ):
        writer.open(name)
    assert snapshot(tree.parent) == before


def test_the_directory_itself_is_not_followed(tree: Path) -> None:
    (tree / "dir-link").symlink_to(tree / "elsewhere")
    before = snapshot(tree)
    with (
        pytest.raises(OutputError, match="symbolic link"),
        atomic_directory(tree / "dir-link", force=True),
    ):
        pass
    with (
        pytest.raises(OutputError, match="not a directory"),
        atomic_directory(tree / "old.csv", force=True),
    ):
        pass
    assert snapshot(tree) == before


# ---------------------------------------------------------------- the state machine

NAMES = ("a", "b", "c")
IN_DIRECTORY = ("x", "y", "z")
LINK_TARGETS = ("outside/file", "outside/missing", "outside/dir", "/dev/null", "a")
FAULT_POINTS = ("body", "write", "fsync", "replace", "link", "open", "none")


class InjectedError(Exception):
    """The failure injected by the state machine."""


class Faults:
    """Make the ``count``-th call of one operation of :mod:`titre_mercd._output` fail."""

    def __init__(self, point: str, count: int, error: BaseException) -> None:
        self.point, self.count, self.error = point, count, error
        self.fired = False
        self._calls = 0

    def tick(self) -> None:
        self._calls += 1
        if self._calls == self.count and not self.fired:
            self.fired = True
            raise self.error

    @contextlib.contextmanager
    def installed(self) -> Any:
        with pytest.MonkeyPatch.context() as patch:
            if self.point in ("fsync", "replace", "link", "open", "write"):
                real = getattr(os, self.point)

                def failing(*args: Any, **kwargs: Any) -> Any:
                    self.tick()
                    return real(*args, **kwargs)

                patch.setattr(_output.os, self.point, failing)
            yield


def with_files(before: Snapshot, after: Snapshot, files: dict[str, bytes]) -> Snapshot | None:
    """``before`` with ``files`` written: an existing file's permissions kept, else ``after``'s."""
    expected = dict(before)
    for key, content in files.items():
        old = before.get(key)
        if old is not None and old[0] == "file":
            mode = old[2]
        elif key in after and after[key][0] == "file":
            mode = after[key][2]
        else:
            return None
        expected[key] = ("file", content, mode)
    return expected


def writable(root: Path, name: str, force: bool) -> bool:
    """Whether ``name`` under ``root`` may be replaced (the model of the promises)."""
    path = root / name
    try:
        status = path.lstat()
    except FileNotFoundError:
        return True
    if stat.S_ISREG(status.st_mode):
        return force
    if stat.S_ISLNK(status.st_mode):
        try:
            followed = path.stat()
        except OSError:
            return force
        return force and stat.S_ISREG(followed.st_mode)
    return False


class OutputMachine(RuleBasedStateMachine):
    """Random trees of files, links and directories; writes that may fail anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.base = Path(tempfile.mkdtemp())
        self.root = self.base / "root"
        self.root.mkdir()
        (self.base / "outside").mkdir()
        (self.base / "outside" / "file").write_bytes(b"outside")
        (self.base / "outside" / "dir").mkdir()

    def teardown(self) -> None:
        shutil.rmtree(self.base)

    @initialize()
    def start(self) -> None:
        self.before = snapshot(self.base)

    def _clear(self, path: Path) -> None:
        if path.is_symlink() or path.is_file() or (path.exists() and not path.is_dir()):
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)

    @rule(name=st.sampled_from((*NAMES, *(f"d/{n}" for n in IN_DIRECTORY))), data=st.binary())
    def put_file(self, name: str, data: bytes) -> None:
        path = self.root / name
        if not path.parent.is_dir() or path.parent.is_symlink():
            return
        self._clear(path)
        path.write_bytes(data)

    @rule(
        name=st.sampled_from((*NAMES, "d", *(f"d/{n}" for n in IN_DIRECTORY))),
        points_to=st.sampled_from(LINK_TARGETS),
    )
    def put_link(self, name: str, points_to: str) -> None:
        path = self.root / name
        if not path.parent.is_dir() or path.parent.is_symlink():
            return
        self._clear(path)
        link = points_to if points_to.startswith("/") or points_to == "a" else self.base / points_to
        path.symlink_to(link)

    @rule(name=st.sampled_from((*NAMES, "d", *(f"d/{n}" for n in IN_DIRECTORY))))
    def put_directory(self, name: str) -> None:
        path = self.root / name
        if not path.parent.is_dir() or path.parent.is_symlink():
            return
        self._clear(path)
        path.mkdir()

    @rule(name=st.sampled_from(NAMES))
    def put_fifo(self, name: str) -> None:
        self._clear(self.root / name)
        os.mkfifo(self.root / name)

    @rule(name=st.sampled_from(("d", *NAMES)))
    def remove(self, name: str) -> None:
        self._clear(self.root / name)

    def _attempt(
        self,
        write: Callable[[Callable[[], None]], None],
        faults: Faults,
        allowed: bool,
        complete: Callable[[Snapshot, Snapshot], Snapshot | None],
    ) -> None:
        """Run ``write``; then either its complete output is in place or nothing changed.

        ``complete(before, after)`` is the tree with the new output in place, or ``None``
        when ``after`` does not even hold the names written.
        """
        before = snapshot(self.base)

        def body_point() -> None:
            if faults.point == "body":
                faults.tick()

        try:
            with faults.installed():
                write(body_point)
        except (OutputError, InjectedError, KeyboardInterrupt, OSError) as exc:
            assert faults.fired or not allowed, f"{exc!r} without a cause"
            if isinstance(exc, OSError) and not isinstance(exc, OutputError):
                # every write error is reported as an OutputError
                assert isinstance(exc, InjectedError) or faults.point == "body"
            after = snapshot(self.base)
            # An interruption that comes after the last move finds the output complete.
            assert after == before or (allowed and complete(before, after) == after)
        else:
            assert allowed, "a write that should have been refused succeeded"
            after = snapshot(self.base)
            assert complete(before, after) == after

    @rule(
        name=st.sampled_from(NAMES),
        content=st.lists(st.text(), max_size=4),
        force=st.booleans(),
        point=st.sampled_from(FAULT_POINTS),
        count=st.integers(1, 4),
        error=st.sampled_from((InjectedError, KeyboardInterrupt, OSError)),
    )
    def write_file(  # noqa: PLR0917  (hypothesis passes each drawn value by name)
        self,
        name: str,
        content: list[str],
        force: bool,
        point: str,
        count: int,
        error: type[BaseException],
    ) -> None:
        allowed = writable(self.root, name, force)
        faults = Faults(point, count, error(errno.ENOSPC, "No space left on device"))

        def write(body_point: Callable[[], None]) -> None:
            with atomic_file(self.root / name, force=force) as out:
                for piece in content:
                    body_point()
                    out.write(piece)
                    out.flush()
                body_point()

        def complete(before: Snapshot, after: Snapshot) -> Snapshot | None:
            return with_files(before, after, {f"root/{name}": "".join(content).encode()})

        self._attempt(write, faults, allowed, complete)

    @rule(
        names=st.lists(st.sampled_from(IN_DIRECTORY), unique=True, max_size=3),
        force=st.booleans(),
        point=st.sampled_from(FAULT_POINTS),
        count=st.integers(1, 6),
        error=st.sampled_from((InjectedError, KeyboardInterrupt, OSError)),
    )
    def write_directory(
        self,
        names: list[str],
        force: bool,
        point: str,
        count: int,
        error: type[BaseException],
    ) -> None:
        folder = self.root / "d"
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            allowed = False
        else:
            allowed = all(writable(folder, n, force) for n in names)
        faults = Faults(point, count, error(errno.EIO, "Input/output error"))

        def write(body_point: Callable[[], None]) -> None:
            with atomic_directory(folder, force=force) as writer:
                for n in names:
                    body_point()
                    writer.open(n, binary=True).write(n.encode() * 3)
                body_point()

        def complete(before: Snapshot, after: Snapshot) -> Snapshot | None:
            if "root/d" not in after:
                return None
            expected = {**before, "root/d": before.get("root/d", after["root/d"])}
            return with_files(expected, after, {f"root/d/{n}": n.encode() * 3 for n in names})

        self._attempt(write, faults, allowed, complete)

    @invariant()
    def no_temporary_file_is_left(self) -> None:
        assert leftovers(self.base) == []

    @invariant()
    def nothing_outside_changes(self) -> None:
        assert (self.base / "outside" / "file").read_bytes() == b"outside"
        assert not (self.base / "outside" / "missing").exists()
        assert sorted(p.name for p in (self.base / "outside").iterdir()) == ["dir", "file"]
        assert list((self.base / "outside" / "dir").iterdir()) == []


TestOutputMachine = OutputMachine.TestCase
