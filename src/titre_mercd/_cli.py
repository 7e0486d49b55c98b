"""The command line: ``titre-mercd`` and ``python -m titre_mercd`` are the same program.

Exit status: 0 success, 1 not found, 2 bad usage or bad input. Every error is one line on
standard error, never a traceback. Human output fits an 80-column terminal; ``--json`` gives
machine-readable output on every subcommand. Nothing is written anywhere but standard output,
standard error and the file or directory an explicit ``-o`` names.

Start-up matters (a shell loop may call it thousands of times): only :mod:`argparse` and the
light public API are imported here; JSON, CSV, the exports and the bulk conversion are imported
by the subcommands that need them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import re
import sys
from typing import IO, TYPE_CHECKING, Any, Callable, NoReturn

from ._correspondence import correspondences, deemed_obtained, missing_blocks
from ._queries import by_nsf, by_rncp, by_rome, current, nsf, rome, version, versions
from .exceptions import (
    AmbiguousBlockError,
    ArgumentTypeError,
    DataError,
    InvalidCodeError,
    UnknownBlockError,
    UnknownCodeError,
    UnknownVersionError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path

    from ._records import Block, CertificationVersion, Correspondence, Source

__all__ = ["main"]

PROG = "titre-mercd"
WIDTH = 80
OK, NOT_FOUND, BAD_INPUT = 0, 1, 2
INTERRUPTED = 130  # the shell's convention for a program stopped by Ctrl-C
FORMATS = ("json", "csv", "jsonld", "mermaid", "dot")
NOT_KNOWN = "not known (no source gives it)"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_MESSAGE = 2000  # characters of an error message shown on standard error


class _CommandError(Exception):
    """An error to report in one line on standard error, with its exit status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (``sys.argv[1:]`` when ``None``); return the exit status.

    >>> main(["rome", "d1408"])
    D1408  Téléconseil et télévente
    <BLANKLINE>
    Versions that list it:
    2011-06-01  superviseur(se) relation client à distance
    2018-12-11  manager d'équipe relation client à distance
    0
    """
    try:
        arguments = sys.argv[1:] if argv is None else list(argv)
        args = _parser(arguments).parse_args(arguments)
        command: Callable[[argparse.Namespace], int] = args.command
        status = command(args)
        sys.stdout.flush()
    except SystemExit as exc:  # --help and --version end the parse this way
        return exc.code if isinstance(exc.code, int) else OK
    except BrokenPipeError:
        # The reader went away (``titre-mercd export --format csv | head``): stop quietly.
        _silence_stdout()
        return NOT_FOUND
    except KeyboardInterrupt:
        return _fail(INTERRUPTED, "interrupted")
    except Exception as exc:  # noqa: BLE001  (every error becomes one line, never a traceback)
        return _fail(*_explain(exc))
    return status


def _explain(exc: Exception) -> tuple[int, str]:
    """The exit status and the message for an error."""
    if isinstance(exc, _CommandError):
        return exc.status, exc.message
    if isinstance(exc, (UnknownCodeError, UnknownVersionError, UnknownBlockError)):
        return NOT_FOUND, str(exc)
    if isinstance(exc, (InvalidCodeError, AmbiguousBlockError, ArgumentTypeError)):
        return BAD_INPUT, str(exc)
    if isinstance(exc, DataError):
        return BAD_INPUT, f"the shipped data is invalid (reinstall titre-mercd): {exc}"
    if isinstance(exc, UnicodeEncodeError):
        return BAD_INPUT, (
            f"standard output cannot show French text ({exc.encoding}); set PYTHONIOENCODING=utf-8"
        )
    return BAD_INPUT, f"unexpected error, please report it: {type(exc).__name__}: {exc}"


def _fail(status: int, message: str) -> int:
    line = " ".join(message.splitlines())
    if len(line) > _MAX_MESSAGE:
        line = line[: _MAX_MESSAGE - 1] + "…"
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()
    sys.stderr.write(f"{PROG}: {line}\n")
    sys.stderr.flush()
    return status


def _silence_stdout() -> None:
    """Point standard output at the null device, so the interpreter's final flush is quiet."""
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# ---------------------------------------------------------------- arguments


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Report a usage error as a :class:`_CommandError` instead of printing the usage."""
        command = self.prog[len(PROG) :].strip()
        where = f"{command}: " if command else ""
        raise _CommandError(BAD_INPUT, f"{where}{message} (see '{self.prog} --help')")


class _Formatter(argparse.HelpFormatter):
    """Help that fits 80 columns; a fixed width also spares argparse importing :mod:`shutil`."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=WIDTH - 2)


