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


# A file's record: its class is not slotted and not comparable, since each class costs the
# first use to create, and these only carry a file's members to the loader (or from the
# import) once.
_FILE: Any = {"repr": False, "eq": False, "slots": False, "match_args": False}


class _FileRecord:
    """Gives a file's record the records' own short repr (attrs would compile one per class)."""

    __slots__ = ()
    __repr__ = _record_repr


@attrs.frozen(**_FILE)
class _File(_FileRecord):
    """A whole data file: its ``header`` says where its facts come from (read, never checked)."""

    header: Dict[str, Any] = attrs.field(factory=dict, kw_only=True)


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


@attrs.frozen(**_FILE)
class SourceRef(_FileRecord):
    """A fact's source as a data file writes it: the text's id, the place, the excerpt."""

    text: str
    location: str
    excerpt: str


@attrs.frozen(**_FILE)
class Manifest(_File):
    """``MANIFEST.json``: the data version, the sha256 of every file, how it was made."""

    data_version: str
    files: Dict[str, str]
    history: Dict[str, str] = attrs.field(factory=dict)
    imported: Optional[DataImport] = attrs.field(default=None, metadata={"json": "import"})


@attrs.frozen(**_FILE)
class TextEntry(_FileRecord):
    """An entry of ``texts.json``: a text's id, its file, what it is, where it comes from."""

    id: str
    file: str
    legal_text: LegalText
    source: Optional[str] = None


@attrs.frozen(**_FILE)
class TextsFile(_File):
    """``texts.json``: the texts every source quotes."""

    texts: Tuple[TextEntry, ...]


@attrs.frozen(**_FILE)
class CodeEntry(_FileRecord):
    """A code of ``nomenclatures/rome.json`` or ``nsf.json``, with its sources."""

    code: str
    label: Optional[str]
    sources: Dict[str, SourceRef] = attrs.field(factory=dict)


@attrs.frozen(**_FILE)
class CodesFile(_File):
    """``nomenclatures/rome.json`` or ``nsf.json``."""

    codes: Tuple[CodeEntry, ...]


@attrs.frozen(**_FILE)
class LevelSources(_FileRecord):
    """The source of each column of the levels' table."""

    france_1969: SourceRef
    france_2019: SourceRef
    eqf: SourceRef


@attrs.frozen(**_FILE)
class LevelsFile(_File):
    """``nomenclatures/levels.json``."""

    levels: Tuple[Level, ...]
    sources: LevelSources


@attrs.frozen(**_FILE)
class Wording(_FileRecord):
    """Another wording of a block's title in the texts, quoted by its source."""

    title: str
    source: SourceRef


@attrs.frozen(**_FILE)
class Reading(_FileRecord):
    """What another text reads of a fact, quoted by its source."""

    reads: str
    source: SourceRef


@attrs.frozen(**_FILE)
class Contradiction(_FileRecord):
    """A fact the texts contradict: the field, why one reading is followed, the others."""

    field: str
    note: str
    readings: Tuple[Reading, ...]


@attrs.frozen(**_FILE)
class VersionFile(_File):
    """``versions/KEY.json``: a version and the source of each of its facts and its blocs'.

    ``block_sources``, ``other_wordings``: by block number, as a string.
    """

    version: CertificationVersion
    sources: Dict[str, SourceRef] = attrs.field(factory=dict)
    block_sources: Dict[str, Dict[str, SourceRef]] = attrs.field(factory=dict)
    other_wordings: Dict[str, Tuple[Wording, ...]] = attrs.field(factory=dict)
    contradictions: Tuple[Contradiction, ...] = ()


@attrs.frozen(**_FILE)
class TableRow(_FileRecord):
    """A row of a correspondence table: bloc numbers (``new`` None: no correspondence)."""

    old: int
    new: Optional[int]
    source: SourceRef


@attrs.frozen(**_FILE)
class TableFile(_File):
    """``correspondences/OLD_NEW.json``."""

    old_key: str
    new_key: str
    rows: Tuple[TableRow, ...]


@attrs.frozen(**_FILE)
class GapEntry(_FileRecord):
    """An interval no text covers (``end`` excluded), as ``lineage.json`` writes it."""

    start: dt.date
    end: dt.date
    source: SourceRef


@attrs.frozen(**_FILE, kw_only=True)
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


@attrs.frozen(**_FILE)
class LineageFile(_File):
    """``lineage.json``: the lineage's facts that are not a version."""

    gaps: Tuple[GapEntry, ...]
    registered: Tuple[RegisteredEntry, ...]


def unstructure(record: object) -> Any:
    """``record`` as the plain data its file holds, through the package's one converter."""
    from ._converter import CONVERTER

    return CONVERTER.unstructure(record)
