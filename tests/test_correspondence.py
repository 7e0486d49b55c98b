"""The correspondence tables, applied: 2007 → 2011 (arrêté du 1er juin 2011, NOR ETSD1110902A,
article 3), 2011 → 2018 (arrêté du 11 décembre 2018, article 4), and the two chained."""

from __future__ import annotations

import pytest

from titre_mercd import (
    AmbiguousBlockError,
    UnknownBlockError,
    UnknownVersionError,
    correspondences,
    deemed_obtained,
    find_block,
    missing_blocks,
    text_of,
    version,
)
from titre_mercd import versions as version_list

OLD, NEW = version("2011-06-01").blocks, version("2018-12-11").blocks


def test_the_table_in_the_laws_order() -> None:
    table = correspondences("2011-06-01", "2018-12-11")
    assert [(row.old, row.new) for row in table] == [
        (OLD[0], None),  # « Aucune correspondance »
        (OLD[1], NEW[1]),
        (OLD[2], NEW[0]),
    ]


UNITES = version("2007-04-27").blocks
ETSD_TABLE = text_of(correspondences("2007-04-27", "2011-06-01")[0].source.text)


def test_the_2007_to_2011_table_row_by_row_as_article_3_writes_it() -> None:
    """Golden: each row of the table of ETSD1110902A, article 3, left and right columns."""
    rows = correspondences("2007-04-27", "2011-06-01")
    written = [
        (
            "Gérer l'ensemble des moyens nécessaires aux activités d'un plateau d'appels",
            "Gérer l'ensemble des moyens nécessaires aux activités d'une équipe de "
            "conseillers(ères) clientèle à distance",
        ),
        (
            "Manager les ressources humaines d'une équipe de téléconseillers(ères)",
            "Manager une équipe de conseillers(ères) clientèle à distance",
        ),
        (
            "Contribuer aux évolutions de l'ensemble des activités d'un centre de relation "
            "client à distance",
            "Contribuer à l'amélioration des activités d'un centre de relation client à distance",
        ),
    ]
    assert [(row.old, row.new) for row in rows] == list(zip(UNITES, OLD))
    for row, (left, right) in zip(rows, written):
        line = f"| {left} | {right} |"
        assert line in ETSD_TABLE.splitlines()
        assert row.source.excerpt == line
        assert row.source.location == "article 3"
        # each column names the row's block, as find_block reads it
        assert find_block(left, "2007-04-27") == row.old
        assert find_block(right, "2011-06-01") == row.new
    assert "sont réputés avoir obtenu les nouveaux certificats" in ETSD_TABLE


def test_2007_to_2011_unite_by_unite() -> None:
    assert deemed_obtained(UNITES, "2011-06-01") == OLD
    assert missing_blocks([UNITES[0]], "2011-06-01") == OLD[1:]


# Every wording of each 2007 unité (FACTS.md): article 2's, the annex's, the table's left
# column, and the same typed without accents or capitals.
WORDINGS = {
    1: [
        "Gérer l'ensemble des moyens nécessaires aux activités d'un plateau d'appels",
        "Gérer l'ensemble des moyens nécessaires\n\naux activités d'un plateau d'appels",
        "gerer l'ensemble des moyens necessaires aux activites d'un plateau d'appels",
    ],
    2: [
        "Manager les ressources humaines d'une équipe de téléconseillers (téléconseillères)",
        "Manager les ressources humaines d'une équipe\n\nde téléconseillers (téléconseillères)",
        "Manager les ressources humaines d'une équipe de téléconseillers(ères)",
        "manager les ressources humaines d'une equipe de teleconseillers (teleconseilleres)",
        "MANAGER LES RESSOURCES HUMAINES D'UNE EQUIPE DE TELECONSEILLERS(ERES)",
    ],
    3: [
        "Améliorer la qualité de service et contribuer aux évolutions de l'ensemble des "
        "activités d'un centre de relations clients à distance",
        "Améliorer la qualité de services et contribuer aux évolutions de l'ensemble des "
        "activités d'un centre de relations clients à distance",
        "Contribuer aux évolutions de l'ensemble des activités d'un centre de relation client "
        "à distance",
        "ameliorer la qualite de services et contribuer aux evolutions de l'ensemble des "
        "activites d'un centre de relations clients a distance",
        "contribuer aux evolutions de l ensemble des activites d un centre de relation client "
        "a distance",
    ],
}
TO_2018 = {1: (), 2: (NEW[1],), 3: (NEW[0],)}


@pytest.mark.parametrize(
    ("number", "typed"),
    [(number, typed) for number, typed_ in WORDINGS.items() for typed in typed_],
)
def test_each_wording_of_a_2007_unite_chains_to_2018(number: int, typed: str) -> None:
    assert find_block(typed) is UNITES[number - 1]
    assert deemed_obtained([typed]) == TO_2018[number]
    assert deemed_obtained([typed], "2011-06-01") == (OLD[number - 1],)


def test_the_wordings_are_the_texts() -> None:
    """Every accented wording above is in a shipped text (line breaks as the text has them)."""
    from titre_mercd import source_of

    texts = text_of(source_of(version("2007-04-27"), "title").text) + ETSD_TABLE
    accented = [typed for typed_ in WORDINGS.values() for typed in typed_ if "é" in typed]
    assert len(accented) == 8
    for typed in accented:
        assert typed in texts, typed


def test_a_2007_holder_of_unites_2_and_3_holds_both_2018_blocs() -> None:
    assert deemed_obtained([UNITES[1], UNITES[2]]) == NEW
    assert missing_blocks(["2007-04-27/2", "2007-04-27/3"]) == ()


