"""Notebook display: ``_repr_html_`` gives a well-formed, escaped HTML table with every fact."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import attrs
import pytest

from titre_mercd import (
    Block,
    CorrespondenceTable,
    UndecidedError,
    UnknownVersionError,
    correspondence_table,
    correspondences,
    find_block,
    to_dict,
    version,
    versions,
)

VOID = {"br"}


class _Tree(HTMLParser):
    """Checks that every tag is closed in order, and keeps the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, _: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open, f"</{tag}> closes nothing"
        assert self.open.pop() == tag, f"</{tag}> closes the wrong tag"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Tree:
    tree = _Tree()
    tree.feed(markup)
    tree.close()
    assert tree.open == []
    assert tree.tags[0] == "table"
    assert "script" not in tree.tags
    assert "style" not in tree.tags
    return tree


def text_of(markup: str) -> str:
    return " ".join("".join(parse(markup).text).split())


@pytest.mark.parametrize("key", [v.key for v in versions()])
def test_a_version_shows_every_field(key: str) -> None:
    v = version(key)
    shown = text_of(v._repr_html_())
    facts = [v.title, v.key, v.legal_text.title, *v.former_titles]
    facts += [b.title for b in v.blocks] + [c for b in v.blocks for c in b.competences]
    facts += [*v.transversal_competences, *v.sectors, *v.job_titles, *v.legal_bases]
    facts += [c.code for c in v.rome_codes] + [c.label for c in v.rome_codes]
    facts += [c.code for c in v.nsf_codes] + (v.summary or "").split("\n")
    facts += [v.rncp or "not known", v.certifying_authority or "", v.regulation or ""]
    if v.legal_text.nor:
        facts.append(f"NOR {v.legal_text.nor}")
    if v.validity is not None:
        facts.append(f"from {v.validity.start} to {v.validity.last_day} (last day)")
    missing = [fact for fact in facts if " ".join(fact.split()) not in shown]
    assert not missing
    assert len(parse(v._repr_html_()).tags) > 20


def test_a_block_shows_its_capacites_in_order() -> None:
    block = find_block("2011-06-01/2")
    tree = parse(block._repr_html_())
    text = "\n".join(tree.text)
    positions = [text.index(c) for c in block.competences]
    assert positions == sorted(positions)
    assert tree.tags.count("li") == len(block.competences)
    assert block.title in text


def test_the_correspondence_table_has_a_row_per_old_ccp() -> None:
    table = correspondence_table("2011-06-01", "2018-12-11")
    assert table.rows == correspondences("2011-06-01", "2018-12-11")
    tree = parse(table._repr_html_())
    assert tree.tags.count("tr") == len(table.rows) + 1
    text = " ".join("".join(tree.text).split())
    for row in table.rows:
        assert row.old.title in text
        assert (row.new.title if row.new else "Aucune correspondance") in text
    assert to_dict(table)["old_key"] == "2011-06-01"


def test_a_table_without_rows_says_so() -> None:
    table = attrs.evolve(correspondence_table("2011-06-01", "2018-12-11"), rows=())
    assert "no text gives a table" in text_of(table._repr_html_())


def test_a_pair_of_versions_no_text_gives_a_table_for_is_undecided() -> None:
    with pytest.raises(UndecidedError):
        correspondence_table("2007-04-27", "2018-12-11")  # no text gives one directly


def test_a_correspondence_table_needs_known_versions() -> None:
    with pytest.raises(UnknownVersionError):
        correspondence_table("2011-06-01", "2099-01-01")


def test_text_is_escaped() -> None:
    hostile = attrs.evolve(find_block("2018-12-11/1"), title='<script>alert("x")</script> & co')
    markup = hostile._repr_html_()
    assert "<script>" not in markup
    assert html.escape(hostile.title) in markup
    assert hostile.title in text_of(markup)
    assert isinstance(hostile, Block)
    table = CorrespondenceTable(old_key="<a>", new_key="b", rows=())
    assert "&lt;a&gt;" in table._repr_html_()
