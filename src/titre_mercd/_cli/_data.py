"""``data verify [DIR]``: every rule the shipped data passes, run on a data directory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import BAD_INPUT, NOT_FOUND, OK, WIDTH, CommandError, print_json, print_lines, wrap

if TYPE_CHECKING:
    import argparse

__all__ = ["cmd_data", "data_arguments"]

SHIPPED = "shipped"


def data_arguments(data: argparse.ArgumentParser) -> None:
    """``data verify [DIR]``."""
    data.description = (
        "verify: run on the data directory DIR every rule the shipped data passes (each "
        "file's sha256 and shape, each excerpt verbatim in its text, codes, windows, "
        "tables…) and list every failure; exit status 0 when all pass, 1 when one fails. "
        "Without DIR, the data in use (--data DIR, TITRE_MERCD_DATA, else the shipped data); "
        f"'{SHIPPED}' for the shipped data."
    )
    data.add_argument("action", metavar="ACTION", choices=("verify",), help="verify")
    data.add_argument(
        "directory", metavar="DIR", nargs="?", help="the data directory (default: the data in use)"
    )


def cmd_data(args: argparse.Namespace) -> int:
    """``data verify [DIR] [--json]``."""
    import os
    from pathlib import Path

    from .._loading import verify
    from .._referentiel import dataset
    from ..exceptions import DataError

    directory: str | None = args.directory
    if directory is None:
        try:
            directory = dataset().directory  # None: the shipped data
        except DataError as exc:  # the directory in use fails: list all it fails
            if exc.directory is None:
                raise
            directory = exc.directory
    elif directory == SHIPPED:
        directory = None
    elif not Path(directory).is_dir():
        what = "is not a directory" if os.path.lexists(directory) else "does not exist"
        raise CommandError(BAD_INPUT, f"data verify: {directory!r:.200} {what}")
    root = None if directory is None else str(Path(directory).absolute())
    # Read through the real directory, resolved once: an imported DIR is a link that a
    # re-import swaps onto a new copy, and one run must not read files from two.
    found = verify(None if root is None else Path(root).resolve())
    if getattr(args, "json", False):
        print_json(
            {
                "command": "data verify",
                "directory": root,
                "data_version": found.data_version,
                "verdict": "failed" if found.failures else "passed",
                "failures": list(found.failures),
            }
        )
    else:
        where = "The shipped data" if directory is None else f"Data directory {directory!r}"
        version = f" (data {found.data_version})" if found.data_version is not None else ""
        if not found.failures:
            print_lines(wrap(f"{where}{version} passes every rule.", WIDTH))
        else:
            count = len(found.failures)
            lines = wrap(f"{where}{version} fails {count} rule{'s' * (count > 1)}:", WIDTH)
            for failure in found.failures:
                lines.extend("  " + line for line in wrap(failure, WIDTH - 2))
            print_lines(lines)
    return NOT_FOUND if found.failures else OK
