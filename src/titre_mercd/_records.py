"""The immutable records the référentiel is made of.

Every class is frozen and slotted, hashable and equal by value; every collection is a
``tuple`` or a ``frozenset``, so no caller can change what another sees.
"""

import datetime as dt
import operator
from typing import TYPE_CHECKING, Any, Callable, ClassVar, FrozenSet, Optional, Tuple

import attrs

from ._fields import about

__all__ = [
    "Block",
    "CertificationVersion",
    "Correspondence",
    "CorrespondenceTable",
    "Formacode",
    "LegalText",
    "Level",
    "NsfCode",
    "RegisteredFiche",
    "RomeCode",
    "Source",
    "ValidityGap",
    "ValidityWindow",
]

# The annotations are evaluated when the classes are made (no ``from __future__ import
# annotations``): the structurer then reads them without compiling a string for each field,
# and they use ``Optional``/``Tuple``/``FrozenSet`` so that they evaluate on Python 3.9.

# What the JSON schema says of some fields' values (schemas/dataset.schema.json).
_VERSION_KEY = {"$ref": "#/$defs/versionKey"}
_RNCP = {"pattern": "^RNCP[0-9]{1,6}$"}
_NOR = {"pattern": "^[A-Z]{4}[0-9]{7}[A-Z]$"}
_NIVEAU = {"minimum": 1, "maximum": 8}

# The fields a record's repr shows (every field when None), and those that identify it.
_Names = Optional[Tuple[str, ...]]

_LONGEST_STRING_SHOWN = 60  # characters of a text field a repr shows before « … »


def _shown(value: object) -> str:
    """``value`` as a repr shows it: a record by its key fields, a long text cut short."""
    if attrs.has(type(value)):
        return brief(value)
    if isinstance(value, str) and len(value) > _LONGEST_STRING_SHOWN:
        return repr(value[: _LONGEST_STRING_SHOWN - 1] + "…")
    return repr(value)


def _fields_repr(record: Any, names: _Names) -> str:
    """``Name(field=value, …)`` over ``names`` (every field when ``None``), « … » for the rest."""
    every = tuple(f.name for f in attrs.fields(type(record)))
    shown = every if names is None else names
    values = [f"{name}={_shown(getattr(record, name))}" for name in shown]
    if len(shown) < len(every):
        values.append("…")
    return f"{type(record).__name__}({', '.join(values)})"


def brief(record: Any) -> str:
    """A record by the fields that identify it: ``Block(version_key='2011-06-01', number=2, …)``.

    What error messages show of a record, and how a record shows another inside its repr.
    """
    return _fields_repr(record, getattr(record, "_key_fields", None))


def _record_repr(self: Any) -> str:
    """The fields that identify a record and say what it is; ``to_dict`` has all.

    A version holds thousands of characters of text: its repr names it in one line.
    """
    return _fields_repr(self, getattr(self, "_repr_fields", None))


class _Record:
    """What the records share: a one-line repr, and equality and a hash over every field.

    Written once here rather than generated and compiled by attrs for each class
    (``repr=False, eq=False``), which takes milliseconds off the first use of the package.
    Equality is attrs's: records of the same class whose fields are all equal.
    """

    __slots__ = ()
    _key_fields: ClassVar[_Names] = None
    _repr_fields: ClassVar[_Names] = None
    if TYPE_CHECKING:  # not an annotation at run time, where the structurer reads them
        _values: ClassVar[Callable[..., Any]]  # an attrgetter: not bound

    def __init_subclass__(cls) -> None:
        made = cls.__dict__.get("__attrs_attrs__")  # the slotted class attrs makes
        if made is not None:
            cls._values = operator.attrgetter(*(a.name for a in made))

    __repr__ = _record_repr  # (the file records of _format have it too)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._values(self) == self._values(other))

    def __hash__(self) -> int:
        return hash((self.__class__, self._values(self)))


