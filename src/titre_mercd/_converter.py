"""The one cattrs converter: records to plain data and back, strictly.

Imported only when data is loaded or :func:`to_dict` / :func:`from_dict` is called, so that
``import titre_mercd`` stays cheap.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.gen import make_dict_structure_fn, override

from . import _records
from ._structure import json_name
from .exceptions import ArgumentTypeError, DataError

__all__ = ["from_dict", "structure", "to_dict"]

R = TypeVar("R")

RECORD_CLASSES: tuple[type, ...] = tuple(getattr(_records, name) for name in _records.__all__)


def _structure_date(value: object, _: type) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO date string, got {type(value).__name__} {value!r:.200}")
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected an ISO date 'YYYY-MM-DD', got {value!r:.200}") from None
    if parsed.isoformat() != value:
        raise ValueError(f"expected an ISO date 'YYYY-MM-DD', got {value!r:.200}")
    return parsed


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__} {value!r:.200}")
    return value


def _structure_int(value: object, _: type) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__} {value!r:.200}")
    return value


def _is_homogeneous_tuple(type_: Any) -> bool:
    args = typing.get_args(type_)
    return typing.get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _strict_tuple_factory(type_: Any, converter: cattrs.Converter) -> Any:
    structure_items = homogenous_tuple_structure_factory(type_, converter)

    def structure_tuple(value: object, _: type) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected an array, got {type(value).__name__} {value!r:.200}")
        return structure_items(value, _)  # type: ignore[no-any-return]

    return structure_tuple


def _is_frozenset(type_: Any) -> bool:
    return typing.get_origin(type_) is frozenset


def _strict_frozenset_factory(type_: Any, converter: cattrs.Converter) -> Any:
    (item_type,) = typing.get_args(type_)
    structure_item = converter.get_structure_hook(item_type)

    def structure_frozenset(value: object, _: type) -> frozenset[Any]:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected an array, got {type(value).__name__} {value!r:.120}")
        items = [structure_item(item, item_type) for item in value]
        result = frozenset(items)
        if len(result) != len(items):
            raise ValueError(f"expected an array of distinct items, got {value!r:.120}")
        return result

    return structure_frozenset


def _unstructure_frozenset(value: frozenset[Any]) -> list[Any]:
    """A frozenset as a sorted list, so that the same set always writes the same JSON."""
    return sorted(value)


def _renamed(cls: type) -> dict[str, Any]:
    """The overrides telling cattrs of the fields a data file writes under another name."""
    attrs.resolve_types(cls)
    return {
        f.name: override(rename=f.metadata["json"])
        for f in attrs.fields(cls)
        if "json" in f.metadata
    }


def _strict_record_factory(cls: type, converter: cattrs.Converter) -> Any:
    structure_fields: Any = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=True,
        _cattrs_detailed_validation=True,
        **_renamed(cls),
    )

    def structure_record(value: object, _: type) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__} {value!r:.200}")
        return structure_fields(value, _)

    return structure_record


def _window_factory(converter: cattrs.Converter) -> Any:
    """Validity windows: ``registered_until`` may be left out, ``last_day`` must agree with ``end``.

    ``last_day`` is derived from ``end``; :func:`to_dict` writes it so that every JSON window
    reads the same (``start``, ``end`` excluded, ``last_day``), and reading it back checks it.
    """
    structure_fields: Any = make_dict_structure_fn(
        _records.ValidityWindow,
        converter,
        _cattrs_forbid_extra_keys=True,
        _cattrs_detailed_validation=True,
    )

    def structure_window(value: object, _: type) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__} {value!r}")
        if "last_day" not in value:
            return structure_fields(value, _)
        window = structure_fields({k: v for k, v in value.items() if k != "last_day"}, _)
        expected = window_last_day(window)
        if value["last_day"] != expected:
            raise ValueError(
                f"last_day {value['last_day']!r:.40} does not agree with end "
                f"{value.get('end')!r:.40}: expected {expected!r} (the day before end)"
            )
        return window

    return structure_window


def window_last_day(window: _records.ValidityWindow) -> str | None:
    """The ``last_day`` a window's JSON carries: the day before ``end``, or ``None``."""
    last_day = window.last_day
    return None if last_day is None else last_day.isoformat()


def _unstructure_window(window: _records.ValidityWindow) -> dict[str, Any]:
    return {
        "start": window.start.isoformat(),
        "end": None if window.end is None else window.end.isoformat(),
        "last_day": window_last_day(window),
        "registered_until": None
        if window.registered_until is None
        else window.registered_until.isoformat(),
    }


def _is_file_record(cls: Any) -> bool:
    return attrs.has(cls) and cls.__module__ == "titre_mercd._format"


