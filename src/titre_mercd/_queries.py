"""Pure lookups over the loaded data: versions, validity, codes, blocks and sources."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, cast

import attrs

from ._codes import (
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
    return dataset().versions


_VERSION_MEMO = memo("version")
_BY_ROME_MEMO = memo("by_rome")
_BY_NSF_MEMO = memo("by_nsf")
_BY_RNCP_MEMO = memo("by_rncp")
_ROME_MEMO = memo("rome")
_NSF_MEMO = memo("nsf")
_FIND_BLOCK_MEMO = memo("find_block")


def version(key: str) -> CertificationVersion:
    """The version made by the arrêté of that ISO date.

    Raises:
        UnknownVersionError: no version has that key.

    >>> version("2018-12-11").title
    "manager d'équipe relation client à distance"
    """
    try:
        return _VERSION_MEMO[key]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        pass
    data = dataset()
    found = data.version_by_key.get(normalize_version_key(key))
    if found is None:
        raise UnknownVersionError(
            f"unknown version {key!r:.200}; known versions: {', '.join(data.version_by_key)}"
        )
    remember(_VERSION_MEMO, key, found, data)
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
    day = dt.date.today() if on is None else require_date(on, "on")
    verdict = day_verdict(day, dataset())
    if verdict.in_force is None:
        raise UndecidedError(undecided_message(day, None, verdict))
    return verdict.version


def is_in_force(on: dt.date, key: str | None = None) -> bool:
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
    day = require_date(on, "on")
    data = dataset()
    verdict = day_verdict(day, data) if key is None else version_verdict(day, version(key), data)
    if verdict.in_force is None:
        raise UndecidedError(undecided_message(day, key, verdict))
    return verdict.in_force


def successor(key: str) -> CertificationVersion | None:
    """The version that came after ``key``; ``None`` when the sources say there is none yet.

    Raises:
        NotInDataError: a successor is registered (a fiche RNCP) but is not a version in the
            data; the message says what is known of it and how to bring it in.

    >>> successor("2011-06-01").title
    "manager d'équipe relation client à distance"
    """
    found = version(key)
    data = dataset()
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
    return dataset().gaps


def registered_fiches() -> tuple[RegisteredFiche, ...]:
    """The fiches RNCP the data records as registered but holds no version of.

    >>> [(f.rncp, f.successor_of) for f in registered_fiches()]
    [('RNCP38665', '2018-12-11')]
    """
    return tuple(dataset().registered_by_rncp.values())


def registered_fiche(code: str) -> RegisteredFiche:
    """What the data knows of a fiche RNCP registered but not in the data (``"RNCP38665"``).

    Raises:
        UnknownCodeError: the data records no such registered fiche (see :func:`by_rncp` for
            the fiches of versions in the data).

    >>> registered_fiche("38665").level
    5
    """
    data = dataset()
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
        return _versions_listing(_BY_ROME_MEMO, code, normalize_rome, "versions_by_rome")


def by_nsf(code: str) -> tuple[CertificationVersion, ...]:
    """The versions that list that NSF code; a group (``"312"``) also finds ``"312t"``.

    >>> [v.key for v in by_nsf("312 T")]
    ['2011-06-01', '2018-12-11']
    """
    try:
        return _BY_NSF_MEMO[code]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        return _versions_listing(_BY_NSF_MEMO, code, normalize_nsf, "versions_by_nsf")


def by_rncp(code: str) -> CertificationVersion:
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
        pass
    try:
        known = _known_code(_BY_RNCP_MEMO, code, normalize_rncp, "version_by_rncp", "RNCP number")
    except UnknownCodeError:
        fiche = dataset().registered_by_rncp.get(normalize_rncp(code))
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
        known = _known_code(_ROME_MEMO, code, normalize_rome, "rome_by_code", "ROME code")
        return cast("RomeCode", known)


def nsf(code: str) -> NsfCode:
    """The NSF code and its label (``None`` where no source gives it).

    Raises:
        UnknownCodeError: a well-formed code the data does not know.

    >>> nsf("312w")
    NsfCode(code='312w', label=None)
    """
    try:
        return _NSF_MEMO[code]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or not even hashable
        known = _known_code(_NSF_MEMO, code, normalize_nsf, "nsf_by_code", "NSF code")
        return cast("NsfCode", known)


def _versions_listing(
    memo: dict[Any, Any], code: object, normalize: Callable[[object], str], index: str
) -> tuple[CertificationVersion, ...]:
    """The versions the index ``index`` lists under ``code`` once normalised, remembered."""
    data = dataset()
    found: tuple[CertificationVersion, ...] = getattr(data, index).get(normalize(code), ())
    remember(memo, code, found, data)
    return found


def _known_code(
    memo: dict[Any, Any], code: object, normalize: Callable[[object], str], index: str, what: str
) -> object:
    """The record the index ``index`` holds for ``code`` once normalised, remembered.

    Raises :class:`UnknownCodeError` for a well-formed code the index does not hold.
    """
    data = dataset()
    table = getattr(data, index)
    canonical = normalize(code)
    found = table.get(canonical)
    if found is None:
        raise UnknownCodeError(
            f"unknown {what} {code!r:.200} ({canonical}); known: {', '.join(table)}"
        )
    remember(memo, code, found, data)
    return found


def find_block(text: str, version_key: str | None = None) -> Block:
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
    found = _find_block(text, version_key, data)
    remember(_FIND_BLOCK_MEMO, argument, found, data)
    return found


def match_block(text: str, version_key: str | None = None) -> Block:
    """:func:`find_block`, for a caller that discards the error's message.

    The message of its :class:`UnknownBlockError` does not name the closest titles, whose
    search is the costly part of a failed lookup.
    """
    return _find_block(text, version_key, dataset(), explain=False)


def _find_block(
    text: str, version_key: str | None, data: Dataset, *, explain: bool = True
) -> Block:
    if not isinstance(text, str):
        raise ArgumentTypeError(
            "find_block takes a block title, a 'KEY/N' reference or an RNCP bloc code as a "
            f"string, not {type(text).__name__} {text!r:.80}"
        )
    key = None if version_key is None else version(version_key).key
    ref = parse_block_ref(text)
    if ref is not None:
        found = data.block_by_ref.get(ref)
        if found is None or (key is not None and found.version_key != key):
            raise UnknownBlockError(f"no block {text!r:.200}; {_accepted_refs(key)}")
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
        f"no block titled {text!r:.200}{_closest(label, key) if explain else ''}; "
        f"{_accepted_refs(key)}"
    )


# The « closest titles » search compares the label with each title character by character,
# a cost that grows with the product of their lengths (and more on text unlike any title).
# Only the first _LONGEST_LABEL_COMPARED characters of a label are compared (no title is half
# as long), and a label longer than that whose beginning shares no word with any title is not
# compared at all: the search costs a bounded time whatever the label, and next to nothing on
# a long text unlike any title.
_LONGEST_LABEL_COMPARED = 250


def _closest(label: str, key: str | None) -> str:
    """The three titles nearest to ``label``, as "; closest: …".

    There are always some, so that a half-remembered or misspelt title leads somewhere, unless
    the label is longer than any title and shares no word with one.
    """
    from difflib import SequenceMatcher

    blocks = [b for v in dataset().versions if key is None or v.key == key for b in v.blocks]
    if not blocks:
        return ""
    titles = {b: normalize_label(b.title) for b in blocks}
    compared = label[:_LONGEST_LABEL_COMPARED]
    if len(label) > len(compared):
        words = set(compared.split())
        if not any(words.intersection(title.split()) for title in titles.values()):
            return f"; no title is close to it ({len(label):,} characters, no word of a title)"
    # Every letter counts, however common: no "autojunk".
    matcher = SequenceMatcher(b=compared, autojunk=False)

    def distance(block: Block) -> float:
        matcher.set_seq1(titles[block])
        return -matcher.ratio()

    nearest = sorted(blocks, key=distance)[:3]
    return "; closest: " + "; ".join(f"{b.ref} {b.title!r}" for b in nearest)


def _accepted_refs(key: str | None) -> str:
    data = dataset()
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
    if not isinstance(field, str):
        raise ArgumentTypeError(f"field must be a field name as a string, not {field!r:.80}")
    cls = type(record)
    if not attrs.has(cls):
        raise ArgumentTypeError(
            f"source_of takes a titre_mercd record, not {cls.__name__} {record!r:.80}"
        )
    names = [f.name for f in attrs.fields(cls)]
    if field not in names:
        raise LookupError(f"{cls.__name__} has no field {field!r}; fields: {', '.join(names)}")
    if isinstance(record, (Correspondence, ValidityGap)):
        return _own_source(record)
    record_key = _source_key(record)
    if record_key is None:
        raise LookupError(
            f"{cls.__name__} records carry no sources of their own (asked: {field!r} of "
            f"{record!r:.80}); ask the record that holds it, such as the version"
        )
    data = dataset()
    if not _is_shipped(record):
        raise LookupError(f"{record!r:.80} is not a shipped record")
    key = (*record_key, field)
    if field == "version_key" and isinstance(record, Block):
        key = ("version", record.version_key, "key")
    found = data.sources.get(key)
    if found is None:
        raise LookupError(_no_source(record, field))
    return found


def _own_source(record: Correspondence | ValidityGap) -> Source:
    """The source a shipped table row or gap carries, for any of its fields."""
    if isinstance(record, Correspondence):
        if _is_shipped_row(record):
            return record.source
        raise LookupError(f"{record!r:.80} is not a row of a shipped correspondence table")
    if record in dataset().gaps:
        return record.source
    raise LookupError(f"{record!r:.80} is not an interval the data records")


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
    source_of(record, field)
    if not isinstance(record, CertificationVersion):
        return ()
    readings = dataset().contradictions.get(("version", record.key, field), ())
    return tuple(source for _, source in readings)


def _is_shipped(record: object) -> bool:
    data = dataset()
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


def _is_shipped_row(row: Correspondence) -> bool:
    if row.new is None:
        return any(row in table for table in dataset().tables.values())
    return row in dataset().tables.get((row.old.version_key, row.new.version_key), ())


def text_of(legal_text: LegalText) -> str:
    """The shipped copy of a text that sources quote, exactly as published.

    Raises:
        LookupError: no copy of that text is shipped (it is not one :func:`source_of` gives).

    >>> "MTRD1833181A" in text_of(version("2018-12-11").legal_text)
    True
    """
    if not isinstance(legal_text, LegalText):
        raise ArgumentTypeError(
            f"text_of takes a LegalText, not {type(legal_text).__name__} {legal_text!r:.80}"
        )
    found = dataset().text_contents.get(legal_text)
    if found is None:
        raise LookupError(
            f"no shipped copy of {legal_text!r:.200}; the texts sources quote are shipped: "
            "give the LegalText of a Source"
        )
    return found
