"""The laws the library keeps, stated as hypothesis properties."""

from __future__ import annotations

import datetime as dt
import unicodedata

import attrs
from hypothesis import given
from hypothesis import strategies as st

from titre_mercd import (
    Block,
    CertificationVersion,
    Correspondence,
    Formacode,
    LegalText,
    Level,
    NsfCode,
    RegisteredFiche,
    RomeCode,
    Source,
    ValidityGap,
    ValidityWindow,
    by_nsf,
    by_rome,
    correspondences,
    deemed_obtained,
    find_block,
    from_dict,
    missing_blocks,
    nsf,
    rome,
    to_dict,
    versions,
)

ALL_BLOCKS = [b for v in versions() for b in v.blocks]
TARGETS = [v.key for v in versions()]
ROWS = [row for old, new in zip(TARGETS, TARGETS[1:]) for row in correspondences(old, new)]


def shipped_records() -> list[object]:
    found: list[object] = []
    for v in versions():
        found += [v, v.legal_text, *v.blocks, *v.nsf_codes, *v.rome_codes]
        found += [x for x in (v.validity, v.level) if x is not None]
    for row in ROWS:
        found += [row, row.source]
    return found


text = st.text(max_size=30)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
maybe = st.none
texts = st.lists(text, max_size=3).map(tuple)
legal_texts = st.builds(LegalText, text, maybe() | dates, text, maybe() | text, maybe() | dates)
windows = st.builds(ValidityWindow, dates, maybe() | dates, maybe() | dates)
levels = st.builds(Level, maybe() | text, st.integers(1, 8), st.integers(1, 8))
blocks = st.builds(Block, text, st.integers(1, 9), text, texts, maybe() | text)
formacode_lists = st.lists(st.builds(Formacode, text, maybe() | text), max_size=2).map(tuple)
generated = st.one_of(
    legal_texts,
    st.builds(Source, legal_texts, text, text),
    windows,
    levels,
    st.builds(ValidityGap, dates, dates, st.builds(Source, legal_texts, text, text)),
    st.builds(
        RegisteredFiche,
        text,
        text,
        maybe() | levels,
        st.lists(st.builds(NsfCode, text, maybe() | text), max_size=2).map(tuple),
        formacode_lists,
        maybe() | dates,
        maybe() | text,
    ),
    st.builds(RomeCode, text, text),
    st.builds(NsfCode, text, maybe() | text),
    st.builds(Formacode, text, maybe() | text),
    blocks,
    st.builds(Correspondence, blocks, maybe() | blocks, st.builds(Source, legal_texts, text, text)),
    st.builds(
        CertificationVersion,
        key=text,
        title=text,
        former_titles=texts,
        legal_text=legal_texts,
        validity=maybe() | windows,
        level=maybe() | levels,
        nsf_codes=st.lists(st.builds(NsfCode, text, maybe() | text), max_size=2).map(tuple),
        rome_codes=st.lists(st.builds(RomeCode, text, text), max_size=2).map(tuple),
        formacodes=formacode_lists,
        rncp=maybe() | text,
        blocks=st.lists(blocks, max_size=2).map(tuple),
        transversal_competences=texts,
        sectors=texts,
        sectors_text=maybe() | text,
        job_titles=texts,
        summary=maybe() | text,
        certifying_authority=maybe() | text,
        regulation=maybe() | text,
        legal_bases=texts,
        unknown_fields=st.frozensets(text, max_size=3),
    ),
)
held_sets = st.lists(st.sampled_from(ALL_BLOCKS), max_size=len(ALL_BLOCKS)).map(frozenset)


@given(st.sampled_from(shipped_records()) | generated)
def test_round_trip_through_plain_data(record: object) -> None:
    import json

    data = to_dict(record)
    assert json.loads(json.dumps(data)) == data  # JSON-serialisable as it is
    assert from_dict(type(record), data) == record


@given(held_sets, held_sets, st.sampled_from(TARGETS))
def test_deemed_obtained_is_monotone(a: frozenset[Block], b: frozenset[Block], target: str) -> None:
    assert set(deemed_obtained(a, target)) <= set(deemed_obtained(a | b, target))


@given(held_sets, st.sampled_from(TARGETS))
def test_deemed_obtained_is_idempotent(held: frozenset[Block], target: str) -> None:
    once = deemed_obtained(held, target)
    assert deemed_obtained(once, target) == once


@given(held_sets, st.sampled_from(TARGETS))
def test_missing_and_obtained_partition_the_targets_blocks(
    held: frozenset[Block], target: str
) -> None:
    obtained = deemed_obtained(held, target)
    missing = missing_blocks(held, target)
    target_blocks = next(v.blocks for v in versions() if v.key == target)
    assert set(obtained).isdisjoint(missing)
    assert set(obtained) | set(missing) == set(target_blocks)
    assert list(obtained) == [b for b in target_blocks if b in obtained]
    assert list(missing) == [b for b in target_blocks if b in missing]


