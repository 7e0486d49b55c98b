"""Excel workbooks (.xlsx): a sheet of candidates converted, and the CSV tables as one workbook.

Both need openpyxl, the ``excel`` extra, imported only when a workbook is read or written.
Workbooks are read in openpyxl's read-only mode and written in its write-only mode, so memory
stays bounded whatever the number of rows: rows stream from the input's XML to the output's.

A conversion keeps every cell's value with its type (text, number, date, boolean, error value
such as ``#N/A``) in its row and column; a formula is kept as its cached value (none, so an
empty cell, in a workbook no application has calculated). Styles, merged cells, comments and
the other sheets are not kept; a date shows as ``JJ/MM/AAAA``. The added columns are text from
the data, written as string cells whatever they start with: a bloc title ``=HYPERLINK(…)``
never becomes a formula, and neither does a CSV cell copied into a workbook.

A sheet may also be written as CSV (:func:`convert_to_csv`), and a CSV file as a workbook
(:class:`CsvRows`). The per-cell work is :class:`titre_mercd._bulk.CellConverter`'s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import struct
import warnings
from typing import IO, TYPE_CHECKING, Any

from ._bulk import HEADER_ROWS, Outcome, _Joiner
from ._bulk import _column_index as _bulk_column_index
from ._bulk import _column_matches as _bulk_column_matches
from ._cells import csv_text
from .exceptions import CsvInputError, MissingExtraError, XlsxInputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from ._bulk import CellConverter, CsvSource, Progress

__all__ = [
    "INSTALL_HINT",
    "CsvRows",
    "MissingExtraError",
    "XlsxInputError",
    "XlsxSource",
    "convert",
    "convert_to_csv",
    "install_hint",
    "is_workbook_name",
    "require",
    "write_tables",
]

INSTALL_HINT = "pip install 'titre-mercd[excel]'"
"""How to install what reading and writing workbooks needs, from PyPI."""

SOURCE_INSTALL_HINT = 'pip install ".[excel]"'
"""The same from a source checkout, in its directory."""

FRENCH_DATE, FRENCH_DATETIME = "DD/MM/YYYY", "DD/MM/YYYY HH:MM:SS"
"""The number formats of the date cells a conversion writes: JJ/MM/AAAA (and the time)."""

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
"""The file names openpyxl reads: Office Open XML workbooks and templates."""

_CACHE_LIMIT = 1 << 16


def install_hint() -> str:
    """How to install the ``excel`` extra: from the source checkout this runs from, if it does.

    A source checkout is a ``src`` layout whose ``pyproject.toml`` names this project.
    """
    from pathlib import Path

    src = Path(__file__).absolute().parent.parent
    try:
        with (src.parent / "pyproject.toml").open(encoding="utf-8") as file:
            named = 'name = "titre-mercd"' in file.read(1 << 16)
    except (OSError, UnicodeDecodeError):
        named = False
    if named and src.name == "src":
        return f"{SOURCE_INSTALL_HINT} (in {src.parent})"
    return INSTALL_HINT


def require() -> Any:
    """The openpyxl module, or :class:`MissingExtraError` saying how to install it."""
    try:
        import openpyxl
    except ImportError:
        raise MissingExtraError(
            f"reading and writing .xlsx workbooks needs openpyxl: {install_hint()}"
        ) from None
    return openpyxl


def is_workbook_name(path: str) -> bool:
    """Whether ``path`` names an Excel workbook by its suffix.

    >>> is_workbook_name("candidats.XLSX"), is_workbook_name("candidats.csv")
    (True, False)
    """
    return path.lower().endswith(WORKBOOK_SUFFIXES)


def error_detail(exc: BaseException) -> str:
    """What an error says, on one line, 100 characters at most (its class when it says nothing)."""
    return " ".join(str(exc).split())[:100] or type(exc).__name__


def _text(value: object) -> str:
    """A cell's value as the text a label is read from.

    >>> _text(None), _text(2.0), _text(2.5), _text(dt.datetime(2020, 1, 2))
    ('', '2', '2.5', '2020-01-02')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _width(row: Sequence[object]) -> int:
    """The number of cells up to the last that holds something."""
    width = len(row)
    while width and row[width - 1] in (None, ""):
        width -= 1
    return width


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the .xls format's container
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream Excel encrypts a workbook into
_NOT_READ = (
    "which is not read: open it in a spreadsheet application and save it as an Excel workbook "
    "(.xlsx)"
)


