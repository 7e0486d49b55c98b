"""Reading France compétences' RNCP export (flux XML v4.1), streamed, as untrusted input.

The export is published every day on data.gouv.fr: a zip (``export-fiches-rncp-v4-1-
AAAA-MM-JJ.zip``) holding one XML file of about 30,000 fiches, hundreds of MB. This module
reads the XML file or the zip in place, one ``FICHE`` at a time, and gives each as a frozen
:class:`Fiche` record.

Memory is bounded whatever the file's shape. Expat is fed 64 kB at a time; its handlers build
the element of each ``FICHE`` (wherever it stands: under the root or inside another element)
and nothing else, and the element is dropped once the caller is done with it. What one fiche
may hold is capped (one text, its size, its elements, its nesting: ``MAX_TEXT`` and the caps
after it): a fiche past a cap is not built, only what identifies it is noted
(:class:`SkippedFiche`), so that the caller refuses it if it wants it and passes over it if
not. What the parser itself would have to hold (elements open at once, one huge tag or
comment) is capped too, and refuses the export. Every broken input is a
:class:`~titre_mercd.exceptions.RegistryExportError` naming the line, or the zip's member.

Untrusted input. The file comes from the internet, so no DTD is accepted: without a DTD there
are no entities to expand, internal or external. Two ways were measured on this machine, with
0.2.0's reader (CPython 3.11.7, 2 cores shared with other work; CPU times, against a bare C
``ElementTree.iterparse`` loop clearing each ``FICHE`` in the same run, alternating):

- ``defusedxml.ElementTree.iterparse(forbid_dtd=True)`` (defusedxml 0.7.1): 0.73× the bare loop
  on the 722 kB sample of 12 real fiches (in one process, 15 rounds), 0.59× on a 520 MB export
  made of them (``benchmarks/registry.py --defusedxml``, two runs: 0.59 and 0.59);
- checking that nothing but an XML declaration, comments and processing instructions precedes
  the root element (so no ``<!DOCTYPE``), then feeding the very bytes checked to the parser
  (:func:`fiche_elements`): 0.80× on the sample (so small a file that setting up counts), and
  1.00× on the 520 MB export.

Both are safe (entities can only be declared in a DTD, and a DTD only before the root element:
expat refuses one anywhere else as a syntax error). The check is chosen: it needs no
dependency, and it leaves room for the handlers that bound memory, which cost about 0.2× of
the bare loop's throughput (the README's figures).

Zip: the one member must be a plain file name (no directory, no ``..``, no drive) ending in
``.xml``, neither encrypted nor compressed otherwise than stored or deflated; its declared
size and its compression ratio are bounded, and the bytes actually inflated are counted
against both, so a bomb stops early whatever its header says.
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

# Caps on what one fiche may hold. A fiche past one is not built (see fiche_elements): the
# lineage's are refused, others passed over. The 12 real fiches of the sample hold at most a
# text of 13,712 characters, 62 kB, 2,948 elements and 5 levels below FICHE: each cap is well
# above what a real fiche holds, and together they keep one fiche under about 25 MB.
MAX_TEXT = 1024 * 1024  # bytes of text between two tags
MAX_FICHE_BYTES = 16 * 1024 * 1024  # bytes of one fiche
MAX_FICHE_ELEMENTS = 20_000  # elements in one fiche
MAX_FICHE_DEPTH = 32  # levels of elements below FICHE
# Caps on what the parser itself would hold, whatever stands where: past one, the export is
# refused. Expat keeps about 120 bytes and the name of each open element, and a token (a tag
# with its attributes, a comment, a processing instruction) whole until its end.
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
# What is noted of a fiche past a cap: these elements, and its links.
_NOTED = ("NUMERO_FICHE", "INTITULE")
_NOTED_TEXT = 1_000  # characters of each
_NOTED_LINKS = 10_000

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
_BULLET = re.compile(r"[-*•·–]\s*")
_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_EXPORT_DATE = re.compile(r"([0-9]{4})[-_]([0-9]{2})[-_]([0-9]{2})")


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
    """A bloc de compétences of a fiche: its code, libellé and compétences, in order.

    ``competences_text`` is ``LISTE_COMPETENCES`` as given; :attr:`competences` its items.
    """

    code: Optional[str]
    label: Optional[str]
    competences_text: Optional[str]
    evaluation: Optional[str]

    @property
    def competences(self) -> tuple[str, ...]:
        """The items of ``LISTE_COMPETENCES`` (see :func:`split_items`), verbatim, in order.

        Split when asked: most fiches of an export are read only to be passed over.
        """
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

    ``elements`` holds every element of the fiche that has a value, as (path, value) pairs in
    document order, when the reader was asked to keep them (:func:`read_fiches`'s ``keep``).
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
    first = text.lstrip()
    if _BULLET.match(first) is None:  # the common case, without merging: split and strip
        return tuple(piece for piece in (p.strip() for p in separator.split(text)) if piece)
    pieces: list[tuple[int, int]] = []
    start = 0
    for match in separator.finditer(text):
        pieces.append(_strip_span(text, start, match.start()))
        start = match.end()
    pieces.append(_strip_span(text, start, len(text)))
    items: list[tuple[int, int]] = []
    for a, b in pieces:
        if a >= b:
            continue
        bullet = _BULLET.match(text, a)
        if bullet is None and items:
            items[-1] = (items[-1][0], b)  # a continuation of the item before
            continue
        items.append((a if bullet is None else bullet.end(), b))
    return tuple(item for item in (text[a:b].strip() for a, b in items) if item)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _date(text: Optional[str]) -> Optional[dt.date]:
    """A ``JJ/MM/AAAA`` date; anything else (or nothing) is ``None``, never an error."""
    if not text:
        return None
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


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
    if not matches:
        return None
    year, month, day = (int(part) for part in matches[-1].groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------- one fiche


def _text(element: Optional[Element]) -> Optional[str]:
    """An element's text, ``None`` when missing or blank."""
    if element is None:
        return None
    text = element.text
    return text if text and not text.isspace() else None  # isspace: no copy of a long text


