"""Pure lookups over the loaded data: versions, validity, codes, blocks and sources.

Each public function answers from the data in use (:func:`._loading.dataset`); the work is
done by a private function of the same name that takes the :class:`Dataset` first, which
:class:`~titre_mercd.Referentiel` calls with its own. The memos sit in the public functions
only, in front, so that a repeated lookup stays one dict hit.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, cast

import attrs

from ._codes import (
    describe,
    given,
    normalize_label,
    normalize_nsf,
    normalize_rncp,
    normalize_rome,
    normalize_version_key,
    parse_block_ref,
    parse_rncp_block_code,
    require_date,
)
from ._loading import Dataset, dataset, memo, remember
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

__all__ = [
    "by_nsf",
    "by_rncp",
    "by_rome",
    "closest_blocks",
    "contradictions",
    "current",
    "find_block",
    "is_in_force",
    "nsf",
    "registered_fiche",
    "registered_fiches",
    "rome",
    "source_of",
    "successor",
    "text_of",
    "validity_gaps",
    "version",
    "versions",
]


def versions() -> tuple[CertificationVersion, ...]:
    """Every known version of the title, oldest first.

    >>> [v.key for v in versions()]
    ['2007-04-27', '2011-06-01', '2018-12-11']
    """
    return _versions(dataset())


def _versions(data: Dataset) -> tuple[CertificationVersion, ...]:
    return data.versions


_VERSION_MEMO = memo("version")
_BY_ROME_MEMO = memo("by_rome")
_BY_NSF_MEMO = memo("by_nsf")
_BY_RNCP_MEMO = memo("by_rncp")
_ROME_MEMO = memo("rome")
_NSF_MEMO = memo("nsf")
_FIND_BLOCK_MEMO = memo("find_block")


def version(key: str | CertificationVersion) -> CertificationVersion:
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
    try:
        return _VERSION_MEMO[key]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        pass
    data = dataset()
    found = _version(data, key)
    remember(_VERSION_MEMO, key, found, data)
    return found


def _version(data: Dataset, key: str | CertificationVersion) -> CertificationVersion:
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
    return _current(dataset(), on)


def _current(data: Dataset, on: dt.date | None = None) -> CertificationVersion | None:
    day = dt.date.today() if on is None else require_date(on, "on")
    verdict = day_verdict(day, data)
    if verdict.in_force is None:
        raise UndecidedError(_as_given(undecided_message(day, None, verdict), on))
    return verdict.version


def is_in_force(on: dt.date, key: str | CertificationVersion | None = None) -> bool:
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
    return _is_in_force(dataset(), on, key)


def _is_in_force(data: Dataset, on: dt.date, key: str | CertificationVersion | None = None) -> bool:
    day = require_date(on, "on")
    found = None if key is None else _version(data, key)
    verdict = day_verdict(day, data) if found is None else version_verdict(day, found, data)
    if verdict.in_force is None:
        message = undecided_message(day, None if found is None else found.key, verdict)
        raise UndecidedError(_as_given(message, on))
    return verdict.in_force


def _as_given(message: str, on: object) -> str:
    """``message`` about a day, saying which ``datetime`` was given for it, if one was."""
    if isinstance(on, dt.datetime):
        return f"{message} ({describe(on)}, taken as its date)"
    return message


def successor(key: str | CertificationVersion) -> CertificationVersion | None:
    """The version that came after ``key``; ``None`` when the sources say there is none yet.

    Raises:
        NotInDataError: a successor is registered (a fiche RNCP) but is not a version in the
            data; the message says what is known of it and how to bring it in.

    >>> successor("2011-06-01").title
    "manager d'équipe relation client à distance"
    """
    return _successor(dataset(), key)


def _successor(data: Dataset, key: str | CertificationVersion) -> CertificationVersion | None:
    found = _version(data, key)
    ordered = data.versions
    index = ordered.index(found)
    if index + 1 < len(ordered):
        return ordered[index + 1]
    fiche = registered_successor(found, data)
    if fiche is not None:
        raise NotInDataError(not_in_data_message(fiche))
    return None


def validity_gaps() -> tuple[ValidityGap, ...]:
    """The intervals of the lineage that no text found covers, in order.

    On those days, whether a version is in force is not known (:class:`UndecidedError`).

    >>> [(str(gap.start), str(gap.end)) for gap in validity_gaps()]
    [('2017-05-12', '2019-05-12')]
    """
    return _validity_gaps(dataset())


def _validity_gaps(data: Dataset) -> tuple[ValidityGap, ...]:
    return data.gaps


def registered_fiches() -> tuple[RegisteredFiche, ...]:
    """The fiches RNCP the data records as registered but holds no version of.

    >>> [(f.rncp, f.successor_of) for f in registered_fiches()]
    [('RNCP38665', '2018-12-11')]
    """
    return _registered_fiches(dataset())


def _registered_fiches(data: Dataset) -> tuple[RegisteredFiche, ...]:
    return tuple(data.registered_by_rncp.values())


def registered_fiche(code: str | int) -> RegisteredFiche:
    """What the data knows of a fiche RNCP registered but not in the data (``"RNCP38665"``).

    Raises:
        UnknownCodeError: the data records no such registered fiche (see :func:`by_rncp` for
            the fiches of versions in the data).

    >>> registered_fiche("38665").level
    5
    """
    return _registered_fiche(dataset(), code)


def _registered_fiche(data: Dataset, code: str | int) -> RegisteredFiche:
    canonical = normalize_rncp(code)
    found = data.registered_by_rncp.get(canonical)
    if found is None:
        known = ", ".join(data.registered_by_rncp) or "none"
        raise UnknownCodeError(
            f"no registered fiche {code!r:.100} ({canonical}) outside the data; known: {known}"
        )
    return found


def by_rome(code: str) -> tuple[CertificationVersion, ...]:
    """The versions that list that ROME code (an empty tuple for a code none lists).

    >>> [v.key for v in by_rome(" m1704 ")]
    ['2018-12-11']
    """
    try:
        return _BY_ROME_MEMO[code]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        data = dataset()
        found = _by_rome(data, code)
        remember(_BY_ROME_MEMO, code, found, data)
        return found


def _by_rome(data: Dataset, code: str) -> tuple[CertificationVersion, ...]:
    return _versions_listing(data, code, normalize_rome, "versions_by_rome")


def by_nsf(code: str | int) -> tuple[CertificationVersion, ...]:
    """The versions that list that NSF code; a group (``"312"``) also finds ``"312t"``.

    >>> [v.key for v in by_nsf("312 T")]
    ['2011-06-01', '2018-12-11']
    """
    try:
        return _BY_NSF_MEMO[code]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        data = dataset()
        found = _by_nsf(data, code)
        remember(_BY_NSF_MEMO, code, found, data)
        return found


def _by_nsf(data: Dataset, code: str | int) -> tuple[CertificationVersion, ...]:
    return _versions_listing(data, code, normalize_nsf, "versions_by_nsf")


def by_rncp(code: str | int) -> CertificationVersion:
    """The version whose fiche RNCP has that number (``"RNCP12505"`` or ``"12505"``).

    Raises:
        NotInDataError: the data records that fiche as registered but holds no version of it
            (the message says what is known of it and how to import it).
        UnknownCodeError: no version has that fiche.

    >>> by_rncp("12505").key
    '2011-06-01'
    """
    try:
        return _BY_RNCP_MEMO[code]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        data = dataset()
        found = _by_rncp(data, code)
        remember(_BY_RNCP_MEMO, code, found, data)
        return found


def _by_rncp(data: Dataset, code: str | int) -> CertificationVersion:
    try:
        known = _known_code(data, code, normalize_rncp, "version_by_rncp", "RNCP number")
    except UnknownCodeError:
        fiche = data.registered_by_rncp.get(normalize_rncp(code))
        if fiche is None:
            raise
        raise NotInDataError(not_in_data_message(fiche)) from None
    return cast("CertificationVersion", known)


def rome(code: str) -> RomeCode:
    """The ROME code and its label.

    Raises:
        UnknownCodeError: a well-formed code the data does not know.

    >>> rome("d1408")
    RomeCode(code='D1408', label='Téléconseil et télévente')
    """
    try:
        return _ROME_MEMO[code]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        data = dataset()
        found = _rome(data, code)
        remember(_ROME_MEMO, code, found, data)
        return found


def _rome(data: Dataset, code: str) -> RomeCode:
    return cast("RomeCode", _known_code(data, code, normalize_rome, "rome_by_code", "ROME code"))


def nsf(code: str | int) -> NsfCode:
    """The NSF code and its label (``None`` where no source gives it).

    Raises:
        UnknownCodeError: a well-formed code the data does not know.

    >>> nsf("312w")
    NsfCode(code='312w', label=None)
    """
    try:
        return _NSF_MEMO[code]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        data = dataset()
        found = _nsf(data, code)
        remember(_NSF_MEMO, code, found, data)
        return found


def _nsf(data: Dataset, code: str | int) -> NsfCode:
    return cast("NsfCode", _known_code(data, code, normalize_nsf, "nsf_by_code", "NSF code"))


def _versions_listing(
    data: Dataset, code: object, normalize: Callable[[object], str], index: str
) -> tuple[CertificationVersion, ...]:
    """The versions the index ``index`` of ``data`` lists under ``code`` once normalised."""
    found: tuple[CertificationVersion, ...] = getattr(data, index).get(normalize(code), ())
    return found


def _known_code(
    data: Dataset, code: object, normalize: Callable[[object], str], index: str, what: str
) -> object:
    """The record the index ``index`` of ``data`` holds for ``code`` once normalised.

    Raises :class:`UnknownCodeError` for a well-formed code the index does not hold.
    """
    table = getattr(data, index)
    canonical = normalize(code)
    found = table.get(canonical)
    if found is None:
        raise UnknownCodeError(
            f"unknown {what} {given(code)} ({canonical}); known: {', '.join(table)}"
        )
    return found


def find_block(text: str, version_key: str | CertificationVersion | None = None) -> Block:
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
    argument = text if version_key is None else (text, version_key)
    try:
        return _FIND_BLOCK_MEMO[argument]  # type: ignore[no-any-return]
    except (KeyError, TypeError):
        pass
    data = dataset()
    found = _find_block(data, text, version_key)
    remember(_FIND_BLOCK_MEMO, argument, found, data)
    return found


def match_block(text: str, version_key: str | None = None) -> Block:
    """:func:`find_block`, for a caller that discards the error's message.

    The message of its :class:`UnknownBlockError` does not name the closest titles, whose
    search is the costly part of a failed lookup.
    """
    return _find_block(dataset(), text, version_key, explain=False)


def _find_block(
    data: Dataset,
    text: str,
    version_key: str | CertificationVersion | None = None,
    *,
    explain: bool = True,
) -> Block:
    if not isinstance(text, str):
        raise ArgumentTypeError(
            "find_block takes a block title, a 'KEY/N' reference or an RNCP bloc code as a "
            f"string, not {describe(text)}"
        )
    key = None if version_key is None else _version(data, version_key).key
    ref = parse_block_ref(text)
    if ref is not None:
        found = data.block_by_ref.get(ref)
        if found is None or (key is not None and found.version_key != key):
            raise UnknownBlockError(f"no block {text!r:.200}; {_accepted_refs(data, key)}")
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
            f"{text!r:.200} matches {len(matches)} blocks: {names}; give a version key or 'KEY/N'"
        )
    raise UnknownBlockError(
        f"no block titled {text!r:.200}{_closest(data, label, key) if explain else ''}; "
        f"{_accepted_refs(data, key)}"
    )


# The « closest titles » search compares the label with each title character by character,
# a cost that grows with the product of their lengths (and more on text unlike any title).
# Only the first _LONGEST_LABEL_COMPARED characters of a label are compared (no title is half
# as long), and a label longer than that whose beginning shares no word with any title is not
# compared at all: the search costs a bounded time whatever the label, and next to nothing on
# a long text unlike any title.
_LONGEST_LABEL_COMPARED = 250


def _closest(data: Dataset, label: str, key: str | None) -> str:
    """The three titles nearest to ``label``, as "; closest: …".

    There are always some, so that a half-remembered or misspelt title leads somewhere, unless
    the label is longer than any title and shares no word with one.
    """
    nearest = _nearest(data, label, None if key is None else (key,))
    if nearest is None:
        return f"; no title is close to it ({len(label):,} characters, no word of a title)"
    if not nearest:
        return ""
    return "; closest: " + "; ".join(f"{b.ref} {b.title!r}" for b in nearest)


def closest_blocks(text: str, version_keys: tuple[str, ...] | None = None) -> tuple[Block, ...]:
    """The (at most three) blocks whose titles are nearest to ``text``, nearest first.

    Only the blocks of ``version_keys`` are compared (every version's when ``None``). The cost
    is bounded whatever ``text`` (as for the closest titles :func:`find_block` names), and a
    text longer than any title that shares no word with one has none.

    >>> [b.ref for b in closest_blocks("Manager une equipe de conseilers", ("2011-06-01",))][:1]
    ['2011-06-01/2']
    """
    return _nearest(dataset(), normalize_label(text), version_keys) or ()


def _nearest(data: Dataset, label: str, keys: tuple[str, ...] | None) -> tuple[Block, ...] | None:
    """The three blocks nearest to ``label`` (normalised) among those of ``keys``.

    ``None`` when ``label`` is longer than any title and shares no word with one.
    """
    from difflib import SequenceMatcher

    blocks = [b for v in data.versions if keys is None or v.key in keys for b in v.blocks]
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


def _accepted_refs(data: Dataset, key: str | None) -> str:
    keys = [key] if key is not None else list(data.version_by_key)
    refs = ", ".join(f"{k}/1 to {k}/{len(data.version_by_key[k].blocks)}" for k in keys)
    return f"accepted: a block title, an RNCP bloc code, or one of {refs}"


def _source_key(record: object) -> tuple[object, ...] | None:
    """Where the sources of a shipped record's fields are kept (see ``Dataset.sources``)."""
    if isinstance(record, CertificationVersion):
        return ("version", record.key)
    if isinstance(record, Block):
        return ("block", record.version_key, record.number)
    if isinstance(record, (RomeCode, NsfCode)):
        return ("rome" if isinstance(record, RomeCode) else "nsf", record.code)
    if isinstance(record, Level):
        return ("level",)
    if isinstance(record, RegisteredFiche):
        return ("registered", record.rncp)
    return None


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
    return _source_of(dataset(), record, field)


def _source_of(data: Dataset, record: object, field: str) -> Source:
    if not isinstance(field, str):
        raise ArgumentTypeError(f"field must be a field name as a string, not {describe(field)}")
    cls = type(record)
    if not attrs.has(cls):
        raise ArgumentTypeError(f"source_of takes a titre_mercd record, not {describe(record)}")
    names = [f.name for f in attrs.fields(cls)]
    if field not in names:
        raise LookupError(f"{cls.__name__} has no field {field!r}; fields: {', '.join(names)}")
    if isinstance(record, (Correspondence, ValidityGap)):
        return _own_source(data, record)
    record_key = _source_key(record)
    if record_key is None:
        raise LookupError(
            f"{cls.__name__} records carry no sources of their own (asked: {field!r} of "
            f"{describe(record)}); ask the record that holds it, such as the version"
        )
    if not _is_shipped(data, record):
        raise LookupError(f"{describe(record)} is not a shipped record")
    key = (*record_key, field)
    if field == "version_key" and isinstance(record, Block):
        key = ("version", record.version_key, "key")
    found = data.sources.get(key)
    if found is None:
        raise LookupError(_no_source(record, field))
    return found


def _own_source(data: Dataset, record: Correspondence | ValidityGap) -> Source:
    """The source a shipped table row or gap carries, for any of its fields."""
    if isinstance(record, Correspondence):
        if _is_shipped_row(data, record):
            return record.source
        raise LookupError(f"{describe(record)} is not a row of a shipped correspondence table")
    if record in data.gaps:
        return record.source
    raise LookupError(f"{describe(record)} is not an interval the data records")


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
    return _contradictions(dataset(), record, field)


def _contradictions(data: Dataset, record: object, field: str) -> tuple[Source, ...]:
    _source_of(data, record, field)
    if not isinstance(record, CertificationVersion):
        return ()
    readings = data.contradictions.get(("version", record.key, field), ())
    return tuple(source for _, source in readings)


def _is_shipped(data: Dataset, record: object) -> bool:
    if isinstance(record, CertificationVersion):
        return data.version_by_key.get(record.key) == record
    if isinstance(record, Block):
        return data.block_by_ref.get((record.version_key, record.number)) == record
    if isinstance(record, RomeCode):
        return data.rome_by_code.get(record.code) == record
    if isinstance(record, NsfCode):
        return data.nsf_by_code.get(record.code) == record
    if isinstance(record, RegisteredFiche):
        return data.registered_by_rncp.get(record.rncp) == record
    return record in data.levels


def _is_shipped_row(data: Dataset, row: Correspondence) -> bool:
    if row.new is None:
        return any(row in table for table in data.tables.values())
    return row in data.tables.get((row.old.version_key, row.new.version_key), ())


def text_of(legal_text: LegalText) -> str:
    """The shipped copy of a text that sources quote, exactly as published.

    Raises:
        LookupError: no copy of that text is shipped (it is not one :func:`source_of` gives).

    >>> "MTRD1833181A" in text_of(version("2018-12-11").legal_text)
    True
    """
    return _text_of(dataset(), legal_text)


def _text_of(data: Dataset, legal_text: LegalText) -> str:
    if not isinstance(legal_text, LegalText):
        raise ArgumentTypeError(f"text_of takes a LegalText, not {describe(legal_text)}")
    found = data.text_contents.get(legal_text)
    if found is None:
        raise LookupError(
            f"no shipped copy of {describe(legal_text)}; the texts sources quote are shipped: "
            "give the LegalText of a Source"
        )
    return found
