"""Turning the RNCP export into a complete data directory: the shipped data and what it adds.

What an import writes (``titre-mercd registry import EXPORT -o DIR``):

- a new version for each fiche of the lineage that the data lacks. Its key is the date of the
  arrêté that creates or revises the title: the first ``PUBLICATION_DECRET_CREATION`` entry
  reading « Arrêté du … relatif au titre professionnel … » (« modifiant l'arrêté du … relatif
  … » gives the date of the arrêté it modifies). Without such an entry the key is
  ``DATE_EFFET`` and the version's legal text is the fiche itself: once the arrêté is known
  (a later export names it), the key becomes the arrêté's date, so that version is renamed;
- facts the registry adds to versions already shipped (a fiche number, bloc codes), never
  replacing a fact the data has;
- the correspondence table from ``CORRESPONDANCES``: a ``SOURCE`` bloc of the newer fiche is
  deemed obtained by holders of the ``DESTINATION`` bloc of the older one;
- codes the shipped nomenclatures lack, with the registry's label;
- each fiche used, saved as a text (``texts/fiche-RNCP…-AAAA-MM-JJ.txt``) where every
  element's path is followed by its value, verbatim: every imported fact cites it, at the
  element's path, with an excerpt the loader checks like any other.

The directory is built beside its target and checked by the loader itself before it is put
in place by :func:`titre_mercd._directory_swap.replace_directory`: the target is a stable name
swapped in one step, so a reader loads the old data or the new; an earlier import is replaced
only with ``--force`` and only if it holds nothing but the files its manifest lists; a failed
run leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._codes import normalize_formacode, normalize_nsf, normalize_rncp, normalize_rome
from ._data_import import DataImport
from ._fields import fields_of
from ._format import (
    CodeEntry,
    CodesFile,
    LineageFile,
    SourceRef,
    TableFile,
    TableRow,
    TextEntry,
    TextsFile,
    VersionFile,
    unstructure,
)
from ._records import (
    Block,
    CertificationVersion,
    Formacode,
    LegalText,
    Level,
    NsfCode,
    RomeCode,
    ValidityWindow,
)
from ._registry import creation_arrete, find_lineage, window_from_registry
from .exceptions import (
    DataError,
    ExportLacksLineageError,
    ImportRefusedError,
    InvalidCodeError,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from ._loading import Dataset, Traversable
    from ._rncp_export import Fiche

__all__ = ["ImportRefusedError", "ImportResult", "import_export"]

R = TypeVar("R")

MANIFEST = "MANIFEST.json"


@attrs.frozen
class ImportResult:
    """What an import wrote."""

    directory: str
    data_version: str
    export: str
    export_date: dt.date
    new_versions: tuple[str, ...]
    added: tuple[str, ...]
    notes: tuple[str, ...]


# ---------------------------------------------------------------- the fiche as a text


class FicheText:
    """A fiche saved as a text: each element's path on one line, its value verbatim below."""

    def __init__(self, fiche: Fiche, export: str, export_date: dt.date) -> None:
        number = fiche.number or "fiche"
        self.number = number
        self.text_id = f"fiche-{number.lower()}-{export_date.isoformat()}"
        self.file = f"texts/fiche-{number}-{export_date.isoformat()}.txt"
        self.legal_text = LegalText(
            kind="fiche RNCP",
            date=None,
            title=f"Fiche {number} : {fiche.title}" if fiche.title else f"Fiche {number}",
            nor=None,
            consolidated_on=export_date,
        )
        self.export = export
        parts = [
            (
                f"Fiche {number} of the RNCP, as France compétences' export of "
                f"{export_date.isoformat()} ({export}) gives it: the path of each element, "
                "then its value, verbatim.\n\n"
            )
        ]
        self._spans: dict[str, tuple[int, int, int]] = {}  # path -> entry start, value span
        position = len(parts[0])
        for path, value in fiche.elements:
            entry = f"{path}\n"
            self._spans[path] = (
                position,
                position + len(entry),
                position + len(entry) + len(value),
            )
            parts.append(entry + value + "\n\n")
            position += len(entry) + len(value) + 2
        self.content = "".join(parts)

    def value(self, path: str) -> SourceRef:
        """The source of a fact that is the value of ``path``."""
        _, start, end = self._spans[path]
        return SourceRef(self.text_id, path, self.content[start:end])

    def entries(self, location: str, paths: Iterable[str]) -> SourceRef:
        """The source of a fact read in several elements: from the first path to the last value."""
        spans = [self._spans[p] for p in paths if p in self._spans]
        start = min(s[0] for s in spans)
        end = max(s[2] for s in spans)
        return SourceRef(self.text_id, location, self.content[start:end])

    def under(self, prefix: str) -> list[str]:
        return [p for p in self._spans if p.startswith(prefix)]


