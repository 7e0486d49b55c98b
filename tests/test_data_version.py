"""A data change without a new manifest and a new DATA_VERSION fails here."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

import titre_mercd
from titre_mercd._manifest import contents_digest, file_hashes

DATA = Path(str(files("titre_mercd").joinpath("data")))
MANIFEST = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))
CHANGELOG = Path(__file__).parent.parent / "CHANGELOG.md"


def test_the_manifest_lists_every_data_file_with_its_sha256() -> None:
    assert file_hashes(DATA) == MANIFEST["files"]


def test_data_version_names_these_contents() -> None:
    assert MANIFEST["data_version"] == titre_mercd.DATA_VERSION
    assert MANIFEST["history"][titre_mercd.DATA_VERSION] == contents_digest(file_hashes(DATA))


def test_each_data_version_names_different_contents() -> None:
    digests = list(MANIFEST["history"].values())
    assert len(set(digests)) == len(digests)


@pytest.mark.skipif(not CHANGELOG.exists(), reason="runs in a clone, beside CHANGELOG.md")
def test_the_changelog_logs_the_data_version() -> None:
    # Unreleased lines wait in changelog.d/ fragments until they are folded into CHANGELOG.md.
    fragments = sorted(CHANGELOG.parent.joinpath("changelog.d").glob("*.md"))
    logged = [path.read_text(encoding="utf-8") for path in [CHANGELOG, *fragments]]
    assert any(f"`DATA_VERSION` {titre_mercd.DATA_VERSION}" in text for text in logged)


def test_write_manifest_refuses_changed_files_under_an_old_data_version(tmp_path: Path) -> None:
    from titre_mercd._manifest import write_manifest

    (tmp_path / "a.json").write_text("{}\n", encoding="utf-8")
    write_manifest(tmp_path, "1")
    (tmp_path / "a.json").write_text('{"changed": true}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="already names other contents"):
        write_manifest(tmp_path, "1")
    write_manifest(tmp_path, "2")
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["data_version"] == "2"
    assert set(manifest["history"]) == {"1", "2"}
