"""Broken and hostile RNCP exports: a typed error with its line, caps, and bounded memory.

Every broken input (bad XML, bad zip) is a :class:`~titre_mercd.RegistryExportError` naming
the line or the zip's member, in Python; on the command line, one line and exit status 2,
never « unexpected error ». What one fiche may hold is capped: a fiche past a cap is passed
over when it is not of this title's lineage (an unrelated fiche never blocks an import of
ours), and refused with its line when it is. Memory stays bounded whatever the shape: each
shape runs the command line in a child process whose peak is read with
``getrusage(RUSAGE_CHILDREN)`` (``memory.peak``), at a size where 0.2.0's reader took several times more
(``benchmarks/registry.py --hostile`` runs them at the sizes the issue measured). The fiches
of the lineage are made up (``registry_exports``).
"""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from memory import MB, peak
from registry_exports import (
    FICHE_2018,
    HEAD,
    SUCCESSOR,
    lineage_fiches,
    write_export,
    write_hostile,
)
from test_cli import LAUNCHERS, error, run
from test_registry import refused
from titre_mercd import RegistryExportError, TitreMercdError, _rncp_export
from titre_mercd._registry_import import import_export

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = LAUNCHERS["python -m titre_mercd"]
FICHE = "<FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE><INTITULE>Une fiche</INTITULE></FICHE>\n"
EXPORT = "export_fiches_RNCP_V4_1_2026-08-16.xml"


def successor_with(inside: str) -> str:
    """The lineage's successor fiche, with ``inside`` after its title."""
    successor = lineage_fiches()[-1]
    return successor.replace("</INTITULE>", "</INTITULE>" + inside, 1)


def unrelated_with(inside: str, number: str = "RNCP777777", former: str = "") -> str:
    links = (
        "<ANCIENNES_CERTIFICATIONS><ANCIENNE_CERTIFICATION><ID_FICHE_ANCIENNE_CERTIFICATION>"
        f"{former}</ID_FICHE_ANCIENNE_CERTIFICATION></ANCIENNE_CERTIFICATION>"
        "</ANCIENNES_CERTIFICATIONS>"
        if former
        else ""
    )
    return (
        f"<FICHE><NUMERO_FICHE>{number}</NUMERO_FICHE>{links}"
        f"<INTITULE>Une autre certification</INTITULE>{inside}</FICHE>"
    )


# ---------------------------------------------------------------- broken inputs

# Each broken export, and what its message names (the line, or the zip's member).
BROKEN_XML = {
    "invalid UTF-8": (HEAD + FICHE * 3).encode() + b"<FICHE><INTITULE>\xff\xfe</INTITULE>",
    "a NUL": (HEAD + FICHE).encode() + b"<FICHE><INTITULE>a\x00b</INTITULE></FICHE></FICHES>",
    "an undefined entity": (HEAD + FICHE + "<FICHE><INTITULE>&x;</INTITULE></FICHE></FICHES>"),
    "junk after the root": HEAD + FICHE + "</FICHES><junk/>",
    "a DOCTYPE inside the root": (
        HEAD + FICHE + '<!DOCTYPE x [<!ENTITY a "b">]>' + FICHE + "</FICHES>"
    ),
    "a reference to a control character": HEAD + "<FICHE><INTITULE>&#x1b;</INTITULE></FICHE>",
    "a truncated file": HEAD + FICHE + "<FICHE><INTITULE>tronqu",
    "5,000-deep nesting inside a lineage fiche": (
        HEAD + successor_with("<A>" * 5000 + "x" + "</A>" * 5000) + "</FICHES>"
    ),
}
XML_WHERE = {
    "invalid UTF-8": "line 7",
    "a NUL": "line 5",
    "an undefined entity": "line 5",
    "junk after the root": "line 5",
    "a DOCTYPE inside the root": "line 5",
    "a reference to a control character": "line 4",
    "a truncated file": "line 5",
    "5,000-deep nesting inside a lineage fiche": "line 4",
}
MEMBER = "export_fiches_RNCP_V4_1_2026-08-16.xml"


def broken_zip(path: Path, how: str) -> Path:
    """A zip of a real-looking export, made broken in one way."""
    body = HEAD + "".join(
        f"<FICHE><NUMERO_FICHE>RNCP{n}</NUMERO_FICHE><INTITULE>{n * 7919 % 100_003}</INTITULE>"
        "</FICHE>\n"
        for n in range(100_000, 102_000)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MEMBER, body + "</FICHES>\n")
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    if how == "encrypted":
        data[6] |= 1  # the general purpose flag's bit 0, in both headers
        data[central + 8] |= 1
    elif how == "an unknown compression method":
        data[8] = data[central + 10] = 97
    elif how == "a zip version from the future":
        data[central + 6] = 200  # needs version 20.0 to extract
    elif how == "a member name flagged UTF-8 that is not":
        data[central + 9] |= 0x08  # general purpose flag bit 11: the name is UTF-8
        data[central + 46] = 0xFF  # the name's first byte
    else:  # corrupt deflate data
        start = 30 + len(MEMBER)
        for i in range(start + 20, start + 60):
            data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


