"""The commands about nomenclature codes: ``rome``, ``nsf`` and ``formacode``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._referentiel import by_formacode, by_nsf, by_rome, nsf, registered_fiches, rome, versions
from ..exceptions import UnknownCodeError
from ._common import NOT_FOUND, OK, PROG, WIDTH, plain, print_json, print_lines, table, wrap

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

__all__ = ["cmd_formacode", "cmd_nsf", "cmd_rome"]


def cmd_rome(args: argparse.Namespace) -> int:
    code = rome(args.code)
    listed = by_rome(code.code)
    if args.json:
        print_json(
            {
                "code": code.code,
                "label": code.label,
                "versions": [{"key": v.key, "title": v.title} for v in listed],
            }
        )
        return OK
    _print(f"{code.code}  {code.label}", [[v.key, v.title] for v in listed])
    return OK


def cmd_nsf(args: argparse.Namespace) -> int:
    listed = by_nsf(args.code)
    try:
        known = nsf(args.code)
        code, label = known.code, known.label
    except UnknownCodeError:
        if not listed:
            raise
        from .._codes import normalize_nsf

        code, label = normalize_nsf(args.code), None
    if args.json:
        print_json(
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
    _print(
        f"{code}  {label or 'label not known'}",
        [[v.key, ", ".join(c.code for c in v.nsf_codes), v.title] for v in listed],
        "Versions that list it or a code of its group:" if code.isdigit() else None,
    )
    return OK


def cmd_formacode(args: argparse.Namespace) -> int:
    """The versions that list a Formacode, and those whose Formacodes no source gives.

    Also the fiches registered but not in the data that list it. Exit status 1 when no version
    lists it.
    """
    from .._codes import normalize_formacode

    code = normalize_formacode(args.code)
    listed = by_formacode(code)
    unknown = [v for v in versions() if "formacodes" in v.unknown_fields]
    fiches = [f for f in registered_fiches() if any(c.code == code for c in f.formacodes)]
    lists = [*(v.formacodes for v in listed), *(f.formacodes for f in fiches)]
    labels = [c.label for codes in lists for c in codes if c.code == code]
    label = next((found for found in labels if found is not None), None)
    if args.json:
        print_json(
            {
                "code": code,
                "label": label,
                "versions": [{"key": v.key, "title": v.title} for v in listed],
                "not_known": [v.key for v in unknown],
                "registered_fiches": [plain(f) for f in fiches],
            }
        )
        return OK if listed else NOT_FOUND
    notes = []
    if unknown:
        keys = ", ".join(v.key for v in unknown)
        notes.append(f"Not known for {keys}: no shipped source gives their Formacodes.")
    notes += [
        f"Registered, not a version in this data: {f.rncp}, the successor of {f.successor_of}, "
        f"lists it ({PROG} rncp {f.rncp})."
        for f in fiches
    ]
    _print(f"{code}  {label or 'label not known'}", [[v.key, v.title] for v in listed], None, notes)
    return OK if listed else NOT_FOUND


def _print(
    heading: str, rows: list[list[str]], title: str | None = None, notes: Sequence[str] = ()
) -> None:
    """A code and its label, the versions that list it (under ``title``), then ``notes``."""
    print_lines(
        [
            heading,
            "",
            *(
                [title or "Versions that list it:", *table(None, rows)]
                if rows
                else ["No version lists it."]
            ),
            *(line for note in notes for line in ["", *wrap(note, WIDTH)]),
        ]
    )
