"""Reading France compétences' RNCP export: the real sample, every form of text, hostile files.

The sample (``tests/data/export_fiches_RNCP_V4_1_sample.xml``) holds 12 real fiches of the
export of 16 August 2026; the facts asserted here are read in it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from titre_mercd._registry import creation_arrete, window_from_registry
from titre_mercd._rncp_export import (
    BlocCorrespondence,
    Certifier,
    Coded,
    Fiche,
    Publication,
    export_date_from_name,
    read_fiches,
    split_items,
)
from titre_mercd.exceptions import RegistryExportError

SAMPLE = Path(__file__).parent / "data" / "export_fiches_RNCP_V4_1_sample.xml"
NUMBERS = [
    "RNCP34762", "RNCP35809", "RNCP35625", "RNCP35419", "RNCP37488", "RNCP40344",
    "RNCP36612", "RNCP37674", "RNCP36490", "RNCP35959", "RNCP37873", "RNCP39568",
]  # fmt: skip


@pytest.fixture(scope="module")
def sample() -> dict[str, Fiche]:
    return {f.number: f for f in read_fiches(SAMPLE, keep=lambda _: True)}  # type: ignore[misc]


def test_every_fiche_of_the_sample_is_read_in_order() -> None:
    assert [f.number for f in read_fiches(SAMPLE)] == NUMBERS


def test_every_fiche_has_its_main_fields(sample: dict[str, Fiche]) -> None:
    for fiche in sample.values():
        assert fiche.title
        assert fiche.state
        assert fiche.active is not None
        assert fiche.level is not None
        assert fiche.level.code.startswith("NIV")
        assert fiche.registered_until is not None
        assert fiche.blocs
        assert all(b.code and b.label and b.competences for b in fiche.blocs)
        assert fiche.nsf
        assert fiche.formacodes
        assert fiche.certifiers
    assert [n for n, f in sample.items() if f.is_titre_professionnel] == ["RNCP37674", "RNCP37873"]
    assert sample["RNCP35419"].abrege is None
    assert sample["RNCP35419"].effective_on is None
    assert sample["RNCP34762"].active is False
    assert sample["RNCP34762"].newer == ("RNCP39568",)
    assert sample["RNCP35625"].state == "Modifications à valider par le ministère"


def test_the_web_developer_titre_professionnel_field_by_field(sample: dict[str, Fiche]) -> None:
    fiche = sample["RNCP37674"]
    assert (fiche.number, fiche.id, fiche.title) == (
        "RNCP37674",
        "24208",
        "Développeur web et web mobile",
    )
    assert fiche.abrege == Coded("TP", "Titre professionnel")
    assert (fiche.state, fiche.active) == ("Publiée", True)
    assert fiche.registration_type == "Enregistrement de droit"
    assert fiche.level == Coded("NIV5", "Niveau 5")
    assert (fiche.effective_on, fiche.registered_until) == (
        dt.date(2023, 9, 1),
        dt.date(2028, 9, 1),
    )
    assert fiche.published_on == dt.date(2023, 6, 12)
    assert fiche.decided_on is None
    assert fiche.last_jo_on is None
    assert fiche.delivery_limit is None
    assert fiche.nsf == (Coded("326t", "Programmation, mise en place de logiciels"),)
    assert fiche.rome == (Coded("M1805", "Études et développement informatique"),)
    assert [c.code for c in fiche.formacodes] == ["31090", "46357", "31006", "70710"]
    assert fiche.certifiers == (
        Certifier(
            "11000007200014", "MINISTERE DU TRAVAIL DU PLEIN EMPLOI ET DE L' INSERTION", "Actif"
        ),
    )
    assert [(b.code, b.label) for b in fiche.blocs] == [
        (
            "RNCP37674BC01",
            "Développer la partie front-end d'une application web ou web mobile sécurisée",
        ),
        (
            "RNCP37674BC02",
            "Développer la partie back-end d'une application web ou web mobile sécurisée",
        ),
    ]
    assert fiche.blocs[0].competences == (
        "Installer et configurer son environnement de travail en fonction du projet web ou web mobile",
        "Maquetter des interfaces utilisateur web ou web mobile",
        "Réaliser des interfaces utilisateur statiques web ou web mobile",
        "Développer la partie dynamique des interfaces utilisateur web ou web mobile",
    )
    assert (
        fiche.blocs[1].competences[1]
        == "Développer des composants d'accès aux données SQL et NoSQL"
    )
    assert fiche.blocs[0].evaluation.startswith("Présentation d'un projet réalisé en amont")  # type: ignore[union-attr]
    assert (fiche.former, fiche.newer) == (("RNCP31114",), ())
    assert fiche.correspondences == (
        BlocCorrespondence((), "RNCP31114", ()),
        BlocCorrespondence(("RNCP37674BC01",), "RNCP31114", ("RNCP31114BC01",)),
        BlocCorrespondence(("RNCP37674BC02",), "RNCP31114", ("RNCP31114BC02",)),
    )
    creation = (
        "Arrêté du 26 avril 2023 relatif au titre professionnel de développeur web et web mobile"
    )
    assert fiche.creation == (Publication("CREATION", creation, dt.date(2023, 5, 13)),)
    assert [p.kind for p in fiche.publications] == ["CREATION", "GENERAL", "AUTRE"]
    assert creation_arrete(fiche) == (dt.date(2023, 4, 26), creation, 1)
    assert fiche.regulations == "Sans objet"
    assert fiche.objectives.startswith("Le développeur web et web mobile réalise")  # type: ignore[union-attr]
    assert fiche.activities
    assert fiche.capacities
    assert fiche.sectors
    assert fiche.job_types


def test_the_application_designer_whose_creation_entry_modifies_an_arrete(
    sample: dict[str, Fiche],
) -> None:
    fiche = sample["RNCP37873"]
    assert fiche.title == "Concepteur développeur d'applications"
    assert fiche.is_titre_professionnel
    assert (fiche.effective_on, fiche.registered_until) == (
        dt.date(2023, 12, 18),
        dt.date(2028, 12, 18),
    )
    assert [b.code for b in fiche.blocs] == ["RNCP37873BC01", "RNCP37873BC02", "RNCP37873BC03"]
    assert fiche.blocs[0].competences == (
        "Installer et configurer son environnement de travail en fonction du projet.",
        "Développer des interfaces utilisateur",
        "Développer des composants métier",
        "Contribuer à la gestion d'un projet informatique",
    )
    assert fiche.former == ("RNCP31678",)
    assert fiche.correspondences[0] == BlocCorrespondence(
        ("RNCP37873BC02",), "RNCP31678", ("RNCP31678BC02", "RNCP31678BC03")
    )
    (entry,) = fiche.creation
    assert entry.title.startswith("Arrêté du 20 juin 2023 modifiant l'arrêté du 26 avril 2023")  # type: ignore[union-attr]
    # « modifiant » is not the creation: the key is the date of the arrêté it modifies
    day, title, index = creation_arrete(fiche)  # type: ignore[misc]
    assert (day, index) == (dt.date(2023, 4, 26), 1)
    assert (
        title
        == "arrêté du 26 avril 2023 relatif au titre professionnel de concepteur développeur d'applications"
    )


def test_no_creation_arrete_of_a_titre_professionnel_elsewhere(sample: dict[str, Fiche]) -> None:
    assert [n for n, f in sample.items() if creation_arrete(f)] == ["RNCP37674", "RNCP37873"]


def test_elements_keep_every_value_verbatim_with_its_path(sample: dict[str, Fiche]) -> None:
    elements = dict(sample["RNCP37674"].elements)
    assert elements["BLOCS_COMPETENCES/BLOC_COMPETENCES[1]/LIBELLE"] == (
        "Développer la partie front-end d'une application web ou web mobile sécurisée"
    )
    assert (
        elements["CORRESPONDANCES/CORRESPONDANCE[3]/DESTINATION/BLOC_COMPETENCES[1]/CODE"]
        == "RNCP31114BC02"
    )
    assert (
        elements["PUBLICATION_DECRET_CREATION/PUBLICATION_JO[1]/DATE_PUBLICATION_JO"]
        == "13/05/2023"
    )
    assert len(sample["RNCP37674"].elements) > 2000  # the partners too
    assert next(read_fiches(SAMPLE)).elements == ()  # kept only when asked


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("a  b", ("a", "b")),
        ("a\nb\r\nc", ("a", "b", "c")),
        ("- a   b  - c", ("a   b", "c")),  # the bulleted, flattened form: a run inside an item
        ("* a      * b", ("a", "b")),
        ("- a\n- b\n  suite", ("a", "b\n  suite")),
        ("1. a        * b      * c", ("1. a", "* b", "* c")),
        ("one item only", ("one item only",)),
        ("", ()),
        ("   ", ()),
        (None, ()),
    ],
)
def test_items_of_a_long_text_in_both_forms(text: str | None, items: tuple[str, ...]) -> None:
    assert split_items(text) == items
    assert all(item in (text or "") for item in items)  # verbatim slices


def test_window_from_the_registry_dates() -> None:
    # a titre professionnel: the échéance is the anniversary, read as the exclusive end
    assert window_from_registry(dt.date(2024, 5, 12), dt.date(2029, 5, 12)) == (
        dt.date(2024, 5, 12),
        dt.date(2029, 5, 12),
    )
    # a BTS of the sample: the day before the anniversary, read as the last day
    assert window_from_registry(dt.date(2021, 9, 1), dt.date(2026, 8, 31))[1] == dt.date(2026, 9, 1)
    assert window_from_registry(dt.date(2021, 9, 1), None) == (dt.date(2021, 9, 1), None)


def test_export_date_from_the_file_name() -> None:
    assert export_date_from_name("export_fiches_RNCP_V4_1_2026-08-16.xml") == dt.date(2026, 8, 16)
    assert export_date_from_name("/x/export-fiches-rncp-v4-1-2026-12-01.zip") == dt.date(
        2026, 12, 1
    )
    assert export_date_from_name(str(SAMPLE)) is None
    assert export_date_from_name("export_2026-13-45.xml") is None


def test_the_zip_as_downloaded_is_read_in_place(tmp_path: Path) -> None:
    archive = tmp_path / "export-fiches-rncp-v4-1-2026-08-16.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(SAMPLE, "export_fiches_RNCP_V4_1_2026-08-16.xml")
    assert [f.number for f in read_fiches(archive)] == NUMBERS
    assert list(tmp_path.iterdir()) == [archive]  # nothing extracted


def test_a_fiche_with_every_element_missing_is_read(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text(
        "<FICHES><VERSION_FLUX>4.1</VERSION_FLUX><FICHE/><FICHE><INTITULE> </INTITULE>"
        "<BLOCS_COMPETENCES><BLOC_COMPETENCES/></BLOCS_COMPETENCES><CODES_NSF><NSF/></CODES_NSF>"
        "<DATE_EFFET>31/02/2020</DATE_EFFET><ACTIF>peut-être</ACTIF></FICHE></FICHES>",
        encoding="utf-8",
    )
    empty, odd = read_fiches(path)
    for fiche in (empty, odd):
        assert fiche.number is None
        assert fiche.title is None
        assert fiche.abrege is None
        assert fiche.effective_on is None
        assert fiche.active is None
        assert fiche.level is None
        assert fiche.nsf == ()
        assert fiche.rome == ()
        assert fiche.publications == ()
        assert fiche.creation == ()
        assert not fiche.is_titre_professionnel
    assert empty.blocs == ()
    assert [(b.code, b.label, b.competences) for b in odd.blocs] == [(None, None, ())]


def test_an_export_without_fiches(tmp_path: Path) -> None:
    path = tmp_path / "none.xml"
    path.write_text("<?xml version='1.0'?>\n<FICHES><VERSION_FLUX>4.1</VERSION_FLUX></FICHES>")
    assert list(read_fiches(path)) == []
    path.write_text("<FICHES><AUTRE/></FICHES>")
    with pytest.raises(RegistryExportError, match="neither VERSION_FLUX nor any FICHE"):
        list(read_fiches(path))


def test_a_progress_bar_only_when_asked_or_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    list(read_fiches(SAMPLE))
    assert capsys.readouterr().err == ""  # not a terminal
    list(read_fiches(SAMPLE, progress=True))
    err = capsys.readouterr().err
    assert "Reading the export [" in err
    assert err.endswith("100%\n")
