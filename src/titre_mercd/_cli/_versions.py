"""The commands about versions: the summary, ``show``, ``versions``, ``on`` and ``rncp``.

Whether a version is in force is a verdict of three values: in force, not in force, or not
known (the sources do not decide); the last is never shown as « none in force ». In JSON a
validity window is always ``{"start", "end", "last_day", "registered_until"}``, ``end``
excluded, and a verdict is ``"in_force"`` (``true``, ``false`` or ``null`` for not known)
with its ``"reason"``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .._display import window_phrase
from .._referentiel import (
    by_rncp,
    contradictions,
    dataset,
    registered_fiche,
    source_of,
    versions,
)
from .._validity import (
    Verdict,
    cite,
    day_verdict,
    fiche_facts,
    gap_after,
    import_hint,
    registered_successor,
    version_verdict,
)
from ..exceptions import NotInDataError
from ._common import (
    NOT_FOUND,
    NOT_KNOWN,
    OK,
    PROG,
    WIDTH,
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

    from .._records import CertificationVersion, RegisteredFiche

__all__ = [
    "cmd_on",
    "cmd_rncp",
    "cmd_show",
    "cmd_summary",
    "cmd_versions",
]


# ---------------------------------------------------------------- layout


def _window(v: CertificationVersion) -> str:
    window = v.validity
    if window is None:
        return "not known"
    last = window.last_day
    return f"{window.start} to {last}" if last is not None else f"from {window.start}"


def _status(v: CertificationVersion, day: dt.date, when: str) -> str:
    """One sentence: is ``v`` in force on ``day`` (``when`` names it: "today (…)")."""
    verdict = version_verdict(day, v, dataset())
    window = v.validity
    if verdict.in_force is None:
        known = "" if window is None else f" Its window: {window_phrase(window)}."
        return f"Not known whether in force {when}: {verdict.reason}.{known}"
    if window is None:
        return (
            f"Not in force {when}: {verdict.reason}. Its validity window is not known: no "
            "source gives it."
        )
    span = window_phrase(window)
    if day < window.start:
        return f"Not yet in force {when}: in force {span}."
    if window.contains(day):
        return f"In force {when}: {span}."
    gap = gap_after(v, dataset())
    if gap is None:
        return f"No longer in force since {window.end}: it was in force {span}."
    return (
        f"No longer in force since {gap.end}: it was in force {span}; whether it was from "
        f"{gap.start} to {gap.last_day} is not known (no text found covers those days)."
    )


def _successor(v: CertificationVersion) -> str:
    """The version after ``v``, or the fiche registered as its successor that is not a version."""
    later = versions()[versions().index(v) + 1 :]
    if later:
        return f"{later[0].key}, {later[0].title}"
    fiche = registered_successor(v, dataset())
    if fiche is None:
        return "none in the sources yet"
    return (
        f"{fiche.rncp}, registered but not a version in this data ({fiche_facts(fiche)}); "
        f"{import_hint(dataset())}"
    )


def _ended_at(start: dt.date) -> str:
    """The versions whose window ended the day before ``start``, as ", KEY … included"."""
    ended = [v.key for v in versions() if v.validity is not None and v.validity.end == start]
    if not ended:
        return ""
    return f", {' and '.join(ended)} (whose window ended the day before) included"


def _validity_lines(v: CertificationVersion, day: dt.date, when: str) -> list[str]:
    """Whether ``v`` is in force on ``day``, then the registry's échéance when it gives one."""
    from .._display import phrases

    return [_status(v, day, when), *([] if v.validity is None else phrases(v.validity)[1:])]


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


def _disagreements(v: CertificationVersion) -> list[str]:
    """Where the texts contradict each other: the reading followed, then the others."""
    import attrs

    lines = []
    for name in (f.name for f in attrs.fields(type(v))):
        try:
            others = contradictions(v, name)
        except LookupError:
            continue
        if others:
            followed = source_of(v, name)
            lines.append(f"{name}: followed {followed.location} « {followed.excerpt} »")
            lines.extend(f"not {other.location} « {other.excerpt} »" for other in others)
    return field("Texts disagree", lines) if lines else []


