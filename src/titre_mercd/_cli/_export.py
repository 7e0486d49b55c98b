"""``export``: the whole data set as JSON, CSV, JSON-LD, a graph or an Excel workbook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import (
    BAD_INPUT,
    OK,
    CommandError,
    json_controls_escaped,
    print_json,
    print_lines,
    separator,
)
from ._files import STDIO, output, shown, standard_output

if TYPE_CHECKING:
    import argparse
    from typing import IO

__all__ = ["FORMATS", "cmd_export", "export_arguments"]

FORMATS = ("json", "csv", "jsonld", "mermaid", "dot", "xlsx")


def export_arguments(export: argparse.ArgumentParser) -> None:
    """``export --format FORMAT [--table NAME] [-o FILE_OR_DIR]``; xlsx needs ``-o FILE.xlsx``."""
    export.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    export.add_argument("--table", metavar="NAME", help="with --format csv: one table")
    export.add_argument(
        "-o", "--output", metavar="FILE_OR_DIR", help="write here, not to stdout ('-': stdout)"
    )
    export.add_argument("--sep", metavar="CHAR", help="with --format csv: separator (default ',')")
    export.add_argument(
        "--excel",
        action="store_true",
        help="with --format csv: for Excel, a byte order mark, ';' and CRLF line endings",
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="replace existing files (regular files, or symbolic links themselves)",
    )


def cmd_export(args: argparse.Namespace) -> int:
    from .. import _export

    sep = _csv_options(args)
    args.output = standard_output(args.output)
    to_stdout = args.output in (None, STDIO)
    if args.json and to_stdout:
        raise CommandError(BAD_INPUT, "export: --json reports on the files -o writes; give -o")
    if args.format == "xlsx":
        from ._xlsx import export_workbook

        return export_workbook(args)
    if args.format == "csv" and args.table is None and not to_stdout:
        written = _export_csv_directory(args.output, args.force, sep, excel=args.excel)
    else:
        with output(args.output, args.force, newline="") as out:
            if args.format == "csv":
                _write_csv(args.table or _export.MAIN_TABLE, out, sep, excel=args.excel)
            elif args.format in ("json", "jsonld"):  # the same JSON, no control left raw
                out.write(json_controls_escaped(_export.render(args.format)))
            else:
                out.write(_export.render(args.format))
        written = [] if to_stdout else [args.output]
    if args.json:
        print_json({"format": args.format, "files": written})
    elif written:
        print_lines([f"Wrote {path}" for path in written])
    return OK


def _csv_options(args: argparse.Namespace) -> str:
    """Check the options that only go with ``--format csv``; the separator to write."""
    from .. import _export

    sep = separator(";" if args.excel and args.sep is None else args.sep)
    if args.format != "csv":
        for option, value in (("--table", args.table), ("--sep", args.sep)):
            if value is not None:
                raise CommandError(BAD_INPUT, f"export: {option} only goes with --format csv")
        if args.excel:
            raise CommandError(BAD_INPUT, "export: --excel only goes with --format csv")
    elif args.table is not None and args.table not in _export.CSV_TABLES:
        raise CommandError(
            BAD_INPUT,
            f"export: no table {args.table!r:.200}; tables: {', '.join(_export.CSV_TABLES)}",
        )
    if args.excel and sep != ";":
        raise CommandError(BAD_INPUT, f"export: --excel writes ';', not --sep {args.sep!r:.200}")
    return sep


def _write_csv(name: str, out: IO[str], sep: str, *, excel: bool) -> None:
    """The CSV table ``name``, with a byte order mark first for Excel (its rows end in CRLF)."""
    from .. import _export

    if excel:
        out.write("\ufeff")
    _export.write_csv(name, out, sep)


def _export_csv_directory(directory: str, force: bool, sep: str, *, excel: bool) -> list[str]:
    """Every CSV table into ``directory``: all written first, then moved into place."""
    from pathlib import Path

    from .. import _export
    from .._output import atomic_directory

    folder = Path(directory)
    if (folder.is_symlink() or folder.exists()) and not folder.is_dir():
        raise CommandError(
            BAD_INPUT,
            f"-o {shown(directory)} is a file; all CSV tables go to a directory (or give --table)",
        )
    names = [f"{name}.csv" for name in _export.CSV_TABLES]
    with atomic_directory(directory, force=force) as writer:
        for table, file_name in zip(_export.CSV_TABLES, names):
            _write_csv(table, writer.open(file_name, newline=""), sep, excel=excel)
    return [str(folder / name) for name in names]