class _Version(argparse.Action):
    """``--version``: the package version and the data version, read only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        import titre_mercd

        sys.stdout.write(f"{PROG} {titre_mercd.__version__} (data {titre_mercd.DATA_VERSION})\n")
        parser.exit()


def _show_arguments(show: argparse.ArgumentParser) -> None:
    show.add_argument("key", nargs="?", metavar="KEY", help="version key, e.g. 2018-12-11")


def _on_arguments(on: argparse.ArgumentParser) -> None:
    on.add_argument("date", metavar="DATE", help="an ISO date, e.g. 2020-01-01")


def _code_argument(lookup: argparse.ArgumentParser) -> None:
    lookup.add_argument("code", metavar="CODE")


def _convert_arguments(convert: argparse.ArgumentParser) -> None:
    convert.add_argument(
        "--from", dest="from_key", required=True, metavar="KEY", help="the version of the CCPs held"
    )
    convert.add_argument(
        "--to", dest="to_key", required=True, metavar="KEY", help="the version to convert to"
    )
    convert.add_argument(
        "blocks", nargs="*", metavar="BLOCK", help="a CCP title as people type it, or KEY/N"
    )
    convert.add_argument("--csv", metavar="IN", help="a CSV file of candidates ('-': stdin)")
    convert.add_argument("--column", metavar="COL", help="the column of CCPs, separated by '|'")
    convert.add_argument("--sep", metavar="CHAR", help="the CSV separator (default ',')")
    convert.add_argument("-o", "--output", metavar="OUT", help="write here, not to stdout")
    convert.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def _export_arguments(export: argparse.ArgumentParser) -> None:
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--table", metavar="NAME", help="with --format csv: one table")
    export.add_argument("-o", "--output", metavar="FILE_OR_DIR", help="write here, not to stdout")
    export.add_argument("--sep", metavar="CHAR", help="with --format csv: separator (default ',')")
    export.add_argument("--force", action="store_true", help="overwrite existing files")


def _commands() -> list[tuple[str, Callable[[argparse.Namespace], int], str, Any]]:
    """Each subcommand: its name, what runs it, its help, and what adds its arguments."""
    return [
        (
            "show",
            _cmd_show,
            "every field of a version (default: today's or the latest)",
            _show_arguments,
        ),
        ("versions", _cmd_versions, "every version and its validity, oldest first", None),
        ("on", _cmd_on, "the version in force on a day", _on_arguments),
        (
            "convert",
            _cmd_convert,
            (
                "the blocs a holder of CCPs of one version is deemed to hold in another; "
                "with --csv, a whole file of candidates"
            ),
            _convert_arguments,
        ),
        ("rome", _cmd_rome, "look up a ROME code, e.g. D1408", _code_argument),
        ("nsf", _cmd_nsf, "look up an NSF code or group, e.g. 312t or 312", _code_argument),
        ("rncp", _cmd_rncp, "look up an RNCP fiche number, e.g. RNCP12505", _code_argument),
        (
            "export",
            _cmd_export,
            "the whole data set as JSON, CSV, JSON-LD or a graph",
            _export_arguments,
        ),
    ]


def _wanted(argv: Sequence[str], names: Iterable[str]) -> str | None:
    """The subcommand ``argv`` names, if it surely names one (else all are built, for help)."""
    for word in argv:
        if word != "--json":
            return word if word in names else None
    return None


def _parser(argv: Sequence[str]) -> _Parser:
    """The argument parser; only the subcommand ``argv`` names is built, to start fast.

    argparse looks up translations for every parser it makes, a few milliseconds for all the
    subcommands: a command line that names one builds that one alone.
    """
    parser = _Parser(
        prog=PROG,
        formatter_class=_Formatter,
        description=(
            "The référentiel of the titre professionnel « manager d'équipe relation client à "
            "distance » and its earlier versions. Without a command: a summary of the version "
            "in force today, or of the latest one."
        ),
        epilog="Exit status: 0 success, 1 not found, 2 bad usage or bad input.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the versions and exit")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(command=_cmd_summary)
    common = _Parser(add_help=False, formatter_class=_Formatter)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    every = _commands()
    wanted = _wanted(argv, [name for name, *_ in every])
    for name, function, text, add_arguments in every:
        if wanted is None or name == wanted:
            sub = subparsers.add_parser(
                name, parents=[common], help=text, description=text, formatter_class=_Formatter
            )
            sub.set_defaults(command=function)
            if add_arguments is not None:
                add_arguments(sub)
    return parser


def _version(key: str) -> CertificationVersion:
    """The version ``key`` names; a key that is not even a date is bad input (status 2)."""
    if not _ISO_DATE.fullmatch(key.strip()):
        known = ", ".join(v.key for v in versions())
        raise _CommandError(
            BAD_INPUT,
            f"malformed version key {key!r}: expected the ISO date of the arrêté that made the "
            f"version, one of {known}",
        )
    return version(key)


def _date(text: str) -> dt.date:
    stripped = text.strip()
    if _ISO_DATE.fullmatch(stripped):
        try:
            return dt.date.fromisoformat(stripped)
        except ValueError:
            pass
    raise _CommandError(
        BAD_INPUT, f"bad date {text!r}: expected an ISO date YYYY-MM-DD, e.g. 2020-01-01"
    )


def _separator(value: str | None) -> str:
    if value is None:
        return ","
    sep = "\t" if value in ("\\t", "tab", "TAB") else value
    if len(sep) != 1 or sep in '"\r\n':
        raise _CommandError(
            BAD_INPUT,
            f"bad separator {value!r}: expected one character such as ',' or ';' ('\\t' for a tab)",
        )
    return sep


# ---------------------------------------------------------------- text layout


def _wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` columns, each of its own lines wrapped separately."""
    import textwrap

    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""])
    return lines