# ---------------------------------------------------------------- the import


def import_export(
    export: str,
    directory: str,
    *,
    force: bool = False,
    export_date: dt.date | None = None,
    progress: bool | None = None,
) -> ImportResult:
    """Write in ``directory`` the shipped data completed from the RNCP export ``export``.

    Raises:
        ImportRefusedError: ``directory`` exists and may not be replaced (without ``force``;
            not an earlier import; holding files that import did not write), another import
            is writing it, it appeared or changed while the import ran, the export is inside
            it, or the export's date is not known. Nothing outside what the run wrote changed.
        RegistryExportError: the export is not one, is broken or hostile.
        ExportLacksLineageError: the export holds no fiche of the lineage; nothing is written.
        DataError: what the import built does not pass the loader's checks.
    """
    from ._directory_swap import replace_directory
    from ._loading import _package_data, load
    from ._output import OutputError
    from ._rncp_export import export_date_from_name

    _refuse_export_inside(export, directory)
    when = export_date or export_date_from_name(export)
    if when is None:
        raise ImportRefusedError(
            f"the export's date is not in its file name {Path(export).name!r} "
            "(…_AAAA-MM-JJ.xml or …-AAAA-MM-JJ.zip): give --export-date AAAA-MM-JJ"
        )
    try:
        with replace_directory(
            directory, force=force, written_files=_files_of_earlier_import
        ) as building:
            staging = Path(building)
            base = load(_package_data())
            lineage = find_lineage(export, base, progress=progress)
            if not lineage.fiches:  # nothing is written: the build and an empty store go
                raise lacks_lineage(Path(export).name, when, lineage.fiches_read, base)
            _copy_tree(_package_data(), staging)
            builder = _Builder(staging, base, Path(export).name, when)
            result = builder.run(lineage)
            from ._loading import _Directory

            load(_Directory(str(staging)))  # the loader's checks, before anything is in place
    except OutputError as exc:
        raise ImportRefusedError(str(exc)) from None
    return attrs.evolve(result, directory=directory)


def lacks_lineage(
    export: str, when: dt.date, fiches_read: int, base: Dataset
) -> ExportLacksLineageError:
    """The error for an export holding no fiche of the lineage: it names what it did not hold."""
    registered = tuple(sorted(base.registered_by_rncp))
    missing = (
        f", not even {', '.join(registered)}, the registered successor of "
        + ", ".join(base.registered_by_rncp[n].successor_of for n in registered)
        if registered
        else ""
    )
    error = ExportLacksLineageError(
        f"the export of {when.isoformat()} ({export}, {fiches_read} fiches) holds no fiche of "
        f"this title's lineage{missing}: nothing was written, the data in use is unchanged; "
        "a later export may hold it: 'titre-mercd registry update' fetches the newest"
    )
    error.export = export
    error.export_date = when
    error.registered = registered
    error.fiches_read = fiches_read
    return error


