"""No input may exhaust the machine: memos, caches, messages and searches are bounded.

What is bounded is checked by counting (characters kept, comparisons made, characters
shown), never by timing; ``benchmarks/distinct_cells.py`` measures the peak memory of a whole
conversion of distinct large cells against the ceiling the README names.
"""

from __future__ import annotations

import contextlib
import difflib
import io
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import titre_mercd
from titre_mercd import _bulk, _queries, _referentiel
from titre_mercd._bulk import CellConverter, CsvSource, convert
from titre_mercd.exceptions import TitreMercdError

HUGE = 1_000_000
LOOKUPS: dict[str, Callable[[str], Any]] = {
    "version": titre_mercd.version,
    "by_rome": titre_mercd.by_rome,
    "rome": titre_mercd.rome,
    "by_nsf": titre_mercd.by_nsf,
    "nsf": titre_mercd.nsf,
    "by_rncp": titre_mercd.by_rncp,
    "find_block": titre_mercd.find_block,
    "successor": titre_mercd.successor,
    "find_block in 2011": lambda text: titre_mercd.find_block(text, "2011-06-01"),
}


@pytest.mark.parametrize("name", sorted(LOOKUPS))
@pytest.mark.parametrize(
    "given_text",
    [
        "x" * HUGE,
        "D1408" + " " * HUGE,
        " " * HUGE + "312t",
        "RNCP" + "1" * HUGE,
        "2018-12-11/" + "9" * HUGE,
        "Manager une équipe " * (HUGE // 20),
    ],
    ids=["letters", "code-then-spaces", "spaces-then-code", "digits", "ref", "words"],
)
def test_messages_show_at_most_a_few_hundred_characters_of_what_was_given(
    name: str, given_text: str
) -> None:
    try:
        LOOKUPS[name](given_text)
    except TitreMercdError as exc:
        message = str(exc)
        assert len(message) < 2_000
        assert max((len(run) for run in message.split()), default=0) < 400


def memos(data_set: object) -> list[dict[object, object]]:
    """Every memo a data set keeps, one per lookup."""
    slots = [name for cls in type(data_set).__mro__ for name in getattr(cls, "__slots__", ())]
    return [getattr(data_set, name) for name in slots if name.endswith("_memo")]


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_memos_never_keep_a_long_argument(name: str) -> None:
    padded = [" 2018-12-11" + " " * (400 + i) for i in range(50)]
    padded += [" D1408" + " " * (400 + i) for i in range(50)]
    for text in padded:
        with contextlib.suppress(TitreMercdError):
            LOOKUPS[name](text)
    for memo in memos(_referentiel.in_use()):
        for key in memo:
            parts = key if isinstance(key, tuple) else (key,)
            assert all(len(p) <= _queries.MEMO_KEY_CHARACTERS for p in parts if isinstance(p, str))


def test_a_short_argument_is_still_remembered() -> None:
    titre_mercd.by_rome(" d1408 ")
    assert " d1408 " in _referentiel.in_use()._by_rome_memo


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Each character comparison of the « closest titles » search: the lengths compared."""
    made: list[tuple[int, int]] = []
    real = difflib.SequenceMatcher.ratio

    def ratio(self: difflib.SequenceMatcher[str]) -> float:
        made.append((len(self.a), len(self.b)))
        return real(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "ratio", ratio)
    return made


@given(label=st.text(min_size=1, max_size=3_000))
def test_the_closest_titles_search_is_bounded_whatever_the_label(label: str) -> None:
    made: list[tuple[int, int]] = []
    real = difflib.SequenceMatcher.ratio

    def ratio(self: difflib.SequenceMatcher[str]) -> float:
        made.append((len(self.a), len(self.b)))
        return real(self)

    blocks = sum(len(v.blocks) for v in titre_mercd.versions())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(difflib.SequenceMatcher, "ratio", ratio)
        with contextlib.suppress(TitreMercdError):
            titre_mercd.find_block(label)
    assert len(made) <= blocks
    assert all(b <= _queries._LONGEST_LABEL_COMPARED for _, b in made)


def test_a_long_label_unlike_any_title_is_not_compared(
    comparisons: list[tuple[int, int]],
) -> None:
    with pytest.raises(titre_mercd.UnknownBlockError, match="no title is close to it"):
        titre_mercd.find_block("0123456789abcdef" * 1000)
    assert comparisons == []


def test_a_long_label_like_a_title_is_compared_by_its_beginning(
    comparisons: list[tuple[int, int]],
) -> None:
    with pytest.raises(titre_mercd.UnknownBlockError, match="closest: 2011-06-01/2"):
        titre_mercd.find_block("Manager une équipe de conseillers clientèle " * 1000, "2011-06-01")
    assert comparisons
    assert all(b == _queries._LONGEST_LABEL_COMPARED for _, b in comparisons)


def test_a_bulk_cell_pays_one_bounded_search(comparisons: list[tuple[int, int]]) -> None:
    convert_cell = CellConverter("2011-06-01", "2018-12-11")
    label = "Manager une equipe de conseillers clients " * 100
    *_, error = convert_cell(label)
    # The error cell names the closest titles, at the cost of the single-label mode: each
    # title of the versions searched compared once, with the label's beginning only.
    assert error.startswith("unknown bloc 'Manager une equipe de conseillers clients Manag")
    assert "(closest: 2011-06-01/2 'Manager une équipe de conseillers (ères) clientèle" in error
    titles = len(
        titre_mercd.version("2011-06-01").blocks + titre_mercd.version("2018-12-11").blocks
    )
    assert len(comparisons) == titles
    assert all(b == _queries._LONGEST_LABEL_COMPARED for _, b in comparisons)
    assert convert_cell(f"2011-06-01/1 | {label}")[-1] == error  # searched once per label
    assert len(comparisons) == titles


def test_the_label_cache_is_bounded_in_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_bulk, "_CACHE_CHARACTERS", 50_000)
    convert_cell = CellConverter("2011-06-01", "2018-12-11")
    for i in range(300):
        convert_cell(f"{i} " + "y" * 1_000)
        kept = convert_cell._blocks
        assert sum(len(k) + len(v[0]) for k, v in kept.items()) <= 50_000


class Sink(io.StringIO):
    """Records the largest single write."""

    largest = 0

    def write(self, text: str) -> int:
        self.largest = max(self.largest, len(text))
        return super().write(text)


def test_a_conversion_of_distinct_large_cells_holds_bounded_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_bulk, "_CHUNK_CHARACTERS", 100_000)
    monkeypatch.setattr(_bulk, "_CACHE_CHARACTERS", 100_000)
    seen: list[int] = []
    real_keep = _bulk._Cache.keep

    def keep(self: Any, key: str, value: object, size: int) -> None:
        real_keep(self, key, value, size)
        seen.append(self._characters)

    monkeypatch.setattr(_bulk._Cache, "keep", keep)
    cell = 5_000
    data = "id,ccp\n" + "".join(f"{i},{i:06d}{'z' * cell}\n" for i in range(200))
    source = CsvSource(io.BytesIO(data.encode()), "in.csv", "ccp", ",")
    sink = Sink()
    outcome = convert(source, sink, CellConverter("2011-06-01", "2018-12-11"))
    assert outcome.rows == outcome.unmatched == 200
    assert sink.largest <= 100_000 + 2 * (cell + 2_000)  # one chunk, and the row that filled it
    assert seen
    assert max(seen) <= 100_000


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("id,ccp\n", "x" * 1_000_000),  # a --column no header names
        ("id,ccp,ccp\n", "ccp"),  # a column named twice
        ("a" * 1_000_000 + "," + "b" * 1_000_000 + "\n", "ccp"),  # huge header cells
        ("", "y" * 1_000_000),  # an empty file, asked for a huge column
    ],
)
def test_a_bulk_header_error_shows_a_few_hundred_characters(header: str, column: str) -> None:
    with pytest.raises(_bulk.CsvInputError) as caught, _bulk.large_fields():
        CsvSource(io.BytesIO(header.encode()), "in.csv", column, ",")
    assert len(str(caught.value)) < 600