def _file_record_unstructure_factory(cls: type, converter: cattrs.Converter) -> Any:
    """A data file's record as its file writes it, in order; a member at its default is left out.

    (cattrs' own ``omit_if_default`` would move those members after the others.)
    """
    fields = []
    for f in attrs.fields(cls):
        default = f.default.factory() if isinstance(f.default, attrs.Factory) else f.default  # type: ignore[arg-type]
        fields.append((f.name, json_name(f), default))

    def unstructure_file(record: Any) -> dict[str, Any]:
        return {
            key: converter.unstructure(getattr(record, name))
            for name, key, default in fields
            if getattr(record, name) != default
        }

    return unstructure_file


def _problems(exc: BaseException, path: str) -> list[tuple[str, str]]:
    """Each problem cattrs found under ``exc``, with its JSON path.

    As ``cattrs.transform_error``, but a field is named as its file writes it, and a key of
    an object that is a plain word as a member (``$.sources.title``, ``$.files['a/b.json']``).
    """
    if not isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        return [(path, _format_exception(exc))]
    with_notes, without = exc.group_exceptions()
    problems = []
    for inner, note in with_notes:
        if isinstance(note, cattrs.AttributeValidationNote):
            field = attrs.fields_dict(exc.cl)[note.name]
            where = f"{path}.{json_name(field)}"
        elif isinstance(note.index, str) and note.index.replace("_", "").isalnum():
            where = f"{path}.{note.index}"
        else:
            where = f"{path}[{note.index!r}]"
        problems.extend(_problems(inner, where))
    problems.extend((path, _format_exception(inner)) for inner in without)
    return problems


def _format_exception(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return (
            f"required field {exc.args[0]!r:.200} missing" if exc.args else "required field missing"
        )
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown fields {sorted(exc.extra_fields)}"
    if isinstance(exc, AttributeError) and str(exc).endswith("has no attribute 'items'"):
        return "expected an object"
    return str(exc) or type(exc).__name__


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _strict_tuple_factory)
    converter.register_structure_hook_factory(_is_frozenset, _strict_frozenset_factory)
    converter.register_unstructure_hook_func(_is_frozenset, _unstructure_frozenset)
    converter.register_structure_hook_factory(attrs.has, _strict_record_factory)
    converter.register_unstructure_hook_factory(_is_file_record, _file_record_unstructure_factory)
    for cls in RECORD_CLASSES:
        attrs.resolve_types(cls)
    converter.register_structure_hook(_records.ValidityWindow, _window_factory(converter))
    converter.register_unstructure_hook(_records.ValidityWindow, _unstructure_window)
    return converter


CONVERTER = _make_converter()


def structure(
    data: object, cls: type[R], where: str, path: str = "$", form: str = "{path}: {problem}"
) -> R:
    """``data`` (found at ``path`` in ``where``) as a ``cls`` record.

    Raises :class:`DataError` naming ``where`` and the JSON path of each problem (each as
    ``form`` writes it).
    """
    try:
        return CONVERTER.structure(data, cls)
    # Any error from a structuring hook is a problem in the data; cattrs wraps each field's.
    except Exception as exc:  # noqa: BLE001
        problems = (form.format(path=p, problem=problem) for p, problem in _problems(exc, path))
        raise DataError(f"{where}: " + "; ".join(problems)) from None


def to_dict(record: object) -> dict[str, Any]:
    """A record as plain JSON-ready data: dicts, lists, strings, numbers and ``None``.

    Dates become ISO strings, tuples become lists, frozensets sorted lists. A validity window
    also carries its ``last_day`` (the day before ``end``, which is excluded), so that it reads
    the same as in every ``--json`` output; :func:`from_dict` checks that it agrees with ``end``.

    >>> from titre_mercd import rome, to_dict
    >>> to_dict(rome("D1408"))
    {'code': 'D1408', 'label': 'Téléconseil et télévente'}
    """
    if type(record) not in RECORD_CLASSES:
        accepted = ", ".join(cls.__name__ for cls in RECORD_CLASSES)
        raise ArgumentTypeError(
            f"to_dict takes a titre_mercd record ({accepted}), "
            f"not {type(record).__name__} {record!r:.80}"
        )
    unstructured: dict[str, Any] = CONVERTER.unstructure(record)
    return unstructured


def from_dict(cls: type[R], data: object) -> R:
    """The record of class ``cls`` that ``data`` (as made by :func:`to_dict`) describes.

    Raises :class:`~titre_mercd.DataError` naming the JSON path of what is wrong.

    >>> from titre_mercd import RomeCode, from_dict
    >>> from_dict(RomeCode, {"code": "D1408", "label": "Téléconseil et télévente"})
    RomeCode(code='D1408', label='Téléconseil et télévente')
    """
    if cls not in RECORD_CLASSES:
        accepted = ", ".join(c.__name__ for c in RECORD_CLASSES)
        raise ArgumentTypeError(f"from_dict takes a record class ({accepted}), not {cls!r:.80}")
    where = f"from_dict({cls.__name__}, {data!r:.120})"
    return structure(data, cls, where, form="{problem} @ {path}")