def _coded(element: Optional[Element], code: str = "CODE") -> Optional[Coded]:
    if element is None:
        return None
    result = Coded(code=_text(element.find(code)), label=_text(element.find("LIBELLE")))
    return None if result.code is None and result.label is None else result


def _codes(elements: list[Element]) -> tuple[Coded, ...]:
    found = (_coded(e) for e in elements)
    return tuple(c for c in found if c is not None)


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
        return [] if container is None else [e for e in container if e.tag == item]

    blocs = tuple(
        FicheBloc(
            code=_text(b.find("CODE")),
            label=_text(b.find("LIBELLE")),
            competences_text=_text(b.find("LISTE_COMPETENCES")),
            evaluation=_text(b.find("MODALITES_EVALUATION")),
        )
        for b in items("BLOCS_COMPETENCES", "BLOC_COMPETENCES")
    )
    correspondences = tuple(
        BlocCorrespondence(
            source_codes=_texts(c, "SOURCE/BLOC_COMPETENCES/CODE"),
            fiche=_text(c.find("DESTINATION/NUMERO_FICHE")),
            destination_codes=_texts(c, "DESTINATION/BLOC_COMPETENCES/CODE"),
        )
        for c in items("CORRESPONDANCES", "CORRESPONDANCE")
    )
    publications = tuple(
        Publication(
            kind=kind,
            title=_text(p.find("TITRE")),
            published_on=_date(_text(p.find("DATE_PUBLICATION_JO"))),
        )
        for kind in ("CREATION", "GENERAL", "AUTRE")
        for p in items(f"PUBLICATION_DECRET_{kind}", "PUBLICATION_JO")
    )
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
        nsf=_codes(items("CODES_NSF", "NSF")),
        rome=_codes(items("CODES_ROME", "ROME")),
        formacodes=_codes(items("FORMACODES", "FORMACODE")),
        certifiers=tuple(
            Certifier(
                siret=_text(c.find("SIRET_CERTIFICATEUR")),
                name=_text(c.find("NOM_CERTIFICATEUR")),
                state=_text(c.find("ETAT_CERTIFICATEUR")),
            )
            for c in items("CERTIFICATEURS", "CERTIFICATEUR")
        ),
        blocs=blocs,
        former=_numbers(items("ANCIENNES_CERTIFICATIONS", "ANCIENNE_CERTIFICATION")),
        newer=_numbers(items("NOUVELLES_CERTIFICATIONS", "NOUVELLE_CERTIFICATION")),
        correspondences=correspondences,
        publications=publications,
        activities=text("ACTIVITES_VISEES"),
        capacities=text("CAPACITES_ATTESTEES"),
        sectors=text("SECTEURS_ACTIVITE"),
        job_types=text("TYPE_EMPLOI_ACCESSIBLES"),
        objectives=text("OBJECTIFS_CONTEXTE"),
        regulations=text("REGLEMENTATIONS_ACTIVITES"),
        elements=_elements(element) if keep else (),
    )


