"""Hypothesis strategies shared by the tests: arbitrary input, and input that is nearly right.

Arbitrary input (``anything``) checks that nothing but a documented error comes out; nearly
right input (a shipped code with a letter changed, a title with an accent dropped, a version
key one day off) reaches the code behind the first checks, where mistakes hide.
"""

from __future__ import annotations

import datetime as dt
import string
import typing
from typing import Any

import attrs
from hypothesis import strategies as st

import titre_mercd

# Every public record class, the ones added after this file was written included.
RECORD_CLASSES = tuple(
    getattr(titre_mercd, name)
    for name in titre_mercd.__all__
    if attrs.has(getattr(titre_mercd, name))
)

# ---------------------------------------------------------------- what the data ships

VERSIONS = titre_mercd.versions()
VERSION_KEYS = [v.key for v in VERSIONS]
BLOCKS = [b for v in VERSIONS for b in v.blocks]
# The shipped tables lead from each version to the next (no source gives any other).
ROWS = [
    row
    for old, new in zip(VERSION_KEYS, VERSION_KEYS[1:])
    for row in titre_mercd.correspondences(old, new)
]
ROME_CODES = sorted({c for v in VERSIONS for c in v.rome_codes}, key=lambda c: c.code)
NSF_CODES = sorted({c for v in VERSIONS for c in v.nsf_codes}, key=lambda c: c.code)
RNCP_NUMBERS = [v.rncp for v in VERSIONS if v.rncp is not None]
SHIPPED_RECORDS: list[Any] = [
    *VERSIONS,
    *BLOCKS,
    *ROWS,
    *ROME_CODES,
    *NSF_CODES,
    *(v.level for v in VERSIONS if v.level is not None),
    *(v.validity for v in VERSIONS if v.validity is not None),
    *(v.legal_text for v in VERSIONS),
    *(row.source for row in ROWS),
    *titre_mercd.validity_gaps(),
    *titre_mercd.registered_fiches(),
]
FIELD_NAMES = sorted({f.name for cls in RECORD_CLASSES for f in attrs.fields(cls)})

# ---------------------------------------------------------------- arbitrary input

# Characters that look like spaces, digits or letters and are not what a regex expects.
TRICKY = "\u00a0\u2009\u200b\ufeff\u0301\u0308２０１８Ｄ\u2044\u2215\u00e9e\u0301ß\u0130ı\x00\r\n"

texts = st.text(max_size=40) | st.text(alphabet=TRICKY + string.printable, max_size=20)
numbers = st.integers() | st.floats() | st.decimals() | st.fractions() | st.complex_numbers()
dates = st.dates()
datetimes = st.datetimes() | st.datetimes(timezones=st.timezones())
scalars = st.one_of(
    texts, numbers, st.none(), st.binary(max_size=20), dates, datetimes, st.booleans()
)
# What a caller may pass by mistake: a scalar, or a container of them.
anything = scalars | st.one_of(
    st.lists(scalars, max_size=3),
    st.lists(scalars, max_size=3).map(tuple),
    st.frozensets(st.text(max_size=5) | st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), scalars, max_size=3),
)

# ---------------------------------------------------------------- nearly right input


@st.composite
def nearly(draw: st.DrawFn, right: str) -> str:
    """``right`` itself, or with a few small edits: a character changed, cased, spaced, dropped."""
    text = right
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "swap case", "pad"]))
        if edit == "insert":
            text = text[:where] + draw(st.sampled_from(TRICKY + " /-.0129aAzZ")) + text[where:]
        elif edit == "delete":
            text = text[:where] + text[where + 1 :]
        elif edit == "swap case":
            text = text.swapcase()
        else:
            text = draw(st.sampled_from(["", " ", "\t", "\u00a0"])) + text + " "
    return text


def nearly_one_of(values: list[str]) -> st.SearchStrategy[str]:
    """One of ``values``, maybe with a few small edits."""
    return st.sampled_from(values).flatmap(nearly)


version_keys = nearly_one_of(VERSION_KEYS) | dates.map(dt.date.isoformat)
block_refs = st.builds(
    "{}{}/{}{}".format,
    st.sampled_from(VERSION_KEYS),
    st.sampled_from(["", " "]),
    st.sampled_from(["", " "]),
    st.integers(-1, 12) | st.integers(),
)
block_titles = nearly_one_of([b.title for b in BLOCKS])
rncp_block_codes = nearly_one_of([f"{r}BC{n:02}" for r in RNCP_NUMBERS for n in (1, 2, 3)])
block_texts = block_titles | block_refs | rncp_block_codes
rome_codes = nearly_one_of([c.code for c in ROME_CODES]) | st.from_regex(r"\A[A-Za-z] ?[0-9]{4}\Z")
nsf_codes = nearly_one_of([c.code for c in NSF_CODES]) | st.from_regex(r"\A[0-9]{3} ?[a-zA-Z]?\Z")
FORMACODES = sorted(
    {c.code for r in [*VERSIONS, *titre_mercd.registered_fiches()] for c in r.formacodes}
)
formacodes = nearly_one_of(FORMACODES) | st.from_regex(r"\A[0-9]{2} ?[0-9]{3}\Z")
rncp_codes = nearly_one_of(RNCP_NUMBERS) | st.from_regex(r"\A(?:[Rr][Nn][Cc][Pp] ?)?[0-9]{1,7}\Z")
field_names = st.sampled_from(FIELD_NAMES) | nearly_one_of(FIELD_NAMES)
shipped_records = st.sampled_from(SHIPPED_RECORDS)


