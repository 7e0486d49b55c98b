"""Reading a workbook within bounds: what any .xlsx file, however built, may cost.

openpyxl reads what Excel and LibreOffice write, and trusts it: a shared-strings table of a
billion strings, a sheet of a hundred million empty ``<row/>`` elements or one cell at row
2,000,000,000 are read until the machine gives up. Here the same reader works behind bounds,
each checked before the work it would cost is done:

- the zip: every member as the registry's export is (:data:`titre_mercd._rncp_export.MAX_INFLATED`
  bytes inflated at most, at a ratio of :data:`~titre_mercd._rncp_export.MAX_RATIO` at most),
  not encrypted, stored or deflated (the two methods Office uses);
- every XML part: no DOCTYPE (so no entity to expand), nesting at most :data:`MAX_DEPTH` deep,
  and never more than :data:`MAX_TEXT` bytes without an element starting or ending (a text
  node longer than any cell holds);
- the parts read whole (the workbook, its relationships, the styles): :data:`MAX_PART` bytes
  and :data:`MAX_ELEMENTS` elements at most;
- the shared strings (kept in memory, as every cell may refer to any): :data:`MAX_STRINGS`
  bytes of memory at most;
- a sheet: rows and columns within Excel's own limits (1,048,576 rows, 16,384 columns), its
  rows in order, each freed once read.

Every refusal is an :class:`~titre_mercd.exceptions.XlsxInputError` naming the workbook and
the zip member, as is a member that does not inflate or does not parse.
"""

from __future__ import annotations

import functools
import itertools
import re
import struct
import sys
import zipfile
import zlib
from typing import IO, TYPE_CHECKING, Any, Callable, TypeVar
from xml.etree.ElementTree import ParseError, XMLPullParser

from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS

from ._xlsx import error_detail, refuse_ole
from .exceptions import XlsxInputError

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Iterator

__all__ = [
    "MAX_COLUMNS",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MAX_MEMBERS",
    "MAX_PART",
    "MAX_ROWS",
    "MAX_STRINGS",
    "MAX_TEXT",
    "ErrorValue",
    "load_workbook",
]

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
"""Excel's own limits on a sheet: no application writes a cell beyond them."""

MAX_DEPTH = 100
"""How deep elements may nest in a part (a sheet's cells are 4 or 5 deep)."""

MAX_TEXT = 1 << 20
"""Bytes of a part read without an element starting or ending (a cell holds 32,767 characters)."""

MAX_PART = 16 << 20
"""Bytes a part read whole (workbook, relationships, styles) may inflate to."""

MAX_ELEMENTS = 200_000
"""Elements a part read whole may hold (styles of Excel's 64,000 cell formats included)."""

MAX_STRINGS = 64 << 20
"""Bytes of memory the shared strings may take (as Python holds them)."""

MAX_MEMBERS = 10_000
"""Members a workbook's zip may hold (a workbook of a hundred sheets holds a few hundred)."""

_T = TypeVar("_T")
_CHUNK = 1 << 16  # bytes fed to a parser at a time
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _SI, _TEXT, _RUN = (f"{_MAIN}{tag}" for tag in ("row", "si", "t", "r"))
_DIMENSION, _SHEET_DATA = f"{_MAIN}dimension", f"{_MAIN}sheetData"
_ROW_ELEMENTS = 16 * MAX_COLUMNS  # elements of one row: a cell, its value, its runs of text
_SIZE_SEARCH = 1_000  # elements looked through for a sheet's dimension, before its rows
_EOCD_SEARCH = 22 + 0xFFFF  # the end of central directory record, and its comment
# What may precede the root element: a byte order mark, an XML declaration, processing
# instructions, comments and spaces. A DOCTYPE is what may not (it declares entities).
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)


def _refuse(workbook: object, member: str | None, why: str) -> XlsxInputError:
    """The error for ``workbook`` (its name, or a :class:`_Place` in it), ``member`` and why."""
    where = f"{workbook}" if member is None else f"{workbook}, zip member {member[:100]!r}"
    return XlsxInputError(f"{where}: {why}")


class _Place:
    """Where a sheet is being read, as its errors name it: the row changes as it is read."""

    def __init__(self, workbook: str, sheet: str) -> None:
        self.workbook, self.sheet, self.row = workbook, sheet, 1

    def __str__(self) -> str:
        return f"{self.workbook}, sheet {self.sheet!r}, around row {self.row:,}"