@given(held_sets)
def test_strings_and_blocks_are_the_same_holding(held: frozenset[Block]) -> None:
    assert deemed_obtained([b.ref for b in held]) == deemed_obtained(held)
    assert deemed_obtained([b.title for b in held]) == deemed_obtained(held)


KEYS = [v.key for v in versions()]


def step(held: frozenset[Block], old_key: str, new_key: str) -> frozenset[Block]:
    """One table applied by hand: the new blocks its rows give, and held blocks of the new."""
    given = {row.new for row in correspondences(old_key, new_key) if row.old in held}
    kept = {b for b in held if b.version_key == new_key}
    return frozenset(b for b in given | kept if b is not None)


@st.composite
def chains(draw: st.DrawFn) -> tuple[frozenset[Block], list[str]]:
    """Blocks held in one version, and the keys from it to a later target."""
    start = draw(st.integers(0, len(KEYS) - 2))
    target = draw(st.integers(start + 1, len(KEYS) - 1))
    blocks = versions()[start].blocks
    held = draw(st.frozensets(st.sampled_from(blocks), max_size=len(blocks)))
    return held, KEYS[start : target + 1]


@given(chains())
def test_chaining_the_tables_equals_converting_step_by_step(
    chain: tuple[frozenset[Block], list[str]],
) -> None:
    """2007 → 2018 is 2007 → 2011, then 2011 → 2018: by hand, and by deemed_obtained."""
    held, keys = chain
    by_hand, stepwise = held, held
    for old_key, new_key in zip(keys, keys[1:]):
        by_hand = step(by_hand, old_key, new_key)
        stepwise = deemed_obtained(stepwise, new_key)
    assert set(deemed_obtained(held, keys[-1])) == by_hand == set(stepwise)
    assert set(deemed_obtained([b.ref for b in held], keys[-1])) == by_hand


spaces = st.text(alphabet=" \t\n", max_size=3)


def random_case(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips))


@st.composite
def typed_code(draw: st.DrawFn, codes: list[str]) -> tuple[str, str]:
    code = draw(st.sampled_from(codes))
    return code, draw(spaces) + random_case(draw, code) + draw(spaces)


@given(typed_code(["D1408", "M1401", "M1704", "A1101", "N4105"]))
def test_rome_lookups_ignore_case_and_surrounding_spaces(pair: tuple[str, str]) -> None:
    code, typed = pair
    assert by_rome(typed) == by_rome(code)
    if by_rome(code):
        assert rome(typed) is rome(code)


@given(typed_code(["312t", "312w", "312", "312m", "312p", "313"]))
def test_nsf_lookups_ignore_case_and_surrounding_spaces(pair: tuple[str, str]) -> None:
    code, typed = pair
    assert by_nsf(typed) == by_nsf(code)
    if code != "313":
        assert nsf(typed) is nsf(code)


def strip_accents(title: str) -> str:
    decomposed = unicodedata.normalize("NFD", title)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _wordings() -> list[tuple[Block, str]]:
    """Each block with its title, and with each other wording the texts give it."""
    from titre_mercd._export import dataset_document

    others = [
        (find_block(entry["block"]), entry["title"])
        for entry in dataset_document()["other_wordings"]
    ]
    return [(block, block.title) for block in ALL_BLOCKS] + others


WORDINGS = _wordings()


@st.composite
def retyped_title(draw: st.DrawFn) -> tuple[Block, str]:
    """A block and its title, or another wording of it in the texts, as a person may type it."""
    block, typed = draw(st.sampled_from(WORDINGS))
    if draw(st.booleans()):
        typed = strip_accents(typed)
    if draw(st.booleans()):
        typed = typed.replace(" (ères)", "").replace("(téléconseillères)", "")
    elif draw(st.booleans()):
        typed = typed.replace(" (ères)", "(ères)")
    words = typed.split(" ")
    gaps = draw(
        st.lists(st.sampled_from([" ", "  ", " \t"]), min_size=len(words), max_size=len(words))
    )
    typed = "".join(w + g for w, g in zip(words, gaps))
    typed = random_case(draw, typed)
    return block, draw(spaces) + typed + draw(st.sampled_from(["", ".", " ;", " "]))


@given(retyped_title())
def test_block_titles_match_ignoring_accents_case_spacing_and_inclusive_forms(
    pair: tuple[Block, str],
) -> None:
    block, typed = pair
    assert find_block(typed) is block


@given(st.sampled_from(shipped_records()))
def test_records_are_frozen(record: object) -> None:
    field = attrs.fields(type(record))[0].name
    try:
        setattr(record, field, None)
    except attrs.exceptions.FrozenInstanceError:
        pass
    else:
        raise AssertionError(f"{type(record).__name__} accepted an assignment")
    assert not hasattr(record, "__dict__")  # slotted: no room for a new attribute
