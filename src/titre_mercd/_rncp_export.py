"""Reading France compétences' RNCP export (flux XML v4.1), streamed, as untrusted input.

The export is published every day on data.gouv.fr: a zip (``export-fiches-rncp-v4-1-
AAAA-MM-JJ.zip``) holding one XML file of about 30,000 fiches, hundreds of MB. This module
reads the XML file or the zip in place, one ``FICHE`` at a time, and gives each as a frozen
:class:`Fiche` record; memory stays bounded whatever the file's size, since each fiche's
elements are freed once read.

Untrusted input. The file comes from the internet, so no DTD is accepted: without a DTD there
are no entities to expand, internal or external. Two ways were measured on this machine
(CPython 3.11.7, 2 cores shared with other work; CPU times, against a bare C
``ElementTree.iterparse`` loop clearing each ``FICHE`` in the same run, alternating):

- ``defusedxml.ElementTree.iterparse(forbid_dtd=True)`` (defusedxml 0.7.1): 0.73× the bare loop
  on the 722 kB sample of 12 real fiches (in one process, 15 rounds), 0.59× on a 520 MB export
  made of them (``benchmarks/registry.py --defusedxml``, two runs: 0.59 and 0.59);
- checking that nothing but an XML declaration, comments and processing instructions precedes
  the root element (so no ``<!DOCTYPE``), then feeding the very bytes checked to the C parser
  (:func:`fiche_elements`): 0.80× on the sample (so small a file that setting up counts), and
  1.00× on the 520 MB export.

Both are safe (entities can only be declared in a DTD, and a DTD only before the root element:
expat refuses one anywhere else as a syntax error). The check is chosen: it is as fast as the
bare parser on a real export's size, where defusedxml's parser would leave the reader, records
included, under the goal of 0.7× the bare loop; and it needs no dependency.

Zip: the one member must be a plain file name (no directory, no ``..``, no drive) ending in
``.xml``; its declared size and its compression ratio are bounded, and the bytes actually
inflated are counted against both, so a bomb stops early whatever its header says.
"""

from __future__ import annotations

import contextlib
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
    "export_date_from_name",
    "read_fiches",
    "split_items",
]

# Limits on a zip: the real export inflates to a few hundred MB at a ratio near 10.
MAX_INFLATED = 4 * 1024**3  # bytes a member may inflate to
MAX_RATIO = 200  # inflated bytes per compressed byte
# Bytes fed to the parser at a time: 64 kB measured fastest (1 MB: about twice as slow, the
# events of a whole megabyte piling up before any element is freed).
CHUNK = 1 << 16
PROLOG_LIMIT = 64 * 1024  # bytes before the root element: more is not an export

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
    return text if text is not None and text.strip() else None


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
            if text is not None and text.strip():
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
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        file.close()
        raise _refuse(path, f"a damaged zip ({exc})") from None
    try:
        member = _the_member(path, members)
        stream = archive.open(member)
    except BaseException:
        archive.close()
        file.close()
        raise
    bounded = _Bounded(stream, path, min(MAX_INFLATED, MAX_RATIO * max(member.compress_size, 1)))
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

    def __init__(self, stream: IO[bytes], path: str, limit: int) -> None:
        self._stream = stream
        self._path = path
        self._left = limit

    def read(self, size: int) -> bytes:
        import zipfile

        try:
            data = self._stream.read(size)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _refuse(self._path, f"a damaged zip ({exc})") from None
        self._left -= len(data)
        if self._left < 0:
            raise _refuse(
                self._path,
                "the zip's member inflates beyond its limit: refused as a decompression bomb",
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


def read_fiches(
    path: str | os.PathLike[str],
    *,
    keep: Callable[[Element], bool] | None = None,
    progress: bool | None = None,
) -> Iterator[Fiche]:
    """Every ``FICHE`` of the export at ``path`` (its XML file, or its zip), in order.

    Args:
        path: the XML export or the zip as downloaded.
        keep: for which ``FICHE`` elements to keep every element's path and value in
            :attr:`Fiche.elements` (none when ``None``).
        progress: draw a progress bar on standard error; by default, when it is a terminal.

    Raises:
        RegistryExportError: the file is not an export (the message says what it is), is
            broken XML (the message gives the line), or is refused as hostile.
    """
    for element in fiche_elements(path, progress=progress):
        yield _fiche(element, keep is not None and keep(element))


def fiche_elements(  # noqa: C901, PLR0912, PLR0915  (the streaming loop: check once, feed, free)
    path: str | os.PathLike[str], *, progress: bool | None = None
) -> Iterator[Element]:
    """Each ``FICHE`` element of the export, freed (with the ones before) once the caller is done.

    Use an element only until the next one is asked for; :func:`read_fiches` makes records.
    Raises :class:`RegistryExportError` as :func:`read_fiches` does.
    """
    from xml.etree.ElementTree import ParseError, XMLPullParser

    name = export_path(path)
    stream, size, to_close = _open(name)
    bar = _Progress(size) if (sys.stderr.isatty() if progress is None else progress) else None
    try:
        parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
        head = b""
        checked = False
        root: Element | None = None
        fiches = 0
        flux = False
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
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except ParseError as exc:
                raise _broken(name, exc) from None
            events: Iterator[tuple[str, Element]] = parser.read_events()  # type: ignore[assignment]
            for event, element in events:
                if event == "start":
                    if root is None:
                        root = element
                        _only_end_events(parser)
                    continue
                if element.tag == "VERSION_FLUX":
                    flux = True
                elif element.tag == "FICHE":
                    fiches += 1
                    yield element
                    if root is not None:
                        root.clear()  # frees this fiche, and the ones before
            if not chunk:
                break
        if fiches == 0 and not flux:
            raise _refuse(name, "has a <FICHES> root but neither VERSION_FLUX nor any FICHE")
    finally:
        if bar is not None:
            bar.done()
        for item in to_close:
            item.close()


def _only_end_events(parser: Any) -> None:
    """Ask ``parser`` for "end" events only, now that the root element is known.

    A "start" event for every element costs about a third of the reading time, and only the
    root's is needed (to free each fiche's earlier siblings). ``_setevents`` is how
    ``XMLPullParser`` itself sets its events, in every CPython this package supports; where it
    is missing, "start" events keep coming and are skipped.
    """
    with contextlib.suppress(AttributeError):
        parser._parser._setevents(parser._events_queue, ("end",))  # noqa: SLF001


def _broken(path: str, exc: Exception) -> RegistryExportError:
    line, column = getattr(exc, "position", (None, None))
    reason = str(exc).split(":", 1)[0]
    if "no element found" in str(exc) or "unclosed token" in str(exc):
        reason = f"{reason} (the file ends early: truncated?)"
    return _refuse(path, f"broken XML at line {line}, column {column}: {reason}")


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
