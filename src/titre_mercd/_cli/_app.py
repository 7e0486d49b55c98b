"""The program: the argument parser, the dispatch to one command, and how errors are reported.

Exit status: 0 success, 1 not found, 2 bad usage or bad input, 128+n when signal n ends the
run (141 for a broken pipe). Every error is one line on standard error, never a traceback;
under ``--json``, a JSON object on that line, and a negative verdict (status 1) is a JSON
object on standard output.

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

from .. import _referentiel
from .._loading import ENVIRONMENT_VARIABLE, SHIPPED
from ..exceptions import (
    AmbiguousBlockError,
    ArgumentTypeError,
    DataError,
    InvalidCodeError,
    OutputError,
    UndecidedError,
    UnknownBlockError,
    UnknownCodeError,
    UnknownVersionError,
)
from ._common import (
    BAD_INPUT,
    NOT_FOUND,
    OK,
    PROG,
    CommandError,
    Formatter,
    Parser,
    json_text,
    print_json,
    visible,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["run", "wants_json"]

SIGNALLED = 128  # the shell's convention: a run ended by signal n exits with 128 + n
BROKEN_PIPE = SIGNALLED + 13  # SIGPIPE, whatever the platform numbers it
_MAX_MESSAGE = 2000  # characters of an error message shown on standard error

# Each subcommand: its name, the module of ``_cli`` that runs it, the function there, its
# arguments (the function there that adds them, or its one positional argument: name, nargs,
# help; or None), and its help.
_CODE = ("code", None, "the code, in any case and spacing")
_COMMANDS = (
    ("show", "_versions", "cmd_show", ("key", "?", "version key, e.g. 2018-12-11"),
     "every field of a version (default: today's or the latest)"),
    ("versions", "_versions", "cmd_versions", None,
     "every version and its validity, oldest first"),
    ("on", "_versions", "cmd_on", ("date", None, "a day, YYYY-MM-DD or DD/MM/YYYY"),
     "the version in force on a day"),
    ("convert", "_convert", "cmd_convert", "convert_arguments",
     ("the blocs a holder of CCPs of one version is deemed to hold in another; "
     "with --csv or --input, a whole file of candidates (CSV or .xlsx)")),
    ("rome", "_nomenclature", "cmd_rome", _CODE, "look up a ROME code, e.g. D1408"),
    ("nsf", "_nomenclature", "cmd_nsf", _CODE, "look up an NSF code or group, e.g. 312t or 312"),
    ("formacode", "_nomenclature", "cmd_formacode", _CODE, "look up a Formacode, e.g. 34076"),
    ("rncp", "_versions", "cmd_rncp",
     ("code", None, "the fiche number, with or without 'RNCP', e.g. 12505"),
     "look up an RNCP fiche number, e.g. RNCP12505"),
    ("export", "_export", "cmd_export", "export_arguments",
     "the whole data set as JSON, CSV, JSON-LD, a graph or an Excel workbook"),
    ("registry", "_registry", "cmd_registry", "registry_arguments",
     ("update the data from France compétences' RNCP export, check the data against it, "
      "or import from it")),
    ("data", "_data", "cmd_data", "data_arguments",
     "verify a data directory: every rule the shipped data passes, each failure listed"),
)  # fmt: skip


def run(argv: Sequence[str] | None = None) -> int:
    """:func:`titre_mercd._cli.main` once the signal handlers are in place."""
    # An update built on another DATA_VERSION: a line on standard error, not a warning.
    previous, _referentiel.stale_update_report = _referentiel.stale_update_report, _stale_update
    try:
        return _run(argv)
    finally:
        _referentiel.stale_update_report = previous


def _run(argv: Sequence[str] | None) -> int:
    arguments: list[str] = []
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
        return _fail(*_interrupted(exc), "Interrupted", arguments)
    except Exception as exc:  # noqa: BLE001  (every error becomes one line, never a traceback)
        return _fail(*_explain(exc), arguments, verdict=not getattr(exc, "reported", False))
    return status


def _stale_update(message: str) -> None:
    """An update built on another DATA_VERSION: one line on standard error (not a warning)."""
    _error_line(f"{PROG}: {message}")


def _error_line(line: str) -> None:
    """``line`` on standard error; a closed or broken one cannot show it (the status tells)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _interrupted(exc: KeyboardInterrupt) -> tuple[int, str]:
    """The exit status and the message for a run ended by a signal."""
    import signal

    from ._process import Stopped, signal_name

    signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
    if signum == signal.SIGINT:
        return SIGNALLED + signum, "interrupted"
    return SIGNALLED + signum, f"ended by {signal_name(signum)}"


def _explain(exc: Exception) -> tuple[int, str, str]:
    """The exit status, the message and the kind (for ``--json``) of an error."""
    if isinstance(exc, CommandError):
        return exc.status, exc.message, exc.kind
    kind, message = type(exc).__name__, str(exc)
    if isinstance(exc, (UnknownCodeError, UnknownVersionError, UnknownBlockError, UndecidedError)):
        return NOT_FOUND, message, kind
    if isinstance(exc, DataError) and exc.directory is None:
        # Reinstalling mends only the shipped data; a directory the user named (--data,
        # TITRE_MERCD_DATA) is theirs to fix, and the message names it.
        message = f"the shipped data is invalid (reinstall titre-mercd): {message}"
    elif isinstance(exc, UnicodeEncodeError):
        kind = "EncodingError"
        message = f"standard output cannot show French text ({exc.encoding}); "
        message += "set PYTHONIOENCODING=utf-8"
    elif isinstance(exc, OutputError):  # it says what and why
        kind = "OutputError"
    elif isinstance(exc, OSError):  # standard output closed or failing
        from ._process import ClosedStreamError

        kind, message = "OSError", str(exc.strerror)
        if not isinstance(exc, ClosedStreamError):
            where = str(exc.filename)[:200] if exc.filename is not None else "standard output"
            message = f"cannot write {where}: {exc.strerror or type(exc).__name__}"
    elif not isinstance(exc, (InvalidCodeError, AmbiguousBlockError, ArgumentTypeError, DataError)):
        kind, message = "UnexpectedError", f"unexpected error, please report it: {kind}: {exc}"
    return BAD_INPUT, message, kind


