"""Bulk conversion: a CSV file of candidates' CCPs converted, row by row, to another version.

One column holds the CCPs a candidate holds: titles as people type them, ``KEY/N`` references
or bloc numbers (« CCP 2 », « 2 ») of the version they were obtained in, separated by ``|`` or
line breaks (and by ``;`` or ``,`` when every part then names a bloc). Every row comes out, in
order, with the columns of :func:`added_columns`; a row whose labels cannot all be matched keeps
its data and gets the error, no result: a partial answer could mislead a jury.

The file may come from a spreadsheet: UTF-8 with or without a byte order mark, or cp1252,
latin-1 or UTF-16 when asked (an 8-bit encoding that decodes a C1 control character, which
real text never holds, is refused unless asked for); the header is the first of the first rows
that names the column (the rows above it are copied through) and gives the separator when none
is. Rows are kept as they were read unless the encoding, the separator or the line ending
changes. It streams, in chunks; each distinct cell is converted once, in caches bounded in
entries and in characters.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import itertools
import operator
import os
import re
import sys
import time
from collections import deque
from typing import IO, TYPE_CHECKING, Any, cast

import attrs

from ._cells import csv_text
from ._records import Block
from ._referentiel import closest_blocks, deemed_obtained, match_block, version, versions
from .exceptions import AmbiguousBlockError, CsvInputError, UndecidedError, UnknownBlockError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed import WriteableBuffer

__all__ = [
    "ENCODINGS",
    "HEADER_ROWS",
    "LANGUAGES",
    "MAX_LINE",
    "SEPARATORS",
    "CellConverter",
    "CsvInputError",
    "CsvSource",
    "Outcome",
    "Progress",
    "added_columns",
    "check_encoding",
    "convert",
    "detect_separator",
    "large_fields",
    "resolve_block",
    "rows_written",
    "separator_name",
]

ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
"""The encodings a CSV input may be read in (UTF-8, with or without a byte order mark, first)."""

SEPARATORS = (";", ",", "\t", "|")
"""The separators detected from the header, in order of preference when the header is silent."""

MAX_LINE = 1 << 20
"""The longest line read by default, in characters: a row, its quoted line breaks included.

A longer row or field is refused with its line number (``--max-line`` sets another limit):
memory stays bounded whatever the input, ``/dev/zero`` included.
"""

EXCEL_SEPARATOR, EXCEL_NEWLINE = ";", "\r\n"  # what French Excel reads (with a byte order mark)

HEADER_ROWS = 20
"""Without a header row given, the header is the first of these first rows naming the column."""

LANGUAGES = ("en", "fr")
"""The languages the added columns' names and values are written in (English by default)."""

# The words of the added columns, and of the errors in their cells, in each language.
_WORDS = {
    "en": {
        "recognised": "held blocs recognised",
        "deemed": "deemed obtained ({key})",
        "missing": "still missing ({key})",
        "complete": "all blocs held ({key})",
        "error": "conversion error",
        "yes": "yes",
        "no": "no",
        "unknown": "unknown bloc {label}",
        "closest": "closest: {titles}",
        "not known": "not known: {why}",
        "several": "several blocs match {label}",
        "no number": "no CCP {number} in {key}",
        "number needs from": "{label} is a bloc number, which each version gives: give --from",
        "fewer": "the row has {count} field{s}, the header {width}: check its separators",
        "beyond csv": "{count} field{s} beyond the header's {width} columns, kept here as CSV: ",
        "beyond sheet": "the row has values beyond the header's last column ({letter}); "
        "they are kept after the added columns",
    },
    "fr": {
        "recognised": "blocs détenus reconnus",
        "deemed": "blocs réputés obtenus ({key})",
        "missing": "blocs à obtenir ({key})",
        "complete": "tous les blocs obtenus ({key})",
        "error": "erreur de conversion",
        "yes": "oui",
        "no": "non",
        "unknown": "bloc inconnu {label}",
        "closest": "les plus proches : {titles}",
        "not known": "non déterminé : {why}",
        "several": "plusieurs blocs correspondent à {label}",
        "no number": "pas de CCP {number} en {key}",
        "number needs from": "{label} est un numéro de bloc, que chaque version donne : "
        "donner --from",
        "fewer": "la ligne a {count} champ{s}, l'en-tête {width} : vérifier ses séparateurs",
        "beyond csv": "{count} champ{s} au-delà des {width} colonnes de l'en-tête, gardé{s} ici "
        "en CSV : ",
        "beyond sheet": "la ligne a des valeurs au-delà de la dernière colonne de l'en-tête "
        "({letter}) ; elles sont gardées après les colonnes ajoutées",
    },
}

# Each accepted name (as :func:`codecs.lookup` spells it) and the codec that reads it.
_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252"}
_CODECS.update({"iso8859-1": "latin-1", "utf-16": "utf-16"})
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ZIP_MAGIC = b"PK\x03\x04"  # a zip file (an .xlsx workbook is one)
# csv refuses NUL before Python 3.11: this stands for it while a row is parsed.
_NUL_STAND_IN = "\ufffd" if sys.version_info < (3, 11) else ""
_CONTINUATION = bytes(range(0x80, 0xC0))  # the bytes that continue a UTF-8 character
_CHUNK_ROWS, _CHUNK_CHARACTERS = 4096, 1 << 20  # rows are written once this much is waiting
# A cache holds this many entries and characters (keys and values) at most; an entry larger
# than _CACHE_ENTRY_CHARACTERS is not kept: a cell that long rarely repeats.
_CACHE_LIMIT, _CACHE_CHARACTERS, _CACHE_ENTRY_CHARACTERS = 1 << 16, 1 << 22, 1 << 16
_FIELD_LIMIT = 2**31 - 1  # the largest C long of every platform: csv reads any field
_HEADER_LINES, _HEADER_CHARS = 100, 1 << 20  # the most of the file the header is looked for in
_CELL_PARTS = re.compile(r"\r\n|[|\r\n]")  # between CCPs in a cell, whatever the separator
# Where a cell with no such part may still hold several blocs: each separator alone (a title
# may hold the other), then both.
_SPLITTERS = (re.compile(";"), re.compile(","), re.compile("[;,]"))
_BLOCK_NUMBER = re.compile(r"(?:ccp\s*(?:n\s*°\s*)?)?([0-9]{1,3})", re.IGNORECASE)  # « CCP n° 2 »
_C1_BYTES = re.compile(b"[\x80-\x9f]")  # C1 controls in latin-1, letters in cp1252 (0x80 « € »)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SHOWN = 60  # characters of a label an error cell quotes

