"""The public names of SPEC.md, and an import that reads nothing and imports little."""

from __future__ import annotations

import subprocess
import sys

import titre_mercd

SPEC_NAMES = {
    "LegalText", "Source", "ValidityWindow", "Level", "RomeCode", "NsfCode", "Block",
    "Correspondence", "CertificationVersion", "versions", "version", "current", "is_in_force",
    "correspondences", "deemed_obtained", "missing_blocks", "find_block", "by_rome", "by_nsf",
    "by_rncp", "rome", "nsf", "source_of", "to_dict", "from_dict", "preload", "__version__",
    "DATA_VERSION", "TitreMercdError", "InvalidCodeError", "UnknownCodeError",
    "UnknownVersionError", "UnknownBlockError", "AmbiguousBlockError", "DataError",
}  # fmt: skip


def test_every_spec_name_is_public_and_resolves() -> None:
    assert set(titre_mercd.__all__) >= SPEC_NAMES
    for name in titre_mercd.__all__:
        assert getattr(titre_mercd, name) is not None
    assert set(titre_mercd.__all__) <= set(dir(titre_mercd))


def test_version_attributes() -> None:
    from importlib.metadata import version

    assert titre_mercd.__version__ == version("titre-mercd")
    assert isinstance(titre_mercd.DATA_VERSION, str)
    assert titre_mercd.DATA_VERSION


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    try:
        titre_mercd.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("no AttributeError")


def test_import_reads_no_data_and_imports_no_loader_dependency() -> None:
    probe = (
        "import sys, titre_mercd\n"
        "heavy = ['cattrs', 'json', 'importlib.metadata', 'importlib.resources']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(titre_mercd._referentiel._in_use if 'titre_mercd._referentiel' in sys.modules else None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "None"


def test_first_use_loads_without_cattrs_or_importlib_resources() -> None:
    probe = (
        "import sys, datetime, titre_mercd\n"
        "titre_mercd.by_rome('D1408'); titre_mercd.current(datetime.date(2020, 1, 1))\n"
        "print(sorted(m for m in ('cattrs', 'importlib.metadata') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
