"""The process around a command: signals that end it, and standard streams that are closed.

Installed first, before the command line imports anything heavy, so that a Ctrl-C while the
package is still importing ends the run like any other: one line, no traceback.

- SIGINT, SIGTERM and SIGHUP raise :class:`Stopped` (a :class:`KeyboardInterrupt`) once, in
  the main thread: every ``with`` block unwinds, so temporary files are removed and existing
  files are left as they were; the run then exits with 128 + the signal's number. A second
  signal while the first unwinds is not raised again, so the cleaning is not cut short.
- Standard output is written in full or with an error, never silently cut short.
- A closed standard output (``>&-``) is replaced by a stream whose writes fail with
  :class:`ClosedStreamError`; a closed standard error by the null device, so an error still
  ends the run with its status. The closed descriptors are held on the null device so that
  no file the run opens takes their number.

Only :mod:`os`, :mod:`signal`, :mod:`sys` and :mod:`titre_mercd._write` (:mod:`os` only) are
imported here.
"""

from __future__ import annotations

import io
import os
import signal
import sys
from typing import TYPE_CHECKING

from .._write import write_all

if TYPE_CHECKING:
    from types import FrameType

__all__ = [
    "ClosedStreamError",
    "Handlers",
    "Stopped",
    "failure",
    "install",
    "refuse_closed_output",
    "signal_name",
]

_ENDING = ("SIGINT", "SIGTERM", "SIGHUP")


class Stopped(KeyboardInterrupt):
    """The run was ended by a signal (``signum``): SIGINT, SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class ClosedStreamError(OSError):
    """Standard output was closed when the program started: nothing can be written there."""


class _ClosedOutput(io.TextIOBase):
    """Stands for a standard output closed before the program started."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        if not text:
            return 0
        import errno

        raise ClosedStreamError(
            errno.EBADF,
            "standard output is closed; redirect it to a file or to /dev/null",
        )

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False


class _WholeWrites(io.FileIO):
    """Standard output's descriptor, written in full or with an error (:func:`write_all`)."""

    def write(self, data: object) -> int:
        return write_all(self.fileno(), data)


def _whole_writes() -> None:
    """Put standard output on :class:`_WholeWrites`, keeping its encoding and buffering."""
    out = sys.stdout
    if type(out) is not io.TextIOWrapper or type(out.buffer) not in (io.BufferedWriter, io.FileIO):
        return  # not the interpreter's own (a caller's replacement, a test's capture)
    try:
        out.flush()
        fd = out.fileno()
    except (OSError, ValueError):
        return
    raw = _WholeWrites(fd, "w", closefd=False)
    # Unbuffered (python -u, PYTHONUNBUFFERED), the text layer writes to the raw file itself.
    sys.stdout = io.TextIOWrapper(
        raw if type(out.buffer) is io.FileIO else io.BufferedWriter(raw),
        encoding=out.encoding,
        errors=out.errors,
        line_buffering=out.line_buffering,
        write_through=out.write_through,
    )


def signal_name(signum: int) -> str:
    """``SIGTERM`` for 15, and so on."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _guard_streams() -> None:
    """Hold closed standard descriptors on the null device; stand in for closed streams."""
    for fd in (0, 1, 2):
        if not _is_open(fd):
            held = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if held != fd:  # pragma: no cover (the lowest free number is the closed one)
                os.dup2(held, fd)
                os.close(held)
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
    if sys.stderr is None:  # errors are still counted in the exit status, if not seen
        sys.stderr = os.fdopen(2, "w", encoding="utf-8", closefd=False)


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


class Handlers:
    """The signal handlers of a run: :meth:`finish` or :meth:`restore` once it is over."""

    def __init__(self) -> None:
        """Install the handlers (in the main thread only: elsewhere they are left alone)."""
        self._stopping: list[int] = []
        self._previous: dict[int, object] = {}
        try:
            for name in _ENDING:
                number = getattr(signal, name, None)
                # A signal the caller ignores (nohup, a background job) stays ignored.
                if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
                    self._previous[number] = signal.signal(number, self._stop)
        except ValueError:  # not the main thread
            pass

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        if not self._stopping:  # the first one ends the run; later ones let the cleaning finish
            self._stopping.append(signum)
            raise Stopped(signum)

    def finish(self) -> None:
        """The run is over: a signal now no longer interrupts what is left (the exit)."""
        self._stopping.append(0)

    def restore(self) -> None:
        """Put back the handlers there were before."""
        for number, handler in self._previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]


def install(program: bool = False) -> Handlers:
    """Set up the process for a run: standard streams first, then the signal handlers.

    ``program``: the run is the program itself (not a call inside a larger one), whose
    standard output is then written in full or with an error (see :class:`_WholeWrites`).
    """
    _guard_streams()
    if program:
        _whole_writes()
    return Handlers()


def refuse_closed_output() -> None:
    """Raise :class:`ClosedStreamError` if standard output was closed from the start.

    Every command writes there (an answer, ``Wrote …``, help): it is refused before anything
    is read or written, rather than after a file has been written.
    """
    if isinstance(sys.stdout, _ClosedOutput):
        sys.stdout.write("?")


def failure(exc: BaseException) -> int:
    """Report what ended the run outside the command's own error handling; its status."""
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else 0
    if isinstance(exc, ClosedStreamError):
        message, status = str(exc.strerror), 2
    elif isinstance(exc, KeyboardInterrupt):
        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        message = "interrupted" if signum == signal.SIGINT else f"ended by {signal_name(signum)}"
        status = 128 + signum
    else:
        from ._common import visible

        message = visible(
            f"unexpected error, please report it: {type(exc).__name__}: {str(exc)[:200]}"
        )
        status = 2
    try:
        sys.stderr.write(f"titre-mercd: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    return status
