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

# Not typing.TYPE_CHECKING: importing typing would cost start-up, and would widen the moment
# when a Ctrl-C reaches the command line before its signal handlers are installed.
TYPE_CHECKING = False
if TYPE_CHECKING:  # the names below are served lazily by __getattr__; __all__ says which
    from typing import Any

    from ._converter import from_dict, to_dict
    from ._data_import import DataImport
    from ._records import *
    from ._referentiel import *
    from ._registry import RegistryCheck, registry_check
    from ._update import UpdateResult, update_data
    from .exceptions import *

    DATA_VERSION: str
    __version__: str

__all__ = [
    "DATA_VERSION",
    "AmbiguousBlockError",
    "ArgumentTypeError",
    "Block",
    "CertificationVersion",
    "Correspondence",
    "CorrespondenceTable",
    "DataError",
    "DataImport",
    "ExportLacksLineageError",
    "Formacode",
    "InvalidCodeError",
    "LegalText",
    "Level",
    "NotInDataError",
    "NsfCode",
    "Referentiel",
    "RegisteredFiche",
    "RegistryCheck",
    "RegistryExportError",
    "RegistryUpdateError",
    "RomeCode",
    "Source",
    "StaleUpdateWarning",
    "TitreMercdError",
    "TitreMercdWarning",
    "UndecidedError",
    "UnknownBlockError",
    "UnknownCodeError",
    "UnknownVersionError",
    "UpdateResult",
    "ValidityGap",
    "ValidityWindow",
    "__version__",
    "by_formacode",
    "by_nsf",
    "by_rncp",
    "by_rome",
    "contradictions",
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
    "referentiel",
    "registered_fiche",
    "registered_fiches",
    "registry_check",
    "rome",
    "source_of",
    "successor",
    "text_of",
    "to_dict",
    "update_data",
    "use_data",
    "validity_gaps",
    "version",
    "versions",
]


# Where the public names live: these here, the errors and warnings in exceptions, the other
# classes in _records, the other functions in _referentiel. Nothing is imported until a name is
# first asked for, so ``import titre_mercd`` costs next to nothing.
_HOMES = {
    "DataImport": "_data_import",
    "from_dict": "_converter",
    "to_dict": "_converter",
    "RegistryCheck": "_registry",
    "registry_check": "_registry",
    "UpdateResult": "_update",
    "update_data": "_update",
    "Referentiel": "_referentiel",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562), and keep the name."""
    if name == "__version__":
        from importlib.metadata import version as distribution_version

        return distribution_version("titre-mercd")
    if name == "DATA_VERSION":  # names the data in use: not kept, since use_data may change it
        from ._referentiel import in_use

        return in_use().data_version
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = _HOMES.get(name) or (
        "exceptions"
        if name.endswith(("Error", "Warning"))
        else "_records"
        if name[0].isupper()
        else "_referentiel"
    )
    from importlib import import_module

    # Records shown in a notebook get their HTML from the display module, which gives it to
    # them when imported (the records know no screen). Asked for once, with the first name.
    import_module(f"{__name__}._display")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