Added = tuple[str, ...]


class _Cache(dict[str, Any]):
    """A dict bounded in entries and in characters, emptied when either bound is reached."""

    __slots__ = ("_characters",)

    def __init__(self) -> None:
        super().__init__()
        self._characters = 0

    def keep(self, key: str, value: object, size: int) -> None:
        """Remember ``value`` for ``key``; ``size``: their characters."""
        if size > _CACHE_ENTRY_CHARACTERS:
            return
        if len(self) >= _CACHE_LIMIT or self._characters + size > _CACHE_CHARACTERS:
            self.clear()
            self._characters = 0
        self[key] = value
        self._characters += size


@attrs.frozen
class Outcome:
    """What a conversion did: rows of candidates written, and rows with an error.

    ``blank`` blank rows and the ``above`` rows above the header were copied through too.
    """

    rows: int
    unmatched: int
    blank: int = 0
    above: int = 0


def rows_written(outcome: Outcome) -> str:
    """What a conversion wrote, in words, singular and plural right.

    >>> rows_written(Outcome(rows=10, unmatched=0, blank=1))
    '10 rows (1 blank row copied)'
    >>> rows_written(Outcome(rows=1, unmatched=0, blank=2, above=1))
    '1 row (1 row above the header and 2 blank rows copied)'
    """
    copied = [
        f"{count:,} {what}{'s' if count != 1 else ''}{where}"
        for count, what, where in (
            (outcome.above, "row", " above the header"),
            (outcome.blank, "blank row", ""),
        )
        if count
    ]
    also = f" ({' and '.join(copied)} copied)" if copied else ""
    return f"{outcome.rows:,} row{'s' if outcome.rows != 1 else ''}{also}"


@contextlib.contextmanager
def large_fields() -> Iterator[None]:
    """Let :mod:`csv` read fields of any size inside the ``with`` block.

    >>> import csv
    >>> with large_fields():
    ...     csv.field_size_limit() > 10_000_000
    True
    """
    previous = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def added_columns(to_key: str, *, lang: str = "en", recognised: bool = False) -> tuple[str, ...]:
    """The names of the columns a conversion to ``to_key`` adds, in ``lang``.

    Four: the blocs deemed obtained, those still missing, whether all are held, the error;
    with ``recognised`` (a conversion without a version to convert from), a fifth first: the
    version each held bloc was recognised in.

    >>> added_columns("2018-12-11")[0]
    'deemed obtained (2018-12-11)'
    >>> added_columns("2018-12-11", lang="fr", recognised=True)[:2]
    ('blocs détenus reconnus', 'blocs réputés obtenus (2018-12-11)')
    """
    words = _WORDS[lang]
    names = tuple(words[name].format(key=to_key) for name in ("deemed", "missing", "complete"))
    return ((words["recognised"],) if recognised else ()) + (*names, words["error"])


def check_encoding(name: str) -> str:
    """The encoding ``name`` names, as :data:`ENCODINGS` spells it; :class:`CsvInputError` if none.

    >>> check_encoding("Windows-1252"), check_encoding("ISO-8859-1"), check_encoding("utf8")
    ('cp1252', 'latin-1', 'utf-8')
    """
    try:
        found = _CODECS.get(codecs.lookup(name).name)
    except LookupError:
        found = None
    if found is None:
        raise CsvInputError(
            f"unsupported encoding {name[:40]!r}: expected one of {', '.join(ENCODINGS)} "
            "(UTF-16 with a byte order mark)"
        )
    return found


def separator_name(sep: str) -> str:
    r"""How a message names the separator ``sep``.

    >>> separator_name(";"), separator_name("\t")
    ("';'", 'tab')
    """
    return "tab" if sep == "\t" else repr(sep)


def _number(label: str) -> int | None:
    """The bloc number ``label`` gives (« CCP 2 », « CCP2 », « 2 »), if it is one."""
    found = _BLOCK_NUMBER.fullmatch(label.strip())
    return int(found.group(1)) if found else None


def searched_keys(from_key: str | None, to_key: str) -> tuple[str, ...]:
    """The versions a label is looked up in: ``from_key`` (the oldest when ``None``) to ``to_key``.

    >>> searched_keys(None, "2011-06-01")
    ('2007-04-27', '2011-06-01')
    """
    keys = [v.key for v in versions()]
    first = 0 if from_key is None else keys.index(version(from_key).key)
    return tuple(keys[first : keys.index(version(to_key).key) + 1])


