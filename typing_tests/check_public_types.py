"""What a user's type checker sees: checked by ``mypy --strict``, never run.

Each ``assert_type`` fails the check if the installed package stops giving that exact type;
each ``# type: ignore[code]`` marks a misuse that must stay an error (``--strict`` warns about
an ignore that is no longer needed, so a misuse that became legal fails the check too).
``nox -s typecheck`` runs mypy on this file against the built wheel, so it also proves that
the wheel ships ``py.typed``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from typing_extensions import assert_type

import titre_mercd as tm

# Module attributes
assert_type(tm.DATA_VERSION, str)
assert_type(tm.__version__, str)

# Versions and validity
assert_type(tm.versions(), tuple[tm.CertificationVersion, ...])
v = tm.version("2018-12-11")
assert_type(v, tm.CertificationVersion)
assert_type(v.blocks[0].title, str)
assert_type(v.blocks[0].competences, tuple[str, ...])
assert_type(v.blocks[0].rncp_code, str | None)
assert_type(v.former_titles, tuple[str, ...])
assert_type(v.legal_text.date, dt.date | None)
assert_type(v.validity, tm.ValidityWindow | None)
assert_type(v.level, tm.Level | None)
assert_type(v.rncp, str | None)
assert_type(v.summary, str | None)
assert_type(tm.current(), tm.CertificationVersion | None)
assert_type(tm.current(dt.date(2020, 1, 1)), tm.CertificationVersion | None)
assert_type(tm.is_in_force(dt.date(2020, 1, 1), "2018-12-11"), bool)
assert_type(tm.successor("2011-06-01"), tm.CertificationVersion | None)

# Wherever a key is taken, the version itself is taken too; a datetime is taken as its date.
assert_type(tm.version(v), tm.CertificationVersion)
assert_type(tm.successor(v), tm.CertificationVersion | None)
assert_type(tm.is_in_force(dt.datetime(2020, 1, 1, 12, tzinfo=dt.timezone.utc), v), bool)
assert_type(tm.is_in_force(dt.date(2020, 1, 1), None), bool)
assert_type(tm.current(dt.datetime.now(dt.timezone.utc)), tm.CertificationVersion | None)
assert_type(tm.correspondences(tm.version("2011-06-01"), v), tuple[tm.Correspondence, ...])
assert_type(tm.correspondence_table("2011-06-01", v), tm.CorrespondenceTable)
assert_type(tm.find_block("2018-12-11/1", v), tm.Block)
assert_type(tm.missing_blocks(["2011-06-01/2"], v), tuple[tm.Block, ...])

window = v.validity
if window is not None:
    assert_type(window.start, dt.date)
    assert_type(window.end, dt.date | None)
    assert_type(window.last_day, dt.date | None)
    assert_type(window.contains(dt.date(2020, 1, 1)), bool)

level = v.level
if level is not None:
    assert_type(level.france_1969, str | None)
    assert_type(level.france_2019, int)
    assert_type(level.eqf, int)

# Blocs and correspondence
assert_type(tm.find_block("2011-06-01/2"), tm.Block)
assert_type(tm.find_block("2011-06-01/2").ref, str)
assert_type(tm.deemed_obtained(["2011-06-01/2"]), tuple[tm.Block, ...])
assert_type(tm.deemed_obtained(v.blocks, "2018-12-11"), tuple[tm.Block, ...])
assert_type(tm.deemed_obtained(v.blocks, v), tuple[tm.Block, ...])
assert_type(sorted(tm.deemed_obtained(["2011-06-01/2"])), list[tm.Block])  # blocks sort
assert_type(tm.missing_blocks(["2011-06-01/2"]), tuple[tm.Block, ...])
rows = tm.correspondences("2011-06-01", "2018-12-11")
assert_type(rows, tuple[tm.Correspondence, ...])
assert_type(rows[0].old, tm.Block)
assert_type(rows[0].new, tm.Block | None)
assert_type(rows[0].source.location, str)
assert_type(tm.correspondence_table("2011-06-01", "2018-12-11"), tm.CorrespondenceTable)

# Codes
assert_type(tm.by_rome("D1408"), tuple[tm.CertificationVersion, ...])
assert_type(tm.by_nsf("312t"), tuple[tm.CertificationVersion, ...])
assert_type(tm.by_rncp("12505"), tm.CertificationVersion)
assert_type(tm.rome("D1408"), tm.RomeCode)
assert_type(tm.rome("D1408").label, str)
assert_type(tm.nsf("312w").label, str | None)
# RNCP and NSF codes may be given as int (pandas reads them so).
assert_type(tm.by_rncp(12505), tm.CertificationVersion)
assert_type(tm.by_nsf(312), tuple[tm.CertificationVersion, ...])
assert_type(tm.nsf(312), tm.NsfCode)
assert_type(v.rome_codes, tuple[tm.RomeCode, ...])
assert_type(v.nsf_codes, tuple[tm.NsfCode, ...])

# Sources
source = tm.source_of(v, "validity")
assert_type(source, tm.Source)
assert_type(source.text, tm.LegalText)
assert_type(source.excerpt, str)
assert_type(tm.text_of(source.text), str)

# Serialisation: a record goes out as a dict and comes back as the class asked for.
payload = tm.to_dict(v)
assert_type(payload, dict[str, Any])
assert_type(tm.from_dict(tm.CertificationVersion, payload), tm.CertificationVersion)
assert_type(tm.from_dict(tm.RomeCode, tm.to_dict(tm.rome("D1408"))), tm.RomeCode)
assert_type(tm.preload(), None)

# Errors form one hierarchy under TitreMercdError, beside the built-in ones.
error: tm.TitreMercdError = tm.UnknownVersionError("x")
lookup_error: LookupError = tm.UnknownCodeError("x")
value_error: ValueError = tm.InvalidCodeError("x")

# Misuses that must stay type errors.
tm.version(2018)  # type: ignore[arg-type]
tm.current("2020-01-01")  # type: ignore[arg-type]
tm.successor(v.blocks[0])  # type: ignore[arg-type]
tm.rome(1408)  # type: ignore[arg-type]  # a ROME code has a letter: never an int
tm.by_rncp(12505.0)  # type: ignore[arg-type]
tm.is_in_force(dt.time(12))  # type: ignore[arg-type]
tm.deemed_obtained([2])  # type: ignore[list-item]
v.title = "another title"  # type: ignore[misc]
v.blocks.append(v.blocks[0])  # type: ignore[attr-defined]
tm.current().title  # type: ignore[union-attr]  # noqa: B018 (the expression is the check)

# Data sets
in_use = tm.use_data(None)
assert_type(in_use, tm.Referentiel)
assert_type(tm.referentiel(), tm.Referentiel)
assert_type(tm.Referentiel().versions(), tuple[tm.CertificationVersion, ...])
assert_type(in_use.current(dt.date(2020, 1, 1)), tm.CertificationVersion | None)
assert_type(in_use.deemed_obtained(["2011-06-01/2"]), tuple[tm.Block, ...])
assert_type(in_use.version(v), tm.CertificationVersion)
assert_type(in_use.by_rncp(12505), tm.CertificationVersion)
assert_type(in_use.is_in_force(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), v), bool)
assert_type(in_use.data_version, str)
assert_type(in_use.imported, tm.DataImport | None)
assert_type(in_use.is_import, bool)
tm.use_data(42)  # type: ignore[arg-type]
