"""Every public function, fed arbitrary and nearly right input, answers or raises a documented error.

Documented errors are the :class:`TitreMercdError` family (whose :class:`ArgumentTypeError`
is also the ``TypeError`` for a wrong type) and the plain ``LookupError`` of ``source_of`` and
``text_of`` for a record or field with no source or no shipped copy. Every message is one
non-empty line that shows what was given. An answer has the documented type, is the same
again on a second call, and can be serialised where the contract says so.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from collections.abc import Iterator
from typing import Any, Callable, NamedTuple

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from strategies import (
    BLOCKS,
    RECORD_CLASSES,
    altered_dicts,
    anything,
    block_texts,
    dates,
    datetimes,
    field_names,
    formacodes,
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
    RegisteredFiche,
    RegistryCheck,
    RomeCode,
    Source,
    TitreMercdError,
    ValidityGap,
    _referentiel,
)
from titre_mercd._codes import normalize_label

WINDOW = titre_mercd.version("2018-12-11").validity
assert WINDOW is not None


def tuple_of(cls: type) -> Callable[[object], bool]:
    return lambda result: isinstance(result, tuple) and all(isinstance(r, cls) for r in result)


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
        titre_mercd.deemed_obtained, (held, version_keys | anything), tuple_of(Block)
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
    "by_formacode": Fuzzed(
        titre_mercd.by_formacode, (formacodes | anything,), tuple_of(CertificationVersion)
    ),
    "by_rncp": Fuzzed(
        titre_mercd.by_rncp, (rncp_codes | anything,), instance_of(CertificationVersion)
    ),
    "registered_fiche": Fuzzed(
        titre_mercd.registered_fiche, (rncp_codes | anything,), instance_of(RegisteredFiche)
    ),
    "registered_fiches": Fuzzed(titre_mercd.registered_fiches, (), tuple_of(RegisteredFiche)),
    "validity_gaps": Fuzzed(titre_mercd.validity_gaps, (), tuple_of(ValidityGap)),
    "rome": Fuzzed(titre_mercd.rome, (rome_codes | anything,), instance_of(RomeCode)),
    "nsf": Fuzzed(titre_mercd.nsf, (nsf_codes | anything,), instance_of(NsfCode)),
    "source_of": Fuzzed(
        titre_mercd.source_of, (records | anything, field_names | anything), instance_of(Source)
    ),
    "contradictions": Fuzzed(
        titre_mercd.contradictions,
        (records | anything, field_names | anything),
        tuple_of(Source),
    ),
    "text_of": Fuzzed(titre_mercd.text_of, (records | anything,), instance_of(str)),
    "to_dict": Fuzzed(titre_mercd.to_dict, (records | anything,), json_ready),
    "from_dict": Fuzzed(
        titre_mercd.from_dict,
        (record_classes | anything, json_values() | anything),
        instance_of(*RECORD_CLASSES),
    ),
    "referentiel": Fuzzed(titre_mercd.referentiel, (), instance_of(titre_mercd.Referentiel)),
    # Only None and a data directory switch: a path drawn here names none, and is refused.
    "use_data": Fuzzed(
        titre_mercd.use_data, (st.none() | anything,), instance_of(titre_mercd.Referentiel)
    ),
    "registry_check": Fuzzed(
        titre_mercd.registry_check, (st.text(max_size=30) | anything,), instance_of(RegistryCheck)
    ),
    "ValidityWindow.contains": Fuzzed(
        WINDOW.contains, (dates | datetimes | anything,), instance_of(bool)
    ),
    "ValidityGap.contains": Fuzzed(
        titre_mercd.validity_gaps()[0].contains, (dates | datetimes | anything,), instance_of(bool)
    ),
}
PLAIN_LOOKUP_ERROR = {"source_of", "text_of", "contradictions"}


def test_every_public_function_is_fuzzed() -> None:
    public = {
        name for name in titre_mercd.__all__ if inspect.isfunction(getattr(titre_mercd, name))
    }
    public -= {"update_data"}  # the network and the user's files: tests/test_update.py
    assert public <= FUZZED.keys(), f"not fuzzed: {sorted(public - FUZZED.keys())}"


def shown(value: object, *, inside: bool = True) -> list[str]:
    """How a message may show ``value``: its repr, an item's or a field's, trimmed."""
    forms = [repr(value)[:40]]
    if isinstance(value, dt.date):
        forms.append(str(value)[:40])  # a day the sources do not decide is named in ISO form
    if value is None:
        forms.append(str(dt.date.today()))  # no day given: today
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


@pytest.mark.parametrize("name", sorted(FUZZED))
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


# ---------------------------------------------------------------- messages, word for word
# Fuzzing checks that a message shows what was given; these pin what each one says is
# accepted, so that a changed word, list separator or argument name is seen.

B2007, B2018 = (
    titre_mercd.version("2007-04-27").blocks[0],
    titre_mercd.version("2018-12-11").blocks[0],
)
ROW_SOURCE = titre_mercd.correspondences("2011-06-01", "2018-12-11")[0].source
ACCEPTED_REFS = (
    "accepted: a block title, an RNCP bloc code, or one of 2007-04-27/1 to 2007-04-27/3, "
    "2011-06-01/1 to 2011-06-01/3, 2018-12-11/1 to 2018-12-11/2"
)
MESSAGES: list[tuple[Callable[[], object], type[Exception], str]] = [
    (
        lambda: titre_mercd.rome(1408),
        titre_mercd.ArgumentTypeError,
        "a ROME code must be a string such as 'D1408', not int 1408",
    ),
    (
        lambda: titre_mercd.rome("Z9999"),
        titre_mercd.InvalidCodeError,
        "malformed ROME code 'Z9999': expected one letter A to N and four digits, e.g. 'D1408'",
    ),
    (
        lambda: titre_mercd.rome("A1234"),
        titre_mercd.UnknownCodeError,
        "unknown ROME code 'A1234' (A1234); known: D1408, M1401, M1704",
    ),
    (
        lambda: titre_mercd.by_nsf(b"312"),
        titre_mercd.ArgumentTypeError,
        "an NSF code must be a string or an int such as '312t' or 312, not bytes b'312'",
    ),
    (
        lambda: titre_mercd.nsf("3121"),
        titre_mercd.InvalidCodeError,
        "malformed NSF code '3121': expected three digits and an optional letter, "
        "e.g. '312t' or '312'",
    ),
    (
        lambda: titre_mercd.nsf("999"),
        titre_mercd.UnknownCodeError,
        "unknown NSF code '999' (999); known: 312, 312m, 312p, 312t, 312w",
    ),
    (
        lambda: titre_mercd.by_rncp(12.0),
        titre_mercd.ArgumentTypeError,
        "an RNCP number must be a string or an int such as 'RNCP12505' or 12505, not float 12.0",
    ),
    (
        lambda: titre_mercd.by_nsf(True),  # noqa: FBT003  (a bool is not a code)
        titre_mercd.ArgumentTypeError,
        "an NSF code must be a string or an int such as '312t' or 312, not bool True",
    ),
    (
        lambda: titre_mercd.nsf(-312),
        titre_mercd.InvalidCodeError,
        "malformed NSF code int -312: expected three digits and an optional letter, "
        "e.g. '312t' or '312'",
    ),
    (
        lambda: titre_mercd.by_rncp(10**400),
        titre_mercd.InvalidCodeError,
        "malformed RNCP number int of 1329 bits: expected 'RNCP' and up to six digits, or the "
        "digits alone, e.g. 'RNCP12505' or '12505'",
    ),
    (
        lambda: titre_mercd.by_rncp("R12"),
        titre_mercd.InvalidCodeError,
        "malformed RNCP number 'R12': expected 'RNCP' and up to six digits, or the digits "
        "alone, e.g. 'RNCP12505' or '12505'",
    ),
    (
        lambda: titre_mercd.by_rncp("rncp 1"),
        titre_mercd.UnknownCodeError,
        "unknown RNCP number 'rncp 1' (RNCP1); known: RNCP12505",
    ),
    (
        lambda: titre_mercd.version(2018),
        titre_mercd.ArgumentTypeError,
        "a version key must be a string such as '2018-12-11' or a CertificationVersion, "
        "not int 2018",
    ),
    (
        lambda: titre_mercd.successor(titre_mercd.version("2011-06-01").blocks[0]),
        titre_mercd.ArgumentTypeError,
        "a version key must be a string such as '2018-12-11' or a CertificationVersion, "
        "not Block(version_key='2011-06-01', number=1, …)",
    ),
    (
        lambda: titre_mercd.successor(
            attrs.evolve(titre_mercd.version("2011-06-01"), summary="x" * 10_000)
        ),
        titre_mercd.UnknownVersionError,
        "CertificationVersion(key='2011-06-01', …) is not a version of the data in use (data "
        f"{titre_mercd.DATA_VERSION}); known versions: 2007-04-27, 2011-06-01, 2018-12-11",
    ),
    (
        lambda: titre_mercd.version("2019"),
        titre_mercd.UnknownVersionError,
        "unknown version '2019'; known versions: 2007-04-27, 2011-06-01, 2018-12-11",
    ),
    (
        lambda: titre_mercd.current("2020-01-01"),
        titre_mercd.ArgumentTypeError,
        "on must be a datetime.date such as date(2020, 1, 1) (or a datetime), not str '2020-01-01'",
    ),
    (
        lambda: titre_mercd.is_in_force(dt.time(12), "2018-12-11"),
        titre_mercd.ArgumentTypeError,
        "on must be a datetime.date such as date(2020, 1, 1) (or a datetime), "
        "not time datetime.time(12, 0)",
    ),
    (
        lambda: titre_mercd.find_block(5),
        titre_mercd.ArgumentTypeError,
        "find_block takes a block title, a 'KEY/N' reference or an RNCP bloc code as a "
        "string, not int 5",
    ),
    (
        lambda: titre_mercd.find_block("2018-12-11/9"),
        titre_mercd.UnknownBlockError,
        f"no block '2018-12-11/9'; {ACCEPTED_REFS}",
    ),
    (
        lambda: titre_mercd.find_block("2011-06-01/1", "2018-12-11"),
        titre_mercd.UnknownBlockError,
        "no block '2011-06-01/1'; accepted: a block title, an RNCP bloc code, or one of "
        "2018-12-11/1 to 2018-12-11/2",
    ),
    (
        lambda: titre_mercd.find_block("RNCP34809BC01"),
        titre_mercd.UnknownBlockError,
        "no block has the RNCP bloc code 'RNCP34809BC01' (RNCP34809BC01); "
        "no source gives the bloc codes of these versions",
    ),
    (
        lambda: titre_mercd.deemed_obtained("2011-06-01/2"),
        titre_mercd.ArgumentTypeError,
        "held must be an iterable of blocks or block titles, e.g. ['2011-06-01/2'], "
        "not str '2011-06-01/2'",
    ),
    (
        lambda: titre_mercd.missing_blocks([5]),
        titre_mercd.ArgumentTypeError,
        "each held item must be a Block or a string find_block accepts, not int 5",
    ),
    (
        lambda: titre_mercd.deemed_obtained([attrs.evolve(B2018, title="Piloter")]),
        titre_mercd.UnknownBlockError,
        "Block(version_key='2018-12-11', number=1, …) is not a block of any known version",
    ),
    (
        lambda: titre_mercd.source_of(titre_mercd.version("2018-12-11"), "nope"),
        LookupError,
        "CertificationVersion has no field 'nope'; fields: key, title, former_titles, "
        "legal_text, validity, level, nsf_codes, rome_codes, formacodes, rncp, blocks, "
        "transversal_competences, sectors, sectors_text, job_titles, summary, "
        "certifying_authority, regulation, legal_bases, unknown_fields",
    ),
    (
        # A row between two versions that no table links.
        lambda: titre_mercd.source_of(titre_mercd.Correspondence(B2007, B2018, ROW_SOURCE), "old"),
        LookupError,
        "Correspondence(old=Block(version_key='2007-04-27', number=1, …), "
        "new=Block(version_key='2018-12-11', number=1, …), …) "
        "is not a row of a shipped correspondence table",
    ),
    (
        lambda: titre_mercd.text_of(5),
        titre_mercd.ArgumentTypeError,
        "text_of takes a LegalText, not int 5",
    ),
    (
        lambda: titre_mercd.text_of(titre_mercd.LegalText("arrêté", None, "Made up", None, None)),
        LookupError,
        "no shipped copy of LegalText(kind='arrêté', date=None, nor=None, …); "
        "the texts sources quote are shipped: give the LegalText of a Source",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), MESSAGES)
def test_each_message_says_what_is_accepted(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message


def accepted_refs(version_key: str | None) -> str:
    if version_key is None:
        return ACCEPTED_REFS
    blocks = titre_mercd.version(version_key).blocks
    return (
        "accepted: a block title, an RNCP bloc code, or one of "
        f"{version_key}/1 to {version_key}/{len(blocks)}"
    )


@pytest.mark.parametrize("version_key", [None, "2011-06-01"])
def test_an_unknown_title_names_the_three_closest_of_the_versions_searched(
    version_key: str | None,
) -> None:
    with pytest.raises(titre_mercd.UnknownBlockError) as raised:
        titre_mercd.find_block("Piloter la performance d'une équipe", version_key)
    prefix = 'no block titled "Piloter la performance d\'une équipe"; closest: '
    assert str(raised.value).startswith(prefix)
    closest, accepted = str(raised.value)[len(prefix) :].split("; accepted: ")
    named = closest.split("; ")
    assert len(named) == 3
    searched = [v for v in titre_mercd.versions() if version_key in (None, v.key)]
    assert {n.split(" ", 1)[0] for n in named} <= {b.ref for v in searched for b in v.blocks}
    if version_key is None:
        assert (
            named[0] == '2018-12-11/1 "Piloter la performance d\'une équipe de conseillers client"'
        )
    assert "accepted: " + accepted == accepted_refs(version_key)


def test_a_long_text_is_compared_letter_by_letter() -> None:
    """A title pasted five times still leads to it: every letter counts, however common.

    (difflib's "autojunk" would ignore the letters frequent in a text of 200 characters or
    more, which is most of them, and name other titles.)
    """
    pasted = "Piloter la performance d'une équipe de conseillers client " * 5
    with pytest.raises(titre_mercd.UnknownBlockError) as raised:
        titre_mercd.find_block(pasted[:250])
    closest = str(raised.value).split("; closest: ")[1].split("; accepted: ")[0]
    assert [named.split(" ", 1)[0] for named in closest.split("; ")] == [
        "2018-12-11/1",
        "2011-06-01/2",
        "2011-06-01/1",
    ]


@pytest.mark.parametrize(
    "lookup",
    [
        titre_mercd.version,
        titre_mercd.rome,
        titre_mercd.by_rome,
        titre_mercd.nsf,
        titre_mercd.by_nsf,
        titre_mercd.by_rncp,
        titre_mercd.find_block,
    ],
)
def test_none_is_refused_even_after_answers_are_remembered(
    lookup: Callable[[object], object],
) -> None:
    """Lookups remember their answers: an answer must never be given back for ``None``."""
    valid = {
        titre_mercd.version: "2018-12-11",
        titre_mercd.rome: "D1408",
        titre_mercd.by_rome: "D1408",
        titre_mercd.nsf: "312t",
        titre_mercd.by_nsf: "312t",
        titre_mercd.by_rncp: "RNCP12505",
        titre_mercd.find_block: "2018-12-11/1",
    }[lookup]
    _referentiel._switch(
        _referentiel._of(_referentiel.dataset())
    )  # the same data, with nothing remembered yet
    first = lookup(valid)
    assert lookup(valid) is first
    with pytest.raises(titre_mercd.ArgumentTypeError):
        lookup(None)


# ---------------------------------------------------------------- titles as people type them


@given(block=st.sampled_from(BLOCKS), text=st.text(max_size=20))
def test_inclusive_forms_and_ligatures_do_not_matter(block: Block, text: str) -> None:
    """« conseillers (ères) » is « conseillers »; « œ » and « æ » are « oe » and « ae »."""
    typed = re.sub(r"\s*\([^)]*\)", "", block.title)
    assert titre_mercd.find_block(typed, block.version_key) is block
    assert titre_mercd.find_block(typed.upper(), block.version_key) is block
    ligatures = text.replace("oe", "œ").replace("ae", "æ").replace("OE", "Œ").replace("AE", "Æ")
    assert normalize_label(ligatures) == normalize_label(text)
    assert normalize_label("Mise en Œuvre, ex æquo") == "mise en oeuvre ex aequo"
    assert normalize_label("conseillers (ères) clientèle") == "conseillers clientele"