class _Archive(zipfile.ZipFile):
    """The workbook's zip, its members checked when it is opened and whenever one is read."""

    def __init__(self, file: IO[bytes], name: str) -> None:
        from ._rncp_export import MAX_INFLATED, MAX_RATIO  # the registry's limits

        self.workbook = name
        self.current: str | None = None  # the member read last, named by errors
        try:
            super().__init__(file)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            file.seek(0)
            what = "a damaged zip: " if file.read(4) == b"PK\x03\x04" else ""
            raise XlsxInputError(
                f"{name} is not an Excel workbook (.xlsx) ({what}{error_detail(exc)}); open it "
                "in a spreadsheet application and save it as .xlsx"
            ) from None
        for info in self.infolist():  # each member as the registry's export is
            refuse = functools.partial(_refuse, name, info.filename)
            size, packed = info.file_size, info.compress_size
            if info.flag_bits & 0x1:
                why = "encrypted (a workbook protected by a password): save it without a password"
                raise refuse(why)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise refuse(
                    f"compressed with method {info.compress_type}, which Office never uses "
                    "(expected stored or deflated)"
                )
            bomb = "refused as a decompression bomb"
            if size > MAX_INFLATED:
                raise refuse(
                    f"would inflate to {size:,} bytes (more than {MAX_INFLATED:,}): {bomb}"
                )
            if size > MAX_RATIO * max(packed, 1):
                raise refuse(
                    f"inflates {size:,} bytes from {packed:,} (a ratio over {MAX_RATIO}): {bomb}"
                )

    def read(self, name: Any, pwd: bytes | None = None) -> bytes:
        """A part read whole: bounded in bytes and elements, checked to parse."""
        member = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        self.current = member
        size = self.getinfo(member).file_size
        refuse = functools.partial(_refuse, self.workbook, member)
        if size > MAX_PART:
            raise refuse(f"{size:,} bytes to read whole (more than {MAX_PART:,})")
        data = _inflated(self.workbook, member, lambda: super(_Archive, self).read(name, pwd))
        if member.endswith((".xml", ".rels")):
            events = _events(self.workbook, member, [data], "end", MAX_DEPTH)
            for elements, _ in enumerate(events, 1):
                if elements > MAX_ELEMENTS:
                    raise refuse(f"more than {MAX_ELEMENTS:,} elements in a part read whole")
        return data

    def stream(self, member: str) -> Iterator[bytes]:
        """The bytes of ``member``, a block at a time."""
        self.current = member
        stream = _inflated(self.workbook, member, functools.partial(self.open, member))
        with stream:
            read = functools.partial(stream.read, _CHUNK)
            while True:
                block = _inflated(self.workbook, member, read)
                if not block:
                    return
                yield block


def _inflated(workbook: str, member: str, read: Callable[[], _T]) -> _T:
    """What ``read`` gives, or a typed error naming ``member`` when its bytes are broken."""
    try:
        return read()
    except zlib.error as exc:
        raise _refuse(workbook, member, f"corrupt deflate data ({error_detail(exc)})") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise _refuse(workbook, member, f"cannot be inflated ({error_detail(exc)})") from None


def _parsed(workbook: object, member: str, blocks: Iterable[bytes]) -> Iterator[list[Any]]:
    """The parse events of each piece of a part as it is fed, never far apart in bytes."""
    parser: XMLPullParser[Any] = XMLPullParser(("start", "end"))
    quiet = 0  # bytes fed since the last event
    pieces = (block[at : at + _CHUNK] for block in blocks for at in range(0, len(block), _CHUNK))
    for number, piece in enumerate(itertools.chain(pieces, [None])):
        try:
            if piece is None:
                parser.close()
            else:
                if number == 0:
                    _check_prolog(workbook, member, piece)
                parser.feed(piece)
            found = list(parser.read_events())
        except ParseError as exc:
            raise _refuse(workbook, member, f"not well-formed XML ({exc})") from None
        quiet = 0 if found or piece is None else quiet + len(piece)
        if quiet > MAX_TEXT:  # a text longer than any cell holds
            why = f"{quiet:,} bytes without an element (a text longer than any cell holds)"
            raise _refuse(workbook, member, why)
        yield found


def _events(
    workbook: object, member: str, blocks: Iterable[bytes], wanted: str, free: int
) -> Generator[tuple[Any, int], None, None]:
    """The elements of a part given as ``blocks`` of bytes, bounded in depth and text.

    Gives each element as it starts or ends (``wanted``: ``"start"`` or ``"end"``), with its
    depth (the root's is 1). Once the caller is done with an element that ended at a depth from
    2 to ``free``, its parent is emptied: what was read is freed, whatever stands where.
    """
    stack: list[Any] = []
    for found in _parsed(workbook, member, blocks):
        for event, element in found:
            if event == "start":
                stack.append(element)
                if len(stack) > MAX_DEPTH:
                    raise _refuse(workbook, member, f"elements nested more than {MAX_DEPTH} deep")
                if wanted == "start":
                    yield element, len(stack)
                continue
            depth = len(stack)
            if wanted == "end":
                yield element, depth
            stack.pop()
            if 2 <= depth <= free:
                stack[-1].clear()


