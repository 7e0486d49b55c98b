"""Maintainers' tool: record the sha256 of every data file and the data version.

Run after any change under ``data/``, with a new data version::

    python -m titre_mercd._manifest 2026.2

It refuses to record changed files under a data version that already names other contents.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._data_import import DataImport

__all__ = ["contents_digest", "file_hashes", "write_manifest"]

MANIFEST = "MANIFEST.json"
HEADER = {
    "source": "Written by python -m titre_mercd._manifest: the sha256 of every data file",
    "note": "history maps each data version to the digest of the files it names; "
    "the loader checks every file against files.",
}


def file_hashes(root: Path) -> dict[str, str]:
    """The sha256 of every file under ``root`` but the manifest, by POSIX relative path."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST and "__pycache__" not in path.parts
    }


def contents_digest(hashes: dict[str, str]) -> str:
    """One sha256 for a whole set of files: it changes when any file, name or hash does."""
    lines = "".join(f"{name} {digest}\n" for name, digest in sorted(hashes.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def write_manifest(root: Path, data_version: str, imported: DataImport | None = None) -> None:
    """Write ``root/MANIFEST.json`` for the files now under ``root``.

    ``imported``: how ``registry import`` made the directory. Raises ``ValueError`` when
    ``data_version`` is already recorded for other contents.
    """
    from ._format import Manifest, unstructure
    from ._structure import structure

    manifest_path = root / MANIFEST
    history: dict[str, str] = {}
    if manifest_path.exists():
        text = manifest_path.read_text(encoding="utf-8")
        history = structure(json.loads(text), Manifest, MANIFEST).history
    hashes = file_hashes(root)
    digest = contents_digest(hashes)
    if history.get(data_version, digest) != digest:
        raise ValueError(
            f"data version {data_version!r} already names other contents: choose a new one"
        )
    history[data_version] = digest
    manifest = Manifest(
        header=HEADER, data_version=data_version, files=hashes, history=history, imported=imported
    )
    text = json.dumps(unstructure(manifest), ensure_ascii=False, indent=2)
    manifest_path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m titre_mercd._manifest DATA_VERSION")
    write_manifest(Path(__file__).parent / "data", sys.argv[1])
