"""The data sets: one loaded data directory as a value, and the one the module answers from.

A :class:`Referentiel` holds one data set (the shipped data, or a data directory) and answers
every lookup from it alone, remembering its answers on itself. The module-level functions
(``titre_mercd.version``, ``current``…) are one-line calls on the data set in use: the
directory :func:`use_data`, ``TITRE_MERCD_DATA`` or the command line's ``--data`` names, else
the user's update (``titre-mercd registry update``), else the shipped one. Switching data
sets swaps that one object; each keeps its own memos, so there is nothing to forget, across
threads or after a fork.
"""

from __future__ import annotations

import os
from _thread import allocate_lock
from contextlib import contextmanager
from typing import TYPE_CHECKING

from . import _loading
from ._correspondence import Correspondences
from .exceptions import DataError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from ._correspondence import HeldBlocks
    from ._data_import import DataImport
    from ._loading import Dataset, Traversable
    from ._queries import VersionKey
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


class Referentiel(Correspondences):
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

    __slots__ = ()

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        if directory is None:
            super().__init__(_shipped()._data)  # noqa: SLF001  (its own class's)
        else:
            super().__init__(_loading.load_directory(directory))

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
        return self._data.imported

    @property
    def is_import(self) -> bool:
        """Whether this data set is a directory written by ``titre-mercd registry import``."""
        return self._data.imported is not None


# ---------------------------------------------------------------- the data set in use

_lock = allocate_lock()  # threading.Lock, without importing threading
_in_use: Referentiel | None = None  # what the module's functions answer from, once loaded
_shipped_referentiel: Referentiel | None = None  # the shipped data once loaded, kept
# The user's update once loaded, with its directory and the state of its manifest then.
_update: tuple[tuple[str, int, int, int], Referentiel] | None = None
_chosen_by_rule = True  # whether the data in use is the one the rule chose, not one named
# Set by the command line: how to report an update built on another DATA_VERSION (one line on
# standard error) instead of a StaleUpdateWarning.
stale_update_report: Callable[[str], None] | None = None


def _of(data: Dataset) -> Referentiel:
    """A referentiel of data already loaded."""
    made = Referentiel.__new__(Referentiel)
    Correspondences.__init__(made, data)
    return made


def _shipped(*, locked: bool = False) -> Referentiel:
    """The shipped data, loaded once per process and kept: the same records every time."""
    global _shipped_referentiel
    found = _shipped_referentiel
    if found is None:
        if not locked:
            with _lock:
                return _shipped(locked=True)
        found = _shipped_referentiel = _of(_loading.load(_loading._package_data()))  # noqa: SLF001
    return found


def in_use() -> Referentiel:
    """The data set in use: on first use, the rule's, loaded once even under many threads."""
    global _in_use
    found = _in_use
    if found is None:
        with _lock:
            found = _in_use
            if found is None:
                found = _in_use = _by_the_rule()
    return found


def _by_the_rule() -> Referentiel:
    """The data set the rule gives (see :func:`use_data`); the caller holds the lock.

    With no update, finding out costs one ``stat``.
    """
    global _chosen_by_rule
    directory = os.environ.get(_loading.ENVIRONMENT_VARIABLE)
    _chosen_by_rule = not directory
    if directory == _loading.SHIPPED:
        return _shipped(locked=True)
    if directory:
        return _of(_loading.load_directory(directory))
    update = _loading.update_directory()
    try:
        status = os.stat(os.path.join(update, _loading.MANIFEST))  # noqa: PTH116, PTH118  (no pathlib at start-up)
    except (OSError, ValueError):  # none (the usual case), or a path the system refuses
        return _shipped(locked=True)
    return _user_update(update, status)


