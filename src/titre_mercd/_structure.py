"""JSON to records on the load path: strict, and light enough not to need cattrs.

It accepts exactly what the cattrs converter of ``_converter`` accepts and builds the same
records (a test holds the two to that). When the data is wrong, the cattrs converter is run
on it to report every problem with its JSON path, so the explanation costs only on failure.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any, Callable, TypeVar

import attrs

from ._records import ValidityWindow
from .exceptions import DataError

__all__ = ["json_name", "structure"]

R = TypeVar("R")
Builder = Callable[[Any], Any]


class _MismatchError(Exception):
    """The data does not have the shape of the record (the cattrs converter says why)."""


def _build_str(value: Any) -> str:
    if type(value) is not str:
        raise _MismatchError
    return value


def _build_int(value: Any) -> int:
    if type(value) is not int:
        raise _MismatchError
    return value


def _build_any(value: Any) -> Any:
    return value


def _build_date(value: Any) -> dt.date:
    if type(value) is not str or len(value) != 10:
        raise _MismatchError
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise _MismatchError from None
    if parsed.isoformat() != value:
        raise _MismatchError
    return parsed


def _optional(build: Builder) -> Builder:
    def build_optional(value: Any) -> Any:
        return None if value is None else build(value)

    return build_optional


def _tuple_of(build: Builder) -> Builder:
    def build_tuple(value: Any) -> tuple[Any, ...]:
        if type(value) is not list and type(value) is not tuple:
            raise _MismatchError
        return tuple([build(item) for item in value])

    return build_tuple


def _frozenset_of(build: Builder) -> Builder:
    def build_frozenset(value: Any) -> frozenset[Any]:
        if type(value) is not list and type(value) is not tuple:
            raise _MismatchError
        items = [build(item) for item in value]
        result = frozenset(items)
        if len(result) != len(items):
            raise _MismatchError
        return result

    return build_frozenset


def _dict_of(build: Builder) -> Builder:
    def build_dict(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise _MismatchError
        return {_build_str(key): build(item) for key, item in value.items()}

    return build_dict


def json_name(field: attrs.Attribute[Any]) -> str:
    """The member a field is written as: its name, unless its metadata says ``json``."""
    return field.metadata.get("json", field.name)  # type: ignore[no-any-return]


def _record(cls: type) -> Builder:
    fields = [(json_name(f), f.name, _builder(f.type)) for f in attrs.fields(cls)]
    keys = frozenset(key for key, _, _ in fields)
    required = frozenset(json_name(f) for f in attrs.fields(cls) if f.default is attrs.NOTHING)

    def build_record(value: Any) -> Any:
        if type(value) is not dict or not required <= value.keys() <= keys:
            raise _MismatchError
        return cls(**{name: build(value[key]) for key, name, build in fields if key in value})

    return build_record


_WINDOW_REQUIRED = frozenset({"start", "end"})
_WINDOW_KEYS = frozenset({"start", "end", "registered_until", "last_day"})
_build_optional_date = _optional(_build_date)


def _build_window(value: Any) -> ValidityWindow:
    """A validity window: ``registered_until`` may be left out; ``last_day`` agrees with ``end``."""
    if type(value) is not dict or not _WINDOW_REQUIRED <= value.keys() <= _WINDOW_KEYS:
        raise _MismatchError
    window = ValidityWindow(
        _build_date(value["start"]),
        _build_optional_date(value["end"]),
        _build_optional_date(value.get("registered_until")),
    )
    if "last_day" in value:
        last_day = window.last_day
        if value["last_day"] != (None if last_day is None else last_day.isoformat()):
            raise _MismatchError
    return window


_BUILDERS: dict[Any, Builder] = {
    str: _build_str,
    int: _build_int,
    dt.date: _build_date,
    Any: _build_any,
    ValidityWindow: _build_window,
}


def _builder(type_: Any) -> Builder:
    found = _BUILDERS.get(type_)
    if found is not None:
        return found
    origin, args = typing.get_origin(type_), typing.get_args(type_)
    if origin is typing.Union and len(args) == 2 and type(None) in args:
        built = _optional(_builder(args[0] if args[1] is type(None) else args[1]))
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        built = _tuple_of(_builder(args[0]))
    elif origin is frozenset and len(args) == 1:
        built = _frozenset_of(_builder(args[0]))
    elif origin is dict and args[0] is str:
        built = _dict_of(_builder(args[1]))
    elif attrs.has(type_):
        built = _record(type_)
    else:
        raise TypeError(f"no builder for {type_!r}")
    _BUILDERS[type_] = built
    return built


def structure(data: object, cls: type[R], where: str, path: str = "$") -> R:
    """``data`` (found at ``path`` in the file ``where``) as a ``cls`` record.

    Raises:
        DataError: the data does not fit ``cls``; the message names ``where`` and the JSON
            path of each problem.

    >>> from titre_mercd import RomeCode
    >>> structure({"code": "D1408", "label": "Téléconseil et télévente"}, RomeCode, "x.json")
    RomeCode(code='D1408', label='Téléconseil et télévente')
    """
    try:
        return _builder(cls)(data)  # type: ignore[no-any-return]
    except _MismatchError:
        from . import _converter

        _converter.structure(data, cls, where, path)  # raises DataError with every path
        raise DataError(f"{where}: {path}: does not fit {cls.__name__}") from None