def _numbers(links: list[Element]) -> tuple[str, ...]:
    """The fiche numbers of ``ANCIENNE_CERTIFICATION`` (or ``NOUVELLE_…``) elements."""
    found = (_text(child) for link in links for child in link)
    return tuple(t.strip() for t in found if t is not None)


def _strip(text: Optional[str]) -> Optional[str]:
    return None if text is None else text.strip()


def _texts(element: Element, path: str) -> tuple[str, ...]:
    found = (_text(e) for e in element.iterfind(path))
    return tuple(t.strip() for t in found if t is not None)


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


def _open(path: str) -> tuple[Any, int, list[Any]]:
    """The export's XML bytes (the file itself, or the XML member of a zip) and its size.

    Returns the stream, its size in bytes (for progress) and everything to close.
    """
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
        return file, os.fstat(file.fileno()).st_size, [file]
    return _zip_member(path, file)


def _zip_member(path: str, file: IO[bytes]) -> tuple[Any, int, list[Any]]:
    import zipfile

    try:
        archive = zipfile.ZipFile(file)
        members = archive.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        file.close()
        raise _refuse(path, f"a damaged zip ({exc})") from None
    try:
        member = _the_member(path, members)
        try:
            stream = archive.open(member)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
            raise _refuse(path, f"a damaged zip: its member {member.filename!r}: {exc}") from None
    except BaseException:
        archive.close()
        file.close()
        raise
    limit = min(MAX_INFLATED, MAX_RATIO * max(member.compress_size, 1))
    bounded = _Bounded(stream, path, member.filename, limit)
    return bounded, member.file_size, [stream, archive, file]


def _the_member(path: str, members: list[Any]) -> Any:
    """The one member of the zip, checked: a plain .xml name, bounded size and ratio."""
    names = [m.filename for m in members if not m.is_dir()]
    if len(names) != 1:
        raise _refuse(
            path,
            f"a zip of {len(names)} files ({', '.join(repr(n) for n in names[:3])}"
            f"{', …' if len(names) > 3 else ''}); expected one "
            "export_fiches_RNCP_V4_1_AAAA-MM-JJ.xml",
        )
    member = next(m for m in members if not m.is_dir())
    name = member.filename
    if (
        "/" in name
        or "\\" in name
        or ".." in name
        or ":" in name
        or name.startswith(".")
        or not name.lower().endswith(".xml")
    ):
        raise _refuse(
            path,
            f"the zip's member {name[:100]!r} is not a plain .xml file name; expected "
            "export_fiches_RNCP_V4_1_AAAA-MM-JJ.xml",
        )
    if member.flag_bits & 0x1:
        raise _refuse(
            path, f"the zip's member {name!r} is encrypted; the export as downloaded is not"
        )
    if member.compress_type not in _COMPRESSIONS:
        raise _refuse(
            path,
            f"the zip's member {name!r} is compressed with method {member.compress_type}; "
            "expected one stored (0) or deflated (8), as the export is",
        )
    if member.file_size > MAX_INFLATED:
        raise _refuse(
            path,
            f"the zip's member {name!r} would inflate to {member.file_size} bytes "
            f"(more than {MAX_INFLATED}): refused as a decompression bomb",
        )
    if member.file_size > MAX_RATIO * max(member.compress_size, 1):
        raise _refuse(
            path,
            f"the zip's member {name!r} inflates {member.file_size} bytes from "
            f"{member.compress_size} (a ratio over {MAX_RATIO}): refused as a "
            "decompression bomb",
        )
    return member