def _field(label: str, values: Iterable[str], label_width: int = 22) -> list[str]:
    """``label`` then its values, one per line, wrapped beside it."""
    lines = []
    for value in values:
        for line in _wrap(value, WIDTH - label_width):
            lines.append(f"{label:<{label_width}}{line}".rstrip())
            label = ""
    return lines or [label.rstrip()]


def _bullets(values: Iterable[str], bullet: str = "- ", indent: int = 2) -> list[str]:
    lines = []
    for value in values:
        wrapped = _wrap(value, WIDTH - indent - len(bullet))
        lines.append(" " * indent + bullet + wrapped[0])
        lines.extend(" " * (indent + len(bullet)) + line for line in wrapped[1:])
    return lines or [" " * indent + "none"]


def _table(
    headers: Sequence[str] | None, rows: Sequence[Sequence[str]], indent: int = 0
) -> list[str]:
    r"""Aligned columns; the last one wraps to what is left of the 80 columns.

    >>> print("\n".join(_table(["KEY", "TITLE"], [["a", "b"], ["ccc", "d"]])))
    KEY  TITLE
    a    b
    ccc  d
    """
    every = [list(headers)] if headers else []
    every += [list(row) for row in rows]
    if not every:
        return []
    widths = [max(len(row[i]) for row in every) for i in range(len(every[0]) - 1)]
    left = indent + sum(widths) + 2 * len(widths)
    lines = []
    for row in every:
        first = " " * indent + "".join(f"{cell:<{w}}  " for cell, w in zip(row, widths))
        wrapped = _wrap(row[-1], max(WIDTH - left, 20))
        lines.append((first + wrapped[0]).rstrip())
        lines.extend(" " * left + line for line in wrapped[1:])
    return lines


def _window(v: CertificationVersion) -> str:
    window = v.validity
    if window is None:
        return "not known"
    last = window.last_day
    return f"{window.start} to {last}" if last is not None else f"from {window.start}"


def _status(v: CertificationVersion, day: dt.date, when: str) -> str:
    """One sentence: is ``v`` in force on ``day`` (``when`` names it: "today (…)")."""
    window = v.validity
    if window is None:
        return "Its validity window is not known: no source gives it."
    last = window.last_day
    span = (
        f"from {window.start} to {last} (last day)"
        if last is not None
        else f"from {window.start}, with no known end"
    )
    if day < window.start:
        return f"Not yet in force {when}: in force {span}."
    if window.contains(day):
        return f"In force {when}: {span}."
    return f"No longer in force since {window.end}: it was in force {span}."


