"""Writing output files: next to the target, then moved into place, or nothing changes at all.

Every file the package writes goes through :func:`atomic_file` (one file) or
:func:`atomic_directory` (several files in one directory). The new content is written to a
temporary file in the target's own directory, flushed to disk, and only then moved over the
target with one :func:`os.replace`: what the caller named is never truncated, never written
through, and never unlinked before the new content is complete. If anything fails first (an
error, a full disk, Ctrl-C, a signal turned into an exception), the temporary files are removed
and every existing file is as it was.

What may be replaced: absent names always; with ``force``, a regular file, or a symbolic link
itself (never the file it points to). Never a directory, a device, a FIFO or a socket, nor a
symbolic link to one of them, nor anything under ``/dev`` or ``/proc``. ``/dev/stdout``,
``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` name that stream: it is written to.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import sys
from typing import IO, TYPE_CHECKING, Any, Callable

from ._write import write_all
from .exceptions import OutputError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "OutputError",
    "atomic_directory",
    "atomic_file",
    "lock",
    "remove_tree",
    "stream_descriptor",
]

_SHOWN = 200  # characters of a path a message shows


def _show(path: str | os.PathLike[str]) -> str:
    """``path`` for a message: at most a few hundred characters, control characters escaped."""
    text = os.fspath(path)
    shown = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return shown if shown.isprintable() else repr(shown)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


_REFUSED = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str | None:
    """What a file of ``mode`` is, when it is something no output may replace."""
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    return next((kind for test, kind in _REFUSED if test(mode)), "not a regular file")


_DIR_FD = {os.open, os.stat, os.link, os.rename, os.unlink} <= os.supports_dir_fd
_LINK_ITSELF = os.link in os.supports_follow_symlinks


class _Place:
    """A directory, opened once, in which names are looked up, created and replaced.

    Where the platform allows it, every operation is relative to the directory's file
    descriptor: the directory cannot be swapped for another (or for a symbolic link) between
    the checks and the moves.
    """

    def __init__(self, directory: str, shown: str | None = None) -> None:
        """Open ``directory``; errors name ``shown`` (the file asked for) if given."""
        self.directory = directory
        self._fd: int | None = None
        what = f"write {shown}" if shown is not None else f"write in {_show(directory or '.')}"
        if _DIR_FD and hasattr(os, "O_DIRECTORY"):
            flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
            try:
                self._fd = os.open(directory or ".", flags)
            except OSError as exc:
                raise OutputError(f"cannot {what}: {_reason(exc)}") from None
        elif not os.path.isdir(directory or "."):
            raise OutputError(f"cannot {what}: not a directory")

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _at(self, name: str) -> tuple[str, dict[str, Any]]:
        if self._fd is None:
            return os.path.join(self.directory, name), {}
        return name, {"dir_fd": self._fd}

    def lstat(self, name: str) -> os.stat_result | None:
        """The status of ``name`` itself (a link is not followed), ``None`` when absent."""
        where, at = self._at(name)
        try:
            return os.stat(where, follow_symlinks=False, **at)
        except FileNotFoundError:
            return None

    def stat(self, name: str) -> os.stat_result | None:
        """The status of what ``name`` leads to, ``None`` when nothing does."""
        where, at = self._at(name)
        try:
            return os.stat(where, **at)
        except OSError:  # dangling, a loop, or out of reach: only the link itself counts
            return None

    def create(self, name: str, mode: int) -> int:
        """A new file ``name``, open for writing, which did not exist before."""
        where, at = self._at(name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        return os.open(where, flags, mode, **at)

    def _pair(self, source: str, target: str) -> tuple[str, str, dict[str, Any]]:
        if self._fd is None:
            return os.path.join(self.directory, source), os.path.join(self.directory, target), {}
        return source, target, {"src_dir_fd": self._fd, "dst_dir_fd": self._fd}

    def replace(self, source: str, target: str) -> None:
        src, dst, at = self._pair(source, target)
        os.replace(src, dst, **at)

    def link(self, source: str, target: str) -> None:
        """A second name ``target`` for ``source`` itself (a link is linked, not followed)."""
        if not _LINK_ITSELF:
            raise OSError(0, "hard links to a link itself are not supported here")
        src, dst, at = self._pair(source, target)
        os.link(src, dst, follow_symlinks=False, **at)

    def unlink(self, name: str) -> None:
        where, at = self._at(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(where, **at)

    def sync(self) -> None:
        """Make the moves done in the directory durable, where the platform can."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)

    def temporary_name(self, name: str) -> str:
        return f".{name[:64]}.{os.urandom(6).hex()}.tmp"

    def check(self, name: str, force: bool, shown: str) -> os.stat_result | None:
        """What ``name`` is now, when it may be replaced; :class:`OutputError` if not."""
        try:
            status = self.lstat(name)
        except OSError as exc:
            raise OutputError(f"cannot write {shown}: {_reason(exc)}") from None
        if status is None:
            return None
        kind = _kind(status.st_mode)
        if kind is None and stat.S_ISLNK(status.st_mode):
            target = self.stat(name)
            kind = None if target is None else _kind(target.st_mode)
            if kind is not None:
                kind = f"a symbolic link to {kind}"
        if kind is not None:
            raise OutputError(f"cannot write {shown}: it is {kind}; only files are written")
        system = _system_directory(self.directory)
        if system is not None:
            raise OutputError(
                f"cannot write {shown}: it is under {system}, which belongs to the system; "
                "--force replaces only files you made"
            )
        if not force:
            raise OutputError(f"{shown} exists; give --force to replace it")
        return status


