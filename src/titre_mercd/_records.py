"""The immutable records the référentiel is made of.

Every class is frozen and slotted, hashable and equal by value; every collection is a
``tuple`` or a ``frozenset``, so no caller can change what another sees.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, FrozenSet, Optional, Tuple

import attrs

__all__ = [
    "Block",
    "CertificationVersion",
    "Correspondence",
    "CorrespondenceTable",
    "LegalText",
    "Level",
    "NsfCode",
    "RegisteredFiche",
    "RomeCode",
    "Source",
    "ValidityGap",
    "ValidityWindow",
]

# The field annotations use ``Optional``/``Tuple``/``FrozenSet`` so that they evaluate on
# Python 3.9, where cattrs reads them at run time.


def _record_repr(self: Any) -> str:
    """``Name(field=value, …)``, as attrs writes it, shared by every record.

    attrs would generate and compile a ``__repr__`` for each class (``repr=False`` below):
    sharing one takes about 4 ms off the first use of the package.
    """
    values = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in attrs.fields(type(self)))
    return f"{type(self).__name__}({values})"


@attrs.frozen(repr=False)
class LegalText:
    """A text facts are read in: an arrêté, a décret, a code, or a fiche RNCP.

    >>> from titre_mercd import version
    >>> version("2018-12-11").legal_text.nor
    'MTRD1833181A'
    """

    __repr__ = _record_repr

    kind: str
    date: Optional[dt.date]
    title: str
    nor: Optional[str]
    consolidated_on: Optional[dt.date]


@attrs.frozen(repr=False)
class Source:
    """Where a fact comes from: a text, a place in it, and a verbatim excerpt.

    >>> from titre_mercd import source_of, version
    >>> source_of(version("2018-12-11"), "validity").location
    'article 1 (counted; no headings in the copy)'
    """

    __repr__ = _record_repr

    text: LegalText
    location: str
    excerpt: str


@attrs.frozen(repr=False)
class ValidityWindow:
    """The days a version is in force: ``start`` included, ``end`` excluded (``None``: open).

    ``registered_until`` is the RNCP registry's « date d'échéance de l'enregistrement » exactly
    as the registry gives it, when the window was read from the registry (``None`` otherwise).
    The registry is not consistent about whether that day is included, so the window keeps the
    reading made of it in ``end`` and the date as given beside it.

    >>> import datetime as dt
    >>> from titre_mercd import version
    >>> window = version("2018-12-11").validity
    >>> window.last_day, window.contains(dt.date(2024, 5, 12))
    (datetime.date(2024, 5, 11), False)
    >>> window.registered_until is None
    True
    """

    __repr__ = _record_repr

    start: dt.date
    end: Optional[dt.date]
    registered_until: Optional[dt.date] = None

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the window."""
        from ._codes import require_date

        require_date(day, "day")
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def last_day(self) -> Optional[dt.date]:
        """The last day in force (the day before ``end``), or ``None`` when open-ended."""
        return None if self.end is None else self.end - dt.timedelta(days=1)


@attrs.frozen(repr=False)
class ValidityGap:
    """Days of the lineage that no text found covers: ``start`` included, ``end`` excluded.

    On such a day, whether the version whose window ended at ``start`` (or any version) is in
    force is not known: :func:`titre_mercd.is_in_force` raises
    :class:`~titre_mercd.UndecidedError` rather than answer « no ».

    >>> from titre_mercd import validity_gaps
    >>> gap = validity_gaps()[0]
    >>> str(gap.start), str(gap.last_day)
    ('2017-05-12', '2019-05-11')
    """

    __repr__ = _record_repr

    start: dt.date
    end: dt.date
    source: Source

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the gap."""
        from ._codes import require_date

        require_date(day, "day")
        return self.start <= day < self.end

    @property
    def last_day(self) -> dt.date:
        """The last day of the gap (the day before ``end``)."""
        return self.end - dt.timedelta(days=1)


@attrs.frozen(repr=False)
class Level:
    """A level in the 1969 nomenclature, the 2019 national framework and the EQF.

    >>> from titre_mercd import version
    >>> version("2018-12-11").level
    Level(france_1969='III', france_2019=5, eqf=5)
    """

    __repr__ = _record_repr

    france_1969: Optional[str]
    france_2019: int
    eqf: int


@attrs.frozen(repr=False)
class RomeCode:
    """A code of the ROME (répertoire opérationnel des métiers et des emplois) and its label.

    >>> from titre_mercd import rome
    >>> rome("D1408").label
    'Téléconseil et télévente'
    """

    __repr__ = _record_repr

    code: str
    label: str


@attrs.frozen(repr=False)
class NsfCode:
    """A code of the NSF (nomenclature des spécialités de formation) and its label, if known.

    >>> from titre_mercd import nsf
    >>> nsf("312 t")
    NsfCode(code='312t', label='Négociation et vente')
    """

    __repr__ = _record_repr

    code: str
    label: Optional[str]


# Blocks and versions are hashed whenever they go into a frozenset or key a memo: their
# hash is computed once.
@attrs.frozen(repr=False, cache_hash=True)
class Block:
    """A bloc de compétences, sanctioned by a CCP (certificat de compétences professionnelles).

    >>> from titre_mercd import version
    >>> block = version("2018-12-11").blocks[0]
    >>> block.number, block.title
    (1, "Piloter la performance d'une équipe de conseillers client")
    """

    __repr__ = _record_repr

    version_key: str
    number: int
    title: str
    competences: Tuple[str, ...]
    rncp_code: Optional[str]

    @property
    def ref(self) -> str:
        """The block's reference ``"KEY/N"``, accepted by :func:`titre_mercd.find_block`."""
        return f"{self.version_key}/{self.number}"

    def _repr_html_(self) -> str:
        """This block as an HTML table, for notebooks."""
        from ._display import block_html

        return block_html(self)