def resolve_block(label: str, from_key: str | None, to_key: str, *, explain: bool = True) -> Block:
    """The block ``label`` names: one of version ``from_key``, or of a later one up to ``to_key``.

    With ``from_key`` ``None``, a label is looked up in ``to_key`` and every older version. A
    bare number, « CCP 2 » or « CCP2 » is that bloc of ``from_key``; without it, it names a
    bloc only when ``to_key`` is the oldest version. Unless ``explain``, an
    :class:`UnknownBlockError` does not name the closest titles (their search is costly).

    Raises:
        UnknownBlockError: no block of those versions matches (with the closest titles of
            those versions), or the number is not one of ``from_key``'s blocs.
        AmbiguousBlockError: several match, or a bloc number is given without ``from_key``
            and several versions number their blocs.

    >>> resolve_block("manager une equipe de conseillers clientele a distance",
    ...               "2011-06-01", "2018-12-11").ref
    '2011-06-01/2'
    >>> resolve_block("CCP 3", "2011-06-01", "2018-12-11").ref
    '2011-06-01/3'
    >>> resolve_block("Manager les ressources humaines d'une équipe de téléconseillers",
    ...               None, "2018-12-11").ref
    '2007-04-27/2'
    """
    keys = searched_keys(from_key, to_key)
    number = _number(label)
    if number is not None:
        if from_key is None and len(keys) > 1:
            raise AmbiguousBlockError(
                f"{label[:_SHOWN]!r} is a bloc number, and each of {', '.join(keys)} numbers "
                "its own blocs: give --from KEY (the version of the CCPs held), or the bloc's "
                "title or KEY/N"
            )
        key = keys[0]
        blocks = version(key).blocks
        if 1 <= number <= len(blocks):
            return blocks[number - 1]
        raise UnknownBlockError(
            f"no CCP {number} in version {key}: its CCPs are numbered "
            f"1 to {len(blocks)}; given {label[:_SHOWN]!r}"
        )
    if from_key is not None:
        with contextlib.suppress(UnknownBlockError):
            return match_block(label, keys[0])
    try:
        found: Block | None = match_block(label)
    except (UnknownBlockError, AmbiguousBlockError) as exc:
        if from_key is None and isinstance(exc, AmbiguousBlockError):
            raise
        found = None
    if found is not None and found.version_key in keys:
        return found
    message = f"no block titled {label!r:.200} in {', '.join(keys)}"
    nearest = closest_blocks(label, keys) if explain else ()
    if nearest:
        message += "; closest: " + "; ".join(f"{b.ref} {b.title!r}" for b in nearest)
    raise UnknownBlockError(message)


def _shown(label: str) -> str:
    """``label`` quoted for an error cell, cut to a few words."""
    return repr(label if len(label) <= _SHOWN else label[: _SHOWN - 1] + "…")


class CellConverter:
    """Converts one cell of CCPs into the added values.

    The CCPs of a cell are separated by ``|`` or line breaks, or by ``;`` or ``,`` when every
    part then names a bloc: a title that holds a comma stays one title. Without ``from_key``,
    a label is looked up in ``to_key`` and every older version, and the first added value
    names the blocs held as recognised (``KEY/N``: the version each was recognised in). An
    unknown label's error names the closest titles (at most three).

    >>> convert_cell = CellConverter("2011-06-01", "2018-12-11")
    >>> deemed, missing, complete, error = convert_cell("2011-06-01/2 | 2011-06-01/3")
    >>> complete, error
    ('yes', '')
    >>> convert_cell("CCP 2; CCP3")[2:]
    ('yes', '')
    >>> print(convert_cell("CCP 2 | Manager une equipe de conseilers")[3])
    unknown bloc 'Manager une equipe de conseilers' (closest: 2011-06-01/2 'Manager une
    équipe de conseillers (ères) clientèle à distance'; ...)
    >>> CellConverter(None, "2018-12-11", lang="fr")("2007-04-27/2 | 2011-06-01/3")[::3]
    ('2007-04-27/2 | 2011-06-01/3', 'oui')
    """

    def __init__(self, from_key: str | None, to_key: str, *, lang: str = "en") -> None:
        """Check both keys (:class:`~titre_mercd.UnknownVersionError` if unknown) and ``lang``.

        ``from_key`` ``None``: labels are looked up in ``to_key`` and every older version.
        """
        if lang not in _WORDS:
            raise ValueError(f"unknown language {lang!r:.40}: expected one of en, fr")
        self._from = None if from_key is None else version(from_key).key
        self._to = version(to_key).key
        self._keys = searched_keys(self._from, self._to)
        self._to_blocks = version(to_key).blocks
        self.words = _WORDS[lang]
        """The words of the added values and errors, in the language asked for."""
        self.columns = added_columns(self._to, lang=lang, recognised=self._from is None)
        """The names of the columns the values are for."""
        self.numbers_need_from = False
        """Whether a bloc number was met without a version to convert from (so none named)."""
        self._blank = ("",) * (len(self.columns) - 1)
        self._blocks = _Cache()  # label -> Block, or a few words saying why none
        self._errors = _Cache()  # label -> those words with the closest titles

    def _block(self, label: str) -> Block | tuple[str, bool]:
        """The block ``label`` names, or why none does and whether the closest titles help."""
        found: Block | tuple[str, bool] | None = self._blocks.get(label)
        if found is None:
            words, number = self.words, _number(label)
            try:
                found = resolve_block(label, self._from, self._to, explain=False)
            except UnknownBlockError:
                found = (
                    (words["unknown"].format(label=_shown(label)), True)
                    if number is None
                    else (words["no number"].format(number=number, key=self._keys[0]), False)
                )
            except AmbiguousBlockError:
                self.numbers_need_from |= number is not None
                why = "several" if number is None else "number needs from"
                found = (words[why].format(label=_shown(label)), False)
            size = len(label) + (0 if isinstance(found, Block) else len(found[0]))
            self._blocks.keep(label, found, size)
        return found

    def _error(self, label: str, why: str, explain: bool) -> str:
        """``why`` no block matches ``label``, with the closest titles if ``explain``."""
        if not explain:
            return why
        explained: str | None = self._errors.get(label)
        if explained is None:
            nearest = closest_blocks(label, self._keys)
            titles = "; ".join(f"{b.ref} {b.title!r}" for b in nearest)
            explained = f"{why} ({self.words['closest'].format(titles=titles)})" if titles else why
            self._errors.keep(label, explained, len(label) + len(explained))
        return explained

    def _split(self, label: str) -> list[Block] | None:
        """The blocs ``label`` names when split at ``;`` or ``,`` and every part names one."""
        for splitter in _SPLITTERS:
            labels = [part for part in map(str.strip, splitter.split(label)) if part]
            if len(labels) > 1:
                found = [self._block(part) for part in labels]
                if all(isinstance(block, Block) for block in found):
                    return cast("list[Block]", found)
        return None

    def __call__(self, cell: str) -> Added:
        """The added values for ``cell``: [recognised], deemed obtained, missing, held, error."""
        held: list[Block] = []
        errors = []
        for part in _CELL_PARTS.split(cell):
            label = part.strip()
            if label:
                found = self._block(label)
                if isinstance(found, Block):
                    held.append(found)
                    continue
                split = self._split(label)
                if split is None:
                    errors.append(self._error(label, *found))
                else:
                    held.extend(split)
        error = "; ".join(errors)
        try:
            obtained = () if error else deemed_obtained(held, self._to)
        except UndecidedError as exc:  # never « none » or « all missing » for it
            error = self.words["not known"].format(why=exc)
        if error:
            return (*self._blank, error)
        recognised = (" | ".join(dict.fromkeys(b.ref for b in held)),) if self._from is None else ()
        deemed = " | ".join(b.title for b in self._to_blocks if b in obtained)
        missing = " | ".join(b.title for b in self._to_blocks if b not in obtained)
        complete = self.words["no" if missing else "yes"]
        return (*recognised, deemed, missing, complete, "")