_SYSTEM = ("/dev", "/proc")
_STREAM = re.compile(r"/dev/(?:(stdout)|(stderr)|fd/([0-9]{1,9}))|/proc/self/fd/([0-9]{1,9})")


def lock(fd: int) -> None:
    """Lock the open file ``fd`` without waiting; closing it releases the lock.

    Raises:
        OSError: another process holds the lock, or the system cannot lock the file.
    """
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _system_directory(directory: str) -> str | None:
    """``/dev`` or ``/proc`` when ``directory`` (links followed) is in one of them."""
    if os.name != "posix":
        return None
    real = os.path.realpath(directory or ".")
    return next((top for top in _SYSTEM if real == top or real.startswith(top + "/")), None)


def stream_descriptor(path: str | os.PathLike[str]) -> int | None:
    """The descriptor ``path`` names as a stream, ``None`` for any other path.

    ``/dev/stdout`` is 1, ``/dev/stderr`` 2, ``/dev/fd/N`` and ``/proc/self/fd/N`` are N
    (however the path is spelled: ``/dev//stdout``, ``/dev/./fd/3``). Such a name means that
    stream: it is written to, never replaced.

    >>> stream_descriptor("/dev/stdout"), stream_descriptor("/proc/self/fd/3")
    (1, 3)
    >>> stream_descriptor("out.json") is None
    True
    """
    if os.name != "posix":
        return None
    text = os.fspath(path)
    if not isinstance(text, str):
        return None
    found = _STREAM.fullmatch(os.path.normpath(text))
    if found is None:
        return None
    stdout, stderr, fd, proc_fd = found.groups()
    return 1 if stdout else 2 if stderr else int(fd or proc_fd)


@contextlib.contextmanager
def _stream_file(
    fd: int, shown: str, binary: bool, encoding: str, newline: str | None
) -> Iterator[IO[Any]]:
    """A file writing to the open descriptor ``fd``, after what the program wrote there first."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None and stream.fileno() == fd:
                stream.flush()
    copy = -1
    try:
        copy = os.dup(fd)
        raw = _Stream(copy, "wb", closefd=True)
    except OSError as exc:
        if copy >= 0:  # a descriptor io.FileIO refused (a directory) is left to close
            os.close(copy)
        raise OutputError(f"cannot write {shown}: {_reason(exc)}") from None
    raw.shown = shown
    file = _wrapped(raw, binary, encoding, newline)
    try:
        yield file
        file.flush()
    finally:
        with contextlib.suppress(OSError, ValueError):
            file.close()


def _permissions(existing: os.stat_result | None) -> int:
    """The mode of a new file: an existing regular file's permissions, else the default."""
    if existing is not None and stat.S_ISREG(existing.st_mode):
        return stat.S_IMODE(existing.st_mode) & 0o777
    return 0o666  # less the umask, as for any new file


