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
    add_options,
    field,
    plain,
    print_json,
    print_lines,
    table,
    version_argument,
    wrap,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from .._records import Block, CertificationVersion, Correspondence

__all__ = ["cmd_convert", "convert_arguments"]


def convert_arguments(convert: argparse.ArgumentParser) -> None:
    """``convert [--from KEY] --to KEY BLOCK…`` or ``--csv IN``/``--input FILE --column COL``."""
    convert.add_argument(
        "blocks",
        nargs="*",
        metavar="BLOCK",
        help="a CCP title as people type it, KEY/N, or a bloc number of --from: 'CCP 2' or 2",
    )
    add_options(
        convert,
        {
            "--from KEY": {
                "help": "the version of the CCPs held (default: each label is looked up in --to "
                "and every older version)",
                "dest": "from_key",
            },
            "--to KEY": {"help": "the version to convert to", "dest": "to_key", "required": True},
            "--csv IN": "a file of candidates, CSV or a workbook ('-': stdin, CSV)",
            "--input FILE": "a file of candidates, CSV or an Excel workbook (.xlsx, needs the "
            "'excel' extra), told apart by its content: a workbook's values kept, formulas as "
            "their last computed values, styles not kept",
            "--sheet NAME": "with a workbook: the sheet to convert (default: first)",
            "--column COL": "the column of CCPs, separated by '|' or line breaks",
            "--header-row N": {
                "help": "the row of the header (1 for the first; default: the first of the first "
                "20 rows naming --column); the rows above it are copied through",
                "type": _row_number,
            },
            "--sep CHAR": "the CSV separator (default: detected from the header: ';', ',', tab "
            "or '|')",
            "--encoding NAME": "the CSV input's encoding: utf-8 (the default, with or without a "
            "byte order mark), cp1252, latin-1 or utf-16 (with a byte order mark); the output "
            "is UTF-8",
            "--allow-c1": "read the C1 control characters (U+0080 to U+009F) an 8-bit "
            "--encoding decodes, which are refused otherwise: real text never holds them, and "
            "they mean the file is in another encoding (cp1252 for Excel's)",
            "--lang": {
                "help": "the language of the added columns and their values (default: en); fr also "
                "writes the dates of a workbook as JJ/MM/AAAA in a CSV output",
                "choices": ("en", "fr"),
                "default": "en",
            },
            "--excel": "write CSV for Excel: a byte order mark, ';' between fields, CRLF line "
            "endings, and the dates of a workbook as JJ/MM/AAAA",
            "--output-format": {
                "help": "the output's format (default: from -o's extension, .xlsx for a workbook, "
                "else CSV)",
                "choices": ("csv", "xlsx"),
            },
            "--max-line N": "the longest CSV line read, in characters (a row with its quoted "
            "line breaks, so also the longest field): 1048576 by default; a longer one is "
            "refused",
            "-o --output OUT": "write here, not to stdout ('-': stdout)",
            "--force": "replace OUT if it is a file or a symbolic link",
        },
    )


def _row_number(text: str) -> int:
    """A row number of --header-row: 1 or more."""
    import argparse

    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a row number, 1 or more; got {text[:40]!r}")
    return number


_FILE_OPTIONS = (
    ("--column", "column"),
    ("--sep", "sep"),
    ("--encoding", "encoding"),
    ("-o", "output"),
    ("--header-row", "header_row"),
    ("--output-format", "output_format"),
    ("--excel", "excel"),
    ("--force", "force"),
    ("--allow-c1", "allow_c1"),
    ("--max-line", "max_line"),
)


def cmd_convert(args: argparse.Namespace) -> int:
    if args.input is not None and args.csv is not None:
        raise CommandError(BAD_INPUT, "convert: give --input or --csv, not both")
    option = "--input" if args.input is not None else "--csv"
    path = args.input if args.input is not None else args.csv
    if path is None:
        given = [name for name, attribute in _FILE_OPTIONS if getattr(args, attribute)]
        if args.sheet is not None:
            raise CommandError(BAD_INPUT, "convert: --sheet only goes with a workbook (--input)")
        if args.lang != "en":
            given.append("--lang")
        if given:
            raise CommandError(BAD_INPUT, f"convert: {', '.join(given)} only go with --csv")
        if not args.blocks:
            raise CommandError(
                BAD_INPUT, "convert: give the CCPs held as BLOCK arguments, or a file with --csv"
            )
        return _convert_blocks(args)
    if args.blocks:
        raise CommandError(BAD_INPUT, f"convert: give BLOCK arguments or {option}, not both")
    if args.column is None:
        raise CommandError(BAD_INPUT, f"convert: {option} needs --column, the column of CCPs")
    from ._xlsx import convert_file

    return convert_file(args, path, *_convert_direction(args))


def _convert_direction(
    args: argparse.Namespace,
) -> tuple[CertificationVersion | None, CertificationVersion]:
    new = version_argument(args.to_key)
    if args.from_key is None:
        return None, new
    old = version_argument(args.from_key)
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
    from_key = None if old is None else old.key
    held = list(dict.fromkeys(resolve_block(label, from_key, new.key) for label in args.blocks))
    try:
        deemed: list[Block] | None = list(deemed_obtained(held, new.key))
        missing: tuple[Block, ...] | None = missing_blocks(held, new.key)
        not_known = None
    except UndecidedError as exc:  # a step has no table: what the blocs give is not known
        deemed, missing, not_known = None, None, str(exc)
    sources = dict.fromkeys(row.source for block in held for row in _rows_followed(block, new.key))
    if args.json:
        print_json(
            {
                "from": from_key,
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
    held_rows: list[list[str]] = []
    for block in held:
        try:
            given = deemed_obtained([block], new.key)
            leads_to = ", ".join(b.ref for b in given) or f"none of the {new.key} blocs"
        except UndecidedError:
            leads_to = "not known"
        held_rows += ([block.ref, block.title], ["", "→ " + leads_to])
    where = (
        list(dict.fromkeys(f"{s.text.title}, {s.location}." for s in sources))
        if sources
        else ["Blocs of the target version count as themselves."]
        if all(b.version_key == new.key for b in held)
        else [f"No text gives a correspondence leading from these blocs to {new.key}."]
    )
    all_held = "not known" if missing is None else "no" if missing else "yes"
    print_lines(
        [
            *table(None, [_from_row(old, new), ["To", new.key, new.title]]),
            "",
            "Held",
            *table(None, held_rows, indent=2),
            "Deemed obtained",
            *_listed(deemed, ["  " + line for line in wrap(f"not known: {not_known}.", WIDTH - 2)]),
            "Still to obtain",
            *_listed(missing, ["  not known"]),
            "",
            f"All blocs of the {new.key} title held: {all_held}",
            *field("Source", where, 8),
        ]
    )
    return OK if not_known is None else NOT_FOUND


def _listed(blocks: Sequence[Block] | None, unknown: list[str]) -> list[str]:
    """The blocs as a table, ``none``, or ``unknown`` when not known."""
    if blocks is None:
        return unknown
    return table(None, [[b.ref, b.title] for b in blocks], indent=2) or ["  none"]


def _from_row(old: CertificationVersion | None, new: CertificationVersion) -> list[str]:
    """The « From » row: the version given, or the versions each label was looked up in."""
    if old is not None:
        return ["From", old.key, old.title]
    from .._bulk import searched_keys

    return ["From", "any", f"each label looked up in {', '.join(searched_keys(None, new.key))}"]
