"""Golden tests: each fact of the three versions, checked against its legal text."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from titre_mercd import (
    Level,
    NsfCode,
    RomeCode,
    ValidityWindow,
    contradictions,
    source_of,
    text_of,
    version,
    versions,
)


def squash(text: str) -> str:
    """The text with every run of white space made one space, to compare across line breaks."""
    return re.sub(r"\s+", " ", text)


def appears_in_text(fact: str, key: str) -> bool:
    """Whether ``fact`` is written in the text the version ``key`` comes from."""
    body = squash(text_of(source_of(version(key), "title").text))
    return squash(fact) in body


def test_three_versions_oldest_first() -> None:
    assert [v.key for v in versions()] == ["2007-04-27", "2011-06-01", "2018-12-11"]


class TestVersion2018:
    key = "2018-12-11"

    def test_title_and_former_title(self) -> None:
        v = version(self.key)
        assert v.title == "manager d'équipe relation client à distance"
        assert v.former_titles == ("superviseur(se) relation client à distance",)
        assert appears_in_text(f"{v.title} (ancien intitulé : {v.former_titles[0]})", self.key)

    def test_legal_text(self) -> None:
        text = version(self.key).legal_text
        assert text.kind == "arrêté"
        assert text.date == dt.date(2018, 12, 11)
        assert text.nor == "MTRD1833181A"
        assert text.consolidated_on == dt.date(2019, 7, 19)
        assert text.title == (
            "Arrêté du 11 décembre 2018 relatif au titre professionnel de manager d'équipe "
            "relation client à distance"
        )
        body = text_of(text)
        assert f"NOR: {text.nor}" in body
        assert "Version consolidée au 19 juillet 2019" in body
        assert body.lstrip().startswith(text.title)

    def test_validity_is_five_years_from_12_may_2019(self) -> None:
        window = version(self.key).validity
        assert window == ValidityWindow(dt.date(2019, 5, 12), dt.date(2024, 5, 12))
        assert window.last_day == dt.date(2024, 5, 11)
        assert appears_in_text("créée pour cinq ans à compter du 12 mai 2019", self.key)

    def test_level_and_codes(self) -> None:
        v = version(self.key)
        assert v.level == Level(france_1969="III", france_2019=5, eqf=5)
        assert v.nsf_codes == (NsfCode("312t", "Négociation et vente"),)
        assert v.rome_codes == (
            RomeCode("D1408", "Téléconseil et télévente"),
            RomeCode("M1401", "Conduite d'enquêtes"),
            RomeCode("M1704", "Management relation clientèle"),
        )
        for code in v.rome_codes:
            assert appears_in_text(f"{code.code} {code.label}", self.key)
        assert appears_in_text("Niveau : III.", self.key)
        assert appears_in_text("Code NSF : 312t.", self.key)

    def test_rncp_number_is_not_known(self) -> None:
        v = version(self.key)
        assert v.rncp is None
        # FACTS.md: number not found; the arrêté gives no Formacode
        assert v.unknown_fields == frozenset({"rncp", "formacodes"})

    def test_two_blocks_with_their_capacities_in_order(self) -> None:
        blocks = version(self.key).blocks
        assert [(b.version_key, b.number) for b in blocks] == [(self.key, 1), (self.key, 2)]
        assert blocks[0].title == "Piloter la performance d'une équipe de conseillers client"
        assert blocks[0].competences == (
            "Participer à la mise en place d'une nouvelle prestation",
            "Collecter et analyser les indicateurs de performance pour maintenir la qualité de "
            "service",
            "Rendre compte de l'activité plateau et être force de proposition",
        )
        assert blocks[1].title == (
            "Assurer le management de proximité d'une équipe de conseillers client"
        )
        assert blocks[1].competences == (
            "Participer au recrutement et à l'intégration de conseillers client",
            "Professionnaliser et faire monter en compétence l'équipe de conseillers client",
            "Entretenir la motivation de l'équipe de conseillers client",
            "Dynamiser le plateau en initiant et mettant en place une action collective",
        )
        for block in blocks:
            assert block.rncp_code is None
            assert appears_in_text(f"{block.number}. {block.title}.", self.key)
            for competence in block.competences:
                assert appears_in_text(f"{competence},", self.key)

    def test_transversal_competence_sectors_and_jobs(self) -> None:
        v = version(self.key)
        assert v.transversal_competences == (
            "Communiquer efficacement à l'oral et à l'écrit dans la relation client",
        )
        assert v.sectors == (
            "l'informatique", "la téléphonie", "les banques", "les assurances", "les mutuelles",
            "l'énergie", "les transports", "la santé", "le tourisme", "le commerce de détail",
            "l'assistance", "les administrations",
        )  # fmt: skip
        assert appears_in_text(
            "Les principaux secteurs sont : "
            + ", ".join(v.sectors[:-1])
            + " et les administrations.",
            self.key,
        )
        # the two statements around the list, restored verbatim
        assert v.sectors_text == (
            "Les différents secteurs d'activités concernés sont :\n"
            "Les services de gestion de la relation client internes à l'entreprise ou des "
            "centres de relation client externalisés.\n"
            "L'emploi s'exerce dans tous les secteurs d'activités. Les principaux secteurs sont "
            ": l'informatique, la téléphonie, les banques, les assurances, les mutuelles, "
            "l'énergie, les transports, la santé, le tourisme, le commerce de détail, "
            "l'assistance et les administrations."
        )
        for paragraph in v.sectors_text.split("\n"):
            assert appears_in_text(paragraph, self.key)
        assert v.job_titles == (
            "Manageur d'équipe de téléconseillers", "Responsable d'équipe", "Superviseur",
            "Chef d'équipe", "Animateur des ventes", "Team leader",
            "Responsable commercial sédentaire",
        )  # fmt: skip
        for job in v.job_titles:
            assert appears_in_text(job, self.key)

    def test_summary_authority_regulation_and_legal_bases(self) -> None:
        v = version(self.key)
        assert v.summary is not None
        assert v.summary.startswith(
            "Le manager d'équipe relation client à distance suit et évalue la prestation"
        )
        assert v.summary.endswith(
            "véhiculer l'image de l'enseigne auprès de tous ses interlocuteurs."
        )
        for paragraph in v.summary.split("\n"):
            assert appears_in_text(paragraph, self.key)
        assert v.certifying_authority == "Ministère chargé de l'emploi"
        assert v.regulation == "Sans objet"
        assert v.legal_bases == (
            "Code de l'éducation, notamment les articles L. 335-5, L. 335-6 et R. 338-1 et "
            "suivants",
            "Arrêté du 22 décembre 2015 relatif aux conditions de délivrance du titre "
            "professionnel du ministère chargé de l'emploi",
            "Arrêté du 21 juillet 2016 portant règlement général des sessions d'examen pour "
            "l'obtention du titre professionnel du ministère chargé de l'emploi",
        )
        for basis in v.legal_bases:
            assert appears_in_text(basis, self.key)


class TestVersion2011:
    key = "2011-06-01"

    def test_title_and_legal_text(self) -> None:
        v = version(self.key)
        assert v.title == "superviseur(se) relation client à distance"
        # the table of ETSD1110902A, article 3, heads its columns with the two titles
        assert v.former_titles == ("superviseur(se) en relations clients à distance",)
        etsd = text_of(v.legal_text)
        assert (
            f"| TITRE PROFESSIONNEL {v.former_titles[0]} (arrêté du 27 avril 2007) "
            f"| TITRE PROFESSIONNEL {v.title} |"
        ) in etsd
        assert v.legal_text.kind == "arrêté"
        assert v.legal_text.date == dt.date(2011, 6, 1)
        assert v.legal_text.title == (
            "Arrêté du 1er juin 2011 portant modification de l'arrêté du 27 avril 2007 portant "
            "création du titre professionnel de superviseur(se) en relations clients à distance"
        )
        assert v.legal_text.nor == "ETSD1110902A"
        assert etsd.startswith(f"# {v.legal_text.title}\n\nNOR: {v.legal_text.nor}\n")
        source = source_of(v, "legal_text")
        assert source.text == v.legal_text
        assert "NOR: ETSD1110902A" in source.excerpt
        assert source.excerpt in etsd

    def test_validity_is_five_years_from_12_may_2012(self) -> None:
        v = version(self.key)
        window = v.validity
        assert window == ValidityWindow(dt.date(2012, 5, 12), dt.date(2017, 5, 12))
        assert window is not None
        assert window.last_day == dt.date(2017, 5, 11)
        assert window.registered_until is None  # read from the arrêté, not from the registry
        source = source_of(v, "validity")
        assert source.text == v.legal_text
        assert source.text.nor == "ETSD1110902A"
        assert source.location == "article 4"
        assert source.excerpt == (
            "Les dispositions du présent arrêté sont applicables pour une durée de cinq ans à "
            "compter du 12 mai 2012."
        )
        body = text_of(source.text)
        article_4 = body[body.index("# Article 4") :]
        assert source.excerpt in article_4

    def test_level_codes_and_rncp(self) -> None:
        v = version(self.key)
        assert v.level == Level("III", 5, 5)
        # Article 1 still reads 312 w; the annex reads 312 t (FACTS.md): the annex is shipped.
        assert v.nsf_codes == (NsfCode("312t", "Négociation et vente"),)
        assert source_of(v, "nsf_codes").location == "annexe"
        assert source_of(v, "nsf_codes").excerpt == "Code NSF : 312 t."
        (other,) = contradictions(v, "nsf_codes")
        assert other.location == "article 1"
        assert other.excerpt == "dans le domaine d'activité 312 w (code NSF)"
        assert appears_in_text(other.excerpt, self.key)
        assert [c.code for c in v.rome_codes] == ["D1408", "M1401"]
        assert appears_in_text("D1408-Téléconseil et télévente", self.key)
        assert appears_in_text("M1401-Conduite d'enquêtes", self.key)
        assert v.rncp == "RNCP12505"

    def test_three_ccps_with_their_capacities(self) -> None:
        blocks = version(self.key).blocks
        assert [b.title for b in blocks] == [
            "Gérer l'ensemble des moyens nécessaires aux activités d'une équipe de conseillers "
            "(ères) clientèle à distance",
            "Manager une équipe de conseillers (ères) clientèle à distance",
            "Contribuer à l'amélioration des activités d'un centre de relation client à distance",
        ]
        assert [len(b.competences) for b in blocks] == [3, 4, 3]
        assert blocks[0].competences[0] == "Maîtriser les outils de gestion de la relation client"
        assert blocks[1].competences[3] == (
            "Collecter et transmettre les informations administratives de l'équipe de "
            "conseillers clientèle"
        )
        assert blocks[2].competences[2] == (
            "Rendre compte, être force de proposition auprès de la direction"
        )
        for block in blocks:
            assert appears_in_text(f"{block.number}. {block.title}", self.key)
            for competence in block.competences:
                assert appears_in_text(f"{competence}.", self.key)

    def test_annex_lists(self) -> None:
        v = version(self.key)
        assert v.transversal_competences == (
            "Communiquer efficacement, à l'écrit et à l'oral, en centre de relation client à "
            "distance",
        )
        assert v.sectors[0] == "L'informatique"
        assert v.sectors[-3:] == ("la vente à distance", "l'assistance", "les administrations")
        assert len(v.sectors) == 12
        assert v.sectors_text == (
            "Les différents secteurs d'activités concernés sont principalement :\n"
            "L'informatique, la téléphonie, les banques, les assurances, l'énergie, les "
            "transports, la santé, les mutuelles, le tourisme, la vente à distance, l'assistance "
            "et les administrations..."
        )
        for paragraph in v.sectors_text.split("\n"):
            assert appears_in_text(paragraph, self.key)
        assert v.job_titles[0] == "Manager d'équipe de téléconseillers"
        assert v.job_titles[5] == "Team Leader"
        assert len(v.job_titles) == 7
        assert appears_in_text(", ".join(v.job_titles) + ".", self.key)
        assert v.certifying_authority == "Ministère chargé de l'emploi"
        assert v.regulation == "Néant"
        assert len(v.legal_bases) == 3
        assert v.legal_bases[1].startswith("Arrêté du 9 mars 2006")
        assert v.summary is not None
        assert v.summary.startswith("Le (la) superviseur (se) relation client à distance coordonne")


class TestVersion2007:
    """The original version, from articles 1 and 2 and the whole annex of its arrêté."""

    key = "2007-04-27"
    CAPACITES = (  # the annex, « Capacités attestées », each unité's paragraphs in order
        (
            "Organiser, accompagner, contrôler et planifier l'activité de son équipe pour "
            "garantir l'atteinte des objectifs et améliorer la productivité",
            "Utiliser et piloter un outil de gestion de la relation client pour optimiser les "
            "résultats",
            "S'assurer de l'efficacité de l'ensemble des ressources et supports pour un usage "
            "optimal",
            "Faire appliquer à son équipe les caractéristiques liées au métier et à "
            "l'environnement pour garantir la prise en compte des réglementations spécifiques",
        ),
        (
            "Participer au recrutement, gérer et optimiser les ressources humaines "
            "constitutives de son équipe",
            "Professionnaliser son équipe dans une démarche commerciale",
            "Assurer le management de proximité nécessaire au fonctionnement de son équipe",
            "Collecter et transmettre les informations administratives relatives au personnel "
            "encadré",
            "Animer des formations ponctuelles pour téléconseillers",
        ),
        (
            "Participer à l'élaboration d'une campagne nouvelle",
            "Contribuer à la conception et mettre en oeuvre les outils nécessaires à l'analyse "
            "des activités et à l'amélioration de la qualité du service rendu",
            "Rendre compte, être force de proposition auprès de l'équipe de direction et "
            "assurer la veille et l'information sur l'environnement métier",
        ),
    )

    def test_identity(self) -> None:
        v = version(self.key)
        assert v.title == "superviseur(se) en relations clients à distance"
        assert appears_in_text(f"Titre professionnel : {v.title}.", self.key)
        assert v.former_titles == ()
        assert appears_in_text(f"Le titre professionnel de {v.title} est créé.", self.key)
        assert v.legal_text.date == dt.date(2007, 4, 27)
        assert v.legal_text.nor == "SOCF0753266A"
        assert v.level == Level("III", 5, 5)
        assert appears_in_text("Niveau : III.", self.key)
        assert v.nsf_codes == (NsfCode("312w", None),)
        assert appears_in_text("Code NSF : 312 w.", self.key)
        assert appears_in_text("dans le domaine d'activité 312 w (code NSF)", self.key)

    def test_three_units_as_article_2_words_them(self) -> None:
        blocks = version(self.key).blocks
        assert [b.title for b in blocks] == [
            "Gérer l'ensemble des moyens nécessaires aux activités d'un plateau d'appels",
            "Manager les ressources humaines d'une équipe de téléconseillers (téléconseillères)",
            "Améliorer la qualité de service et contribuer aux évolutions de l'ensemble des "
            "activités d'un centre de relations clients à distance",
        ]
        for block in blocks:
            assert appears_in_text(f"{block.number}. {block.title}.", self.key)
            assert block.rncp_code is None

    @pytest.mark.parametrize("number", [1, 2, 3])
    def test_each_capacite_of_each_unite_as_the_annex_writes_it(self, number: int) -> None:
        block = version(self.key).blocks[number - 1]
        assert block.competences == self.CAPACITES[number - 1]
        body = text_of(version(self.key).legal_text)
        annex = body[body.index("Capacités attestées") : body.index("Secteurs d'activités")]
        for competence in block.competences:
            assert f"\n\n{competence}.\n\n" in annex
        # in the annex's order, under the unité's own heading
        heading = annex.index(f"\n{number}. ")
        positions = [annex.index(f"\n{c}.") for c in block.competences]
        assert heading < positions[0]
        assert positions == sorted(positions)
        if number < 3:
            assert positions[-1] < annex.index(f"\n{number + 1}. ")

    def test_summary_sectors_regulation_authority_and_legal_bases(self) -> None:
        v = version(self.key)
        assert v.summary is not None
        assert v.summary.startswith(
            "Le (la) superviseur(se) est l'encadrant de premier niveau d'une équipe de huit à "
            "douze téléconseillers(ères) exerçant sur un plateau d'appels."
        )
        assert v.summary.endswith("(possibilité de travail les samedis et dimanches).")
        assert len(v.summary.split("\n")) == 7
        for paragraph in v.summary.split("\n"):
            assert appears_in_text(paragraph, self.key)
        assert v.sectors_text == (
            "L'emploi de superviseur(se) en relations clients à distance s'exerce soit dans un "
            "centre de contacts intégré à une entreprise, quel que soit le secteur d'activité, "
            "soit dans un centre de relations clients assurant des campagnes d'appels entrants "
            "et/ou sortants pour le compte de donneurs d'ordre de tous secteurs d'activités. Il "
            "peut accéder par promotion à un emploi de troisième niveau dans la filière tel que "
            "responsable de plateau."
        )
        assert appears_in_text(v.sectors_text, self.key)
        # the paragraph lists no sector and no job: empty, and not unknown
        assert v.sectors == v.job_titles == ()
        assert {"sectors", "job_titles"}.isdisjoint(v.unknown_fields)
        assert source_of(v, "sectors").excerpt == v.sectors_text
        assert v.regulation == "Néant"
        assert appears_in_text("Réglementation de l'activité : Néant.", self.key)
        assert v.certifying_authority == "Ministère chargé de l'emploi"
        assert appears_in_text(
            "Autorité responsable de la certification : Ministère chargé de l'emploi.", self.key
        )
        assert v.legal_bases == (
            "Les articles L. 335-5 et suivants et R. 338-1 et suivants du code de l'éducation",
            "L'arrêté du 9 mars 2006 relatif aux conditions de délivrance du titre "
            "professionnel du ministère chargé de l'emploi",
        )
        assert appears_in_text(" ;\n\n".join(v.legal_bases) + ".", self.key)

    def test_rome_is_awaiting_the_new_nomenclature_which_is_not_none_and_not_unknown(
        self,
    ) -> None:
        v = version(self.key)
        assert v.rome_codes == ()
        assert "rome_codes" not in v.unknown_fields
        source = source_of(v, "rome_codes")
        assert source.location == "annexe"
        assert source.excerpt.endswith("En attente de la nouvelle nomenclature.")
        assert appears_in_text("Code ROME : En attente de la nouvelle nomenclature.", self.key)

    def test_what_no_source_gives_is_unknown(self) -> None:
        v = version(self.key)
        assert v.unknown_fields == frozenset(
            {"rncp", "transversal_competences", "validity", "formacodes"}
        )
        assert v.validity is None
        assert v.rncp is None
        assert v.transversal_competences == ()
        assert "Compétences transversales" not in text_of(v.legal_text)


@pytest.mark.parametrize("v", versions(), ids=lambda v: v.key)
def test_every_text_is_kept_as_written(v: object) -> None:
    """No stray white space around any string fact (text is kept exactly as the source)."""
    from titre_mercd import to_dict

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return []

    for text in strings(to_dict(v)):
        assert text == text.strip()
        assert "  " not in text
