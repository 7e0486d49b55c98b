"""The lookups of one data set: versions, validity, codes, blocks and sources.

:class:`Lookups` holds one loaded :class:`Dataset` and answers from it alone; each lookup is
written once, as its method, and remembers its answers on that instance: switching the data set
in use, or forking, has nothing to forget. :class:`~titre_mercd.Referentiel` is this class with
the correspondence tables added; the module-level functions call the one in use.
"""

from __future__ import annotations

import datetime as dt
from functools import update_wrapper
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, TypeVar, cast

import attrs

from ._codes import (
    describe,
    given,
    normalize_formacode,
    normalize_label,
    normalize_nsf,
    normalize_rncp,
    normalize_rome,
    normalize_version_key,
    parse_block_ref,
    parse_rncp_block_code,
    require_date,
)
from ._records import (
    Block,
    CertificationVersion,
    Correspondence,
    LegalText,
    Level,
    NsfCode,
    RegisteredFiche,
    RomeCode,
    Source,
    ValidityGap,
)
from ._validity import (
    Verdict,
    day_verdict,
    not_in_data_message,
    registered_successor,
    undecided_message,
    version_verdict,
)
from .exceptions import (
    AmbiguousBlockError,
    ArgumentTypeError,
    NotInDataError,
    UndecidedError,
    UnknownBlockError,
    UnknownCodeError,
    UnknownVersionError,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Union

    from ._format import SourceKey
    from ._loading import Dataset

    # A version key, or the version itself (see :func:`titre_mercd.version`).
    VersionKey = Union[str, CertificationVersion]

__all__ = ["MEMO_KEY_CHARACTERS", "MEMO_LIMIT", "Lookups", "VersionKey", "remember"]

# Each memo is bounded, in entries and in bytes: an argument longer than MEMO_KEY_CHARACTERS is
# never kept (no code or title is that long), so a memo holds at most about MEMO_LIMIT * 1 kB
# of keys; the answers are the data set's own records, shared.
MEMO_LIMIT = 4096
MEMO_KEY_CHARACTERS = 300

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def remember(memo: dict[Any, Any], argument: object, answer: Any) -> Any:
    """Keep ``answer`` for ``argument`` in ``memo`` if there is room; return ``answer``.

    Only an argument made of plain strings, blocks, versions, ``None`` and tuples of them is
    kept: a subclass may compare equal to one value and be read as another, and what it taught
    the memo would then be every later caller's answer. An ``int`` (a code given as a number)
    is never kept: ``1 == 1.0 == True``, so a float or a bool, refused otherwise, would find
    its answer.
    """
    if len(memo) < MEMO_LIMIT and _plain(argument):
        memo[argument] = answer
    return answer


def _plain(argument: object) -> bool:
    """Whether ``argument`` equals only what it is read as (a version stands for its key)."""
    if isinstance(argument, tuple):
        return type(argument) is tuple and all(_plain(item) for item in argument)
    if type(argument) is str:
        return len(argument) <= MEMO_KEY_CHARACTERS
    kind = type(argument)
    return kind is Block or kind is CertificationVersion or argument is None


def remembered(find: F) -> F:
    """The lookup ``find`` of one argument, trying first the answers it gave on this data set.

    Its memo is the slot ``_<name>_memo``. The lookups the benchmarks time try theirs inline,
    which spares the ``getattr`` (``version``, ``by_rome``, ``rome``, ``find_block``).
    """
    attribute = f"_{find.__name__}_memo"

    def lookup(self: Lookups, argument: Any) -> Any:
        memo = getattr(self, attribute)
        try:
            return memo[argument]
        except (KeyError, TypeError):  # not asked before, or not even hashable
            return remember(memo, argument, find(self, argument))

    return cast("F", update_wrapper(lookup, find))


class Lookups:
    """The lookups of one loaded data set, each remembering its answers on this instance."""

    __slots__ = (
        "_by_formacode_memo",
        "_by_nsf_memo",
        "_by_rncp_memo",
        "_by_rome_memo",
        "_data",
        "_find_block_memo",
        "_nsf_memo",
        "_rome_memo",
        "_version_memo",
    )
    _version_memo: dict[object, CertificationVersion]
    _by_rome_memo: dict[object, tuple[CertificationVersion, ...]]
    _rome_memo: dict[object, RomeCode]
    _find_block_memo: dict[object, Block]

    def __init__(self, data: Dataset) -> None:
        self._data = data
        for name in Lookups.__slots__:
            if name.endswith("_memo"):
                setattr(self, name, {})

    # -- versions and validity

    def versions(self) -> tuple[CertificationVersion, ...]:
        return self._data.versions

    def version(self, key: VersionKey) -> CertificationVersion:
        try:
            return self._version_memo[key]
        except (KeyError, TypeError):  # not asked before, or not even hashable
            return remember(self._version_memo, key, self._version(key))  # type: ignore[no-any-return]

    def _version(self, key: VersionKey) -> CertificationVersion:
        data = self._data
        if isinstance(key, CertificationVersion):
            found = data.version_by_key.get(key.key)
            if found is not key and found != key:
                raise UnknownVersionError(
                    f"{describe(key)} is not a version of the data in use (data "
                    f"{data.data_version}); known versions: {', '.join(data.version_by_key)}"
                )
        else:
            found = data.version_by_key.get(normalize_version_key(key))
        if found is None:
            raise UnknownVersionError(
                f"unknown version {key!r:.80}; known versions: {', '.join(data.version_by_key)}"
            )
        return found

    def _verdict(self, on: dt.date, key: VersionKey | None = None) -> Verdict:
        """Whether the version ``key`` (any version when ``None``) is in force on ``on``, and why.

        The verdict's ``in_force`` is ``None`` where the sources do not decide.
        """
        day = require_date(on, "on")
        if key is None:
            return day_verdict(day, self._data)
        return version_verdict(day, self.version(key), self._data)

    def current(self, on: dt.date | None = None) -> CertificationVersion | None:
        return self._decided(dt.date.today() if on is None else on, None).version

    def is_in_force(self, on: dt.date, key: VersionKey | None = None) -> bool:
        return bool(self._decided(on, key).in_force)

    def _decided(self, on: dt.date, key: VersionKey | None) -> Verdict:
        """:meth:`_verdict`, or :class:`UndecidedError` saying why the sources do not decide."""
        verdict = self._verdict(on, key)
        if verdict.in_force is None:
            found = None if key is None else self.version(key).key
            message = undecided_message(require_date(on, "on"), found, verdict)
            if isinstance(on, dt.datetime):
                message = f"{message} ({describe(on)}, taken as its date)"
            raise UndecidedError(message)
        return verdict

    def successor(self, key: VersionKey) -> CertificationVersion | None:
        found = self.version(key)
        ordered = self._data.versions
        index = ordered.index(found)
        if index + 1 < len(ordered):
            return ordered[index + 1]
        fiche = registered_successor(found, self._data)
        if fiche is not None:
            raise NotInDataError(not_in_data_message(fiche, self._data))
        return None

    def validity_gaps(self) -> tuple[ValidityGap, ...]:
        return self._data.gaps

    def registered_fiches(self) -> tuple[RegisteredFiche, ...]:
        return tuple(self._data.registered_by_rncp.values())

    def registered_fiche(self, code: str | int) -> RegisteredFiche:
        canonical = normalize_rncp(code)
        found = self._data.registered_by_rncp.get(canonical)
        if found is None:
            known = ", ".join(self._data.registered_by_rncp) or "none"
            raise UnknownCodeError(
                f"no registered fiche {code!r:.100} ({canonical}) outside the data; known: {known}"
            )
        return found

    # -- codes

    def by_rome(self, code: str) -> tuple[CertificationVersion, ...]:
        try:
            return self._by_rome_memo[code]
        except (KeyError, TypeError):  # not asked before, or not even hashable
            found = self._data.versions_by_rome.get(normalize_rome(code), ())
            return remember(self._by_rome_memo, code, found)  # type: ignore[no-any-return]

    @remembered
    def by_nsf(self, code: str | int) -> tuple[CertificationVersion, ...]:
        return self._data.versions_by_nsf.get(normalize_nsf(code), ())

    @remembered
    def by_formacode(self, code: str | int) -> tuple[CertificationVersion, ...]:
        canonical = normalize_formacode(code)
        return tuple(
            v for v in self._data.versions if any(c.code == canonical for c in v.formacodes)
        )

    @remembered
    def by_rncp(self, code: str | int) -> CertificationVersion:
        data = self._data
        try:
            return _known(data.version_by_rncp, code, normalize_rncp, "RNCP number")
        except UnknownCodeError:
            fiche = data.registered_by_rncp.get(normalize_rncp(code))
            if fiche is None:
                raise
            raise NotInDataError(not_in_data_message(fiche, self._data)) from None

    def rome(self, code: str) -> RomeCode:
        try:
            return self._rome_memo[code]
        except (KeyError, TypeError):  # not asked before, or not even hashable
            found = _known(self._data.rome_by_code, code, normalize_rome, "ROME code")
            return remember(self._rome_memo, code, found)  # type: ignore[no-any-return]

    @remembered
    def nsf(self, code: str | int) -> NsfCode:
        return _known(self._data.nsf_by_code, code, normalize_nsf, "NSF code")

    # -- blocks

    def find_block(self, text: str, version_key: VersionKey | None = None) -> Block:
        argument = text if version_key is None else (text, version_key)
        try:
            return self._find_block_memo[argument]
        except (KeyError, TypeError):  # not asked before, or not even hashable
            found = self._match_block(text, version_key, explain=True)
            return remember(self._find_block_memo, argument, found)  # type: ignore[no-any-return]

    def _match_block(
        self, text: str, version_key: VersionKey | None = None, *, explain: bool = False
    ) -> Block:
        """:meth:`find_block` unremembered; unless ``explain``, its error names no close titles.

        For a caller that discards the error's message: the search for the closest titles is
        the costly part of a failed lookup.
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(
                "find_block takes a block title, a 'KEY/N' reference or an RNCP bloc code as a "
                f"string, not {describe(text)}"
            )
        data = self._data
        key = None if version_key is None else self.version(version_key).key
        ref = parse_block_ref(text)
        if ref is not None:
            found = data.block_by_ref.get(ref)
            if found is None or (key is not None and found.version_key != key):
                raise UnknownBlockError(f"no block {text!r:.200}; {self._accepted_refs(key)}")
            return found
        rncp_code = parse_rncp_block_code(text)
        if rncp_code is not None:
            found = data.block_by_rncp_code.get(rncp_code)
            if found is None or (key is not None and found.version_key != key):
                known = sorted(
                    code
                    for code, block in data.block_by_rncp_code.items()
                    if key is None or block.version_key == key
                )
                accepted = (
                    f"known bloc codes: {', '.join(known)}"
                    if known
                    else "no source gives the bloc codes of these versions"
                )
                raise UnknownBlockError(
                    f"no block has the RNCP bloc code {text!r:.200} ({rncp_code}); {accepted}"
                )
            return found
        label = normalize_label(text)
        matches = tuple(
            b for b in data.blocks_by_label.get(label, ()) if key is None or b.version_key == key
        )
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = "; ".join(f"{b.ref} {b.title!r}" for b in matches)
            raise AmbiguousBlockError(
                f"{text!r:.200} matches {len(matches)} blocks: {names}; "
                "give a version key or 'KEY/N'"
            )
        raise UnknownBlockError(
            f"no block titled {text!r:.200}{self._closest(label, key) if explain else ''}; "
            f"{self._accepted_refs(key)}"
        )

    def _closest(self, label: str, key: str | None) -> str:
        """The three titles nearest to ``label``, as "; closest: …".

        There are always some, so that a half-remembered or misspelt title leads somewhere,
        unless the label is longer than any title and shares no word with one.
        """
        nearest = self._nearest(label, None if key is None else (key,))
        if nearest is None:
            return f"; no title is close to it ({len(label):,} characters, no word of a title)"
        if not nearest:
            return ""
        return "; closest: " + "; ".join(f"{b.ref} {b.title!r}" for b in nearest)

    def closest_blocks(
        self, text: str, version_keys: tuple[str, ...] | None = None
    ) -> tuple[Block, ...]:
        """The blocks nearest to ``text``: :func:`titre_mercd._referentiel.closest_blocks`."""
        return self._nearest(normalize_label(text), version_keys) or ()

    def _nearest(self, label: str, keys: tuple[str, ...] | None) -> tuple[Block, ...] | None:
        """The three blocks of ``keys`` whose titles are nearest to ``label`` (normalised).

        ``None`` when ``label`` is longer than any title and shares no word with one.
        """
        from difflib import SequenceMatcher

        versions = self._data.versions
        blocks = [b for v in versions if keys is None or v.key in keys for b in v.blocks]
        if not blocks:
            return ()
        titles = {b: normalize_label(b.title) for b in blocks}
        compared = label[:_LONGEST_LABEL_COMPARED]
        if len(label) > len(compared):
            words = set(compared.split())
            if not any(words.intersection(title.split()) for title in titles.values()):
                return None
        # Every letter counts, however common: no "autojunk".
        matcher = SequenceMatcher(b=compared, autojunk=False)

        def distance(block: Block) -> float:
            matcher.set_seq1(titles[block])
            return -matcher.ratio()

        return tuple(sorted(blocks, key=distance)[:3])

    def _accepted_refs(self, key: str | None) -> str:
        by_key = self._data.version_by_key
        keys = [key] if key is not None else list(by_key)
        refs = ", ".join(f"{k}/1 to {k}/{len(by_key[k].blocks)}" for k in keys)
        return f"accepted: a block title, an RNCP bloc code, or one of {refs}"

    # -- sources

    def source_of(self, record: object, field: str) -> Source:
        if not isinstance(field, str):
            raise ArgumentTypeError(
                f"field must be a field name as a string, not {describe(field)}"
            )
        cls = type(record)
        if not attrs.has(cls):
            raise ArgumentTypeError(f"source_of takes a titre_mercd record, not {describe(record)}")
        names = [f.name for f in attrs.fields(cls)]
        if field not in names:
            raise LookupError(f"{cls.__name__} has no field {field!r}; fields: {', '.join(names)}")
        if isinstance(record, (Correspondence, ValidityGap)):
            return self._own_source(record)
        at = _source_key(record, field)
        if at is None:
            raise LookupError(
                f"{cls.__name__} records carry no sources of their own (asked: {field!r} of "
                f"{describe(record)}); ask the record that holds it, such as the version"
            )
        if not self._holds(record):
            raise LookupError(f"{describe(record)} is not a shipped record")
        found = self._data.sources.get(at)
        if found is None:
            raise LookupError(_no_source(record, field))
        return found

    def _own_source(self, record: Correspondence | ValidityGap) -> Source:
        """The source a shipped table row or gap carries, for any of its fields."""
        data = self._data
        if isinstance(record, Correspondence):
            if record.new is None:
                shipped = any(record in table for table in data.tables.values())
            else:
                pair = (record.old.version_key, record.new.version_key)
                shipped = record in data.tables.get(pair, ())
            if shipped:
                return record.source
            raise LookupError(f"{describe(record)} is not a row of a shipped correspondence table")
        if record in data.gaps:
            return record.source
        raise LookupError(f"{describe(record)} is not an interval the data records")

    def _holds(self, record: Any) -> bool:
        """Whether ``record`` is one of this data set's (equal to the one it holds there)."""
        held = _HELD.get(type(record))
        if held is None:  # a level
            return record in self._data.levels
        index, key = held
        return bool(getattr(self._data, index).get(key(record)) == record)

    def contradictions(self, record: object, field: str) -> tuple[Source, ...]:
        self.source_of(record, field)
        if not isinstance(record, CertificationVersion):
            return ()
        from ._format import SourceKey

        readings = self._data.contradictions.get(SourceKey("version", record.key, field), ())
        return tuple(source for _, source in readings)

    def text_of(self, legal_text: LegalText) -> str:
        if not isinstance(legal_text, LegalText):
            raise ArgumentTypeError(f"text_of takes a LegalText, not {describe(legal_text)}")
        found = self._data.text_contents.get(legal_text)
        if found is None:
            raise LookupError(
                f"no shipped copy of {describe(legal_text)}; the texts sources quote are "
                "shipped: give the LegalText of a Source"
            )
        return found


def _known(
    table: Mapping[str, T], code: object, normalize: Callable[[object], str], what: str
) -> T:
    """The record ``table`` holds for ``code`` once normalised.

    Raises :class:`UnknownCodeError` for a well-formed code the table does not hold.
    """
    canonical = normalize(code)
    found = table.get(canonical)
    if found is None:
        raise UnknownCodeError(
            f"unknown {what} {given(code)} ({canonical}); known: {', '.join(table)}"
        )
    return found


# The « closest titles » search compares the label with each title character by character,
# a cost that grows with the product of their lengths (and more on text unlike any title).
# Only the first _LONGEST_LABEL_COMPARED characters of a label are compared (no title is half
# as long), and a label longer than that whose beginning shares no word with any title is not
# compared at all: the search costs a bounded time whatever the label, and next to nothing on
# a long text unlike any title.
_LONGEST_LABEL_COMPARED = 250


def _source_key(record: object, field: str) -> SourceKey | None:
    """Where the source of a shipped record's field is kept (see ``Dataset.sources``)."""
    from ._format import SourceKey

    if isinstance(record, Block) and field == "version_key":  # the version's key's source
        return SourceKey("version", record.version_key, "key")
    found = _SOURCE_KINDS.get(type(record))
    if found is None:
        return None
    kind, key = found
    return SourceKey(kind, key and getattr(record, key), field)


# The records whose fields have sources: the kind of record and the field naming it.
_SOURCE_KINDS = {
    CertificationVersion: ("version", "key"),
    Block: ("block", "ref"),
    RomeCode: ("rome", "code"),
    NsfCode: ("nsf", "code"),
    Level: ("level", ""),  # the levels' sources are the table's columns'
    RegisteredFiche: ("registered", "rncp"),
}


# Where a data set holds each kind of record that has sources but a level: the index, its key.
_HELD = {
    CertificationVersion: ("version_by_key", attrgetter("key")),
    Block: ("block_by_ref", attrgetter("version_key", "number")),
    RomeCode: ("rome_by_code", attrgetter("code")),
    NsfCode: ("nsf_by_code", attrgetter("code")),
    RegisteredFiche: ("registered_by_rncp", attrgetter("rncp")),
}


def _no_source(record: object, field: str) -> str:
    """Why ``record.field`` has no source: no source gives it, or the text says it is empty."""
    value = getattr(record, field)
    name = f"{type(record).__name__}.{field}"
    if isinstance(record, CertificationVersion):
        where = f"{name} of version {record.key!r} (value {value!r:.60})"
        if field == "unknown_fields":
            return f"{where} has no source: it names the fields no shipped source gives"
        if field in record.unknown_fields:
            return f"{where} is not known: no shipped source gives it (see its unknown_fields)"
        return (
            f"{where} is empty because the text says there is none; "
            "no excerpt of that statement is recorded"
        )
    return f"{name} has no source: no shipped source gives it (its value is {value!r:.80})"
