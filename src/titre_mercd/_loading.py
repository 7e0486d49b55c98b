"""Loading the shipped data once, checking it, and indexing it for lookups.

The data directory holds ``MANIFEST.json`` (the data version and the sha256 of every file),
``texts.json`` (the texts facts are read in, with their shipped copies under ``texts/``),
one file per version under ``versions/``, one per correspondence table under
``correspondences/``, the nomenclatures under ``nomenclatures/``, and ``lineage.json`` (the
lineage's facts that are not a version: intervals no text covers, and fiches RNCP registered
but not in the data). The manifest is the index: adding a version is adding its files and
listing them there.
"""

from __future__ import annotations

import os
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import attrs

from ._codes import (
    normalize_label,
    normalize_nsf,
    normalize_rncp,
    normalize_rome,
    parse_rncp_block_code,
)
from ._fields import fields_of
from ._records import (
    CertificationVersion,
    Correspondence,
    NsfCode,
    RegisteredFiche,
    RomeCode,
    Source,
    ValidityGap,
)
from .exceptions import DataError, InvalidCodeError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from typing import Protocol

    from . import _format  # noqa: TC004  (bound at the first load, by _Builder)
    from ._data_import import DataImport
    from ._format import Contradiction, RegisteredEntry, SourceKey, SourceRef
    from ._records import Block, LegalText, Level

    # (Declared for type checking only: a Protocol class costs start-up to create.)
    class Traversable(Protocol):
        """A data directory: the part of ``importlib.resources``' ``Traversable`` the loader uses.

        ``pathlib.Path`` and what ``importlib.resources.files()`` returns both fit.
        """

        @property
        def name(self) -> str: ...
        def joinpath(self, child: str, /) -> Traversable: ...
        def read_bytes(self) -> bytes: ...
        def is_dir(self) -> bool: ...
        def iterdir(self) -> Iterator[Traversable]: ...


__all__ = [
    "ENVIRONMENT_VARIABLE",
    "SHIPPED",
    "Dataset",
    "Verification",
    "data_origin",
    "load",
    "load_directory",
    "update_directory",
    "user_data_directory",
    "verify",
]

MANIFEST = "MANIFEST.json"
LINEAGE = "lineage.json"
ENVIRONMENT_VARIABLE = "TITRE_MERCD_DATA"  # names the data directory to use, read at first use
SHIPPED = "shipped"  # in place of a directory: the shipped data, whatever else there is
APP_NAME = "titre-mercd"  # platformdirs' appname for the user's data and cache directories
UPDATE_FOLDER = "data"  # the user's update, in the user's data directory

# No data file comes near this (the largest legal text is about 100 kB): a bigger one is not
# data, and is refused before it is read into memory.
MAX_FILE_SIZE = 16 * 1024 * 1024
# And all the files of a directory together: each file is read once, and the reading stops
# at this total, whatever the files and however often texts.json names them.
MAX_TOTAL_SIZE = 32 * 1024 * 1024

# Open a data file without following it into a wait: O_NONBLOCK makes opening a FIFO with no
# writer return at once (the fstat that follows refuses it); O_CLOEXEC keeps it from children;
# O_BINARY (Windows) reads the bytes as they are, which the sha256 check needs.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _too_big(limit: int) -> str:
    if limit < MAX_FILE_SIZE:
        return f"past the {MAX_TOTAL_SIZE} bytes all the files of a data directory may hold"
    return f"larger than {MAX_FILE_SIZE} bytes"


class _NotAFileError(OSError):
    """A data file's place holds something that is not a regular file, or one far too big."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(0, why, path)


class _Directory:
    """A data directory on the file system, read with ``os`` alone.

    The shipped data is normally a plain directory beside this module: reading it this way
    spares every process the import of ``importlib.resources`` (about 13 ms, more than the
    whole load). A package imported from elsewhere (a zip file) goes through
    ``importlib.resources.files()``.
    """

    __slots__ = ("_path", "trusted")

    def __init__(self, path: str, *, trusted: bool = False) -> None:
        self._path = path
        # Whether the directory's files passed every rule when they were written (the shipped
        # data, the user's own update): its manifest's digests then prove it, and the rules
        # across files are not run again (see _Builder).
        self.trusted = trusted

    def __str__(self) -> str:
        return self._path

    @property
    def name(self) -> str:
        return os.path.basename(self._path)

    def joinpath(self, child: str, /) -> _Directory:
        return _Directory(os.path.join(self._path, child))

    def read_bytes(self, limit: int = MAX_FILE_SIZE) -> bytes:
        """The file's content; anything but a regular file is refused without blocking.

        A FIFO, a device (``/dev/urandom``) or a socket put in the place of a data file would
        make a plain ``open`` or ``read`` wait, or read forever: the file is opened without
        blocking, checked with ``fstat``, and read up to ``limit`` bytes (at most
        :data:`MAX_FILE_SIZE`).
        """
        limit = min(limit, MAX_FILE_SIZE)
        fd = os.open(self._path, _OPEN_FLAGS)
        try:
            status = os.fstat(fd)
            if not S_ISREG(status.st_mode):
                raise _NotAFileError(self._path, "not a regular file")
            if status.st_size > limit:
                raise _NotAFileError(self._path, _too_big(limit))
            chunks = []
            size = 0
            want = status.st_size + 1  # the whole file, and a byte more to see its end
            while size <= limit:  # to the end, and no further than the cap if it grows
                chunk = os.read(fd, min(want, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                want = 1 << 16
            if size > limit:
                raise _NotAFileError(self._path, _too_big(limit))
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        finally:
            os.close(fd)

    def is_dir(self) -> bool:
        return os.path.isdir(self._path)

    def iterdir(self) -> Iterator[_Directory]:
        return (self.joinpath(name) for name in sorted(os.listdir(self._path)))


R = TypeVar("R")


class Dataset(NamedTuple):
    """Everything loaded from one data directory, with the indexes lookups use.

    A named tuple rather than an attrs class: it is internal, and spares start-up one class
    generation.
    """

    data_version: str
    versions: tuple[CertificationVersion, ...]
    version_by_key: Mapping[str, CertificationVersion]
    tables: Mapping[tuple[str, str], tuple[Correspondence, ...]]
    rome_by_code: Mapping[str, RomeCode]
    nsf_by_code: Mapping[str, NsfCode]
    levels: tuple[Level, ...]
    sources: Mapping[SourceKey, Source]
    text_contents: Mapping[LegalText, str]
    versions_by_rome: Mapping[str, tuple[CertificationVersion, ...]]
    versions_by_nsf: Mapping[str, tuple[CertificationVersion, ...]]
    version_by_rncp: Mapping[str, CertificationVersion]
    block_by_ref: Mapping[tuple[str, int], Block]
    block_by_rncp_code: Mapping[str, Block]
    blocks_by_label: Mapping[str, tuple[Block, ...]]
    # (version key, number) -> every block the tables lead to from it, itself included
    reachable_blocks: Mapping[tuple[str, int], frozenset[Block]]
    # (version key, number) -> the block's other wordings in the texts, each with its source
    other_wordings: Mapping[tuple[str, int], tuple[tuple[str, Source], ...]]
    # a version's field -> what other texts read where they contradict the one followed
    contradictions: Mapping[SourceKey, tuple[tuple[str, Source], ...]]
    # lineage.json: the intervals no text covers, in order, and the fiches RNCP registered
    # but of which the data holds no version, by number
    gaps: tuple[ValidityGap, ...] = ()
    registered_by_rncp: Mapping[str, RegisteredFiche] = {}
    # the data directory as an absolute path, None for the shipped data
    directory: str | None = None
    # the MANIFEST's "import" member, for a directory written by ``registry import``
    imported: DataImport | None = None


# ---------------------------------------------------------------- reading files


class _DuplicatedKeyError(ValueError):
    """A JSON object gives the same key twice (found again by :func:`_duplicated_key`)."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) < len(pairs):
        raise _DuplicatedKeyError
    return result


