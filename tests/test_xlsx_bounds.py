"""A workbook is read within bounds, and every broken one gets its own clear error.

Each hostile or broken workbook below is built as an attacker or a damaged disk would leave it:
a real zip whose member is replaced, patched or corrupted. Through the library, each raises an
:class:`~titre_mercd.exceptions.XlsxInputError` (a ``TitreMercdError``) naming the zip member;
through the command line, each is one line and exit status 2. The memory cases run the command
line in a child process and read its peak memory.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from typing import TYPE_CHECKING, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from titre_mercd.exceptions import TitreMercdError, XlsxInputError

openpyxl = pytest.importorskip("openpyxl", reason="the excel extra (openpyxl) is not installed")

from memory import MB, peak  # noqa: E402  (after the skip without openpyxl)
from test_cli import LAUNCHERS, error, run  # noqa: E402
from test_xlsx import write_workbook  # noqa: E402
from titre_mercd import _xlsx, _xlsx_reader  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

CLI = LAUNCHERS["python -m titre_mercd"]
CONVERT = ("convert", "--from", "2011-06-01", "--to", "2018-12-11")
CEILING = 200 * MB  # the README's figure for workbooks
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>ccp</t></is></c></row>'


def sheet(rows: str, before: str = "", header: str = HEADER) -> bytes:
    """A worksheet part holding ``header`` and ``rows`` (``before``: what precedes its root)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{before}<worksheet xmlns="{MAIN}">'
        f"<sheetData>{header}{rows}</sheetData></worksheet>"
    ).encode()


def cell(row: int, text: str, column: str = "A") -> str:
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def base(path: Path) -> Path:
    """A good workbook: a header naming « ccp », and one candidate, as shared strings (as Excel
    and LibreOffice write text; openpyxl writes it inline)."""
    write_workbook(path, ["ccp"], [["2011-06-01/2"]])
    with zipfile.ZipFile(path) as archive:
        types = archive.read("[Content_Types].xml")
    strings_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    override = f'<Override PartName="/{STRINGS}" ContentType="{strings_type}"/>'
    rewritten(
        path, "[Content_Types].xml", types.replace(b"</Types>", override.encode() + b"</Types>")
    )
    shared = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    )
    rewritten(path, SHEET, sheet(shared, header=""))
    return rewritten(path, STRINGS, strings(["ccp", "2011-06-01/2"]))


def strings(texts: list[str]) -> bytes:
    """A shared strings part holding ``texts``."""
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return f'<sst xmlns="{MAIN}" count="{len(texts)}">{items}</sst>'.encode()