@attrs.frozen(repr=False, eq=False)
class LegalText(_Record):
    """A text facts are read in: an arrêté, a décret, a code, or a fiche RNCP.

    >>> from titre_mercd import version
    >>> version("2018-12-11").legal_text.nor
    'MTRD1833181A'
    """

    _key_fields: ClassVar[_Names] = ("kind", "date", "nor")
    _repr_fields: ClassVar[_Names] = ("kind", "date", "nor")

    kind: str = about("Kind", cited="identity")
    date: Optional[dt.date] = about("Date", cited="identity")
    title: str = about("Title", cited="identity")
    nor: Optional[str] = about("NOR", cited="identity", schema=_NOR)
    consolidated_on: Optional[dt.date] = about("Consolidated on", cited="identity")


@attrs.frozen(repr=False, eq=False)
class Source(_Record):
    """Where a fact comes from: a text, a place in it, and a verbatim excerpt.

    >>> from titre_mercd import source_of, version
    >>> source_of(version("2018-12-11"), "validity").location
    'article 1 (counted; no headings in the copy)'
    """

    _key_fields: ClassVar[_Names] = ("text", "location")
    _repr_fields: ClassVar[_Names] = ("text", "location")

    text: LegalText = about("Text", cited="identity", brief=("title",))
    location: str = about("Location", cited="identity")
    excerpt: str = about("Excerpt", cited="identity")


@attrs.frozen(repr=False, eq=False)
class ValidityWindow(_Record):
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

    # A property the renderers show too: its name, the field it follows, its label.
    _derived: ClassVar[Tuple[Tuple[str, str, str], ...]] = (("last_day", "end", "Last day"),)

    start: dt.date = about("First day", cited="holder")
    end: Optional[dt.date] = about(
        "End (excluded)",
        cited="holder",
        omitted=dict.fromkeys(("html", "show", "jsonld"), "shown as its last day, the day before"),
    )
    registered_until: Optional[dt.date] = about("Registered until", cited="holder", default=None)

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the window (a ``datetime`` is taken as its date)."""
        from ._codes import require_date

        day = require_date(day, "day")
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def last_day(self) -> Optional[dt.date]:
        """The last day in force (the day before ``end``), or ``None`` when open-ended."""
        return None if self.end is None else self.end - dt.timedelta(days=1)


@attrs.frozen(repr=False, eq=False)
class ValidityGap(_Record):
    """Days of the lineage that no text found covers: ``start`` included, ``end`` excluded.

    On such a day, whether the version whose window ended at ``start`` (or any version) is in
    force is not known: :func:`titre_mercd.is_in_force` raises
    :class:`~titre_mercd.UndecidedError` rather than answer « no ».

    >>> from titre_mercd import validity_gaps
    >>> gap = validity_gaps()[0]
    >>> str(gap.start), str(gap.last_day)
    ('2017-05-12', '2019-05-11')
    """

    _key_fields: ClassVar[_Names] = ("start", "end")
    _repr_fields: ClassVar[_Names] = ("start", "end")

    start: dt.date = about("First day")
    end: dt.date = about("End (excluded)")
    source: Source = about("Source", cited="identity")

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the gap."""
        from ._codes import require_date

        day = require_date(day, "day")
        return self.start <= day < self.end

    @property
    def last_day(self) -> dt.date:
        """The last day of the gap (the day before ``end``)."""
        return self.end - dt.timedelta(days=1)


@attrs.frozen(repr=False, eq=False)
class Level(_Record):
    """A level in the 1969 nomenclature, the 2019 national framework and the EQF.

    >>> from titre_mercd import version
    >>> version("2018-12-11").level
    Level(france_1969='III', france_2019=5, eqf=5)
    """

    france_1969: Optional[str] = about(
        "Nomenclature de 1969", schema={"enum": ["I", "II", "III", "IV", "V"]}
    )
    france_2019: int = about("Cadre national de 2019", schema=_NIVEAU)
    eqf: int = about("EQF", schema=_NIVEAU)


@attrs.frozen(repr=False, eq=False)
class RomeCode(_Record):
    """A code of the ROME (répertoire opérationnel des métiers et des emplois) and its label.

    >>> from titre_mercd import rome
    >>> rome("D1408").label
    'Téléconseil et télévente'
    """

    _key_fields: ClassVar[_Names] = ("code",)

    code: str = about("Code", schema={"pattern": "^[A-N][0-9]{4}$"})
    label: str = about("Label")