def _legal_text_lines(v: CertificationVersion) -> list[str]:
    text = v.legal_text
    details = [text.kind + (f" of {text.date}" if text.date else "")]
    details.append(f"NOR {text.nor}" if text.nor else "NOR not known")
    if text.consolidated_on is not None:
        details.append(f"consolidated on {text.consolidated_on}")
    return [text.title, ", ".join(details)]


def _level(v: CertificationVersion) -> str:
    level = v.level
    if level is None:
        return NOT_KNOWN
    old = f"{level.france_1969} (nomenclature de 1969) · " if level.france_1969 else ""
    return f"{old}niveau {level.france_2019} · EQF {level.eqf}"


def _codes(v: CertificationVersion) -> list[str]:
    nsf_lines = [f"{c.code}  {c.label or 'label not known'}" for c in v.nsf_codes]
    rome_lines = [f"{c.code}  {c.label}" for c in v.rome_codes]
    return [
        *_field("NSF", nsf_lines or ["none"]),
        *_field("ROME", rome_lines or ["none"]),
        *_field("RNCP", [v.rncp or NOT_KNOWN]),
    ]


def _summary(v: CertificationVersion, day: dt.date, when: str) -> list[str]:
    blocks = [[str(b.number), b.title] for b in v.blocks]
    return [
        v.title,
        "=" * len(v.title),
        *_field("Version", [v.key]),
        *(_field("Former titles", v.former_titles) if v.former_titles else []),
        *_field("Legal text", _legal_text_lines(v)),
        *_field("Validity", [_status(v, day, when)]),
        *_field("Level", [_level(v)]),
        *_codes(v),
        "",
        "Blocs de compétences, each sanctioned by a CCP:",
        *(_table(None, blocks, indent=2) if blocks else ["  none"]),
        "",
        f"Every field: {PROG} show {v.key}   All versions: {PROG} versions",
    ]


# ---------------------------------------------------------------- output


def _print(lines: Iterable[str]) -> None:
    sys.stdout.write("".join(line + "\n" for line in lines))


def _print_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _plain(record: object) -> Any:
    from ._converter import to_dict

    return to_dict(record)


def _in_force_json(v: CertificationVersion, day: dt.date) -> dict[str, Any]:
    window = v.validity
    last_day = None if window is None else window.last_day
    return {
        "date": day.isoformat(),
        "in_force": window is not None and window.contains(day),
        "last_day": None if last_day is None else last_day.isoformat(),
        "version": _plain(v),
    }


# ---------------------------------------------------------------- commands


def _cmd_summary(args: argparse.Namespace) -> int:
    today = dt.date.today()
    found = current(today)
    shown = found if found is not None else versions()[-1]
    if args.json:
        _print_json(_in_force_json(shown, today))
        return OK
    lines = _summary(shown, today, f"today ({today})")
    if found is None:
        lines[:0] = [f"No version is in force today ({today}). The latest is:", ""]
    _print(lines)
    return OK


def _cmd_show(args: argparse.Namespace) -> int:
    today = dt.date.today()
    v = (current(today) or versions()[-1]) if args.key is None else _version(args.key)
    if args.json:
        _print_json(_plain(v))
        return OK
    blocks = []
    for b in v.blocks:
        blocks.extend(_bullets([b.title], f"{b.number}. "))
        blocks.extend(_bullets(b.competences, "- ", 5) if b.competences else [])
    summary = _wrap(v.summary, WIDTH - 2) if v.summary is not None else [NOT_KNOWN]
    _print(
        [
            v.title,
            "=" * len(v.title),
            *_field("Version key", [v.key]),
            *_field("Former titles", v.former_titles or ["none"]),
            *_field("Legal text", _legal_text_lines(v)),
            *_field("Validity", [_status(v, today, f"today ({today})")]),
            *_field("Level", [_level(v)]),
            *_codes(v),
            *_field("Certifying authority", [v.certifying_authority or NOT_KNOWN]),
            *_field("Regulation", [v.regulation or NOT_KNOWN]),
            "",
            "Blocs de compétences (CCP) and their capacités attestées",
            *(blocks or ["  none"]),
            "",
            "Compétences transversales",
            *_bullets(v.transversal_competences),
            "",
            "Principal sectors",
            *_bullets(v.sectors),
            "",
            "Job titles (types d'emplois accessibles)",
            *_bullets(v.job_titles),
            "",
            "Summary (résumé du référentiel d'emploi)",
            *("  " + line if line else "" for line in summary),
            "",
            "Legal bases",
            *_bullets(v.legal_bases),
        ]
    )
    return OK


