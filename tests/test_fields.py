"""Each record declares its fields once, and every renderer shows every field it declares.

The coverage test builds, for each public record class, a record whose every field holds a
value found nowhere else (a marked text, an unusual number or date), renders it with each
renderer, and looks for every value in what the renderer wrote, except the fields the
metadata says that renderer leaves out. A field added to a record and forgotten by a
renderer fails here.
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
import json
import typing
from typing import Any, Callable

import attrs
import pytest

import titre_mercd
from titre_mercd import _display, _export, _records
from titre_mercd._cli._common import field, wrap
from titre_mercd._fields import CITED, RENDERERS, fields_of, record_class

RECORD_CLASSES = [getattr(_records, name) for name in _records.__all__]

_numbers = itertools.count(97001)


def _value(owner: type, name: str, type_: Any) -> Any:  # noqa: PLR0911
    """A value for field ``name`` of ``owner`` that no other field of any sample holds."""
    args = [a for a in typing.get_args(type_) if a is not type(None)]
    origin = typing.get_origin(type_)
    if origin is typing.Union:
        return _value(owner, name, args[0])
    if origin is tuple:
        return (_value(owner, name, args[0]),)
    if origin is frozenset:
        return frozenset({f"«{owner.__name__}.{name}»"})
    if attrs.has(type_):
        return sample(type_)
    if type_ is str:
        return f"«{owner.__name__}.{name}»"
    if type_ is int:
        return next(_numbers)
    if type_ is dt.date:
        n = next(_numbers) - 97000
        return dt.date(1800 + n, 1 + n % 12, 1 + n % 28)
    raise AssertionError(f"no sample for {owner.__name__}.{name}: {type_!r}")


def sample(cls: type) -> Any:
    """A record of ``cls`` whose every field, down to the records it holds, is distinct."""
    attrs.resolve_types(cls)
    return cls(**{f.name: _value(cls, f.name, f.type) for f in attrs.fields(cls)})


def _shown_as(value: Any) -> str:
    if isinstance(value, frozenset):
        (value,) = value
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def expected(record: Any, renderer: str, only: tuple[str, ...] | None = None) -> list[str]:
    """What of ``record`` ``renderer`` must show: each value, with the path to it."""
    found = []
    for name, declared in fields_of(type(record)):
        if renderer in declared.omitted or (only is not None and name not in only):
            continue
        value = getattr(record, name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if attrs.has(type(item)):
                found += [f"{name}.{p}" for p in expected(item, renderer, declared.brief)]
            else:
                found.append(f"{name}={_shown_as(item)}")
    return found


def _csv(record: Any) -> str:
    cells: list[tuple[str, ...]] = []
    if isinstance(record, _records.CertificationVersion):
        columns = _export._columns(type(record))
        cells = [_export._cells(columns, record), *_export._code_rows(record)]
        cells += _export._competence_rows(record)
        block_columns = _export._columns(_records.Block)
        cells += [_export._cells(block_columns, b) for b in record.blocks]
    elif isinstance(record, _records.Block):
        cells = [_export._cells(_export._columns(_records.Block), record)]
    else:
        cells = [_export._correspondence_row(record, "«unused»")]
    return "\n".join("\t".join(row) for row in cells)


def _show(record: Any) -> str:
    return "\n".join(_display.record_lines(record, field=field, wrap=wrap, width=80))


RENDERED: dict[str, tuple[list[type], Callable[[Any], str]]] = {
    "json": (
        RECORD_CLASSES,
        lambda r: json.dumps(titre_mercd.to_dict(r), ensure_ascii=False),
    ),
    "csv": ([_records.CertificationVersion, _records.Block, _records.Correspondence], _csv),
    "html": (RECORD_CLASSES, _display.html),
    "show": ([_records.CertificationVersion, _records.RegisteredFiche], _show),
    "jsonld": (
        [_records.CertificationVersion],
        lambda r: json.dumps(_export._credential(r), ensure_ascii=False),
    ),
}

CASES = [
    pytest.param(renderer, cls, id=f"{renderer}-{cls.__name__}")
    for renderer, (classes, _) in RENDERED.items()
    for cls in classes
]


def test_every_renderer_is_covered() -> None:
    assert set(RENDERED) == set(RENDERERS)


@pytest.mark.parametrize(("renderer", "cls"), CASES)
def test_a_renderer_shows_every_field_it_does_not_leave_out(renderer: str, cls: type) -> None:
    record = sample(cls)
    text = " ".join(RENDERED[renderer][1](record).split())
    missing = [path for path in expected(record, renderer) if path.split("=", 1)[1] not in text]
    assert not missing, f"{renderer} leaves out {missing} of {cls.__name__}"


def test_the_coverage_test_notices_a_field_left_out() -> None:
    record = sample(_records.RomeCode)
    shown = json.dumps(
        {"code": record.code}, ensure_ascii=False
    )  # a renderer that forgot the label
    assert [p for p in expected(record, "json") if p.split("=", 1)[1] not in shown] == [
        "label=«RomeCode.label»"
    ]


@pytest.mark.parametrize("cls", RECORD_CLASSES, ids=lambda c: c.__name__)
def test_every_field_declares_what_renderers_need(cls: type) -> None:
    for name, declared in fields_of(cls):
        assert declared.label, f"{cls.__name__}.{name} has no label"
        assert declared.cited in CITED
        assert set(declared.omitted) <= set(RENDERERS)
        assert all(reason for reason in declared.omitted.values())
        if declared.brief is not None:
            held = record_class(cls, name)
            assert held is not None
            assert set(declared.brief) <= set(attrs.fields_dict(held))


def test_the_fields_that_can_be_unknown_are_those_a_version_declares() -> None:
    unknowable = {n for n, d in fields_of(_records.CertificationVersion) if d.unknowable}
    for v in titre_mercd.versions():
        assert v.unknown_fields <= unknowable
    assert "key" not in unknowable
    assert "unknown_fields" not in unknowable


def _shipped_records() -> list[Any]:
    records: list[Any] = []
    for v in titre_mercd.versions():
        records += [v, *v.blocks, *v.nsf_codes, *v.rome_codes]
    records += list(titre_mercd.registered_fiches()) + list(titre_mercd.validity_gaps())
    return records + list(titre_mercd.correspondences("2011-06-01", "2018-12-11"))


def test_a_field_cited_by_its_own_source_has_one_whenever_it_has_a_value() -> None:
    for record in _shipped_records():
        for name, declared in fields_of(type(record)):
            value = getattr(record, name)
            if declared.cited != "source" or value in (None, ()):
                continue
            assert titre_mercd.source_of(record, name).excerpt, (record, name)


def test_declaring_a_renderer_that_does_not_exist_is_refused() -> None:
    from titre_mercd._fields import about

    with pytest.raises(ValueError, match="renderers"):
        about("x", omitted={"pdf": "no such renderer"})
    with pytest.raises(ValueError, match="cited"):
        about("x", cited="somewhere")


def test_html_is_registered_on_every_record_class() -> None:
    for cls in RECORD_CLASSES:
        assert "_repr_html_" in vars(cls)
    assert "_display" not in inspect.getsource(_records)  # a record knows no screen
