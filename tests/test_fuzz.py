"""Every public function, fed arbitrary and nearly right input, answers or raises a documented error.

Documented errors are the :class:`TitreMercdError` family (whose :class:`ArgumentTypeError`
is also the ``TypeError`` for a wrong type) and the plain ``LookupError`` of ``source_of`` and
``text_of`` for a record or field with no source or no shipped copy. Every message is one
non-empty line that shows what was given. An answer has the documented type, is the same
again on a second call, and can be serialised where the contract says so.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from typing import Any, Callable, NamedTuple

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from strategies import (
    RECORD_CLASSES,
    altered_dicts,
    anything,
    block_texts,
    dates,
    datetimes,
    field_names,
    held,
    json_values,
    nsf_codes,
    record_classes,
    records,
    rncp_codes,
    rome_codes,
    version_keys,
)
from titre_mercd import (
    Block,
    CertificationVersion,
    Correspondence,
    NsfCode,
    RomeCode,
    Source,
    TitreMercdError,
)

WINDOW = titre_mercd.version("2018-12-11").validity
assert WINDOW is not None


def tuple_of(cls: type) -> Callable[[object], bool]:
    return lambda result: isinstance(result, tuple) and all(isinstance(r, cls) for r in result)


def frozenset_of(cls: type) -> Callable[[object], bool]:
    return lambda result: isinstance(result, frozenset) and all(isinstance(r, cls) for r in result)


def instance_of(*classes: type | None) -> Callable[[object], bool]:
    kinds = tuple(type(None) if cls is None else cls for cls in classes)
    return lambda result: isinstance(result, kinds)


def json_ready(result: object) -> bool:
    return isinstance(result, dict) and json.loads(json.dumps(result)) == result


class Fuzzed(NamedTuple):
    """A public callable, a strategy for each argument, and what a good answer looks like."""

    call: Callable[..., Any]
    arguments: tuple[st.SearchStrategy[Any], ...]
    answer: Callable[[object], bool]


maybe_key = st.none() | version_keys | anything
FUZZED: dict[str, Fuzzed] = {
    "versions": Fuzzed(titre_mercd.versions, (), tuple_of(CertificationVersion)),
    "preload": Fuzzed(titre_mercd.preload, (), instance_of(None)),
    "version": Fuzzed(
        titre_mercd.version, (version_keys | anything,), instance_of(CertificationVersion)
    ),
    "current": Fuzzed(
        titre_mercd.current,
        (st.none() | dates | datetimes | anything,),
        instance_of(CertificationVersion, None),
    ),
    "is_in_force": Fuzzed(
        titre_mercd.is_in_force, (dates | datetimes | anything, maybe_key), instance_of(bool)
    ),
    "successor": Fuzzed(
        titre_mercd.successor, (version_keys | anything,), instance_of(CertificationVersion, None)
    ),
    "correspondences": Fuzzed(
        titre_mercd.correspondences,
        (version_keys | anything, version_keys | anything),
        tuple_of(Correspondence),
    ),
    "correspondence_table": Fuzzed(
        titre_mercd.correspondence_table,
        (version_keys | anything, version_keys | anything),
        lambda table: tuple_of(Correspondence)(table.rows),
    ),
    "deemed_obtained": Fuzzed(
        titre_mercd.deemed_obtained, (held, version_keys | anything), frozenset_of(Block)
    ),
    "missing_blocks": Fuzzed(
        titre_mercd.missing_blocks, (held, version_keys | anything), tuple_of(Block)
    ),
    "find_block": Fuzzed(
        titre_mercd.find_block,
        (block_texts | anything, maybe_key),
        instance_of(Block),
    ),
    "by_rome": Fuzzed(
        titre_mercd.by_rome, (rome_codes | anything,), tuple_of(CertificationVersion)
    ),
    "by_nsf": Fuzzed(titre_mercd.by_nsf, (nsf_codes | anything,), tuple_of(CertificationVersion)),
    "by_rncp": Fuzzed(
        titre_mercd.by_rncp, (rncp_codes | anything,), instance_of(CertificationVersion)
    ),
    "rome": Fuzzed(titre_mercd.rome, (rome_codes | anything,), instance_of(RomeCode)),
    "nsf": Fuzzed(titre_mercd.nsf, (nsf_codes | anything,), instance_of(NsfCode)),
    "source_of": Fuzzed(
        titre_mercd.source_of, (records | anything, field_names | anything), instance_of(Source)
    ),
    "text_of": Fuzzed(titre_mercd.text_of, (records | anything,), instance_of(str)),
    "to_dict": Fuzzed(titre_mercd.to_dict, (records | anything,), json_ready),
    "from_dict": Fuzzed(
        titre_mercd.from_dict,
        (record_classes | anything, json_values() | anything),
        instance_of(*RECORD_CLASSES),
    ),
    "ValidityWindow.contains": Fuzzed(
        WINDOW.contains, (dates | datetimes | anything,), instance_of(bool)
    ),
}
PLAIN_LOOKUP_ERROR = {"source_of", "text_of"}


def test_every_public_function_is_fuzzed() -> None:
    public = {
        name for name in titre_mercd.__all__ if inspect.isfunction(getattr(titre_mercd, name))
    }
    assert public <= FUZZED.keys(), f"not fuzzed: {sorted(public - FUZZED.keys())}"


def shown(value: object, *, inside: bool = True) -> list[str]:
    """How a message may show ``value``: its repr, an item's or a field's, trimmed."""
    forms = [repr(value)[:40]]
    if isinstance(value, str):
        forms.append(repr(value.strip())[:40])
        code = "".join(value.split()).upper()
        if len(code) >= 5 and any(c.isdigit() for c in code):
            forms.append(code[:40])  # a code may be shown in its canonical form
    if inside and isinstance(value, (list, tuple, frozenset, dict)):
        forms += [form for item in value for form in shown(item, inside=False)]
    if attrs.has(type(value)):
        forms += [repr(getattr(value, field.name))[:40] for field in attrs.fields(type(value))]
    return forms


def check(name: str, arguments: tuple[Any, ...]) -> None:
    fuzzed = FUZZED[name]
    # An iterator is read once: keep its items, to pass a fresh iterator on each call and to
    # see which item a message names.
    kept = tuple(list(a) if isinstance(a, Iterator) else a for a in arguments)

    def call() -> object:
        fresh = (iter(k) if isinstance(a, Iterator) else k for a, k in zip(arguments, kept))
        return fuzzed.call(*fresh)

    try:
        result = call()
    except (TitreMercdError, TypeError, LookupError) as error:
        message = str(error)
        documented = isinstance(error, TitreMercdError) or (
            name in PLAIN_LOOKUP_ERROR and not isinstance(error, TypeError)
        )
        assert documented, f"{name}{kept!r:.200}: undocumented {error!r}"
        assert message, f"{name}{kept!r:.200}: empty {type(error).__name__}"
        assert "\n" not in message, f"{name}: a message on several lines: {message!r}"
        assert any(form in message for k in kept for form in shown(k)), (
            f"{name}{kept!r:.200}: {type(error).__name__} does not show what was given: {message}"
        )
        return
    assert fuzzed.answer(result), f"{name}{kept!r:.200} answered {result!r:.200}"
    assert call() == result, f"{name}{kept!r:.200}: not the same answer again"


# cattrs says "'int' object has no attribute 'keys' @ $.legal_text" for a value that is
# not an object, without showing it: _converter.py needs a hook that says "expected an
# object, got int 5" (as it already does for arrays). Remove the mark with that fix.
FROM_DICT_HIDES_A_NON_OBJECT = pytest.mark.xfail(
    reason="from_dict does not show a value that should be an object", strict=True
)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=FROM_DICT_HIDES_A_NON_OBJECT) if name == "from_dict" else name
        for name in sorted(FUZZED)
    ],
)
@given(data=st.data())
def test_only_documented_errors(name: str, data: st.DataObject) -> None:
    arguments = data.draw(st.tuples(*FUZZED[name].arguments), label="arguments")
    check(name, arguments)


@given(case=altered_dicts())
def test_from_dict_of_an_altered_record(case: tuple[type, Any]) -> None:
    """A shipped record's dict with one value replaced: the record, or an error naming the path."""
    cls, data = case
    try:
        record = titre_mercd.from_dict(cls, data)
    except titre_mercd.DataError as error:
        assert "@ $" in str(error), str(error)
        return
    assert titre_mercd.to_dict(record) == data
