"""Reading France compétences' RNCP export (flux XML v4.1), streamed, as untrusted input.

The export is a zip on data.gouv.fr (``export-fiches-rncp-v4-1-AAAA-MM-JJ.zip``) holding one
XML file of about 30,000 fiches, hundreds of MB. The XML or the zip is read in place, 64 kB at a
time, and each ``FICHE`` (wherever it stands) is given as a frozen :class:`Fiche`; nothing
outside a fiche is built, and each is dropped once the caller is done with it.

Memory is bounded whatever the file's shape. A fiche past a cap on what one fiche may hold
(``MAX_TEXT`` and the caps after it) is not built: only what identifies it is noted
(:class:`SkippedFiche`), for the caller to refuse it or pass over it. What the parser itself
would hold (``MAX_DEPTH`` and the caps after it) is capped too, and refuses the export. Every
broken input is a :class:`~titre_mercd.exceptions.RegistryExportError` naming the line, or the
zip's member.

No DTD is accepted, so no entity, internal or external, can be declared. Two ways were measured
with 0.2.0's reader (CPython 3.11.7, CPU time against a bare C ``ElementTree.iterparse`` loop
clearing each ``FICHE``, alternating): ``defusedxml.ElementTree.iterparse(forbid_dtd=True)``
(defusedxml 0.7.1) ran at 0.73× the bare loop on the 722 kB sample and 0.59× on a 520 MB export
(``benchmarks/registry.py --defusedxml``); checking that only an XML declaration, comments and
processing instructions precede the root element, then feeding the very bytes checked to expat
(:func:`fiche_elements`), ran at 0.80× and 1.00×. Both are safe (a DTD may only stand before the
root element): the check is chosen, needing no dependency and leaving room for the handlers that
bound memory (about 0.2× of the bare loop's throughput: the README's figures).

Zip: its one member must be a plain ``.xml`` file name, unencrypted, stored or deflated; its
declared size and ratio are bounded, and the bytes inflated are counted against both.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, NoReturn, Optional

import attrs

from .exceptions import RegistryExportError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from xml.etree.ElementTree import Element

__all__ = [
    "BlocCorrespondence",
    "Certifier",
    "Coded",
    "Fiche",
    "FicheBloc",
    "Publication",
    "SkippedFiche",
    "export_date_from_name",
    "read_fiches",
    "split_items",
]

# Limits on a zip: the real export inflates to a few hundred MB at a ratio near 10.
_COMPRESSIONS = (0, 8)  # zipfile.ZIP_STORED, ZIP_DEFLATED: what zipfile reads without extras
MAX_INFLATED = 4 * 1024**3  # bytes a member may inflate to
MAX_RATIO = 200  # inflated bytes per compressed byte
# Bytes fed to the parser at a time: 64 kB measured fastest (1 MB: about twice as slow, the
# events of a whole megabyte piling up before any element is freed).
CHUNK = 1 << 16
PROLOG_LIMIT = 64 * 1024  # bytes before the root element: more is not an export

# Caps on what one fiche may hold: a fiche past one is not built. The 12 real fiches of the
# sample hold at most a text of 13,712 characters, 62 kB, 2,948 elements and 5 levels below
# FICHE: each cap is well above that, and together they keep one fiche under about 25 MB.
MAX_TEXT = 1024 * 1024  # bytes of text between two tags
MAX_FICHE_BYTES = 16 * 1024 * 1024  # bytes of one fiche
MAX_FICHE_ELEMENTS = 20_000  # elements in one fiche
MAX_FICHE_DEPTH = 32  # levels of elements below FICHE
# Caps on what the parser itself would hold: past one, the export is refused. Expat keeps about
# 120 bytes and the name of each open element, and a token (a tag with its attributes, a
# comment, a processing instruction) whole until its end.
MAX_DEPTH = 10_000  # elements open at once
MAX_OPEN_NAMES = 1_000_000  # characters of their names
MAX_TOKEN = 4 * 1024 * 1024  # bytes of one token

# The fiche numbers a fiche names: those it replaces, and those that replace it.
LINKS = (
    "ANCIENNES_CERTIFICATIONS/ANCIENNE_CERTIFICATION/*",
    "NOUVELLES_CERTIFICATIONS/NOUVELLE_CERTIFICATION/*",
)
_LINK_LISTS = frozenset({"ANCIENNES_CERTIFICATIONS", "NOUVELLES_CERTIFICATIONS"})
_LINK_ITEMS = frozenset({"ANCIENNE_CERTIFICATION", "NOUVELLE_CERTIFICATION"})
# What is noted of a fiche past a cap: these (each cut at _NOTED_TEXT characters), and its links.
_NOTED = {"NUMERO_FICHE": "number", "INTITULE": "title", "ABREGE/CODE": "abrege"}
_NOTED_TEXT = 1_000
_NOTED_LINKS = 10_000
_EXPECTED = "export_fiches_RNCP_V4_1_AAAA-MM-JJ.xml"

# Elements that repeat under their parent: their path carries the 1-based index, as in
# ``BLOCS_COMPETENCES/BLOC_COMPETENCES[1]/LIBELLE``.
REPEATED = frozenset(
    {
        "ANCIENNE_CERTIFICATION", "ANNEE", "BLOC_COMPETENCES", "CERTIFICATEUR", "CORRESPONDANCE",
        "FORMACODE", "NOUVELLE_CERTIFICATION", "NSF", "PARTENAIRE", "PUBLICATION_JO", "ROME",
        "STATISTIQUES_PROMOTION",
    }
)  # fmt: skip

# Items of a long text: separated by line breaks in the registry's own file, by runs of spaces
# where line breaks were flattened; an item may start with a bullet.
_LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n)\s*")
_SPACE_RUNS = re.compile(r"[ \t\u00a0]{2,}")
_BULLET = re.compile(r"\s*[-*•·–]\s*")
_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_EXPORT_DATE = re.compile(r"([0-9]{4})[-_]([0-9]{2})[-_]([0-9]{2})")
_BOMB = "refused as a decompression bomb"
_HTML = "is an HTML page, not an RNCP export (an error page saved instead of the file?)"


@attrs.frozen
class Coded:
    """A code and its label, as the fiche gives them (NSF, ROME, Formacode, abrégé, level)."""

    code: Optional[str]
    label: Optional[str]


@attrs.frozen
class Certifier:
    """A certifying body (``CERTIFICATEUR``)."""

    siret: Optional[str]
    name: Optional[str]
    state: Optional[str]


@attrs.frozen
class FicheBloc:
    """A bloc de compétences of a fiche; ``competences_text`` is ``LISTE_COMPETENCES``."""

    code: Optional[str]
    label: Optional[str]
    competences_text: Optional[str]
    evaluation: Optional[str]

    @property
    def competences(self) -> tuple[str, ...]:
        """The items of ``LISTE_COMPETENCES`` (see :func:`split_items`), split when asked."""
        return split_items(self.competences_text)


@attrs.frozen
class BlocCorrespondence:
    """A ``CORRESPONDANCE``: blocs of this fiche (``SOURCE``) and of another (``DESTINATION``).

    For a fiche that replaces another, the source blocs are this (newer) fiche's and the
    destination blocs the older fiche's: holders of the older blocs are deemed to hold the newer.
    """

    source_codes: tuple[str, ...]
    fiche: Optional[str]
    destination_codes: tuple[str, ...]


@attrs.frozen
class Publication:
    """A legal text a fiche names: ``kind`` is ``CREATION``, ``GENERAL`` or ``AUTRE``."""

    kind: str
    title: Optional[str]
    published_on: Optional[dt.date]


@attrs.frozen
class Fiche:
    """What one ``FICHE`` of the export says; a missing or empty element is ``None`` or ``()``.

    ``elements``: every element that has a value, as (path, value) in document order, when the
    reader was asked to keep them (:func:`read_fiches`'s ``keep``).
    """

    number: Optional[str]
    id: Optional[str]
    title: Optional[str]
    abrege: Optional[Coded]
    state: Optional[str]
    active: Optional[bool]
    registration_type: Optional[str]
    level: Optional[Coded]
    effective_on: Optional[dt.date]  # DATE_EFFET
    registered_until: Optional[dt.date]  # DATE_FIN_ENREGISTREMENT
    decided_on: Optional[dt.date]  # DATE_DECISION
    published_on: Optional[dt.date]  # DATE_DE_PUBLICATION
    last_jo_on: Optional[dt.date]  # DATE_DERNIER_JO
    delivery_limit: Optional[dt.date]  # DATE_LIMITE_DELIVRANCE
    nsf: tuple[Coded, ...]
    rome: tuple[Coded, ...]
    formacodes: tuple[Coded, ...]
    certifiers: tuple[Certifier, ...]
    blocs: tuple[FicheBloc, ...]
    former: tuple[str, ...]  # ANCIENNES_CERTIFICATIONS
    newer: tuple[str, ...]  # NOUVELLES_CERTIFICATIONS
    correspondences: tuple[BlocCorrespondence, ...]
    publications: tuple[Publication, ...]
    activities: Optional[str]  # ACTIVITES_VISEES
    capacities: Optional[str]  # CAPACITES_ATTESTEES
    sectors: Optional[str]  # SECTEURS_ACTIVITE
    job_types: Optional[str]  # TYPE_EMPLOI_ACCESSIBLES
    objectives: Optional[str]  # OBJECTIFS_CONTEXTE
    regulations: Optional[str]  # REGLEMENTATIONS_ACTIVITES
    elements: tuple[tuple[str, str], ...] = ()

    @property
    def is_titre_professionnel(self) -> bool:
        """Whether the fiche is a titre professionnel (``ABREGE/CODE`` is ``TP``)."""
        return self.abrege is not None and self.abrege.code == "TP"

    @property
    def creation(self) -> tuple[Publication, ...]:
        """The texts of ``PUBLICATION_DECRET_CREATION``, in order."""
        return tuple(p for p in self.publications if p.kind == "CREATION")


@attrs.frozen
class SkippedFiche:
    """A ``FICHE`` past a cap on what a fiche may hold, so not built: what identifies it.

    Each text is cut at 1,000 characters, and at most 10,000 links are noted.
    """

    line: int  # where its start tag is
    why: str  # the cap it passed, in words
    number: Optional[str]  # NUMERO_FICHE
    title: Optional[str]  # INTITULE
    abrege: Optional[str]  # ABREGE/CODE
    links: tuple[str, ...]  # the fiche numbers its ANCIENNE_ and NOUVELLE_CERTIFICATION give


# ---------------------------------------------------------------- text


def split_items(text: Optional[str]) -> tuple[str, ...]:
    r"""The items of a long text, each a verbatim slice of it, bullets and spaces trimmed.

    Items are separated by line breaks (the registry's own form) or, where the text has none,
    by runs of two or more spaces (the flattened form). When the text is a bulleted list, a
    piece that does not start with a bullet continues the item before it.

    >>> split_items("Maquetter des interfaces  Réaliser des interfaces")
    ('Maquetter des interfaces', 'Réaliser des interfaces')
    >>> split_items("- Valider une solution   technique  - Renseigner la maquette")
    ('Valider une solution   technique', 'Renseigner la maquette')
    >>> split_items("* Coder\n* Installer un réseau")
    ('Coder', 'Installer un réseau')
    """
    if not text or not text.strip():
        return ()
    separator = _LINE_BREAKS if ("\n" in text or "\r" in text) else _SPACE_RUNS
    if _BULLET.match(text) is None:  # the common case, without merging: split and strip
        return tuple(piece for piece in (p.strip() for p in separator.split(text)) if piece)
    bounds = [0]
    for match in separator.finditer(text):
        bounds += match.span()
    bounds.append(len(text))
    items: list[list[int]] = []  # the spans of the items
    for start, end in zip(bounds[::2], bounds[1::2]):
        if not text[start:end].strip():
            continue
        bullet = _BULLET.match(text, start)
        if bullet is None and items:
            items[-1][1] = end  # a continuation of the item before
        else:
            items.append([start if bullet is None else bullet.end(), end])
    return tuple(item for item in (text[a:b].strip() for a, b in items) if item)


def _day(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date(text: Optional[str]) -> Optional[dt.date]:
    """A ``JJ/MM/AAAA`` date; anything else (or nothing) is ``None``, never an error."""
    match = _DATE.fullmatch(text.strip()) if text else None
    return None if match is None else _day(int(match[3]), int(match[2]), int(match[1]))


def _bool(text: Optional[str]) -> Optional[bool]:
    value = (text or "").strip().casefold()
    return True if value == "oui" else False if value == "non" else None


def export_path(path: object) -> str:
    """``path`` as a string, if it is one or a path; else a typed error showing what it is."""
    from .exceptions import ArgumentTypeError

    name = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(name, str):
        raise ArgumentTypeError(
            "the RNCP export is read from a path (a str or a pathlib.Path), "
            f"not {type(path).__name__} {path!r:.100}"
        )
    return name


def export_date_from_name(path: str) -> Optional[dt.date]:
    """The export's date from its file name (``…_AAAA-MM-JJ.xml`` or ``…-AAAA-MM-JJ.zip``).

    >>> export_date_from_name("export-fiches-rncp-v4-1-2026-12-01.zip")
    datetime.date(2026, 12, 1)
    >>> export_date_from_name("sample.xml") is None
    True
    """
    matches = list(_EXPORT_DATE.finditer(Path(path).name))
    return _day(*map(int, matches[-1].groups())) if matches else None


# ---------------------------------------------------------------- one fiche


def _text(element: Optional[Element]) -> Optional[str]:
    """An element's text, ``None`` when missing or blank."""
    if element is None:
        return None
    text = element.text
    return text if text and not text.isspace() else None  # isspace: no copy of a long text


def _finds(element: Element, *tags: str) -> tuple[Optional[str], ...]:
    """The text of the first child of each tag (see :func:`_text`)."""
    return tuple(_text(element.find(tag)) for tag in tags)


def _coded(element: Optional[Element], code: str = "CODE") -> Optional[Coded]:
    if element is None:
        return None
    result = Coded(*_finds(element, code, "LIBELLE"))
    return None if result.code is None and result.label is None else result


def _texts(element: Optional[Element], path: str) -> tuple[str, ...]:
    """The texts at ``path`` below ``element``, stripped."""
    if element is None:
        return ()
    found = (_text(e) for e in element.iterfind(path))
    return tuple(t.strip() for t in found if t is not None)


def _strip(text: Optional[str]) -> Optional[str]:
    return None if text is None else text.strip()


def _fiche(element: Element, keep: bool) -> Fiche:
    """The record of one ``FICHE`` element.

    Its children are indexed by tag once (the first of a tag wins, as ``find`` would have it):
    about a third faster than one ``find`` per field.
    """
    top: dict[str, Element] = {}
    for child in element:
        top.setdefault(child.tag, child)

    def text(tag: str) -> Optional[str]:
        return _text(top.get(tag))

    def items(tag: str, item: str) -> list[Element]:
        container = top.get(tag)
        return [] if container is None else container.findall(item)

    def codes(tag: str, item: str) -> tuple[Coded, ...]:
        return tuple(c for c in map(_coded, items(tag, item)) if c is not None)

    return Fiche(
        number=_strip(text("NUMERO_FICHE")),
        id=_strip(text("ID_FICHE")),
        title=text("INTITULE"),
        abrege=_coded(top.get("ABREGE")),
        state=text("ETAT_FICHE"),
        active=_bool(text("ACTIF")),
        registration_type=text("TYPE_ENREGISTREMENT"),
        level=_coded(top.get("NOMENCLATURE_EUROPE"), "NIVEAU"),
        effective_on=_date(text("DATE_EFFET")),
        registered_until=_date(text("DATE_FIN_ENREGISTREMENT")),
        decided_on=_date(text("DATE_DECISION")),
        published_on=_date(text("DATE_DE_PUBLICATION")),
        last_jo_on=_date(text("DATE_DERNIER_JO")),
        delivery_limit=_date(text("DATE_LIMITE_DELIVRANCE")),
        nsf=codes("CODES_NSF", "NSF"),
        rome=codes("CODES_ROME", "ROME"),
        formacodes=codes("FORMACODES", "FORMACODE"),
        certifiers=tuple(
            Certifier(*_finds(c, "SIRET_CERTIFICATEUR", "NOM_CERTIFICATEUR", "ETAT_CERTIFICATEUR"))
            for c in items("CERTIFICATEURS", "CERTIFICATEUR")
        ),
        blocs=tuple(
            FicheBloc(*_finds(b, "CODE", "LIBELLE", "LISTE_COMPETENCES", "MODALITES_EVALUATION"))
            for b in items("BLOCS_COMPETENCES", "BLOC_COMPETENCES")
        ),
        former=_texts(top.get("ANCIENNES_CERTIFICATIONS"), "ANCIENNE_CERTIFICATION/*"),
        newer=_texts(top.get("NOUVELLES_CERTIFICATIONS"), "NOUVELLE_CERTIFICATION/*"),
        correspondences=tuple(
            BlocCorrespondence(
                source_codes=_texts(c, "SOURCE/BLOC_COMPETENCES/CODE"),
                fiche=_text(c.find("DESTINATION/NUMERO_FICHE")),
                destination_codes=_texts(c, "DESTINATION/BLOC_COMPETENCES/CODE"),
            )
            for c in items("CORRESPONDANCES", "CORRESPONDANCE")
        ),
        publications=tuple(
            Publication(
                kind=kind,
                title=_text(p.find("TITRE")),
                published_on=_date(_text(p.find("DATE_PUBLICATION_JO"))),
            )
            for kind in ("CREATION", "GENERAL", "AUTRE")
            for p in items(f"PUBLICATION_DECRET_{kind}", "PUBLICATION_JO")
        ),
        activities=text("ACTIVITES_VISEES"),
        capacities=text("CAPACITES_ATTESTEES"),
        sectors=text("SECTEURS_ACTIVITE"),
        job_types=text("TYPE_EMPLOI_ACCESSIBLES"),
        objectives=text("OBJECTIFS_CONTEXTE"),
        regulations=text("REGLEMENTATIONS_ACTIVITES"),
        elements=_elements(element) if keep else (),
    )


def _elements(fiche: Element) -> tuple[tuple[str, str], ...]:
    """Every element of ``fiche`` that has a value: (path, value), in document order."""
    found: list[tuple[str, str]] = []

    def walk(parent: Element, prefix: str) -> None:
        counts: dict[str, int] = {}
        for child in parent:
            tag = child.tag
            if tag in REPEATED:
                counts[tag] = counts.get(tag, 0) + 1
                tag = f"{tag}[{counts[tag]}]"
            path = f"{prefix}{tag}"
            text = child.text
            if text and not text.isspace():
                found.append((path, text))
            walk(child, path + "/")

    walk(fiche, "")
    return tuple(found)


# ---------------------------------------------------------------- the file


def _refuse(path: str, why: str) -> RegistryExportError:
    """The error for the export ``path``: its name, quoted (at most 200 characters), and why."""
    shown = path if len(path) <= 200 else path[:199] + "…"
    return RegistryExportError(f"{shown!r}: {why}")


def _open(path: str) -> tuple[Callable[[int], bytes], int, list[Any]]:
    """How to read the export's XML (the file, or the zip's member), its size, what to close."""
    try:
        kind = Path(path).stat().st_mode
    except (OSError, ValueError):
        kind = None  # opening it says what is wrong
    if kind is not None and not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)):
        what = "a pipe" if stat.S_ISFIFO(kind) else "a device or a socket"
        raise _refuse(
            path,
            f"is {what}, not a file: an export may be read twice (and a zip from its end); "
            "save it to a file and give that file",
        )
    try:
        file = Path(path).open("rb")  # noqa: SIM115  (closed by the caller, with the zip's member)
    except IsADirectoryError:
        raise _refuse(path, "is a directory, not an RNCP export") from None
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:  # a NUL in the name
        raise _refuse(path, f"cannot be a file name ({exc})") from None
    head = file.read(4)
    file.seek(0)
    if head != b"PK\x03\x04":
        return file.read, os.fstat(file.fileno()).st_size, [file]
    return _zip_member(path, file)


