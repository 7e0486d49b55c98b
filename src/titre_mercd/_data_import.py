"""How a data directory written by ``titre-mercd registry import`` was made.

A module of its own: an attrs class costs start-up to create, and only a caller that asks
:attr:`~titre_mercd.Referentiel.imported` needs this one.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003  (DataImport's annotations are evaluated at run time)
from functools import cache

import attrs

__all__ = ["DataImport", "data_import"]


@attrs.frozen
class DataImport:
    """How a data directory written by ``titre-mercd registry import`` was made.

    Read from the ``"import"`` member of the directory's ``MANIFEST.json``; the shipped data
    has none (:attr:`~titre_mercd.Referentiel.imported` is then ``None``).

    >>> import datetime as dt
    >>> made = DataImport("export_2026-12-01.xml", dt.date(2026, 12, 1), "2026.2")
    >>> made.export_date, made.base_data_version
    (datetime.date(2026, 12, 1), '2026.2')
    """

    export: str  # the file name of the registry export the directory was made from
    export_date: dt.date  # the date of that export
    base_data_version: str  # the DATA_VERSION of the data the import started from


@cache
def data_import(export: str, export_date: dt.date, base_data_version: str) -> DataImport:
    """The record of an import, the same object every time it is asked for."""
    return DataImport(export, export_date, base_data_version)
