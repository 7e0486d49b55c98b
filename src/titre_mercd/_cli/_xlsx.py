"""Files of candidates on the command line (CSV or workbook, to either), and workbook exports.

The work is :mod:`titre_mercd._bulk`'s and :mod:`titre_mercd._xlsx`'s; here are the checks of
the arguments, the formats, the output file and the report. A workbook needs openpyxl (the
``excel`` extra): without it, one line says how to install it, exit status 2.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from ..exceptions import CsvInputError, MissingExtraError, XlsxInputError
from ._common import BAD_INPUT, NOT_FOUND, OK, CommandError, print_json, print_lines, separator
from ._files import STDIO, open_input, output, refuse_same_file, shown, standard_output

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from .. import _bulk
    from .._records import CertificationVersion

__all__ = ["convert_file", "export_workbook", "output_format"]


@contextlib.contextmanager
def _refused(prefix: str = "") -> Iterator[None]:
    """An input that cannot be read, or openpyxl missing, said in one line: exit status 2."""
    try:
        yield
    except (CsvInputError, MissingExtraError, XlsxInputError) as exc:
        raise CommandError(BAD_INPUT, f"{prefix}{exc}") from None


def _output_name(option: str, path: str | None, what: str, *, suffix: bool = True) -> str:
    """``path``, checked to name a file (a workbook is not written to standard output).

    With ``suffix``, its name must end in .xlsx too.
    """
    if path is None or path == STDIO or (suffix and not path.lower().endswith(".xlsx")):
        given = "" if path is None else f" (got {path[:100]!r})"
        raise CommandError(BAD_INPUT, f"{what} is a workbook: give {option} FILE.xlsx{given}")
    return path


def output_format(args: argparse.Namespace) -> str:
    """The output's format: ``--output-format``, else ``-o``'s extension (.xlsx: a workbook)."""
    from .._xlsx import is_workbook_name

    if args.output_format is not None:
        return str(args.output_format)
    if args.output not in (None, STDIO) and is_workbook_name(args.output):
        return "xlsx"
    return "csv"


def _input_format(path: str) -> str:
    """The input's format from its content: "xlsx" for a zip, else "csv"."""
    from .. import _xlsx

    if path == STDIO:
        return "csv"
    with _refused():
        return "xlsx" if _xlsx.refuse_other_formats(path, shown(path)) == "xlsx" else "csv"


def _check_options(args: argparse.Namespace, reading: str, writing: str) -> None:
    """Refuse the options that do not go with these formats."""
    if reading == "xlsx":
        for option, value in (
            ("--encoding", args.encoding),
            ("--sep", args.sep),
            ("--allow-c1", args.allow_c1),
            ("--max-line", args.max_line),
        ):
            if value:
                raise CommandError(BAD_INPUT, f"convert: {option} only goes with a CSV input")
    elif args.sheet is not None:
        raise CommandError(BAD_INPUT, "convert: --sheet only goes with a workbook (--input)")
    if writing == "xlsx":
        if args.excel:
            raise CommandError(BAD_INPUT, "convert: --excel only goes with a CSV output")
        _output_name("-o", args.output, "convert: the output asked for", suffix=False)
    if args.json and args.output in (None, STDIO):
        raise CommandError(
            BAD_INPUT, "convert: --json with a file reports on the file -o writes; give -o OUT"
        )


def convert_file(
    args: argparse.Namespace,
    path: str,
    old: CertificationVersion | None,
    new: CertificationVersion,
) -> int:
    """``convert --input FILE --column COL [-o OUT]``: any of CSV and workbook, to either."""
    from .. import _bulk

    args.output = standard_output(args.output)  # /dev/stdout and the like: that stream
    reading, writing = _input_format(path), output_format(args)
    _check_options(args, reading, writing)
    convert_cell = _bulk.CellConverter(None if old is None else old.key, new.key, lang=args.lang)
    with _opened(args, path, reading) as source:
        if writing == "xlsx":
            outcome = _to_workbook(args, source, convert_cell)
        else:
            outcome = _to_csv(args, source, convert_cell, reading)
    return _report(args, source, outcome, convert_cell, reading)


def _max_line(given: str) -> int:
    """``--max-line``'s value: a number of characters, at least 1."""
    if given.strip().isdigit() and int(given) > 0:
        return int(given)
    raise CommandError(
        BAD_INPUT,
        f"convert: --max-line takes a number of characters, 1 or more (got {given[:40]!r})",
    )