def _typed(cls: type) -> st.SearchStrategy[Any]:
    """Records of ``cls`` with arbitrary values of the right types: equal to no shipped record."""
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: st.from_type(hints[f.name]) for f in attrs.fields(cls)})


for _cls in RECORD_CLASSES:
    st.register_type_strategy(_cls, st.deferred(lambda cls=_cls: _typed(cls)))

records = shipped_records | st.sampled_from(RECORD_CLASSES).flatmap(st.from_type)
# A shipped block with one field changed: same class, close to a real one, not shipped.
altered_blocks = st.builds(
    lambda block, changes: attrs.evolve(block, **changes),
    st.sampled_from(BLOCKS),
    st.fixed_dictionaries(
        {}, optional={"number": st.integers(-1, 9), "title": texts, "rncp_code": texts}
    ),
)
held_items = block_texts | st.sampled_from(BLOCKS) | altered_blocks | scalars
# What ``held`` may be: an iterable in every shape Python offers, or not an iterable at all.
held = st.one_of(
    st.lists(held_items, max_size=4),
    st.lists(held_items, max_size=4).map(tuple),
    st.lists(held_items, max_size=4).map(iter),
    st.lists(st.sampled_from(BLOCKS), max_size=4).map(frozenset),
    st.dictionaries(block_texts, st.none(), max_size=3),
    block_texts,
    st.sampled_from(BLOCKS),
    anything,
)
record_classes = st.sampled_from(RECORD_CLASSES) | st.sampled_from(
    [int, str, dict, object, attrs.Attribute, type(None)]
)


def json_values(leaves: st.SearchStrategy[Any] = scalars) -> st.SearchStrategy[Any]:
    """JSON-like data: dicts keyed by record field names or text, lists, and ``leaves``."""
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(field_names | st.text(max_size=5), inner, max_size=5)
        ),
        max_leaves=12,
    )


@st.composite
def altered_dicts(draw: st.DrawFn) -> tuple[type, Any]:
    """A record class and ``to_dict`` of a shipped record of it, with one value replaced."""
    record = draw(shipped_records)
    data = titre_mercd.to_dict(record)
    container: Any = data
    while True:
        keys = list(container) if isinstance(container, dict) else range(len(container))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        if isinstance(container[key], (dict, list)) and draw(st.booleans()):
            container = container[key]
            continue
        container[key] = draw(json_values())
        break
    return type(record), data


# ---------------------------------------------------------------- one argument, every accepted form
# Each strategy below draws a pair: an argument in its canonical form, and the same argument in
# another form the API accepts; the answer must be the same for both.


def _spaced(text: str) -> st.SearchStrategy[str]:
    pad = st.sampled_from(["", " ", "  ", "\t", "\n"])
    return st.builds("{}{}{}".format, pad, st.just(text), pad)


# A version key, or a key nearly right (unknown): the same string spaced, or the record itself.
version_key_forms = st.one_of(
    st.sampled_from(VERSIONS).flatmap(
        lambda v: st.tuples(st.just(v.key), st.just(v) | _spaced(v.key))
    ),
    version_keys.flatmap(lambda key: st.tuples(st.just(key.strip()), _spaced(key.strip()))),
)

# Fixed UTC offsets from -23:59 to +23:59: every zone a datetime may be in, with no tz database.
fixed_offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)


@st.composite
def date_forms(draw: st.DrawFn) -> tuple[dt.date, dt.date | dt.datetime]:
    """A day, and that day or a naive or aware ``datetime`` whose own date it is."""
    day = draw(dates)
    time = draw(st.times())
    zone = draw(st.none() | fixed_offsets)
    form = draw(st.sampled_from(["date", "datetime"]))
    return day, day if form == "date" else dt.datetime.combine(day, time, tzinfo=zone)


def _cased(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flips: "".join(c.upper() if f else c.lower() for c, f in zip(text, flips))
    )


@st.composite
def rncp_forms(draw: st.DrawFn) -> tuple[str, str | int]:
    """An RNCP number ``"RNCP…"``, and it as an int, its bare digits, or cased and spaced."""
    digits = draw(st.sampled_from([r[4:] for r in RNCP_NUMBERS]) | st.from_regex(r"\A[0-9]{1,6}\Z"))
    number = int(digits)
    canonical = f"RNCP{number}" if digits == str(number) else f"RNCP{digits}"
    prefix = draw(st.sampled_from(["", "RNCP", "RNCP "]).flatmap(_cased))
    form = draw(st.sampled_from(["int", "text"]) if digits == str(number) else st.just("text"))
    if form == "int":
        return canonical, number
    return canonical, draw(_spaced(prefix + digits))


@st.composite
def nsf_forms(draw: st.DrawFn) -> tuple[str, str | int]:
    """An NSF code or group, and it as an int (a group), or cased and spaced."""
    code = draw(
        st.sampled_from([c.code for c in NSF_CODES] + [c.code[:3] for c in NSF_CODES])
        | st.from_regex(r"\A[1-9][0-9]{2}[a-z]?\Z")
    )
    if code.isdigit() and draw(st.booleans()):
        return code, int(code)
    letter = code[3:]
    inner = draw(st.sampled_from(["", " "])) if letter else ""
    return code, draw(_spaced(code[:3] + inner + draw(_cased(letter))))
