"""How a data directory written by ``titre-mercd registry import`` was made.

A module of its own: ``import titre_mercd`` does not create its class, the first load does
(it is the ``"import"`` member of ``MANIFEST.json``, see ``_format.Manifest``).
"""

import datetime as dt

import attrs

from ._records import _Record

__all__ = ["DataImport"]

# The annotations are objects (no ``from __future__ import annotations``), as in ``_records``:
# the structurer reads them as they are.


@attrs.frozen(repr=False, eq=False)  # the records' own repr, equality and hash
class DataImport(_Record):
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