def spreadsheet_format(path: str) -> str | None:
    """What ``path`` holds, from its content: "xlsx", "xls", "ods", or ``None`` (not a zip).

    A zip whose first member is an OpenDocument ``mimetype`` is "ods"; any other zip is read
    as a workbook ("xlsx"), whose reader says so if it is not one. A file that cannot be read
    is ``None`` too (its reader says why).
    """
    try:
        with open(path, "rb") as file:  # noqa: PTH123  (pathlib is not imported at start-up)
            head = file.read(100)
    except OSError:
        return None
    if head.startswith(_OLE2_MAGIC):
        return "xls"
    if not head.startswith(b"PK\x03\x04"):
        return None
    return "ods" if b"application/vnd.oasis.opendocument" in head else "xlsx"


def refuse_other_formats(path: str, name: str) -> str | None:
    """Refuse an .xls or .ods spreadsheet (by its content) with the way to convert it.

    Returns what :func:`spreadsheet_format` found: "xlsx", or ``None``.
    """
    found = spreadsheet_format(path)
    if found == "xls":
        with open(path, "rb") as file:  # noqa: PTH123  (pathlib is not imported at start-up)
            refuse_ole(name, file)
    if found == "ods":
        raise XlsxInputError(f"{name} is an OpenDocument spreadsheet (.ods), {_NOT_READ}")
    return found


def refuse_ole(name: str, file: IO[bytes]) -> None:
    """Refuse an OLE compound file: a workbook saved with a password, or the old .xls format.

    Excel encrypts a workbook into an ``EncryptedPackage`` stream of such a file; its
    directory, where that name is, starts at the sector the file's header gives.
    """
    head = file.read(512)
    file.seek(0)
    if not head.startswith(_OLE2_MAGIC):
        return
    directory = b""
    with contextlib.suppress(OSError, ValueError, struct.error):
        shift, (first,) = head[0x1E], struct.unpack_from("<I", head, 0x30)
        file.seek((first + 1) << min(shift, 16))
        directory = file.read(4096)
    file.seek(0)
    if _ENCRYPTED in directory:
        raise XlsxInputError(
            f"{name}: encrypted (saved with a password, its stream 'EncryptedPackage'): save it "
            "again without a password, then convert it"
        )
    raise XlsxInputError(f"{name} is in the old .xls format, {_NOT_READ}")


