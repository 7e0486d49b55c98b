"""What every command shares: exit statuses, argument checks, text layout and printing.

Human output fits an 80-column terminal; ``--json`` output is printed by :func:`print_json`.
Text from data (a data directory, an RNCP export) and from the command line is untrusted: every
line printed goes through :func:`visible`, so that no terminal control it holds can set a
window's title, clear the screen or reorder what is shown.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from .._referentiel import version, versions

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Sequence

    from _typeshed import SupportsWrite

    from .._records import CertificationVersion

__all__ = [
    "BAD_INPUT",
    "NOT_FOUND",
    "NOT_KNOWN",
    "OK",
    "PROG",
    "WIDTH",
    "CommandError",
    "Formatter",
    "Parser",
    "add_options",
    "field",
    "json_controls_escaped",
    "json_text",
    "parse_date",
    "plain",
    "print_json",
    "print_lines",
    "separator",
    "table",
    "version_argument",
    "visible",
    "wrap",
]

PROG = "titre-mercd"
WIDTH = 80
OK, NOT_FOUND, BAD_INPUT = 0, 1, 2
NOT_KNOWN = "not known (no source gives it)"
# Patterns, compiled on first use (by ``re``'s cache): a run needs one or two of them.
_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_FRENCH_DATE = r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"
# What a terminal acts on rather than shows: the C0 controls but tab and newline, DEL, the C1
# controls (U+0080 to U+009F: U+009B is a one-character CSI), and the bidi embeddings,
# overrides and isolates (U+202A to U+202E, U+2066 to U+2069), which reorder what follows.
_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
# What ``json.dumps`` leaves raw of those (it escapes the C0 controls itself).
_JSON_RAW = "[\x7f-\x9f\u202a-\u202e\u2066-\u2069]"


class CommandError(Exception):
    """An error to report in one line on standard error, with its exit status.

    ``kind`` names it in the JSON error object (``--json``): ``"UsageError"`` for arguments
    that do not go together, ``"InputError"`` (status 2) and ``"NotFound"`` (status 1) by
    default. ``reported``: the command has already written its answer (a report that is a
    negative verdict), so no verdict object is printed for it under ``--json``.
    """

    def __init__(
        self, status: int, message: str, *, kind: str | None = None, reported: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind or ("NotFound" if status == NOT_FOUND else "InputError")
        self.reported = reported


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Report a usage error as a :class:`CommandError` instead of printing the usage."""
        command = self.prog[len(PROG) :].strip()
        where = f"{command}: " if command else ""
        raise CommandError(
            BAD_INPUT, f"{where}{message} (see '{self.prog} --help')", kind="UsageError"
        )

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse's own version swallows write errors: --help into a closed pipe would then
        # exit 0 having shown nothing. Here they reach the program's handling (status 141).
        if message:
            (file or sys.stderr).write(visible(message))


class Formatter(argparse.HelpFormatter):
    """Help that fits 80 columns; a fixed width also spares argparse importing :mod:`shutil`."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=WIDTH - 2)


# ---------------------------------------------------------------- arguments


def add_options(parser: argparse.ArgumentParser, options: dict[str, str | dict[str, Any]]) -> None:
    """Add each option: its flags then its metavar (none: a switch), and its help.

    A dict instead of the help gives the keywords of ``add_argument``, ``help`` among them.

    >>> parser = Parser(prog=PROG)
    >>> add_options(parser, {"-o --output OUT": "write here", "--force": "replace OUT"})
    >>> parser.parse_args(["-o", "x", "--force"])
    Namespace(output='x', force=True)
    """
    for spec, given in options.items():
        *flags, metavar = spec.split()
        keywords = {"help": given} if isinstance(given, str) else dict(given)
        if metavar.startswith("-"):
            flags.append(metavar)
            if len(keywords) == 1:
                keywords["action"] = "store_true"
        else:
            keywords["metavar"] = metavar
        parser.add_argument(*flags, **keywords)


def _iso(text: str) -> str:
    """``text`` stripped, a French date DD/MM/YYYY written as ISO YYYY-MM-DD."""
    stripped = text.strip()
    french = re.fullmatch(_FRENCH_DATE, stripped)
    if french is None:
        return stripped
    day, month, year = french.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def version_argument(key: str) -> CertificationVersion:
    """The version ``key`` names (an ISO or a French date); anything else is bad input (status 2).

    >>> version_argument("11/12/2018").key
    '2018-12-11'
    """
    iso = _iso(key)
    if not re.fullmatch(_ISO_DATE, iso):
        known = ", ".join(v.key for v in versions())
        raise CommandError(
            BAD_INPUT,
            f"malformed version key {key!r:.200}: expected the date of the arrêté that made the "
            f"version, as YYYY-MM-DD or DD/MM/YYYY, one of {known}",
        )
    return version(iso)


def parse_date(text: str) -> dt.date:
    """The day ``text`` names, ISO (YYYY-MM-DD) or French (DD/MM/YYYY); else bad input (status 2).

    >>> parse_date("04/12/2026"), parse_date("2026-12-04")
    (datetime.date(2026, 12, 4), datetime.date(2026, 12, 4))
    """
    import datetime as dt

    iso = _iso(text)
    if re.fullmatch(_ISO_DATE, iso):
        try:
            return dt.date.fromisoformat(iso)
        except ValueError:
            pass
    raise CommandError(
        BAD_INPUT,
        f"bad date {text!r:.200}: expected YYYY-MM-DD or DD/MM/YYYY, e.g. 2020-01-31 or 31/01/2020",
    )


def separator(value: str | None) -> str:
    """The one-character CSV separator ``--sep`` gives (``,`` when not given)."""
    if value is None:
        return ","
    sep = "\t" if value in ("\\t", "tab", "TAB") else value
    if len(sep) != 1 or sep in '"\r\n':
        raise CommandError(
            BAD_INPUT,
            f"bad separator {value!r:.200}: expected one character such as ',' or ';' "
            "('\\t' for a tab)",
        )
    return sep


# ---------------------------------------------------------------- text layout


def wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` columns, each of its own lines wrapped separately."""
    import textwrap

    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""])
    return lines