def _zip_member(path: str, file: IO[bytes]) -> tuple[Callable[[int], bytes], int, list[Any]]:
    """As :func:`_open`, for a zip: its one member, checked, read up to its limit."""
    import zipfile
    import zlib

    damaged = (zipfile.BadZipFile, NotImplementedError, ValueError, zlib.error, OSError, EOFError)
    try:
        archive = zipfile.ZipFile(file)
    except damaged as exc:
        file.close()
        raise _refuse(path, f"a damaged zip ({exc})") from None
    try:
        member = _the_member(path, archive.infolist())
        where = f"a damaged zip: its member {member.filename!r}"
        try:
            stream = archive.open(member)
        except damaged as exc:
            raise _refuse(path, f"{where}: {exc}") from None
    except BaseException:
        archive.close()
        file.close()
        raise
    left = min(MAX_INFLATED, MAX_RATIO * max(member.compress_size, 1))

    def read(size: int) -> bytes:
        """Up to ``size`` bytes, counted against the limit whatever the header said."""
        nonlocal left
        try:
            data = stream.read(size)
        except damaged as exc:
            raise _refuse(path, f"{where}: {exc}") from None
        left -= len(data)
        if left < 0:
            raise _refuse(
                path,
                f"the zip's member {member.filename!r} inflates beyond its limit: {_BOMB}",
            )
        return data

    return read, member.file_size, [stream, archive, file]


