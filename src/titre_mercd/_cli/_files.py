"""Where commands read their input and write their output: standard streams or named files.

Files are written through :mod:`titre_mercd._output`: next to the target, then moved into
place, so a failed or interrupted run leaves every existing file as it was. ``-`` names
standard input or standard output.
"""

from __future__ import annotations

import contextlib
import sys
from typing import IO, TYPE_CHECKING, Any

from ._common import BAD_INPUT, CommandError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager

__all__ = ["STDIO", "open_input", "output", "refuse_same_file", "shown", "standard_output"]

STDIO = "-"
"""The name of standard input (for an input) or standard output (for ``-o``)."""

_SHOWN = 200


def shown(path: str) -> str:
    """``path`` for a message: at most a couple of hundred characters."""
    return path if len(path) <= _SHOWN else path[: _SHOWN - 1] + "…"


def open_input(path: str) -> AbstractContextManager[IO[bytes]]:
    """The bytes of the file ``path`` names (``-``: standard input)."""
    if path == STDIO:
        stdin = sys.stdin
        if stdin is None or stdin.closed:
            raise CommandError(
                BAD_INPUT, "standard input is closed: give a file name, or pipe the file in"
            )
        return contextlib.nullcontext(stdin.buffer)
    from pathlib import Path

    try:
        return Path(path).open("rb")
    except OSError as exc:
        raise CommandError(
            BAD_INPUT, f"cannot read {shown(path)}: {exc.strerror or type(exc).__name__}"
        ) from None


def standard_output(path: str | None) -> str | None:
    """``-`` when ``path`` names standard output (``/dev/stdout``, ``/dev/fd/1``…), else ``path``.

    Such a name means the stream: the command writes there as for ``-o -``, and says nothing
    of a file written.
    """
    if path is None or path == STDIO:
        return path
    from .._output import stream_descriptor

    return STDIO if stream_descriptor(path) == 1 else path


def refuse_same_file(source: IO[bytes], name: str, target: str | None) -> None:
    """Refuse to write ``target`` when it is the open input ``source``, however it is named.

    The device and inode of the open input are compared with those of the target and, if the
    target is a symbolic link, of what it points to: standard input is caught as well as a
    second name for the same file. Standard output (``None`` or ``-``) is compared too, when
    the input is a regular file (``--csv FILE >> FILE``).
    """
    import os
    import stat
    from pathlib import Path

    try:
        opened = os.fstat(source.fileno())
    except (OSError, ValueError, AttributeError):
        return  # not a file descriptor: nothing on disk to overwrite
    if target is None or target == STDIO:
        if not stat.S_ISREG(opened.st_mode):
            return  # a terminal or a pipe on both sides is no file to overwrite
        looks: list[Any] = [lambda _: os.fstat(1)]
        target = "-"
    else:
        looks = [Path.lstat, Path.stat]
    for look in looks:
        try:
            status = look(Path(target))
        except (OSError, ValueError):
            continue
        if (status.st_dev, status.st_ino) == (opened.st_dev, opened.st_ino):
            raise CommandError(
                BAD_INPUT,
                f"-o {shown(target)} is the input file itself ({name}); write somewhere else",
            )


@contextlib.contextmanager
def output(path: str | None, force: bool, newline: str | None = None) -> Iterator[IO[str]]:
    """Standard output (``None``, ``-`` or a name of it), or a new file put in place at the end.

    ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` are written to as those streams.

    An existing file is replaced only with ``force`` (a symbolic link is replaced itself, never
    followed); if the block fails, the file named is as it was and nothing new is left.
    Refusals raise :class:`titre_mercd._output.OutputError`.
    """
    if standard_output(path) == STDIO or path is None:
        import io

        sys.stdout.flush()
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding="utf-8", newline=newline)
        yield sys.stdout
        return
    from .._output import atomic_file

    with atomic_file(path, force=force, newline=newline) as file:
        yield file
