"""The commands about versions: the summary, ``show``, ``versions``, ``on`` and ``rncp``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .._queries import by_rncp, current, source_of, versions
from ._common import (
    NOT_FOUND,
    NOT_KNOWN,
    OK,
    PROG,
    WIDTH,
    CommandError,
    bullets,
    field,
    parse_date,
    plain,
    print_json,
    print_lines,
    table,
    version_argument,
    wrap,
)

if TYPE_CHECKING:
    import argparse

    from .._records import CertificationVersion

__all__ = [
    "cmd_on",
    "cmd_rncp",
    "cmd_show",
    "cmd_summary",
    "cmd_versions",
    "on_arguments",
    "rncp_arguments",
    "show_arguments",
]


def show_arguments(show: argparse.ArgumentParser) -> None:
    """``show [KEY]``."""
    show.add_argument("key", nargs="?", metavar="KEY", help="version key, e.g. 2018-12-11")


def on_arguments(on: argparse.ArgumentParser) -> None:
    """``on DATE``."""
    on.add_argument("date", metavar="DATE", help="a day, YYYY-MM-DD or DD/MM/YYYY")


def rncp_arguments(lookup: argparse.ArgumentParser) -> None:
    """``rncp CODE``."""
    lookup.add_argument("code", metavar="CODE")


# ---------------------------------------------------------------- layout


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


_SHORT_STATEMENT = 120


def _none(v: CertificationVersion, name: str) -> str:
    """What an empty field says: not known (no source gives it), or none (the text says so)."""
    if name in v.unknown_fields:
        return NOT_KNOWN
    try:
        statement = " ".join(source_of(v, name).excerpt.split())
    except LookupError:
        return "none (the text gives none)"
    if len(statement) <= _SHORT_STATEMENT:
        return f"none (the text: « {statement} »)"
    return "none (the text gives none)"


def _or_none(v: CertificationVersion, name: str, lines: list[str]) -> list[str]:
    """``lines`` for the field ``name``, or the one line saying why it is empty."""
    return lines or [_none(v, name)]


def _codes(v: CertificationVersion) -> list[str]:
    nsf_lines = [f"{c.code}  {c.label or 'label not known'}" for c in v.nsf_codes]
    rome_lines = [f"{c.code}  {c.label}" for c in v.rome_codes]
    return [
        *field("NSF", _or_none(v, "nsf_codes", nsf_lines)),
        *field("ROME", _or_none(v, "rome_codes", rome_lines)),
        *field("RNCP", _or_none(v, "rncp", [v.rncp] if v.rncp else [])),
    ]


def _summary(v: CertificationVersion, day: dt.date, when: str) -> list[str]:
    blocks = [[str(b.number), b.title] for b in v.blocks]
    return [
        v.title,
        "=" * len(v.title),
        *field("Version", [v.key]),
        *(field("Former titles", v.former_titles) if v.former_titles else []),
        *field("Legal text", _legal_text_lines(v)),
        *field("Validity", [_status(v, day, when)]),
        *field("Level", [_level(v)]),
        *_codes(v),
        "",
        "Blocs de compétences, each sanctioned by a CCP:",
        *(table(None, blocks, indent=2) if blocks else ["  none"]),
        "",
        f"Every field: {PROG} show {v.key}   All versions: {PROG} versions",
    ]


def _in_force_json(v: CertificationVersion, day: dt.date) -> dict[str, Any]:
    window = v.validity
    last_day = None if window is None else window.last_day
    return {
        "date": day.isoformat(),
        "in_force": window is not None and window.contains(day),
        "last_day": None if last_day is None else last_day.isoformat(),
        "version": plain(v),
    }


# ---------------------------------------------------------------- commands


def cmd_summary(args: argparse.Namespace) -> int:
    today = dt.date.today()
    found = current(today)
    shown = found if found is not None else versions()[-1]
    if args.json:
        print_json(_in_force_json(shown, today))
        return OK
    lines = _summary(shown, today, f"today ({today})")
    if found is None:
        lines[:0] = [f"No version is in force today ({today}). The latest is:", ""]
    print_lines(lines)
    return OK


def cmd_show(args: argparse.Namespace) -> int:
    today = dt.date.today()
    v = (current(today) or versions()[-1]) if args.key is None else version_argument(args.key)
    if args.json:
        print_json(plain(v))
        return OK
    blocks = []
    for b in v.blocks:
        blocks.extend(bullets([b.title], f"{b.number}. "))
        blocks.extend(bullets(b.competences, "- ", 5) if b.competences else [])

    def listed(name: str, items: tuple[str, ...]) -> list[str]:
        if items:
            return bullets(items)
        if name in {"sectors", "job_titles"} and v.sectors_text and name not in v.unknown_fields:
            return ["  none listed: see « Sectors, in the text's words »"]
        return ["  " + _none(v, name)]

    def one(name: str, value: str | None) -> list[str]:
        return [value] if value else [_none(v, name)]

    def text(name: str, value: str | None) -> list[str]:
        if value is None:
            return ["  " + _none(v, name)]
        return ["  " + line if line else "" for line in wrap(value, WIDTH - 2)]

    print_lines(
        [
            v.title,
            "=" * len(v.title),
            *field("Version key", [v.key]),
            *field("Former titles", _or_none(v, "former_titles", list(v.former_titles))),
            *field("Legal text", _legal_text_lines(v)),
            *field("Validity", [_status(v, today, f"today ({today})")]),
            *field("Level", [_level(v)]),
            *_codes(v),
            *field("Certifying authority", one("certifying_authority", v.certifying_authority)),
            *field("Regulation", one("regulation", v.regulation)),
            "",
            "Blocs de compétences (CCP) and their capacités attestées",
            *(blocks or ["  " + _none(v, "blocks")]),
            "",
            "Compétences transversales",
            *listed("transversal_competences", v.transversal_competences),
            "",
            "Principal sectors",
            *listed("sectors", v.sectors),
            "",
            "Sectors, in the text's words",
            *text("sectors_text", v.sectors_text),
            "",
            "Job titles (types d'emplois accessibles)",
            *listed("job_titles", v.job_titles),
            "",
            "Summary (résumé du référentiel d'emploi)",
            *text("summary", v.summary),
            "",
            "Legal bases",
            *listed("legal_bases", v.legal_bases),
            "",
            *wrap(
                "'not known (no source gives it)': no shipped source gives that fact; "
                "'none': the text says there is none.",
                WIDTH,
            ),
        ]
    )
    return OK


def cmd_versions(args: argparse.Namespace) -> int:
    today = dt.date.today()
    found = current(today)
    if args.json:
        print_json(
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
    print_lines(
        [
            *table(["KEY", "IN FORCE", "TITLE"], rows),
            "",
            *wrap(
                f"{now} IN FORCE gives the first and the last day; 'not known': no source "
                "gives that version's validity window.",
                WIDTH,
            ),
        ]
    )
    return OK


def cmd_on(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    found = current(day)
    if found is None:
        unknown = [v.key for v in versions() if v.validity is None]
        note = f" (no source gives the validity window of {', '.join(unknown)})" if unknown else ""
        raise CommandError(NOT_FOUND, f"no version is known to be in force on {day}{note}")
    if args.json:
        print_json(_in_force_json(found, day))
    else:
        print_lines(_summary(found, day, f"on {day}"))
    return OK


def cmd_rncp(args: argparse.Namespace) -> int:
    found = by_rncp(args.code)
    if args.json:
        print_json(plain(found))
    else:
        today = dt.date.today()
        print_lines(_summary(found, today, f"today ({today})"))
    return OK
