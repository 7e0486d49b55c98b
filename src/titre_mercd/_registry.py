"""This title's lineage in the RNCP export: finding it, checking the data against it.

The lineage is every titre professionnel of the export whose title is one of the lineage's
titles (compared normalised), every fiche whose number the data gives (a version's, or one it
records as registered), and the fiches these name as ``ANCIENNE_CERTIFICATION`` or
``NOUVELLE_CERTIFICATION`` or that name them so. A fiche is matched to a version of the data
by its number when the data gives it, else by title and date (``DATE_EFFET`` = the start of
the version's window): never by guess. :func:`registry_check` compares each matched pair
field by field.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import zip_longest
from typing import TYPE_CHECKING, Optional

import attrs

from ._codes import normalize_label, normalize_nsf, normalize_rncp, normalize_rome
from ._rncp_export import LINKS, _day, _fiche, _refuse, _texts, export_path, fiche_elements
from .exceptions import InvalidCodeError

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Mapping

    from ._loading import Dataset
    from ._records import CertificationVersion, NsfCode, RomeCode
    from ._rncp_export import Coded, Fiche, SkippedFiche

__all__ = [
    "FieldCheck",
    "Lineage",
    "MissingFiche",
    "RegistryCheck",
    "VersionCheck",
    "creation_arrete",
    "find_lineage",
    "registry_check",
    "report_json",
    "window_from_registry",
]

# What the lineage's fiches may hold together (a handful of fiches of under 3,000 elements and
# 60,000 characters each, in a real export): past one, the export is refused.
MAX_LINEAGE = 100  # fiches
MAX_LINEAGE_ELEMENTS = 100_000
MAX_LINEAGE_TEXT = 16_000_000  # characters
_MARKS = 1 << 20  # bits of the bitmap of fiche numbers named: one per number of 6 digits
_MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip
_FRENCH_DATE = r"(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})"
# « Arrêté du 26 avril 2023 relatif au titre professionnel de … »
_CREATES = re.compile(
    rf"\s*arr[êe]t[ée]\s+du\s+{_FRENCH_DATE}\s+relatif\s+au\s+titre\s+professionnel", re.IGNORECASE
)
# « Arrêté du 20 juin 2023 modifiant l'arrêté du 26 avril 2023 relatif au titre professionnel … »
_MODIFIES = re.compile(
    rf"\s*arr[êe]t[ée]\s+du\s+{_FRENCH_DATE}\s+modifiant\s+l['’](arr[êe]t[ée]\s+du\s+"
    rf"{_FRENCH_DATE}\s+relatif\s+au\s+titre\s+professionnel)",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- records of a check


@attrs.frozen
class FieldCheck:
    """One fact, as the data and as the registry give it, and whether they agree."""

    field: str
    data: Optional[str]
    registry: Optional[str]
    agrees: bool


@attrs.frozen
class VersionCheck:
    """A version of the data beside its fiche (``fiche`` ``None``: none found, see ``note``)."""

    key: str
    title: str
    fiche: Optional[str]
    fields: tuple[FieldCheck, ...]
    note: Optional[str]

    @property
    def agrees(self) -> bool:
        """Whether every compared fact agrees (and the fiche the data names was found)."""
        return all(f.agrees for f in self.fields)


@attrs.frozen
class MissingFiche:
    """A fiche of the lineage that the data holds no version of."""

    number: Optional[str]
    title: Optional[str]
    effective_on: Optional[dt.date]
    registered_until: Optional[dt.date]
    active: Optional[bool]
    state: Optional[str]


@attrs.frozen
class RegistryCheck:
    """The report of :func:`registry_check`: each version beside its fiche, and what is missing.

    ``agrees`` is true when every fact compared agrees and no fiche of the lineage is missing
    from the data.
    """

    export: str
    data_version: str
    fiches_read: int
    lineage: tuple[str, ...]
    versions: tuple[VersionCheck, ...]
    missing: tuple[MissingFiche, ...]

    @property
    def agrees(self) -> bool:
        """Whether everything agrees and nothing is missing."""
        return not self.missing and all(v.agrees for v in self.versions)


# ---------------------------------------------------------------- the lineage


@attrs.frozen
class Lineage:
    """The lineage's fiches found in an export, and which version each matches."""

    fiches: tuple[Fiche, ...]
    fiches_read: int
    matches: tuple[tuple[str, Optional[Fiche], Optional[str]], ...]  # key, fiche, note

    @property
    def unmatched(self) -> tuple[Fiche, ...]:
        """The lineage's fiches that match no version of the data."""
        matched = {id(fiche) for _, fiche, _ in self.matches if fiche is not None}
        return tuple(f for f in self.fiches if id(f) not in matched)


