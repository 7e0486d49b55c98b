"""The errors ``titre_mercd`` raises, one small hierarchy under :class:`TitreMercdError`.

Every message says what was given and what is accepted.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "AmbiguousBlockError",
    "ArgumentTypeError",
    "CsvInputError",
    "DataError",
    "ExportLacksLineageError",
    "ImportRefusedError",
    "InvalidCodeError",
    "MissingExtraError",
    "NotInDataError",
    "OutputError",
    "RegistryExportError",
    "RegistryUpdateError",
    "StaleUpdateWarning",
    "TitreMercdError",
    "TitreMercdWarning",
    "UndecidedError",
    "UnknownBlockError",
    "UnknownCodeError",
    "UnknownVersionError",
    "XlsxInputError",
]


class TitreMercdError(Exception):
    """Base class of every error this package raises on purpose."""


class ArgumentTypeError(TitreMercdError, TypeError):
    """An argument is not of a type the function accepts (a ``datetime`` for a ``date``, …)."""


class InvalidCodeError(TitreMercdError, ValueError):
    """A ROME, NSF, RNCP or bloc code that is malformed (``"D14"`` as ROME, ``""``)."""


class UnknownCodeError(TitreMercdError, LookupError):
    """A well-formed code that the data does not know."""


class UnknownVersionError(TitreMercdError, LookupError):
    """A version key that names no known version of the title."""


class UnknownBlockError(TitreMercdError, LookupError):
    """No bloc de compétences matches; the message names the closest titles."""


class AmbiguousBlockError(TitreMercdError, LookupError):
    """Several blocs de compétences match; the message names them."""


class NotInDataError(UnknownCodeError):
    """A fiche the data records as registered, but of which it holds no version."""


class UndecidedError(TitreMercdError, LookupError):
    """The sources do not decide the question (a window no text gives); the message says why."""


class DataError(TitreMercdError):
    """Shipped data that is missing or invalid; the message names the file and the place in it.

    Also raised for a data directory named by :func:`titre_mercd.use_data`,
    ``TITRE_MERCD_DATA`` or ``--data`` that fails a check; :attr:`directory` is then that
    directory.
    """

    #: The user's data directory the problem is in (an absolute path); ``None`` when the
    #: problem is in the shipped data.
    directory: str | None = None


class RegistryExportError(TitreMercdError, ValueError):
    """A file that is not France compétences' RNCP export, or a broken or hostile one."""


class RegistryUpdateError(TitreMercdError, OSError):
    """``titre-mercd registry update`` (:func:`titre_mercd.update_data`) could not finish.

    The network, the server, the download or the disk failed, or the API lists no export; the
    message names what failed and what to do. The data in use is unchanged.
    """


class ExportLacksLineageError(TitreMercdError, LookupError):
    """An RNCP export holding no fiche of this title's lineage: nothing was imported.

    ``registry import`` and ``registry update`` write nothing then (the data in use is
    unchanged); the message names the export's date and the registered fiche it did not hold.
    """

    #: The export's file name and date.
    export: str = ""
    export_date: dt.date | None = None
    #: The fiches the data records as registered that the export did not hold (RNCP38665).
    registered: tuple[str, ...] = ()
    #: How many fiches the export holds.
    fiches_read: int = 0


class TitreMercdWarning(UserWarning):
    """Base class of the warnings this package emits."""


class StaleUpdateWarning(TitreMercdWarning):
    """The user's update was built on another ``DATA_VERSION``: it is ignored.

    The package was upgraded since ``titre-mercd registry update`` wrote it; the answers come
    from the shipped data until ``titre-mercd registry update --offline`` rebuilds it.
    """


class ImportRefusedError(TitreMercdError, OSError):
    """``registry import`` cannot write where it was asked to (the message says why)."""


class OutputError(TitreMercdError, OSError):
    """An output cannot be written where asked; the message says what was refused and why."""


class CsvInputError(TitreMercdError, ValueError):
    """The input cannot be read as the CSV file asked for; the message is one line."""


class XlsxInputError(TitreMercdError, ValueError):
    """The input cannot be read as the workbook, sheet or column asked for; one line."""


class MissingExtraError(TitreMercdError, ImportError):
    """An optional dependency is not installed (openpyxl); the message says how to install it."""