class _Bounded:
    """A zip member's stream that stops at ``limit`` inflated bytes, whatever its header said."""

    def __init__(self, stream: IO[bytes], path: str, member: str, limit: int) -> None:
        self._stream = stream
        self._path = path
        self._member = member
        self._left = limit

    def read(self, size: int) -> bytes:
        import zipfile
        import zlib

        try:
            data = self._stream.read(size)
        except (zipfile.BadZipFile, NotImplementedError, zlib.error, OSError, EOFError) as exc:
            raise _refuse(
                self._path, f"a damaged zip: its member {self._member!r}: {exc}"
            ) from None
        self._left -= len(data)
        if self._left < 0:
            raise _refuse(
                self._path,
                f"the zip's member {self._member!r} inflates beyond its limit: refused as a "
                "decompression bomb",
            )
        return data

    def close(self) -> None:
        self._stream.close()


def _check_prolog(path: str, head: bytes) -> None:  # noqa: C901, PLR0912  (one branch per construct of a prolog)
    """Refuse what precedes the root element if it is not plain XML of an RNCP export.

    ``head`` holds the bytes up to and including the start of the root element's name.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(path, "is UTF-16; the RNCP export is UTF-8")
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        lt = head.find(b"<", position)
        if lt < 0:
            _not_xml(path, head)
        if head[position:lt].strip():
            _not_xml(path, head)
        if head.startswith(b"<?", lt):
            end = head.find(b"?>", lt)
            if end < 0:
                _not_xml(path, head)
            declaration = head[lt : end + 2]
            encoding = re.search(rb"encoding\s*=\s*[\"']([^\"']*)", declaration)
            if encoding and encoding.group(1).lower().replace(b"_", b"-") not in (
                b"utf-8",
                b"utf8",
            ):
                raise _refuse(
                    path,
                    f"declares the encoding {encoding.group(1).decode('ascii', 'replace')!r}; "
                    "the RNCP export is UTF-8",
                )
            position = end + 2
        elif head.startswith(b"<!--", lt):
            end = head.find(b"-->", lt + 4)
            if end < 0:
                _not_xml(path, head)
            position = end + 3
        elif head.startswith(b"<!", lt):
            if re.match(rb"<!doctype\s+html", head[lt : lt + 20], re.IGNORECASE):
                _html(path)
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
                _html(path)
            if tag != "FICHES":
                raise _refuse(
                    path,
                    f"is XML whose root element is <{tag[:50]}>, not an RNCP export "
                    "(root <FICHES>)",
                )
            return


def _html(path: str) -> NoReturn:
    raise _refuse(
        path,
        "is an HTML page, not an RNCP export (an error page saved instead of the file?)",
    )


def _not_xml(path: str, head: bytes) -> NoReturn:
    start = head.lstrip()[:4]
    if start.startswith(b"\x1f\x8b"):
        what = "a gzip file"
    elif start.startswith(b"%PDF"):
        what = "a PDF file"
    elif head.lstrip()[:1] in (b"{", b"["):
        what = "JSON"
    elif not head.strip():
        what = "empty"
    elif b";" in head[:2000] and b"<" not in head[:2000]:
        what = "text, perhaps a CSV file (the registry's CSV export is not read: use the XML)"
    else:
        what = "not XML"
    raise _refuse(path, f"is {what}, not an RNCP export (the XML of flux v4.1 or its zip)")


def _root_start(head: bytes) -> int:
    """The end of the root element's start in ``head``, or -1 when not there yet."""
    position = 0
    while True:
        lt = head.find(b"<", position)
        if lt < 0 or lt + 1 >= len(head):
            return -1
        following = head[lt + 1 : lt + 2]
        if following == b"?":
            end = head.find(b"?>", lt)
        elif head.startswith(b"<!--", lt):
            end = head.find(b"-->", lt)
        elif following == b"!":
            return min(len(head), lt + 100)  # a declaration: the check reads it, and refuses it
        else:
            name = re.match(rb"[^\s>/]*", head[lt + 1 :])
            return lt + 1 + (len(name.group()) if name else 0)
        if end < 0:
            return -1
        position = end + 2