def _user_update(directory: str, status: os.stat_result) -> Referentiel:
    """The user's update in ``directory`` if built on the shipped data, else the shipped data.

    Loaded once for each state of its manifest (an update swaps in a new one); the caller holds
    the lock.
    """
    global _update
    stamp = (directory, status.st_ino, status.st_dev, status.st_mtime_ns)
    if _update is not None and _update[0] == stamp:
        update = _update[1]
    else:
        try:
            update = _of(_loading.load_directory(directory))
        except DataError as exc:
            error = DataError(
                f"{exc}; rebuild it with 'titre-mercd registry update --offline', or answer "
                f"from the shipped data with {_loading.ENVIRONMENT_VARIABLE}=shipped"
            )
            error.directory = exc.directory
            raise error from None
        _update = (stamp, update)
    shipped = _shipped(locked=True)
    imported = update._data.imported  # noqa: SLF001  (the class's own module)
    base = None if imported is None else imported.base_data_version
    if base == shipped.data_version:
        return update
    message = (
        f"the update in {directory} was built on data {base}, not on this package's "
        f"{shipped.data_version} (the package was upgraded since): answering from the shipped "
        "data; 'titre-mercd registry update --offline' rebuilds it"
    )
    if stale_update_report is not None:
        stale_update_report(message)
    else:
        import warnings

        from .exceptions import StaleUpdateWarning

        warnings.warn(StaleUpdateWarning(message), stacklevel=5)
    return shipped


def refresh() -> None:
    """Ask the rule again if it chose the data in use (after ``registry update`` wrote one)."""
    global _in_use
    with _lock:
        if _in_use is not None and _chosen_by_rule:
            _in_use = _by_the_rule()


def _switch(replacement: Referentiel | None) -> None:
    """Make ``replacement`` the data set in use; ``None`` forgets every loaded data set.

    One read from no user's directory becomes the shipped data (tests put a copy there).
    """
    global _in_use, _shipped_referentiel
    with _lock:
        _in_use = replacement
        if replacement is None or replacement.directory is None:
            _shipped_referentiel = replacement


@contextmanager
def _use_data_directory(root: Traversable) -> Iterator[Referentiel]:
    """For tests: answer from ``root`` inside a ``with`` block (loaded and checked first)."""
    replacement = _of(_loading.load(root))
    previous = _in_use
    _switch(replacement)
    try:
        yield replacement
    finally:
        _switch(previous)


def _after_fork_in_child() -> None:
    """Give a forked child a lock of its own: a parent's thread may have held it at the fork."""
    global _lock
    _lock = allocate_lock()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


def dataset() -> Dataset:
    """What the data set in use holds, for the exports and the command line."""
    return (_in_use or in_use())._data  # noqa: SLF001  (the class's own module)


def referentiel() -> Referentiel:
    """The data set the module's functions answer from now, as a :class:`Referentiel`.

    >>> import titre_mercd
    >>> titre_mercd.referentiel().data_version == titre_mercd.DATA_VERSION
    True
    """
    return _in_use or in_use()


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
    global _chosen_by_rule
    if directory is None:
        with _lock:
            replacement = _by_the_rule()
        _switch(replacement)
        return replacement
    replacement = _shipped() if directory == _loading.SHIPPED else Referentiel(directory)
    _switch(replacement)
    _chosen_by_rule = False
    return replacement


def preload() -> None:
    """Load and check all the data now rather than on first use (for servers).

    >>> from titre_mercd import preload
    >>> preload()
    """
    in_use()


# ---------------------------------------------------------------- the module's functions
# Each is one call on the data set in use; ``_in_use or in_use()`` spares a repeated lookup
# the cost of a call (the benchmarks' lookup figures).


def versions() -> tuple[CertificationVersion, ...]:
    """Every known version of the title, oldest first.

    >>> [v.key for v in versions()]
    ['2007-04-27', '2011-06-01', '2018-12-11']
    """
    return (_in_use or in_use()).versions()


def version(key: VersionKey) -> CertificationVersion:
    """The version made by the arrêté of that ISO date.

    Wherever a version key is taken, a :class:`CertificationVersion` is taken too: it stands
    for its own key, and must be the version the data in use holds under that key.

    Raises:
        UnknownVersionError: no version has that key (or a record that is not the data's).

    >>> version("2018-12-11").title
    "manager d'équipe relation client à distance"
    >>> version(version("2018-12-11")) is version("2018-12-11")
    True
    """
    return (_in_use or in_use()).version(key)