BROKEN_ZIP = (
    "encrypted",
    "an unknown compression method",
    "corrupt deflate data",
    "a zip version from the future",
    "a member name flagged UTF-8 that is not",
)
# Refused before a member is read: the zip is named damaged.
DAMAGED = ("a zip version from the future", "a member name flagged UTF-8 that is not")


def broken(case: str, folder: Path) -> tuple[Path, str]:
    """The broken export ``case`` in ``folder``, and what its message must name."""
    if case in BROKEN_ZIP:
        where = "a damaged zip" if case in DAMAGED else MEMBER
        return broken_zip(folder / "export-fiches-rncp-v4-1-2026-08-16.zip", case), where
    content = BROKEN_XML[case]
    path = folder / EXPORT
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path, XML_WHERE[case]


@pytest.mark.parametrize("case", [*BROKEN_XML, *BROKEN_ZIP])
def test_every_broken_export_is_a_typed_error_in_python(case: str, tmp_path: Path) -> None:
    path, where = broken(case, tmp_path)
    calls: list[Callable[[], object]] = [
        lambda: titre_mercd.registry_check(path),
        lambda: import_export(str(path), str(tmp_path / "data")),
    ]
    for call in calls:
        with pytest.raises(TitreMercdError) as caught:
            call()
        assert isinstance(caught.value, RegistryExportError), repr(caught.value)
        assert caught.value.__cause__ is None
        assert where in str(caught.value), str(caught.value)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("case", [*BROKEN_XML, *BROKEN_ZIP])
def test_every_broken_export_is_one_line_and_status_2(case: str, tmp_path: Path) -> None:
    path, where = broken(case, tmp_path)
    refused(path, tmp_path, where)
    result = run(PROGRAM, "registry", "check", str(path))
    assert "unexpected error" not in error(result, 2, where)


def check_or_refuse(path: Path) -> None:
    """Check ``path`` through the library: it answers, or raises the library's own error."""
    try:
        titre_mercd.registry_check(path)
    except TitreMercdError as exc:
        assert isinstance(exc, RegistryExportError), repr(exc)
        assert "\n" not in str(exc)


@pytest.fixture(scope="module")
def small_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("zip") / "export-fiches-rncp-v4-1-2026-08-16.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MEMBER, HEAD + "\n".join(lineage_fiches()) + "\n</FICHES>\n")
    return path.read_bytes()