@attrs.frozen
class SkippedFiche:
    """A ``FICHE`` that passed one of the caps on what a fiche may hold, so was not built.

    What identifies it is noted all the same (each text cut at 1,000 characters, at most
    10,000 links), so that a reader can tell a fiche it wants from one it may pass over.
    """

    line: int  # where its start tag is
    why: str  # the cap it passed, in words
    number: Optional[str]  # NUMERO_FICHE
    title: Optional[str]  # INTITULE
    abrege: Optional[str]  # ABREGE/CODE
    links: tuple[str, ...]  # the fiche numbers its ANCIENNE_ and NOUVELLE_CERTIFICATION give


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


def fiche_elements(  # noqa: C901  (the streaming loop: check once, feed, give, free)
    path: str | os.PathLike[str],
    *,
    progress: bool | None = None,
    skipped: Callable[[SkippedFiche], None] | None = None,
) -> Iterator[tuple[Element, int]]:
    """Each ``FICHE`` element of the export, wherever it stands, and the line it starts on.

    Use an element only until the next one is asked for (it is freed then); :func:`read_fiches`
    makes records. Nothing outside a ``FICHE`` is kept. A fiche past a cap on what one fiche
    may hold (``MAX_TEXT`` bytes of text between two tags, ``MAX_FICHE_BYTES`` bytes or
    ``MAX_FICHE_ELEMENTS`` elements in all, elements nested ``MAX_FICHE_DEPTH`` levels below
    it) is not built, and ``skipped`` is called with what identifies it once it ends. Raises
    :class:`RegistryExportError` as :func:`read_fiches` does, and for what the parser itself
    would have to hold: a tag, comment or processing instruction of more than ``MAX_TOKEN``
    bytes, more than ``MAX_DEPTH`` elements open at once or their names longer than
    ``MAX_OPEN_NAMES`` characters in all.
    """
    name = export_path(path)
    stream, size, to_close = _open(name)
    bar = _Progress(size) if (sys.stderr.isatty() if progress is None else progress) else None
    try:
        parser = _FicheParser(name)
        head = b""
        checked = False
        while True:
            chunk = stream.read(CHUNK)
            if bar is not None:
                bar.advance(len(chunk))
            if not checked:
                head += chunk
                end = _root_start(head)
                if end < 0 and chunk and len(head) < PROLOG_LIMIT:
                    continue
                _check_prolog(name, head if end < 0 else head[:end])
                checked = True
                chunk, head = head, b""
            done = parser.feed(chunk)
            for index, item in enumerate(done):
                done[index] = None  # given once, then freed: the caller holds it, or nobody
                if not isinstance(item, SkippedFiche):
                    yield item
                elif skipped is not None:
                    skipped(item)
            if not chunk:
                break
        if parser.fiches == 0 and not parser.flux:
            raise _refuse(name, "has a <FICHES> root but neither VERSION_FLUX nor any FICHE")
    finally:
        if bar is not None:
            bar.done()
        for item in to_close:
            item.close()


