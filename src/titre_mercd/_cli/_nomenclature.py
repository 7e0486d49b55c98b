"""The commands about nomenclature codes: ``rome`` and ``nsf``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._referentiel import by_nsf, by_rome, nsf, rome
from ..exceptions import UnknownCodeError
from ._common import OK, print_json, print_lines, table

if TYPE_CHECKING:
    import argparse

__all__ = ["cmd_nsf", "cmd_rome", "code_arguments"]


def code_arguments(lookup: argparse.ArgumentParser) -> None:
    """``rome CODE``, ``nsf CODE``."""
    lookup.add_argument("code", metavar="CODE", help="the code, in any case and spacing")


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
    rows = [[v.key, v.title] for v in listed]
    print_lines(
        [
            f"{code.code}  {code.label}",
            "",
            *(["Versions that list it:", *table(None, rows)] if rows else ["No version lists it."]),
        ]
    )
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
    rows = [[v.key, ", ".join(c.code for c in v.nsf_codes), v.title] for v in listed]
    print_lines(
        [
            f"{code}  {label or 'label not known'}",
            "",
            *(
                [
                    "Versions that list it or a code of its group:"
                    if code.isdigit()
                    else "Versions that list it:",
                    *table(None, rows),
                ]
                if rows
                else ["No version lists it."]
            ),
        ]
    )
    return OK
