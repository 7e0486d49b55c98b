"""Whether a version is in force on a day, and why: the rules of « Unknown » in the spec.

Unknown is neither « none » nor « no ». The sources decide a day this way:

1. a version with a window is in force on the days of its window, except inside an interval
   the data records as covered by no text (``lineage.json``'s gaps): there, a version whose
   window ended at the interval's start is undecided;
2. a version without a window is not in force before the date of the text that made it, nor
   from the day its successor starts; in between it is undecided;
3. « any version » is true when one version is in force, undecided when one is undecided,
   when the day falls in a recorded interval, or when it falls after the last version's window
   while a registered successor is known but not in the data; false otherwise.

Every verdict carries its reason in one sentence, which the errors and the command line show.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._loading import Dataset
    from ._records import CertificationVersion, RegisteredFiche, Source, ValidityGap

__all__ = [
    "IMPORT_HINT",
    "Verdict",
    "cite",
    "day_verdict",
    "fiche_facts",
    "gap_after",
    "import_hint",
    "not_in_data_message",
    "registered_successor",
    "undecided_message",
    "version_verdict",
]

IMPORT_HINT = (
    "`titre-mercd registry update` (or `titre-mercd registry import EXPORT -o DIR`) brings it "
    "from France compétences' RNCP export"
)


def import_hint(data: Dataset) -> str:
    """How to get a registered fiche the data lacks: what is true of the data in use.

    The shipped data: an update or an import brings it. Data already imported from an export:
    that export did not hold it, and a newer one may.
    """
    if data.imported is None:
        return IMPORT_HINT
    return (
        f"the RNCP export of {data.imported.export_date.isoformat()} this data was imported "
        "from did not hold it; `titre-mercd registry update` fetches a newer one"
    )


class Verdict:
    """Whether a version (or any version) is in force on a day, and why.

    ``in_force`` is ``None`` when the sources do not decide. ``version`` is the version in
    force, for a verdict on « any version » that is true. A plain class: a NamedTuple would
    cost every first use about 0.14 ms to create.
    """

    __slots__ = ("in_force", "reason", "version")

    def __init__(
        self, in_force: bool | None, reason: str, version: CertificationVersion | None = None
    ) -> None:
        self.in_force = in_force
        self.reason = reason
        self.version = version


def _yes(reason: str) -> Verdict:
    return Verdict(in_force=True, reason=reason)


def _no(reason: str) -> Verdict:
    return Verdict(in_force=False, reason=reason)


def _unknown(reason: str) -> Verdict:
    return Verdict(in_force=None, reason=reason)


# ---------------------------------------------------------------- wording


def cite(source: Source) -> str:
    """A source in one line: its text, the place in it, and the excerpt."""
    excerpt = " ".join(source.excerpt.split())
    # FACTS.md is named by its file: its title (« Facts from outside … ») reads as no source.
    name = source.text.kind if source.text.kind == "FACTS.md" else source.text.title
    return f"{name}, {source.location}: « {excerpt} »"


def fiche_facts(fiche: RegisteredFiche) -> str:
    """What the data knows of a registered fiche, in one line."""
    known = []
    if fiche.level is not None:
        known.append(f"niveau {fiche.level.france_2019}")
    known.extend(f"NSF {c.code} {c.label or '(label not known)'}" for c in fiche.nsf_codes)
    if fiche.registered_until is not None:
        known.append(f"échéance {fiche.registered_until} as the registry gives it")
    if fiche.certifying_authority is not None:
        known.append(f"certificateur {fiche.certifying_authority}")
    return "; ".join(known) or "nothing more"


def not_in_data_message(fiche: RegisteredFiche, data: Dataset) -> str:
    """The message of :class:`~titre_mercd.NotInDataError` for a registered fiche."""
    return (
        f"{fiche.rncp} is registered but is not a version in this data: it is the registered "
        f"successor of {fiche.successor_of} ({fiche_facts(fiche)}); its title, arrêté, start "
        f"date and blocs are not in the data; {import_hint(data)}"
    )


def undecided_message(day: dt.date, key: str | None, verdict: Verdict) -> str:
    """The message of :class:`~titre_mercd.UndecidedError` for an undecided verdict."""
    what = "any version" if key is None else f"version {key}"
    return f"whether {what} is in force on {day} is not known: {verdict.reason}"


def _span(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return f"from {start}, with no known end"
    return f"from {start} to {end - dt.timedelta(days=1)} (last day)"


# ---------------------------------------------------------------- the rules


def _gap_on(day: dt.date, data: Dataset) -> ValidityGap | None:
    return next((gap for gap in data.gaps if gap.start <= day < gap.end), None)


def _made_on(v: CertificationVersion) -> dt.date:
    """The date of the text that made ``v`` (its key, the ISO date of that text)."""
    if v.legal_text.date is not None:
        return v.legal_text.date
    return dt.date.fromisoformat(v.key)


def _next_start(v: CertificationVersion, data: Dataset) -> CertificationVersion | None:
    """The first later version whose window is known: from its start, ``v`` is replaced."""
    later = data.versions[data.versions.index(v) + 1 :]
    return next((w for w in later if w.validity is not None), None)


def version_verdict(day: dt.date, v: CertificationVersion, data: Dataset) -> Verdict:
    """Whether ``v`` is in force on ``day`` (rules 1 and 2)."""
    window = v.validity
    if window is None:
        return _without_window(day, v, data)
    if window.contains(day):
        return _yes(f"{v.key} is in force {_span(window.start, window.end)}")
    if day < window.start:
        return _no(f"the window of {v.key} starts on {window.start}")
    ended = f"the window of {v.key} ended on {window.last_day} (last day)"
    gap = gap_after(v, data)
    if gap is None:
        return _no(ended)
    if day < gap.end:
        return _unknown(
            f"{ended}, and no text found covers {gap.start} to {gap.last_day} ({cite(gap.source)})"
        )
    return _no(
        f"{ended}; whether it was in force from {gap.start} to {gap.last_day} is not known (no "
        f"text found covers those days), and from {gap.end} it is not"
    )


def gap_after(v: CertificationVersion, data: Dataset) -> ValidityGap | None:
    """The interval no text covers that starts the day ``v``'s window ends (rule 1).

    On its days, whether ``v`` is still in force is not known.
    """
    end = None if v.validity is None else v.validity.end
    return next((gap for gap in data.gaps if gap.start == end), None)


def _without_window(day: dt.date, v: CertificationVersion, data: Dataset) -> Verdict:
    """Rule 2: a version whose window no source gives."""
    made = _made_on(v)
    if day < made:
        return _no(f"{v.key} is not in force before {made}, the date of its text")
    successor = _next_start(v, data)
    start = None if successor is None or successor.validity is None else successor.validity.start
    if successor is not None and start is not None and day >= start:
        return _no(f"{v.key} is not in force from {start}, when {successor.key} starts")
    bound = (
        f"nor from {start}, when its successor {successor.key} starts"
        if successor is not None and start is not None
        else "and no source gives when it ended"
    )
    return _unknown(
        f"no source gives the validity window of {v.key}: it is not in force before {made} "
        f"(the date of its text), {bound}; in between, it is undecided"
    )


def registered_successor(v: CertificationVersion, data: Dataset) -> RegisteredFiche | None:
    """The fiche registered as the successor of ``v`` that the data holds no version of."""
    return next((f for f in data.registered_by_rncp.values() if f.successor_of == v.key), None)


def day_verdict(day: dt.date, data: Dataset) -> Verdict:
    """Whether any version is in force on ``day`` (rule 3); ``version`` names the one in force."""
    undecided: Verdict | None = None
    for v in data.versions:
        verdict = version_verdict(day, v, data)
        if verdict.in_force:
            return Verdict(verdict.in_force, verdict.reason, v)
        if verdict.in_force is None and undecided is None:
            undecided = verdict
    if undecided is not None:
        return undecided
    gap = _gap_on(day, data)
    if gap is not None:
        return _unknown(f"no text found covers {gap.start} to {gap.last_day} ({cite(gap.source)})")
    return _none_in_force(day, data)


def _none_in_force(day: dt.date, data: Dataset) -> Verdict:
    """Rule 3 when no version is in force or undecided and no gap holds ``day``."""
    if not data.versions:
        return _no("the data holds no version")
    last = data.versions[-1]
    window = last.validity
    if window is not None and window.end is not None and day >= window.end:
        ended = (
            f"the window of the latest version, {last.key}, ended on {window.last_day} (last day)"
        )
        fiche = registered_successor(last, data)
        if fiche is None:
            return _no(ended)
        return _unknown(
            f"{ended}, and its registered successor {fiche.rncp} is not a version in this "
            f"data ({fiche_facts(fiche)}); {import_hint(data)}"
        )
    first, made = data.versions[0], _made_on(data.versions[0])
    if day < made:
        return _no(f"the first version, {first.key}, is not in force before {made}")
    return _no("no version's window covers that day")