def _canonical(normalize: Callable[[str], str], code: Optional[str]) -> Optional[str]:
    """``code`` normalised, or ``None`` if there is none or it is not a valid code."""
    try:
        return normalize(code) if code else None
    except InvalidCodeError:
        return None


def _number(text: Optional[str]) -> Optional[str]:
    return _canonical(normalize_rncp, text)


def find_lineage(  # noqa: C901, PLR0915  (two passes, a fiche past a cap, the lineage's caps)
    path: str | os.PathLike[str], data: Dataset, *, progress: bool | None = None
) -> Lineage:
    """The fiches of this title's lineage in the export at ``path``, matched to ``data``.

    The export is read in time linear in its size, and only the lineage's fiches are kept
    (at most ``MAX_LINEAGE`` of them, holding at most ``MAX_LINEAGE_ELEMENTS`` elements and
    ``MAX_LINEAGE_TEXT`` characters in all). A fiche linked to the lineage is kept when it
    comes after the fiche it is linked to; when one came before, a second pass fetches it.
    The numbers a passed-over fiche names are marked in a bitmap of one bit per possible
    fiche number (128 kB), whatever the export's size.

    Raises:
        RegistryExportError: as :func:`~titre_mercd._rncp_export.read_fiches`, and for a
            fiche of the lineage past a cap (a cap on one fiche, or on the lineage), with its
            line; a fiche past a cap that is not of the lineage is passed over.
    """
    path = str(path)
    titles = {normalize_label(t) for v in data.versions for t in (v.title, *v.former_titles)}
    numbers = {v.rncp for v in data.versions if v.rncp is not None}
    numbers |= set(data.registered_by_rncp)  # fiches the data records as registered
    seeds: set[str] = set()  # the lineage's own fiches (by number or title)
    named_by_seeds: set[str] = set()  # the numbers they name
    kept: dict[str, Fiche] = {}  # those, and the fiches linked to them
    marks = bytearray(_MARKS // 8)  # the numbers that fiches not kept name
    fiches_read = elements = characters = 0  # fiches read; elements and characters kept

    def wanted(
        number: str,
        title: Optional[str],
        abrege: Optional[str],
        links: Iterable[str],
        first: bool,
    ) -> bool:
        """Whether the fiche is of the lineage (a seed, noted) or linked to it; else marked."""
        named = tuple(n for n in map(_number, links) if n is not None)
        tp = (abrege or "").strip() == "TP"
        if first and (
            number in numbers or (tp and title is not None and normalize_label(title) in titles)
        ):
            seeds.add(number)
            named_by_seeds.update(named)
            return True
        if number in named_by_seeds or any(n in seeds for n in named):
            return True
        for bit in map(_bit, named if first else ()):
            marks[bit >> 3] |= 1 << (bit & 7)
        return False

    def refused(number: str, line: int, why: str) -> Exception:
        return _refuse(path, f"fiche {number} of the lineage (line {line}) {why}: refused")

    def read(first: bool) -> None:
        """One pass over the export: the first finds the lineage, the second what links to it."""
        nonlocal fiches_read, elements, characters

        def skipped(fiche: SkippedFiche) -> None:
            nonlocal fiches_read
            fiches_read += first
            number = _number(fiche.number)
            if number is not None and wanted(number, fiche.title, fiche.abrege, fiche.links, first):
                raise refused(number, fiche.line, f"holds {fiche.why}")

        for element, line in fiche_elements(path, progress=progress, skipped=skipped):
            fiches_read += first
            find = element.findtext
            number = _number(find("NUMERO_FICHE"))
            if number is None or number in kept:
                continue
            links = (text for where in LINKS for text in _texts(element, where))
            if not wanted(number, find("INTITULE"), find("ABREGE/CODE"), links, first):
                continue
            fiche = _fiche(element, keep=True)
            elements += len(fiche.elements)
            characters += sum(len(value) for _, value in fiche.elements)
            if len(kept) >= MAX_LINEAGE:
                raise refused(number, line, f"would be more than {MAX_LINEAGE} fiches")
            if elements > MAX_LINEAGE_ELEMENTS:
                why = f"would make it hold more than {MAX_LINEAGE_ELEMENTS:,} elements"
                raise refused(number, line, why)
            if characters > MAX_LINEAGE_TEXT:
                why = f"would make it hold more than {MAX_LINEAGE_TEXT:,} characters"
                raise refused(number, line, why)
            kept[number] = fiche

    read(first=True)
    if named_by_seeds - kept.keys() or any(marks[_bit(n) >> 3] & 1 << (_bit(n) & 7) for n in seeds):
        read(first=False)
    fiches = tuple(
        sorted(kept.values(), key=lambda f: (f.effective_on or dt.date.min, f.number or ""))
    )
    return Lineage(fiches=fiches, fiches_read=fiches_read, matches=_match(fiches, data))


def _bit(number: str) -> int:
    """The bit of a fiche number (``RNCP`` and digits) in the bitmap of numbers named."""
    return int(number[4:]) % _MARKS


def _match(
    fiches: tuple[Fiche, ...], data: Dataset
) -> tuple[tuple[str, Optional[Fiche], Optional[str]], ...]:
    by_number = {_number(f.number): f for f in fiches}
    matches = []
    for v in data.versions:
        if v.rncp is not None:
            fiche = by_number.get(v.rncp)
            note = None if fiche else f"its fiche {v.rncp} is not in this export"
        elif v.validity is None:
            fiche, note = None, "no fiche number and no window: nothing to match by"
        else:
            title, start = normalize_label(v.title), v.validity.start
            candidates = [
                f
                for f in fiches
                if f.title is not None
                and normalize_label(f.title) == title
                and f.effective_on == start
            ]
            fiche = candidates[0] if len(candidates) == 1 else None
            listed = ", ".join(str(f.number) for f in candidates)
            if not candidates:
                note = f"no fiche of the export has its title and DATE_EFFET {start}"
            elif fiche is None:
                note = f"several fiches match its title and start: {listed}"
            else:
                note = None
        matches.append((v.key, fiche, note))
    return tuple(matches)


# ---------------------------------------------------------------- reading dates and keys


def _french_date(day: str, month: str, year: str) -> Optional[dt.date]:
    number = _MONTHS.get(month.lower())
    return None if number is None else _day(int(year), number, int(day))


def creation_arrete(fiche: Fiche) -> Optional[tuple[dt.date, str, int]]:
    """The arrêté that creates or revises the title, from ``PUBLICATION_DECRET_CREATION``.

    Returns its date, its title as the fiche writes it, and the 1-based index of the
    ``PUBLICATION_JO`` read; ``None`` when no entry reads « Arrêté du … relatif au titre
    professionnel … ». An arrêté « modifiant l'arrêté du … relatif au titre professionnel … »
    is a modification: the date is that of the arrêté it modifies, which created the title.
    """
    for index, publication in enumerate(fiche.creation, start=1):
        title = publication.title or ""
        created = _CREATES.match(title)
        if created:
            day = _french_date(*created.groups())
            if day is not None:
                return day, title.strip(), index
        modified = _MODIFIES.match(title)
        if modified:
            day = _french_date(*modified.groups()[4:7])
            if day is not None:
                return day, title[modified.start(4) :].strip(), index
    return None


def window_from_registry(
    start: dt.date, registered_until: Optional[dt.date]
) -> tuple[dt.date, Optional[dt.date]]:
    """The window ``[start, end)`` read from ``DATE_EFFET`` and ``DATE_FIN_ENREGISTREMENT``.

    The registry is not consistent about whether its échéance is a day in force. When it falls
    on an anniversary of ``DATE_EFFET`` (« pour cinq ans à compter du … », as for titres
    professionnels), it is read as the first day no longer in force, the exclusive end; any
    other date (the day before an anniversary, as for a BTS) is read as the last day in force.

    >>> window_from_registry(dt.date(2023, 9, 1), dt.date(2028, 9, 1))
    (datetime.date(2023, 9, 1), datetime.date(2028, 9, 1))
    >>> window_from_registry(dt.date(2021, 9, 1), dt.date(2026, 8, 31))
    (datetime.date(2021, 9, 1), datetime.date(2026, 9, 1))
    """
    if registered_until is None:
        return start, None
    anniversary = (registered_until.month, registered_until.day) == (start.month, start.day)
    if anniversary and registered_until > start:
        return start, registered_until
    return start, registered_until + dt.timedelta(days=1)


# ---------------------------------------------------------------- the check


def registry_check(path: str | os.PathLike[str], *, progress: bool | None = None) -> RegistryCheck:
    """Compare the data with France compétences' RNCP export at ``path`` (XML or zip).

    Every version of the data is set beside its fiche: title, level, NSF, ROME (codes and
    labels), RNCP number, blocs by number (normalised titles) and their codes, ``DATE_EFFET``
    against the window's start and ``DATE_FIN_ENREGISTREMENT`` against its end (agreeing when
    it is either the exclusive end or the last day). The lineage's fiches the data lacks are
    listed. A label that differs from a shipped nomenclature's is a difference, not an error.
    A version whose fiche the export does not hold is « not in this export », not compared:
    ``agrees`` is false only for a value that disagrees, or a fiche of the lineage the export
    holds and the data lacks (an export holding no fiche of the lineage agrees).

    Raises:
        RegistryExportError: the file is not an export, is broken XML, or is refused as
            hostile.

    >>> report = registry_check("tests/data/export_fiches_RNCP_V4_1_sample.xml")  # doctest: +SKIP
    >>> report.agrees  # doctest: +SKIP
    False
    """
    from pathlib import Path

    from ._referentiel import dataset

    path = export_path(path)
    data = dataset()
    lineage = find_lineage(path, data, progress=progress)
    versions = []
    for (key, fiche, note), v in zip(lineage.matches, data.versions):
        # A fiche the export does not hold is absent, not different.
        fields = [] if fiche is None else _compare(v, fiche, data)
        number = None if fiche is None else fiche.number
        versions.append(VersionCheck(key, v.title, number, tuple(fields), note))
    missing = tuple(
        MissingFiche(**{a.name: getattr(f, a.name) for a in attrs.fields(MissingFiche)})
        for f in lineage.unmatched
    )
    return RegistryCheck(
        export=Path(path).name,
        data_version=data.data_version,
        fiches_read=lineage.fiches_read,
        lineage=tuple(str(f.number) for f in lineage.fiches),
        versions=tuple(versions),
        missing=missing,
    )


def _compare(v: CertificationVersion, fiche: Fiche, data: Dataset) -> list[FieldCheck]:
    data_level = None if v.level is None else v.level.france_2019
    level = fiche.level
    checks = [
        _same("title", v.title, fiche.title, normalize_label),
        FieldCheck("rncp", v.rncp, fiche.number, v.rncp == _number(fiche.number)),
        FieldCheck(
            "level",
            None if data_level is None else f"niveau {data_level}",
            None if level is None else f"{level.code} {level.label or ''}".strip(),
            data_level == _level_number(fiche),
        ),
        *_compare_codes("nsf", v.nsf_codes, fiche.nsf, normalize_nsf, data.nsf_by_code),
        *_compare_codes("rome", v.rome_codes, fiche.rome, normalize_rome, data.rome_by_code),
        FieldCheck(
            "blocs", str(len(v.blocks)), str(len(fiche.blocs)), len(v.blocks) == len(fiche.blocs)
        ),
    ]
    for number, (block, bloc) in enumerate(zip_longest(v.blocks, fiche.blocs), start=1):
        title = None if block is None else block.title
        label = None if bloc is None else bloc.label
        checks.append(_same(f"bloc {number} title", title, label, normalize_label))
        code = None if block is None else block.rncp_code
        given = None if bloc is None else bloc.code
        checks.append(FieldCheck(f"bloc {number} code", code, given, code == given))
    window, until = v.validity, fiche.registered_until
    start = None if window is None else window.start
    checks.append(
        FieldCheck("start", _iso(start), _iso(fiche.effective_on), start == fiche.effective_on)
    )
    if window is None or window.end is None:
        checks.append(FieldCheck("end", None, _iso(until), until is None))
    else:
        end, last = window.end, window.last_day
        shown = f"{end.isoformat()} (exclusive; last day {_iso(last)})"
        checks.append(
            FieldCheck("end", shown, _iso(until), until is not None and until in (end, last))
        )
    return checks


def _level_number(fiche: Fiche) -> Optional[int]:
    """The level the fiche gives (``NIV5``: 5), if it gives one."""
    match = re.fullmatch(r"\s*NIV\s*([1-8])\s*", (fiche.level and fiche.level.code) or "")
    return int(match.group(1)) if match else None


def _same(
    field: str, data: Optional[str], registry: Optional[str], norm: Callable[[str], str]
) -> FieldCheck:
    def reduce(text: Optional[str]) -> Optional[str]:
        return None if text is None else norm(text)

    return FieldCheck(field, data, registry, reduce(data) == reduce(registry))


def _compare_codes(
    kind: str,
    shipped: tuple[NsfCode, ...] | tuple[RomeCode, ...],
    given: tuple[Coded, ...],
    normalize: Callable[[str], str],
    nomenclature: Mapping[str, NsfCode] | Mapping[str, RomeCode],
) -> list[FieldCheck]:
    """The codes side by side, then each registry label that differs from the shipped one."""
    data_codes = [c.code for c in shipped]
    registry = [(_canonical(normalize, c.code), c) for c in given]
    registry_codes = [code or str(c.code) for code, c in registry]
    checks = [
        FieldCheck(
            kind,
            ", ".join(data_codes) or None,
            ", ".join(registry_codes) or None,
            sorted(data_codes) == sorted(registry_codes),
        )
    ]
    for code, c in registry:
        known = nomenclature.get(code) if code else None
        if known is not None and c.label is not None and known.label != c.label:
            checks.append(FieldCheck(f"{kind} {code} label", known.label, c.label, agrees=False))
    return checks


def _iso(day: Optional[dt.date]) -> Optional[str]:
    return None if day is None else day.isoformat()


def report_json(report: RegistryCheck) -> dict[str, object]:
    """The report as JSON-ready data (the schema ``registry-check.schema.json``)."""
    return {
        "export": report.export,
        "data_version": report.data_version,
        "agrees": report.agrees,
        "fiches_read": report.fiches_read,
        "lineage": list(report.lineage),
        "versions": [
            {
                "key": v.key,
                "title": v.title,
                "fiche": v.fiche,
                "agrees": v.agrees,
                "note": v.note,
                "fields": [attrs.asdict(f) for f in v.fields],
            }
            for v in report.versions
        ],
        "missing": [
            attrs.asdict(
                m,
                value_serializer=lambda _, __, value: (
                    _iso(value) if isinstance(value, dt.date) else value
                ),
            )
            for m in report.missing
        ],
    }