@given(st.data())
def test_damaged_zip_bytes_give_only_the_library_s_error(
    small_zip: bytes, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    whole = bytearray(small_zip)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(whole) - 1))
        whole[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(whole) // 2, len(whole)))
    path = tmp_path_factory.mktemp("damaged") / "export-fiches-rncp-v4-1-2026-08-16.zip"
    path.write_bytes(bytes(whole[:cut]))
    check_or_refuse(path)


@given(st.data())
def test_damaged_xml_gives_only_the_library_s_error(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    text = bytearray((HEAD + "\n".join(lineage_fiches()) + "\n</FICHES>\n").encode())
    pieces = [b"<", b">", b"&", b"\x00", b"\xff", b"<FICHE>", b"</FICHE>", b"<![CDATA[", b"]]>"]
    pieces += [b"<!--", b"&#1;", b"<!DOCTYPE a>", b"<?pi?>", b"<A>" * 40, b"&amp;"]
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text[at:at] = data.draw(st.sampled_from(pieces))
        else:
            del text[at : at + data.draw(st.integers(1, 40))]
    path = tmp_path_factory.mktemp("damaged") / EXPORT
    path.write_bytes(bytes(text))
    check_or_refuse(path)


# ---------------------------------------------------------------- caps on a fiche

# One fiche past each cap: the elements and the depth one more than allowed, a text 200 kB
# more (caps on text are checked after each 64 kB read).
PAST = {
    "a text of more than 1 MiB": f"<OBJECTIFS_CONTEXTE>{'x' * 1_250_000}</OBJECTIFS_CONTEXTE>",
    "more than 20,000 elements": "<PARTENAIRES>" + "<P/>" * 20_000 + "</PARTENAIRES>",
    "nesting more than 32 levels": "<A>" * 33 + "</A>" * 33,
}
CAPPED_WORDS = {
    "a text of more than 1 MiB": "a text of more than 1,048,576 bytes",
    "more than 20,000 elements": "more than 20,000 elements",
    "nesting more than 32 levels": "nested more than 32 levels",
}


@pytest.mark.parametrize("cap", sorted(PAST))
def test_an_unrelated_fiche_past_a_cap_is_passed_over(cap: str, tmp_path: Path) -> None:
    path = write_export(tmp_path / EXPORT, [unrelated_with(PAST[cap]), *lineage_fiches()])
    report = titre_mercd.registry_check(path)
    assert report.lineage == ("RNCP12505", FICHE_2018, SUCCESSOR)
    assert report.fiches_read == 12 + 1 + 3  # the sample's, the unrelated one, the lineage's
    result = run(PROGRAM, "registry", "import", str(path), "-o", str(tmp_path / "data"))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


def test_a_fiche_just_within_the_caps_is_read(tmp_path: Path) -> None:
    within = {
        "RNCP777001": "<PARTENAIRES>" + "<P/>" * (20_000 - 4) + "</PARTENAIRES>",  # and 4
        "RNCP777002": "<A>" * 32 + "</A>" * 32,
        "RNCP777003": f"<OBJECTIFS_CONTEXTE>{'x' * 950_000}</OBJECTIFS_CONTEXTE>",
    }
    fiches = [unrelated_with(inside, number) for number, inside in within.items()]
    path = write_export(tmp_path / EXPORT, fiches)
    skipped: list[_rncp_export.SkippedFiche] = []
    numbers = [f.number for f in _rncp_export.read_fiches(path, skipped=skipped.append)]
    assert set(within) <= set(numbers)
    assert skipped == []


@pytest.mark.parametrize("cap", sorted(PAST))
def test_a_fiche_of_the_lineage_past_a_cap_is_refused_with_its_line(
    cap: str, tmp_path: Path
) -> None:
    fiches = lineage_fiches()
    path = write_export(tmp_path / EXPORT, [*fiches[:-1], successor_with(PAST[cap])])
    line = (
        next(
            n
            for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if f"<NUMERO_FICHE>{SUCCESSOR}" in text
        )
        - 2
    )  # the FICHE tag, two lines above its number
    with pytest.raises(RegistryExportError, match=f"{SUCCESSOR} of the lineage \\(line {line}\\)"):
        titre_mercd.registry_check(path)
    refused(path, tmp_path, f"line {line}", CAPPED_WORDS[cap])


def test_a_fiche_past_a_cap_that_names_the_lineage_before_it_is_refused(tmp_path: Path) -> None:
    """Linked to the lineage by its ANCIENNE_CERTIFICATION: found in the second pass."""
    linked = unrelated_with(PAST["a text of more than 1 MiB"], former=SUCCESSOR)
    path = write_export(tmp_path / EXPORT, [linked, *lineage_fiches()])
    with pytest.raises(RegistryExportError, match="RNCP777777 of the lineage"):
        titre_mercd.registry_check(path)


def test_a_fiche_that_names_the_lineage_before_it_is_kept(tmp_path: Path) -> None:
    linked = unrelated_with("", former=SUCCESSOR)
    path = write_export(tmp_path / EXPORT, [linked, *lineage_fiches()])
    assert "RNCP777777" in titre_mercd.registry_check(path).lineage


def test_a_lineage_of_more_than_100_fiches_is_refused(tmp_path: Path) -> None:
    path = write_hostile(tmp_path / EXPORT, "lineage", 0.5)
    refused(path, tmp_path, "RNCP100100 of the lineage", "more than 100 fiches")


def test_fiches_wrapped_in_another_element_are_read(tmp_path: Path) -> None:
    path = write_hostile(tmp_path / EXPORT, "wrapped", 1)
    assert titre_mercd.registry_check(path).lineage == ("RNCP12505", FICHE_2018, SUCCESSOR)


@pytest.mark.parametrize(
    ("inside", "words"),
    [
        ("<a>" * 10_001, "nested more than 10,000 deep"),
        (f"<{'N' * 600_000}>" * 2, "names longer than 1,000,000 characters"),
        (f"<!-- {'-x' * 2_200_000} -->", "comment or processing instruction of more than"),
        (f'<a b="{"x" * 4_300_000}"/>', "a tag, comment"),
    ],
    ids=["deep", "long names", "long comment", "long attribute"],
)
def test_what_the_parser_itself_would_hold_refuses_the_export(
    inside: str, words: str, tmp_path: Path
) -> None:
    path = tmp_path / EXPORT
    path.write_text(HEAD + FICHE + inside, encoding="utf-8")
    refused(path, tmp_path, words, "refused as hostile")


# ---------------------------------------------------------------- memory

# Each shape (its size in MB, the exit status) where 0.2.0's reader held 55 MB or more: about
# 55, 60, 70 and 130 MB, where this one holds under 20 MB (as the program alone does).
MEMORY_CASES = {
    "one text": (40, 1),
    "other elements": (6, 1),
    "wrapped": (12, 1),
    "deep": (3, 2),
}
LIMIT_MB = 35


@pytest.mark.parametrize("shape", sorted(MEMORY_CASES))
def test_memory_stays_bounded_whatever_the_shape(shape: str, tmp_path: Path) -> None:
    size_mb, status = MEMORY_CASES[shape]
    path = write_hostile(tmp_path / EXPORT, shape, size_mb)
    measured = peak("registry", "check", str(path))
    assert measured.status == status, measured
    assert "unexpected error" not in measured.stderr
    assert measured.peak < LIMIT_MB * MB, measured