def _summary(v: CertificationVersion, day: dt.date, when: str) -> list[str]:
    from .._display import phrases

    def shown(name: str) -> list[str]:
        value = getattr(v, name)
        return phrases(value) if value not in (None, ()) else [_none(v, name)]

    blocks = [[str(b.number), b.title] for b in v.blocks]
    return [
        v.title,
        "=" * len(v.title),
        *field("Version", [v.key]),
        *(field("Former titles", v.former_titles) if v.former_titles else []),
        *field("Legal text", phrases(v.legal_text)),
        *field("Validity", _validity_lines(v, day, when)),
        *field("Level", shown("level")),
        *field("NSF", shown("nsf_codes")),
        *field("ROME", shown("rome_codes")),
        *field("RNCP", shown("rncp")),
        "",
        "Blocs de compétences, each sanctioned by a CCP:",
        *(table(None, blocks, indent=2) if blocks else ["  none"]),
        "",
        f"Every field: {PROG} show {v.key}   All versions: {PROG} versions",
    ]


def _verdict_json(day: dt.date, verdict: Verdict, shown: CertificationVersion | None) -> Any:
    """A verdict on a day, with the version shown (in force, or the latest) and its window."""
    fiche = None if shown is None else registered_successor(shown, dataset())
    return {
        "date": day.isoformat(),
        "in_force": verdict.in_force,
        "reason": verdict.reason,
        "version": plain(shown),
        "validity": None if shown is None else plain(shown.validity),
        "registered_successor": plain(fiche),
    }


def _version_summary_json(v: CertificationVersion, verdict: Verdict) -> Any:
    """A version summary: what names the version and what it is made of, and its verdict.

    The same form in ``versions --json`` and ``on --json`` (``VersionSummary`` in
    ``schemas/dataset.schema.json``): a legal text, a window and blocs as everywhere else.
    """
    from .._schema import VERSION_SUMMARY_FIELDS

    whole = plain(v)
    summary = {name: whole[name] for name in VERSION_SUMMARY_FIELDS}
    return {**summary, "in_force": verdict.in_force, "reason": verdict.reason}


def _after_window(day: dt.date, v: CertificationVersion) -> bool:
    """Whether ``day`` comes after the last day of ``v``'s window (known to end)."""
    window = v.validity
    return window is not None and window.end is not None and day >= window.end


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def _verdict_lines(when: str, verdict: Verdict) -> list[str]:
    """The answer for a day that no version is known to be in force on: none, or not known."""
    if verdict.in_force is None:
        text = f"Not known whether a version is in force {when}: {verdict.reason}"
    else:
        text = f"No version is in force {when}: {verdict.reason}"
    return wrap(_sentence(text), WIDTH)


# ---------------------------------------------------------------- commands


def cmd_summary(args: argparse.Namespace) -> int:
    today = dt.date.today()
    verdict = day_verdict(today, dataset())
    shown = verdict.version if verdict.version is not None else versions()[-1]
    if args.json:
        from ._in_use import data_json

        print_json({**_verdict_json(today, verdict, shown), "data": data_json(today)})
        return OK
    when = f"today ({today})"
    lines = _summary(shown, today, when)
    if verdict.version is None:
        latest = "The latest version in the data is:"
        lines[:0] = [*_verdict_lines(when, verdict), "", latest, ""]
    from ._in_use import data_lines

    print_lines([*lines, *data_lines(today)])
    return OK


def cmd_show(args: argparse.Namespace) -> int:
    from .._display import record_lines

    today = dt.date.today()
    in_force = day_verdict(today, dataset()).version
    v = (in_force or versions()[-1]) if args.key is None else version_argument(args.key)
    if args.json:
        print_json(plain(v))
        return OK

    def empty(name: str) -> str:
        listed_elsewhere = name in {"sectors", "job_titles"} and name not in v.unknown_fields
        if listed_elsewhere and v.sectors_text and not getattr(v, name):
            return "none listed: see « Sectors, in the text's words »"
        return _none(v, name)

    lines = record_lines(
        v,
        field=field,
        wrap=wrap,
        width=WIDTH,
        empty=empty,
        replace={"validity": _validity_lines(v, today, f"today ({today})")},
        after={"validity": field("Successor", [_successor(v)])},
        before_sections=_disagreements(v),
    )
    note = (
        "'not known (no source gives it)': no shipped source gives that fact; "
        "'none': the text says there is none."
    )
    print_lines([*lines, "", *wrap(note, WIDTH)])
    return OK