def _refuse_export_inside(export: str, directory: str) -> None:
    """Refuse an export kept inside the target directory (it would be replaced with it).

    Checked before anything is read, by name and by the file itself (a second name for it, a
    hard link, ``/proc/self/fd/N``), as ``convert`` refuses its own input as its output.
    """
    target = Path(os.path.realpath(directory))
    try:
        status = Path(export).stat()
    except (OSError, ValueError):
        return  # the reader says what is wrong with it
    identity = (status.st_dev, status.st_ino)
    inside = target in Path(os.path.realpath(export)).parents
    if not inside and target.is_dir():
        for here, _, files in os.walk(target):
            for name in files:
                with contextlib.suppress(OSError):
                    found = (Path(here) / name).lstat()
                    inside = inside or (found.st_dev, found.st_ino) == identity
    if inside:
        raise ImportRefusedError(
            f"the export {export!r:.200} is inside {directory!r:.200}, which the import "
            "replaces: move the export elsewhere first"
        )


def _files_of_earlier_import(path: str) -> set[str] | None:
    """The files an earlier import wrote in ``path``, as its manifest lists them; else ``None``.

    The manifest is read as the loader reads any data file: a FIFO, a device or a huge file in
    its place is refused without blocking.
    """
    from ._format import Manifest
    from ._loading import _Directory
    from ._structure import structure

    try:
        text = _Directory(str(Path(path) / MANIFEST)).read_bytes()
        manifest = structure(json.loads(text), Manifest, MANIFEST)
    except (OSError, ValueError, RecursionError, DataError):
        return None
    return None if manifest.imported is None else {*manifest.files, MANIFEST}


def _copy_tree(source: Traversable, destination: Path) -> None:
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            (destination / entry.name).mkdir()
            _copy_tree(entry, destination / entry.name)
        else:
            (destination / entry.name).write_bytes(entry.read_bytes())


def _read(path: Path, cls: type[R]) -> R:
    """A data file of the copy, as its record (see ``_format``)."""
    from ._structure import structure

    return structure(json.loads(path.read_text(encoding="utf-8")), cls, str(path))