@contextlib.contextmanager
def _opened(args: argparse.Namespace, path: str, reading: str) -> Iterator[Any]:
    """The input, read as ``reading`` says: an :class:`XlsxSource` or a :class:`CsvSource`."""
    from .. import _bulk, _xlsx

    name = "stdin" if path == STDIO else shown(path)
    if reading == "xlsx":
        with _refused():
            source = _xlsx.XlsxSource(
                path, name, args.column, args.sheet, header_row=args.header_row
            )
        with contextlib.closing(source):
            refuse_same_file(source.file, name, args.output)
            yield source
        return
    sep = None if args.sep is None else separator(args.sep)
    max_line = _bulk.MAX_LINE if args.max_line is None else _max_line(args.max_line)
    with _refused("convert: "):
        encoding = None if args.encoding is None else _bulk.check_encoding(args.encoding)
    with _bulk.large_fields(), open_input(path) as binary:
        refuse_same_file(binary, name, args.output)
        with _refused():
            yield _bulk.CsvSource(
                binary,
                name,
                args.column,
                sep,
                encoding,
                header_row=args.header_row,
                allow_c1=args.allow_c1,
                max_line=max_line,
            )


@contextlib.contextmanager
def _progress(source: Any) -> Iterator[_bulk.Progress | None]:
    """A progress report on standard error when it is a terminal."""
    import sys

    from .. import _bulk

    progress = None
    if sys.stderr is not None and sys.stderr.isatty():
        progress = _bulk.Progress(sys.stderr, f"converting {source.name}", source.size)
    try:
        yield progress
    finally:
        if progress is not None:
            progress.close()


def _to_workbook(args: argparse.Namespace, source: Any, convert_cell: Any) -> _bulk.Outcome:
    """Write a workbook from a sheet or a CSV file."""
    from .. import _xlsx
    from .._output import atomic_file

    with _refused():
        _xlsx.require()
    rows = source if isinstance(source, _xlsx.XlsxSource) else _xlsx.CsvRows(source)
    with (
        atomic_file(args.output, force=args.force, binary=True) as sink,
        _progress(source) as progress,
        _refused(),
    ):
        return _xlsx.convert(rows, sink, convert_cell, progress)


def _to_csv(
    args: argparse.Namespace, source: Any, convert_cell: Any, reading: str
) -> _bulk.Outcome:
    """Write CSV text from a sheet or a CSV file."""
    from .. import _bulk, _xlsx

    with (
        output(args.output, args.force, newline="") as sink,
        _progress(source) as progress,
        _refused(),
    ):
        if reading == "csv":
            return _bulk.convert(source, sink, convert_cell, progress, excel=args.excel)
        french = args.excel or args.lang == "fr"
        return _xlsx.convert_to_csv(
            source, sink, convert_cell, progress, excel=args.excel, french_dates=french
        )


def _report(
    args: argparse.Namespace,
    source: Any,
    outcome: _bulk.Outcome,
    convert_cell: _bulk.CellConverter,
    reading: str,
) -> int:
    """Say what was written (a JSON report under --json), and the verdict."""
    from .. import _bulk

    csv_input = reading == "csv"
    if args.json:
        report: dict[str, object] = {
            "output": args.output,
            "rows": outcome.rows,
            "unmatched": outcome.unmatched,
            "added_columns": list(convert_cell.columns),
            "blank_rows": outcome.blank,
            "rows_above_header": outcome.above,
            "input_format": reading,
            "output_format": output_format(args),
        }
        if csv_input:
            report.update(separator=source.sep, encoding=source.encoding)
        print_json(report)
    elif args.output not in (None, STDIO):
        used = ""
        if csv_input:
            how = ", detected from the header" if source.sep_detected else ""
            used = f" (separator {_bulk.separator_name(source.sep)}{how})"
        print_lines([f"Wrote {_bulk.rows_written(outcome)} to {shown(args.output)}{used}."])
    if outcome.unmatched:
        hint = ""
        if convert_cell.numbers_need_from:
            hint = (
                "; a bloc number such as 'CCP 2' names a bloc of one version: give --from KEY, "
                "the version of the CCPs held"
            )
        raise CommandError(
            NOT_FOUND,
            f"{outcome.unmatched:,} of {outcome.rows:,} row{'s' if outcome.rows != 1 else ''} "
            f"could not be converted (see column {convert_cell.columns[-1]!r}){hint}",
            reported=True,  # the report above is the verdict (under --json, on stdout)
        )
    return OK


def export_workbook(args: argparse.Namespace) -> int:
    """``export --format xlsx -o FILE.xlsx``: one sheet per table of the CSV export."""
    from .. import _xlsx
    from .._output import atomic_file

    output = _output_name("-o", args.output, "export: --format xlsx")
    with _refused():
        _xlsx.require()
    with atomic_file(output, force=args.force, binary=True) as sink:
        _xlsx.write_tables(sink)
    if args.json:
        print_json({"format": args.format, "files": [output]})
    else:
        print_lines([f"Wrote {shown(output)}"])
    return OK