def _duplicated_key(text: str, json: Any) -> str:
    """Where the first object of ``text`` that repeats a key is: "$.path: key 'k' given twice"."""
    twice = object()  # a key no JSON text can write, marking the object that repeats one

    def mark(pairs: list[tuple[str, Any]]) -> dict[object, Any]:
        result: dict[object, Any] = dict(pairs)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                result.setdefault(twice, key)
            seen.add(key)
        return result

    def repeats(value: Any, path: str) -> Iterator[str]:
        if isinstance(value, dict):
            if twice in value:
                yield f"{path}: key {value[twice]!r} given twice"
            for key, child in value.items():
                yield from repeats(child, f"{path}.{key}")
        elif isinstance(value, list):
            for i, child in enumerate(value):
                yield from repeats(child, f"{path}[{i}]")

    return next(repeats(json.loads(text, object_pairs_hook=mark), "$"))


class _Reader:
    """Reads the files the manifest lists, checking each one's sha256, into their records.

    ``trusted``: the files are those that passed every rule (see :class:`_Builder`), so a
    JSON object is read without looking for a key given twice, at C speed.
    """

    def __init__(self, root: Traversable, *, trusted: bool = False) -> None:
        import json

        from ._structure import structure

        self._hook = None if trusted else _no_duplicate_keys
        self._root = root
        self._sha256 = _sha256()
        self._json = json
        self._structure = structure
        self._budget = MAX_TOTAL_SIZE  # bytes the directory's files may still hold
        self._texts: dict[str, str] = {}  # each text file, read once
        self.files: dict[str, str] = {}
        manifest = self.read(MANIFEST, _format.Manifest, check=False)
        for name in manifest.files:
            inside(name, f"{MANIFEST}: $.files")
        made = manifest.imported
        if made is not None and not (made.export and made.base_data_version):
            raise DataError(f"{MANIFEST}: $.import: export and base_data_version must not be empty")
        self.data_version = manifest.data_version
        self.files = manifest.files
        self.imported = made

    def bytes(self, name: str, *, check: bool = True) -> bytes:
        resource = self._root
        for part in name.split("/"):
            resource = resource.joinpath(part)
        if check and name not in self.files:
            raise DataError(f"{name}: not listed in {MANIFEST}: $.files")
        try:
            if isinstance(resource, _Directory):
                content: bytes = resource.read_bytes(self._budget)
            else:  # the package's own data, from a zip file
                content = resource.read_bytes()
        except OSError as exc:
            where = (
                f"listed at {MANIFEST}: $.files[{name!r}] but cannot be read"
                if check
                else f"cannot be read in the data directory {self._root}"
            )
            raise DataError(
                f"{name}: {where} ({exc.__class__.__name__}: {exc.strerror or exc})"
            ) from None
        self._budget -= len(content)
        if check:
            actual = self._sha256(content).hexdigest()
            if actual != self.files[name]:
                raise DataError(
                    f"{name}: sha256 {actual} does not match {self.files[name]} "
                    f"recorded at {MANIFEST}: $.files[{name!r}]"
                )
        return content

    def text(self, name: str) -> str:
        """A text file, read once however often it is named; CR and CRLF read as newlines."""
        text = self._texts.get(name)
        if text is None:
            try:
                text = self.bytes(name).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(f"{name}: not UTF-8 at byte {exc.start}") from None
            text = _plain_text(text, name, None)
            self._texts[name] = text
        return text

    def read(self, name: str, cls: type[R], *, check: bool = True) -> R:
        """The JSON file ``name`` as a ``cls`` record (see ``_format``)."""
        try:
            text = self.bytes(name, check=check).decode("utf-8")
            payload = self._json.loads(text, object_pairs_hook=self._hook)
        except UnicodeDecodeError as exc:
            raise DataError(f"{name}: not UTF-8 at byte {exc.start}") from None
        except _DuplicatedKeyError:
            try:
                where = _duplicated_key(text, self._json)
            except RecursionError:
                where = "$: a key given twice, nested too deeply to say where"
            raise DataError(f"{name}: {where}") from None
        except ValueError as exc:  # json.JSONDecodeError
            raise DataError(f"{name}: invalid JSON: {exc}") from None
        except RecursionError:  # "[[[[…" nested deeper than the parser goes
            raise DataError(f"{name}: invalid JSON: arrays or objects nested too deeply") from None
        import re

        if re.search(_ESCAPED_CONTROL, text):  # else no string of it can hold one
            payload = _plain_strings(payload, name, "$")
        return self._structure(payload, cls, name)

    def listed(self, folder: str) -> list[str]:
        """The JSON files of ``folder``; one on disk but not in the manifest is an error."""
        listed = sorted(name for name in self.files if name.startswith(folder + "/"))
        on_disk = self._root.joinpath(folder)
        if on_disk.is_dir():
            for entry in on_disk.iterdir():
                name = f"{folder}/{entry.name}"
                if entry.name.endswith(".json") and name not in self.files:
                    raise DataError(f"{name}: not listed in {MANIFEST}: $.files")
        return [name for name in listed if name.endswith(".json")]