class XlsxSource:
    """A sheet of a workbook being read: its header, the column asked for, its rows as values.

    The header is the row ``header_row`` (1-based, as the spreadsheet numbers it), else the
    first of the first :data:`~titre_mercd._bulk.HEADER_ROWS` rows that names the column;
    the rows above it are in :attr:`above`. The workbook stays open until :meth:`close`.
    """

    def __init__(
        self,
        path: str,
        name: str,
        column: str,
        sheet: str | None = None,
        *,
        header_row: int | None = None,
    ) -> None:
        """Open ``path`` and find ``sheet`` (the first when ``None``), the header and ``column``.

        Raises:
            MissingExtraError: openpyxl is not installed.
            XlsxInputError: ``path`` is not a workbook, or has no such sheet, row or column.
        """
        refuse_other_formats(path, name)
        require()
        self.name = name
        self.column = column
        self._header_row = header_row
        self._stack = contextlib.ExitStack()
        # openpyxl warns about what it does not read (data validation, conditional
        # formatting extensions...): it is left out as the styles are, without a word.
        self._stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        from ._xlsx_reader import load_workbook

        try:
            # A file rather than a name: openpyxl would refuse a name without its suffixes.
            self.file: IO[bytes] = self._stack.enter_context(open(path, "rb"))  # noqa: PTH123, SIM115
            workbook = load_workbook(self.file, name)  # openpyxl's reader, within bounds
        except BaseException as exc:
            self.close()
            if isinstance(exc, OSError):
                raise XlsxInputError(f"cannot read {name}: {exc.strerror or exc}") from None
            if isinstance(exc, XlsxInputError) or not isinstance(exc, Exception):
                raise
            raise XlsxInputError(  # zipfile, XML and openpyxl errors alike
                f"{name} is not an Excel workbook (.xlsx) openpyxl can read "
                f"({error_detail(exc)}); open it in a spreadsheet application and save it as .xlsx"
            ) from None
        self._stack.callback(workbook.close)
        try:
            self._open_sheet(workbook, sheet)
        except BaseException:
            self.close()
            raise

    def _open_sheet(self, workbook: Any, sheet: str | None) -> None:
        titles = list(workbook.sheetnames)
        worksheets = list(workbook.worksheets)
        if sheet is None:
            if not worksheets:
                raise XlsxInputError(f"{self.name} has no worksheet")
            worksheet = worksheets[0]
        elif sheet in titles and workbook[sheet] in worksheets:
            worksheet = workbook[sheet]
        else:
            found = [w.title for w in worksheets if w.title.casefold() == sheet.casefold()]
            if len(found) != 1:
                shown = ", ".join(repr(t) for t in titles[:20]) + (
                    ", …" if len(titles) > 20 else ""
                )
                raise XlsxInputError(f"no sheet {sheet[:100]!r} in {self.name}; sheets: {shown}")
            worksheet = workbook[found[0]]
        self.sheet = str(worksheet.title)
        # The last row the workbook says it has: an estimate for progress reports only.
        self.size: int | None = worksheet.max_row
        # Rows are then read as far as they go: a stale dimension must not cut any off.
        worksheet.reset_dimensions()
        self._rows: Iterator[tuple[Any, ...]] = worksheet.iter_rows(values_only=True)
        first = list(itertools.islice(self._rows, self._header_row or HEADER_ROWS))
        where = f"sheet {self.sheet!r} of {self.name}"
        at = self._find_header(first, where)
        self.above = [row[: _width(row)] for row in first[:at]]
        """The rows above the header, as values, to be copied through."""
        self.header = first[at][: _width(first[at])]
        self._rows = itertools.chain(first[at + 1 :], self._rows)
        labels = [_text(value) for value in self.header]
        try:  # found as in a CSV header: by exact name, else ignoring case and spaces
            self.index = _bulk_column_index(labels, self.column, where)
        except CsvInputError as exc:
            raise XlsxInputError(str(exc)) from None

    def _find_header(self, first: list[tuple[Any, ...]], where: str) -> int:
        """Which of the ``first`` rows is the header (0-based)."""
        if self._header_row is not None:
            if self._header_row > len(first):
                raise XlsxInputError(
                    f"--header-row {self._header_row}: {where} has only {len(first)} "
                    f"row{'s' if len(first) != 1 else ''}"
                )
            return self._header_row - 1
        for at, row in enumerate(first):
            if _bulk_column_matches([_text(value) for value in row], self.column):
                return at
        # No row names the column: the first that holds something is the header, to name its
        # columns in the message.
        for at, row in enumerate(first):
            if _width(row):
                return at
        raise XlsxInputError(
            f"{where} is empty: expected a header row naming column {self.column!r:.200}"
        )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows under the header, as values (``None`` for an empty cell)."""
        return self._rows

    def close(self) -> None:
        """Close the workbook."""
        self._stack.close()


class _Writer:
    """How values are made cells of a write-only sheet: text is never made a formula.

    openpyxl writes a ``str`` that starts with ``=`` as a formula, and one that is an error
    value's name (``#N/A``) as that error: such a text becomes a string cell instead. A cell
    made here is new for each row (openpyxl reuses the cell it is given for the next values).
    """

    def __init__(self, openpyxl: Any, worksheet: Any) -> None:
        self._cell = openpyxl.cell.WriteOnlyCell
        self._worksheet = worksheet
        self._error_codes = frozenset(openpyxl.cell.cell.ERROR_CODES)

    def is_typed(self, text: str) -> bool:
        """Whether openpyxl would write ``text`` as something else than a string cell."""
        return (text.startswith("=") and len(text) > 1) or text in self._error_codes

    def text(self, text: str) -> Any:
        """``text`` (from the data, a CSV file or a string cell) as a string cell; ``""`` none."""
        if not self.is_typed(text):
            return text or None
        cell = self._cell(self._worksheet, text)
        cell.data_type = "s"
        return cell

    def value(self, value: Any) -> Any:
        """``value`` read from a workbook as openpyxl writes it back the same.

        Text stays text (a cell read as ``=1+1`` or ``#N/A`` was a string: formulas are read as
        their values, error values as :class:`~titre_mercd._xlsx_reader.ErrorValue`), an error
        value stays that error, a date a date, shown as JJ/MM/AAAA (:data:`FRENCH_DATE`), with
        its time if it has one.
        """
        kind = type(value)
        if kind is str:
            return self.text(value) if value else value
        if kind is dt.datetime or kind is dt.date:
            if kind is dt.datetime and value.time() == dt.time():
                # A date cell reads as a datetime; written as a date, it has no 00:00:00.
                value = value.date()
            cell = self._cell(self._worksheet, value)
            cell.number_format = FRENCH_DATE if type(value) is dt.date else FRENCH_DATETIME
            return cell
        return value

    def row(self, values: Sequence[Any]) -> list[Any]:
        """Each of ``values`` through :meth:`value`."""
        return [self.value(v) for v in values]


class CsvRows:
    """A CSV file's rows as a sheet's: each field a text cell, an empty field an empty cell.

    A row with fewer fields than the header is flagged, as in a CSV output: its separators
    may be wrong.
    """

    def __init__(self, source: CsvSource) -> None:
        self.name = source.name
        self.sheet = "Sheet1"
        self.header = tuple(source.header)
        self.index = source.index
        self.above = [tuple(f or None for f in row) for row, _ in source.above]
        self.size = source.size
        self.position = source.position
        self._source = source

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Each row of the CSV file as values."""
        for row, _ in self._source.records():
            yield tuple(f or None for f in row)

    def short(self, row: Sequence[Any]) -> bool:
        """Whether ``row`` has fewer fields than the header, and something in them."""
        return len(row) < len(self.header) and any(v is not None for v in row)


