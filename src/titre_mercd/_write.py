"""Writing to a file descriptor in full; only :mod:`os` is imported (the CLI starts with it)."""

from __future__ import annotations

import os

__all__ = ["write_all"]


def write_all(fd: int, data: object) -> int:
    """Write every byte of ``data`` to ``fd``, as many times as the system takes part of it.

    Python's own unbuffered stream (``python -u``) takes a write the system accepts only in
    part (a pipe whose reader goes away, a full disk) as done, and drops the rest without an
    error: here the rest is written again, until it is all out or the error comes.
    """
    view = memoryview(data).cast("B")  # type: ignore[arg-type]
    done = 0
    while done < len(view):
        done += os.write(fd, view[done:])
    return done