def field(label: str, values: Iterable[str], label_width: int = 22) -> list[str]:
    """``label`` then its values, one per line, wrapped beside it."""
    lines = []
    for value in values:
        for line in wrap(value, WIDTH - label_width):
            lines.append(f"{label:<{label_width}}{line}".rstrip())
            label = ""
    return lines or [label.rstrip()]


def table(
    headers: Sequence[str] | None, rows: Sequence[Sequence[str]], indent: int = 0
) -> list[str]:
    r"""Aligned columns; the last one wraps to what is left of the 80 columns.

    >>> print("\n".join(table(["KEY", "TITLE"], [["a", "b"], ["ccc", "d"]])))
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
        wrapped = wrap(row[-1], max(WIDTH - left, 20))
        lines.append((first + wrapped[0]).rstrip())
        lines.extend(" " * left + line for line in wrapped[1:])
    return lines


# ---------------------------------------------------------------- output


def visible(text: str) -> str:
    r"""``text`` with each terminal control but newline and tab written as a visible escape.

    C0 and C1 controls and DEL become ``\xNN``, the bidi controls ``\uNNNN``: what is shown
    is what the text holds, and the terminal acts on none of it.

    >>> print(visible("Titre\x1b]0;pwned\x07 \u202eevil\x9b2J"))
    Titre\x1b]0;pwned\x07 \u202eevil\x9b2J
    """
    if re.search(_CONTROLS, text) is None:  # the common case: nothing to replace
        return text
    return re.sub(_CONTROLS, _escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def print_lines(lines: Iterable[str]) -> None:
    """Write ``lines`` to standard output, each ended by a newline, controls made visible."""
    sys.stdout.write(visible("".join(line + "\n" for line in lines)))


def json_text(data: object, indent: int | None = 2) -> str:
    r"""``data`` as JSON, non-ASCII text kept as it is but for the controls a terminal acts on.

    ``json`` escapes the C0 controls; DEL, the C1 and the bidi controls are escaped here too
    (``\u009b``, ``\u202e``): the same JSON value, and nothing a terminal would act on. They
    can only stand inside a JSON string, so the escape is always valid.
    """
    import json

    return json_controls_escaped(json.dumps(data, ensure_ascii=False, indent=indent))


def json_controls_escaped(text: str) -> str:
    r"""JSON ``text`` with DEL, the C1 and the bidi controls written as JSON escapes.

    >>> json_controls_escaped('{"title": "a\u202eb\x9b"}')
    '{"title": "a\\u202eb\\u009b"}'
    """
    if re.search(_JSON_RAW, text) is None:
        return text
    return re.sub(_JSON_RAW, lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(data: object) -> None:
    """Write ``data`` to standard output as indented JSON (see :func:`json_text`)."""
    sys.stdout.write(json_text(data) + "\n")


def plain(record: object) -> Any:
    """``record`` as JSON-ready data, through the package's one converter; ``None`` stays."""
    from .._converter import to_dict

    return None if record is None else to_dict(record)
