"""Replacing a whole directory at once: readers see the old one or the new one, never a mix.

The target is a stable name: a symbolic link swapped in one :func:`os.replace` (or ``renameat2``
exchange) onto complete directories kept in a sibling store, ``.NAME.versions/``, so that
``use_data(target)`` and ``--data target`` keep working on the same name; a reader resolves it
once (:func:`os.path.realpath`) and reads every file of one load through that path.

What it guarantees:

- Nothing but what a run of this program wrote is ever moved, replaced or deleted: an earlier
  copy is removed file by file, only the files its manifest lists, and a folder only when it
  is empty.
- Two runs cannot both write one target: a lock file in the store is held for the whole run
  (a second run is refused at once), and a new target is created with a no-replace
  :func:`os.symlink`.
- The target is checked at the start and again, signals held, at the moment of the swap.
- A signal after the swap leaves the new directory complete; the old copy, whole or in part,
  is removed by a later run.

Where symbolic links cannot be made (Windows without the privilege), the target is a plain
directory moved aside and replaced by two renames: there is then an instant without it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from typing import TYPE_CHECKING, Callable

from ._output import _reason, _show, _signals_held, _system_directory, lock, remove_tree
from .exceptions import OutputError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

__all__ = ["STORE_SUFFIX", "replace_directory"]

STORE_SUFFIX = ".versions"
"""The store of ``NAME`` is the hidden sibling directory ``.NAME.versions``."""

_LOCK = "lock"
_BUILDING = "b-"  # a directory being built (removed whole: nothing else writes there)
_COMPLETE = "d-"  # a complete directory, current or old
_LINK = "l-"  # a symbolic link about to become the target
_SHOWN_FILES = 10  # extra files a refusal names
MANIFEST = "MANIFEST.json"  # an old copy's manifest is removed last, so a later run can finish

WrittenFiles = Callable[[str], "Collection[str] | None"]


@contextlib.contextmanager
def replace_directory(
    target: str | os.PathLike[str], *, force: bool, written_files: WrittenFiles
) -> Iterator[str]:
    """An empty directory to fill; when the block succeeds it becomes ``target``, in one step.

    ``force``: an existing ``target`` may be replaced, if ``written_files`` vouches for it.
    ``written_files(path)``: the files (POSIX paths relative to ``path``) that an earlier run
    wrote in the existing directory ``path``, from its manifest, the manifest included; ``None``
    when no such run wrote it. Anything else found there makes the run refuse, naming those
    files, and delete nothing. Directories and files are created with the usual mode, less the
    umask. See the module's documentation for the guarantees.

    Raises:
        OutputError: before the block runs, ``target`` exists without ``force``, is not a
            directory a run wrote, holds other files, or another run holds the lock; after it,
            ``target`` appeared or changed meanwhile (the new directory is then removed and
            ``target`` left as it is); or writing fails.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "data"
    >>> with replace_directory(target, force=False, written_files=lambda path: None) as new:
    ...     _ = (pathlib.Path(new) / "a.txt").write_text("new")
    >>> (target / "a.txt").read_text()
    'new'
    """
    text = os.fspath(target).rstrip(os.sep) or os.fspath(target)
    shown = _show(text)
    parent, name = os.path.split(os.path.abspath(text))
    if not name or name in (".", ".."):
        raise OutputError(f"cannot write {shown}: it names no directory")
    system = _system_directory(parent)
    if system is not None:
        raise OutputError(
            f"cannot write {shown}: it is under {system}, which belongs to the system: refused"
        )
    swap = _Swap(parent, name, shown, force, written_files)
    with swap.locked():
        before = swap.check()
        swap.clean(keep=before)
        building = swap.build()
        try:
            yield building
            swap.put_in_place(building, before)
        except BaseException:
            remove_tree(building)
            raise


class _Swap:
    """One run's view of ``parent/name`` and of its store ``parent/.name.versions``."""

    def __init__(
        self, parent: str, name: str, shown: str, force: bool, written_files: WrittenFiles
    ) -> None:
        self.parent, self.name, self.shown, self.force = parent, name, shown, force
        self.written_files = written_files
        self.target = os.path.join(parent, name)
        self.store_name = f".{name}{STORE_SUFFIX}"
        self.store = os.path.join(parent, self.store_name)

    # -- the lock

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock for the whole run; refuse if another run holds it."""
        if not os.path.isdir(self.parent):
            raise OutputError(f"cannot write {self.shown}: {self.parent} is not a directory")
        try:
            os.mkdir(self.store, 0o777)
        except FileExistsError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None
        status = os.lstat(self.store)
        if not stat.S_ISDIR(status.st_mode):
            raise OutputError(
                f"cannot write {self.shown}: {_show(self.store)} is in the way "
                "(this program keeps the directory's copies there); move it away"
            )
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        flags |= getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(os.path.join(self.store, _LOCK), flags, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None
        try:
            _lock(fd, self.shown)
            try:
                yield
            finally:
                self._drop_empty_store()
        finally:
            os.close(fd)  # releases the lock

    def _drop_empty_store(self) -> None:
        """A store that holds nothing but the lock goes (a refused or failed first run)."""
        with contextlib.suppress(OSError):
            if os.listdir(self.store) == [_LOCK]:
                os.unlink(os.path.join(self.store, _LOCK))
                os.rmdir(self.store)

    # -- what the target is

    def check(self) -> os.stat_result | None:
        """What ``target`` is now, if this run may replace it; refuse otherwise."""
        try:
            status = os.lstat(self.target)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None
        if stat.S_ISLNK(status.st_mode):
            if self._ours(os.readlink(self.target)) is None:
                raise OutputError(
                    f"{self.shown} is a symbolic link this program did not make: refused, "
                    "--force or not"
                )
            real = os.path.join(self.parent, os.readlink(self.target))
        elif stat.S_ISDIR(status.st_mode):
            real = self.target
        else:
            raise OutputError(f"{self.shown} exists and is not a data directory: refused")
        listed = self.written_files(real)
        if listed is None:
            raise OutputError(
                f"{self.shown} exists and was not written by titre-mercd (its manifest does "
                "not say so): refused, --force or not"
            )
        others = _others(real, listed)
        if others:
            more = len(others) - _SHOWN_FILES
            names = ", ".join(_show(other) for other in others[:_SHOWN_FILES])
            raise OutputError(
                f"{self.shown} holds files titre-mercd did not write: {names}"
                + (f" and {more} more" if more > 0 else "")
                + "; move them away first (nothing was deleted)"
            )
        if not self.force:
            raise OutputError(f"{self.shown} exists; give --force to replace it")
        return status

    def _ours(self, link: str) -> str | None:
        """The store entry a link's text names, if it is one of this program's copies."""
        folder, _, entry = link.partition("/")
        if folder == self.store_name and entry.startswith(_COMPLETE) and "/" not in entry:
            return entry
        return None

    # -- building, then the swap

    def build(self) -> str:
        building = os.path.join(self.store, _BUILDING + os.urandom(8).hex())
        try:
            os.mkdir(building, 0o777)
        except OSError as exc:
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None
        return building

    def put_in_place(self, building: str, before: os.stat_result | None) -> None:
        """Make the complete directory ``building`` the target, checking the target again."""
        entry = _COMPLETE + os.urandom(8).hex()
        complete = os.path.join(self.store, entry)
        os.rename(building, complete)
        swapped = False
        try:
            with _signals_held():  # a signal held here is raised as this block ends
                old = self._swap(complete, f"{self.store_name}/{entry}", before)
                swapped = True
        except BaseException:
            if not swapped:
                remove_tree(complete)
            raise  # after the swap: the new directory stays; a later run removes the old
        if old is not None:
            _remove_copy(old, self.written_files)

    def _swap(self, complete: str, link: str, before: os.stat_result | None) -> str | None:
        """The swap itself (signals held); the old copy's path, if there is one to remove."""
        if before is None and os.path.lexists(self.target):
            raise OutputError(f"{self.shown} appeared while it was being written: left as it is")
        now = self.check()
        if (now is None) != (before is None) or (
            now is not None and before is not None and _identity(now) != _identity(before)
        ):
            raise OutputError(f"{self.shown} changed while it was being written: left as it is")
        if now is None:
            try:
                os.symlink(link, self.target, target_is_directory=True)
            except FileExistsError:
                raise OutputError(
                    f"{self.shown} appeared while it was being written: left as it is"
                ) from None
            except (OSError, NotImplementedError):  # no symbolic links here
                return self._plain_swap(complete, None)
            return None
        return self._replace(complete, link, now)

    def _replace(self, complete: str, link: str, now: os.stat_result) -> str | None:
        """Put a link to ``complete`` over the existing target ``now``; the old copy's path."""
        old_link = os.readlink(self.target) if stat.S_ISLNK(now.st_mode) else None
        staged = os.path.join(self.store, _LINK + os.urandom(8).hex())
        try:
            os.symlink(link, staged, target_is_directory=True)
        except (OSError, NotImplementedError):
            return self._plain_swap(complete, now)
        changed = False
        try:
            if _exchange(staged, self.target):
                changed = _identity(os.lstat(staged)) != _identity(now)  # since the check
                if changed:
                    _exchange(staged, self.target)  # put back as it was
            elif old_link is not None:
                os.replace(staged, self.target)
            else:  # a plain directory (an earlier version's import), moved aside first
                os.rename(self.target, staged + ".old")
                os.replace(staged, self.target)
                return staged + ".old"
        except OSError as exc:
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None
        finally:
            with contextlib.suppress(OSError):
                if os.path.islink(staged):
                    os.unlink(staged)
        if changed:
            raise OutputError(f"{self.shown} changed while it was being written: left as it is")
        if old_link is not None:
            return os.path.join(self.parent, old_link)
        return staged  # the old plain directory, exchanged

    def _plain_swap(self, complete: str, now: os.stat_result | None) -> str | None:
        """Without symbolic links: the old directory moved aside, the new one renamed in."""
        old = None
        if now is not None:
            old = os.path.join(self.store, _COMPLETE + os.urandom(8).hex())
            os.rename(self.target, old)
        try:
            os.rename(complete, self.target)
        except OSError as exc:
            if old is not None:
                os.rename(old, self.target)
            raise OutputError(f"cannot write {self.shown}: {_reason(exc)}") from None
        return old

    # -- cleaning what earlier runs left

    def clean(self, keep: os.stat_result | None) -> None:
        """Remove the copies and builds earlier runs left in the store (the current one kept)."""
        current = None
        if keep is not None and stat.S_ISLNK(keep.st_mode):
            current = self._ours(os.readlink(self.target))
        try:
            entries = os.listdir(self.store)
        except OSError:
            return
        for entry in entries:
            path = os.path.join(self.store, entry)
            if entry.startswith(_BUILDING):
                remove_tree(path)
            elif entry.startswith(_LINK):
                with contextlib.suppress(OSError):
                    if os.path.islink(path):
                        os.unlink(path)
                    else:  # an old plain directory, exchanged then interrupted
                        _remove_copy(path, self.written_files)
            elif entry.startswith(_COMPLETE) and entry != current:
                _remove_copy(path, self.written_files)