@attrs.frozen(repr=False)
class Correspondence:
    """A row of a correspondence table: an old block and the new one it counts as, if any.

    >>> from titre_mercd import correspondences
    >>> row = correspondences("2011-06-01", "2018-12-11")[0]
    >>> row.new is None, row.source.location
    (True, 'article 4 (counted; no headings in the copy)')
    """

    __repr__ = _record_repr

    old: Block
    new: Optional[Block]
    source: Source


@attrs.frozen(repr=False)
class CorrespondenceTable:
    """A whole correspondence table between two versions, shown as a table in notebooks.

    >>> from titre_mercd import correspondence_table
    >>> table = correspondence_table("2011-06-01", "2018-12-11")
    >>> table.old_key, table.new_key, len(table.rows)
    ('2011-06-01', '2018-12-11', 3)
    """

    __repr__ = _record_repr

    old_key: str
    new_key: str
    rows: Tuple[Correspondence, ...]

    def _repr_html_(self) -> str:
        """This table as HTML: old CCP, the new one it counts as, and the source."""
        from ._display import correspondence_table_html

        return correspondence_table_html(self)


@attrs.frozen(repr=False, cache_hash=True)
class CertificationVersion:
    """One version of the titre professionnel, as the legal text that made it describes it.

    ``sectors`` are the principal sectors as the text lists them, ``sectors_text`` the text's
    own statement on sectors, verbatim. ``unknown_fields`` names the fields whose value no
    shipped source gives (they are ``None`` or empty); an empty field it does not name is one
    the text says is empty.

    >>> from titre_mercd import version
    >>> v = version("2018-12-11")
    >>> v.title, v.former_titles
    ("manager d'équipe relation client à distance", ('superviseur(se) relation client à distance',))
    >>> sorted(v.unknown_fields)
    ['rncp']
    """

    __repr__ = _record_repr

    key: str
    title: str
    former_titles: Tuple[str, ...]
    legal_text: LegalText
    validity: Optional[ValidityWindow]
    level: Optional[Level]
    nsf_codes: Tuple[NsfCode, ...]
    rome_codes: Tuple[RomeCode, ...]
    rncp: Optional[str]
    blocks: Tuple[Block, ...]
    transversal_competences: Tuple[str, ...]
    sectors: Tuple[str, ...]
    sectors_text: Optional[str]
    job_titles: Tuple[str, ...]
    summary: Optional[str]
    certifying_authority: Optional[str]
    regulation: Optional[str]
    legal_bases: Tuple[str, ...]
    unknown_fields: FrozenSet[str]

    def _repr_html_(self) -> str:
        """This version as an HTML table, one row per field, for notebooks."""
        from ._display import version_html

        return version_html(self)


@attrs.frozen(repr=False)
class RegisteredFiche:
    """A fiche RNCP of the lineage that the data records as registered but holds no version of.

    What a source gives of it, and nothing more: its number, the version it succeeds, its
    niveau in the 2019 national framework, its NSF codes, the registry's « date d'échéance de
    l'enregistrement » exactly as given, and its certificateur. Its title, arrêté, start date
    and blocs are not known: ``titre-mercd registry import`` brings them from the registry.

    >>> from titre_mercd import registered_fiches
    >>> fiche = registered_fiches()[0]
    >>> fiche.rncp, fiche.successor_of, fiche.level, str(fiche.registered_until)
    ('RNCP38665', '2018-12-11', 5, '2029-05-12')
    """

    __repr__ = _record_repr

    rncp: str
    successor_of: str
    level: Optional[int]
    nsf_codes: Tuple[NsfCode, ...]
    registered_until: Optional[dt.date]
    certifying_authority: Optional[str]