def current(on: dt.date | None = None) -> CertificationVersion | None:
    """The version in force on ``on`` (today when omitted); ``None`` when the sources say none is.

    Raises:
        UndecidedError: the sources do not decide that day: a version's window is not known,
            no text covers the day, or the day is after the last version's window while its
            registered successor is not in the data. The message says which.

    >>> import datetime as dt
    >>> current(dt.date(2020, 1, 1)).key
    '2018-12-11'
    >>> current(dt.date(2019, 1, 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    titre_mercd.exceptions.UndecidedError: whether any version is in force on 2019-01-01 is ...
    """
    return (_in_use or in_use()).current(on)


def is_in_force(on: dt.date, key: VersionKey | None = None) -> bool:
    """Whether the version ``key`` (any version when ``None``) is in force on ``on``.

    Raises:
        UndecidedError: the sources do not decide (see :func:`current`); the message says why.

    >>> import datetime as dt
    >>> is_in_force(dt.date(2024, 5, 11), "2018-12-11")
    True
    >>> is_in_force(dt.date(2024, 5, 12), "2018-12-11")
    False
    >>> is_in_force(dt.date(2012, 5, 12), "2007-04-27")
    False
    """
    return (_in_use or in_use()).is_in_force(on, key)


def successor(key: VersionKey) -> CertificationVersion | None:
    """The version that came after ``key``; ``None`` when the sources say there is none yet.

    Raises:
        NotInDataError: a successor is registered (a fiche RNCP) but is not a version in the
            data; the message says what is known of it and how to bring it in.

    >>> successor("2011-06-01").title
    "manager d'équipe relation client à distance"
    """
    return (_in_use or in_use()).successor(key)


def validity_gaps() -> tuple[ValidityGap, ...]:
    """The intervals of the lineage that no text found covers, in order.

    On those days, whether a version is in force is not known (:class:`UndecidedError`).

    >>> [(str(gap.start), str(gap.end)) for gap in validity_gaps()]
    [('2017-05-12', '2019-05-12')]
    """
    return (_in_use or in_use()).validity_gaps()


def registered_fiches() -> tuple[RegisteredFiche, ...]:
    """The fiches RNCP the data records as registered but holds no version of.

    >>> [(f.rncp, f.successor_of) for f in registered_fiches()]
    [('RNCP38665', '2018-12-11')]
    """
    return (_in_use or in_use()).registered_fiches()


def registered_fiche(code: str | int) -> RegisteredFiche:
    """What the data knows of a fiche RNCP registered but not in the data (``"RNCP38665"``).

    Raises:
        UnknownCodeError: the data records no such registered fiche (see :func:`by_rncp` for
            the fiches of versions in the data).

    >>> registered_fiche("38665").level
    Level(france_1969=None, france_2019=5, eqf=5)
    """
    return (_in_use or in_use()).registered_fiche(code)


def by_rome(code: str) -> tuple[CertificationVersion, ...]:
    """The versions that list that ROME code (an empty tuple for a code none lists).

    >>> [v.key for v in by_rome(" m1704 ")]
    ['2018-12-11']
    """
    return (_in_use or in_use()).by_rome(code)


def by_formacode(code: str | int) -> tuple[CertificationVersion, ...]:
    """The versions that list that Formacode (an empty tuple for a code none lists).

    No version of the shipped data lists one (their texts give none: each names
    ``formacodes`` in its ``unknown_fields``); an import from the registry brings them.

    >>> by_formacode(" 34 076 ")
    ()
    """
    return (_in_use or in_use()).by_formacode(code)


def by_nsf(code: str | int) -> tuple[CertificationVersion, ...]:
    """The versions that list that NSF code; a group (``"312"``) also finds ``"312t"``.

    >>> [v.key for v in by_nsf("312 T")]
    ['2011-06-01', '2018-12-11']
    """
    return (_in_use or in_use()).by_nsf(code)


