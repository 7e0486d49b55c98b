"""Where commands read their input and write their output: standard streams or named files."""

from __future__ import annotations

import contextlib
import sys
from typing import IO, TYPE_CHECKING

from ._common import BAD_INPUT, CommandError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from pathlib import Path

__all__ = ["open_input", "output", "refuse_same_file"]


def open_input(path: str) -> AbstractContextManager[IO[bytes]]:
    """The bytes of the file ``path`` names (``-``: standard input)."""
    if path == "-":
        return contextlib.nullcontext(sys.stdin.buffer)
    from pathlib import Path

    try:
        return Path(path).open("rb")
    except OSError as exc:
        raise CommandError(BAD_INPUT, f"cannot read {path}: {exc.strerror or exc}") from None


def refuse_same_file(source: str, output: str) -> None:
    """Refuse to write ``output`` when it is the input file ``source`` itself."""
    from pathlib import Path

    if source != "-" and Path(output).exists() and Path(source).samefile(output):
        raise CommandError(BAD_INPUT, f"-o {output} is the input file itself; write somewhere else")


@contextlib.contextmanager
def output(path: str | None, force: bool, newline: str | None = None) -> Iterator[IO[str]]:
    """Standard output, or the file ``-o`` names, created only if absent unless ``force``.

    If the command fails once the file is open, the file is removed: a half-written output
    is never left behind.
    """
    if path is None:
        import io

        sys.stdout.flush()
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding="utf-8", newline=newline)
        yield sys.stdout
        return
    from pathlib import Path

    target = Path(path)
    if target.is_dir():
        raise CommandError(BAD_INPUT, f"cannot write {path}: it is a directory")
    try:
        file = target.open("w" if force else "x", encoding="utf-8", newline=newline)
    except FileExistsError:
        raise CommandError(BAD_INPUT, f"{path} exists; give --force to overwrite it") from None
    except IsADirectoryError:
        raise CommandError(BAD_INPUT, f"cannot write {path}: it is a directory") from None
    except OSError as exc:
        raise CommandError(BAD_INPUT, f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        yield file
        file.close()
    except OSError as exc:
        _discard(file, target)
        raise CommandError(BAD_INPUT, f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        _discard(file, target)
        raise


def _discard(file: IO[str], target: Path) -> None:
    with contextlib.suppress(OSError):
        file.close()
    with contextlib.suppress(OSError):
        target.unlink()