@attrs.frozen(repr=False, eq=False)
class NsfCode(_Record):
    """A code of the NSF (nomenclature des spécialités de formation) and its label, if known.

    >>> from titre_mercd import nsf
    >>> nsf("312 t")
    NsfCode(code='312t', label='Négociation et vente')
    """

    _key_fields: ClassVar[_Names] = ("code",)

    code: str = about("Code", schema={"pattern": "^[0-9]{3}[a-z]?$"})
    label: Optional[str] = about("Label")


@attrs.frozen(repr=False, eq=False)
class Formacode(_Record):
    """A code of the Formacode (the thesaurus of training fields, five digits) and its label.

    >>> from titre_mercd import registered_fiche
    >>> registered_fiche("RNCP38665").formacodes[0]
    Formacode(code='34026', label='Développement sens commercial')
    """

    _key_fields: ClassVar[_Names] = ("code",)

    code: str = about("Code", schema={"pattern": "^[0-9]{5}$"})
    label: Optional[str] = about("Label")


# A correspondence row names its blocks; the blocks table shows them whole.
_BLOCK_BRIEF = ("version_key", "number", "title")

# Why show and the notebook HTML leave out ``unknown_fields``.
_SAID_IN_EACH_FIELD = "each field it names reads « not known (no source gives it) »"


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, object], bool]:
    def method(self: Any, other: object) -> bool:
        if not isinstance(other, Block):
            return NotImplemented  # type: ignore[no-any-return]
        return compare((self.version_key, self.number), (other.version_key, other.number))

    return method


# Blocks and versions are hashed whenever they go into a frozenset or key a memo: their
# hash is computed once.
@attrs.frozen(repr=False, cache_hash=True)
class Block(_Record):
    """A bloc de compétences, sanctioned by a CCP (certificat de compétences professionnelles).

    Blocks sort by version key, then number.

    >>> from titre_mercd import version
    >>> block = version("2018-12-11").blocks[0]
    >>> block.number, block.title
    (1, "Piloter la performance d'une équipe de conseillers client")
    >>> block  # doctest: +ELLIPSIS
    Block(version_key='2018-12-11', number=1, title="Piloter la performance d'une ...", …)
    >>> sorted([block, version("2011-06-01").blocks[1]])[0].ref
    '2011-06-01/2'
    """

    _key_fields: ClassVar[_Names] = ("version_key", "number")
    _repr_fields: ClassVar[_Names] = ("version_key", "number", "title")

    version_key: str = about("Version", schema=_VERSION_KEY)
    number: int = about("Number", schema={"minimum": 1})
    title: str = about("Title")
    competences: Tuple[str, ...] = about("Capacités attestées")
    rncp_code: Optional[str] = about(
        "RNCP bloc code", schema={"pattern": "^RNCP[0-9]{1,6}BC[0-9]{2}$"}
    )

    # Blocks sort by version key, then number: the order of the arrêtés, oldest first.
    __lt__ = _ordering(operator.lt)
    __le__ = _ordering(operator.le)
    __gt__ = _ordering(operator.gt)
    __ge__ = _ordering(operator.ge)

    @property
    def ref(self) -> str:
        """The block's reference ``"KEY/N"``, accepted by :func:`titre_mercd.find_block`."""
        return f"{self.version_key}/{self.number}"


@attrs.frozen(repr=False, eq=False)
class Correspondence(_Record):
    """A row of a correspondence table: an old block and the new one it counts as, if any.

    >>> from titre_mercd import correspondences
    >>> row = correspondences("2011-06-01", "2018-12-11")[0]
    >>> row.new is None, row.source.location
    (True, 'article 4 (counted; no headings in the copy)')
    """

    _key_fields: ClassVar[_Names] = ("old", "new")
    _repr_fields: ClassVar[_Names] = ("old", "new")

    old: Block = about("Old CCP", brief=_BLOCK_BRIEF)
    new: Optional[Block] = about("Deemed to be", brief=_BLOCK_BRIEF)
    source: Source = about("Source", cited="identity")


@attrs.frozen(repr=False, eq=False)
class CorrespondenceTable(_Record):
    """A whole correspondence table between two versions, shown as a table in notebooks.

    >>> from titre_mercd import correspondence_table
    >>> table = correspondence_table("2011-06-01", "2018-12-11")
    >>> table.old_key, table.new_key, len(table.rows)
    ('2011-06-01', '2018-12-11', 3)
    """

    _key_fields: ClassVar[_Names] = ("old_key", "new_key")
    _repr_fields: ClassVar[_Names] = ("old_key", "new_key")

    old_key: str = about("From version", cited="identity", schema=_VERSION_KEY)
    new_key: str = about("To version", cited="identity", schema=_VERSION_KEY)
    rows: Tuple[Correspondence, ...] = about("Rows", cited="identity")


