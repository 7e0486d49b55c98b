"""Every fact points to its text, its article (or annexe) and a verbatim excerpt."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from pathlib import Path

VERSION_FIELDS = [f.name for f in attrs.fields(CertificationVersion)]
BLOCK_FIELDS = [f.name for f in attrs.fields(Block)]


def is_empty(value: object) -> bool:
    return value is None or value in ((), frozenset())


def items_of(value: object) -> list[str]:
    """What an excerpt must contain: each item of a list, each paragraph of a text."""
    if isinstance(value, str):
        return value.split("\n")
    if isinstance(value, tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def all_blocks() -> list[Block]:
    return [b for v in versions() for b in v.blocks]


@pytest.mark.parametrize("field", VERSION_FIELDS)
@pytest.mark.parametrize("v", versions(), ids=lambda v: v.key)
def test_every_version_fact_has_a_verbatim_source(v: CertificationVersion, field: str) -> None:
    value = getattr(v, field)
    if field == "unknown_fields" or field in v.unknown_fields:
        assert is_empty(value) or field == "unknown_fields"
        with pytest.raises(LookupError, match=field):
            source_of(v, field)
        return
    if is_empty(value):  # the text says there is none: its statement, when recorded
        try:
            source = source_of(v, field)
        except LookupError as error:
            assert "the text says there is none" in str(error)
            return
    else:
        source = source_of(v, field)
    assert isinstance(source, Source)
    assert source.excerpt
    assert source.excerpt in text_of(source.text)
    if field != "key":
        for item in items_of(value):
            assert item in source.excerpt, (field, item)


@pytest.mark.parametrize("field", BLOCK_FIELDS)
@pytest.mark.parametrize("block", all_blocks(), ids=lambda b: b.ref)
def test_every_block_fact_has_a_verbatim_source(block: Block, field: str) -> None:
    if is_empty(getattr(block, field)):
        with pytest.raises(LookupError):
            source_of(block, field)
        return
    source = source_of(block, field)
    assert source.excerpt in text_of(source.text)
    if field != "version_key":  # the key is the ISO date the arrêté's title spells out
        for item in items_of(getattr(block, field)):
            assert item in source.excerpt, (field, item)


COUNTED = " (counted; no headings in the copy)"


def test_legal_text_sources_name_the_article() -> None:
    v = version("2018-12-11")
    assert source_of(v, "title").location == "article 1" + COUNTED
    assert source_of(v, "validity").location == "article 1" + COUNTED
    assert source_of(v, "blocks").location == "article 3" + COUNTED
    assert source_of(v, "rome_codes").location == "annexe"
    assert source_of(v.blocks[0], "competences").location == "annexe"
    assert source_of(version("2011-06-01"), "blocks").location == "article 2"
    assert source_of(version("2007-04-27"), "blocks").location == "article 2"
    assert source_of(version("2007-04-27").blocks[0], "competences").location == "annexe"


def test_2018_articles_are_counted_because_the_copy_has_no_headings() -> None:
    """FACTS.md: the 2018 copy has no article headings; a location says it was counted."""
    v = version("2018-12-11")
    text = text_of(v.legal_text)
    assert "Article" not in text
    sources = [source_of(v, f) for f in ("title", "validity", "level", "blocks")]
    sources += [source_of(b, f) for b in v.blocks for f in ("number", "title")]
    sources += [row.source for row in correspondences("2011-06-01", "2018-12-11")]
    for source in sources:
        assert source.location.startswith("article ")
        assert source.location.endswith(COUNTED)


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
        assert row.source.location == "article 4" + COUNTED
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


def test_correspondence_rows_2007_to_2011_cite_article_3_of_etsd1110902a() -> None:
    rows = correspondences("2007-04-27", "2011-06-01")
    assert [(r.old.number, r.new.number if r.new else None) for r in rows] == [
        (1, 1),
        (2, 2),
        (3, 3),
    ]
    for row in rows:
        assert source_of(row, "source") == row.source
        assert row.source.location == "article 3"
        assert row.source.text.nor == "ETSD1110902A"
        assert row.source.excerpt in text_of(row.source.text)
        assert row.new is not None
        # the right column writes « conseillers(ères) »: the 2011 title up to that form
        assert row.new.title.replace(" (ères)", "(ères)") in row.source.excerpt


def test_levels_cite_facts_md_never_as_the_words_of_the_decree() -> None:
    """The 2018 level III is the arrêté's; its 2019 and EQF equivalents are FACTS.md's."""
    v = version("2018-12-11")
    level = v.level
    assert isinstance(level, Level)
    assert "au niveau III" in source_of(v, "level").excerpt
    assert source_of(v, "level").text.nor == "MTRD1833181A"
    for field in ("france_1969", "france_2019", "eqf"):
        source = source_of(level, field)
        assert source.text.kind == "FACTS.md"
        assert source.text.kind != "décret"
        assert source.text.nor is None
        assert source.location == "Levels"
        assert source.excerpt in text_of(source.text)
    assert "III → 5 → EQF 5 is verified" in source_of(level, "eqf").excerpt


def test_only_the_level_rows_facts_md_verifies_are_shipped() -> None:
    """FACTS.md verifies III → 5 → EQF 5 only, in all three columns."""
    from titre_mercd import to_dict
    from titre_mercd._referentiel import dataset

    assert [to_dict(level) for level in dataset().levels] == [
        {"france_1969": "III", "france_2019": 5, "eqf": 5}
    ]


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


# ---------------------------------------------------------------- unknown is not « none »


def test_a_field_no_source_gives_is_unknown_and_says_so() -> None:
    v = version("2018-12-11")
    assert v.rncp is None
    assert "rncp" in v.unknown_fields
    with pytest.raises(LookupError, match="is not known: no shipped source gives it") as info:
        source_of(v, "rncp")
    assert "'2018-12-11'" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_field_the_text_says_is_empty_has_the_texts_statement() -> None:
    """2007: ROME « En attente de la nouvelle nomenclature »; a created title had no former one."""
    v = version("2007-04-27")
    assert v.rome_codes == ()
    assert v.former_titles == ()
    assert {"rome_codes", "former_titles"}.isdisjoint(v.unknown_fields)
    assert source_of(v, "rome_codes").excerpt.endswith("En attente de la nouvelle nomenclature.")
    assert source_of(v, "former_titles").excerpt.endswith("est créé.")


def test_an_empty_field_without_a_recorded_statement_says_the_text_gives_none(
    tmp_path: Path,
) -> None:
    """The other message: empty, not unknown, and no excerpt of the text saying so."""
    import json
    import shutil
    from importlib.resources import files

    from titre_mercd._manifest import write_manifest
    from titre_mercd._referentiel import _use_data_directory

    root = tmp_path / "data"
    shutil.copytree(str(files("titre_mercd").joinpath("data")), root)
    path = root / "versions/2007-04-27.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    del payload["sources"]["former_titles"]
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    write_manifest(root, "test")
    with _use_data_directory(root):
        v = version("2007-04-27")
        with pytest.raises(LookupError, match="empty because the text says there is none"):
            source_of(v, "former_titles")
        with pytest.raises(LookupError, match="is not known"):
            source_of(v, "rncp")


def test_unknown_fields_travel_with_the_record() -> None:
    from titre_mercd import from_dict, to_dict

    for v in versions():
        data = to_dict(v)
        assert data["unknown_fields"] == sorted(v.unknown_fields)
        assert from_dict(CertificationVersion, data) == v
        assert isinstance(from_dict(CertificationVersion, data).unknown_fields, frozenset)


def test_the_2011_nsf_conflict_is_recorded_and_the_annex_followed() -> None:
    from titre_mercd import contradictions

    v = version("2011-06-01")
    followed = source_of(v, "nsf_codes")
    assert followed.location == "annexe"
    assert "312 t" in followed.excerpt
    (other,) = contradictions(v, "nsf_codes")
    assert other.location == "article 1"
    assert "312 w" in other.excerpt
    assert other.text == followed.text
    assert other.excerpt in text_of(other.text)
    for record in versions():
        for field in ("title", "level", "blocks"):
            assert contradictions(record, field) == ()
    with pytest.raises(LookupError):
        contradictions(version("2018-12-11"), "rncp")


# ---------------------------------------------------------------- the shipped copies


def _shared_folder() -> Path | None:
    """``shared/`` beside the repository (or beside a parent: a git worktree sits deeper)."""
    from pathlib import Path

    for parent in list(Path(__file__).resolve().parents)[1:]:  # parents is not sliceable on 3.9
        candidate = parent / "shared"
        if (candidate / "sources").is_dir():
            return candidate
    return None


def test_the_shipped_texts_are_byte_identical_to_shared_sources() -> None:
    """Every text of ../shared/sources, and FACTS.md, ships unchanged; nothing else does."""
    from importlib.resources import files

    shared = _shared_folder()
    if shared is None:
        pytest.skip("no shared/sources folder beside the repository (run from a clone beside it)")
    shipped = files("titre_mercd").joinpath("data").joinpath("texts")
    originals = {p.name: p for p in (shared / "sources").iterdir() if p.is_file()}
    originals["FACTS.md"] = shared / "FACTS.md"
    copies = {entry.name for entry in shipped.iterdir() if entry.is_file()}
    assert copies == set(originals)
    for name, original in originals.items():
        assert shipped.joinpath(name).read_bytes() == original.read_bytes(), name


def test_every_shipped_text_is_named_in_texts_json() -> None:
    import json
    from importlib.resources import files

    data = files("titre_mercd").joinpath("data")
    entries = json.loads(data.joinpath("texts.json").read_text(encoding="utf-8"))["texts"]
    named = {entry["file"] for entry in entries}
    assert named == {f"texts/{e.name}" for e in data.joinpath("texts").iterdir()}
    by_id = {entry["id"]: entry["legal_text"] for entry in entries}
    assert by_id["arrete-2011"]["nor"] == "ETSD1110902A"
    assert by_id["fiche-rncp-12505"]["title"] == (
        "TP : Titre professionnel Superviseur(se) relation client à distance"
    )
    assert "decret-2019-14" not in by_id  # FACTS.md is cited as itself, never as the décret
    assert by_id["facts"]["kind"] == "FACTS.md"