def test_unite_1_of_2007_leads_nowhere() -> None:
    assert deemed_obtained([UNITES[0]]) == ()
    assert missing_blocks([UNITES[0]]) == NEW


def test_a_candidate_with_the_three_2011_ccps_holds_the_whole_2018_title() -> None:
    assert deemed_obtained(OLD) == NEW
    assert missing_blocks(OLD) == ()


def test_the_first_2011_ccp_gives_nothing() -> None:
    assert deemed_obtained([OLD[0]]) == ()
    assert missing_blocks([OLD[0]]) == NEW


def test_hand_typed_labels_without_accents() -> None:
    held = [
        "manager une equipe de conseillers clientele a distance",
        "CONTRIBUER A L'AMELIORATION DES ACTIVITES D'UN CENTRE DE RELATION CLIENT A DISTANCE",
    ]
    assert deemed_obtained(held) == NEW


def test_blocks_of_the_target_pass_through() -> None:
    assert deemed_obtained([NEW[1]]) == (NEW[1],)
    assert missing_blocks(["2018-12-11/2"]) == (NEW[0],)


def test_missing_blocks_keep_the_arretes_order() -> None:
    assert missing_blocks([]) == NEW


def test_deemed_obtained_is_a_tuple_in_the_targets_order_whatever_the_order_held() -> None:
    # The 2011 CCPs 2 and 3 lead to the 2018 blocs 2 and 1: the answer is in 2018's order.
    for held in (OLD, OLD[::-1], [OLD[2], OLD[1]], {OLD[1], OLD[2]}):
        answer = deemed_obtained(held)
        assert type(answer) is tuple
        assert answer == NEW
    assert deemed_obtained([OLD[1], NEW[1]]) == (NEW[1],)  # each block once


def test_blocks_sort_by_version_key_then_number() -> None:
    every = [b for v in reversed(version_list()) for b in reversed(v.blocks)]
    assert sorted(every) == [b for v in version_list() for b in v.blocks]
    assert OLD[2] < NEW[0]
    assert NEW[0] <= NEW[0]
    assert NEW[1] > NEW[0]
    assert NEW[1] >= OLD[0]
    with pytest.raises(TypeError):
        assert OLD[0] < "2011-06-01/1"  # type: ignore[operator]


def test_target_2011() -> None:
    assert deemed_obtained(["2011-06-01/1"], "2011-06-01") == (OLD[0],)
    assert deemed_obtained([NEW[0]], "2011-06-01") == ()


@pytest.mark.parametrize("held", ["2011-06-01/2", OLD[1]])
def test_a_bare_string_or_block_is_a_type_error(held: object) -> None:
    with pytest.raises(TypeError, match="iterable"):
        deemed_obtained(held)  # type: ignore[arg-type]


def test_unknown_target() -> None:
    with pytest.raises(UnknownVersionError):
        deemed_obtained([], "2030-01-01")
    with pytest.raises(UnknownVersionError):
        correspondences("2011-06-01", "2030-01-01")


class TestFindBlock:
    def test_by_reference(self) -> None:
        assert find_block("2011-06-01/2") is OLD[1]
        assert find_block(" 2018-12-11 / 1 ") is NEW[0]

    @pytest.mark.parametrize(
        "typed",
        [
            "Manager une équipe de conseillers (ères) clientèle à distance",
            "manager une equipe de conseillers clientele a distance",
            "Manager une équipe de conseillers(ères) clientèle à distance.",
            "  MANAGER   une équipe de conseillers clientèle à distance ",
        ],
    )
    def test_by_title_ignoring_case_accents_spacing_punctuation_and_inclusive_forms(
        self, typed: str
    ) -> None:
        assert find_block(typed) is OLD[1]

    def test_restricted_to_a_version(self) -> None:
        with pytest.raises(UnknownBlockError):
            find_block("2011-06-01/2", "2018-12-11")
        with pytest.raises(UnknownBlockError):
            find_block("Manager une équipe de conseillers clientèle à distance", "2018-12-11")

    def test_unknown_title_names_the_closest(self) -> None:
        with pytest.raises(UnknownBlockError, match="closest") as info:
            find_block("Manager une équipe de conseillers clients")
        assert "Manager une équipe de conseillers (ères) clientèle à distance" in str(info.value)

    def test_unknown_reference_and_bloc_code(self) -> None:
        with pytest.raises(UnknownBlockError, match="2018-12-11/1 to 2018-12-11/2"):
            find_block("2018-12-11/3")
        with pytest.raises(UnknownBlockError, match="RNCP12505BC01"):
            find_block("rncp12505bc01")

    def test_ambiguous_titles_name_every_match(self) -> None:
        import attrs

        from titre_mercd import _referentiel

        data = _referentiel.dataset()
        twin = attrs.evolve(NEW[0], version_key="2030-01-01")
        label = next(k for k, v in data.blocks_by_label.items() if v == (NEW[0],))
        patched = data._replace(blocks_by_label={**data.blocks_by_label, label: (NEW[0], twin)})
        original = _referentiel._in_use
        _referentiel._switch(_referentiel._of(patched))
        try:
            with pytest.raises(AmbiguousBlockError, match="2 blocks") as info:
                find_block(NEW[0].title)
            assert "2030-01-01/1" in str(info.value)
            assert find_block(NEW[0].title, "2018-12-11") is NEW[0]
        finally:
            _referentiel._switch(original)
