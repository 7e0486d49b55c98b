"""Bulk conversion: a CSV file of candidates' CCPs converted, row by row, to another version.

One column of the file holds the CCPs a candidate holds, as people type their titles, as
``KEY/N`` references or as bloc numbers (« CCP 2 », « 2 »), separated by ``|`` or line breaks
(and by ``;`` or ``,`` when that is not the file's separator and every part then names a bloc).
Every row comes out, in order, with four columns added: the blocks of the target version deemed
obtained, those still missing, whether all are held, and an error (empty when the row
converted). A row whose labels cannot all be matched keeps its data, gets the error and no
result: a partial answer could mislead a jury.

The file may come from a spreadsheet: UTF-8 with or without a byte order mark, or cp1252,
latin-1 or UTF-16 when asked; the separator is detected from the header when not given. Rows
are kept as they were read when nothing asks for a change; otherwise each field's value is kept
exactly and only the encoding, the separator or the line ending changes.

It streams: rows are read, converted and written in chunks, so memory does not grow with the
file. Each distinct cell is converted once and remembered (candidates' cells repeat), in a
cache bounded in entries and in characters, as the chunks are.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import itertools
import operator
import re
import sys
import time
from collections import deque
from typing import IO, TYPE_CHECKING, Any, cast

import attrs

from ._cells import csv_text
from ._records import Block
from ._referentiel import deemed_obtained, find_block, match_block, version, versions
from .exceptions import AmbiguousBlockError, CsvInputError, UndecidedError, UnknownBlockError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed import WriteableBuffer

__all__ = [
    "ENCODINGS",
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
    "separator_name",
    "stderr_progress",
]

LIST_SEPARATOR = "|"
"""What separates the CCPs inside one cell on output (and, with line breaks, on input)."""

ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
"""The encodings a CSV input may be read in (UTF-8, with or without a byte order mark, first)."""

SEPARATORS = (";", ",", "\t", "|")
"""The separators detected from the header, in order of preference when the header is silent."""

MAX_LINE = 1 << 20
"""The longest line read by default, in characters: a row, its quoted line breaks included.