def _check_prolog(workbook: object, member: str, head: bytes) -> None:
    """Refuse a part whose root element comes after a DOCTYPE (which declares entities)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: read its start as text
        head = head[:4096].decode("utf-16", "replace").encode()
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    if rest.startswith(b"<!"):
        raise _refuse(workbook, member, "a DOCTYPE (no workbook part declares one)")


def _check_members(workbook: str, file: IO[bytes]) -> None:
    """Refuse a zip whose directory lists more members than a workbook has, before reading it.

    The count is read from the end of central directory record; a zip whose record cannot be
    found is left to :mod:`zipfile` to refuse.
    """
    try:
        end = file.seek(0, 2)
        file.seek(max(0, end - _EOCD_SEARCH))
        tail = file.read(_EOCD_SEARCH)
        file.seek(0)
    except (OSError, ValueError):
        return
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 12:
        return
    (count,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if count > MAX_MEMBERS:
        why = f"a zip of {count:,} members (more than {MAX_MEMBERS:,}): not a workbook"
        raise _refuse(workbook, None, why)


class ErrorValue(str):
    """An error value read from a cell (``#N/A``, ``#DIV/0!``…), as opposed to a text."""

    __slots__ = ()


def _shared_strings(archive: _Archive, member: str) -> list[str]:
    """The shared strings, as openpyxl reads them (runs joined, phonetic guides left out)."""
    strings: list[str] = []
    size = 0
    for element, depth in _events(archive.workbook, member, archive.stream(member), "end", 2):
        if depth != 2 or element.tag != _SI:
            continue
        plain, runs = None, []
        for child in element:
            if child.tag == _TEXT:
                plain = child.text
            elif child.tag == _RUN:
                run = None
                for part in child:
                    if part.tag == _TEXT:
                        run = part.text
                if run is not None:
                    runs.append(run)
        text = "".join([plain or "", *runs]).replace("x005F_", "")
        size += sys.getsizeof(text) + 8
        if size > MAX_STRINGS:
            raise _refuse(
                archive.workbook,
                member,
                f"shared strings that would take more than {MAX_STRINGS >> 20} MB of memory "
                f"(at string {len(strings) + 1:,})",
            )
        strings.append(text)
    return strings


# openpyxl is untyped: its classes are Any to mypy.
class _Sheet(ReadOnlyWorksheet):  # type: ignore[misc]
    """A sheet read within bounds: its rows one at a time, each freed once read."""

    def _get_size(self) -> None:
        """The dimension the sheet declares before its rows, if it does (progress only)."""
        archive = self.parent._archive  # noqa: SLF001  (where openpyxl keeps it)
        member = self._worksheet_path
        try:
            events = _events(archive.workbook, member, archive.stream(member), "start", 2)
            for seen, (element, _) in enumerate(events):
                if element.tag == _DIMENSION:
                    bounds = range_boundaries(element.get("ref", ""))
                    if None not in bounds:
                        self._min_column, self._min_row, self._max_column, self._max_row = bounds
                    break
                if element.tag == _SHEET_DATA or seen > _SIZE_SEARCH:
                    break
            events.close()
        except (XlsxInputError, ValueError, TypeError):
            pass  # the rows, when read, say what is wrong

    def _cells_by_row(
        self,
        min_col: int,
        min_row: int,
        max_col: int | None,
        max_row: int | None,
        values_only: bool = False,
    ) -> Iterator[tuple[Any, ...]]:
        """As openpyxl gives them: the rows in order, a missing row as an empty one."""
        filler = None if values_only else EMPTY_CELL
        max_col = max_col or self.max_column
        max_row = max_row or self.max_row
        if max_col is not None:
            max_col = min(max_col, MAX_COLUMNS)
        if max_row is not None:
            max_row = min(max_row, MAX_ROWS)
        empty_row = () if max_col is None else (filler,) * (max_col + 1 - min_col)
        counter = min_row
        for index, cells in self._parsed_rows():
            if max_row is not None and index > max_row:
                return
            for _ in range(counter, index):  # rows the sheet leaves out
                counter += 1
                yield empty_row
            if counter <= index:
                counter += 1
                yield self._row(cells, min_col, max_col, values_only)
        if max_row is not None:
            for _ in range(counter, max_row + 1):
                yield empty_row

    def _row(
        self, cells: list[dict[str, Any]], min_col: int, max_col: int | None, values_only: bool
    ) -> tuple[Any, ...]:
        if values_only:
            for cell in cells:
                if cell["data_type"] == "e" and type(cell["value"]) is str:
                    cell["value"] = ErrorValue(cell["value"])
        return tuple(self._get_row(cells, min_col, max_col, values_only))

    def _parsed_rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """Each row's number and cells as openpyxl parses them, within Excel's limits."""
        workbook = self.parent
        archive = workbook._archive  # noqa: SLF001  (where openpyxl keeps it)
        member = self._worksheet_path
        parser = WorkSheetParser(
            None,
            self._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,  # noqa: SLF001
            timedelta_formats=workbook._timedelta_formats,  # noqa: SLF001
        )
        place = _Place(archive.workbook, self.title)
        refuse = functools.partial(_refuse, place, member)
        last = inside = 0  # the last row's number; elements read inside the current row
        for element, depth in _events(place, member, archive.stream(member), "end", 3):
            if depth != 3 or element.tag != _ROW:
                inside += depth > 3
                if inside > _ROW_ELEMENTS:
                    raise refuse(
                        f"a row holding more than {_ROW_ELEMENTS:,} elements "
                        f"(Excel's {MAX_COLUMNS:,} columns hold fewer)"
                    )
                continue
            inside = 0
            try:
                index, cells = parser.parse_row(element)
            except Exception as exc:  # noqa: BLE001  (openpyxl's reading of a value that is not one)
                raise refuse(f"cannot be read ({error_detail(exc)})") from None
            parser.row_dimensions.clear()  # what openpyxl keeps of each row's height and style
            if index > MAX_ROWS:
                raise refuse(f"a row numbered {index:,}, beyond Excel's last row ({MAX_ROWS:,})")
            if index <= last:
                raise refuse(f"row {index:,} comes after row {last:,}: rows out of order")
            widest = max((cell["column"] for cell in cells), default=0)
            if widest > MAX_COLUMNS:
                raise refuse(
                    f"row {index:,} has a cell in column {widest:,}, beyond Excel's last column "
                    f"({MAX_COLUMNS:,}, XFD)"
                )
            last = index
            place.row = index + 1
            yield index, cells


class _Reader(ExcelReader):  # type: ignore[misc]
    """openpyxl's reader of a workbook, in read-only mode, reading through :class:`_Archive`."""

    archive: _Archive

    def __init__(self, file: IO[bytes], archive: _Archive) -> None:
        super().__init__(file, read_only=True, data_only=True, keep_links=False)
        self.archive.close()  # openpyxl's own view of the zip: the checked one reads instead
        self.archive = archive
        self.valid_files = archive.namelist()

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)
        if found is not None:
            self.shared_strings = _shared_strings(self.archive, found.PartName[1:])

    def read_properties(self) -> None:
        """Not read: the document's title, author and dates say nothing of its cells."""

    def read_custom(self) -> None:
        """Not read: custom document properties say nothing of the cells."""

    def read_theme(self) -> None:
        """Not read: the theme's colours and fonts are styles, which are not kept."""

    def read_chartsheet(self, sheet: Any, rel: Any) -> None:
        self.archive.read(rel.target)  # bounded and checked as a part read whole
        super().read_chartsheet(sheet, rel)

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            worksheet = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)  # noqa: SLF001  (as openpyxl's reader does)


def load_workbook(file: IO[bytes], name: str) -> Any:
    """The workbook in ``file`` (called ``name`` in messages), as openpyxl's read-only one.

    Its sheets' rows are read within Excel's limits when iterated; error values come as
    :class:`ErrorValue`.

    Raises:
        XlsxInputError: the file is not a workbook, or breaks a bound, or a part is broken;
            the message names the zip member.
    """
    refuse_ole(name, file)
    _check_members(name, file)
    archive = _Archive(file, name)
    try:
        reader = _Reader(file, archive)
        reader.read()
    except Exception as exc:  # noqa: BLE001  (openpyxl's errors on a part it cannot read)
        archive.close()
        # openpyxl's reader gives a ValueError of its own, caused by the one that happened.
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        if isinstance(cause, XlsxInputError):
            raise cause from None
        raise _refuse(name, archive.current, f"cannot be read ({error_detail(cause)})") from None
    return reader.wb