def _check_clash(source: XlsxSource | CsvRows, names: Sequence[str]) -> None:
    """Refuse a header that already has an added column."""
    labels = [_text(value) for value in source.header]
    clash = [name for name in names if name in labels]
    if clash:
        raise XlsxInputError(
            f"{source.name} already has a column {clash[0]!r}; "
            "convert the original file, or rename that column"
        )


def convert(
    source: XlsxSource | CsvRows,
    sink: IO[bytes],
    convert_cell: CellConverter,
    progress: Progress | None = None,
) -> Outcome:
    """Write ``source``'s sheet to ``sink`` as a workbook, with the added columns.

    The added columns follow the header's last column. A row with cells beyond it is flagged
    in the error column, and those cells are kept after the added columns. The rows above the
    header and the blank rows are copied through.

    Raises:
        XlsxInputError: the header already has an added column, or the sheet stops being
            readable.
        CsvInputError: a CSV source stops being readable.
    """
    openpyxl = require()
    _check_clash(source, convert_cell.columns)
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(source.sheet)
    writer = _Writer(openpyxl, worksheet)
    made = writer.row  # a sheet's values as read, a CSV file's as text
    if isinstance(source, CsvRows):
        made = lambda values: [writer.text(v or "") for v in values]  # noqa: E731
    for row in source.above:
        worksheet.append(made(row))
    worksheet.append([*made(source.header), *map(writer.text, convert_cell.columns)])
    convert_row = _RowConverter(source, convert_cell, made, writer)

    def discard() -> None:  # a write-only sheet left open is reported by openpyxl at exit
        with contextlib.suppress(Exception):
            worksheet.close()

    outcome = _convert_rows(source, convert_row, worksheet.append, progress, discard=discard)
    workbook.save(sink)
    return outcome


