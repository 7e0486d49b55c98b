"""``registry check`` and ``registry import``: the data beside France compétences' RNCP export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import BAD_INPUT, NOT_FOUND, OK, WIDTH, CommandError, print_json, print_lines, wrap

if TYPE_CHECKING:
    import argparse

    from .._registry import RegistryCheck

__all__ = ["cmd_registry", "registry_arguments"]


def registry_arguments(registry: argparse.ArgumentParser) -> None:
    """``registry check EXPORT`` and ``registry import EXPORT -o DIR``."""
    registry.description = (
        "check: compare every version of the data with its fiche in France compétences' RNCP "
        "export (the XML, or its zip as downloaded), and list the lineage's fiches the data "
        "lacks; exit status 0 when all agrees, 1 when something differs or is missing. "
        "import: write in DIR a complete data directory, the shipped data and what the export "
        "adds, each fact sourced to its fiche; use it with TITRE_MERCD_DATA=DIR or --data DIR."
    )
    registry.add_argument(
        "action", metavar="ACTION", choices=("check", "import"), help="check or import"
    )
    registry.add_argument("export", metavar="EXPORT", help="the XML export, or its zip")
    registry.add_argument("-o", "--output", metavar="DIR", help="import: where to write")
    registry.add_argument(
        "--force", action="store_true", help="import: replace DIR if an earlier import wrote it"
    )
    registry.add_argument(
        "--export-date",
        metavar="AAAA-MM-JJ",
        help="import: the export's date, when its file name does not give it",
    )


def cmd_registry(args: argparse.Namespace) -> int:
    """Run the action ``registry`` names."""
    if args.action == "check":
        for option, value in (
            ("-o", args.output),
            ("--force", args.force or None),
            ("--export-date", args.export_date),
        ):
            if value is not None:
                raise CommandError(BAD_INPUT, f"registry check: {option} only goes with import")
        return cmd_check(args)
    if args.output is None:
        raise CommandError(
            BAD_INPUT, "registry import: -o DIR is required (see 'titre-mercd registry --help')"
        )
    return cmd_import(args)


def _export_error(exc: Exception) -> CommandError:
    return CommandError(BAD_INPUT, str(exc))


def cmd_check(args: argparse.Namespace) -> int:
    """``registry check EXPORT [--json]``."""
    from .._registry import registry_check, report_json
    from ..exceptions import RegistryExportError

    try:
        report = registry_check(args.export)
    except RegistryExportError as exc:
        raise _export_error(exc) from None
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
    lines.append("Everything agrees." if report.agrees else "Differences found (exit status 1).")
    return lines


def _field_table(fields: object) -> list[str]:
    """FIELD, DATA and REGISTRY side by side, ``≠`` marking a difference, in 80 columns."""
    name_width, value_width = 22, 26
    lines = [f"  {'FIELD':<{name_width}}{'DATA':<{value_width + 2}}REGISTRY"]
    for f in fields:  # type: ignore[attr-defined]
        data = wrap(f.data if f.data is not None else "-", value_width)
        registry = wrap(f.registry if f.registry is not None else "-", value_width)
        names = wrap(f.field, name_width - 2)
        mark = "  " if f.agrees else "≠ "
        lines.extend(
            (
                (mark if i == 0 else "  ")
                + f"{names[i] if i < len(names) else '':<{name_width}}"
                + f"{data[i] if i < len(data) else '':<{value_width + 2}}"
                + (registry[i] if i < len(registry) else "")
            ).rstrip()
            for i in range(max(len(data), len(registry), len(names)))
        )
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    """``registry import EXPORT -o DIR [--force] [--export-date AAAA-MM-JJ] [--json]``."""
    from .._registry_import import ImportRefusedError, import_export
    from ..exceptions import DataError, RegistryExportError
    from ._common import parse_date

    when = None if args.export_date is None else parse_date(args.export_date)
    try:
        result = import_export(args.export, args.output, force=args.force, export_date=when)
    except (ImportRefusedError, RegistryExportError) as exc:
        raise CommandError(BAD_INPUT, f"registry import: {exc}") from None
    except DataError as exc:
        raise CommandError(
            BAD_INPUT, f"registry import: what the export gives does not pass the checks: {exc}"
        ) from None
    if getattr(args, "json", False):
        print_json(
            {
                "directory": result.directory,
                "data_version": result.data_version,
                "export": result.export,
                "export_date": result.export_date.isoformat(),
                "new_versions": list(result.new_versions),
                "added": list(result.added),
                "notes": list(result.notes),
            }
        )
        return OK
    lines = wrap(f"Wrote {result.directory} (data version {result.data_version}).", WIDTH)
    lines.append(
        "New versions: " + (", ".join(result.new_versions) if result.new_versions else "none")
    )
    if result.added:
        lines.append("Added:")
        lines.extend(line for fact in result.added for line in wrap(f"  {fact}", WIDTH))
    for note in result.notes:
        lines.extend(wrap(f"Note: {note}", WIDTH))
    lines.extend(
        wrap(
            f"Use it: TITRE_MERCD_DATA={result.directory} titre-mercd (or "
            f"titre_mercd.use_data({result.directory!r})).",
            WIDTH,
        )
    )
    print_lines(lines)
    return OK