def cmd_versions(args: argparse.Namespace) -> int:
    today = dt.date.today()
    data = dataset()
    verdict = day_verdict(today, data)
    if args.json:
        entries = [_version_summary_json(v, version_verdict(today, v, data)) for v in versions()]
        print_json(
            {
                "date": today.isoformat(),
                "in_force": verdict.in_force,
                "reason": verdict.reason,
                "version": plain(verdict.version),
                "versions": entries,
                "gaps": [plain(gap) for gap in data.gaps],
                "registered": [plain(f) for f in data.registered_by_rncp.values()],
            }
        )
        return OK
    rows = [[v.key, _window(v), v.title] for v in versions()]
    when = f"today ({today})"
    now = (
        wrap(f"In force {when}: {verdict.version.key}.", WIDTH)
        if verdict.version is not None
        else _verdict_lines(when, verdict)
    )
    notes = [
        f"No text found covers {gap.start} to {gap.last_day}: whether a version is in force "
        f"then is not known{_ended_at(gap.start)} ({cite(gap.source)})."
        for gap in data.gaps
    ]
    notes += [
        f"Registered, not a version in this data: {f.rncp}, the successor of "
        f"{f.successor_of} ({PROG} rncp {f.rncp})."
        for f in data.registered_by_rncp.values()
    ]
    print_lines(
        [
            *table(["KEY", "IN FORCE", "TITLE"], rows),
            "",
            *now,
            "",
            *wrap(
                "IN FORCE gives the first and the last day; 'not known': no source gives that "
                "version's validity window.",
                WIDTH,
            ),
            *(line for note in notes for line in ["", *wrap(note, WIDTH)]),
        ]
    )
    return OK


def cmd_on(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    data = dataset()
    verdict = day_verdict(day, data)
    found = verdict.version
    if args.json:
        answer = _verdict_json(day, verdict, found)
        latest = versions()[-1] if versions() else None
        if found is None and latest is not None and _after_window(day, latest):
            fiche = registered_successor(latest, data)  # what is known of what comes next
            answer["registered_successor"] = plain(fiche)
        answer["versions"] = [
            _version_summary_json(v, version_verdict(day, v, data)) for v in versions()
        ]
        print_json(answer)
    elif found is not None:
        print_lines(_summary(found, day, f"on {day}"))
    else:
        print_lines(_verdict_lines(f"on {day}", verdict))
    return OK if found is not None else NOT_FOUND


def cmd_rncp(args: argparse.Namespace) -> int:
    try:
        found = by_rncp(args.code)
    except NotInDataError as exc:
        fiche = registered_fiche(args.code)
        if args.json:
            print_json({"registered_fiche": plain(fiche), "message": str(exc)})
        else:
            print_lines(_fiche_lines(fiche))
        return NOT_FOUND
    if args.json:
        print_json(plain(found))
    else:
        today = dt.date.today()
        print_lines(_summary(found, today, f"today ({today})"))
    return OK


def _fiche_lines(fiche: RegisteredFiche) -> list[str]:
    """What is known of a fiche registered but not in the data, for the terminal."""
    from .._display import record_lines

    heading = f"{fiche.rncp}: registered, not a version in this data"
    return [
        heading,
        "=" * len(heading),
        *record_lines(fiche, field=field, wrap=wrap, width=WIDTH),
        *field("Not known", ["its title, arrêté, start date, validity window and blocs"]),
        "",
        *wrap(
            (
                f"{PROG} registry update (or {PROG} registry import EXPORT -o DIR) brings it "
                f"from France compétences' RNCP export; then {PROG} rncp {fiche.rncp} shows "
                "it as a version."
            )
            if dataset().imported is None
            else _sentence(import_hint(dataset()).capitalize()),
            WIDTH,
        ),
    ]
