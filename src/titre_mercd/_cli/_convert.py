"""``convert``: the blocs a holder of CCPs is deemed to hold, for a few CCPs or a whole file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._referentiel import correspondences, deemed_obtained, missing_blocks, versions
from ..exceptions import UndecidedError
from ._common import (
    BAD_INPUT,
    NOT_FOUND,
    OK,
    WIDTH,
    CommandError,
    field,
    plain,
    print_json,
    print_lines,
    separator,
    table,
    version_argument,
    wrap,
)
from ._files import STDIO, open_input, output, refuse_same_file, standard_output

if TYPE_CHECKING:
    import argparse

    from .._records import Block, CertificationVersion, Correspondence, Source

__all__ = ["cmd_convert", "convert_arguments"]


def convert_arguments(convert: argparse.ArgumentParser) -> None:
    """``convert --from KEY --to KEY BLOCK…`` or ``--csv IN --column COL``."""
    convert.add_argument(
        "--from", dest="from_key", required=True, metavar="KEY", help="the version of the CCPs held"
    )
    convert.add_argument(
        "--to", dest="to_key", required=True, metavar="KEY", help="the version to convert to"
    )
    convert.add_argument(
        "blocks",
        nargs="*",
        metavar="BLOCK",
        help="a CCP title as people type it, KEY/N, or a bloc number of --from: 'CCP 2' or 2",
    )
    convert.add_argument("--csv", metavar="IN", help="a CSV file of candidates ('-': stdin)")
    convert.add_argument(
        "--input",
        metavar="FILE",
        help=(
            "a CSV file, or an Excel workbook (.xlsx, needs the 'excel' extra) converted into "
            "the workbook -o names: values kept, formulas as their last computed values, "
            "styles not kept"
        ),
    )
    convert.add_argument(
        "--sheet", metavar="NAME", help="with a workbook: the sheet to convert (default: first)"
    )
    convert.add_argument(
        "--column", metavar="COL", help="the column of CCPs, separated by '|' or line breaks"
    )
    convert.add_argument(
        "--sep",
        metavar="CHAR",
        help="the CSV separator (default: detected from the header: ';', ',', tab or '|')",
    )
    convert.add_argument(
        "--encoding",
        metavar="NAME",
        help="the CSV input's encoding: utf-8 (the default, with or without a byte order "
        "mark), cp1252, latin-1 or utf-16 (with a byte order mark); the output is UTF-8",
    )
    convert.add_argument(
        "--excel",
        action="store_true",
        help="write CSV for Excel: a byte order mark, ';' between fields and CRLF line endings",
    )
    convert.add_argument(
        "--max-line",
        metavar="N",
        help="the longest CSV line read, in characters (a row with its quoted line breaks, so "
        "also the longest field): 1048576 by default; a longer one is refused",
    )
    convert.add_argument(
        "-o", "--output", metavar="OUT", help="write here, not to stdout ('-': stdout)"
    )
    convert.add_argument(
        "--force", action="store_true", help="replace OUT if it is a file or a symbolic link"
    )


def cmd_convert(args: argparse.Namespace) -> int:
    bulk_only = {
        "--column": args.column,
        "--sep": args.sep,
        "--encoding": args.encoding,
        "--max-line": args.max_line,
        "-o": args.output,
    }
    if args.input is not None or args.sheet is not None:
        from ._xlsx import convert_workbook, workbook_input

        if workbook_input(args):
            for option, value in (
                ("--encoding", args.encoding),
                ("--excel", args.excel),
                ("--max-line", args.max_line),
            ):
                if value:
                    raise CommandError(BAD_INPUT, f"convert: {option} only goes with a CSV input")
            return convert_workbook(args, *_convert_direction(args))
    if args.csv is not None:
        if args.blocks:
            raise CommandError(BAD_INPUT, "convert: give BLOCK arguments or --csv, not both")
        if args.column is None:
            raise CommandError(BAD_INPUT, "convert: --csv needs --column, the column of CCPs")
        return _convert_csv(args)
    given = [name for name, value in bulk_only.items() if value is not None]
    given += [option for option, on in (("--excel", args.excel), ("--force", args.force)) if on]
    if given:
        raise CommandError(BAD_INPUT, f"convert: {', '.join(given)} only go with --csv")
    if not args.blocks:
        raise CommandError(
            BAD_INPUT, "convert: give the CCPs held as BLOCK arguments, or a file with --csv"
        )
    return _convert_blocks(args)


def _convert_direction(
    args: argparse.Namespace,
) -> tuple[CertificationVersion, CertificationVersion]:
    old, new = version_argument(args.from_key), version_argument(args.to_key)
    order = versions()
    if order.index(old) > order.index(new):
        raise CommandError(
            BAD_INPUT,
            f"convert: --from {old.key} is later than --to {new.key}; "
            "correspondence tables only lead from a version to a later one",
        )
    return old, new


def _rows_followed(block: Block, last_key: str) -> list[Correspondence]:
    """The rows of the tables that lead on from ``block``, transitively, up to ``last_key``."""
    keys = [v.key for v in versions()]
    last = keys.index(last_key)
    followed = []
    pending = [block]
    while pending:
        current_block = pending.pop()
        start = keys.index(current_block.version_key)
        for new_key in keys[start + 1 : last + 1]:
            try:
                rows = correspondences(current_block.version_key, new_key)
            except UndecidedError:  # no table between these two: nothing followed
                continue
            for row in rows:
                if row.old == current_block:
                    followed.append(row)
                    if row.new is not None:
                        pending.append(row.new)
    return followed


def _convert_blocks(args: argparse.Namespace) -> int:
    from .._bulk import resolve_block

    old, new = _convert_direction(args)
    held = list(dict.fromkeys(resolve_block(label, old.key, new.key) for label in args.blocks))
    try:
        deemed: list[Block] | None = list(deemed_obtained(held, new.key))
        missing: tuple[Block, ...] | None = missing_blocks(held, new.key)
        not_known = None
    except UndecidedError as exc:  # a step has no table: what the blocs give is not known
        deemed, missing, not_known = None, None, str(exc)
    sources: dict[Source, None] = {}
    for block in held:
        for row in _rows_followed(block, new.key):
            sources[row.source] = None
    if args.json:
        print_json(
            {
                "from": old.key,
                "to": new.key,
                "held": [plain(b) for b in held],
                "deemed_obtained": None if deemed is None else [plain(b) for b in deemed],
                "missing": None if missing is None else [plain(b) for b in missing],
                "all_held": None if missing is None else not missing,
                "sources": [plain(s) for s in sources],
                **({} if not_known is None else {"not_known": not_known}),
            }
        )
        return OK if not_known is None else NOT_FOUND
    held_rows = []
    for block in held:
        try:
            given = deemed_obtained([block], new.key)
            leads_to = ", ".join(b.ref for b in given) or f"none of the {new.key} blocs"
        except UndecidedError:
            leads_to = "not known"
        held_rows.append([block.ref, block.title])
        held_rows.append(["", "→ " + leads_to])
    where = (
        list(dict.fromkeys(f"{s.text.title}, {s.location}." for s in sources))
        if sources
        else ["Blocs of the target version count as themselves."]
        if all(b.version_key == new.key for b in held)
        else [f"No text gives a correspondence leading from these blocs to {new.key}."]
    )
    if deemed is None or missing is None:
        unknown = wrap(f"not known: {not_known}.", WIDTH - 2)
        verdict = [
            "Deemed obtained",
            *("  " + line for line in unknown),
            "Still to obtain",
            "  not known",
            "",
            f"All blocs of the {new.key} title held: not known",
        ]
    else:
        verdict = [
            "Deemed obtained",
            *table(None, [[b.ref, b.title] for b in deemed], indent=2),
            *(["  none"] if not deemed else []),
            "Still to obtain",
            *table(None, [[b.ref, b.title] for b in missing], indent=2),
            *(["  none"] if not missing else []),
            "",
            f"All blocs of the {new.key} title held: {'yes' if not missing else 'no'}",
        ]
    print_lines(
        [
            *table(None, [["From", old.key, old.title], ["To", new.key, new.title]]),
            "",
            "Held",
            *table(None, held_rows, indent=2),
            *verdict,
            *field("Source", where, 8),
        ]
    )
    return OK if not_known is None else NOT_FOUND


def _max_line(given: str) -> int:
    """``--max-line``'s value: a number of characters, at least 1."""
    if given.strip().isdigit() and int(given) > 0:
        return int(given)
    raise CommandError(
        BAD_INPUT,
        f"convert: --max-line takes a number of characters, 1 or more (got {given[:40]!r})",
    )


