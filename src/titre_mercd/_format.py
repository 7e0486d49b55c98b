"""The data files' own shapes, beside the records they hold: what ``registry import`` writes.

A version file holds a :class:`~titre_mercd.CertificationVersion` and the sources of its
facts; a table file the rows of a correspondence table; ``texts.json`` one entry per text; a
nomenclature one entry per code; ``MANIFEST.json`` what an import was made from. Each is a
frozen record here, written through the one converter: no file is written from a hand-made
dict of its fields.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003  (the annotations are resolved at run time, for cattrs)
from typing import Any, Dict, Optional, Tuple

import attrs

# The annotations use Dict/Optional/Tuple so that they evaluate on Python 3.9 (as _records').
from ._records import CertificationVersion, LegalText  # noqa: TC001

__all__ = [
    "CodeEntry",
    "ImportInfo",
    "SourceRef",
    "TableFile",
    "TableRow",
    "TextEntry",
    "VersionFile",
    "unstructure",
]


@attrs.frozen
class SourceRef:
    """A fact's source as a data file writes it: the text's id, the place, the excerpt."""

    text: str
    location: str
    excerpt: str


@attrs.frozen
class VersionFile:
    """``versions/KEY.json``: a version and the source of each of its facts and its blocs'."""

    header: Dict[str, Any]
    version: CertificationVersion
    sources: Dict[str, SourceRef]
    block_sources: Dict[str, Dict[str, SourceRef]]


@attrs.frozen
class TableRow:
    """A row of a correspondence table: bloc numbers (``new`` None: no correspondence)."""

    old: int
    new: Optional[int]
    source: SourceRef


@attrs.frozen
class TableFile:
    """``correspondences/OLD_NEW.json``."""

    header: Dict[str, Any]
    old_key: str
    new_key: str
    rows: Tuple[TableRow, ...]


@attrs.frozen
class CodeEntry:
    """A code of ``nomenclatures/rome.json`` or ``nsf.json``, with its sources."""

    code: str
    label: Optional[str]
    sources: Dict[str, SourceRef]


@attrs.frozen
class TextEntry:
    """An entry of ``texts.json``: a text's id, its file, what it is, where it comes from."""

    id: str
    file: str
    legal_text: LegalText
    source: str


@attrs.frozen
class ImportInfo:
    """``MANIFEST.json``'s ``"import"`` member: the export and the data an import was made from."""

    export: str
    export_date: dt.date
    base_data_version: str


def unstructure(record: object) -> Any:
    """``record`` as the plain data its file holds, through the package's one converter."""
    from ._converter import CONVERTER

    return CONVERTER.unstructure(record)


for _cls in (SourceRef, VersionFile, TableRow, TableFile, CodeEntry, TextEntry, ImportInfo):
    attrs.resolve_types(_cls, globals(), locals())