def _cmd_versions(args: argparse.Namespace) -> int:
    today = dt.date.today()
    found = current(today)
    if args.json:
        _print_json(
            [
                {
                    "key": v.key,
                    "title": v.title,
                    "legal_text": v.legal_text.title,
                    "start": None if v.validity is None else v.validity.start.isoformat(),
                    "last_day": None
                    if v.validity is None or v.validity.last_day is None
                    else v.validity.last_day.isoformat(),
                    "in_force_today": v == found,
                    "blocks": len(v.blocks),
                }
                for v in versions()
            ]
        )
        return OK
    rows = [[v.key, _window(v), v.title] for v in versions()]
    now = (
        f"In force today ({today}): {found.key}."
        if found is not None
        else f"No version is in force today ({today})."
    )
    _print(
        [
            *_table(["KEY", "IN FORCE", "TITLE"], rows),
            "",
            *_wrap(
                f"{now} IN FORCE gives the first and the last day; 'not known': no source "
                "gives that version's validity window.",
                WIDTH,
            ),
        ]
    )
    return OK


def _cmd_on(args: argparse.Namespace) -> int:
    day = _date(args.date)
    found = current(day)
    if found is None:
        unknown = [v.key for v in versions() if v.validity is None]
        note = f" (no source gives the validity window of {', '.join(unknown)})" if unknown else ""
        raise _CommandError(NOT_FOUND, f"no version is known to be in force on {day}{note}")
    if args.json:
        _print_json(_in_force_json(found, day))
    else:
        _print(_summary(found, day, f"on {day}"))
    return OK


def _cmd_rome(args: argparse.Namespace) -> int:
    code = rome(args.code)
    listed = by_rome(code.code)
    if args.json:
        _print_json(
            {
                "code": code.code,
                "label": code.label,
                "versions": [{"key": v.key, "title": v.title} for v in listed],
            }
        )
        return OK
    rows = [[v.key, v.title] for v in listed]
    _print(
        [
            f"{code.code}  {code.label}",
            "",
            *(
                ["Versions that list it:", *_table(None, rows)]
                if rows
                else ["No version lists it."]
            ),
        ]
    )
    return OK


def _cmd_nsf(args: argparse.Namespace) -> int:
    listed = by_nsf(args.code)
    try:
        known = nsf(args.code)
        code, label = known.code, known.label
    except UnknownCodeError:
        if not listed:
            raise
        from ._codes import normalize_nsf

        code, label = normalize_nsf(args.code), None
    if args.json:
        _print_json(
            {
                "code": code,
                "label": label,
                "versions": [
                    {"key": v.key, "title": v.title, "nsf": [c.code for c in v.nsf_codes]}
                    for v in listed
                ],
            }
        )
        return OK
    rows = [[v.key, ", ".join(c.code for c in v.nsf_codes), v.title] for v in listed]
    _print(
        [
            f"{code}  {label or 'label not known'}",
            "",
            *(
                [
                    "Versions that list it or a code of its group:"
                    if code.isdigit()
                    else "Versions that list it:",
                    *_table(None, rows),
                ]
                if rows
                else ["No version lists it."]
            ),
        ]
    )
    return OK


def _cmd_rncp(args: argparse.Namespace) -> int:
    found = by_rncp(args.code)
    if args.json:
        _print_json(_plain(found))
    else:
        today = dt.date.today()
        _print(_summary(found, today, f"today ({today})"))
    return OK


# ---------------------------------------------------------------- convert