class _Prefixed(io.RawIOBase):
    """``head`` (already read from ``rest``), then the rest.

    From a pipe, it keeps the last two blocks, and where they start, to locate an undecodable
    byte. With ``refuse_c1`` (the input's name), a byte latin-1 reads as a C1 control
    character is refused where it is.
    """

    def __init__(self, head: bytes, rest: IO[bytes], *, refuse_c1: str = "") -> None:
        super().__init__()
        self._head = head
        self._rest = rest
        self._refuse_c1 = refuse_c1
        self._line, self._column, self._after_cr = 1, 0, False  # where the next block starts
        # One read at most: a buffered reader's read1 gives what a pipe has without waiting.
        self._read = getattr(rest, "read1", rest.read)
        try:
            self._keep = not rest.seekable()
        except (OSError, ValueError):
            self._keep = True
        self.kept: deque[bytes] = deque(maxlen=2)
        # The line and byte offset the first kept block starts at, and whether a CR ends the
        # block before.
        self.kept_line, self.kept_offset, self.kept_after_cr = 1, 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        count = 0
        if self._head:  # the head, and as much again as one read gives
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
        if not self._head and count < len(view):
            more = self._read(len(view) - count) or b""
            view[count : count + len(more)] = more
            count += len(more)
        if self._keep and count:
            if len(self.kept) == self.kept.maxlen:
                dropped = self.kept[0]
                self.kept_line += _line_breaks(dropped, self.kept_after_cr)
                self.kept_offset += len(dropped)
                self.kept_after_cr = dropped.endswith(b"\r")
            self.kept.append(bytes(view[:count]))
        if self._refuse_c1 and count:
            self._scan(bytes(view[:count]))
        return count

    def _scan(self, block: bytes) -> None:
        found = _C1_BYTES.search(block)
        before = block if found is None else block[: found.start()]
        self._line += _line_breaks(before, self._after_cr)
        last = max(before.rfind(b"\n"), before.rfind(b"\r"))
        self._column = len(before) - last - 1 if last >= 0 else self._column + len(before)
        if before:
            self._after_cr = before.endswith(b"\r")
        if found is not None:
            byte, column = block[found.start()], self._column + 1
            where = f"{self._refuse_c1} line {self._line}, column {column}: byte 0x{byte:02x}"
            control = f"the control character U+{byte:04X} in latin-1, which real text never holds"
            try:
                letter = bytes([byte]).decode("cp1252")
            except UnicodeDecodeError:
                raise CsvInputError(
                    f"{where} is {control}, and no other encoding read here makes it a letter; "
                    "if the file really holds such characters, add --allow-c1"
                ) from None
            raise CsvInputError(
                f"{where} is {control}; cp1252 (Excel's default in France) reads it as "
                f"{letter!r}: give --encoding cp1252 (--allow-c1 keeps the control characters)"
            )

    def fileno(self) -> int:
        return self._rest.fileno()

    def seekable(self) -> bool:
        return self._rest.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0):
            raise io.UnsupportedOperation("seek back to the start only")
        self._head = b""
        return self._rest.seek(0)

    def tell(self) -> int:
        return self._rest.tell() - len(self._head)


def _read_head(binary: IO[bytes], size: int) -> bytes:
    """The first ``size`` bytes (fewer at the end), however few each read of a pipe gives."""
    head = b""
    while len(head) < size:
        more = binary.read(size - len(head))
        if not more:
            break
        head += more
    return head