def _the_member(path: str, members: list[Any]) -> Any:
    """The one member of the zip, checked: a plain .xml name, bounded size and ratio."""
    files = [m for m in members if not m.is_dir()]
    if len(files) != 1:
        shown = ", ".join(repr(m.filename) for m in files[:3]) + (", …" if len(files) > 3 else "")
        raise _refuse(path, f"a zip of {len(files)} files ({shown}); expected one {_EXPECTED}")
    member = files[0]
    name, size, packed = member.filename, member.file_size, member.compress_size
    parted = any(part in name for part in ("/", "\\", "..", ":"))
    if parted or name.startswith(".") or not name.lower().endswith(".xml"):
        why = f"{name[:100]!r} is not a plain .xml file name; expected {_EXPECTED}"
    elif member.flag_bits & 0x1:
        why = f"{name!r} is encrypted; the export as downloaded is not"
    elif member.compress_type not in _COMPRESSIONS:
        why = (
            f"{name!r} is compressed with method {member.compress_type}; "
            "expected one stored (0) or deflated (8), as the export is"
        )
    elif size > MAX_INFLATED:
        why = f"{name!r} would inflate to {size} bytes (more than {MAX_INFLATED}): {_BOMB}"
    elif size > MAX_RATIO * max(packed, 1):
        why = f"{name!r} inflates {size} bytes from {packed} (a ratio over {MAX_RATIO}): {_BOMB}"
    else:
        return member
    raise _refuse(path, f"the zip's member {why}")


