"""Every accepted form of an argument gives the answer its canonical form gives.

A version key may be given as the :class:`~titre_mercd.CertificationVersion` itself, a day as a
``datetime`` (naive or aware, taken as its own date), an RNCP or NSF code as an ``int`` or with
any spacing and case; what is refused is refused with a short message, and no form teaches the
memos an answer for another.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from strategies import (
    BLOCKS,
    VERSIONS,
    anything,
    date_forms,
    nsf_forms,
    rncp_forms,
    version_key_forms,
)
from titre_mercd import ArgumentTypeError, TitreMercdError


def outcome(call: Callable[..., Any], *arguments: object) -> tuple[str, Any]:
    """What ``call`` gives: its answer, or the class of the documented error it raises."""
    try:
        return "answer", call(*arguments)
    except TitreMercdError as error:
        return "error", type(error)


def same(call: Callable[..., Any], canonical: tuple[Any, ...], other: tuple[Any, ...]) -> None:
    expected, got = outcome(call, *canonical), outcome(call, *other)
    assert got == expected, (call.__name__, canonical, other)
    if isinstance(expected[1], (titre_mercd.CertificationVersion, titre_mercd.NsfCode)):
        assert got[1] is expected[1]  # the same shipped record, not an equal copy


# ---------------------------------------------------------------- version keys


KEYED: dict[str, Callable[[Any], Any]] = {
    "version": titre_mercd.version,
    "successor": titre_mercd.successor,
    "is_in_force": lambda key: titre_mercd.is_in_force(dt.date(2020, 1, 1), key),
    "correspondences from": lambda key: titre_mercd.correspondences(key, "2018-12-11"),
    "correspondences to": lambda key: titre_mercd.correspondences("2011-06-01", key),
    "correspondence_table": lambda key: titre_mercd.correspondence_table(key, key),
    "deemed_obtained": lambda key: titre_mercd.deemed_obtained(["2011-06-01/2"], key),
    "missing_blocks": lambda key: titre_mercd.missing_blocks(BLOCKS[:2], key),
    "find_block": lambda key: titre_mercd.find_block("2011-06-01/2", key),
}


@pytest.mark.parametrize("name", sorted(KEYED))
@given(forms=version_key_forms)
def test_a_version_stands_for_its_key(name: str, forms: tuple[str, Any]) -> None:
    canonical, other = forms
    same(KEYED[name], (canonical,), (other,))


def test_a_version_that_is_not_the_datas_is_refused() -> None:
    altered = attrs.evolve(VERSIONS[-1], title="another title")
    with pytest.raises(titre_mercd.UnknownVersionError, match=r"not a version of the data"):
        titre_mercd.successor(altered)
    assert titre_mercd.version(VERSIONS[-1]) is VERSIONS[-1]
    # An equal copy is the data's version (records are equal by value).
    assert titre_mercd.version(attrs.evolve(VERSIONS[-1])) is VERSIONS[-1]


# ---------------------------------------------------------------- days


@given(forms=date_forms(), key=st.none() | st.sampled_from([v.key for v in VERSIONS]))
def test_a_datetime_is_taken_as_its_date(forms: tuple[dt.date, Any], key: str | None) -> None:
    day, other = forms
    same(titre_mercd.current, (day,), (other,))
    same(titre_mercd.is_in_force, (day, key), (other, key))
    window = VERSIONS[-1].validity
    assert window is not None
    assert window.contains(other) == window.contains(day)


def test_an_aware_datetime_is_taken_in_its_own_zone() -> None:
    # 11 May 2024, 23:30 at UTC+14 is still 11 May there: the 2018 version's last day.
    late = dt.datetime(2024, 5, 11, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    assert titre_mercd.is_in_force(late, "2018-12-11")
    assert titre_mercd.current(late) is titre_mercd.current(dt.date(2024, 5, 11))
    # The same instant seen from UTC-12 is 10 May; from UTC it is 11 May, 09:30.
    assert late.astimezone(dt.timezone.utc).date() == dt.date(2024, 5, 11)


# ---------------------------------------------------------------- codes


@given(forms=rncp_forms())
def test_an_rncp_number_in_any_form(forms: tuple[str, Any]) -> None:
    canonical, other = forms
    same(titre_mercd.by_rncp, (canonical,), (other,))


@given(forms=nsf_forms())
def test_an_nsf_code_in_any_form(forms: tuple[str, Any]) -> None:
    canonical, other = forms
    same(titre_mercd.by_nsf, (canonical,), (other,))
    same(titre_mercd.nsf, (canonical,), (other,))


def test_the_issues_examples() -> None:
    assert titre_mercd.by_rncp(12505) is titre_mercd.by_rncp("RNCP12505")
    assert titre_mercd.by_nsf(312) == titre_mercd.by_nsf("312")
    assert titre_mercd.nsf(312) is titre_mercd.nsf("312")


@pytest.mark.parametrize("lookup", [titre_mercd.by_rncp, titre_mercd.by_nsf, titre_mercd.nsf])
@pytest.mark.parametrize("bad", [True, False, 312.0, 12505.0, b"312", [312]])
def test_what_is_not_an_int_or_a_string_is_refused_even_after_an_int(
    lookup: Callable[[Any], Any], bad: object
) -> None:
    # An int asked first must not teach a memo the answer for an equal float or bool.
    for number in (0, 1, 312, 12505):
        outcome(lookup, number)
    with pytest.raises(ArgumentTypeError):
        lookup(bad)


@pytest.mark.parametrize("lookup", [titre_mercd.by_rncp, titre_mercd.by_nsf, titre_mercd.nsf])
@pytest.mark.parametrize("number", [-1, -312, 10**7, 10**5000], ids=["-1", "-312", "1e7", "1e5000"])
def test_a_negative_or_too_long_number_is_malformed(
    lookup: Callable[[Any], Any], number: int
) -> None:
    with pytest.raises(titre_mercd.InvalidCodeError) as raised:
        lookup(number)
    assert len(str(raised.value)) < 200


# ---------------------------------------------------------------- what is refused, in short


@pytest.mark.parametrize(
    "call",
    [
        titre_mercd.version,
        titre_mercd.successor,
        titre_mercd.is_in_force,
        titre_mercd.current,
        lambda value: titre_mercd.is_in_force(dt.date(2020, 1, 1), value),
        titre_mercd.deemed_obtained,
        lambda value: titre_mercd.deemed_obtained([value]),
        titre_mercd.find_block,
        titre_mercd.by_rncp,
        titre_mercd.by_nsf,
        titre_mercd.rome,
        titre_mercd.text_of,
        lambda value: titre_mercd.source_of(value, "title"),
    ],
)
@given(value=anything | st.sampled_from([*VERSIONS, *BLOCKS]).map(lambda r: [r] * 1000))
def test_a_refusal_says_what_was_given_in_a_hundred_characters_or_so(
    call: Callable[[Any], Any], value: object
) -> None:
    try:
        call(value)
    except ArgumentTypeError as error:
        message = str(error)
        given_part = message.rsplit(" not ", 1)[-1]
        assert len(given_part) <= 100, message
        assert "competences=" not in message, message  # never a record's whole repr
    except (TitreMercdError, LookupError):
        pass


@pytest.mark.parametrize("record", [VERSIONS[-1], BLOCKS[0]])
def test_a_record_given_in_the_wrong_place_is_named_by_its_key_not_its_repr(
    record: Any,
) -> None:
    with pytest.raises(ArgumentTypeError) as raised:
        titre_mercd.by_rncp(record)
    message = str(raised.value)
    assert len(message) < 200
    key = record.key if hasattr(record, "key") else record.version_key
    assert repr(key) in message
    assert record.title[:30] not in message


def test_a_record_argument_does_not_poison_the_memos() -> None:
    shipped = VERSIONS[-1]
    copy = attrs.evolve(shipped)
    assert titre_mercd.version(copy) is shipped
    assert titre_mercd.version(shipped.key) is shipped
    assert titre_mercd.find_block("2018-12-11/1", copy) is shipped.blocks[0]

    @attrs.frozen(repr=False, cache_hash=True)
    class Lookalike(titre_mercd.CertificationVersion):
        pass

    lookalike = Lookalike(**{f.name: getattr(shipped, f.name) for f in attrs.fields(Lookalike)})
    for _ in range(2):  # asked twice: a memo never answers for it
        with pytest.raises(titre_mercd.UnknownVersionError):
            titre_mercd.version(lookalike)
    assert titre_mercd.deemed_obtained(["2011-06-01/2"], copy) == (shipped.blocks[1],)
    assert titre_mercd.deemed_obtained(["2011-06-01/2"], shipped) == (shipped.blocks[1],)


@given(forms=version_key_forms, rncp=rncp_forms(), day=date_forms())
def test_a_data_set_takes_the_same_forms(
    forms: tuple[str, Any], rncp: tuple[str, Any], day: tuple[dt.date, Any]
) -> None:
    data = titre_mercd.referentiel()
    same(data.version, (forms[0],), (forms[1],))
    same(data.by_rncp, (rncp[0],), (rncp[1],))
    same(data.current, (day[0],), (day[1],))
    same(lambda key: data.deemed_obtained(["2011-06-01/3"], key), (forms[0],), (forms[1],))
