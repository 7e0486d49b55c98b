"""Bulk conversion: a CSV file of candidates' CCPs converted, row by row, to another version.

One column of the file holds the CCPs a candidate holds, as people type their titles or as
``KEY/N`` references, separated by ``|``. Every row comes out, in order, with four columns
added: the blocks of the target version deemed obtained, those still missing, whether all are
held, and an error (empty when the row converted). A row whose labels cannot all be matched
keeps its data, gets the error and no result: a partial answer could mislead a jury.

It streams: rows are read, converted and written in chunks, so memory does not grow with the
file. Each distinct cell is converted once and remembered (candidates' cells repeat), in a
cache bounded in entries and in characters, as the chunks are.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import operator
import sys
import time
from typing import IO, TYPE_CHECKING, Any, cast

import attrs

from ._correspondence import deemed_obtained
from ._queries import find_block, match_block, version, versions
from .exceptions import AmbiguousBlockError, UnknownBlockError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._records import Block

__all__ = [
    "CellConverter",
    "CsvInputError",
    "CsvSource",
    "Outcome",
    "Progress",
    "added_columns",
    "convert",
    "large_fields",
    "resolve_block",
    "stderr_progress",
]

LIST_SEPARATOR = "|"
"""What separates the CCPs inside one cell, on input and on output."""

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


class CsvInputError(ValueError):
    """The input cannot be read as the CSV file asked for; the message is one line."""


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


def resolve_block(label: str, from_key: str, to_key: str) -> Block:
    """The block ``label`` names: one of version ``from_key``, or of a later one up to ``to_key``.

    Raises:
        UnknownBlockError: no block of those versions matches (with the closest titles of
            ``from_key``).
        AmbiguousBlockError: several match.

    >>> resolve_block("manager une equipe de conseillers clientele a distance",
    ...               "2011-06-01", "2018-12-11").ref
    '2011-06-01/2'
    """
    try:
        return find_block(label, from_key)
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


class CellConverter:
    """Converts one cell (CCPs separated by ``|``) into the four added values.

    >>> convert_cell = CellConverter("2011-06-01", "2018-12-11")
    >>> deemed, missing, complete, error = convert_cell("2011-06-01/2 | 2011-06-01/3")
    >>> complete, error
    ('yes', '')
    """

    __slots__ = ("_blocks", "_from", "_to", "_to_blocks")

    def __init__(self, from_key: str, to_key: str) -> None:
        """Check both keys (:class:`~titre_mercd.UnknownVersionError` if unknown)."""
        self._from = version(from_key).key
        self._to = version(to_key).key
        self._to_blocks = version(to_key).blocks
        self._blocks = _Cache()  # label -> Block, or the error message saying why none

    def _block(self, label: str) -> Block | str:
        """The block ``label`` names, or the error message saying why none does."""
        found: Block | str | None = self._blocks.get(label)
        if found is None:
            try:
                found = resolve_block(label, self._from, self._to)
            except (UnknownBlockError, AmbiguousBlockError) as exc:
                found = str(exc)
            self._blocks.keep(
                label, found, len(label) + (len(found) if isinstance(found, str) else 0)
            )
        return found

    def __call__(self, cell: str) -> Added:
        """The added values for ``cell``: deemed obtained, missing, all held, error."""
        held = []
        errors = []
        for part in cell.split(LIST_SEPARATOR):
            label = part.strip()
            if label:
                found = self._block(label)
                if isinstance(found, str):
                    errors.append(found)
                else:
                    held.append(found)
        if errors:
            return ("", "", "", "; ".join(errors))
        obtained = deemed_obtained(held, self._to)
        deemed = " | ".join(b.title for b in self._to_blocks if b in obtained)
        missing = " | ".join(b.title for b in self._to_blocks if b not in obtained)
        return (deemed, missing, "no" if missing else "yes", "")


class CsvSource:
    """A CSV file being read: its header, the position of the column asked for, its rows.

    Reads UTF-8 with or without a byte order mark, any line ending and quoted fields, and
    gives each row with the text it was read from, so the output can keep that text as it is.
    """

    def __init__(self, binary: IO[bytes], name: str, column: str, sep: str) -> None:
        """Read the header and find ``column``; :class:`CsvInputError` if either fails."""
        buffered = (
            binary
            if isinstance(binary, io.BufferedReader)
            else io.BufferedReader(cast("io.RawIOBase", binary))
        )
        self.name = name
        self.column = column
        self.sep = sep
        self._binary = buffered
        try:
            self.bom = buffered.peek(3)[:3] == codecs.BOM_UTF8
            text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
            # The reader parses one copy of the lines; the other gives each row's own text.
            parsed: Iterator[str]
            parsed, self._raw = itertools.tee(text)
            if sys.version_info < (3, 11):  # csv reads NUL characters from Python 3.11 on
                parsed = map(operator.methodcaller("replace", "\0", "\ufffd"), parsed)
            self._reader = csv.reader(parsed, delimiter=sep)
            header = next(self._reader, None)
            header_text = "".join(itertools.islice(self._raw, self._reader.line_num))
        except UnicodeDecodeError:
            raise CsvInputError(self._decode_error()) from None
        except csv.Error as exc:
            raise CsvInputError(f"{name} line {self._reader.line_num}: {exc}") from None
        except OSError as exc:
            raise CsvInputError(f"cannot read {name}: {exc.strerror or exc}") from None
        if not header or header == [""]:
            raise CsvInputError(f"{name} is empty: expected a header row naming column {column!r}")
        self.header = header
        self.header_text = header_text
        self.newline = "\r\n" if header_text.endswith("\r\n") else "\n"
        self.index = _column_index(header, column, name)

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
            CsvInputError: the input stops being UTF-8, or is not CSV.
        """
        reader, raw = self._reader, self._raw
        read = reader.line_num
        try:
            for row in reader:
                lines = reader.line_num - read
                read += lines
                yield row, next(raw) if lines == 1 else "".join(itertools.islice(raw, lines))
        except UnicodeDecodeError:
            raise CsvInputError(self._decode_error()) from None
        except csv.Error as exc:
            raise CsvInputError(f"{self.name} line {reader.line_num}: {exc}") from None
        except OSError as exc:
            raise CsvInputError(f"cannot read {self.name}: {exc.strerror or exc}") from None

    def _decode_error(self) -> str:
        """Where the input stops being UTF-8, found again from the start when it can be."""
        advice = "save it as UTF-8 and try again"
        try:
            self._binary.seek(0)
        except (OSError, ValueError):
            return f"{self.name} is not UTF-8 text; {advice}"
        decoder = codecs.getincrementaldecoder("utf-8")()
        line, offset = 1, 0
        for block in iter(lambda: self._binary.read(1 << 16), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                at = offset + max(exc.start, 0)
                line += block.count(b"\n", 0, max(exc.start, 0))
                bad = block[exc.start : exc.start + 1].hex() if exc.start >= 0 else "?"
                return (
                    f"{self.name} is not UTF-8: byte 0x{bad} at line {line} (byte offset {at}) "
                    f"cannot be decoded; {advice}"
                )
            line += block.count(b"\n")
            offset += len(block)
        return f"{self.name} is not UTF-8: it ends in the middle of a character; {advice}"


def _column_index(header: list[str], column: str, name: str) -> int:
    """Where ``column`` is in ``header``: by exact name, else ignoring case and spaces."""
    exact = [i for i, h in enumerate(header) if h == column]
    loose = [i for i, h in enumerate(header) if h.strip().casefold() == column.strip().casefold()]
    found = exact or loose
    if len(found) == 1:
        return found[0]
    columns = ", ".join(repr(h) for h in header[:20]) + (", …" if len(header) > 20 else "")
    if found:
        raise CsvInputError(f"column {column!r} appears {len(found)} times in the header of {name}")
    raise CsvInputError(f"no column {column!r} in the header of {name}; columns: {columns}")


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


def convert(
    source: CsvSource,
    sink: IO[str],
    convert_cell: CellConverter,
    to_key: str,
    progress: Progress | None = None,
) -> Outcome:
    r"""Write every row of ``source`` to ``sink``, in order, with the four added columns.

    Each row is written as it was read (its quoting and line ending kept), followed by the
    added fields; a byte order mark starts the output if it started the input.

    Raises:
        CsvInputError: the input stops being UTF-8 or CSV, or already has an added column.

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
    added_names = added_columns(to_key)
    clash = [name for name in added_names if name in source.header]
    if clash:
        raise CsvInputError(
            f"{source.name} already has a column {clash[0]!r}; "
            "convert the original file, or rename that column"
        )
    sep, width, index = source.sep, len(source.header), source.index
    header = source.header_text.rstrip("\r\n")
    ending = source.header_text[len(header) :] or source.newline
    sink.write(("\ufeff" if source.bom else "") + header + _suffix(added_names, sep)[0] + ending)
    cache = _Cache()
    get = cache.get
    out: list[str] = []
    waiting = 0  # characters in out
    rows = unmatched = 0
    for row, text in source.records():
        rows += 1
        if len(row) == width:
            added = get(row[index])
            if added is None:
                added = _suffix(convert_cell(row[index]), sep)
                cache.keep(row[index], added, len(row[index]) + len(added[0]))
        elif not row:  # a blank line stays a blank line
            out.append(text)
            continue
        else:
            values = _irregular(row, width, index, source.column, convert_cell)
            suffix, bad = _suffix(values, sep)
            added = (sep * max(width - len(row), 0) + suffix, bad)
        data = text.rstrip("\r\n")
        out += (data, added[0], text[len(data) :])
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


def _suffix(values: tuple[str, ...], sep: str) -> tuple[str, bool]:
    """The added fields as CSV text to put after a row, and whether they report an error."""
    text = io.StringIO()
    csv.writer(text, delimiter=sep, lineterminator="").writerow(values)
    return sep + text.getvalue(), bool(values[3:] and values[3])


def _irregular(
    row: list[str], width: int, index: int, column: str, convert_cell: CellConverter
) -> Added:
    """The added values of a row with more or fewer fields than the header."""
    if len(row) > width:
        return ("", "", "", f"the row has {len(row)} fields, more than the header's {width}")
    if index >= len(row):
        return ("", "", "", f"the row has {len(row)} fields, too few to hold column {column!r}")
    return convert_cell(row[index])


def stderr_progress(source: CsvSource) -> Progress | None:
    """A progress report on standard error when it is a terminal, else ``None``."""
    stream = sys.stderr
    if stream is None or not stream.isatty():
        return None
    return Progress(stream, f"converting {source.name}", source.size)
