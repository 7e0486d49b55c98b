"""``registry check``, ``import`` and ``update``: the data beside the RNCP's export."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable, TypeVar

from ._common import (
    BAD_INPUT,
    NOT_FOUND,
    OK,
    PROG,
    WIDTH,
    CommandError,
    add_options,
    print_json,
    print_lines,
    wrap,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from attrs import AttrsInstance

    from .._registry import RegistryCheck
    from .._registry_import import ImportResult
    from .._update import UpdateResult
    from ..exceptions import ExportLacksLineageError

__all__ = ["cmd_registry", "registry_arguments"]

R = TypeVar("R", bound="AttrsInstance")


def registry_arguments(registry: argparse.ArgumentParser, argv: Sequence[str] = ()) -> None:
    """``registry check EXPORT``, ``registry import EXPORT -o DIR`` and ``registry update``.

    EXPORT is optional only for ``update`` (``argv``: the command line): an optional positional
    would take nothing in ``registry check --json EXPORT`` and refuse EXPORT after it.
    """
    registry.description = (
        "update: fetch the newest RNCP export that data.gouv.fr lists (kept in your cache "
        "directory, resumed if interrupted, checked against its size and checksum) and import "
        "it into your data directory, from which every later command and program answers; "
        "exit status 1 when the export holds no fiche of the lineage (nothing changes). "
        "check: compare every version of the data with its fiche in France compétences' RNCP "
        "export (the XML, or its zip as downloaded), and list the lineage's fiches the data "
        "lacks; exit status 0 when all agrees, 1 when something differs or is missing. "
        "import: write in DIR a complete data directory, the shipped data and what the export "
        "adds, each fact sourced to its fiche; use it with TITRE_MERCD_DATA=DIR or --data DIR."
    )
    registry.add_argument(
        "action",
        metavar="ACTION",
        choices=("check", "import", "update"),
        help="check, import or update",
    )
    registry.add_argument(
        "export",
        metavar="EXPORT",
        nargs="?" if "update" in argv else None,
        help="check, import: the XML export, or its zip",
    )
    add_options(
        registry,
        {
            "-o --output DIR": "import: where to write",
            "--force": "import: replace DIR if an earlier import wrote it",
            "--export-date AAAA-MM-JJ": "import, update --export: the export's date, when its "
            "file name does not give it",
            "--api URL": "update: the dataset's API URL (default: data.gouv.fr's), or a mirror's",
            "--export FILE": {
                "help": "update: import this export (XML or zip) instead of downloading one",
                "dest": "export_file",
            },
            "--offline": "update: import the export kept in the cache again",
            "--timeout SECONDS": {
                "help": "update: seconds to wait for the server to connect and to send (default: "
                "10 and 60)",
                "type": float,
            },
        },
    )


def cmd_registry(args: argparse.Namespace) -> int:
    """Run the action ``registry`` names."""
    if args.action == "update":
        return _cmd_update(args)
    _refuse(
        f"registry {args.action}: {{}} only goes with update",
        {
            "--api": args.api,
            "--export": args.export_file,
            "--offline": args.offline,
            "--timeout": args.timeout,
        },
    )
    if args.action == "check":
        _refuse(
            "registry check: {} only goes with import",
            {"-o": args.output, "--force": args.force, "--export-date": args.export_date},
        )
        return cmd_check(args)
    if args.output is None:
        raise CommandError(
            BAD_INPUT, "registry import: -o DIR is required (see 'titre-mercd registry --help')"
        )
    return cmd_import(args)


def _refuse(message: str, options: dict[str, object]) -> None:
    """Refuse the first of ``options`` given (neither ``None`` nor false), named in ``message``."""
    for option, value in options.items():
        if value is not None and value is not False:
            raise CommandError(BAD_INPUT, message.format(option))


def cmd_check(args: argparse.Namespace) -> int:
    """``registry check EXPORT [--json]``."""
    from .._registry import registry_check, report_json
    from ..exceptions import RegistryExportError

    try:
        report = registry_check(args.export)
    except RegistryExportError as exc:
        raise CommandError(BAD_INPUT, str(exc)) from None
    if getattr(args, "json", False):
        print_json(report_json(report))
    else:
        print_lines(_check_lines(report))
    return OK if report.agrees else NOT_FOUND


def _check_lines(report: RegistryCheck) -> list[str]:
    lines = wrap(
        f"Registry check of {report.export}: {report.fiches_read} fiches read; the lineage's: "
        + (", ".join(report.lineage) or "none")
        + f". Data {report.data_version}. Beside the data's window, start is the registry's "
        "DATE_EFFET and end its DATE_FIN_ENREGISTREMENT (agreeing with the exclusive end or "
        "the last day); ≠ marks a difference.",
        WIDTH,
    )
    for v in report.versions:
        lines.append("")
        head = f"{v.key}  {v.title}"
        lines.extend(wrap(head, WIDTH))
        lines.append("=" * min(len(head), WIDTH))
        if v.fiche is not None:
            lines.append(f"Fiche {v.fiche}")
        if v.note:
            lines.extend(wrap(f"No fiche: {v.note}.", WIDTH))
        if v.fields:
            lines.extend(_field_table(v.fields))
        if v.fiche is None and not v.fields:
            lines.append("Not compared.")
        else:
            lines.append("Agrees." if v.agrees else "Differs.")
    lines.append("")
    if report.missing:
        lines.append("Fiches of the lineage the data lacks (registry import brings them):")
        for m in report.missing:
            window = (
                f"from {m.effective_on.isoformat() if m.effective_on else '?'}"
                f" to {m.registered_until.isoformat() if m.registered_until else '?'}"
            )
            active = {True: "active", False: "inactive", None: "activity not given"}[m.active]
            text = wrap(f"{m.number}  {m.title}, {window}, {active}", WIDTH - 4)
            lines.extend(("  " if i == 0 else "    ") + line for i, line in enumerate(text))
    else:
        lines.append("The data has every fiche of the lineage the export holds.")
    if not report.lineage:
        lines.append("No fiche of the lineage in this export: nothing disagrees.")
    else:
        lines.append(
            "Everything agrees." if report.agrees else "Differences found (exit status 1)."
        )
    return lines


def _field_table(fields: object) -> list[str]:
    """FIELD, DATA and REGISTRY side by side, ``≠`` marking a difference, in 80 columns."""
    from itertools import zip_longest

    name_width, value_width = 22, 26
    lines = [f"  {'FIELD':<{name_width}}{'DATA':<{value_width + 2}}REGISTRY"]
    for f in fields:  # type: ignore[attr-defined]
        data = wrap(f.data if f.data is not None else "-", value_width)
        registry = wrap(f.registry if f.registry is not None else "-", value_width)
        names = wrap(f.field, name_width - 2)
        mark = "  " if f.agrees else "≠ "
        lines.extend(
            ((mark if i == 0 else "  ") + f"{n:<{name_width}}{d:<{value_width + 2}}{r}").rstrip()
            for i, (n, d, r) in enumerate(zip_longest(names, data, registry, fillvalue=""))
        )
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    """``registry import EXPORT -o DIR [--force] [--export-date AAAA-MM-JJ] [--json]``."""
    from .._registry_import import import_export
    from ._common import parse_date

    when = None if args.export_date is None else parse_date(args.export_date)
    return _imported(
        "import",
        args,
        lambda: import_export(args.export, args.output, force=args.force, export_date=when),
        _import_lines,
    )


def _import_lines(result: ImportResult) -> list[str]:
    lines = wrap(f"Wrote {result.directory} (data version {result.data_version}).", WIDTH)
    lines.append(
        "New versions: " + (", ".join(result.new_versions) if result.new_versions else "none")
    )
    lines.extend(_added_and_notes(result.added, result.notes))
    lines.extend(
        wrap(
            f"Use it: TITRE_MERCD_DATA={result.directory} titre-mercd (or "
            f"titre_mercd.use_data({result.directory!r})).",
            WIDTH,
        )
    )
    return lines


def _imported(
    action: str, args: argparse.Namespace, run: Callable[[], R], lines: Callable[[R], list[str]]
) -> int:
    """Run the import or the update and print its report, or why the export is not imported."""
    import attrs

    from ..exceptions import (
        DataError,
        ExportLacksLineageError,
        ImportRefusedError,
        RegistryExportError,
        RegistryUpdateError,
    )

    try:
        result = run()
    except ExportLacksLineageError as exc:
        return _lacks_lineage(exc, args)
    except (ImportRefusedError, RegistryExportError, RegistryUpdateError) as exc:
        raise CommandError(BAD_INPUT, f"registry {action}: {exc}") from None
    except DataError as exc:
        unchanged = "; the data in use is unchanged" if action == "update" else ""
        raise CommandError(
            BAD_INPUT,
            f"registry {action}: what the export gives does not pass the checks: {exc}{unchanged}",
        ) from None
    if getattr(args, "json", False):  # the result's fields in order, dates in ISO form
        print_json(
            attrs.asdict(
                result,
                value_serializer=lambda _, __, v: v.isoformat() if isinstance(v, dt.date) else v,
            )
        )
    else:
        print_lines(lines(result))
    return OK


def _lacks_lineage(exc: ExportLacksLineageError, args: argparse.Namespace) -> int:
    """The report of an export holding no fiche of the lineage: nothing written, exit 1."""
    when = exc.export_date.isoformat() if exc.export_date is not None else None
    if getattr(args, "json", False):
        print_json(
            {
                "export": exc.export,
                "export_date": when,
                "fiches_read": exc.fiches_read,
                "lineage": [],
                "not_in_export": list(exc.registered),
                "changed": False,
                "message": str(exc),
            }
        )
    else:
        missing = ", ".join(exc.registered) or "none"
        print_lines(
            [
                *wrap(
                    f"The export of {when} ({exc.export}, {exc.fiches_read} fiches) holds no "
                    "fiche of this title's lineage.",
                    WIDTH,
                ),
                f"Registered, not in this export: {missing}",
                "New versions: none. Nothing was written; the data in use is unchanged.",
                *wrap(
                    f"A later export may hold it: {PROG} registry update fetches the newest.",
                    WIDTH,
                ),
            ]
        )
    return NOT_FOUND


def _cmd_update(args: argparse.Namespace) -> int:
    """``registry update [--api URL] [--export FILE] [--offline] [--json]``."""
    from .._update import DEFAULT_API, update_data
    from ._common import parse_date

    _refuse(
        "registry update: {} does not go with update",
        {
            "EXPORT (give it with --export FILE)": args.export,
            "-o": args.output,
            "--force": args.force,
        },
    )
    if args.export_date is not None and args.export_file is None:
        raise CommandError(BAD_INPUT, "registry update: --export-date only goes with --export")
    chosen = [o for o, v in (("--api", args.api), ("--export", args.export_file)) if v] + (
        ["--offline"] if args.offline else []
    )
    if len(chosen) > 1:
        raise CommandError(BAD_INPUT, f"registry update: {' and '.join(chosen)} exclude each other")
    if args.timeout is not None and not 0 < args.timeout <= 3600:
        raise CommandError(
            BAD_INPUT, f"registry update: --timeout {args.timeout:g}: give 0 < SECONDS <= 3600"
        )
    timeout = (10.0, 60.0) if args.timeout is None else (min(args.timeout, 10.0), args.timeout)
    return _imported(
        "update",
        args,
        lambda: update_data(
            api=args.api or DEFAULT_API,
            export=args.export_file,
            export_date=None if args.export_date is None else parse_date(args.export_date),
            offline=args.offline,
            timeout=timeout,
        ),
        _update_lines,
    )


def _update_lines(result: UpdateResult) -> list[str]:
    export = f"the export of {result.export_date} ({result.export})"
    if not result.changed:
        return [
            *wrap(
                f"Up to date: the data in use was built from {export}; nothing downloaded.", WIDTH
            ),
            f"Data version in use: {result.data_version}",
        ]

    def listed(items: tuple[str, ...]) -> str:
        return ", ".join(items) or "none"

    how = "downloaded" if result.downloaded else "no download"
    lines = [
        *wrap(f"Updated from {export}, {how}.", WIDTH),
        f"Data version now in use: {result.data_version} (was {result.previous_data_version})",
        *wrap(f"New versions: {listed(result.new_versions)}", WIDTH),
        *wrap(f"Changed versions: {listed(result.changed_versions)}", WIDTH),
        *wrap(f"New fiches of the lineage: {listed(result.new_fiches)}", WIDTH),
        *wrap(f"Changed fiches of the lineage: {listed(result.changed_fiches)}", WIDTH),
    ]
    lines.extend(_added_and_notes(result.added, result.notes))
    lines.extend(
        wrap(
            f"Every command and program now answers from it ({result.directory}); "
            "TITRE_MERCD_DATA=shipped answers from the shipped data.",
            WIDTH,
        )
    )
    return lines


def _added_and_notes(added: Sequence[str], notes: Sequence[str]) -> list[str]:
    """The facts an import or update added, then its notes, wrapped for the terminal."""
    lines = (
        ["Added:", *(line for fact in added for line in wrap(f"  {fact}", WIDTH))] if added else []
    )
    lines.extend(line for note in notes for line in wrap(f"Note: {note}", WIDTH))
    return lines