# A C0 control character but tab and newline (CR is read as a newline before this is looked for).
# Well-formed XML cannot carry one, so no registry text holds one: in a data file, it is
# someone's attempt to drive a terminal, and the directory is refused.
_CONTROL = "[\x00-\x08\x0b-\x1f]"
# How JSON writes one in a string (a raw one is invalid JSON): only a file that has this can
# hold a control character, so the others are not walked through.
_ESCAPED_CONTROL = r"\\(?:u00[01][0-9a-fA-F]|[bfr])"


def _plain_text(text: str, name: str, where: str | None) -> str:
    """``text`` with CR and CRLF read as newlines; a DataError if it holds another control."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    import re

    found = re.search(_CONTROL, text)
    if found is not None:
        place = where or f"line {text.count(chr(10), 0, found.start()) + 1}"
        raise DataError(
            f"{name}: {place}: holds the control character {found.group()!r}; "
            "text may hold tab and newline, and no other control character"
        )
    return text


def _plain_strings(value: Any, name: str, path: str) -> Any:
    """The JSON ``value`` with every string (key or value) through :func:`_plain_text`."""
    if isinstance(value, str):
        return _plain_text(value, name, path)
    if isinstance(value, dict):
        return {
            _plain_text(key, name, f"{path}: key {key!r:.40}"): _plain_strings(
                child, name, f"{path}.{key}"
            )
            for key, child in value.items()
        }
    if isinstance(value, list):
        return [_plain_strings(child, name, f"{path}[{i}]") for i, child in enumerate(value)]
    return value


def inside(name: str, where: str) -> str:
    """``name``, a data file's name relative to its directory, checked not to leave it.

    A name is POSIX-style (``texts/a.txt``); an absolute one, one with ``..``, ``.`` or an
    empty part, a backslash, a colon or a NUL is refused before anything is read through it,
    so that no file outside the directory is read, nor its digest shown.
    """
    parts = name.split("/")
    if any(part in ("", ".", "..") or any(c in part for c in "\\:\0") for part in parts):
        raise DataError(
            f"{where}: {name!r:.120} is not a name inside the data directory "
            "(relative, '/'-separated, without '..' or '.')"
        )
    return name


def _sha256() -> Callable[[bytes], Any]:
    """CPython's built-in sha256, else hashlib's.

    ``hashlib`` loads OpenSSL, which costs each process about 4 MB and 5 ms: more than the
    whole load. The built-in module is the one ``hashlib`` itself falls back to.
    """
    try:
        return __import__("_sha2").sha256  # type: ignore[no-any-return]  # Python 3.12+
    except ImportError:
        pass
    try:
        return __import__("_sha256").sha256  # type: ignore[no-any-return]  # Python 3.9-3.11
    except ImportError:
        from hashlib import sha256

        return sha256


# ---------------------------------------------------------------- building the dataset


class _Builder:
    """Turns the files of one data directory into a checked :class:`Dataset`.

    Every file's sha256 and shape (its record in ``_format``) are always checked. The rules
    across files (each excerpt verbatim in its text, canonical codes, windows and gaps, codes
    as their nomenclature writes them, a source for every fact) run unless ``rules`` is
    false: for the shipped data and the user's own update, whose files passed them when they
    were built (the test suite, ``registry import``) and whose manifest proves they are those
    files. A broken rule raises, or with ``failures`` (``data verify``) is added to it and
    the build goes on.
    """

    def __init__(
        self, root: Traversable, *, rules: bool = True, failures: list[str] | None = None
    ) -> None:
        global _format  # noqa: PLW0603  (imported at the first load: start-up stays light)
        from . import _format

        self.rules = rules
        self.failures = failures
        self.reader = _Reader(root, trusted=not rules)
        self.sources: dict[SourceKey, Source] = {}
        self.texts: dict[str, tuple[LegalText, str]] = {}
        self.text_contents: dict[LegalText, str] = {}
        self.other_wordings: dict[tuple[str, int], tuple[tuple[str, Source], ...]] = {}
        self.contradictions: dict[SourceKey, tuple[tuple[str, Source], ...]] = {}

    def fail(self, message: str) -> None:
        """A rule is broken: raise a DataError, or note it when all are being listed."""
        if self.failures is None:
            raise DataError(message)
        self.failures.append(message)

    def build(self) -> Dataset:
        self._load_texts()
        self.rome_by_code = rome_by_code = self._load_codes("rome", RomeCode, normalize_rome)
        self.nsf_by_code = nsf_by_code = self._load_codes("nsf", NsfCode, normalize_nsf)
        self.levels = levels = self._load_levels()
        versions = [self._load_version(name) for name in self.reader.listed("versions")]
        versions.sort(key=lambda v: v.key)
        version_by_key = {v.key: v for v in versions}
        if self.rules:
            for v in versions:
                self._check_version_codes(v, rome_by_code, nsf_by_code, levels)
            _check_windows(versions, self.fail)
        tables = dict(
            self._load_table(name, version_by_key) for name in self.reader.listed("correspondences")
        )
        lineage = self._load_lineage(versions, version_by_key, nsf_by_code)
        return self._index(tuple(versions), tables, *lineage)

    def _index(
        self,
        versions: tuple[CertificationVersion, ...],
        tables: dict[tuple[str, str], tuple[Correspondence, ...]],
        gaps: tuple[ValidityGap, ...],
        registered: tuple[RegisteredFiche, ...],
    ) -> Dataset:
        """The :class:`Dataset` of what was read, with the indexes lookups use."""
        by_rome: dict[str, list[CertificationVersion]] = {}
        by_nsf: dict[str, list[CertificationVersion]] = {}
        by_rncp: dict[str, CertificationVersion] = {}
        block_by_ref: dict[tuple[str, int], Block] = {}
        block_by_rncp_code: dict[str, Block] = {}
        for v in versions:
            for rome_code in v.rome_codes:
                by_rome.setdefault(rome_code.code, []).append(v)
            for nsf_code in v.nsf_codes:
                by_nsf.setdefault(nsf_code.code, []).append(v)
                group = nsf_code.code[:3]
                if group != nsf_code.code and v not in by_nsf.get(group, []):
                    by_nsf.setdefault(group, []).append(v)
            if v.rncp is not None:
                if v.rncp in by_rncp:
                    raise DataError(
                        f"versions/{v.key}.json: $.version.rncp: "
                        f"{v.rncp} is also {by_rncp[v.rncp].key}'s"
                    )
                by_rncp[v.rncp] = v
            for block in v.blocks:
                block_by_ref[(v.key, block.number)] = block
                if block.rncp_code is not None:
                    if block.rncp_code in block_by_rncp_code:
                        where = f"versions/{v.key}.json: $.version.blocks[{block.number - 1}]"
                        raise DataError(
                            f"{where}.rncp_code: {block.rncp_code} is also "
                            f"{block_by_rncp_code[block.rncp_code].ref}'s"
                        )
                    block_by_rncp_code[block.rncp_code] = block
        return Dataset(
            imported=self.reader.imported,
            reachable_blocks=_reachable_blocks(versions, tables),
            data_version=self.reader.data_version,
            versions=versions,
            version_by_key={v.key: v for v in versions},
            tables=tables,
            rome_by_code=self.rome_by_code,
            nsf_by_code=self.nsf_by_code,
            levels=self.levels,
            sources=self.sources,
            text_contents=self.text_contents,
            versions_by_rome={k: tuple(v) for k, v in by_rome.items()},
            versions_by_nsf={k: tuple(v) for k, v in by_nsf.items()},
            version_by_rncp=by_rncp,
            block_by_ref=block_by_ref,
            block_by_rncp_code=block_by_rncp_code,
            blocks_by_label=_blocks_by_label(versions, self.other_wordings),
            other_wordings=self.other_wordings,
            contradictions=self.contradictions,
            gaps=gaps,
            # A registered fiche some version has the number of is in the data: it is that version.
            registered_by_rncp={f.rncp: f for f in registered if f.rncp not in by_rncp},
        )

    # -- texts and sources

    def _load_texts(self) -> None:
        name = "texts.json"
        for i, entry in enumerate(self.reader.read(name, _format.TextsFile).texts):
            path = f"$.texts[{i}]"
            if entry.id in self.texts:
                raise DataError(f"{name}: {path}.id: duplicated text id {entry.id!r}")
            file = inside(entry.file, f"{name}: {path}.file")
            try:
                content = self.reader.text(file)
            except DataError as exc:
                raise DataError(f"{exc} (the file of {name}: {path})") from None
            self.texts[entry.id] = (entry.legal_text, content)
            self.text_contents.setdefault(entry.legal_text, content)

    def _source(self, ref: SourceRef, where: str) -> Source:
        found = self.texts.get(ref.text)
        if found is None:
            raise DataError(f"{where}.text: unknown text {ref.text!r}; known: {sorted(self.texts)}")
        legal_text, content = found
        if self.rules and (not ref.excerpt or ref.excerpt not in content):
            self.fail(
                f"{where}.excerpt: not found verbatim in text {ref.text!r}: {ref.excerpt!r:.120}"
            )
        return Source(text=legal_text, location=ref.location, excerpt=ref.excerpt)

    def _sources(
        self,
        refs: Mapping[str, SourceRef],
        kind: str,
        key: str,
        record: Any,
        where: str,
        *,
        unknown: frozenset[str] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        """Record the sources of ``record``'s fields; each non-empty field must have one.

        ``kind`` and ``key`` name the record (see :class:`~._format.SourceKey`), ``names`` the
        record's field of each member its file names otherwise. With ``unknown`` (a version's
        ``unknown_fields``), an empty field not named there is one the text says is empty,
        and may have a source: the text saying so. Otherwise an empty field has no source. A
        field named in ``unknown`` never has one: no source gives it. Each item of a list and
        each paragraph of a text must be in the excerpt (but for a registered fiche's).
        """
        fields = [f.name for f in attrs.fields(type(record)) if f.name not in _NO_SOURCE]
        for field, ref in refs.items():
            if field not in fields:
                raise DataError(f"{where}.{field}: no such field; fields: {sorted(fields)}")
            value = getattr(record, field)
            found = self._source(ref, f"{where}.{field}")
            self.sources[_format.SourceKey(kind, key, (names or {}).get(field, field))] = found
            if not self.rules:
                continue
            if unknown is not None and field in unknown:
                self.fail(
                    f"{where}.{field}: a source for a field that unknown_fields says "
                    "no source gives"
                )
            if unknown is None and _is_empty(value):
                self.fail(f"{where}.{field}: a source for a field that is empty")
            if field not in _NOT_QUOTED and names is None:
                _check_covered(value, found.excerpt, f"{where}.{field}.excerpt", self.fail)
        for field in sorted(set(fields) - refs.keys()) if self.rules else ():
            if not _is_empty(getattr(record, field)):
                self.fail(f"{where}: field {field!r} has a value but no source")

    def _quoted(self, text: str, ref: SourceRef, path: str, name: str) -> tuple[str, Source]:
        """A text and its source at ``path``, whose excerpt must quote it."""
        source = self._source(ref, f"{path}.source")
        if self.rules and (not text or text not in source.excerpt):
            self.fail(f"{path}.{name}: not found verbatim in its excerpt")
        return text, source

    # -- nomenclatures

    def _load_codes(
        self, kind: str, cls: type[RomeCode | NsfCode], normalize: Callable[[str], str]
    ) -> dict[str, Any]:
        name = f"nomenclatures/{kind}.json"
        by_code: dict[str, Any] = {}
        for i, entry in enumerate(self.reader.read(name, _format.CodesFile).codes):
            path = f"{name}: $.codes[{i}]"
            if entry.label is None and cls is RomeCode:
                raise DataError(f"{path}.label: expected a string, got null")
            record = cls(entry.code, entry.label)  # type: ignore[arg-type]
            if self.rules and not _is_canonical(normalize, record.code):
                self.fail(f"{path}.code: {record.code!r} is not a canonical code")
            if record.code in by_code:
                self.fail(f"{path}.code: duplicated code {record.code!r}")
            self._sources(entry.sources, kind, record.code, record, f"{path}.sources")
            by_code[record.code] = record
        return by_code

    def _load_levels(self) -> tuple[Level, ...]:
        name = "nomenclatures/levels.json"
        levels = self.reader.read(name, _format.LevelsFile)
        for field in attrs.fields(_format.LevelSources):
            ref = getattr(levels.sources, field.name)
            found = self._source(ref, f"{name}: $.sources.{field.name}")
            self.sources[_format.SourceKey("level", "", field.name)] = found
        return levels.levels

    # -- versions

    def _load_version(self, name: str) -> CertificationVersion:
        file = self.reader.read(name, _format.VersionFile)
        version = file.version
        if name != f"versions/{version.key}.json":
            raise DataError(f"{name}: $.version.key: {version.key!r} does not match the file name")
        if self.rules:
            self._check_version(version, name)
        self._sources(
            file.sources,
            "version",
            version.key,
            version,
            f"{name}: $.sources",
            unknown=version.unknown_fields,
        )
        self._load_contradictions(file.contradictions, version, name)
        numbers = {str(b.number): b for b in version.blocks}
        for number in file.block_sources:
            if number not in numbers:
                raise DataError(f"{name}: $.block_sources.{number}: no block number {number}")
        for number, block in numbers.items():
            self._sources(
                file.block_sources.get(number, {}),
                "block",
                block.ref,
                block,
                f"{name}: $.block_sources.{number}",
            )
        for number, wordings in file.other_wordings.items():
            where = f"{name}: $.other_wordings.{number}"
            if number not in numbers:
                raise DataError(f"{where}: no block number {number}")
            if not wordings:
                raise DataError(f"{where}: expected a non-empty array")
            self.other_wordings[(version.key, int(number))] = tuple(
                self._quoted(w.title, w.source, f"{where}[{i}]", "title")
                for i, w in enumerate(wordings)
            )
        return version

    def _check_version(self, version: CertificationVersion, name: str) -> None:
        """The version's fields agree with its key, and ``unknown_fields`` with its values."""
        if (
            version.legal_text.date is not None
            and version.legal_text.date.isoformat() != version.key
        ):
            self.fail(f"{name}: $.version.legal_text.date: differs from the key {version.key!r}")
        for i, block in enumerate(version.blocks):
            if block.version_key != version.key or block.number != i + 1:
                self.fail(
                    f"{name}: $.version.blocks[{i}]: "
                    f"expected version_key {version.key!r} and number {i + 1}, "
                    f"got {block.version_key!r} and {block.number}"
                )
        unknowable = sorted(name for name, a in fields_of(CertificationVersion) if a.unknowable)
        for field in sorted(version.unknown_fields):
            if field not in unknowable:
                self.fail(
                    f"{name}: $.version.unknown_fields: {field!r} is not a field that can be "
                    f"unknown; fields: {unknowable}"
                )
            elif not _is_empty(getattr(version, field)):
                self.fail(
                    f"{name}: $.version.unknown_fields: {field!r} has a value, so a source gives it"
                )

    def _load_contradictions(
        self, entries: tuple[Contradiction, ...], version: CertificationVersion, name: str
    ) -> None:
        """Facts the texts contradict, each with the readings of the texts not followed.

        The value shipped is the one its ``sources`` entry gives (the reading followed); each
        reading here is another text's, recorded with its own verbatim source.
        """
        for i, entry in enumerate(entries):
            path = f"{name}: $.contradictions[{i}]"
            key = _format.SourceKey("version", version.key, entry.field)
            if key not in self.sources:
                raise DataError(f"{path}.field: {entry.field!r} is not a field with a source")
            if key in self.contradictions:
                raise DataError(f"{path}.field: {entry.field!r} is given twice")
            if not entry.readings:
                raise DataError(f"{path}.readings: expected at least one reading")
            self.contradictions[key] = tuple(
                self._quoted(r.reads, r.source, f"{path}.readings[{j}]", "reads")
                for j, r in enumerate(entry.readings)
            )

    def _check_version_codes(
        self,
        version: CertificationVersion,
        rome_by_code: Mapping[str, RomeCode],
        nsf_by_code: Mapping[str, NsfCode],
        levels: tuple[Level, ...],
    ) -> None:
        where = f"versions/{version.key}.json: $.version"
        for field, table in (("rome_codes", rome_by_code), ("nsf_codes", nsf_by_code)):
            file = f"nomenclatures/{field[:-6]}.json"
            for i, code in enumerate(getattr(version, field)):
                if table.get(code.code) != code:
                    self.fail(f"{where}.{field}[{i}]: {code} is not in {file} as written")
        if version.level is not None and version.level not in levels:
            self.fail(f"{where}.level: {version.level} is not in nomenclatures/levels.json")
        if version.rncp is not None and not _is_canonical(normalize_rncp, version.rncp):
            self.fail(f"{where}.rncp: {version.rncp!r} is not a canonical RNCP number")
        for i, block in enumerate(version.blocks):
            bloc_code = block.rncp_code
            if bloc_code is not None and parse_rncp_block_code(bloc_code) != bloc_code:
                self.fail(
                    f"{where}.blocks[{i}].rncp_code: {bloc_code!r} is not a canonical "
                    "RNCP bloc code such as 'RNCP34809BC01'"
                )

    # -- lineage: intervals no text covers, fiches registered but not in the data

    def _load_lineage(
        self,
        versions: list[CertificationVersion],
        version_by_key: Mapping[str, CertificationVersion],
        nsf_by_code: Mapping[str, NsfCode],
    ) -> tuple[tuple[ValidityGap, ...], tuple[RegisteredFiche, ...]]:
        """``lineage.json``, when the manifest lists it (a data directory may have none)."""
        if LINEAGE not in self.reader.files:
            return (), ()
        lineage = self.reader.read(LINEAGE, _format.LineageFile)
        gaps = []
        for i, gap in enumerate(lineage.gaps):
            where = f"{LINEAGE}: $.gaps[{i}]"
            if self.rules and gap.end <= gap.start:
                self.fail(
                    f"{where}.end: {gap.end} is not after start {gap.start} (end is excluded)"
                )
            gaps.append(
                ValidityGap(gap.start, gap.end, self._source(gap.source, f"{where}.source"))
            )
        if self.rules:
            _check_gaps(tuple(gaps), versions, self.fail)
        registered: dict[str, RegisteredFiche] = {}
        for i, entry in enumerate(lineage.registered):
            where = f"{LINEAGE}: $.registered[{i}]"
            fiche = self._registered(entry, where, version_by_key, nsf_by_code)
            if fiche.rncp in registered:
                raise DataError(f"{where}.rncp: {fiche.rncp} is recorded twice")
            registered[fiche.rncp] = fiche
        return tuple(gaps), tuple(registered.values())

    def _registered(
        self,
        entry: RegisteredEntry,
        where: str,
        version_by_key: Mapping[str, CertificationVersion],
        nsf_by_code: Mapping[str, NsfCode],
    ) -> RegisteredFiche:
        if self.rules and not _is_canonical(normalize_rncp, entry.rncp):
            self.fail(f"{where}.rncp: {entry.rncp!r} is not a canonical RNCP number")
        if entry.successor_of not in version_by_key:
            raise DataError(
                f"{where}.successor_of: unknown version {entry.successor_of!r}; "
                f"known: {sorted(version_by_key)}"
            )
        level = entry.level
        if level is not None and not all(1 <= n <= 8 for n in (level.france_2019, level.eqf)):
            raise DataError(f"{where}.level: expected niveaux 1 to 8, got {level}")
        for i, code in enumerate(entry.nsf if self.rules else ()):
            if nsf_by_code.get(code.code) != code:
                self.fail(f"{where}.nsf[{i}]: {code} is not in nomenclatures/nsf.json as written")
        if entry.certifying_authority == "":
            raise DataError(f"{where}.certifying_authority: expected a name or null")
        fiche = RegisteredFiche(
            rncp=entry.rncp,
            successor_of=entry.successor_of,
            level=level,
            nsf_codes=entry.nsf,
            formacodes=entry.formacodes,
            registered_until=entry.registered_until,
            certifying_authority=entry.certifying_authority,
        )
        self._sources(
            entry.sources,
            "registered",
            fiche.rncp,
            entry,
            f"{where}.sources",
            names={"nsf": "nsf_codes"},
        )
        return fiche

    # -- correspondence tables

    def _load_table(
        self, name: str, version_by_key: Mapping[str, CertificationVersion]
    ) -> tuple[tuple[str, str], tuple[Correspondence, ...]]:
        table = self.reader.read(name, _format.TableFile)
        for side, key in (("old_key", table.old_key), ("new_key", table.new_key)):
            if key not in version_by_key:
                raise DataError(
                    f"{name}: $.{side}: unknown version {key!r}; known: {sorted(version_by_key)}"
                )
        old_key, new_key = table.old_key, table.new_key
        if name != f"correspondences/{old_key}_{new_key}.json":
            raise DataError(f"{name}: $: old_key and new_key do not match the file name")
        if self.rules and old_key >= new_key:
            self.fail(f"{name}: $.new_key: {new_key!r} is not later than {old_key!r}")
        old_blocks = version_by_key[old_key].blocks
        new_blocks = version_by_key[new_key].blocks
        rows = []
        seen: set[int] = set()
        for i, row in enumerate(table.rows):
            path = f"{name}: $.rows[{i}]"
            old = _block_at(row.old, old_blocks, f"{path}.old")
            new = (
                None
                if row.new is None
                else _block_at(row.new, new_blocks, f"{path}.new", " or null")
            )
            if row.old in seen:
                self.fail(f"{path}.old: block {row.old} appears twice")
            seen.add(row.old)
            source = self._source(row.source, f"{path}.source")
            rows.append(Correspondence(old=old, new=new, source=source))
        return (old_key, new_key), tuple(rows)


def _block_at(number: int, blocks: tuple[Block, ...], where: str, or_null: str = "") -> Block:
    if not 1 <= number <= len(blocks):
        raise DataError(f"{where}: {number!r} names no block; expected 1 to {len(blocks)}{or_null}")
    return blocks[number - 1]


def _is_canonical(normalize: Callable[[str], str], code: str) -> bool:
    """Whether ``code`` is written as ``normalize`` writes it."""
    try:
        return normalize(code) == code
    except InvalidCodeError:
        return False


def _is_empty(value: object) -> bool:
    return value is None or value in ((), frozenset())


# Fields whose value is not written as such in the text: a key is a date the title of the
# arrêté spells out, a code may be written with a space (« 312 w »).
_NOT_QUOTED = frozenset({"key", "code"})

# Fields that have no source of their own: what no source gives, a block's version key (the
# version's key has one), a file's member holding the sources.
_NO_SOURCE = frozenset({"unknown_fields", "version_key", "sources"})


def _check_covered(value: object, excerpt: str, where: str, fail: Callable[[str], None]) -> None:
    """Each item of a list, and each paragraph of a text, is found verbatim in ``excerpt``.

    A list of codes is checked by code. So a source covers the whole fact, not its start.
    """
    if isinstance(value, str):
        items: list[str] = value.split("\n")
    elif isinstance(value, tuple):
        items = [
            item if isinstance(item, str) else getattr(item, "code", "")
            for item in value
            if isinstance(item, (str, RomeCode))
        ]
    else:
        return
    for item in items:
        if item not in excerpt:
            fail(f"{where}: does not contain {item!r:.120}")


def _check_windows(versions: list[CertificationVersion], fail: Callable[[str], None]) -> None:
    """Each known window ends after it starts, and ends before the next one starts."""
    windowed = [(v.key, v.validity) for v in versions if v.validity is not None]
    for key, window in windowed:
        if window.end is not None and window.end <= window.start:
            fail(f"versions/{key}.json: $.version.validity: end is not after start")
    for (earlier_key, earlier), (later_key, later) in zip(windowed, windowed[1:]):
        if earlier.end is None or earlier.end > later.start:
            fail(
                f"versions/{later_key}.json: $.version.validity: "
                f"overlaps the window of {earlier_key}"
            )


def _check_gaps(
    gaps: tuple[ValidityGap, ...], versions: list[CertificationVersion], fail: Callable[[str], None]
) -> None:
    """Gaps are in order and apart, and no version's window covers a day of one."""
    for i, (earlier, later) in enumerate(zip(gaps, gaps[1:])):
        if later.start < earlier.end:
            fail(f"{LINEAGE}: $.gaps[{i + 1}]: starts before the gap before it ends")
    for i, gap in enumerate(gaps):
        for v in versions:
            window = v.validity
            if (
                window is not None
                and window.start < gap.end
                and (window.end is None or gap.start < window.end)
            ):
                fail(
                    f"{LINEAGE}: $.gaps[{i}]: the validity window of {v.key} covers days of "
                    "this interval, which is recorded as covered by no text"
                )


def _blocks_by_label(
    versions: tuple[CertificationVersion, ...],
    other_wordings: Mapping[tuple[str, int], tuple[tuple[str, Source], ...]],
) -> dict[str, tuple[Block, ...]]:
    """The blocks by normalised title: each block's own, and its other wordings in the texts."""
    by_label: dict[str, list[Block]] = {}
    for v in versions:
        for block in v.blocks:
            wordings = other_wordings.get((block.version_key, block.number), ())
            labels = {normalize_label(block.title), *(normalize_label(t) for t, _ in wordings)}
            for label in sorted(labels):
                by_label.setdefault(label, []).append(block)
    return {label: tuple(blocks) for label, blocks in by_label.items()}


def _reachable_blocks(
    versions: tuple[CertificationVersion, ...],
    tables: Mapping[tuple[str, str], tuple[Correspondence, ...]],
) -> dict[tuple[str, int], frozenset[Block]]:
    """For each block, itself and every block the tables chain it to in later versions."""
    successors: dict[Block, list[Block]] = {}
    for table in tables.values():
        for row in table:
            if row.new is not None:
                successors.setdefault(row.old, []).append(row.new)
    reachable: dict[tuple[str, int], frozenset[Block]] = {}
    for v in reversed(versions):  # tables lead forward, so later blocks are done first
        for block in v.blocks:
            reached = {block}
            for new in successors.get(block, ()):
                reached |= reachable[(new.version_key, new.number)]
            reachable[(block.version_key, block.number)] = frozenset(reached)
    return reachable


# ---------------------------------------------------------------- reading a data directory


def load(root: Traversable | str | os.PathLike[str]) -> Dataset:
    """Read and check every file of the data directory ``root``.

    A path is read with ``os`` (:class:`_Directory`), which refuses what is not a regular file.
    Every file's sha256 and shape are checked; the rules across files too, unless ``root`` is
    a :class:`_Directory` marked ``trusted`` (see :class:`_Builder`).
    Raises :class:`DataError` naming the file and the place of the first problem found.
    """
    if isinstance(root, (str, os.PathLike)):
        root = _Directory(os.fspath(root))
    try:
        return _Builder(root, rules=not getattr(root, "trusted", False)).build()
    except RecursionError:  # the JSON files are checked for this; a safety net for the rest
        raise DataError(f"data nested too deeply to be checked in {root}") from None


class Verification:
    """What :func:`verify` found in a data directory.

    Its data version (``None`` when its manifest cannot be read) and every rule it fails, in
    order (empty: it passes them all). A plain class: a named tuple would cost every first
    use its generation, for a result only ``data verify`` makes.
    """

    __slots__ = ("data_version", "failures")

    def __init__(self, data_version: str | None, failures: tuple[str, ...]) -> None:
        self.data_version = data_version
        self.failures = failures


def verify(root: Traversable | str | os.PathLike[str] | None) -> Verification:
    """Run every rule the shipped data passes on the data directory ``root``.

    ``None`` is the shipped data. A problem with a file's digest or shape stops the run (what
    follows it cannot be read); the rules across files are each run, and each failure listed.
    ``titre-mercd data verify`` runs it.
    """
    if root is None:
        root = _package_data()
    elif isinstance(root, (str, os.PathLike)):
        root = _Directory(os.fspath(root))
    failures: list[str] = []
    builder = None
    try:
        builder = _Builder(root, failures=failures)
        builder.build()
    except DataError as exc:
        failures.append(str(exc))
    except RecursionError:
        failures.append(f"data nested too deeply to be checked in {root}")
    data_version = None if builder is None else builder.reader.data_version
    return Verification(data_version, tuple(failures))


_SWAPS_FOLLOWED = 8  # a load retried as many times if the directory is replaced meanwhile


def load_directory(directory: str | os.PathLike[str], *, trusted: bool = False) -> Dataset:
    """Read and check a user's data directory (one ``titre-mercd registry import`` writes).

    It is untrusted input: it goes through every check the shipped data passes. ``trusted``
    is for the user's own update only, written by ``registry update`` after it ran every
    rule: its manifest's digests prove its files are those, so the rules are not run again.

    Raises:
        ArgumentTypeError: ``directory`` is not a path.
        DataError: it is not a directory, or a check fails; the message starts with
            "data directory PATH:" (as given, and absolute if it is not) and names the file
            and the place, and :attr:`DataError.directory` is the absolute path.
    """
    if not isinstance(directory, (str, os.PathLike)):
        from .exceptions import ArgumentTypeError

        raise ArgumentTypeError(
            "a data directory is a path (str or os.PathLike), "
            f"not {type(directory).__name__} {directory!r:.80}"
        )
    given = os.fspath(directory)
    path = os.path.abspath(given)
    # Read through the real directory, resolved once: ``registry import`` swaps a link onto a
    # new copy, and a load must not read files from two. A copy removed while it was read is
    # read again where the link leads now.
    problem = "does not exist"
    if "\x00" in path:  # no file system path holds one: os would raise a bare ValueError
        problem = "a path cannot hold a NUL character; expected a directory's path"
    for _ in range(0 if "\x00" in path else _SWAPS_FOLLOWED):
        real = os.path.realpath(path)
        if not os.path.isdir(real):
            problem = "is not a directory" if os.path.lexists(path) else "does not exist"
            problem += "; expected a directory written by titre-mercd registry import"
            if os.path.realpath(path) == real:
                break
            continue  # it was being replaced: look again
        try:
            return load(_Directory(real, trusted=trusted))._replace(directory=path)
        except DataError as exc:
            problem = str(exc).replace(real, path)
            if os.path.realpath(path) == real:
                break
    absolute = path if path.isprintable() else repr(path)  # one line, whatever the name
    named = f"{given!r:.300}" if given == path else f"{given!r:.200} ({absolute:.300})"
    error = DataError(f"data directory {named}: {problem}")
    error.directory = path
    raise error


def _package_data() -> Traversable:
    """The shipped data directory, read directly when the package sits in a directory."""
    directory = os.path.join(os.path.dirname(__file__), "data")
    if os.path.isdir(directory):
        return _Directory(directory, trusted=True)  # the test suite runs every rule on it
    from importlib.resources import files

    return files(__package__).joinpath("data")


# ---------------------------------------------------------------- the user's update


def user_data_directory() -> str:
    r"""The directory platformdirs' ``user_data_dir("titre-mercd")`` names, without importing it.

    Importing platformdirs costs every process about 16 ms: the same rules, for this one
    directory (a test checks them against platformdirs). Linux and other Unixes:
    ``$XDG_DATA_HOME/titre-mercd`` when that is an absolute path, else
    ``~/.local/share/titre-mercd``; macOS: the same variable, else
    ``~/Library/Application Support/titre-mercd``; Windows:
    ``%LOCALAPPDATA%\titre-mercd\titre-mercd``.
    """
    import sys

    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
        return os.path.join(os.path.normpath(base), APP_NAME, APP_NAME)
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if not xdg.startswith("/"):
        home = "~/Library/Application Support" if sys.platform == "darwin" else "~/.local/share"
        xdg = os.path.expanduser(home)
    return os.path.join(xdg, APP_NAME)


def update_directory() -> str:
    """Where ``titre-mercd registry update`` writes the user's data directory."""
    return os.path.join(user_data_directory(), UPDATE_FOLDER)


def data_origin(data: Dataset) -> str:
    """Which data set ``data`` is: ``"shipped"``, ``"update"`` (the user's) or ``"directory"``."""
    if data.directory is None:
        return "shipped"
    if data.directory == os.path.abspath(update_directory()):
        return "update"
    return "directory"
