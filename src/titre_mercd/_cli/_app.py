"""The program: the argument parser, the dispatch to one command, and how errors are reported.

Exit status: 0 success, 1 not found, 2 bad usage or bad input, 128+n when signal n ends the
run (141 for a broken pipe). Every error is one line on standard error, never a traceback.

Start-up matters (a shell loop may call it thousands of times): only :mod:`argparse` and the
light public API are imported here; each command's module is imported when that command runs,
and JSON, CSV, the exports and the bulk conversion by the commands that need them.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, NoReturn

from ..exceptions import (
    AmbiguousBlockError,
    ArgumentTypeError,
    DataError,
    InvalidCodeError,
    UnknownBlockError,
    UnknownCodeError,
    UnknownVersionError,
)
from ._common import BAD_INPUT, NOT_FOUND, OK, PROG, CommandError, Formatter, Parser

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["run"]

SIGNALLED = 128  # the shell's convention: a run ended by signal n exits with 128 + n
BROKEN_PIPE = SIGNALLED + 13  # SIGPIPE, whatever the platform numbers it
_MAX_MESSAGE = 2000  # characters of an error message shown on standard error

# Each subcommand: its name, the module of ``_cli`` that runs it, the function there, the
# function there that adds its arguments (or None), and its help.
_COMMANDS = (
    ("show", "_versions", "cmd_show", "show_arguments",
     "every field of a version (default: today's or the latest)"),
    ("versions", "_versions", "cmd_versions", None,
     "every version and its validity, oldest first"),
    ("on", "_versions", "cmd_on", "on_arguments", "the version in force on a day"),
    ("convert", "_convert", "cmd_convert", "convert_arguments",
     ("the blocs a holder of CCPs of one version is deemed to hold in another; "
     "with --csv or --input, a whole file of candidates (CSV or .xlsx)")),
    ("rome", "_nomenclature", "cmd_rome", "code_arguments", "look up a ROME code, e.g. D1408"),
    ("nsf", "_nomenclature", "cmd_nsf", "code_arguments",
     "look up an NSF code or group, e.g. 312t or 312"),
    ("rncp", "_versions", "cmd_rncp", "rncp_arguments",
     "look up an RNCP fiche number, e.g. RNCP12505"),
    ("export", "_export", "cmd_export", "export_arguments",
     "the whole data set as JSON, CSV, JSON-LD, a graph or an Excel workbook"),
)  # fmt: skip


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (``sys.argv[1:]`` when ``None``); return the exit status.

    >>> run(["rome", "d1408"])
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
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
            return BROKEN_PIPE
        return exc.code if isinstance(exc.code, int) else OK
    except BrokenPipeError:
        # The reader went away (``titre-mercd export --format csv | head``): stop quietly.
        _silence_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM or SIGHUP (see _process)
        return _fail(*_interrupted(exc))
    except Exception as exc:  # noqa: BLE001  (every error becomes one line, never a traceback)
        return _fail(*_explain(exc))
    return status


def _interrupted(exc: KeyboardInterrupt) -> tuple[int, str]:
    """The exit status and the message for a run ended by a signal."""
    import signal

    from ._process import Stopped, signal_name

    signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
    if signum == signal.SIGINT:
        return SIGNALLED + signum, "interrupted"
    return SIGNALLED + signum, f"ended by {signal_name(signum)}"


def _explain(exc: Exception) -> tuple[int, str]:
    """The exit status and the message for an error."""
    if isinstance(exc, CommandError):
        return exc.status, exc.message
    if isinstance(exc, (UnknownCodeError, UnknownVersionError, UnknownBlockError)):
        return NOT_FOUND, str(exc)
    if isinstance(exc, (InvalidCodeError, AmbiguousBlockError, ArgumentTypeError)):
        return BAD_INPUT, str(exc)
    if isinstance(exc, DataError):
        return BAD_INPUT, f"the shipped data is invalid (reinstall titre-mercd): {exc}"
    from .._output import OutputError

    if isinstance(exc, (OSError, OutputError, UnicodeEncodeError)):
        return BAD_INPUT, _system_error(exc)
    return BAD_INPUT, f"unexpected error, please report it: {type(exc).__name__}: {exc}"


def _system_error(exc: Exception) -> str:
    """The message for an output refused, or a stream closed, failing or not UTF-8."""
    from ._process import ClosedStreamError

    if isinstance(exc, UnicodeEncodeError):
        return (
            f"standard output cannot show French text ({exc.encoding}); set PYTHONIOENCODING=utf-8"
        )
    if not isinstance(exc, OSError):  # OutputError: it says what and why
        return str(exc)
    if isinstance(exc, ClosedStreamError):
        return str(exc.strerror)
    where = str(exc.filename)[:200] if exc.filename is not None else "standard output"
    return f"cannot write {where}: {exc.strerror or type(exc).__name__}"


def _fail(status: int, message: str) -> int:
    line = " ".join(message.splitlines())
    if len(line) > _MAX_MESSAGE:
        line = line[: _MAX_MESSAGE - 1] + "…"
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()
    # A closed or broken standard error cannot show the message; the status still tells.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"{PROG}: {line}\n")
        sys.stderr.flush()
    return status


def _silence_stdout() -> None:
    """Point standard output at the null device, so the interpreter's final flush is quiet."""
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Version(argparse.Action):
    """``--version``: the package version and the data version, read only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        import titre_mercd

        sys.stdout.write(f"{PROG} {titre_mercd.__version__} (data {titre_mercd.DATA_VERSION})\n")
        parser.exit()


def _summary(args: argparse.Namespace) -> int:
    from ._versions import cmd_summary

    return cmd_summary(args)


def _wanted(argv: Sequence[str], names: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, if it surely names one (else all are built, for help)."""
    for word in argv:
        if word != "--json":
            return word if word in names else None
    return None


def _parser(argv: Sequence[str]) -> Parser:
    """The argument parser; only the subcommand ``argv`` names is built, to start fast.

    argparse looks up translations for every parser it makes, a few milliseconds for all the
    subcommands: a command line that names one builds that one alone (and imports its module).
    """
    parser = Parser(
        prog=PROG,
        formatter_class=Formatter,
        description=(
            "The référentiel of the titre professionnel « manager d'équipe relation client à "
            "distance » and its earlier versions. Without a command: a summary of the version "
            "in force today, or of the latest one."
        ),
        epilog=(
            "Exit status: 0 success, 1 not found, 2 bad usage or bad input, 128+n when "
            "signal n ends the run (130 for Ctrl-C, 141 for a broken pipe)."
        ),
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the versions and exit")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(command=_summary)
    common = Parser(add_help=False, formatter_class=Formatter)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    wanted = _wanted(argv, [name for name, *_ in _COMMANDS])
    for name, module_name, function, add_arguments, text in _COMMANDS:
        if wanted is None or name == wanted:
            module: Any = import_module(f"{__package__}.{module_name}")
            sub = subparsers.add_parser(
                name, parents=[common], help=text, description=text, formatter_class=Formatter
            )
            sub.set_defaults(command=getattr(module, function))
            if add_arguments is not None:
                getattr(module, add_arguments)(sub)
    return parser