def convert_to_csv(  # noqa: PLR0913  (the progress report and the CSV form are options)
    source: XlsxSource,
    sink: IO[str],
    convert_cell: CellConverter,
    progress: Progress | None = None,
    *,
    excel: bool = False,
    french_dates: bool = False,
) -> Outcome:
    """Write ``source``'s sheet to ``sink`` as CSV text, with the added columns.

    Rows are placed as :func:`convert` places them, and written with ``,`` between fields
    (``;``, CRLF and a byte order mark first with ``excel``). A number is written as a
    spreadsheet shows it in its general format, a boolean as ``TRUE`` or ``FALSE``, and a date
    as ``AAAA-MM-JJ``, or ``JJ/MM/AAAA`` with ``french_dates`` (a time follows it when it has
    one).

    Raises:
        XlsxInputError: the header already has an added column, or the sheet stops being
            readable.
    """
    _check_clash(source, convert_cell.columns)
    sep, newline = (";", "\r\n") if excel else (",", "\n")
    join = _Joiner(sep)
    text = _french_text if french_dates else _csv_text

    def cells(values: Sequence[Any]) -> list[str]:
        return [text(value) for value in values]

    sink.write("\ufeff" if excel else "")
    out = [join(cells(row)) + newline for row in source.above]
    out.append(join([*cells(source.header), *convert_cell.columns]) + newline)

    def flush() -> None:
        sink.write("".join(out))
        out.clear()

    convert_row = _RowConverter(source, convert_cell, cells, None)
    outcome = _convert_rows(
        source, convert_row, lambda row: out.append(join(row) + newline), progress, flush=flush
    )
    flush()
    return outcome


def _convert_rows(  # noqa: PLR0913  (what differs between the two outputs)
    source: XlsxSource | CsvRows,
    convert_row: _RowConverter,
    write: Callable[[Sequence[Any]], object],
    progress: Progress | None,
    *,
    flush: Callable[[], None] = lambda: None,
    discard: Callable[[], None] = lambda: None,
) -> Outcome:
    """Convert and ``write`` each row of ``source``, ``flush`` and report every 4096 rows.

    An error that is not the readers' (which name the zip member or line) names the row.
    """
    rows = unmatched = 0
    try:
        for row in source.rows():
            rows += 1
            cells, bad = convert_row(row)
            write(cells)
            unmatched += bad
            if not rows % 4096:
                flush()
                if progress is not None:
                    position = source.position() if isinstance(source, CsvRows) else rows
                    progress.update(rows - convert_row.blank, position)
    except BaseException as exc:
        discard()
        if isinstance(exc, (XlsxInputError, CsvInputError)) or not isinstance(exc, Exception):
            raise
        raise XlsxInputError(
            f"{source.name}, sheet {source.sheet!r}, around row {len(source.above) + rows + 2}: "
            f"cannot be read or written ({error_detail(exc)})"
        ) from None
    blank = convert_row.blank
    return Outcome(rows=rows - blank, unmatched=unmatched, blank=blank, above=len(source.above))


def _csv_text(value: object) -> str:
    """A cell's value as CSV text: as :func:`_text`, with ``TRUE``/``FALSE`` for a boolean.

    >>> _csv_text(True), _csv_text(dt.datetime(2020, 1, 2, 10, 30)), _csv_text(None)
    ('TRUE', '2020-01-02 10:30:00', '')
    """
    if type(value) is str:  # text, as it was in the workbook: never made a formula
        return csv_text(value)
    if type(value) is bool:
        return "TRUE" if value else "FALSE"
    if type(value) is dt.datetime and value.time() != dt.time():
        return value.isoformat(" ")
    return _text(value)


def _french_text(value: object) -> str:
    """A cell's value as CSV text, a date as JJ/MM/AAAA.

    >>> _french_text(dt.datetime(2020, 1, 2)), _french_text(dt.datetime(2020, 1, 2, 10, 30))
    ('02/01/2020', '02/01/2020 10:30:00')
    """
    if not isinstance(value, dt.date):
        return _csv_text(value)
    day = value.strftime("%d/%m/") + f"{value.year:04d}"
    if isinstance(value, dt.datetime) and value.time() != dt.time():
        return f"{day} {value.time().isoformat()}"
    return day


