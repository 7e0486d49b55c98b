"""Excel workbooks on the command line: ``convert --input FILE.xlsx`` and ``export --format xlsx``.

The work is :mod:`titre_mercd._xlsx`'s; here are the checks of the arguments, the output file
and the report. Both need openpyxl (the ``excel`` extra): without it, one line says how to
install it, exit status 2.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from ._common import BAD_INPUT, NOT_FOUND, OK, CommandError, print_json, print_lines
from ._files import refuse_same_file, shown

if TYPE_CHECKING:
    import argparse

    from .._records import CertificationVersion

__all__ = ["convert_workbook", "export_workbook", "is_workbook", "workbook_input"]

_ZIP_MAGIC = b"PK\x03\x04"


def is_workbook(path: str) -> bool:
    """Whether ``path`` is read as a workbook: by its suffix, else by its first bytes.

    ``-`` (standard input) and ``.csv``, ``.tsv`` and ``.txt`` files are CSV; ``.xls``, the
    format before .xlsx, goes to the workbook reader, which says it cannot read it.
    """
    from .._xlsx import is_workbook_name

    lowered = path.lower()
    if path == "-" or lowered.endswith((".csv", ".tsv", ".txt")):
        return False
    if is_workbook_name(path) or lowered.endswith(".xls"):
        return True
    try:
        with open(path, "rb") as file:  # noqa: PTH123  (pathlib is not imported at start-up)
            return file.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
    except OSError:
        return False


def _output_name(option: str, path: str | None, what: str) -> str:
    """``path``, checked to name an .xlsx file."""
    if path is None or not path.lower().endswith(".xlsx"):
        given = "" if path is None else f" (got {path[:100]!r})"
        raise CommandError(BAD_INPUT, f"{what} is a workbook: give {option} FILE.xlsx{given}")
    return path


def workbook_input(args: argparse.Namespace) -> bool:
    """Whether ``convert --input`` names a workbook; a CSV file becomes ``--csv``.

    Checks the options that go with each.
    """
    if args.input is not None and args.csv is not None:
        raise CommandError(BAD_INPUT, "convert: give --input or --csv, not both")
    if args.input is None or not is_workbook(args.input):
        if args.sheet is not None:
            raise CommandError(BAD_INPUT, "convert: --sheet only goes with a workbook (--input)")
        args.csv = args.input
        return False
    if args.blocks:
        raise CommandError(BAD_INPUT, "convert: give BLOCK arguments or --input, not both")
    if args.column is None:
        raise CommandError(BAD_INPUT, "convert: --input needs --column, the column of CCPs")
    return True


def convert_workbook(
    args: argparse.Namespace, old: CertificationVersion, new: CertificationVersion
) -> int:
    """``convert --input FILE.xlsx --column COL [--sheet NAME] -o OUT.xlsx``."""
    import sys

    from .. import _bulk, _xlsx
    from .._output import atomic_file

    path: str = args.input
    if args.sep is not None:
        raise CommandError(BAD_INPUT, "convert: --sep only goes with a CSV input")
    output = _output_name("-o", args.output, "convert: the output of a workbook")
    convert_cell = _bulk.CellConverter(old.key, new.key)
    try:
        source = _xlsx.XlsxSource(path, shown(path), args.column, args.sheet)
    except (_xlsx.MissingExtraError, _xlsx.XlsxInputError) as exc:
        raise CommandError(BAD_INPUT, str(exc)) from None
    with contextlib.closing(source):
        refuse_same_file(source.file, shown(path), output)
        progress = None
        if sys.stderr is not None and sys.stderr.isatty():
            progress = _bulk.Progress(sys.stderr, f"converting {shown(path)}", source.size)
        with atomic_file(output, force=args.force, binary=True) as sink:
            try:
                outcome = _xlsx.convert(source, sink, convert_cell, new.key, progress)
            except _xlsx.XlsxInputError as exc:
                raise CommandError(BAD_INPUT, str(exc)) from None
            finally:
                if progress is not None:
                    progress.close()
    added = _bulk.added_columns(new.key)
    if args.json:
        print_json(
            {
                "output": output,
                "rows": outcome.rows,
                "unmatched": outcome.unmatched,
                "added_columns": list(added),
            }
        )
    else:
        print_lines([f"Wrote {outcome.rows:,} rows to {shown(output)}."])
    if outcome.unmatched:
        raise CommandError(
            NOT_FOUND,
            f"{outcome.unmatched:,} of {outcome.rows:,} rows could not be converted "
            f"(see column {added[3]!r})",
            reported=True,  # the report above is the verdict (under --json, on stdout)
        )
    return OK


def export_workbook(args: argparse.Namespace) -> int:
    """``export --format xlsx -o FILE.xlsx``: one sheet per table of the CSV export."""
    from .. import _xlsx
    from .._output import atomic_file

    output = _output_name("-o", args.output, "export: --format xlsx")
    try:
        _xlsx.require()
    except _xlsx.MissingExtraError as exc:
        raise CommandError(BAD_INPUT, str(exc)) from None
    with atomic_file(output, force=args.force, binary=True) as sink:
        _xlsx.write_tables(sink)
    if args.json:
        print_json({"format": args.format, "files": [output]})
    else:
        print_lines([f"Wrote {shown(output)}"])
    return OK