def detect_separator(header: str, column: str) -> str:
    r"""The separator of a file whose first lines are ``header``: one of :data:`SEPARATORS`.

    The one that splits the header so that it names ``column``, into the most fields; ``,``
    when no separator splits it.

    >>> detect_separator("nom;CCP obtenus\r\n", "CCP obtenus")
    ';'
    >>> detect_separator("Nom, prénom;CCP\n", "ccp")
    ';'
    >>> detect_separator("ccp\n", "ccp")
    ','
    """
    ranked = []
    for preference, sep in enumerate(SEPARATORS):
        fields = next(csv.reader(io.StringIO(header, newline=""), delimiter=sep), [])
        names_column = len(_column_matches(fields, column)) == 1
        ranked.append((names_column, len(fields), -preference, sep))
    best = max(ranked)
    return best[3] if best[1] > 1 else ","


def _names_column(record: str, column: str, sep: str | None) -> str:
    """The separator (``sep``, or the one detected) with which ``record`` names ``column``."""
    found = detect_separator(record, column) if sep is None else sep
    fields = next(csv.reader(io.StringIO(record, newline=""), delimiter=found), [])
    return found if _column_matches(fields, column) else ""


class CsvSource:
    """A CSV file being read: its header, the position of the column asked for, its rows.

    Reads UTF-8 with or without a byte order mark (or cp1252, latin-1, UTF-16 with a byte
    order mark when ``encoding`` says so), any line ending and quoted fields, and gives each
    row with the text it was read from, so the output can keep that text as it is. The rows
    above the header are in :attr:`above`.
    """

    def __init__(  # noqa: PLR0913  (each is an option of the command line)
        self,
        binary: IO[bytes],
        name: str,
        column: str,
        sep: str | None = None,
        encoding: str | None = None,
        *,
        header_row: int | None = None,
        allow_c1: bool = False,
        max_line: int = MAX_LINE,
    ) -> None:
        """Read the header and find ``column``; :class:`CsvInputError` if either fails.

        ``sep`` ``None`` detects the separator from the header; ``encoding`` ``None`` is UTF-8.
        ``header_row`` (1-based) is the header's row; ``None``: the first of the first
        :data:`HEADER_ROWS` rows that names ``column``. With latin-1, a byte it reads as a C1
        control character is refused unless ``allow_c1``. A row longer than ``max_line``
        characters (its quoted line breaks included) is refused.
        """
        self.name, self.column, self.max_line = name, column, max_line
        self._line = 0  # the lines read so far
        self._row_start, self._row_size = 1, 0  # the row being read: its first line, its size
        self.encoding = "utf-8" if encoding is None else check_encoding(encoding)
        self.reencoded = self.encoding != "utf-8"
        self._reader = csv.reader(())
        self._last = ("", 1)  # the text of the last record read, and the line it starts on
        with self._errors():
            head = _read_head(binary, 4)
        refuse_c1 = name if self.encoding == "latin-1" and not allow_c1 else ""
        self._prefixed = _Prefixed(head, binary, refuse_c1=refuse_c1)
        self._binary = io.BufferedReader(self._prefixed, 1 << 16)
        self.bom = head.startswith(codecs.BOM_UTF8)
        self._check_head(head)
        codec = {"utf-8": "utf-8-sig"}.get(self.encoding, self.encoding)
        text = io.TextIOWrapper(self._binary, encoding=codec, newline="")
        with self._errors():
            first, lines, at = self._first_records(self._lines(text), header_row, sep)
            self.sep_detected = sep is None
            # The reader parses one copy of the lines; the other gives each row's own text.
            parsed: Iterator[str]
            parsed, self._raw = itertools.tee(itertools.chain(*first, lines))
            if _NUL_STAND_IN:  # csv reads NUL characters from Python 3.11 on
                parsed = map(operator.methodcaller("replace", "\0", _NUL_STAND_IN), parsed)
            self._reader = csv.reader(parsed, delimiter=self.sep)
            self._rows = self._read()
            self.above = list(itertools.islice(self._rows, at))
            """The rows above the header, with their text, to be copied through."""
            self.header, self.header_text = next(self._rows, ([], ""))
        if not self.header or self.header == [""]:
            raise CsvInputError(
                f"{name} is empty: expected a header row naming column {column!r:.200}"
            )
        line = 1
        for _, record in [*self.above, (self.header, self.header_text)]:
            self._check_quotes(record, line)
            line += len(_LINE_BREAK.findall(record))
        self.newline = "\r\n" if self.header_text.endswith("\r\n") else "\n"
        self.index = _column_index(self.header, column, name)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn what reading the input raises into :class:`CsvInputError`."""
        try:
            yield
        except UnicodeDecodeError:
            raise CsvInputError(self._decode_error()) from None
        except csv.Error as exc:
            raise CsvInputError(f"{self.name} line {self._reader.line_num}: {exc}") from None
        except OSError as exc:
            raise CsvInputError(f"cannot read {self.name}: {exc.strerror or exc}") from None

    def _first_records(
        self, text: Iterable[str], header_row: int | None, sep: str | None
    ) -> tuple[list[list[str]], Iterator[str], int]:
        """The lines of the records up to the header, the other lines, and the header's index.

        Reads ``header_row`` records, else up to the first that names the column, and at most
        :data:`HEADER_ROWS`: no more than that is waited for from a live pipe. Sets the
        separator: ``sep``, the one the header names the column with, or the one detected.
        """
        lines = iter(text)
        first: list[list[str]] = []
        record: list[str] = []
        size = quotes = 0
        named = ""
        for line in lines:
            record.append(line)
            size += len(line)
            quotes += line.count('"')
            if quotes % 2 == 0 or len(record) >= _HEADER_LINES or size >= _HEADER_CHARS:
                first.append(record)
                named = "" if header_row else _names_column("".join(record), self.column, sep)
                record, quotes = [], 0
                self._row_size, self._row_start = 0, self._line + 1  # each row is counted
                if named or len(first) >= (header_row or HEADER_ROWS) or size >= _HEADER_CHARS:
                    break
        if record:  # the last record, whose quote is never closed
            first.append(record)
            named = "" if header_row else _names_column("".join(record), self.column, sep)
        if header_row is not None:
            if header_row > len(first):
                raise CsvInputError(
                    f"--header-row {header_row}: {self.name} has only {len(first)} "
                    f"row{'s' if len(first) != 1 else ''}"
                )
            at = header_row - 1
        elif named:
            at = len(first) - 1
        else:  # none names the column: the first that holds something, to name its columns
            at = next((i for i, rows in enumerate(first) if "".join(rows).strip()), 0)
        header = "".join(first[at]) if first else ""
        self.sep = named or (detect_separator(header, self.column) if sep is None else sep)
        return first, lines, at

    def _check_head(self, head: bytes) -> None:
        """Refuse a start of file that says it is in another encoding than the one asked for."""
        if head.startswith(_ZIP_MAGIC):
            raise CsvInputError(
                f"{self.name} is a zip file (an Excel workbook?), not CSV text: give its path "
                "with --input, which reads a workbook"
            )
        utf16 = head[:2] in _UTF16_BOMS
        if self.encoding == "utf-16" and not utf16:
            raise CsvInputError(
                f"{self.name} does not start with a UTF-16 byte order mark; "
                "--encoding utf-16 reads UTF-16 with a byte order mark only"
            )
        if self.encoding != "utf-16" and utf16:
            raise CsvInputError(
                f"{self.name} is UTF-16 (it starts with a UTF-16 byte order mark): "
                "add --encoding utf-16"
            )
        if self.reencoded and self.bom:
            raise CsvInputError(
                f"{self.name} starts with a UTF-8 byte order mark, so it is UTF-8, not "
                f"{self.encoding}: leave out --encoding"
            )

    def _lines(self, text: io.TextIOWrapper) -> Iterator[str]:
        """The lines of ``text``; :class:`CsvInputError` as soon as a row grows too long."""
        readline, limit = text.readline, self.max_line
        while True:
            line = readline(limit + 1)
            if not line:
                return
            self._line += 1
            self._row_size += len(line)
            if self._row_size > limit:
                raise CsvInputError(self._too_long())
            yield line

    def _too_long(self) -> str:
        lines = (
            f"line {self._line}"
            if self._line == self._row_start
            else f"lines {self._row_start} to {self._line} (one row)"
        )
        return (
            f"{self.name} {lines}: longer than {self.max_line:,} characters, the longest "
            "line read (--max-line sets another limit)"
        )

    def _check_quotes(self, text: str, line: int) -> None:
        """Refuse a record (starting at ``line``) whose text ends inside a quoted field."""
        opened = _unclosed_quote(text, self.sep) if '"' in text else None
        if opened is not None:
            line += len(_LINE_BREAK.findall(text, 0, opened))
            raise CsvInputError(
                f"{self.name} line {line}: a quoted field starts here and its closing quote is "
                "missing (it would swallow every line after it)"
            )

    @property
    def size(self) -> int | None:
        """The file's size in bytes, when it is a regular file."""
        try:
            return os.fstat(self._binary.fileno()).st_size
        except (OSError, ValueError):  # io.UnsupportedOperation is both
            return None

    def position(self) -> int | None:
        """How many bytes have been read so far, when that can be told."""
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return None

    def _read(self) -> Iterator[tuple[list[str], str]]:
        """Each row with the text it was read from (line ending included)."""
        reader, raw = self._reader, self._raw
        read = reader.line_num
        for row in reader:
            self._row_start, self._row_size = reader.line_num + 1, 0  # the next row's
            lines = reader.line_num - read
            read += lines
            text = next(raw) if lines == 1 else "".join(itertools.islice(raw, lines))
            if _NUL_STAND_IN and "\0" in text and _NUL_STAND_IN not in text:
                row = [field.replace(_NUL_STAND_IN, "\0") for field in row]  # noqa: PLW2901
            self._last = (text, read - lines + 1)
            yield row, text

    def records(self) -> Iterator[tuple[list[str], str]]:
        """Each data row with the text it was read from (line ending included).

        Raises:
            CsvInputError: the input stops being text in its encoding, or is not CSV, or its
                last row ends inside a quoted field (an unclosed quote).
        """
        reader = self._reader
        before = reader.line_num
        with self._errors():
            yield from self._rows
        # Only the last row can end inside a quoted field: it swallowed the lines after it.
        if reader.line_num > before:
            self._check_quotes(*self._last)

    def _decode_error(self) -> str:
        """Where the input stops being text in its encoding, and an encoding that reads it."""
        binary, kept = self._binary, self._prefixed
        blocks = functools.partial(iter, functools.partial(binary.read, 1 << 16), b"")
        try:
            binary.seek(0)
            where = _undecodable(blocks(), self.encoding)
            binary.seek(0)
            advice = _encoding_advice(blocks(), self.encoding)
        except (OSError, ValueError):  # a pipe: its last blocks were kept
            where = _undecodable(list(kept.kept), self.encoding, kept)
            advice = "save it as UTF-8 and try again"
            with contextlib.suppress(OSError, ValueError):
                advice = _encoding_advice(itertools.chain(list(kept.kept), blocks()), self.encoding)
        what = "UTF-8" if self.encoding == "utf-8" else self.encoding
        return f"{self.name} is not {what}{where}; {advice}"