class _FicheParser:
    """Expat, fed by chunks, building each ``FICHE`` element and nothing else.

    The handlers are closures over local state (cheaper than attributes, for the millions of
    elements of an export). Outside a fiche nothing is built and text is not even handed over,
    so nothing is held. Inside one, a C ``TreeBuilder`` takes the text directly and builds
    the fiche until it ends, or until it passes a cap: then it is dropped, and only what
    identifies the fiche is noted until its end tag. The caps on text are checked after each
    chunk, from the bytes read since the last tag: to within one chunk.
    """

    def __init__(self, path: str) -> None:  # noqa: C901, PLR0915  (one closure per event)
        from xml.etree.ElementTree import TreeBuilder
        from xml.parsers import expat

        self.path = path
        self.fiches = 0
        self.flux = False
        self._fed = 0  # bytes fed
        self._quiet = 0  # bytes fed since the last tag (at most: to within one chunk)
        self._seen = (0, 0)  # elements started and open at the end of the last chunk
        self._done: list[Any] = []
        done = self._done
        parser = expat.ParserCreate()
        parser.buffer_text = True  # text handed over whole (up to a chunk), not line by line
        parser.buffer_size = CHUNK
        self._parser = parser

        depth = 0  # elements open
        names = 0  # characters of their names
        count = 0  # elements started
        base = 0  # the depth of the FICHE being read; 0 outside any fiche
        most = deepest = 0  # the count and the depth it may reach
        builder: Any = None  # builds it; None once it has passed a cap (or outside a fiche)
        fiche: Any = None  # its element, as built so far
        line = 0  # where it starts
        started = 0  # bytes fed when it started
        level1 = level2 = ""  # while skipping it: the elements open 1 and 2 levels below it
        noted: dict[str, str] = {}  # what identifies it, while skipping it
        links: list[str] = []
        capture: Optional[str] = None  # which of those the text being read gives
        captured: list[str] = []

        def start(name: str, attributes: dict[str, str]) -> None:
            nonlocal depth, names, count, base, most, deepest, builder, fiche, line, started
            depth += 1
            count += 1
            if builder is not None:  # the common case first, and as short as can be
                if count <= most and depth <= deepest:
                    builder.start(name, attributes)
                    return
                if count > most:
                    past(f"more than {MAX_FICHE_ELEMENTS:,} elements", depth - base - 1)
                else:
                    past(f"elements nested more than {MAX_FICHE_DEPTH} levels", depth - base - 1)
            # Names are counted outside what is built: a fiche built is held to its caps.
            names += len(name)
            if depth > MAX_DEPTH or names > MAX_OPEN_NAMES:
                raise self.hostile(
                    f"elements nested more than {MAX_DEPTH:,} deep (or their names longer "
                    f"than {MAX_OPEN_NAMES:,} characters)"
                )
            if base:
                skip_start(name)
            elif name == "FICHE":
                base, line, started = depth, parser.CurrentLineNumber, self._fed
                most, deepest = count + MAX_FICHE_ELEMENTS - 1, depth + MAX_FICHE_DEPTH
                builder = TreeBuilder()
                fiche = builder.start(name, attributes)
                parser.CharacterDataHandler = builder.data

        def end(name: str) -> None:
            nonlocal depth, names, base, builder, fiche
            if builder is not None:
                element = builder.end(name)
                if depth == base:
                    done.append((element, line))
                    self.fiches += 1
                    base, builder, fiche = 0, None, None
                    parser.CharacterDataHandler = None
                    names -= len(name)
                depth -= 1
                return
            if base:
                finish_capture()
                if depth == base:
                    done.append(
                        SkippedFiche(
                            line,
                            self.why,
                            noted.get("NUMERO_FICHE"),
                            noted.get("INTITULE"),
                            noted.get("ABREGE/CODE"),
                            tuple(links),
                        )
                    )
                    noted.clear()
                    links.clear()
                    self.fiches += 1
                    base = 0
                    parser.CharacterDataHandler = None
            elif name == "VERSION_FLUX":
                self.flux = True
            depth -= 1
            names -= len(name)

        def past(why: str, open_levels: int) -> None:
            """The fiche passes a cap: note what identifies it, drop what was built.

            ``open_levels``: how many of the elements built below it are still open.
            """
            nonlocal builder, fiche, level1, level2, names
            self.why = why
            for tag in _NOTED:
                value = fiche.findtext(tag)
                if value is not None:
                    noted.setdefault(tag, value[:_NOTED_TEXT])
            code = fiche.findtext("ABREGE/CODE")
            if code is not None:
                noted["ABREGE/CODE"] = code[:_NOTED_TEXT]
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
            level1 = chain[0] if chain else ""
            level2 = chain[1] if len(chain) > 1 else ""
            builder = fiche = None
            parser.CharacterDataHandler = skip_data

        def skip_start(name: str) -> None:
            """An element of a fiche past a cap: note it if it identifies the fiche."""
            nonlocal level1, level2, capture
            finish_capture()
            level = depth - base
            if level == 1:
                level1 = name
                capture = name if name in _NOTED else None
            elif level == 2:
                level2 = name
                capture = "ABREGE/CODE" if (level1, name) == ("ABREGE", "CODE") else None
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
            if capture == "link":
                if len(links) < _NOTED_LINKS:
                    links.append(text)
            else:
                noted.setdefault(capture, text)
            capture = None

        def state() -> tuple[int, int, int, bool, int]:
            """Elements started and open, the fiche's depth, whether it is built, and since."""
            return count, depth, base, builder is not None, started

        self.past = past
        self.state = state
        self.why = ""
        parser.StartElementHandler = start
        parser.EndElementHandler = end

    def feed(self, chunk: bytes) -> list[Any]:
        """Parse ``chunk`` (``b""``: the end of the file); the fiches it ended, in order.

        Each is an element and its line, or a :class:`SkippedFiche`.
        """
        from xml.parsers import expat

        try:
            self._parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            raise _broken(self.path, exc) from None
        self._fed += len(chunk)
        # What expat holds unparsed is one token it has not seen the end of.
        pending = (self._fed - self._parser.CurrentByteIndex) % (1 << 32)
        if chunk and pending > MAX_TOKEN:
            raise self.hostile(
                f"a tag, comment or processing instruction of more than {MAX_TOKEN:,} bytes"
            )
        count, depth, base, building, started = self.state()
        seen, self._seen = self._seen, (count, depth)
        self._quiet = self._quiet + len(chunk) if seen == (count, depth) else len(chunk)
        if building:
            if self._quiet > MAX_TEXT:
                self.past(f"a text of more than {MAX_TEXT:,} bytes", depth - base)
            elif self._fed - started > MAX_FICHE_BYTES:
                self.past(f"more than {MAX_FICHE_BYTES:,} bytes", depth - base)
        done = self._done[:]
        self._done.clear()
        return done

    def hostile(self, what: str) -> RegistryExportError:
        """The error for an export that holds ``what``, at the line the parser is on."""
        line = self._parser.CurrentLineNumber
        return _refuse(self.path, f"holds {what} at line {line}: refused as hostile")


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

    WIDTH = 40

    def __init__(self, total: int) -> None:
        self._total = max(total, 1)
        self._done = 0
        self._shown = -1

    def advance(self, count: int) -> None:
        self._done += count
        percent = min(100, self._done * 100 // self._total)
        if percent != self._shown:
            self._shown = percent
            filled = self.WIDTH * percent // 100
            sys.stderr.write(
                f"\rReading the export [{'#' * filled}{'.' * (self.WIDTH - filled)}] {percent:3d}%"
            )
            sys.stderr.flush()

    def done(self) -> None:
        if self._shown >= 0:
            sys.stderr.write("\n")
            sys.stderr.flush()