def _write(path: Path, record: object) -> None:
    """A data file's record as the JSON file ``path``."""
    text = json.dumps(unstructure(record), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


class _Builder:
    """Adds to the copy of the data in ``root`` what the lineage's fiches give."""

    def __init__(self, root: Path, base: Dataset, export: str, when: dt.date) -> None:
        self.root = root
        self.base = base
        self.export = export
        self.when = when
        self.texts: dict[str, FicheText] = {}
        self.new_versions: list[str] = []
        self.added: list[str] = []
        self.notes: list[str] = []
        self.codes = {
            kind: _read(root / f"nomenclatures/{kind}.json", CodesFile) for kind in ("rome", "nsf")
        }
        # Every version by key (shipped, then new), and the files to write: key -> its file,
        # a shipped version completed or a new one.
        self.versions: dict[str, CertificationVersion] = dict(base.version_by_key)
        self.changed: dict[str, VersionFile] = {}

    def text(self, fiche: Fiche) -> FicheText:
        number = fiche.number or ""
        if number not in self.texts:
            self.texts[number] = FicheText(fiche, self.export, self.when)
        return self.texts[number]

    def run(self, lineage: Any) -> ImportResult:
        fiche_of: dict[str, Fiche] = {}
        for key, fiche, _ in lineage.matches:
            if fiche is not None:
                self._complete(key, fiche)
                fiche_of[key] = fiche
        for fiche in lineage.unmatched:
            key = self._new_version(fiche)
            if key is not None:
                fiche_of[key] = fiche
        self._correspondences(fiche_of)
        self._finish()
        return ImportResult(
            directory=str(self.root),
            data_version=self.data_version,
            export=self.export,
            export_date=self.when,
            new_versions=tuple(self.new_versions),
            added=tuple(self.added),
            notes=tuple(self.notes),
        )

    # -- facts added to a shipped version

    def _complete(self, key: str, fiche: Fiche) -> None:
        """The fiche number and bloc codes a shipped version lacks, never replacing a fact."""
        from ._codes import normalize_label, parse_rncp_block_code

        version = self.versions[key]
        text = self.text(fiche)
        sources: dict[str, SourceRef] = {}
        block_sources: dict[str, SourceRef] = {}
        number = _canonical(normalize_rncp, fiche.number)
        if version.rncp is None and number is not None:
            version = attrs.evolve(
                version, rncp=number, unknown_fields=version.unknown_fields - {"rncp"}
            )
            sources["rncp"] = text.value("NUMERO_FICHE")
            self.added.append(f"{key}: fiche number {number}")
        blocks = list(version.blocks)
        for i, (block, bloc) in enumerate(zip(version.blocks, fiche.blocs), start=1):
            same = bloc.label is not None and normalize_label(bloc.label) == normalize_label(
                block.title
            )
            code = parse_rncp_block_code(bloc.code) if bloc.code is not None and same else None
            if block.rncp_code is None and code is not None:
                blocks[i - 1] = attrs.evolve(block, rncp_code=code)
                block_sources[str(i)] = text.value(f"BLOCS_COMPETENCES/BLOC_COMPETENCES[{i}]/CODE")
                self.added.append(f"{key}: bloc {i} code {code}")
        if not sources and not block_sources:
            return
        self.versions[key] = attrs.evolve(version, blocks=tuple(blocks))
        shipped = _read(self.root / f"versions/{key}.json", VersionFile)
        self.changed[key] = attrs.evolve(
            shipped,
            version=self.versions[key],
            sources={**shipped.sources, **sources},
            block_sources={
                **shipped.block_sources,
                **{
                    n: {**shipped.block_sources.get(n, {}), "rncp_code": source}
                    for n, source in block_sources.items()
                },
            },
        )

    # -- a new version

    def _new_version(self, fiche: Fiche) -> str | None:
        text = self.text(fiche)
        arrete = creation_arrete(fiche)
        if arrete is not None:
            day, title, index = arrete
            key = day.isoformat()
            legal_text = LegalText(
                kind="arrêté", date=day, title=title, nor=None, consolidated_on=None
            )
            path = f"PUBLICATION_DECRET_CREATION/PUBLICATION_JO[{index}]/TITRE"
            key_source = attrs.evolve(text.value(path), excerpt=title)
        elif fiche.effective_on is not None:
            key = fiche.effective_on.isoformat()
            legal_text = text.legal_text
            key_source = text.value("DATE_EFFET")
            self.notes.append(
                f"{fiche.number}: no arrêté « relatif au titre professionnel » in "
                f"PUBLICATION_DECRET_CREATION; key {key} is its DATE_EFFET and its legal text "
                "the fiche itself (the key becomes the arrêté's date once it is known)"
            )
        else:
            self.notes.append(
                f"{fiche.number}: neither a creation arrêté nor a DATE_EFFET: not imported"
            )
            return None
        if key in self.versions:
            self.notes.append(
                f"{fiche.number}: its key {key} is the shipped version {key}'s, whose fiche it "
                "does not match by number, title and start: not imported"
            )
            return None
        overlap = self._overlap(fiche)
        if overlap is not None:
            self.notes.append(
                f"{fiche.number}: its window from DATE_EFFET overlaps version {overlap}'s: "
                "not imported (two versions are never in force on the same day)"
            )
            return None
        sources = {
            "key": key_source,
            "title": text.value("INTITULE"),
            "legal_text": key_source,
            "rncp": text.value("NUMERO_FICHE"),
        }
        version = CertificationVersion(
            key=key,
            title=fiche.title or "",
            former_titles=(),
            legal_text=legal_text,
            validity=self._window(fiche, text, sources),
            level=self._level(fiche, text, sources),
            nsf_codes=self._codes(fiche, text, "nsf", sources),
            rome_codes=self._codes(fiche, text, "rome", sources),
            formacodes=self._formacodes(fiche, text, sources),
            rncp=_canonical(normalize_rncp, fiche.number),
            blocks=(),
            transversal_competences=(),
            sectors=self._items(fiche.sectors, text, "SECTEURS_ACTIVITE", "sectors", sources),
            sectors_text=self._given(
                fiche.sectors, text, "SECTEURS_ACTIVITE", "sectors_text", sources
            ),
            job_titles=self._items(
                fiche.job_types, text, "TYPE_EMPLOI_ACCESSIBLES", "job_titles", sources
            ),
            summary=self._given(fiche.activities, text, "ACTIVITES_VISEES", "summary", sources),
            certifying_authority=self._authority(fiche, text, sources),
            regulation=self._given(
                fiche.regulations, text, "REGLEMENTATIONS_ACTIVITES", "regulation", sources
            ),
            legal_bases=(),
            unknown_fields=frozenset(),
        )
        blocks, block_sources = self._blocks(key, fiche, text, sources)
        version = attrs.evolve(version, blocks=blocks)
        # A fiche never says that a field is empty: every empty one is unknown.
        unknown = frozenset(
            name
            for name, declared in fields_of(CertificationVersion)
            if declared.unknowable and getattr(version, name) in (None, ())
        )
        version = attrs.evolve(version, unknown_fields=unknown)
        header = {
            "source": f"Fiche {fiche.number} of France compétences' RNCP export of "
            f"{self.when.isoformat()} ({self.export}), written by titre-mercd registry import",
            "files": [text.file],
            "note": "Validity: DATE_EFFET is the first day; DATE_FIN_ENREGISTREMENT on an "
            "anniversary of it is read as the exclusive end, any other date as the last day "
            "(registered_until keeps it as given).",
        }
        self.versions[key] = version
        self.changed[key] = VersionFile(
            header=header, version=version, sources=sources, block_sources=block_sources
        )
        self.new_versions.append(key)
        return key

    @staticmethod
    def _given(
        value: str | None, text: FicheText, path: str, field: str, sources: dict[str, SourceRef]
    ) -> str | None:
        """A long text of the fiche, verbatim, sourced to its element."""
        if value is not None:
            sources[field] = text.value(path)
        return value

    @staticmethod
    def _items(
        value: str | None, text: FicheText, path: str, field: str, sources: dict[str, SourceRef]
    ) -> tuple[str, ...]:
        """The items of a long text of the fiche (sectors, job titles), sourced to it."""
        from ._rncp_export import split_items

        if value is None:
            return ()
        sources[field] = text.value(path)
        return tuple(split_items(value))

    @staticmethod
    def _authority(fiche: Fiche, text: FicheText, sources: dict[str, SourceRef]) -> str | None:
        if len(fiche.certifiers) != 1 or fiche.certifiers[0].name is None:
            return None
        sources["certifying_authority"] = text.value(
            "CERTIFICATEURS/CERTIFICATEUR[1]/NOM_CERTIFICATEUR"
        )
        return fiche.certifiers[0].name

    @staticmethod
    def _window(
        fiche: Fiche, text: FicheText, sources: dict[str, SourceRef]
    ) -> ValidityWindow | None:
        if fiche.effective_on is None:
            return None
        start, end = window_from_registry(fiche.effective_on, fiche.registered_until)
        sources["validity"] = text.entries(
            "DATE_EFFET, DATE_FIN_ENREGISTREMENT", ["DATE_EFFET", "DATE_FIN_ENREGISTREMENT"]
        )
        return ValidityWindow(start, end, fiche.registered_until)

    def _blocks(
        self, key: str, fiche: Fiche, text: FicheText, sources: dict[str, SourceRef]
    ) -> tuple[tuple[Block, ...], dict[str, dict[str, SourceRef]]]:
        """The fiche's blocs, and the source of each one's facts."""
        from ._codes import parse_rncp_block_code

        blocks = []
        block_sources: dict[str, dict[str, SourceRef]] = {}
        if fiche.blocs:
            sources["blocks"] = text.entries("BLOCS_COMPETENCES", text.under("BLOCS_COMPETENCES/"))
        for i, bloc in enumerate(fiche.blocs, start=1):
            where = f"BLOCS_COMPETENCES/BLOC_COMPETENCES[{i}]"
            code = parse_rncp_block_code(bloc.code) if bloc.code else None
            block = Block(key, i, bloc.label or "", tuple(bloc.competences), code)
            blocks.append(block)
            found = {"number": text.entries(where, text.under(where))}
            if bloc.label is not None:
                found["title"] = text.value(f"{where}/LIBELLE")
            if bloc.competences:
                found["competences"] = text.value(f"{where}/LISTE_COMPETENCES")
            if code is not None:
                found["rncp_code"] = text.value(f"{where}/CODE")
            block_sources[str(i)] = found
        return tuple(blocks), block_sources

    def _overlap(self, fiche: Fiche) -> str | None:
        """The key of a version whose window overlaps the one the fiche's dates give, if any."""
        if fiche.effective_on is None:
            return None
        start, end = window_from_registry(fiche.effective_on, fiche.registered_until)
        for key, version in self.versions.items():
            window = version.validity
            if window is None:
                continue
            if (window.end is None or start < window.end) and (end is None or window.start < end):
                return key
        return None

    def _level(self, fiche: Fiche, text: FicheText, sources: dict[str, SourceRef]) -> Level | None:
        from ._registry import _level_number

        number = _level_number(fiche)
        level = next((lv for lv in self.base.levels if lv.france_2019 == number), None)
        if level is not None:
            sources["level"] = text.value("NOMENCLATURE_EUROPE/NIVEAU")
        return level

    def _codes(
        self, fiche: Fiche, text: FicheText, kind: str, sources: dict[str, SourceRef]
    ) -> tuple[Any, ...]:
        """The fiche's ROME or NSF codes; one the nomenclature lacks is added with its label."""
        normalize, record = (
            (normalize_nsf, NsfCode) if kind == "nsf" else (normalize_rome, RomeCode)
        )
        element = f"CODES_{kind.upper()}"
        prefix = f"{element}/{kind.upper()}"
        known: dict[str, Any] = {entry.code: entry.label for entry in self.codes[kind].codes}
        codes = []
        for i, coded in enumerate(getattr(fiche, kind), start=1):
            code = _canonical(normalize, coded.code)
            if code is None:
                self.notes.append(f"{fiche.number}: {kind.upper()} code {coded.code!r} not read")
                continue
            if code not in known:
                if coded.label is None and kind == "rome":
                    self.notes.append(f"{fiche.number}: ROME {code} has no label: not imported")
                    continue
                code_sources = {"code": text.value(f"{prefix}[{i}]/CODE")}
                if coded.label is not None:
                    code_sources["label"] = text.value(f"{prefix}[{i}]/LIBELLE")
                table = self.codes[kind]
                entry = CodeEntry(code, coded.label, code_sources)
                self.codes[kind] = attrs.evolve(table, codes=(*table.codes, entry))
                known[code] = coded.label
                self.added.append(f"{kind.upper()} {code} « {coded.label} »")
            codes.append(record(code, known[code]))
        if codes:
            sources[f"{kind}_codes"] = text.entries(element, text.under(f"{element}/"))
        return tuple(codes)

    def _formacodes(
        self, fiche: Fiche, text: FicheText, sources: dict[str, SourceRef]
    ) -> tuple[Formacode, ...]:
        """The fiche's ``FORMACODES``, each code made canonical, with its label as given."""
        codes = []
        for coded in fiche.formacodes:
            code = _canonical(normalize_formacode, coded.code)
            if code is None:
                self.notes.append(f"{fiche.number}: Formacode {coded.code!r} not read")
            else:
                codes.append(Formacode(code, coded.label))
        if codes:
            sources["formacodes"] = text.entries("FORMACODES", text.under("FORMACODES/"))
        return tuple(codes)

    # -- correspondences

    def _correspondences(self, fiche_of: dict[str, Fiche]) -> None:
        by_number = {v.rncp: key for key, v in self.versions.items() if v.rncp}
        for new_key in self.new_versions:
            fiche = fiche_of[new_key]
            text = self.text(fiche)
            new_blocks = _numbers_by_code(self.versions[new_key])
            tables: dict[str, list[TableRow]] = {}
            for i, row in enumerate(fiche.correspondences, start=1):
                old_key = by_number.get(_canonical(normalize_rncp, row.fiche) or "")
                if old_key is None or old_key >= new_key or not row.source_codes:
                    continue
                where = f"CORRESPONDANCES/CORRESPONDANCE[{i}]"
                if len(row.source_codes) != 1 or len(row.destination_codes) != 1:
                    self.notes.append(
                        f"{fiche.number}: {where} pairs {len(row.destination_codes)} older "
                        f"blocs with {len(row.source_codes)} newer: a table row holds one of "
                        "each, so it is not imported"
                    )
                    continue
                old = _numbers_by_code(self.versions[old_key]).get(row.destination_codes[0])
                new = new_blocks.get(row.source_codes[0])
                if old is None or new is None:
                    self.notes.append(
                        f"{fiche.number}: {where}: bloc {row.destination_codes[0]} or "
                        f"{row.source_codes[0]} is not a known bloc code: not imported"
                    )
                    continue
                rows = tables.setdefault(old_key, [])
                if any(r.old == old for r in rows):
                    self.notes.append(
                        f"{fiche.number}: {where}: {old_key} bloc {old} already has a row"
                    )
                    continue
                rows.append(TableRow(old, new, text.entries(where, text.under(where + "/"))))
            for old_key, rows in tables.items():
                header = {
                    "source": f"CORRESPONDANCES of fiche {fiche.number} in France "
                    f"compétences' RNCP export of {self.when.isoformat()}: holders of "
                    "the older bloc (DESTINATION) are deemed to hold the newer one (SOURCE)",
                    "files": [text.file],
                }
                table = TableFile(
                    header=header,
                    old_key=old_key,
                    new_key=new_key,
                    rows=tuple(sorted(rows, key=_old)),
                )
                _write(self.root / f"correspondences/{old_key}_{new_key}.json", table)
                self.added.append(f"correspondence {old_key} → {new_key} ({len(rows)} rows)")

    # -- writing it all

    def _finish(self) -> None:
        from ._manifest import write_manifest

        for key, payload in self.changed.items():
            _write(self.root / f"versions/{key}.json", payload)
        for kind, table in self.codes.items():
            _write(self.root / f"nomenclatures/{kind}.json", table)
        texts = _read(self.root / "texts.json", TextsFile)
        entries = list(texts.texts)
        for text in self.texts.values():
            (self.root / text.file).write_text(text.content, encoding="utf-8")
            source = (
                f"France compétences, RNCP export (flux XML v4.1) of {self.when.isoformat()}, "
                f"file {self.export}, data.gouv.fr dataset 5eebbc067a14b6fecc9c9976, "
                "Licence Ouverte 2.0"
            )
            entries.append(TextEntry(text.text_id, text.file, text.legal_text, source))
        _write(self.root / "texts.json", attrs.evolve(texts, texts=tuple(entries)))
        self._lineage_file()
        self.data_version = f"{self.base.data_version}+rncp.{self.when.isoformat()}"
        made = DataImport(self.export, self.when, self.base.data_version)
        write_manifest(self.root, self.data_version, imported=made)

    def _lineage_file(self) -> None:
        """An imported fiche the data recorded as registered is now a version: drop that entry."""
        path = self.root / "lineage.json"
        if not path.exists():
            return
        lineage = _read(path, LineageFile)
        imported = {self.versions[key].rncp for key in self.new_versions}
        kept = tuple(entry for entry in lineage.registered if entry.rncp not in imported)
        if len(kept) != len(lineage.registered):
            _write(path, attrs.evolve(lineage, registered=kept))
            self.added.append("lineage.json: registered fiches now imported as versions removed")


def _numbers_by_code(version: CertificationVersion) -> dict[str, int]:
    """The numbers of the version's blocs, by RNCP bloc code."""
    return {b.rncp_code: b.number for b in version.blocks if b.rncp_code}


def _old(row: TableRow) -> int:
    return row.old


def _canonical(normalize: Any, code: str | None) -> str | None:
    try:
        return normalize(code) if code else None
    except InvalidCodeError:
        return None