def _unclosed_quote(text: str, sep: str) -> int | None:
    """Where a quoted field that ``text`` never closes opens, reading it as :mod:`csv` does."""
    # Fields, each quoted up to a quote that is not doubled (or not quoted), then unquoted up
    # to a separator or a line break; they stop short only at an unclosed quote.
    s = re.escape(sep)
    fields = re.compile(f'(?:(?:"[^"]*(?:""[^"]*)*"(?!")|(?!"))[^{s}\r\n]*(?:\r\n|[{s}\r\n]|\\Z))*')
    end = next(fields.finditer(text)).end()
    return end if end < len(text) else None


def _line_breaks(data: bytes, after_cr: bool) -> int:
    """The line breaks in ``data``, CR, LF and CRLF alike (``after_cr``: a CR came just before)."""
    count = data.count(b"\r") + data.count(b"\n") - data.count(b"\r\n")
    return count - (after_cr and data.startswith(b"\n"))


def _undecodable(blocks: Iterable[bytes], encoding: str, kept: _Prefixed | None = None) -> str:
    """Which byte, on which line, of ``blocks`` cannot be decoded.

    ``blocks`` are the whole input, or the blocks ``kept`` of a pipe: those may start inside
    a UTF-8 character whose first bytes were in the block before, whose bytes are skipped.
    """
    whole = kept is None
    line, offset, after_cr = (
        (1, 0, False) if kept is None else (kept.kept_line, kept.kept_offset, kept.kept_after_cr)
    )
    if encoding == "utf-16":  # lines and bytes are not counted in UTF-16: name no line
        return ""
    decoder = codecs.getincrementaldecoder(encoding)()
    for number, block in enumerate(blocks):
        if number == 0 and not whole and encoding == "utf-8":
            skip = min(len(block) - len(block.lstrip(_CONTINUATION)), 3)
            block = block[skip:]  # noqa: PLW2901  (what is left of the block)
            offset += skip
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            start = max(exc.start, 0)
            line += _line_breaks(block[:start], after_cr)
            bad = block[start : start + 1].hex() or "?"
            return f": byte 0x{bad} at line {line} (byte offset {offset + start}) cannot be decoded"
        line += _line_breaks(block, after_cr)
        after_cr = block.endswith(b"\r")
        offset += len(block)
    if whole:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return ": it ends in the middle of a character"
    return ""