class _RowConverter:
    """A row of values made the output's row: the added values follow the header's width."""

    def __init__(
        self,
        source: XlsxSource | CsvRows,
        convert_cell: CellConverter,
        cells: Callable[[Sequence[Any]], list[Any]],
        writer: _Writer | None,
    ) -> None:
        """``cells`` makes a row's values cells; ``writer``: the sheet's (``None`` for CSV)."""
        self._width = len(source.header)
        self._index = source.index
        self._convert_cell = convert_cell
        self._cells = cells
        self._writer = writer
        self._short = source.short if isinstance(source, CsvRows) else None
        self._padding = (None,) * self._width
        self._empty = (None,) * (len(convert_cell.columns) - 1)
        self._words = convert_cell.words
        self.blank = 0
        """The blank rows met."""
        # Each distinct cell's added values, once (candidates' cells repeat), up to a bound:
        # the values, whether the conversion failed, and whether one needs a string cell of
        # its own in each row (:meth:`_Writer.text`).
        self._cache: dict[str, tuple[tuple[Any, ...], bool, bool]] = {}

    def _added(self, text: str) -> tuple[tuple[Any, ...], bool, bool]:
        """The added values for a cell's ``text`` (CSV text from the data for a CSV output)."""
        values = self._convert_cell(text)
        if self._writer is None:
            return tuple(csv_text(v) or None for v in values), bool(values[-1]), False
        typed = any(self._writer.is_typed(v) for v in values)
        return tuple(v or None for v in values), bool(values[-1]), typed

    def __call__(self, row: Sequence[Any]) -> tuple[Sequence[Any], bool]:
        """The cells to write for ``row``, and whether its conversion failed."""
        width = self._width
        if len(row) > width and _width(row) > width:
            message = self._words["beyond sheet"].format(letter=_column_letter(width - 1))
            cells = self._cells(row[:width])
            return [*cells, *self._empty, message, *self._cells(row[width:])], True
        if not _width(row):  # an empty row stays empty
            self.blank += 1
            return (), False
        if self._short is not None and self._short(row):
            count = len(row)
            problem = self._words["fewer"].format(
                count=count, s="s" if count > 1 else "", width=width
            )
            cells = self._cells(row) + list(self._padding[count:])
            return [*cells, *self._empty, problem], True
        value = row[self._index] if self._index < len(row) else None
        text = value if type(value) is str else _text(value)
        added = self._cache.get(text)
        if added is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            added = self._cache[text] = self._added(text)
        cells = self._cells(row[:width])
        if len(cells) < width:
            cells += self._padding[len(cells) :]
        if added[2] and self._writer is not None:  # text openpyxl would make a formula
            cells += [self._writer.text(v or "") for v in added[0]]  # a new cell each row
        else:
            cells += added[0]
        return cells, added[1]


def _column_letter(index: int) -> str:
    """The letters Excel names the column at 0-based ``index`` by.

    >>> _column_letter(0), _column_letter(25), _column_letter(26), _column_letter(702)
    ('A', 'Z', 'AA', 'AAA')
    """
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def write_tables(sink: IO[bytes]) -> list[str]:
    """Write the CSV export's tables to ``sink`` as one workbook, a sheet per table.

    Each sheet is named after its table (:data:`titre_mercd._export.CSV_TABLES`), its first
    row is the header, frozen, and every cell is text, as in the CSV export (an empty cell is
    a fact no source gives). Returns the names of the sheets.

    Raises:
        MissingExtraError: openpyxl is not installed.
    """
    openpyxl = require()
    from ._export import CSV_TABLES, csv_table

    workbook = openpyxl.Workbook(write_only=True)
    for name in CSV_TABLES:
        header, rows = csv_table(name)
        worksheet = workbook.create_sheet(name)
        worksheet.freeze_panes = "A2"
        writer = _Writer(openpyxl, worksheet)
        worksheet.append(list(header))
        for row in rows:
            worksheet.append([writer.text(v) for v in row])
    workbook.save(sink)
    return list(CSV_TABLES)