def rewritten(path: Path, member: str, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """``path`` with ``member``'s bytes replaced by ``data`` (or added), the others as they were."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist() if info.filename != member]
    with zipfile.ZipFile(path, "w") as new:
        for info, content in members:
            new.writestr(info, content)
        new.writestr(member, data, compress_type=method)
    return path


def patched(path: Path, member: str, local: int, central: int, value: int) -> Path:
    """``path`` with a 16-bit field of ``member``'s headers set to ``value``.

    ``local`` and ``central``: the field's offsets in the local and central directory headers.
    """
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[at + offset : at + offset + 2] = struct.pack("<H", value)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def corrupted(path: Path, member: str) -> Path:
    """``path`` with bytes in the middle of ``member``'s deflated data flipped."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for at in range(start + 2, start + min(info.compress_size, 40)):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def many_members(path: Path) -> Path:
    base(path)
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(_xlsx_reader.MAX_MEMBERS + 1):
            archive.writestr(f"customXml/item{i}.xml", b"<a/>")
    return path


def ole_file(path: Path, *streams: str) -> Path:
    """An OLE compound file's header and directory naming ``streams`` (512-byte sectors, the
    directory in sector 0), as Excel saves a workbook with a password or as an old .xls."""
    header = bytearray(512)
    header[:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHH", header, 0x1A, 3, 0xFFFE, 9)  # version 3, little-endian, 2**9
    struct.pack_into("<I", header, 0x30, 0)  # the directory starts at sector 0
    entries = b"".join(
        name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in ("Root Entry", *streams)
    )
    path.write_bytes(bytes(header) + entries.ljust(512, b"\0"))
    return path


def damaged(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    return path


def random_text(size: int) -> str:
    return os.urandom(size // 2).hex()


# Each case: how the file is made from a good one, and words its error must hold.
CASES: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "sharedStrings bomb": (
        lambda p: rewritten(p, STRINGS, strings(["ccp", *["a"] * 500_000])),
        (STRINGS, "decompression bomb"),
    ),
    "a row number beyond Excel's": (
        lambda p: rewritten(p, SHEET, sheet(f'<row r="2000000000">{cell(2000000000, "x")}</row>')),
        (SHEET, "a row numbered 2,000,000,000, beyond Excel's last row (1,048,576)"),
    ),
    "the row after Excel's last": (
        lambda p: rewritten(p, SHEET, sheet(f'<row r="1048577">{cell(1048577, "x")}</row>')),
        (SHEET, "1,048,577"),
    ),
    "a column beyond Excel's": (
        lambda p: rewritten(p, SHEET, sheet(f'<row r="2">{cell(2, "x", "XFE")}</row>')),
        (SHEET, "row 2 has a cell in column 16,385"),
    ),
    "rows out of order": (
        lambda p: rewritten(p, SHEET, sheet(f'<row r="3">{cell(3, "x")}</row><row r="2"/>')),
        (SHEET, "row 2 comes after row 3"),
    ),
    "nesting too deep": (
        lambda p: rewritten(p, SHEET, sheet(f'<row r="2">{cell(2, "<r>" * 200 + "</r>" * 200)}</row>')),
        (SHEET, "nested more than 100 deep"),
    ),
    "a text longer than any cell": (
        lambda p: rewritten(p, SHEET, sheet(f'<row r="2">{cell(2, random_text(3 * MB))}</row>')),
        (SHEET, "without an element"),
    ),
    "a DOCTYPE": (
        lambda p: rewritten(p, SHEET, sheet("", '<!DOCTYPE w [<!ENTITY a "aaaa">]>')),
        (SHEET, "DOCTYPE"),
    ),
    "broken XML in the sheet": (
        lambda p: rewritten(p, SHEET, sheet("<row r='2'><c>")),
        (SHEET, "not well-formed XML"),
    ),
    "broken XML in the shared strings": (
        lambda p: rewritten(p, STRINGS, b"<sst><si><t>a</si>"),
        (STRINGS, "not well-formed XML"),
    ),
    "broken XML in the workbook part": (
        lambda p: rewritten(p, "xl/workbook.xml", b"<workbook"),
        ("xl/workbook.xml", "not well-formed XML"),
    ),
    "broken XML in the styles": (
        lambda p: rewritten(p, "xl/styles.xml", b"<styleSheet><fonts>"),
        ("xl/styles.xml", "not well-formed XML"),
    ),
    "a shared string that is not there": (
        lambda p: rewritten(p, SHEET, sheet('<row r="2"><c r="A2" t="s"><v>999</v></c></row>')),
        (SHEET, "around row 2", "cannot be read"),
    ),
    "a number that is not one": (
        lambda p: rewritten(p, SHEET, sheet('<row r="2"><c r="A2"><v>douze</v></c></row>')),
        (SHEET, "around row 2", "cannot be read"),
    ),
    "an encrypted member": (
        lambda p: patched(base(p), SHEET, 6, 8, 0x1),
        (SHEET, "encrypted"),
    ),
    "an unknown compression method": (
        lambda p: patched(base(p), SHEET, 8, 10, 9),
        (SHEET, "compressed with method 9"),
    ),
    "corrupt deflate data": (
        lambda p: corrupted(rewritten(base(p), SHEET, sheet(
            "".join(f'<row r="{i}">{cell(i, random_text(40))}</row>' for i in range(2, 200)))),
            SHEET),
        (SHEET,),
    ),
    "a damaged zip": (damaged, ("a damaged zip",)),
    "too many members": (many_members, ("members (more than 10,000)",)),
    "a workbook saved with a password": (
        lambda p: ole_file(p, "EncryptionInfo", "EncryptedPackage"),
        ("encrypted (saved with a password",),
    ),
    "the old .xls format": (
        lambda p: ole_file(p, "Workbook", "\x05SummaryInformation"),
        ("the old .xls format",),
    ),
}  # fmt: skip


def read_all(path: Path) -> list[tuple[object, ...]]:
    """Every row of the workbook's first sheet, read through the library."""
    source = _xlsx.XlsxSource(str(path), "candidats.xlsx", "ccp")
    try:
        return list(source.rows())
    finally:
        source.close()


def make(case: str, tmp_path: Path) -> Path:
    path = base(tmp_path / "candidats.xlsx")
    return CASES[case][0](path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_library_raises_its_own_error_naming_the_member(case: str, tmp_path: Path) -> None:
    path = make(case, tmp_path)
    with pytest.raises(TitreMercdError) as raised:
        read_all(path)
    assert isinstance(raised.value, XlsxInputError)
    message = str(raised.value)
    assert message.startswith("candidats.xlsx")
    assert "\n" not in message
    for words in CASES[case][1]:
        assert words in message


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_command_line_says_it_in_one_line(case: str, tmp_path: Path) -> None:
    path = make(case, tmp_path)
    result = run(CLI, *CONVERT, "--input", str(path), "--column", "ccp", "-o",
                 str(tmp_path / "out.xlsx"))  # fmt: skip
    error(result, 2, *CASES[case][1])
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("out", ["out.csv", "out.xlsx"])
def test_a_bound_broken_far_below_the_header_is_said_once_to_either_output(
    out: str, tmp_path: Path
) -> None:
    rows = "".join(f'<row r="{i}">{cell(i, "2011-06-01/2")}</row>' for i in range(2, 60))
    rows += f'<row r="2000000000">{cell(2000000000, "x")}</row>'
    path = rewritten(base(tmp_path / "candidats.xlsx"), SHEET, sheet(rows))
    result = run(CLI, *CONVERT, "--input", str(path), "--column", "ccp", "-o",
                 str(tmp_path / out))  # fmt: skip
    message = error(result, 2)
    assert message.endswith(
        f"candidats.xlsx, sheet 'Candidats', around row 60, zip member '{SHEET}': a row numbered "
        "2,000,000,000, beyond Excel's last row (1,048,576)\n"
    )


def test_a_good_workbook_still_reads_every_cell_and_error_values_stay_errors(
    tmp_path: Path,
) -> None:
    rows = f'<row r="2">{cell(2, "#N/A")}<c r="B2" t="e"><v>#N/A</v></c></row><row r="5"/>'
    path = rewritten(base(tmp_path / "candidats.xlsx"), SHEET, sheet(rows))
    read = read_all(path)
    assert read == [("#N/A", "#N/A"), (), (), ()]
    text, value = read[0]
    assert type(text) is str
    assert isinstance(value, _xlsx_reader.ErrorValue)


def test_the_shared_strings_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    strings = (
        f'<sst xmlns="{MAIN}"><si><t xml:space="preserve"> a </t></si>'
        "<si><r><t>Ma</t></r><r><rPr><b/></rPr><t>nager</t></r></si>"
        "<si><t>漢字</t><rPh sb='0' eb='1'><t>かんじ</t></rPh></si>"
        "<si><t>x005F_x000D_</t></si><si/></sst>"
    ).encode()
    path = rewritten(base(tmp_path / "candidats.xlsx"), STRINGS, strings)
    with zipfile.ZipFile(path) as archive:
        expected = list(
            openpyxl.reader.strings.read_string_table(io.BytesIO(archive.read(STRINGS)))
        )
    with path.open("rb") as file:
        workbook = _xlsx_reader.load_workbook(file, "candidats.xlsx")
        try:
            assert workbook.worksheets[0]._shared_strings == expected
        finally:
            workbook.close()


def test_bounds_are_checked_by_counting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_xlsx_reader, "MAX_ROWS", 1_000)
    path = rewritten(base(tmp_path / "candidats.xlsx"), SHEET, sheet("<row/>" * 1_000))
    with pytest.raises(XlsxInputError, match="a row numbered 1,001, beyond Excel's last row"):
        read_all(path)
    monkeypatch.setattr(_xlsx_reader, "MAX_STRINGS", 10_000)
    distinct = [f"{i:04d}" for i in range(1_000)]
    path = rewritten(base(tmp_path / "candidats.xlsx"), STRINGS, strings(distinct))
    with pytest.raises(XlsxInputError, match=f"{STRINGS}.*more than 0 MB of memory"):
        _xlsx.XlsxSource(str(path), "candidats.xlsx", "ccp")


# ---------------------------------------------------------------- memory, in a child process


def sheet_of_rows(count: int) -> bytes:
    """``count`` empty rows, each numbered (so that they do not compress beyond the ratio)."""
    return sheet("".join(f'<row r="{i}" spans="1:1" ht="15"/>' for i in range(2, count + 2)))


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("empty rows past Excel's last", "a row numbered 1,048,577"),
        ("a sparse row", "a row numbered 2,000,000,000"),
        ("a sharedStrings bomb", "decompression bomb"),
    ],
)
def test_a_hostile_workbook_is_refused_within_bounds(case: str, words: str, tmp_path: Path) -> None:
    path = base(tmp_path / "candidats.xlsx")
    if case == "empty rows past Excel's last":
        rewritten(path, SHEET, sheet_of_rows(_xlsx_reader.MAX_ROWS))
    elif case == "a sparse row":
        rewritten(path, SHEET, sheet(f'<row r="2000000000">{cell(2000000000, "x")}</row>'))
    else:
        rewritten(path, STRINGS, strings(["ccp", *["a"] * 3_000_000]))
    result = peak(*CONVERT, "--input", str(path), "--column", "ccp", "-o", str(tmp_path / "o.xlsx"))
    assert result.status == 2, result
    assert words in result.stderr
    assert result.peak < CEILING, result


# ---------------------------------------------------------------- whatever the damage


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A good workbook's bytes, and the parts of its zip."""
    path = base(tmp_path_factory.mktemp("good") / "candidats.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    return {"": path.read_bytes(), **parts}


def read_or_refuse(path: Path) -> None:
    """Read the workbook through the library: it reads, or raises the library's own error."""
    try:
        read_all(path)
    except TitreMercdError as exc:
        assert isinstance(exc, XlsxInputError)
        assert "\n" not in str(exc)


@given(st.data())
def test_damaged_bytes_give_only_the_library_s_error(
    good_bytes: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    whole = bytearray(good_bytes[""])
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(whole) - 1))
        whole[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(whole) // 2, len(whole)))
    path = tmp_path_factory.mktemp("damaged") / "candidats.xlsx"
    path.write_bytes(bytes(whole[:cut]))
    read_or_refuse(path)


@given(st.data())
def test_damaged_xml_gives_only_the_library_s_error(
    good_bytes: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    member = data.draw(st.sampled_from(sorted(name for name in good_bytes if name)))
    text = bytearray(good_bytes[member])
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        text[at:at] = data.draw(
            st.sampled_from([b"<", b">", b"&", b'"', b"<row/>", b'<c r="A0"/>', b"\xff", b"9"])
        )
    path = tmp_path_factory.mktemp("damaged") / "candidats.xlsx"
    path.write_bytes(good_bytes[""])
    rewritten(path, member, bytes(text))
    read_or_refuse(path)