def _decodes(blocks: Iterable[bytes], encoding: str) -> bool:
    try:
        for block in blocks:
            block.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_advice(blocks: Iterable[bytes], encoding: str) -> str:
    """An encoding that decodes every block: cp1252 when it does, Excel's default in France."""
    if encoding == "utf-16":
        return "save it as UTF-16 with a byte order mark, or as UTF-8, and try again"
    if encoding == "latin-1":
        return "save it as UTF-8 and try again"
    if encoding == "utf-8" and _decodes(blocks, "cp1252"):
        return "it decodes as cp1252 (Excel's default in France): add --encoding cp1252"
    return "it decodes as latin-1: add --encoding latin-1"


def _column_matches(header: list[str], column: str) -> list[int]:
    """Where ``column`` is in ``header``: by exact name, else ignoring case and spaces."""
    exact = [i for i, h in enumerate(header) if h == column]
    wanted = column.strip().casefold()
    return exact or [i for i, h in enumerate(header) if h.strip().casefold() == wanted]


def _column_index(header: list[str], column: str, name: str) -> int:
    """Where ``column`` is in ``header``; :class:`CsvInputError` unless it is there once."""
    found = _column_matches(header, column)
    if len(found) == 1:
        return found[0]
    columns = ", ".join(f"{h!r:.60}" for h in header[:20]) + (", …" if len(header) > 20 else "")
    if found:
        raise CsvInputError(
            f"column {column!r:.200} appears {len(found)} times in the header of {name}"
        )
    raise CsvInputError(f"no column {column!r:.200} in the header of {name}; columns: {columns}")


class Progress:
    """A one-line progress report on a terminal: rows done and, when the size is known, percent.

    It rewrites its line at most ten times a second, and erases it when closed.
    """

    def __init__(self, stream: IO[str], label: str, total_bytes: int | None) -> None:
        """Report on ``stream`` (a terminal) about reading ``total_bytes`` bytes."""
        self._stream = stream
        self._label = label
        self._total = total_bytes or None
        self._shown = 0.0
        self._width = 0

    def update(self, rows: int, position: int | None) -> None:
        """Show ``rows`` rows done, ``position`` bytes read."""
        now = time.monotonic()
        if now - self._shown < 0.1:
            return
        self._shown = now
        line = f"{self._label}: {rows:,} rows"
        if self._total is not None and position is not None:
            done = min(position / self._total, 1.0)
            filled = int(done * 20)
            line = f"{self._label}: [{'#' * filled}{'.' * (20 - filled)}] {done:4.0%} {rows:,} rows"
        self._width = max(self._width, len(line))
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()

    def close(self) -> None:
        """Erase the line."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()


class _Joiner:
    """Writes a row's fields as CSV text with a separator, as :mod:`csv` quotes them."""

    def __init__(self, sep: str) -> None:
        self._text = io.StringIO()
        # csv quotes a field holding a line break only if that break is in its line
        # terminator: write CRLF after the row, and cut it off.
        self._writer = csv.writer(self._text, delimiter=sep, lineterminator="\r\n")

    def __call__(self, fields: Iterable[str]) -> str:
        self._text.seek(0)
        self._text.truncate()
        self._writer.writerow(fields)
        return self._text.getvalue()[:-2]