def _cmd_convert(args: argparse.Namespace) -> int:
    bulk_only = {"--column": args.column, "--sep": args.sep, "-o": args.output}
    if args.csv is not None:
        if args.blocks:
            raise _CommandError(BAD_INPUT, "convert: give BLOCK arguments or --csv, not both")
        if args.column is None:
            raise _CommandError(BAD_INPUT, "convert: --csv needs --column, the column of CCPs")
        return _convert_csv(args)
    given = [name for name, value in bulk_only.items() if value is not None]
    if args.force:
        given.append("--force")
    if given:
        raise _CommandError(BAD_INPUT, f"convert: {', '.join(given)} only go with --csv")
    if not args.blocks:
        raise _CommandError(
            BAD_INPUT, "convert: give the CCPs held as BLOCK arguments, or a file with --csv"
        )
    return _convert_blocks(args)


def _convert_direction(
    args: argparse.Namespace,
) -> tuple[CertificationVersion, CertificationVersion]:
    old, new = _version(args.from_key), _version(args.to_key)
    order = versions()
    if order.index(old) > order.index(new):
        raise _CommandError(
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
            for row in correspondences(current_block.version_key, new_key):
                if row.old == current_block:
                    followed.append(row)
                    if row.new is not None:
                        pending.append(row.new)
    return followed


def _convert_blocks(args: argparse.Namespace) -> int:
    from ._bulk import resolve_block

    old, new = _convert_direction(args)
    held = list(dict.fromkeys(resolve_block(label, old.key, new.key) for label in args.blocks))
    obtained = deemed_obtained(held, new.key)
    deemed = [b for b in new.blocks if b in obtained]
    missing = missing_blocks(held, new.key)
    sources: dict[Source, None] = {}
    for block in held:
        for row in _rows_followed(block, new.key):
            sources[row.source] = None
    if args.json:
        _print_json(
            {
                "from": old.key,
                "to": new.key,
                "held": [_plain(b) for b in held],
                "deemed_obtained": [_plain(b) for b in deemed],
                "missing": [_plain(b) for b in missing],
                "all_held": not missing,
                "sources": [_plain(s) for s in sources],
            }
        )
        return OK
    held_rows = []
    for block in held:
        leads_to = [b.ref for b in new.blocks if b in deemed_obtained([block], new.key)]
        held_rows.append([block.ref, block.title])
        held_rows.append(["", "→ " + (", ".join(leads_to) or f"none of the {new.key} blocs")])
    where = (
        list(dict.fromkeys(f"{s.text.title}, {s.location}." for s in sources))
        if sources
        else ["Blocs of the target version count as themselves."]
        if all(b.version_key == new.key for b in held)
        else [f"No text gives a correspondence leading from these blocs to {new.key}."]
    )
    _print(
        [
            *_table(None, [["From", old.key, old.title], ["To", new.key, new.title]]),
            "",
            "Held",
            *_table(None, held_rows, indent=2),
            "Deemed obtained",
            *_table(None, [[b.ref, b.title] for b in deemed], indent=2),
            *(["  none"] if not deemed else []),
            "Still to obtain",
            *_table(None, [[b.ref, b.title] for b in missing], indent=2),
            *(["  none"] if not missing else []),
            "",
            f"All blocs of the {new.key} title held: {'yes' if not missing else 'no'}",
            *_field("Source", where, 8),
        ]
    )
    return OK


def _convert_csv(args: argparse.Namespace) -> int:
    from . import _bulk

    old, new = _convert_direction(args)
    sep = _separator(args.sep)
    if args.json and args.output is None:
        raise _CommandError(
            BAD_INPUT, "convert: --json with --csv reports on the file -o writes; give -o OUT"
        )
    convert_cell = _bulk.CellConverter(old.key, new.key)
    name = "stdin" if args.csv == "-" else args.csv
    with _bulk.large_fields(), _open_input(args.csv) as binary:
        try:
            source = _bulk.CsvSource(binary, name, args.column, sep)
        except _bulk.CsvInputError as exc:
            raise _CommandError(BAD_INPUT, str(exc)) from None
        if args.output is not None:
            _refuse_same_file(args.csv, args.output)
        with _output(args.output, args.force, newline="") as sink:
            progress = _bulk.stderr_progress(source)
            try:
                outcome = _bulk.convert(source, sink, convert_cell, new.key, progress)
            except _bulk.CsvInputError as exc:
                raise _CommandError(BAD_INPUT, str(exc)) from None
            finally:
                if progress is not None:
                    progress.close()
    error_column = _bulk.added_columns(new.key)[3]
    if args.json:
        _print_json(
            {
                "output": args.output,
                "rows": outcome.rows,
                "unmatched": outcome.unmatched,
                "added_columns": list(_bulk.added_columns(new.key)),
            }
        )
    elif args.output is not None:
        _print([f"Wrote {outcome.rows:,} rows to {args.output}."])
    if outcome.unmatched:
        raise _CommandError(
            NOT_FOUND,
            f"{outcome.unmatched:,} of {outcome.rows:,} rows could not be converted "
            f"(see column {error_column!r})",
        )
    return OK


def _open_input(path: str) -> AbstractContextManager[IO[bytes]]:
    if path == "-":
        return contextlib.nullcontext(sys.stdin.buffer)
    from pathlib import Path

    try:
        return Path(path).open("rb")
    except OSError as exc:
        raise _CommandError(BAD_INPUT, f"cannot read {path}: {exc.strerror or exc}") from None


def _refuse_same_file(source: str, output: str) -> None:
    from pathlib import Path

    if source != "-" and Path(output).exists() and Path(source).samefile(output):
        raise _CommandError(
            BAD_INPUT, f"-o {output} is the input file itself; write somewhere else"
        )


@contextlib.contextmanager
def _output(path: str | None, force: bool, newline: str | None = None) -> Iterator[IO[str]]:
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
        raise _CommandError(BAD_INPUT, f"cannot write {path}: it is a directory")
    try:
        file = target.open("w" if force else "x", encoding="utf-8", newline=newline)
    except FileExistsError:
        raise _CommandError(BAD_INPUT, f"{path} exists; give --force to overwrite it") from None
    except IsADirectoryError:
        raise _CommandError(BAD_INPUT, f"cannot write {path}: it is a directory") from None
    except OSError as exc:
        raise _CommandError(BAD_INPUT, f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        yield file
        file.close()
    except OSError as exc:
        _discard(file, target)
        raise _CommandError(BAD_INPUT, f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        _discard(file, target)
        raise


def _discard(file: IO[str], target: Path) -> None:
    with contextlib.suppress(OSError):
        file.close()
    with contextlib.suppress(OSError):
        target.unlink()


# ---------------------------------------------------------------- export


def _cmd_export(args: argparse.Namespace) -> int:
    from . import _export

    sep = _separator(args.sep)
    if args.format != "csv":
        for option, value in (("--table", args.table), ("--sep", args.sep)):
            if value is not None:
                raise _CommandError(BAD_INPUT, f"export: {option} only goes with --format csv")
    elif args.table is not None and args.table not in _export.CSV_TABLES:
        raise _CommandError(
            BAD_INPUT,
            f"export: no table {args.table!r}; tables: {', '.join(_export.CSV_TABLES)}",
        )
    if args.json and args.output is None:
        raise _CommandError(BAD_INPUT, "export: --json reports on the files -o writes; give -o")
    if args.format == "csv" and args.table is None and args.output is not None:
        written = _export_csv_directory(args.output, args.force, sep)
    else:
        with _output(args.output, args.force, newline="") as out:
            if args.format == "csv":
                _export.write_csv(args.table or _export.MAIN_TABLE, out, sep)
            else:
                out.write(_export.render(args.format))
        written = [] if args.output is None else [args.output]
    if args.json:
        _print_json({"format": args.format, "files": written})
    elif written:
        _print([f"Wrote {path}" for path in written])
    return OK


def _export_csv_directory(directory: str, force: bool, sep: str) -> list[str]:
    from pathlib import Path

    from . import _export

    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise _CommandError(
            BAD_INPUT,
            f"-o {directory} is a file; all CSV tables go to a directory (or give --table)",
        )
    paths = {name: folder / f"{name}.csv" for name in _export.CSV_TABLES}
    if not force:
        existing = [p for p in paths.values() if p.exists()]
        if existing:
            raise _CommandError(BAD_INPUT, f"{existing[0]} exists; give --force to overwrite it")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise _CommandError(
            BAD_INPUT, f"cannot create {directory}: {exc.strerror or exc}"
        ) from None
    for name, path in paths.items():
        with _output(str(path), force=True, newline="") as out:
            _export.write_csv(name, out, sep)
    return [str(p) for p in paths.values()]