def by_rncp(code: str | int) -> CertificationVersion:
    """The version whose fiche RNCP has that number (``"RNCP12505"`` or ``"12505"``).

    Raises:
        NotInDataError: the data records that fiche as registered but holds no version of it
            (the message says what is known of it and how to import it).
        UnknownCodeError: no version has that fiche.

    >>> by_rncp("12505").key
    '2011-06-01'
    """
    return (_in_use or in_use()).by_rncp(code)


def rome(code: str) -> RomeCode:
    """The ROME code and its label.

    Raises:
        UnknownCodeError: a well-formed code the data does not know.

    >>> rome("d1408")
    RomeCode(code='D1408', label='Téléconseil et télévente')
    """
    return (_in_use or in_use()).rome(code)


def nsf(code: str | int) -> NsfCode:
    """The NSF code and its label (``None`` where no source gives it).

    Raises:
        UnknownCodeError: a well-formed code the data does not know.

    >>> nsf("312w")
    NsfCode(code='312w', label=None)
    """
    return (_in_use or in_use()).nsf(code)


def find_block(text: str, version_key: VersionKey | None = None) -> Block:
    """A bloc de compétences by its title, its ``"KEY/N"`` reference or its RNCP bloc code.

    Titles match ignoring case, accents, spacing, punctuation and inclusive forms such as
    « (ères) ». ``version_key`` restricts the search to one version.

    Raises:
        UnknownBlockError: nothing matches (the message names the closest titles).
        AmbiguousBlockError: several blocks of different versions match.

    >>> find_block("manager une equipe de conseillers clientele a distance").ref
    '2011-06-01/2'
    >>> find_block("2018-12-11/1").title
    "Piloter la performance d'une équipe de conseillers client"
    """
    return (_in_use or in_use()).find_block(text, version_key)


def match_block(text: str, version_key: VersionKey | None = None) -> Block:
    """:func:`find_block`, for a caller that discards the error's message (no close titles)."""
    return (_in_use or in_use())._match_block(text, version_key)  # noqa: SLF001  (its module)


def closest_blocks(text: str, version_keys: tuple[str, ...] | None = None) -> tuple[Block, ...]:
    """The (at most three) blocks whose titles are nearest to ``text``, nearest first.

    Only the blocks of ``version_keys`` are compared (every version's when ``None``). The cost
    is bounded whatever ``text``, as for the closest titles :func:`find_block` names, and a
    text longer than any title that shares no word with one has none.

    >>> [b.ref for b in closest_blocks("Manager une equipe de conseilers", ("2011-06-01",))][:1]
    ['2011-06-01/2']
    """
    return (_in_use or in_use()).closest_blocks(text, version_keys)


def source_of(record: object, field: str) -> Source:
    """Where the fact ``record.field`` comes from: its text, article and a verbatim excerpt.

    Works for a shipped :class:`CertificationVersion`, :class:`Block`, :class:`Correspondence`,
    :class:`RomeCode`, :class:`NsfCode`, :class:`Level`, :class:`RegisteredFiche` and
    :class:`ValidityGap`.

    Raises:
        LookupError: the field has no source: no shipped source gives it (a version names
            it in ``unknown_fields``), or the text says it is empty and no excerpt of that is
            recorded (the message tells which); or the record is not a shipped record.

    >>> source = source_of(version("2018-12-11"), "blocks")
    >>> source.location, source.text.nor
    ('article 3 (counted; no headings in the copy)', 'MTRD1833181A')
    >>> source_of(version("2018-12-11"), "rncp")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    LookupError: CertificationVersion.rncp of version '2018-12-11' (value None) is not known: ...
    """
    return (_in_use or in_use()).source_of(record, field)


def contradictions(record: object, field: str) -> tuple[Source, ...]:
    r"""The sources that contradict the one :func:`source_of` gives for ``record.field``.

    Where the texts disagree on a fact, the data follows one of them (the one ``source_of``
    returns) and records the others: each source here is another text's reading, verbatim.
    An empty tuple: no shipped text contradicts that fact.

    Raises:
        LookupError: as :func:`source_of` does, for a record or field that has no source.

    >>> [s.excerpt for s in contradictions(version("2011-06-01"), "nsf_codes")]
    ["dans le domaine d'activité 312 w (code NSF)"]
    >>> contradictions(version("2018-12-11"), "nsf_codes")
    ()
    """
    return (_in_use or in_use()).contradictions(record, field)


