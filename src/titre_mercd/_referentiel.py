"""A data set as a value: one loaded data directory, asked like the module is.

The module-level functions (``titre_mercd.version``, ``current``…) answer from the data set
in use: the directory :func:`use_data`, ``TITRE_MERCD_DATA`` or the command line's ``--data``
names, else the user's update (``titre-mercd registry update``), else the shipped one. A
:class:`Referentiel` holds one data set of its own and answers the same questions from it,
whatever is in use, so that two data sets can be put side by side (the shipped data and a
registry import, say).
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003  (DataImport's annotations are evaluated at run time)
from functools import cache
from typing import TYPE_CHECKING

import attrs

from ._correspondence import (
    _correspondence_table,
    _correspondences,
    _deemed_obtained,
    _missing_blocks,
)
from ._loading import ENVIRONMENT_VARIABLE, _shipped_data, dataset, load_directory, select
from ._queries import (
    _by_nsf,
    _by_rncp,
    _by_rome,
    _contradictions,
    _current,
    _find_block,
    _is_in_force,
    _nsf,
    _registered_fiche,
    _registered_fiches,
    _rome,
    _source_of,
    _successor,
    _text_of,
    _validity_gaps,
    _version,
    _versions,
)

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from ._correspondence import HeldBlocks, VersionKey
    from ._loading import Dataset
    from ._records import (
        Block,
        CertificationVersion,
        Correspondence,
        CorrespondenceTable,
        LegalText,
        NsfCode,
        RegisteredFiche,
        RomeCode,
        Source,
        ValidityGap,
    )

__all__ = ["ENVIRONMENT_VARIABLE", "DataImport", "Referentiel", "referentiel", "use_data"]


@attrs.frozen
class DataImport:
    """How a data directory written by ``titre-mercd registry import`` was made.

    Read from the ``"import"`` member of the directory's ``MANIFEST.json``; the shipped data
    has none (:attr:`Referentiel.imported` is then ``None``).

    >>> import datetime as dt
    >>> made = DataImport("export_2026-12-01.xml", dt.date(2026, 12, 1), "2026.2")
    >>> made.export_date, made.base_data_version
    (datetime.date(2026, 12, 1), '2026.2')
    """

    export: str  # the file name of the registry export the directory was made from
    export_date: dt.date  # the date of that export
    base_data_version: str  # the DATA_VERSION of the data the import started from


@cache
def _data_import(export: str, export_date: dt.date, base_data_version: str) -> DataImport:
    """The record of an import, the same object every time it is asked for."""
    return DataImport(export, export_date, base_data_version)


class Referentiel:
    """One data set: the shipped data, or a data directory, loaded and checked once.

    ``Referentiel()`` is the shipped data (the same records the module functions give when
    it is in use); ``Referentiel(directory)`` reads and checks a data directory, such as one
    ``titre-mercd registry import`` writes, with every check the shipped data passes. Its
    methods are the module's functions, answering from this data set alone.

    Raises:
        DataError: the directory is missing, or fails a check (the message names the file
            and the place in it); nothing else changes.

    >>> import titre_mercd
    >>> shipped = titre_mercd.Referentiel()
    >>> shipped.version("2018-12-11") is titre_mercd.version("2018-12-11")
    True
    >>> shipped.directory is None, shipped.imported is None
    (True, True)
    """

    __slots__ = ("_data",)

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._data = _shipped_data() if directory is None else load_directory(directory)

    @classmethod
    def _of(cls, data: Dataset) -> Referentiel:
        """The referentiel of data already loaded."""
        referentiel = cls.__new__(cls)
        referentiel._data = data  # noqa: SLF001  (its own class sets it)
        return referentiel

    def __repr__(self) -> str:
        where = "shipped data" if self._data.directory is None else repr(self._data.directory)
        return f"<Referentiel {self._data.data_version} from {where}>"

    def __eq__(self, other: object) -> bool:
        """Two referentiels are equal when they hold the same loaded data set."""
        if not isinstance(other, Referentiel):
            return NotImplemented
        return self._data is other._data

    def __hash__(self) -> int:
        return id(self._data)

    # -- what the data set is

    @property
    def data_version(self) -> str:
        """The data version (``DATA_VERSION``) of this data set, as its manifest names it."""
        return self._data.data_version

    @property
    def directory(self) -> Path | None:
        """The data directory this data set was read from; ``None`` for the shipped data."""
        if self._data.directory is None:
            return None
        from pathlib import Path

        return Path(self._data.directory)

    @property
    def imported(self) -> DataImport | None:
        """For a directory ``titre-mercd registry import`` wrote: the export it was made from.

        ``None`` for the shipped data and for a directory its manifest does not mark as an
        import.
        """
        imported = self._data.imported
        return None if imported is None else _data_import(*imported)

    @property
    def is_import(self) -> bool:
        """Whether this data set is a directory written by ``titre-mercd registry import``."""
        return self._data.imported is not None

    # -- the lookups, as the module's functions of the same names

    def versions(self) -> tuple[CertificationVersion, ...]:
        """Every version of this data set, oldest first: :func:`titre_mercd.versions`."""
        return _versions(self._data)

    def version(self, key: VersionKey) -> CertificationVersion:
        """The version of that key: :func:`titre_mercd.version`."""
        return _version(self._data, key)

    def current(self, on: dt.date | None = None) -> CertificationVersion | None:
        """The version in force on ``on`` (today when omitted): :func:`titre_mercd.current`."""
        return _current(self._data, on)

    def is_in_force(self, on: dt.date, key: VersionKey | None = None) -> bool:
        """Whether a version is in force on ``on``: :func:`titre_mercd.is_in_force`."""
        return _is_in_force(self._data, on, key)

    def successor(self, key: VersionKey) -> CertificationVersion | None:
        """The version after ``key``: :func:`titre_mercd.successor`."""
        return _successor(self._data, key)

    def validity_gaps(self) -> tuple[ValidityGap, ...]:
        """The intervals no text covers: :func:`titre_mercd.validity_gaps`."""
        return _validity_gaps(self._data)

    def registered_fiches(self) -> tuple[RegisteredFiche, ...]:
        """Fiches registered but not versions here: :func:`titre_mercd.registered_fiches`."""
        return _registered_fiches(self._data)

    def registered_fiche(self, code: str | int) -> RegisteredFiche:
        """A fiche registered but not a version here: :func:`titre_mercd.registered_fiche`."""
        return _registered_fiche(self._data, code)

    def by_rome(self, code: str) -> tuple[CertificationVersion, ...]:
        """The versions that list a ROME code: :func:`titre_mercd.by_rome`."""
        return _by_rome(self._data, code)

    def by_nsf(self, code: str | int) -> tuple[CertificationVersion, ...]:
        """The versions that list an NSF code or group: :func:`titre_mercd.by_nsf`."""
        return _by_nsf(self._data, code)

    def by_rncp(self, code: str | int) -> CertificationVersion:
        """The version of a fiche RNCP: :func:`titre_mercd.by_rncp`."""
        return _by_rncp(self._data, code)

    def rome(self, code: str) -> RomeCode:
        """A ROME code and its label: :func:`titre_mercd.rome`."""
        return _rome(self._data, code)

    def nsf(self, code: str | int) -> NsfCode:
        """An NSF code and its label: :func:`titre_mercd.nsf`."""
        return _nsf(self._data, code)

    def find_block(self, text: str, version_key: VersionKey | None = None) -> Block:
        """A bloc by title, ``"KEY/N"`` or RNCP bloc code: :func:`titre_mercd.find_block`."""
        return _find_block(self._data, text, version_key)

    def source_of(self, record: object, field: str) -> Source:
        """Where a fact of this data set comes from: :func:`titre_mercd.source_of`."""
        return _source_of(self._data, record, field)

    def contradictions(self, record: object, field: str) -> tuple[Source, ...]:
        """The sources contradicting the one followed: :func:`titre_mercd.contradictions`."""
        return _contradictions(self._data, record, field)

    def text_of(self, legal_text: LegalText) -> str:
        """The copy of a text this data set's sources quote: :func:`titre_mercd.text_of`."""
        return _text_of(self._data, legal_text)

    def correspondences(
        self, old_key: VersionKey, new_key: VersionKey
    ) -> tuple[Correspondence, ...]:
        """The table between two versions: :func:`titre_mercd.correspondences`."""
        return _correspondences(self._data, old_key, new_key)

    def correspondence_table(self, old_key: VersionKey, new_key: VersionKey) -> CorrespondenceTable:
        """The table as one record: :func:`titre_mercd.correspondence_table`."""
        return _correspondence_table(self._data, old_key, new_key)

    def deemed_obtained(
        self, held: HeldBlocks, target_key: VersionKey = "2018-12-11"
    ) -> tuple[Block, ...]:
        """The target's blocs ``held`` is deemed to give: :func:`titre_mercd.deemed_obtained`."""
        return _deemed_obtained(self._data, held, target_key)

    def missing_blocks(
        self, held: HeldBlocks, target_key: VersionKey = "2018-12-11"
    ) -> tuple[Block, ...]:
        """The target's blocs still to obtain: :func:`titre_mercd.missing_blocks`."""
        return _missing_blocks(self._data, held, target_key)