def convert(
    source: CsvSource,
    sink: IO[str],
    convert_cell: CellConverter,
    progress: Progress | None = None,
    *,
    excel: bool = False,
) -> Outcome:
    r"""Write every row of ``source`` to ``sink``, in order, with the added columns.

    Each row is written as it was read (its quoting and line ending kept), followed by the
    added fields; a byte order mark starts the output if it started a UTF-8 input, and always
    when the input was re-encoded. With ``excel``, the output has a byte order mark, ``;``
    and CRLF: a row read with another separator is written again from its fields' values.
    The rows above the header and the blank rows (no field holds anything) are copied through
    with no added field.

    A row with trailing empty fields beyond the header loses them. A row with real content
    beyond the header, or with fewer fields than the header, is flagged: its error says so,
    and the content beyond the header is at the end of the error cell, as one CSV row.

    Raises:
        CsvInputError: the input stops being text or CSV, ends inside a quoted field, or
            already has an added column.

    >>> import io
    >>> data = "id;ccp\r\n1;2011-06-01/2\r\n2;Mystery\r\n".encode()
    >>> out = io.StringIO()
    >>> source = CsvSource(io.BytesIO(data), "in.csv", "ccp", ";")
    >>> convert(source, out, CellConverter("2011-06-01", "2018-12-11"))
    Outcome(rows=2, unmatched=1, blank=0, above=0)
    >>> for field in out.getvalue().splitlines()[1].split(";"):
    ...     print(field)
    1
    2011-06-01/2
    Assurer le management de proximité d'une équipe de conseillers client
    Piloter la performance d'une équipe de conseillers client
    no
    <BLANKLINE>
    """
    sep = EXCEL_SEPARATOR if excel else source.sep
    newline = EXCEL_NEWLINE if excel else None
    rejoin = _Joiner(sep) if sep != source.sep else None
    out = ["\ufeff" if excel or source.bom or source.reencoded else ""]
    for row, text in source.above:  # copied through as they were read
        data = text.rstrip("\r\n")
        out += (data if rejoin is None or not row else rejoin(row), newline or text[len(data) :])
    out.append(_header(source, convert_cell, sep, newline))
    sink.write("".join(out))  # at once: a reader of a pipe sees the header before any row
    out.clear()
    fit = _Fitter(source, sep, convert_cell)
    width, index = len(source.header), source.index
    cache = _Cache()
    get = cache.get
    waiting = 0  # characters in out
    rows = unmatched = blank = 0
    for read, text in source.records():
        rows += 1
        row = read
        data = text.rstrip("\r\n")
        end = newline or text[len(data) :]
        if len(row) == width and (row[index] or any(row)):
            added = get(row[index])
            if added is None:
                added = _suffix(convert_cell(row[index]), sep)
                cache.keep(row[index], added, len(row[index]) + len(added[0]))
        elif not any(row):  # a blank row stays as it was
            blank += 1
            out += (data if rejoin is None or not row else rejoin(row), end)
            continue
        else:
            row, data, added = fit(row, data)
        if rejoin is not None:
            data = rejoin(row)
        out += (data, added[0], end)
        unmatched += added[1]
        waiting += len(text) + len(added[0])
        if len(out) >= 3 * _CHUNK_ROWS or waiting >= _CHUNK_CHARACTERS:
            sink.write("".join(out))
            out.clear()
            waiting = 0
            if progress is not None:
                progress.update(rows - blank, source.position())
    sink.write("".join(out))
    return Outcome(rows=rows - blank, unmatched=unmatched, blank=blank, above=len(source.above))


def _header(source: CsvSource, convert_cell: CellConverter, sep: str, newline: str | None) -> str:
    """The header with the added columns' names."""
    clash = [name for name in convert_cell.columns if name in source.header]
    if clash:
        raise CsvInputError(
            f"{source.name} already has a column {clash[0]!r}; "
            "convert the original file, or rename that column"
        )
    header = source.header_text.rstrip("\r\n")
    ending = newline or source.header_text[len(header) :] or source.newline
    if sep != source.sep:
        header = _Joiner(sep)(source.header)
    return header + _suffix(convert_cell.columns, sep)[0] + ending


def _suffix(values: tuple[str, ...], sep: str) -> tuple[str, bool]:
    """The added fields as CSV text to put after a row, and whether they report an error.

    They are written from the data: one that a spreadsheet would read as a formula gets a
    ``'`` before it (:func:`titre_mercd._cells.csv_text`).
    """
    return sep + _Joiner(sep)(map(csv_text, values)), bool(values[-1])


class _Fitter:
    """Fits a row with more or fewer fields than the header to the header's width."""

    def __init__(self, source: CsvSource, sep: str, convert_cell: CellConverter) -> None:
        self._source, self._sep, self._convert_cell = source, sep, convert_cell
        self._join_in, self._join_out = _Joiner(source.sep), _Joiner(sep)
        self._empty = ("",) * (len(convert_cell.columns) - 1)

    def __call__(self, row: list[str], data: str) -> tuple[list[str], str, tuple[str, bool]]:
        """The row cut or padded to the header's width, its text, and its added fields."""
        width, count, sep = len(self._source.header), len(row), self._source.sep
        if count < width:
            fewer = self._problem("fewer", count, width)
            return row + [""] * (width - count), data + sep * (width - count), fewer
        extra = row[width:]
        while extra and not extra[-1]:  # trailing empty fields hold nothing: dropped
            extra.pop()
        row, trailing = row[:width], sep * (count - width)
        if extra or not data.endswith(trailing):
            data = self._join_in(row)
        else:
            data = data[: len(data) - len(trailing)]
        if extra:
            return row, data, self._problem("beyond csv", len(extra), width, self._join_out(extra))
        return row, data, _suffix(self._convert_cell(row[self._source.index]), self._sep)

    def _problem(self, what: str, count: int, width: int, after: str = "") -> tuple[str, bool]:
        words = self._convert_cell.words[what]
        problem = words.format(count=count, s="s" if count > 1 else "", width=width) + after
        return _suffix((*self._empty, problem), self._sep)