def _identity(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def _lock(fd: int, shown: str) -> None:
    """Take the run's lock on ``fd`` without waiting; refuse when another run holds it."""
    try:
        lock(fd)
    except OSError as exc:
        if sys.platform == "win32" or exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise OutputError(
                f"another titre-mercd run is writing {shown}: try again once it has ended"
            ) from None
        raise OutputError(f"cannot lock {shown}: {_reason(exc)}") from None


_RENAME_EXCHANGE = 2


def _exchange(first: str, second: str) -> bool:
    """Swap two names in one step (Linux's ``renameat2``); ``False`` where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it
        return False
    at_cwd = -100
    result = function(
        at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    if result == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # kernel or file system
        return False
    raise OSError(number, os.strerror(number), second)


def _others(root: str, listed: Collection[str]) -> list[str]:
    """What ``root`` holds besides the files ``listed`` and the folders leading to them."""
    wanted = set(listed)
    folders = {
        "/".join(path.split("/")[:i]) for path in wanted for i in range(1, path.count("/") + 1)
    }
    others = []
    for here, directories, files in os.walk(root):
        relative = os.path.relpath(here, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for folder in list(directories):
            path = prefix + folder
            if os.path.islink(os.path.join(here, folder)) or path not in folders:
                others.append(path + ("" if os.path.islink(os.path.join(here, folder)) else "/"))
                directories.remove(folder)
        others.extend(prefix + file for file in files if prefix + file not in wanted)
    return sorted(others)


def _remove_copy(path: str, written_files: WrittenFiles) -> None:
    """Remove an old copy: the files its manifest lists (the manifest last), then empty folders.

    Anything else found there is left; so is a folder that is not empty. An interrupted removal
    is finished by a later run.
    """
    if os.path.islink(path) or not os.path.isdir(path):
        return
    real = os.path.realpath(path)
    listed = written_files(path) or ()
    for relative in sorted(listed, key=lambda name: (name == MANIFEST, name)):
        parts = relative.split("/")
        if any(part in ("", ".", "..") or os.sep in part for part in parts):
            continue  # a name that would leave the copy: never followed
        file = os.path.join(real, *parts)
        if os.path.realpath(os.path.dirname(file)) != os.path.dirname(file):
            continue  # a folder on the way was made a link: what it leads to is not ours
        with contextlib.suppress(OSError):
            if not stat.S_ISDIR(os.lstat(file).st_mode):
                os.unlink(file)
    for here, _, _ in sorted(os.walk(path), key=lambda entry: -len(entry[0])):
        with contextlib.suppress(OSError):
            os.rmdir(here)