def text_of(legal_text: LegalText) -> str:
    """The shipped copy of a text that sources quote, exactly as published.

    Raises:
        LookupError: no copy of that text is shipped (it is not one :func:`source_of` gives).

    >>> "MTRD1833181A" in text_of(version("2018-12-11").legal_text)
    True
    """
    return (_in_use or in_use()).text_of(legal_text)


def correspondences(old_key: VersionKey, new_key: VersionKey) -> tuple[Correspondence, ...]:
    """The table a source gives from version ``old_key`` to ``new_key``, in its order.

    The sources are the arrêtés' tables, and an imported fiche's ``CORRESPONDANCES``.

    Raises:
        UndecidedError: no source gives a table from one to the other (from 2007 to 2018
            directly, say, or backwards): which blocs count toward the other is not known.
        UnknownVersionError: either key names no version.

    >>> [(row.old.number, row.new and row.new.number) for row in
    ...  correspondences("2011-06-01", "2018-12-11")]
    [(1, None), (2, 2), (3, 1)]
    """
    return (_in_use or in_use()).correspondences(old_key, new_key)


def correspondence_table(old_key: VersionKey, new_key: VersionKey) -> CorrespondenceTable:
    """The table from ``old_key`` to ``new_key`` as one record, shown as a table in notebooks.

    Its ``rows`` are :func:`correspondences` ``(old_key, new_key)``.

    Raises:
        UndecidedError: no source gives a table from one to the other.
        UnknownVersionError: either key names no version.

    >>> table = correspondence_table("2011-06-01", "2018-12-11")
    >>> [(row.old.number, row.new and row.new.number) for row in table.rows]
    [(1, None), (2, 2), (3, 1)]
    """
    return (_in_use or in_use()).correspondence_table(old_key, new_key)


def deemed_obtained(held: HeldBlocks, target_key: VersionKey | None = None) -> tuple[Block, ...]:
    """The blocks of the target version that a holder of ``held`` is deemed to have.

    ``held`` is an iterable of :class:`Block` or of strings :func:`find_block` accepts. The
    target is the latest version of the data in use unless ``target_key`` names one
    (``2018-12-11`` with the shipped data). Blocks of the target version pass through;
    others follow the correspondence tables from version to version (2007 → 2011 → 2018 →
    later); a row « Aucune correspondance » gives nothing, and so does a block of a version
    later than the target (the tables lead forward only). The answer is in the target
    version's bloc order (the order of its arrêté), each block once.

    Raises:
        UndecidedError: a step from a held block's version to the target has no table in
            any source (an imported successor whose fiche gives no ``CORRESPONDANCES``, say):
            what it leads to is not known, never « nothing ».
        ArgumentTypeError: ``held`` is a single string or block, not an iterable of them.
        UnknownVersionError: ``target_key`` names no version.
        UnknownBlockError, AmbiguousBlockError: a string names no block, or several.

    >>> [b.number for b in deemed_obtained(["2011-06-01/3", "2011-06-01/2"])]
    [1, 2]
    """
    return (_in_use or in_use()).deemed_obtained(held, target_key)


def missing_blocks(held: HeldBlocks, target_key: VersionKey | None = None) -> tuple[Block, ...]:
    """The blocks of the target version that ``held`` does not give, in the arrêté's order.

    The same target and the same errors as :func:`deemed_obtained`.

    >>> held = ["Manager une équipe de conseillers (ères) clientèle à distance"]
    >>> [b.number for b in missing_blocks(held)]
    [1]
    """
    return (_in_use or in_use()).missing_blocks(held, target_key)


# Each query method of a Referentiel is the module's function of the same name, documented there.
for _name in dir(Correspondences):
    _method = getattr(Correspondences, _name)
    if not _name.startswith("_") and _method.__doc__ is None:
        _method.__doc__ = f":func:`titre_mercd.{_name}`, answered from this data set alone."
