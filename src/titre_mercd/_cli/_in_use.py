"""Which data set answers, as the command line says it (``--version``, the summary)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .._loading import data_origin
from .._referentiel import dataset
from ._common import PROG, WIDTH, wrap

__all__ = ["STALE_AFTER_DAYS", "data_json", "data_lines", "data_words"]

STALE_AFTER_DAYS = 30  # the summary says when the update's export is older than this


def data_json(today: dt.date | None = None) -> dict[str, Any]:
    """The data set in use: where it comes from, its version and, for an import, its export."""
    data = dataset()
    export_date = None if data.imported is None else data.imported.export_date
    age = None if export_date is None else ((today or dt.date.today()) - export_date).days
    return {
        "origin": data_origin(data),
        "data_version": data.data_version,
        "directory": data.directory,
        "export_date": None if export_date is None else export_date.isoformat(),
        "export_age_days": age,
    }


def data_words(info: dict[str, Any], *, directory: bool = True) -> str:
    """« the shipped data », « your update (the RNCP export of 2026-12-01) », « DIR »."""
    origin = info["origin"]
    export = "" if info["export_date"] is None else f" (the RNCP export of {info['export_date']})"
    if origin == "shipped":
        return "the shipped data"
    if origin == "update":
        return f"your update{export}"
    named = f"the data directory {info['directory']}" if directory else "a data directory"
    return named + export


def data_lines(today: dt.date) -> list[str]:
    """The summary's last lines: the data that answered and, if it is old, what to do."""
    info = data_json(today)
    lines = wrap(f"Data: {data_words(info)}, version {info['data_version']}.", WIDTH)
    age = info["export_age_days"]
    if info["origin"] == "update" and age is not None and age > STALE_AFTER_DAYS:
        lines.extend(
            wrap(
                f"That export is {age} days old: {PROG} registry update fetches the newest.",
                WIDTH,
            )
        )
    return lines