def _check_prolog(path: str, head: bytes) -> None:  # noqa: C901, PLR0912  (a branch per construct)
    """Refuse what precedes the root element if it is not plain XML of an RNCP export.

    ``head`` holds the file's first ``PROLOG_LIMIT`` bytes (or all of it).
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(path, "is UTF-16; the RNCP export is UTF-8")
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        lt = head.find(b"<", position)
        if lt < 0 or head[position:lt].strip():
            _not_xml(path, head)
        if head.startswith(b"<?", lt):
            end = head.find(b"?>", lt)
            if end < 0:
                _not_xml(path, head)
            position = end + 2
            encoding = re.search(rb"encoding\s*=\s*[\"']([^\"']*)", head[lt:position])
            named = encoding.group(1) if encoding else b"utf-8"
            if named.lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
                raise _refuse(
                    path,
                    f"declares the encoding {named.decode('ascii', 'replace')!r}; "
                    "the RNCP export is UTF-8",
                )
        elif head.startswith(b"<!--", lt):
            end = head.find(b"-->", lt + 4)
            if end < 0:
                _not_xml(path, head)
            position = end + 3
        elif head.startswith(b"<!", lt):
            if re.match(rb"<!doctype\s+html", head[lt : lt + 20], re.IGNORECASE):
                raise _refuse(path, _HTML)
            raise _refuse(
                path,
                "has a DTD (<!DOCTYPE …>): refused, since a DTD can declare entities; "
                "the RNCP export has none",
            )
        else:
            name = re.match(rb"<([A-Za-z_][-A-Za-z0-9_.:]*)", head[lt:])
            if name is None:
                _not_xml(path, head)
            tag = name.group(1).decode("ascii")
            if tag.lower() == "html":
                raise _refuse(path, _HTML)
            if tag != "FICHES":
                raise _refuse(
                    path,
                    f"is XML whose root element is <{tag[:50]}>, not an RNCP export "
                    "(root <FICHES>)",
                )
            return


def _not_xml(path: str, head: bytes) -> NoReturn:
    start = head.lstrip()[:4]
    if start.startswith(b"\x1f\x8b"):
        what = "a gzip file"
    elif start.startswith(b"%PDF"):
        what = "a PDF file"
    elif start[:1] in (b"{", b"["):
        what = "JSON"
    elif not head.strip():
        what = "empty"
    elif b";" in head[:2000] and b"<" not in head[:2000]:
        what = "text, perhaps a CSV file (the registry's CSV export is not read: use the XML)"
    else:
        what = "not XML"
    raise _refuse(path, f"is {what}, not an RNCP export (the XML of flux v4.1 or its zip)")


# ---------------------------------------------------------------- reading it


def read_fiches(
    path: str | os.PathLike[str],
    *,
    keep: Callable[[Element], bool] | None = None,
    progress: bool | None = None,
    skipped: Callable[[SkippedFiche], None] | None = None,
) -> Iterator[Fiche]:
    """Every ``FICHE`` of the export at ``path`` (its XML file, or its zip), in order.

    Args:
        path: the XML export or the zip as downloaded.
        keep: for which ``FICHE`` elements to keep every element's path and value in
            :attr:`Fiche.elements` (none when ``None``).
        progress: draw a progress bar on standard error; by default, when it is a terminal.
        skipped: called with each fiche past a cap (see :func:`fiche_elements`), which is
            not given as a record; it may raise to refuse the export.

    Raises:
        RegistryExportError: the file is not an export (the message says what it is), is
            broken XML (the message gives the line), or is refused as hostile.
    """
    for element, _ in fiche_elements(path, progress=progress, skipped=skipped):
        yield _fiche(element, keep is not None and keep(element))


def fiche_elements(  # noqa: C901, PLR0912, PLR0915  (the streaming loop, a closure per event)
    path: str | os.PathLike[str],
    *,
    progress: bool | None = None,
    skipped: Callable[[SkippedFiche], None] | None = None,
) -> Iterator[tuple[Element, int]]:
    """Each ``FICHE`` element of the export, wherever it stands, and the line it starts on.

    Use an element only until the next one is asked for (it is freed then); :func:`read_fiches`
    makes records. A fiche past a cap on what one fiche may hold (``MAX_TEXT`` bytes of text
    between two tags, ``MAX_FICHE_BYTES`` bytes or ``MAX_FICHE_ELEMENTS`` elements in all,
    elements nested ``MAX_FICHE_DEPTH`` levels below it) is not built, and ``skipped`` is called
    with what identifies it once it ends. Raises :class:`RegistryExportError` as
    :func:`read_fiches` does, and for what the parser itself would hold: a tag, comment or
    processing instruction of more than ``MAX_TOKEN`` bytes, more than ``MAX_DEPTH`` elements
    open at once, or their names longer than ``MAX_OPEN_NAMES`` characters in all.

    Expat's handlers are closures over local state (cheaper than attributes, for the millions
    of elements of an export). Outside a fiche nothing is built and text is not even handed
    over. Inside one, a C ``TreeBuilder`` takes the text directly and builds the fiche until it
    ends or passes a cap: then it is dropped, and only what identifies the fiche is noted until
    its end tag. The caps on text are checked after each chunk, from the bytes read since the
    last tag: to within one chunk.
    """
    from xml.etree.ElementTree import TreeBuilder
    from xml.parsers import expat

    name = export_path(path)
    read, size, to_close = _open(name)
    bar = _Progress(size) if (sys.stderr.isatty() if progress is None else progress) else None
    parser = expat.ParserCreate()
    parser.buffer_text = True  # text handed over whole (up to a chunk), not line by line
    parser.buffer_size = CHUNK
    done: list[Any] = []  # the fiches the last chunk ended: (element, line) or SkippedFiche
    fed = fiches = 0  # bytes fed, fiches ended
    flux = False  # whether VERSION_FLUX was read
    depth = names = count = 0  # elements open, characters of their names, elements started
    base = 0  # the depth of the FICHE being read; 0 outside any fiche
    most = deepest = 0  # the count and the depth it may reach
    builder: Any = None  # builds it; None once it has passed a cap (or outside a fiche)
    fiche: Any = None  # its element, as built so far
    line = started = 0  # where it starts, and the bytes fed by then
    why = ""  # the cap it passed
    level1 = level2 = ""  # while skipping it: the elements open 1 and 2 levels below it
    noted: dict[str, str] = {}  # what identifies it, while skipping it
    links: list[str] = []
    capture: Optional[str] = None  # which of those the text being read gives
    captured: list[str] = []

    def hostile(what: str) -> RegistryExportError:
        where = parser.CurrentLineNumber
        return _refuse(name, f"holds {what} at line {where}: refused as hostile")

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth, names, count, base, most, deepest, builder, fiche, line, started
        depth += 1
        count += 1
        if builder is not None:  # the common case first, and as short as can be
            if count <= most and depth <= deepest:
                builder.start(tag, attributes)
                return
            if count > most:
                past(f"more than {MAX_FICHE_ELEMENTS:,} elements", depth - base - 1)
            else:
                past(f"elements nested more than {MAX_FICHE_DEPTH} levels", depth - base - 1)
        # Names are counted outside what is built: a fiche built is held to its caps.
        names += len(tag)
        if depth > MAX_DEPTH or names > MAX_OPEN_NAMES:
            raise hostile(
                f"elements nested more than {MAX_DEPTH:,} deep (or their names longer "
                f"than {MAX_OPEN_NAMES:,} characters)"
            )
        if base:
            skip_start(tag)
        elif tag == "FICHE":
            base, line, started = depth, parser.CurrentLineNumber, fed
            most, deepest = count + MAX_FICHE_ELEMENTS - 1, depth + MAX_FICHE_DEPTH
            builder = TreeBuilder()
            fiche = builder.start(tag, attributes)
            parser.CharacterDataHandler = builder.data

    def end(tag: str) -> None:
        nonlocal depth, names, base, builder, fiche, fiches, flux
        if builder is not None:
            element = builder.end(tag)
            if depth > base:
                depth -= 1
                return
            done.append((element, line))
            builder = fiche = None
        elif base:
            finish_capture()
            if depth == base:
                kept = {field: noted.get(tag) for tag, field in _NOTED.items()}
                done.append(SkippedFiche(line, why, links=tuple(links), **kept))
                noted.clear()
                links.clear()
        elif tag == "VERSION_FLUX":
            flux = True
        if depth == base:
            fiches += 1
            base = 0
            parser.CharacterDataHandler = None
        depth -= 1
        names -= len(tag)

    def past(reason: str, open_levels: int) -> None:
        """The fiche passes a cap: note what identifies it, drop what was built.

        ``open_levels``: how many of the elements built below it are still open.
        """
        nonlocal builder, fiche, level1, level2, names, why
        why = reason
        for tag in _NOTED:
            value = fiche.findtext(tag)
            if value is not None:
                noted[tag] = value[:_NOTED_TEXT]
        for links_path in LINKS:
            for link in fiche.iterfind(links_path):
                if link.text is not None and len(links) < _NOTED_LINKS:
                    links.append(link.text[:_NOTED_TEXT])
        # The elements still open are the last child of the fiche, its last child, …: their
        # names are counted from now on, as those of any element not built.
        chain = []
        element = fiche
        for _ in range(open_levels):
            element = element[-1]
            chain.append(element.tag)
        names += sum(map(len, chain))
        level1, level2 = (*chain, "", "")[:2]
        builder = fiche = None
        parser.CharacterDataHandler = skip_data

    def skip_start(tag: str) -> None:
        """An element of a fiche past a cap: note it if it identifies the fiche."""
        nonlocal level1, level2, capture
        finish_capture()
        level = depth - base
        if level == 1:
            level1 = tag
            capture = tag if tag in _NOTED else None
        elif level == 2:
            level2 = tag
            capture = "ABREGE/CODE" if (level1, tag) == ("ABREGE", "CODE") else None
        elif level == 3 and level1 in _LINK_LISTS and level2 in _LINK_ITEMS:
            capture = "link"

    def skip_data(text: str) -> None:
        if capture is not None and sum(map(len, captured)) < _NOTED_TEXT:
            captured.append(text)

    def finish_capture() -> None:
        nonlocal capture
        if capture is None:
            return
        text = "".join(captured)[:_NOTED_TEXT]
        captured.clear()
        if capture != "link":
            noted.setdefault(capture, text)
        elif len(links) < _NOTED_LINKS:
            links.append(text)
        capture = None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    quiet = 0  # bytes fed since the last tag (at most: to within one chunk)
    seen = (0, 0)  # elements started and open at the end of the last chunk
    try:
        chunk = read(PROLOG_LIMIT)
        _check_prolog(name, chunk)
        while True:
            if bar is not None:
                bar.advance(len(chunk))
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                raise _broken(name, exc) from None
            fed += len(chunk)
            # What expat holds unparsed is one token it has not seen the end of.
            if chunk and (fed - parser.CurrentByteIndex) % (1 << 32) > MAX_TOKEN:
                raise hostile(
                    f"a tag, comment or processing instruction of more than {MAX_TOKEN:,} bytes"
                )
            quiet = quiet + len(chunk) if seen == (count, depth) else len(chunk)
            seen = (count, depth)
            if builder is not None and quiet > MAX_TEXT:
                past(f"a text of more than {MAX_TEXT:,} bytes", depth - base)
            elif builder is not None and fed - started > MAX_FICHE_BYTES:
                past(f"more than {MAX_FICHE_BYTES:,} bytes", depth - base)
            done.reverse()
            while done:  # each given once, then freed: the caller holds it, or nobody
                item = done.pop()
                if not isinstance(item, SkippedFiche):
                    yield item
                elif skipped is not None:
                    skipped(item)
            if not chunk:
                break
            chunk = read(CHUNK)
        if fiches == 0 and not flux:
            raise _refuse(name, "has a <FICHES> root but neither VERSION_FLUX nor any FICHE")
    finally:
        if bar is not None:
            bar.done()
        for item in to_close:
            item.close()


def _broken(path: str, exc: Any) -> RegistryExportError:
    """The error for expat's ``exc``: where, and what, in expat's words."""
    from xml.parsers import expat

    reason = expat.ErrorString(exc.code)
    if reason in (
        expat.errors.XML_ERROR_NO_ELEMENTS,
        expat.errors.XML_ERROR_UNCLOSED_TOKEN,
        expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    ):
        reason = f"{reason} (the file ends early: truncated?)"
    return _refuse(path, f"broken XML at line {exc.lineno}, column {exc.offset}: {reason}")


class _Progress:
    """A progress bar on standard error: bytes read of the total."""

    def __init__(self, total: int) -> None:
        self._total = max(total, 1)
        self._read = 0
        self._shown = -1

    def advance(self, count: int) -> None:
        self._read += count
        percent = min(100, self._read * 100 // self._total)
        if percent != self._shown:
            self._shown = percent
            bar = "#" * (40 * percent // 100)
            sys.stderr.write(f"\rReading the export [{bar:.<40}] {percent:3d}%")
            sys.stderr.flush()

    def done(self) -> None:
        if self._shown >= 0:
            sys.stderr.write("\n")
            sys.stderr.flush()
