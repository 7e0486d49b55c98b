"""Every fact points to its text, its article (or annexe) and a verbatim excerpt."""

from __future__ import annotations

import attrs
import pytest

from titre_mercd import (
    Block,
    CertificationVersion,
    Level,
    Source,
    correspondences,
    nsf,
    rome,
    source_of,
    text_of,
    version,
    versions,
)

VERSION_FIELDS = [f.name for f in attrs.fields(CertificationVersion)]
BLOCK_FIELDS = [f.name for f in attrs.fields(Block)]


def is_empty(value: object) -> bool:
    return value is None or value == ()


def all_blocks() -> list[Block]:
    return [b for v in versions() for b in v.blocks]


@pytest.mark.parametrize("field", VERSION_FIELDS)
@pytest.mark.parametrize("v", versions(), ids=lambda v: v.key)
def test_every_version_fact_has_a_verbatim_source(v: CertificationVersion, field: str) -> None:
    if is_empty(getattr(v, field)):
        with pytest.raises(LookupError, match=field):
            source_of(v, field)
        return
    source = source_of(v, field)
    assert isinstance(source, Source)
    assert source.excerpt
    assert source.excerpt in text_of(source.text)


@pytest.mark.parametrize("field", BLOCK_FIELDS)
@pytest.mark.parametrize("block", all_blocks(), ids=lambda b: b.ref)
def test_every_block_fact_has_a_verbatim_source(block: Block, field: str) -> None:
    if is_empty(getattr(block, field)):
        with pytest.raises(LookupError):
            source_of(block, field)
        return
    source = source_of(block, field)
    assert source.excerpt in text_of(source.text)


def test_legal_text_sources_name_the_article() -> None:
    v = version("2018-12-11")
    assert source_of(v, "title").location == "article 1"
    assert source_of(v, "validity").location == "article 1"
    assert source_of(v, "blocks").location == "article 3"
    assert source_of(v, "rome_codes").location == "annexe"
    assert source_of(v.blocks[0], "competences").location == "annexe"
    assert source_of(version("2011-06-01"), "blocks").location == "article 2"
    assert source_of(version("2007-04-27"), "blocks").location == "article 2"


def test_the_validity_source_says_five_years_from_12_may_2019() -> None:
    source = source_of(version("2018-12-11"), "validity")
    assert "créée pour cinq ans à compter du 12 mai 2019" in source.excerpt
    assert source.text.nor == "MTRD1833181A"


def test_the_2011_rncp_number_comes_from_the_cncp_fiche() -> None:
    source = source_of(version("2011-06-01"), "rncp")
    assert source.text.kind == "fiche RNCP"
    assert source.location.endswith("fiche=12505")
    assert "RNCP12505" in source.excerpt


def test_correspondence_rows_cite_article_4() -> None:
    for row in correspondences("2011-06-01", "2018-12-11"):
        for field in ("old", "new", "source"):
            source = source_of(row, field)
            assert source == row.source
        assert row.source.location == "article 4"
        assert row.source.text.nor == "MTRD1833181A"
        assert row.source.excerpt in text_of(row.source.text)
        assert row.old.title in row.source.excerpt
        assert (row.new.title if row.new else "Aucune correspondance") in row.source.excerpt


@pytest.mark.parametrize("code", ["D1408", "M1401", "M1704"])
def test_rome_labels_are_quoted_from_the_2018_annex(code: str) -> None:
    record = rome(code)
    source = source_of(record, "label")
    assert f"{record.code} {record.label}" in source.excerpt
    assert source.excerpt in text_of(source.text)


@pytest.mark.parametrize("code", ["312", "312m", "312p", "312t", "312w"])
def test_nsf_codes_have_sources_and_unknown_labels_have_none(code: str) -> None:
    record = nsf(code)
    assert source_of(record, "code").excerpt in text_of(source_of(record, "code").text)
    if record.label is None:
        with pytest.raises(LookupError):
            source_of(record, "label")
    else:
        source = source_of(record, "label")
        assert record.label in source.excerpt
        assert source.location.startswith(("http://", "https://"))


def test_levels_come_from_the_2019_decree() -> None:
    level = version("2018-12-11").level
    assert isinstance(level, Level)
    for field in ("france_1969", "france_2019", "eqf"):
        source = source_of(level, field)
        assert source.text.kind == "décret"
        assert source.text.nor == "MTRD1834949D"
        assert source.excerpt in text_of(source.text)
    assert "III → 5" in source_of(level, "france_2019").excerpt


def test_unknown_field_and_foreign_records_are_lookup_errors() -> None:
    v = version("2018-12-11")
    with pytest.raises(LookupError, match="no field 'colour'"):
        source_of(v, "colour")
    made_up = attrs.evolve(v, title="autre titre")
    with pytest.raises(LookupError, match="not a shipped record"):
        source_of(made_up, "title")
    with pytest.raises(LookupError, match="no sources of their own"):
        source_of(v.validity, "start")
    with pytest.raises(TypeError):
        source_of("2018-12-11", "title")
