"""The wheel holds everything the package reads; the sdist holds the tests and the docs.

Both are built with ``python -m build`` into a temporary directory, or, when nox has already
built the wheel under test, read from the directory ``TITRE_MERCD_DIST`` names. What must be in
them is read from the source tree, so a data file added to ``src/`` but left out of the wheel
fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "titre_mercd"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("TITRE_MERCD_DIST")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("dist")
    completed = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return out


def _one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {dist}, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def wheel_files(dist: Path) -> set[str]:
    with zipfile.ZipFile(_one(dist, "titre_mercd-*-py3-none-any.whl")) as wheel:
        return set(wheel.namelist())


@pytest.fixture(scope="module")
def sdist_files(dist: Path) -> set[str]:
    with tarfile.open(_one(dist, "titre_mercd-*.tar.gz")) as sdist:
        # Drop the leading "titre_mercd-X.Y.Z/" every member starts with.
        return {PurePosixPath(*PurePosixPath(m.name).parts[1:]).as_posix() for m in sdist}


def _source_files(folder: Path) -> set[str]:
    """Files of the source tree under ``folder``, relative to ROOT, as posix paths."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_wheel_holds_the_typing_marker_and_the_manifest(wheel_files: set[str]) -> None:
    assert "titre_mercd/py.typed" in wheel_files
    assert "titre_mercd/data/MANIFEST.json" in wheel_files


def test_wheel_holds_every_file_the_manifest_lists(wheel_files: set[str]) -> None:
    manifest = json.loads((PACKAGE / "data" / "MANIFEST.json").read_text(encoding="utf-8"))
    listed = {f"titre_mercd/data/{name}" for name in manifest["files"]}
    assert listed, "the manifest lists no file"
    assert listed - wheel_files == set()


def test_wheel_holds_the_data_json_and_the_legal_texts(wheel_files: set[str]) -> None:
    data = {name for name in wheel_files if name.startswith("titre_mercd/data/")}
    assert {n for n in data if n.startswith("titre_mercd/data/versions/")} >= {
        "titre_mercd/data/versions/2007-04-27.json",
        "titre_mercd/data/versions/2011-06-01.json",
        "titre_mercd/data/versions/2018-12-11.json",
    }
    assert "titre_mercd/data/correspondences/2011-06-01_2018-12-11.json" in data
    assert "titre_mercd/data/texts/arrete-2018-12-11-MTRD1833181A.txt" in data
    assert "titre_mercd/data/texts/FACTS.md" in data
    texts = {p.name for p in (PACKAGE / "data" / "texts").iterdir()}
    assert {f"titre_mercd/data/texts/{name}" for name in texts} <= data


def test_wheel_holds_the_json_schema_of_the_export(wheel_files: set[str]) -> None:
    schemas = {p.name for p in (PACKAGE / "schemas").glob("*.json")}
    assert "dataset.schema.json" in schemas
    assert {f"titre_mercd/schemas/{name}" for name in schemas} <= wheel_files


def test_wheel_holds_the_json_schemas_of_the_command_line(wheel_files: set[str]) -> None:
    schemas = {p.name for p in (PACKAGE / "schemas" / "cli").glob("*.schema.json")}
    assert {"error.schema.json", "verdict.schema.json", "version.schema.json"} <= schemas
    assert {f"titre_mercd/schemas/cli/{name}" for name in schemas} <= wheel_files


def test_wheel_holds_every_file_of_the_source_package(wheel_files: set[str]) -> None:
    expected = {name.removeprefix("src/") for name in _source_files(PACKAGE)}
    assert expected - wheel_files == set()


def test_wheel_holds_only_the_package_and_its_metadata(wheel_files: set[str]) -> None:
    tops = {name.split("/")[0] for name in wheel_files}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"titre_mercd"}


def test_sdist_holds_the_tests_and_the_docs(sdist_files: set[str]) -> None:
    expected = _source_files(ROOT / "tests") | _source_files(ROOT / "docs")
    expected = {
        name for name in expected if not name.startswith(("docs/_build/", "tests/.hypothesis"))
    }
    assert "tests/test_build.py" in expected
    assert "docs/conf.py" in expected
    assert expected - sdist_files == set()
    assert not any(name.startswith("docs/_build/") for name in sdist_files)


def test_sdist_holds_the_project_files(sdist_files: set[str]) -> None:
    assert {
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "noxfile.py",
        "src/titre_mercd/py.typed",
        "src/titre_mercd/data/MANIFEST.json",
    } <= sdist_files
