"""Bad input gets a documented, typed error whose message names what was given."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from titre_mercd import (
    ArgumentTypeError,
    InvalidCodeError,
    TitreMercdError,
    UnknownBlockError,
    UnknownVersionError,
)

anything = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.binary(max_size=10),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=3),
)

# Each public function with one argument replaced by arbitrary input.
CALLS: dict[str, Callable[[Any], object]] = {
    "version": titre_mercd.version,
    "current": titre_mercd.current,
    "is_in_force(on)": titre_mercd.is_in_force,
    "is_in_force(key)": lambda x: titre_mercd.is_in_force(dt.date(2020, 1, 1), x),
    "successor": titre_mercd.successor,
    "correspondences(old)": lambda x: titre_mercd.correspondences(x, "2018-12-11"),
    "correspondences(new)": lambda x: titre_mercd.correspondences("2011-06-01", x),
    "deemed_obtained(held)": titre_mercd.deemed_obtained,
    "deemed_obtained(item)": lambda x: titre_mercd.deemed_obtained([x]),
    "deemed_obtained(target)": lambda x: titre_mercd.deemed_obtained([], x),
    "missing_blocks(held)": titre_mercd.missing_blocks,
    "missing_blocks(target)": lambda x: titre_mercd.missing_blocks([], x),
    "find_block": titre_mercd.find_block,
    "find_block(version_key)": lambda x: titre_mercd.find_block("2018-12-11/1", x),
    "by_rome": titre_mercd.by_rome,
    "by_nsf": titre_mercd.by_nsf,
    "by_rncp": titre_mercd.by_rncp,
    "rome": titre_mercd.rome,
    "nsf": titre_mercd.nsf,
    "source_of(record)": lambda x: titre_mercd.source_of(x, "title"),
    "source_of(field)": lambda x: titre_mercd.source_of(titre_mercd.version("2018-12-11"), x),
    "text_of": titre_mercd.text_of,
    "to_dict": titre_mercd.to_dict,
    "from_dict(cls)": lambda x: titre_mercd.from_dict(x, {}),
    "from_dict(data)": lambda x: titre_mercd.from_dict(titre_mercd.Block, x),
}
DOCUMENTED = (TitreMercdError, TypeError, LookupError)


def given_value_is_named(value: object, message: str) -> bool:
    """Whether the message shows the value (or, for a list, the item that was refused).

    A day the sources do not decide is named in ISO form (today when none is given).
    """
    shown = [repr(value), repr(value.strip()) if isinstance(value, str) else ""]
    if isinstance(value, dt.date) or value is None:
        shown.append(str(dt.date.today() if value is None else value))
    if isinstance(value, list):
        shown += [repr(item) for item in value]
    return any(s and s[:40] in message for s in shown)


@pytest.mark.parametrize("name", sorted(CALLS))
@given(value=anything)
def test_only_documented_errors(name: str, value: object) -> None:
    try:
        CALLS[name](value)
    except DOCUMENTED as error:
        message = str(error)
        assert message, f"{name}({value!r}) raised an empty {type(error).__name__}"
        if not name.startswith(("from_dict(data)", "source_of(field)")):
            assert given_value_is_named(value, message), (name, value, message)
        if isinstance(error, TypeError):
            assert isinstance(error, TitreMercdError), f"{name}: raw TypeError {message}"


@pytest.mark.parametrize(
    ("call", "error", "accepted"),
    [
        (lambda: titre_mercd.rome("D14"), InvalidCodeError, "one letter A to N and four digits"),
        (lambda: titre_mercd.nsf("3121"), InvalidCodeError, "three digits and an optional letter"),
        (lambda: titre_mercd.by_rncp("R12"), InvalidCodeError, "'RNCP12505' or '12505'"),
        (lambda: titre_mercd.rome(""), InvalidCodeError, "e.g. 'D1408'"),
        (lambda: titre_mercd.version("2019"), UnknownVersionError, "known versions: 2007-04-27"),
        (lambda: titre_mercd.find_block("x"), UnknownBlockError, "accepted: a block title"),
        (lambda: titre_mercd.current("2020-01-01"), ArgumentTypeError, "datetime.date"),
        (lambda: titre_mercd.current(dt.time(12)), TypeError, "not time"),
        (lambda: titre_mercd.deemed_obtained("2011-06-01/2"), TypeError, "iterable of blocks"),
        (lambda: titre_mercd.rome(1408), ArgumentTypeError, "must be a string"),
    ],
)
def test_messages_say_what_is_accepted(
    call: Callable[[], object], error: type[Exception], accepted: str
) -> None:
    with pytest.raises(error) as info:
        call()
    assert accepted in str(info.value)


def test_error_hierarchy_is_as_specified() -> None:
    from titre_mercd import (
        AmbiguousBlockError,
        DataError,
        UnknownCodeError,
    )

    assert issubclass(InvalidCodeError, ValueError)
    for cls in (UnknownCodeError, UnknownVersionError, UnknownBlockError, AmbiguousBlockError):
        assert issubclass(cls, LookupError)
    for cls in (InvalidCodeError, UnknownCodeError, DataError, ArgumentTypeError):
        assert issubclass(cls, TitreMercdError)
    assert issubclass(TitreMercdError, Exception)


def test_every_error_lives_in_exceptions_under_the_base_and_a_built_in() -> None:
    """Each error class is in ``titre_mercd.exceptions``, a ``TitreMercdError`` and a built-in."""
    import inspect

    from titre_mercd import exceptions

    built_ins = (ValueError, LookupError, OSError, ImportError, TypeError)
    classes = [
        cls
        for _, cls in inspect.getmembers(exceptions, inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == exceptions.__name__
    ]
    assert sorted(cls.__name__ for cls in classes) == sorted(exceptions.__all__)
    for cls in classes:
        if issubclass(cls, Warning):  # the warnings: under TitreMercdWarning, a UserWarning
            assert issubclass(cls, exceptions.TitreMercdWarning), cls
            assert issubclass(cls, UserWarning), cls
            continue
        assert issubclass(cls, TitreMercdError), cls
        if cls is not TitreMercdError and cls is not exceptions.DataError:
            assert issubclass(cls, built_ins), cls


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("titre_mercd._registry_import", "ImportRefusedError"),
        ("titre_mercd._output", "OutputError"),
        ("titre_mercd._bulk", "CsvInputError"),
        ("titre_mercd._xlsx", "XlsxInputError"),
        ("titre_mercd._xlsx", "MissingExtraError"),
    ],
)
def test_moved_errors_are_still_importable_where_they_were(module: str, name: str) -> None:
    import importlib

    from titre_mercd import exceptions

    assert getattr(importlib.import_module(module), name) is getattr(exceptions, name)


def test_from_dict_names_the_json_path() -> None:
    data = titre_mercd.to_dict(titre_mercd.version("2018-12-11"))
    data["blocks"][1]["number"] = "2"
    data["validity"]["start"] = "12/05/2019"
    with pytest.raises(titre_mercd.DataError) as info:
        titre_mercd.from_dict(titre_mercd.CertificationVersion, data)
    message = str(info.value)
    assert "$.blocks[1].number" in message
    assert "$.validity.start" in message
    assert "'12/05/2019'" in message


def test_every_collection_is_immutable() -> None:
    def check(value: object) -> None:
        if attrs.has(type(value)):
            for field in attrs.fields(type(value)):
                check(getattr(value, field.name))
        else:
            assert not isinstance(value, (list, dict, set, bytearray)), value
            if isinstance(value, tuple):
                for item in value:
                    check(item)

    for v in titre_mercd.versions():
        check(v)
