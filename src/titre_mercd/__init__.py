"""The référentiel of the titre professionnel « manager d'équipe relation client à distance ».

Immutable, typed records of every version of the title and its lineage (the earlier
« superviseur(se) relation client à distance »), read from versioned package data, with pure
functions for correspondence between versions, validity windows and NSF / ROME / RNCP lookup.

>>> import datetime as dt
>>> import titre_mercd
>>> titre_mercd.current(dt.date(2020, 1, 1)).title
"manager d'équipe relation client à distance"
"""

from __future__ import annotations

from typing import Any

from ._correspondence import (
    correspondence_table,
    correspondences,
    deemed_obtained,
    missing_blocks,
)
from ._loading import preload
from ._queries import (
    by_nsf,
    by_rncp,
    by_rome,
    current,
    find_block,
    is_in_force,
    nsf,
    rome,
    source_of,
    successor,
    text_of,
    version,
    versions,
)
from ._records import (
    Block,
    CertificationVersion,
    Correspondence,
    CorrespondenceTable,
    LegalText,
    Level,
    NsfCode,
    RomeCode,
    Source,
    ValidityWindow,
)
from .exceptions import (
    AmbiguousBlockError,
    ArgumentTypeError,
    DataError,
    InvalidCodeError,
    TitreMercdError,
    UnknownBlockError,
    UnknownCodeError,
    UnknownVersionError,
)

__all__ = [
    "DATA_VERSION",
    "AmbiguousBlockError",
    "ArgumentTypeError",
    "Block",
    "CertificationVersion",
    "Correspondence",
    "CorrespondenceTable",
    "DataError",
    "InvalidCodeError",
    "LegalText",
    "Level",
    "NsfCode",
    "RomeCode",
    "Source",
    "TitreMercdError",
    "UnknownBlockError",
    "UnknownCodeError",
    "UnknownVersionError",
    "ValidityWindow",
    "__version__",
    "by_nsf",
    "by_rncp",
    "by_rome",
    "correspondence_table",
    "correspondences",
    "current",
    "deemed_obtained",
    "find_block",
    "from_dict",
    "is_in_force",
    "missing_blocks",
    "nsf",
    "preload",
    "rome",
    "source_of",
    "successor",
    "text_of",
    "to_dict",
    "version",
    "versions",
]


def __getattr__(name: str) -> Any:
    """Serve the names that cost an import only when they are asked for."""
    if name == "__version__":
        from importlib.metadata import version as distribution_version

        return distribution_version("titre-mercd")
    if name == "DATA_VERSION":
        from ._loading import dataset

        return dataset().data_version
    if name in ("to_dict", "from_dict"):
        from . import _converter

        return getattr(_converter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