class _Temporary(io.FileIO):
    """The raw temporary file: a failed write is reported as an :class:`OutputError`."""

    shown = ""

    def write(self, data: Any) -> int:
        try:
            return write_all(self.fileno(), data)
        except BrokenPipeError:
            raise  # a stream's reader went away: the command line ends with 141
        except OSError as exc:
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None


class _Stream(_Temporary):
    """A stream named as a file (``/dev/stderr``, ``/dev/fd/3``): written to, never replaced.

    Never seeked either: a text file on it starts with its byte order mark, if any, wherever
    the stream stands.
    """

    def seekable(self) -> bool:
        return False


def _wrapped(raw: io.FileIO, binary: bool, encoding: str, newline: str | None) -> IO[Any]:
    buffered = io.BufferedWriter(raw)
    return buffered if binary else io.TextIOWrapper(buffered, encoding=encoding, newline=newline)


class _Pending:
    """One temporary file being written, and the name it will take."""

    def __init__(
        self,
        place: _Place,
        name: str,
        shown: str,
        force: bool,
        binary: bool,
        encoding: str,
        newline: str | None,
    ) -> None:
        self.place, self.name, self.shown, self.force = place, name, shown, force
        existing = place.check(name, force, shown)
        self.temporary = place.temporary_name(name)
        mode = _permissions(existing)
        try:
            fd = place.create(self.temporary, mode)
        except OSError as exc:
            raise OutputError(f"cannot write {shown}: {_reason(exc)}") from None
        raw: _Temporary | None = None
        try:
            if existing is not None and stat.S_ISREG(existing.st_mode) and hasattr(os, "fchmod"):
                with contextlib.suppress(OSError):  # the umask would narrow the old permissions
                    os.fchmod(fd, mode)
            raw = self.raw = _Temporary(fd, "wb", closefd=True)
            raw.shown = shown
            self.file = _wrapped(raw, binary, encoding, newline)
        except BaseException:
            with contextlib.suppress(OSError):
                if raw is None:
                    os.close(fd)
                else:
                    raw.close()
            place.unlink(self.temporary)
            raise

    def finish(self) -> None:
        """Flush the content to disk and close the file (the move is left to the caller)."""
        try:
            self.file.flush()
            os.fsync(self.raw.fileno())
            self.file.close()
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None

    def discard(self) -> None:
        """Remove the temporary file and close it, whatever state it is in.

        Every step is taken even if one is interrupted (a Ctrl-C, a failing flush); the first
        interruption is raised once all are done.
        """
        _all_steps(
            lambda: self.place.unlink(self.temporary),  # first: its name is gone whatever follows
            self.file.close,
            self.raw.close,
        )