def wants_json(argv: Sequence[str]) -> bool:
    """Whether ``argv`` asks for ``--json`` (read before parsing, for errors parsing finds)."""
    for word in argv:
        if word == "--":
            return False
        if word == "--json":
            return True
    return False


def _fail(
    status: int,
    message: str,
    kind: str = "UnexpectedError",
    argv: Sequence[str] = (),
    *,
    verdict: bool = True,
) -> int:
    """Report an error and return its exit status.

    One line on standard error. Under ``--json`` (read from ``argv``, the command line), a
    negative verdict (status 1) is JSON on standard output only (a verdict object, unless the
    command has written its own report), as the commands that print their own verdict do; any
    other error is a JSON object on that line of standard error (the message, the kind of
    error, the exit status), with nothing on standard output.
    """
    # Controls made visible first, so that none is read as a line break (\x1c, \x85, …).
    line = " ".join(visible(message).splitlines())
    if len(line) > _MAX_MESSAGE:
        line = line[: _MAX_MESSAGE - 1] + "…"
    json_output = wants_json(argv)
    try:
        if json_output and verdict and status == NOT_FOUND:
            print_json(
                {
                    "command": _wanted(argv),
                    "verdict": "undecided" if kind == "UndecidedError" else "not found",
                    "kind": kind,
                    "message": line,
                    "status": status,
                }
            )
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away: that ends the run, whatever the verdict
        _silence_stdout()
        return BROKEN_PIPE
    except (OSError, ValueError):
        _silence_stdout()
    if json_output and status == NOT_FOUND:
        return status
    if json_output:  # one line too, so that a log keeps each error whole
        _error_line(json_text({"message": line, "kind": kind, "status": status}, indent=None))
    else:
        _error_line(f"{PROG}: {line}")
    return status


def _silence_stdout() -> None:
    """Point standard output at the null device, so the interpreter's final flush is quiet."""
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Version(argparse.Action):
    """``--version``: the package version and the data version, read only when asked."""

    def __init__(self, *args: Any, json_output: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.json_output = json_output  # --json is on the command line, before or after

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        import titre_mercd

        from ._in_use import data_json, data_words

        data = data_json()
        if self.json_output:
            print_json(
                {
                    "name": PROG,
                    "version": titre_mercd.__version__,
                    "data_version": titre_mercd.DATA_VERSION,
                    "data": data,
                }
            )
        else:
            sys.stdout.write(
                visible(
                    f"{PROG} {titre_mercd.__version__} (data {titre_mercd.DATA_VERSION}: "
                    f"{data_words(data, directory=False)})\n"
                )
            )
        parser.exit()


class _Data(argparse.Action):
    """``--data DIR``: answer from that data directory, read and checked as soon as it is seen.

    Selected while the command line is read, so that ``--version`` after it names its data;
    a directory that fails a check ends the run with its one-line :class:`DataError`.
    """

    def __call__(
        self,
        _parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        *_: object,
    ) -> None:
        from .._referentiel import use_data

        use_data(str(values))
        setattr(namespace, self.dest, values)


def _summary(args: argparse.Namespace) -> int:
    from ._versions import cmd_summary

    return cmd_summary(args)


def _wanted(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, if it surely names one (else all are built, for help)."""
    words = iter(argv)
    for word in words:
        if word == "--data":
            next(words, None)  # its value
        elif word != "--json" and not word.startswith("--data="):
            return word if any(word == name for name, *_ in _COMMANDS) else None
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
            "Exit status: 0 success, 1 not found (or another negative verdict), 2 bad usage or "
            "bad input, 128+n when signal n ends the run (130 for Ctrl-C, 141 for a broken "
            "pipe). With --json, errors are a JSON object on standard error."
        ),
    )
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        json_output=wants_json(argv),
        help="show the versions and exit (as JSON with --json)",
    )
    data_help = (
        "answer from the data directory DIR (one 'titre-mercd registry import' writes); "
        f"'{SHIPPED}': the shipped data; default: ${ENVIRONMENT_VARIABLE} if set, else your "
        "update ('titre-mercd registry update') if there is one, else the shipped data"
    )

    def options(target: Parser, **default: Any) -> None:  # on the program and each command
        target.add_argument(
            "--json", action="store_true", help="machine-readable output", **default
        )
        target.add_argument("--data", action=_Data, metavar="DIR", help=data_help, **default)

    options(parser)
    parser.set_defaults(command=_summary)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    wanted = _wanted(argv)
    for name, module_name, function, arguments, text in _COMMANDS:
        if wanted is None or name == wanted:
            module: Any = import_module(f"{__package__}.{module_name}")
            sub = subparsers.add_parser(
                name, help=text, description=text, formatter_class=Formatter
            )
            options(sub, default=argparse.SUPPRESS)
            sub.set_defaults(command=getattr(module, function))
            if isinstance(arguments, tuple):
                dest, nargs, argument_help = arguments
                sub.add_argument(dest, nargs=nargs, metavar=dest.upper(), help=argument_help)
            elif arguments is not None:
                adder = getattr(module, arguments)
                adder(sub, argv) if name == "registry" else adder(sub)
    return parser