@attrs.frozen(repr=False, cache_hash=True)
class CertificationVersion(_Record):
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
    ['formacodes', 'rncp']
    >>> v
    CertificationVersion(key='2018-12-11', title="manager d'équipe relation client à distance", …)

    Its repr names it; :func:`~titre_mercd.to_dict` gives every field.
    """

    _key_fields: ClassVar[_Names] = ("key",)
    _repr_fields: ClassVar[_Names] = ("key", "title")

    key: str = about("Version key", schema=_VERSION_KEY)
    title: str = about("Title")
    former_titles: Tuple[str, ...] = about("Former titles", unknowable=True)
    legal_text: LegalText = about("Legal text")
    validity: Optional[ValidityWindow] = about("Validity", unknowable=True)
    level: Optional[Level] = about("Level", unknowable=True)
    nsf_codes: Tuple[NsfCode, ...] = about("NSF", unknowable=True)
    rome_codes: Tuple[RomeCode, ...] = about("ROME", unknowable=True)
    formacodes: Tuple[Formacode, ...] = about("Formacode", unknowable=True)
    rncp: Optional[str] = about("RNCP", unknowable=True, schema=_RNCP)
    blocks: Tuple[Block, ...] = about(
        "Blocs de compétences (CCP) and their capacités attestées",
        unknowable=True,
        section=True,
        brief=("number", "title", "competences", "rncp_code"),  # the version_key is its key
    )
    transversal_competences: Tuple[str, ...] = about(
        "Compétences transversales", unknowable=True, section=True
    )
    sectors: Tuple[str, ...] = about("Principal sectors", unknowable=True, section=True)
    sectors_text: Optional[str] = about(
        "Sectors, in the text's words", unknowable=True, section=True
    )
    job_titles: Tuple[str, ...] = about(
        "Job titles (types d'emplois accessibles)", unknowable=True, section=True
    )
    summary: Optional[str] = about(
        "Summary (résumé du référentiel d'emploi)", unknowable=True, section=True
    )
    certifying_authority: Optional[str] = about("Certifying authority", unknowable=True)
    regulation: Optional[str] = about("Regulation", unknowable=True)
    legal_bases: Tuple[str, ...] = about("Legal bases", unknowable=True, section=True)
    unknown_fields: FrozenSet[str] = about(
        "Not known (no source gives it)",
        cited="identity",
        omitted=dict.fromkeys(("html", "show"), _SAID_IN_EACH_FIELD),
    )


@attrs.frozen(repr=False, eq=False)
class RegisteredFiche(_Record):
    """A fiche RNCP of the lineage that the data records as registered but holds no version of.

    What a source gives of it, and nothing more: its number, the version it succeeds, its
    niveau in the 2019 national framework, its NSF codes and Formacodes, the registry's « date
    d'échéance de l'enregistrement » exactly as given, and its certificateur. Its title, arrêté,
    start date and blocs are not known: ``titre-mercd registry import`` brings them from the
    registry.

    >>> from titre_mercd import registered_fiches
    >>> fiche = registered_fiches()[0]
    >>> fiche.rncp, fiche.successor_of, fiche.level, str(fiche.registered_until)
    ('RNCP38665', '2018-12-11', Level(france_1969=None, france_2019=5, eqf=5), '2029-05-12')
    """

    _key_fields: ClassVar[_Names] = ("rncp",)
    _repr_fields: ClassVar[_Names] = ("rncp", "successor_of", "registered_until")

    rncp: str = about("RNCP", schema=_RNCP)
    successor_of: str = about("Successor of", schema=_VERSION_KEY)
    level: Optional[Level] = about("Level")
    nsf_codes: Tuple[NsfCode, ...] = about("NSF")
    formacodes: Tuple[Formacode, ...] = about("Formacode")
    registered_until: Optional[dt.date] = about("Registered until")
    certifying_authority: Optional[str] = about("Certifying authority")