def referentiel() -> Referentiel:
    """The data set the module's functions answer from now, as a :class:`Referentiel`.

    >>> import titre_mercd
    >>> titre_mercd.referentiel().data_version == titre_mercd.DATA_VERSION
    True
    """
    return Referentiel._of(dataset())  # noqa: SLF001  (the class's own module)


def use_data(directory: str | os.PathLike[str] | None) -> Referentiel:
    """Answer from the data directory ``directory`` from now on; ``None``: the search rule.

    Which data set answers, when no caller names one, is a rule (zoneinfo's search path before
    the tzdata package is its model): the directory ``TITRE_MERCD_DATA`` names (``shipped``:
    the shipped data; empty: unset); otherwise the user's update, written by
    ``titre-mercd registry update`` (:func:`titre_mercd.update_data`) when it was built on this
    package's data (one built on another ``DATA_VERSION`` is ignored, with a
    :class:`~titre_mercd.StaleUpdateWarning`); otherwise the shipped data.

    ``use_data(DIR)`` overrides the rule: the directory (one ``titre-mercd registry import``
    writes) is read and checked first, with every check the shipped data passes; then, in one
    step, every function of the module, ``DATA_VERSION``, the exports and the command line's
    commands answer from it, in every thread. ``use_data("shipped")`` pins the shipped data,
    for answers that must not change with an update; ``use_data(None)`` returns to the rule.
    This is the one switch of process state the package has; to ask another data set without
    switching, use a :class:`Referentiel`.

    Returns:
        The :class:`Referentiel` now in use.

    Raises:
        ArgumentTypeError: ``directory`` is not a path or ``None``.
        DataError: the directory is missing or fails a check (the message names the file and
            the place in it); the data in use does not change.

    >>> import titre_mercd
    >>> titre_mercd.use_data("shipped")
    <Referentiel ... from shipped data>
    """
    return Referentiel._of(select(directory))  # noqa: SLF001  (the class's own module)
