"""The data files' own shapes, beside the records they hold: what is read and written.

Each file of a data directory is one record here, read by ``_structure.structure`` and
written through the one converter (``registry import``, ``_manifest``): no file is read by
hand-written shape checks, nor written from a hand-made dict of its fields. A member with a
default may be left out of a file, and is left out when it has that value; ``json`` in a
field's metadata is the member's name when it is not the field's. Only the rules across
files are the loader's own (see ``_loading``).
"""

import datetime as dt
from typing import Any, Dict, Optional, Tuple

import attrs

# The annotations are objects (no ``from __future__ import annotations``): the load reads
# them without resolving strings. Dict/Optional/Tuple evaluate on Python 3.9.
from ._data_import import DataImport
from ._records import CertificationVersion, Formacode, LegalText, Level, NsfCode, _record_repr

__all__ = [
    "CodeEntry",
    "CodesFile",
    "Contradiction",
    "GapEntry",
    "LevelSources",
    "LevelsFile",
    "LineageFile",
    "Manifest",
    "Reading",
    "RegisteredEntry",
    "SourceKey",
    "SourceRef",
    "TableFile",
    "TableRow",
    "TextEntry",
    "TextsFile",
    "VersionFile",
    "Wording",
    "unstructure",
]

# What a file says of itself (where its facts come from, which texts): read, never checked.
Header = Dict[str, Any]


_HEADER: Any = attrs.Factory(dict)
# A file's record is made with keywords: its header, which may be left out, comes first.


class _FileRecord:
    """Gives a file's record the records' own short repr (attrs would compile one per class)."""

    __slots__ = ()
    __repr__ = _record_repr


@attrs.frozen(repr=False)
class SourceKey(_FileRecord):
    """Where the source of a shipped fact is kept: the kind of record, its key, the field.

    ``record`` is ``"version"``, ``"block"``, ``"rome"``, ``"nsf"``, ``"level"`` or
    ``"registered"``; ``key`` the version's key, the block's ref (``KEY/N``), the code or the
    RNCP number (``""`` for the levels, whose sources are the table's columns').
    """

    record: str
    key: str
    field: str


@attrs.frozen(repr=False, eq=False)
class SourceRef(_FileRecord):
    """A fact's source as a data file writes it: the text's id, the place, the excerpt."""

    text: str
    location: str
    excerpt: str


@attrs.frozen(repr=False, eq=False, kw_only=True)
class Manifest(_FileRecord):
    """``MANIFEST.json``: the data version, the sha256 of every file, how it was made."""

    header: Header = _HEADER
    data_version: str
    files: Dict[str, str]
    history: Dict[str, str] = attrs.field(factory=dict)
    imported: Optional[DataImport] = attrs.field(default=None, metadata={"json": "import"})


@attrs.frozen(repr=False, eq=False)
class TextEntry(_FileRecord):
    """An entry of ``texts.json``: a text's id, its file, what it is, where it comes from."""

    id: str
    file: str
    legal_text: LegalText
    source: Optional[str] = None


@attrs.frozen(repr=False, eq=False, kw_only=True)
class TextsFile(_FileRecord):
    """``texts.json``: the texts every source quotes."""

    header: Header = _HEADER
    texts: Tuple[TextEntry, ...]


@attrs.frozen(repr=False, eq=False)
class CodeEntry(_FileRecord):
    """A code of ``nomenclatures/rome.json`` or ``nsf.json``, with its sources."""

    code: str
    label: Optional[str]
    sources: Dict[str, SourceRef] = attrs.field(factory=dict)


@attrs.frozen(repr=False, eq=False, kw_only=True)
class CodesFile(_FileRecord):
    """``nomenclatures/rome.json`` or ``nsf.json``."""

    header: Header = _HEADER
    codes: Tuple[CodeEntry, ...]


@attrs.frozen(repr=False, eq=False)
class LevelSources(_FileRecord):
    """The source of each column of the levels' table."""

    france_1969: SourceRef
    france_2019: SourceRef
    eqf: SourceRef


@attrs.frozen(repr=False, eq=False, kw_only=True)
class LevelsFile(_FileRecord):
    """``nomenclatures/levels.json``."""

    header: Header = _HEADER
    levels: Tuple[Level, ...]
    sources: LevelSources


@attrs.frozen(repr=False, eq=False)
class Wording(_FileRecord):
    """Another wording of a block's title in the texts, quoted by its source."""

    title: str
    source: SourceRef


@attrs.frozen(repr=False, eq=False)
class Reading(_FileRecord):
    """What another text reads of a fact, quoted by its source."""

    reads: str
    source: SourceRef


@attrs.frozen(repr=False, eq=False)
class Contradiction(_FileRecord):
    """A fact the texts contradict: the field, why one reading is followed, the others."""

    field: str
    note: str
    readings: Tuple[Reading, ...]


@attrs.frozen(repr=False, eq=False, kw_only=True)
class VersionFile(_FileRecord):
    """``versions/KEY.json``: a version and the source of each of its facts and its blocs'.

    ``block_sources``, ``other_wordings``: by block number, as a string.
    """

    header: Header = _HEADER
    version: CertificationVersion
    sources: Dict[str, SourceRef] = attrs.field(factory=dict)
    block_sources: Dict[str, Dict[str, SourceRef]] = attrs.field(factory=dict)
    other_wordings: Dict[str, Tuple[Wording, ...]] = attrs.field(factory=dict)
    contradictions: Tuple[Contradiction, ...] = ()


@attrs.frozen(repr=False, eq=False)
class TableRow(_FileRecord):
    """A row of a correspondence table: bloc numbers (``new`` None: no correspondence)."""

    old: int
    new: Optional[int]
    source: SourceRef


@attrs.frozen(repr=False, eq=False, kw_only=True)
class TableFile(_FileRecord):
    """``correspondences/OLD_NEW.json``."""

    header: Header = _HEADER
    old_key: str
    new_key: str
    rows: Tuple[TableRow, ...]


@attrs.frozen(repr=False, eq=False)
class GapEntry(_FileRecord):
    """An interval no text covers (``end`` excluded), as ``lineage.json`` writes it."""

    start: dt.date
    end: dt.date
    source: SourceRef


@attrs.frozen(repr=False, eq=False, kw_only=True)
class RegisteredEntry(_FileRecord):
    """A fiche RNCP registered but not in the data, as ``lineage.json`` writes it."""

    rncp: str
    successor_of: str
    level: Optional[Level] = None
    nsf: Tuple[NsfCode, ...]
    formacodes: Tuple[Formacode, ...] = ()
    registered_until: Optional[dt.date] = None
    certifying_authority: Optional[str] = None
    sources: Dict[str, SourceRef]


@attrs.frozen(repr=False, eq=False, kw_only=True)
class LineageFile(_FileRecord):
    """``lineage.json``: the lineage's facts that are not a version."""

    header: Header = _HEADER
    gaps: Tuple[GapEntry, ...]
    registered: Tuple[RegisteredEntry, ...]


def unstructure(record: object) -> Any:
    """``record`` as the plain data its file holds, through the package's one converter."""
    from ._converter import CONVERTER

    return CONVERTER.unstructure(record)