def _all_steps(*steps: Callable[[], object]) -> None:
    """Run every step; errors are ignored, and the first interruption is raised at the end."""
    interruption: BaseException | None = None
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001, PERF203, S110  (cleaning: an error must not stop the rest)
            pass
        except BaseException as exc:  # noqa: BLE001  (a Ctrl-C waits for the cleaning to end)
            interruption = interruption or exc
    if interruption is not None:
        raise interruption


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back catchable signals while the moves happen, so they are not cut in two."""
    try:
        import signal

        block = signal.pthread_sigmask
    except (ImportError, AttributeError):  # pragma: no cover (Windows)
        yield
        return
    names = ("SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE", "SIGQUIT")
    wanted = {getattr(signal, name) for name in names if hasattr(signal, name)}
    previous = block(signal.SIG_BLOCK, wanted)
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)


def _split(path: str | os.PathLike[str]) -> tuple[str, str]:
    text = os.fspath(path)
    directory, name = os.path.split(text)
    if not name or name in (".", ".."):
        raise OutputError(f"cannot write {_show(text)}: it names a directory, not a file")
    return directory, name


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str],
    *,
    force: bool,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """A file to write ``path``'s new content in, put in place only if the block succeeds.

    The file is a temporary one in ``path``'s directory; when the ``with`` block ends without
    error it is flushed to disk and moved over ``path`` in one step. If the block raises
    (anything, ``KeyboardInterrupt`` and ``SystemExit`` included), the temporary file is removed
    and ``path`` is as it was.

    ``force``: replace ``path`` if it is a regular file or a symbolic link (the link itself is
    replaced; the file it points to is left alone). ``binary``: a binary file, not a text one.
    A path naming a stream (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``,
    ``/proc/self/fd/N``: see :func:`stream_descriptor`) is written to as that stream, and what
    the block wrote stays there even if it fails.

    Raises:
        OutputError: ``path`` exists and ``force`` is false; it is a directory, a device, a
            FIFO or a socket (or a link to one), or under ``/dev`` or ``/proc``; its directory
            is missing; or writing fails.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_file(target, force=False) as out:
    ...     _ = out.write("new")
    >>> target.read_text()
    'new'
    """
    shown = _show(path)
    fd = stream_descriptor(path)
    if fd is not None:
        with _stream_file(fd, shown, binary, encoding, newline) as stream:
            yield stream
        return
    directory, name = _split(path)
    place = _Place(directory, shown)
    pending: _Pending | None = None
    try:
        try:
            pending = _Pending(place, name, shown, force, binary, encoding, newline)
            yield pending.file
            pending.finish()
            with _signals_held():
                _move(pending)
        except BaseException:
            if pending is not None:
                pending.discard()
            raise
        place.sync()
    finally:
        place.close()


def _move(pending: _Pending) -> None:
    """Put the finished temporary file in place under its name."""
    place, name, shown = pending.place, pending.name, pending.shown
    place.check(name, pending.force, shown)  # still what it was allowed to be
    try:
        if not pending.force:
            # A link fails if the name appeared meanwhile: nothing created since is replaced.
            try:
                place.link(pending.temporary, name)
            except FileExistsError:
                raise OutputError(f"{shown} exists; give --force to replace it") from None
            except OSError:  # a file system without hard links
                place.replace(pending.temporary, name)
            else:
                place.unlink(pending.temporary)
        else:
            place.replace(pending.temporary, name)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {_reason(exc)}") from None


class DirectoryWriter:
    """The files being written for one directory; see :func:`atomic_directory`."""

    def __init__(self, place: _Place, shown: str, force: bool) -> None:
        self._place = place
        self._shown = shown
        self._force = force
        self._pending: dict[str, _Pending] = {}

    def open(
        self,
        name: str,
        binary: bool = False,
        encoding: str = "utf-8",
        newline: str | None = None,
    ) -> IO[Any]:
        """A file to write the new content of ``name`` (a plain file name) in.

        Raises:
            OutputError: ``name`` is not a plain name inside the directory, was opened
                already, or cannot be replaced.
        """
        if (
            not name
            or name in (".", "..")
            or "\0" in name
            or os.sep in name
            or (os.altsep is not None and os.altsep in name)
        ):
            raise OutputError(
                f"cannot write {_show(name)} in {self._shown}: "
                "only plain file names inside the directory are written"
            )
        if name in self._pending:
            raise OutputError(f"{_show(name)} is written twice in {self._shown}")
        shown = _show(os.path.join(self._shown, name))
        pending = _Pending(self._place, name, shown, self._force, binary, encoding, newline)
        self._pending[name] = pending
        return pending.file

    def _discard(self) -> None:
        _all_steps(*(pending.discard for pending in self._pending.values()))

    def _commit(self) -> None:
        """Flush every file, check every name again, then make the moves (undone on failure)."""
        for pending in self._pending.values():
            pending.finish()
        for pending in self._pending.values():
            self._place.check(pending.name, self._force, pending.shown)
        with _signals_held():
            _move_all(self._place, list(self._pending.values()))
        self._place.sync()


def _move_all(place: _Place, pendings: list[_Pending]) -> None:
    """Move every file into place; if one move fails, put back what the earlier ones replaced.

    Each old file is kept under a second name until all the moves are done.
    """
    done: list[tuple[_Pending, str | None, bool]] = []
    backups: list[str] = []
    try:
        for pending in pendings:
            backup = None
            existed = place.lstat(pending.name) is not None
            if existed:
                backup = place.temporary_name(pending.name)
                try:
                    place.link(pending.name, backup)
                except OSError:  # no hard links here: this one cannot be undone
                    backup = None
                else:
                    backups.append(backup)
            _move(pending)
            done.append((pending, backup, existed))
    except BaseException:
        for pending, backup, existed in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None:
                    place.replace(backup, pending.name)
                elif not existed:
                    place.unlink(pending.name)
        raise
    finally:
        for backup in backups:
            place.unlink(backup)


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str], *, force: bool) -> Iterator[DirectoryWriter]:
    r"""A writer of files for the directory ``path``, put in place only if the block succeeds.

    Each ``writer.open(name)`` gives a temporary file. When the ``with`` block ends without
    error, every file is flushed to disk, then each is moved into place (one :func:`os.replace`
    each, undone if a later one fails). If the block raises, every temporary file is removed
    and nothing in the directory has changed. A directory that does not exist yet is built
    under a temporary name beside it and renamed into place at the end.

    ``force``: replace files of the same names (regular files, or symbolic links themselves).

    Raises:
        OutputError: ``path`` is not a directory (or is a link to one); a name is not a plain
            file name; a file exists and ``force`` is false, or is something else than a file;
            or writing fails.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "tables"
    >>> with atomic_directory(folder, force=False) as writer:
    ...     _ = writer.open("a.csv").write("1\\n")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.csv']
    """
    text = os.fspath(path)
    shown = _show(text)
    parent, name = _split(text.rstrip("/") or text)
    try:
        status: os.stat_result | None = os.lstat(text)
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise OutputError(f"cannot write in {shown}: {_reason(exc)}") from None
    if status is not None:
        if stat.S_ISLNK(status.st_mode):
            raise OutputError(
                f"cannot write in {shown}: it is a symbolic link; name the directory itself"
            )
        if not stat.S_ISDIR(status.st_mode):
            raise OutputError(f"cannot write in {shown}: it is not a directory")
        yield from _fill(_Place(text), shown, force, lambda: None)
    else:
        yield from _new_directory(parent, name, shown, force)


def _new_directory(parent: str, name: str, shown: str, force: bool) -> Iterator[DirectoryWriter]:
    """A directory that does not exist yet: built beside, under a temporary name, then renamed."""
    outer = _Place(parent)
    try:
        building = outer.temporary_name(name)
        where = os.path.join(parent, building)
        try:
            os.mkdir(where, 0o777)
        except OSError as exc:
            raise OutputError(f"cannot create {shown}: {_reason(exc)}") from None

        def rename() -> None:
            with _signals_held():
                if outer.lstat(name) is not None:
                    raise OutputError(f"{shown} appeared while it was being written")
                try:
                    outer.replace(building, name)
                except OSError as exc:
                    raise OutputError(f"cannot create {shown}: {_reason(exc)}") from None
            outer.sync()

        try:
            yield from _fill(_Place(where), shown, force, rename)
        except BaseException:
            remove_tree(where)
            raise
    finally:
        outer.close()


def _fill(
    place: _Place, shown: str, force: bool, then: Callable[[], None]
) -> Iterator[DirectoryWriter]:
    """Yield a writer for ``place``; commit its files and call ``then`` if no error."""
    writer = DirectoryWriter(place, shown, force)
    try:
        try:
            yield writer
            writer._commit()  # noqa: SLF001  (the writer's own module)
        finally:
            writer._discard()  # noqa: SLF001
        then()
    finally:
        place.close()


def remove_tree(path: str) -> None:
    """Remove a directory this run (or an interrupted one) was building: all of it is ours."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)