A longer one is refused with its line number (``--max-line`` on the command line sets another
limit), and so is a longer field: memory stays bounded whatever the input, ``/dev/zero``
included.
"""

EXCEL_SEPARATOR, EXCEL_NEWLINE = ";", "\r\n"
"""What French Excel reads without asking: ``;`` between fields, CRLF (and a byte order mark)."""

# Each accepted name (as :func:`codecs.lookup` spells it) and the codec that reads it.
_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252"}
_CODECS.update({"iso8859-1": "latin-1", "utf-16": "utf-16"})
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# What stands for NUL while csv parses a row, before Python 3.11 (csv refuses NUL there); a
# row's fields get their NUL back unless its text holds that character too.
_NUL_STAND_IN = "\ufffd" if sys.version_info < (3, 11) else ""
_CONTINUATION = bytes(range(0x80, 0xC0))  # the bytes that continue a UTF-8 character
_CHUNK_ROWS = 4096
_CHUNK_CHARACTERS = 1 << 20  # rows are written once this much text is waiting
_CACHE_LIMIT = 1 << 16
# Each cache of converted cells and labels holds at most this many characters (keys and
# values): with distinct large cells, memory stays flat whatever the file's size. An entry
# larger than _CACHE_ENTRY_CHARACTERS is not kept at all: a cell that long rarely repeats.
_CACHE_CHARACTERS = 1 << 22
_CACHE_ENTRY_CHARACTERS = 1 << 16
# csv's default limit (128 KiB) refuses a long field; the largest value every platform's C
# long can hold lets any field through (a row is held in memory whatever its size).
_FIELD_LIMIT = 2**31 - 1
# How much of the start of the file the separator is detected from, at most.
_HEADER_LINES, _HEADER_CHARS = 100, 1 << 20
# What separates CCPs in a cell whatever the file's separator: '|' and line breaks.
_CELL_PARTS = re.compile(r"\r\n|[|\r\n]")
# A bloc of the --from version by its number: « CCP 2 », « CCP2 », « ccp n° 2 », « 2 ».
_BLOCK_NUMBER = re.compile(r"(?:ccp\s*(?:n\s*°\s*)?)?([0-9]{1,3})", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SHOWN = 60  # characters of a label an error cell quotes

Added = tuple[str, str, str, str]


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
    """What a conversion did: rows written (header excluded) and rows with an error."""

    rows: int
    unmatched: int


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


def added_columns(to_key: str) -> tuple[str, str, str, str]:
    """The names of the four columns a conversion to ``to_key`` adds.

    >>> added_columns("2018-12-11")[0]
    'deemed obtained (2018-12-11)'
    """
    return (
        f"deemed obtained ({to_key})",
        f"still missing ({to_key})",
        f"all blocs held ({to_key})",
        "conversion error",
    )


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


def resolve_block(label: str, from_key: str, to_key: str, *, explain: bool = True) -> Block:
    """The block ``label`` names: one of version ``from_key``, or of a later one up to ``to_key``.

    A bare number, « CCP 2 » or « CCP2 » is that bloc of ``from_key``. Unless ``explain``,
    an :class:`UnknownBlockError` does not name the closest titles (their search is costly).

    Raises:
        UnknownBlockError: no block of those versions matches (with the closest titles of
            ``from_key``), or the number is not one of ``from_key``'s blocs.
        AmbiguousBlockError: several match.

    >>> resolve_block("manager une equipe de conseillers clientele a distance",
    ...               "2011-06-01", "2018-12-11").ref
    '2011-06-01/2'
    >>> resolve_block("CCP 3", "2011-06-01", "2018-12-11").ref
    '2011-06-01/3'
    """
    number = _number(label)
    if number is not None:
        blocks = version(from_key).blocks
        if 1 <= number <= len(blocks):
            return blocks[number - 1]
        raise UnknownBlockError(
            f"no CCP {number} in version {version(from_key).key}: its CCPs are numbered "
            f"1 to {len(blocks)}; given {label[:_SHOWN]!r}"
        )
    try:
        return find_block(label, from_key) if explain else match_block(label, from_key)
    except UnknownBlockError as not_in_from:
        keys = [v.key for v in versions()]
        first, last = keys.index(version(from_key).key), keys.index(version(to_key).key)
        try:
            found = match_block(label)  # its message would be discarded: not explained
        except (UnknownBlockError, AmbiguousBlockError):
            raise not_in_from from None
        if first <= keys.index(found.version_key) <= last:
            return found
        raise not_in_from from None


def _shown(label: str) -> str:
    """``label`` quoted for an error cell, cut to a few words."""
    return repr(label if len(label) <= _SHOWN else label[: _SHOWN - 1] + "…")


class CellConverter:
    """Converts one cell of CCPs into the four added values.

    The CCPs of a cell are separated by ``|`` or line breaks, or by ``;`` or ``,`` (those that
    are not ``sep``, the file's separator) when every part then names a bloc: a title that
    holds a comma stays one title.

    >>> convert_cell = CellConverter("2011-06-01", "2018-12-11")
    >>> deemed, missing, complete, error = convert_cell("2011-06-01/2 | 2011-06-01/3")
    >>> complete, error
    ('yes', '')
    >>> convert_cell("CCP 2, CCP3")[2:]
    ('yes', '')
    >>> convert_cell("CCP 2 | Accueillir le public")
    ('', '', '', "unknown bloc 'Accueillir le public'")
    """

    __slots__ = ("_blocks", "_from", "_splitters", "_to", "_to_blocks")

    def __init__(self, from_key: str, to_key: str, sep: str | None = None) -> None:
        """Check both keys (:class:`~titre_mercd.UnknownVersionError` if unknown)."""
        self._from = version(from_key).key
        self._to = version(to_key).key
        self._to_blocks = version(to_key).blocks
        self._blocks = _Cache()  # label -> Block, or a few words saying why none
        others = [c for c in ";," if c != sep]
        # Try each other separator alone (a title may hold the other), then all together.
        self._splitters = [re.compile(re.escape(c)) for c in others]
        if len(others) > 1:
            self._splitters.append(re.compile("[;,]"))

    def _block(self, label: str) -> Block | str:
        """The block ``label`` names, or a few words saying why none does."""
        found: Block | str | None = self._blocks.get(label)
        if found is None:
            try:
                found = resolve_block(label, self._from, self._to, explain=False)
            except UnknownBlockError:
                number = _number(label)
                found = (
                    f"unknown bloc {_shown(label)}"
                    if number is None
                    else f"no CCP {number} in {self._from}"
                )
            except AmbiguousBlockError:
                found = f"several blocs match {_shown(label)}"
            self._blocks.keep(
                label, found, len(label) + (len(found) if isinstance(found, str) else 0)
            )
        return found

    def _split(self, label: str) -> list[Block] | None:
        """The blocs ``label`` names when split at ``;`` or ``,`` and every part names one."""
        for splitter in self._splitters:
            parts = [part.strip() for part in splitter.split(label)]
            labels = [part for part in parts if part]
            if len(labels) > 1:
                found = [self._block(part) for part in labels]
                if all(isinstance(block, Block) for block in found):
                    return cast("list[Block]", found)
        return None

    def __call__(self, cell: str) -> Added:
        """The added values for ``cell``: deemed obtained, missing, all held, error."""
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
                    errors.append(found)
                else:
                    held.extend(split)
        if errors:
            return ("", "", "", "; ".join(errors))
        try:
            obtained = deemed_obtained(held, self._to)
        except UndecidedError as exc:  # never « none » or « all missing » for it
            return ("", "", "", f"not known: {exc}")
        deemed = " | ".join(b.title for b in self._to_blocks if b in obtained)
        missing = " | ".join(b.title for b in self._to_blocks if b not in obtained)
        return (deemed, missing, "no" if missing else "yes", "")


class _Prefixed(io.RawIOBase):
    """A binary stream giving ``head`` (already read from ``rest``) and then the rest.

    From a stream that cannot be read again (a pipe), it keeps the last two blocks it gave
    and counts the lines before them, so that an undecodable byte can still be located.
    """

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head = head
        self._rest = rest
        # One read of the stream at most: a pipe gives what it has, without waiting for more
        # (a buffered reader's readinto1 would wait to fill a large buffer; its read1 does not).
        self._read = getattr(rest, "read1", rest.read)
        try:
            self._keep = not rest.seekable()
        except (OSError, ValueError):
            self._keep = True
        self.kept: deque[bytes] = deque(maxlen=2)
        self.kept_line = 1  # the line the first kept block starts on
        self.kept_offset = 0  # and its byte offset
        self.kept_after_cr = False  # whether a CR came just before it

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
        return count

    def fileno(self) -> int:
        return self._rest.fileno()

    def seekable(self) -> bool:
        return self._rest.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        """Only back to the start (to read a regular file again)."""
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


class CsvSource:
    """A CSV file being read: its header, the position of the column asked for, its rows.

    Reads UTF-8 with or without a byte order mark (or cp1252, latin-1, UTF-16 with a byte
    order mark when ``encoding`` says so), any line ending and quoted fields, and gives each
    row with the text it was read from, so the output can keep that text as it is.
    """

    def __init__(  # noqa: PLR0913  (the limit is a keyword option)
        self,
        binary: IO[bytes],
        name: str,
        column: str,
        sep: str | None = None,
        encoding: str | None = None,
        *,
        max_line: int = MAX_LINE,
    ) -> None:
        """Read the header and find ``column``; :class:`CsvInputError` if either fails.

        ``sep`` ``None`` detects the separator from the header; ``encoding`` ``None`` is UTF-8.
        A row longer than ``max_line`` characters (its quoted line breaks included) is refused.
        """
        self.name = name
        self.column = column
        self.max_line = max_line
        self._line = 0  # the lines read so far
        self._row_start = 1  # the line the row being read starts on
        self._row_size = 0  # and the characters read of it
        self.encoding = "utf-8" if encoding is None else check_encoding(encoding)
        self.reencoded = self.encoding != "utf-8"
        try:
            head = _read_head(binary, 4)
        except OSError as exc:
            raise CsvInputError(f"cannot read {name}: {exc.strerror or exc}") from None
        self._prefixed = _Prefixed(head, binary)
        self._binary = io.BufferedReader(self._prefixed, 1 << 16)
        self.bom = head.startswith(codecs.BOM_UTF8)
        self._check_head(head)
        codec = {"utf-8": "utf-8-sig"}.get(self.encoding, self.encoding)
        text = io.TextIOWrapper(self._binary, encoding=codec, newline="")
        self._reader = csv.reader(())
        try:
            first, lines = self._first_lines(self._lines(text))
            self.sep_detected = sep is None
            self.sep = detect_separator("".join(first), column) if sep is None else sep
            # The reader parses one copy of the lines; the other gives each row's own text.
            parsed: Iterator[str]
            parsed, self._raw = itertools.tee(itertools.chain(first, lines))
            if _NUL_STAND_IN:  # csv reads NUL characters from Python 3.11 on
                parsed = map(operator.methodcaller("replace", "\0", _NUL_STAND_IN), parsed)
            self._reader = csv.reader(parsed, delimiter=self.sep)
            header = next(self._reader, None)
            self._next_row()
            header_text = "".join(itertools.islice(self._raw, self._reader.line_num))
        except UnicodeDecodeError:
            raise CsvInputError(self._decode_error()) from None
        except csv.Error as exc:
            raise CsvInputError(f"{name} line {self._reader.line_num}: {exc}") from None
        except OSError as exc:
            raise CsvInputError(f"cannot read {name}: {exc.strerror or exc}") from None
        if not header or header == [""]:
            raise CsvInputError(
                f"{name} is empty: expected a header row naming column {column!r:.200}"
            )
        self._check_quotes(header_text, 1)
        self.header = header
        self.header_text = header_text
        self.newline = "\r\n" if header_text.endswith("\r\n") else "\n"
        self.index = _column_index(header, column, name)

    def _check_head(self, head: bytes) -> None:
        """Refuse a start of file that says it is in another encoding than the one asked for."""
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

    def _next_row(self) -> None:
        """Start counting the characters of the next row."""
        self._row_start = self._reader.line_num + 1
        self._row_size = 0

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

    def _first_lines(self, text: Iterable[str]) -> tuple[list[str], Iterator[str]]:
        """The lines of the header record (to detect the separator from), and the others."""
        lines = iter(text)
        first: list[str] = []
        size = quotes = 0
        for line in lines:
            first.append(line)
            size += len(line)
            quotes += line.count('"')
            if quotes % 2 == 0 or len(first) >= _HEADER_LINES or size >= _HEADER_CHARS:
                break
        return first, lines

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
            import os

            return os.fstat(self._binary.fileno()).st_size
        except (OSError, ValueError, io.UnsupportedOperation):
            return None

    def position(self) -> int | None:
        """How many bytes have been read so far, when that can be told."""
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return None

    def records(self) -> Iterator[tuple[list[str], str]]:
        """Each data row with the text it was read from (line ending included).

        Raises:
            CsvInputError: the input stops being text in its encoding, or is not CSV, or its
                last row ends inside a quoted field (an unclosed quote).
        """
        reader, raw = self._reader, self._raw
        read = reader.line_num
        text, lines = "", 0
        try:
            for row in reader:
                self._next_row()
                lines = reader.line_num - read
                read += lines
                text = next(raw) if lines == 1 else "".join(itertools.islice(raw, lines))
                if _NUL_STAND_IN and "\0" in text and _NUL_STAND_IN not in text:
                    row = [field.replace(_NUL_STAND_IN, "\0") for field in row]  # noqa: PLW2901
                yield row, text
        except UnicodeDecodeError:
            raise CsvInputError(self._decode_error()) from None
        except csv.Error as exc:
            raise CsvInputError(f"{self.name} line {reader.line_num}: {exc}") from None
        except OSError as exc:
            raise CsvInputError(f"cannot read {self.name}: {exc.strerror or exc}") from None
        # Only the last row can end inside a quoted field: it swallowed the lines after it.
        self._check_quotes(text, read - lines + 1)

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
    unquoted = re.compile(f"[^{re.escape(sep)}\r\n]*")
    at, end = 0, len(text)
    while at < end:
        if text[at] == '"':  # a quoted field: up to a quote that is not doubled
            search = at + 1
            while True:
                close = text.find('"', search)
                if close < 0:
                    return at
                if text.startswith('"', close + 1):
                    search = close + 2
                    continue
                break
            at = close + 1
        match = unquoted.match(text, at)
        at = match.end() if match else at
        if at < end:  # a separator or a line break: the next field starts after it
            at += 2 if text.startswith("\r\n", at) else 1
    return None


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


def _decodes(decoder: codecs.IncrementalDecoder, block: bytes) -> bool:
    """Whether ``decoder`` decodes ``block``."""
    try:
        decoder.decode(block)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_advice(blocks: Iterable[bytes], encoding: str) -> str:
    """An encoding that decodes every block: cp1252 when it does, Excel's default in France."""
    candidates = {"utf-8": ["cp1252", "latin-1"], "cp1252": ["latin-1"]}.get(encoding, [])
    decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
    for block in blocks:
        for name, decoder in list(decoders.items()):
            if not _decodes(decoder, block):
                del decoders[name]
        if not decoders:
            break
    for name in decoders:
        why = " (Excel's default in France)" if name == "cp1252" else ""
        return f"it decodes as {name}{why}: add --encoding {name}"
    if encoding == "utf-16":
        return "save it as UTF-16 with a byte order mark, or as UTF-8, and try again"
    return "save it as UTF-8 and try again"


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


def convert(  # noqa: PLR0913  (the progress report and the Excel form are options)
    source: CsvSource,
    sink: IO[str],
    convert_cell: CellConverter,
    to_key: str,
    progress: Progress | None = None,
    *,
    excel: bool = False,
) -> Outcome:
    r"""Write every row of ``source`` to ``sink``, in order, with the four added columns.

    Each row is written as it was read (its quoting and line ending kept), followed by the
    added fields; a byte order mark starts the output if it started a UTF-8 input, and always
    when the input was re-encoded. With ``excel``, the output has a byte order mark, ``;``
    and CRLF: a row read with another separator is written again from its fields' values.

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
    >>> convert(source, out, CellConverter("2011-06-01", "2018-12-11"), "2018-12-11")
    Outcome(rows=2, unmatched=1)
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
    sink.write(_header(source, to_key, sep=sep, newline=newline, bom=excel or source.bom))
    fit = _Fitter(source, sep)
    width, index = len(source.header), source.index
    cache = _Cache()
    get = cache.get
    out: list[str] = []
    waiting = 0  # characters in out
    rows = unmatched = 0
    for read, text in source.records():
        rows += 1
        row = read
        data = text.rstrip("\r\n")
        end = newline or text[len(data) :]
        if len(row) == width:
            added = get(row[index])
            if added is None:
                added = _suffix(convert_cell(row[index]), sep)
                cache.keep(row[index], added, len(row[index]) + len(added[0]))
        elif not row:  # a blank line stays a blank line
            out.append(end)
            continue
        else:
            row, data, added = fit(row, data, convert_cell)
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
                progress.update(rows, source.position())
    sink.write("".join(out))
    return Outcome(rows=rows, unmatched=unmatched)


def _header(
    source: CsvSource,
    to_key: str,
    *,
    sep: str,
    newline: str | None,
    bom: bool,
) -> str:
    """The header with the added columns' names; a byte order mark first if ``bom``."""
    added_names = added_columns(to_key)
    clash = [name for name in added_names if name in source.header]
    if clash:
        raise CsvInputError(
            f"{source.name} already has a column {clash[0]!r}; "
            "convert the original file, or rename that column"
        )
    header = source.header_text.rstrip("\r\n")
    ending = newline or source.header_text[len(header) :] or source.newline
    if sep != source.sep:
        header = _Joiner(sep)(source.header)
    bom = bom or source.reencoded
    return ("\ufeff" if bom else "") + header + _suffix(added_names, sep)[0] + ending


def _suffix(values: tuple[str, ...], sep: str) -> tuple[str, bool]:
    """The added fields as CSV text to put after a row, and whether they report an error.

    They are written from the data: one that a spreadsheet would read as a formula gets a
    ``'`` before it (:func:`titre_mercd._cells.csv_text`).
    """
    return sep + _Joiner(sep)(map(csv_text, values)), bool(values[3:] and values[3])


class _Fitter:
    """Fits a row with more or fewer fields than the header to the header's width."""

    def __init__(self, source: CsvSource, sep: str) -> None:
        self._width = len(source.header)
        self._index = source.index
        self._sep = source.sep
        self._join_in = _Joiner(source.sep)
        self._join_out = _Joiner(sep)
        self._out_sep = sep

    def __call__(
        self, row: list[str], data: str, convert_cell: CellConverter
    ) -> tuple[list[str], str, tuple[str, bool]]:
        """The row cut or padded to the header's width, its text, and its added fields."""
        width, count = self._width, len(row)
        if count < width:
            problem = (
                f"the row has {count} field{'s' if count > 1 else ''}, the header {width}: "
                "check its separators"
            )
            row = row + [""] * (width - count)
            return (
                row,
                data + self._sep * (width - count),
                _suffix(("", "", "", problem), self._out_sep),
            )
        extra = row[width:]
        while extra and not extra[-1]:  # trailing empty fields hold nothing: dropped
            extra.pop()
        row = row[:width]
        trailing = self._sep * (count - width)
        if not extra and data.endswith(trailing):
            data = data[: len(data) - len(trailing)]
        else:
            data = self._join_in(row)
        if not extra:
            return row, data, _suffix(convert_cell(row[self._index]), self._out_sep)
        problem = (
            f"{len(extra)} field{'s' if len(extra) > 1 else ''} beyond the header's {width} "
            f"columns, kept here as CSV: {self._join_out(extra)}"
        )
        return row, data, _suffix(("", "", "", problem), self._out_sep)


def stderr_progress(source: CsvSource) -> Progress | None:
    """A progress report on standard error when it is a terminal, else ``None``."""
    stream = sys.stderr
    if stream is None or not stream.isatty():
        return None
    return Progress(stream, f"converting {source.name}", source.size)
