"""``export``: the whole data set as JSON, CSV, JSON-LD or a graph."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import BAD_INPUT, OK, CommandError, print_json, print_lines, separator
from ._files import output

if TYPE_CHECKING:
    import argparse
    from typing import IO

__all__ = ["FORMATS", "cmd_export", "export_arguments"]

FORMATS = ("json", "csv", "jsonld", "mermaid", "dot")


def export_arguments(export: argparse.ArgumentParser) -> None:
    """``export --format FORMAT [--table NAME] [-o FILE_OR_DIR]``."""
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--table", metavar="NAME", help="with --format csv: one table")
    export.add_argument("-o", "--output", metavar="FILE_OR_DIR", help="write here, not to stdout")
    export.add_argument("--sep", metavar="CHAR", help="with --format csv: separator (default ',')")
    export.add_argument(
        "--excel",
        action="store_true",
        help="with --format csv: for Excel, a byte order mark, ';' and CRLF line endings",
    )
    export.add_argument("--force", action="store_true", help="overwrite existing files")


def cmd_export(args: argparse.Namespace) -> int:
    from .. import _export

    sep = _csv_options(args)
    if args.json and args.output is None:
        raise CommandError(BAD_INPUT, "export: --json reports on the files -o writes; give -o")
    if args.format == "csv" and args.table is None and args.output is not None:
        written = _export_csv_directory(args.output, args.force, sep, excel=args.excel)
    else:
        with output(args.output, args.force, newline="") as out:
            if args.format == "csv":
                _write_csv(args.table or _export.MAIN_TABLE, out, sep, excel=args.excel)
            else:
                out.write(_export.render(args.format))
        written = [] if args.output is None else [args.output]
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
            f"export: no table {args.table!r}; tables: {', '.join(_export.CSV_TABLES)}",
        )
    if args.excel and sep != ";":
        raise CommandError(BAD_INPUT, f"export: --excel writes ';', not --sep {args.sep!r}")
    return sep


def _write_csv(name: str, out: IO[str], sep: str, *, excel: bool) -> None:
    """The CSV table ``name``, with a byte order mark first for Excel (its rows end in CRLF)."""
    from .. import _export

    if excel:
        out.write("\ufeff")
    _export.write_csv(name, out, sep)


def _export_csv_directory(directory: str, force: bool, sep: str, *, excel: bool) -> list[str]:
    from pathlib import Path

    from .. import _export

    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise CommandError(
            BAD_INPUT,
            f"-o {directory} is a file; all CSV tables go to a directory (or give --table)",
        )
    paths = {name: folder / f"{name}.csv" for name in _export.CSV_TABLES}
    if not force:
        existing = [p for p in paths.values() if p.exists()]
        if existing:
            raise CommandError(BAD_INPUT, f"{existing[0]} exists; give --force to overwrite it")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise CommandError(BAD_INPUT, f"cannot create {directory}: {exc.strerror or exc}") from None
    for name, path in paths.items():
        with output(str(path), force=True, newline="") as out:
            _write_csv(name, out, sep, excel=excel)
    return [str(p) for p in paths.values()]
