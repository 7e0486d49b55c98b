"""Excel workbooks (.xlsx): a sheet of candidates converted, and the CSV tables as one workbook.

Both need openpyxl, the ``excel`` extra (``pip install 'titre-mercd[excel]'``), imported only
when a workbook is read or written. Workbooks are read in openpyxl's read-only mode and written
in its write-only mode, so memory stays bounded whatever the number of rows: rows stream from
the input's XML to the output's.

What a conversion keeps: every cell's value, with its type (text, number, date, boolean, error
value such as ``#N/A``), in its row and column. A formula is kept as the value it had when the
workbook was last saved by a spreadsheet application (its cached value; a workbook that no
application has calculated has none, and the cell comes out empty). Styles (fonts, fills,
borders, widths, number formats: a date shows as ``yyyy-mm-dd``), merged cells, comments and the
other sheets are not kept: the output holds the one sheet converted, by values. The added
columns are text from the data, written as string cells whatever they start with: a bloc
title ``=HYPERLINK(…)`` never becomes a formula.

The per-cell work is :class:`titre_mercd._bulk.CellConverter`'s, the same as for a CSV file,
and the added columns are :func:`titre_mercd._bulk.added_columns`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from typing import IO, TYPE_CHECKING, Any

from ._bulk import Outcome, added_columns
from ._bulk import _column_index as _bulk_column_index
from .exceptions import CsvInputError, MissingExtraError, XlsxInputError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ._bulk import CellConverter, Progress

__all__ = [
    "INSTALL_HINT",
    "MissingExtraError",
    "XlsxInputError",
    "XlsxSource",
    "convert",
    "is_workbook_name",
    "require",
    "write_tables",
]

INSTALL_HINT = "pip install 'titre-mercd[excel]'"
"""How to install what reading and writing workbooks needs."""

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
"""The file names openpyxl reads: Office Open XML workbooks and templates."""

_CACHE_LIMIT = 1 << 16
_SHOWN_NAMES = 20


def require() -> Any:
    """The openpyxl module, or :class:`MissingExtraError` saying how to install it."""
    try:
        import openpyxl
    except ImportError:
        raise MissingExtraError(
            f"reading and writing .xlsx workbooks needs openpyxl: {INSTALL_HINT}"
        ) from None
    return openpyxl


def is_workbook_name(path: str) -> bool:
    """Whether ``path`` names an Excel workbook by its suffix.

    >>> is_workbook_name("candidats.XLSX"), is_workbook_name("candidats.csv")
    (True, False)
    """
    return path.lower().endswith(WORKBOOK_SUFFIXES)


def _names(values: Sequence[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN_NAMES])
    return shown + (", …" if len(values) > _SHOWN_NAMES else "")


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


def _is_empty(value: object) -> bool:
    return value is None or value == ""


def _width(row: Sequence[object]) -> int:
    """The number of cells up to the last that holds something."""
    width = len(row)
    while width and _is_empty(row[width - 1]):
        width -= 1
    return width


class XlsxSource:
    """A sheet of a workbook being read: its header, the column asked for, its rows as values.

    The header is the first row that holds something. The workbook stays open until
    :meth:`close`.
    """

    def __init__(self, path: str, name: str, column: str, sheet: str | None = None) -> None:
        """Open ``path`` and find ``sheet`` (the first when ``None``) and ``column``.

        Raises:
            MissingExtraError: openpyxl is not installed.
            XlsxInputError: ``path`` is not a workbook, or has no such sheet or column.
        """
        require()
        self.name = name
        self.column = column
        self._stack = contextlib.ExitStack()
        # openpyxl warns about what it does not read (data validation, conditional
        # formatting extensions...): it is left out as the styles are, without a word.
        self._stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        if path.lower().endswith(".xls"):
            self.close()
            raise XlsxInputError(
                f"{name} is in the old .xls format, which is not read: open it in a "
                "spreadsheet application and save it as an Excel workbook (.xlsx)"
            )
        from ._xlsx_reader import load_workbook

        try:
            # A file rather than a name: openpyxl would refuse a name without its suffixes.
            self.file: IO[bytes] = self._stack.enter_context(open(path, "rb"))  # noqa: PTH123, SIM115
            workbook = load_workbook(self.file, name)  # openpyxl's reader, within bounds
        except OSError as exc:
            self.close()
            raise XlsxInputError(f"cannot read {name}: {exc.strerror or exc}") from None
        except XlsxInputError:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001  (zipfile, XML and openpyxl errors alike)
            self.close()
            detail = " ".join(str(exc).split())[:100]
            raise XlsxInputError(
                f"{name} is not an Excel workbook (.xlsx) openpyxl can read ({detail}); "
                "open it in a spreadsheet application and save it as .xlsx"
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
                raise XlsxInputError(
                    f"no sheet {sheet[:100]!r} in {self.name}; sheets: {_names(titles)}"
                )
            worksheet = workbook[found[0]]
        self.sheet = str(worksheet.title)
        # The last row the workbook says it has: an estimate for progress reports only.
        self.size: int | None = worksheet.max_row
        # Rows are then read as far as they go: a stale dimension must not cut any off.
        worksheet.reset_dimensions()
        self._rows: Iterator[tuple[Any, ...]] = worksheet.iter_rows(values_only=True)
        self.leading = 0  # empty rows above the header
        for row in self._rows:
            if _width(row):
                break
            self.leading += 1
        else:
            raise XlsxInputError(
                f"sheet {self.sheet!r} of {self.name} is empty: "
                f"expected a header row naming column {self.column!r:.200}"
            )
        self.header = row[: _width(row)]
        labels = [_text(value) for value in self.header]
        try:  # found as in a CSV header: by exact name, else ignoring case and spaces
            self.index = _bulk_column_index(
                labels, self.column, f"sheet {self.sheet!r} of {self.name}"
            )
        except CsvInputError as exc:
            raise XlsxInputError(str(exc)) from None

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

    def _string(self, text: str) -> Any:
        """A string cell holding ``text``, whatever it starts with."""
        cell = self._cell(self._worksheet, text)
        cell.data_type = "s"
        return cell

    def is_typed(self, text: str) -> bool:
        """Whether openpyxl would write ``text`` as something else than a string cell."""
        return (text.startswith("=") and len(text) > 1) or text in self._error_codes

    def text(self, text: str) -> Any:
        """``text`` written from the data (or a CSV file) as a string cell; ``""`` none.

        A bloc title ``=HYPERLINK(…)`` stays the text it is, and so does ``#N/A``.
        """
        if self.is_typed(text):
            return self._string(text)
        return text or None

    def value(self, value: Any) -> Any:
        """``value`` read from a workbook as openpyxl writes it back the same.

        Text stays text (a cell read as ``=1+1`` or ``#N/A`` was a string: formulas are read as
        their values, error values as :class:`~titre_mercd._xlsx_reader.ErrorValue`), an error
        value stays that error, a date a date.
        """
        if type(value) is str:
            return self._string(value) if self.is_typed(value) else value
        if type(value) is dt.datetime and value.time() == dt.time():
            # A date cell reads as a datetime; written as a date it shows without 00:00:00.
            return value.date()
        return value

    def row(self, values: Sequence[Any]) -> list[Any]:
        """Each of ``values`` through :meth:`value`, when any needs it."""
        return [self.value(v) for v in values]


_Added = tuple[tuple[Any, ...], bool, bool]


def _added(values: tuple[str, str, str, str], writer: _Writer) -> _Added:
    """The added values (an empty one is an empty cell), whether one is an error, and more.

    The third item tells whether one of them needs a string cell of its own in each row
    (:meth:`_Writer.text`).
    """
    typed = any(writer.is_typed(v) for v in values)
    return tuple(v or None for v in values), bool(values[3]), typed


def convert(
    source: XlsxSource,
    sink: IO[bytes],
    convert_cell: CellConverter,
    to_key: str,
    progress: Progress | None = None,
) -> Outcome:
    """Write ``source``'s sheet to ``sink`` as a workbook, with the four added columns.

    The added columns follow the header's last column. A row with cells beyond it is flagged
    in the error column, and those cells are kept after the added columns.

    Raises:
        XlsxInputError: the header already has an added column, or the sheet stops being
            readable.
    """
    openpyxl = require()
    added_names = added_columns(to_key)
    labels = [_text(value) for value in source.header]
    clash = [name for name in added_names if name in labels]
    if clash:
        raise XlsxInputError(
            f"{source.name} already has a column {clash[0]!r}; "
            "convert the original file, or rename that column"
        )
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(source.sheet)
    writer = _Writer(openpyxl, worksheet)
    append = worksheet.append
    for _ in range(source.leading):
        append(())
    append([*writer.row(source.header), *map(writer.text, added_names)])
    convert_row = _RowConverter(len(source.header), source.index, convert_cell, writer)
    rows = unmatched = 0
    try:
        for row in source.rows():
            rows += 1
            cells, bad = convert_row(row)
            append(cells)
            unmatched += bad
            if progress is not None and not rows % 4096:
                progress.update(rows, rows)
    except XlsxInputError:  # the reader's, naming the zip member
        _discard(worksheet)
        raise
    except Exception as exc:  # noqa: BLE001  (openpyxl's writing errors)
        _discard(worksheet)
        detail = " ".join(str(exc).split())[:100]
        raise XlsxInputError(
            f"{source.name}, sheet {source.sheet!r}, around row {source.leading + rows + 1}: "
            f"cannot be read or written ({detail})"
        ) from None
    except BaseException:
        _discard(worksheet)
        raise
    workbook.save(sink)
    return Outcome(rows=rows, unmatched=unmatched)


def _discard(worksheet: Any) -> None:
    """Close a write-only sheet being written, which openpyxl would otherwise report at exit."""
    with contextlib.suppress(Exception):
        worksheet.close()


class _RowConverter:
    """A row of values made the output's row: the added values follow the header's width."""

    def __init__(
        self, width: int, index: int, convert_cell: CellConverter, writer: _Writer
    ) -> None:
        self._width = width
        self._index = index
        self._convert_cell = convert_cell
        self._writer = writer
        self._padding = (None,) * width
        # Each distinct cell is converted once (candidates' cells repeat), up to a bound.
        self._cache: dict[str, _Added] = {}

    def __call__(self, row: Sequence[Any]) -> tuple[Sequence[Any], bool]:
        """The cells to write for ``row``, and whether its conversion failed."""
        width = self._width
        if len(row) > width and _width(row) > width:
            return _beyond(row, width, self._writer), True
        if not _width(row):  # an empty row stays empty
            return (), False
        value = row[self._index] if self._index < len(row) else None
        text = value if type(value) is str else _text(value)
        added = self._cache.get(text)
        if added is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            added = self._cache[text] = _added(self._convert_cell(text), self._writer)
        cells = self._writer.row(row[:width])
        if len(cells) < width:
            cells += self._padding[len(cells) :]
        if added[2]:  # text from the data that openpyxl would make a formula: a new cell
            cells += [self._writer.text(v or "") for v in added[0]]
        else:
            cells += added[0]
        return cells, added[1]


def _beyond(row: Sequence[Any], width: int, writer: _Writer) -> list[Any]:
    """A row with values beyond the header's last column: flagged, those values kept after."""
    message = (
        f"the row has values beyond the header's last column ({_column_letter(width - 1)}); "
        "they are kept after the added columns"
    )
    return [*writer.row(row[:width]), None, None, None, message, *writer.row(row[width:])]


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