def _convert_csv(args: argparse.Namespace) -> int:
    from .. import _bulk

    old, new = _convert_direction(args)
    sep = None if args.sep is None else separator(args.sep)
    max_line = _bulk.MAX_LINE if args.max_line is None else _max_line(args.max_line)
    try:
        encoding = None if args.encoding is None else _bulk.check_encoding(args.encoding)
    except _bulk.CsvInputError as exc:
        raise CommandError(BAD_INPUT, f"convert: {exc}") from None
    args.output = standard_output(args.output)
    if args.json and args.output in (None, STDIO):
        raise CommandError(
            BAD_INPUT, "convert: --json with --csv reports on the file -o writes; give -o OUT"
        )
    name = "stdin" if args.csv == "-" else args.csv
    with _bulk.large_fields(), open_input(args.csv) as binary:
        refuse_same_file(binary, name, args.output)
        try:
            source = _bulk.CsvSource(binary, name, args.column, sep, encoding, max_line=max_line)
        except _bulk.CsvInputError as exc:
            raise CommandError(BAD_INPUT, str(exc)) from None
        convert_cell = _bulk.CellConverter(old.key, new.key, source.sep)
        with output(args.output, args.force, newline="") as sink:
            progress = _bulk.stderr_progress(source)
            try:
                outcome = _bulk.convert(
                    source, sink, convert_cell, new.key, progress, excel=args.excel
                )
            except _bulk.CsvInputError as exc:
                raise CommandError(BAD_INPUT, str(exc)) from None
            finally:
                if progress is not None:
                    progress.close()
    error_column = _bulk.added_columns(new.key)[3]
    if args.json:
        print_json(
            {
                "output": args.output,
                "rows": outcome.rows,
                "unmatched": outcome.unmatched,
                "added_columns": list(_bulk.added_columns(new.key)),
                "separator": source.sep,
                "encoding": source.encoding,
            }
        )
    elif args.output not in (None, STDIO):
        how = ", detected from the header" if source.sep_detected else ""
        used = f"separator {_bulk.separator_name(source.sep)}{how}"
        print_lines([f"Wrote {outcome.rows:,} rows to {args.output} ({used})."])
    if outcome.unmatched:
        raise CommandError(
            NOT_FOUND,
            f"{outcome.unmatched:,} of {outcome.rows:,} rows could not be converted "
            f"(see column {error_column!r:.200})",
            reported=True,
        )
    return OK
