"""Test exports of this title's lineage, in the format of France compétences' RNCP export.

MADE UP FOR THE TESTS. The fiches of the lineage written here are invented: their numbers
(but RNCP38665 and RNCP12505, whose numbers are real), dates, blocs, bloc codes, labels and
correspondences are test content, not facts, and nothing of them is ever shipped as data. Each
made-up fiche says so in an XML comment and in its OBJECTIFS_CONTEXTE. The unrelated fiches
around them are the real ones of ``tests/data/export_fiches_RNCP_V4_1_sample.xml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

SAMPLE = Path(__file__).parent / "data" / "export_fiches_RNCP_V4_1_sample.xml"
MADE_UP = "MADE UP FOR titre_mercd's TESTS: not a real fiche, never shipped as data"

FICHE_2018 = "RNCP90001"  # made up: no source gives the 2018 version's number
SUCCESSOR = "RNCP38665"

BLOCS_2018 = (
    (
        "Piloter la performance d'une équipe de conseillers client",
        "Participer à la mise en place d'une nouvelle prestation\n"
        "Collecter et analyser les indicateurs de performance pour maintenir la qualité de service\n"
        "Rendre compte de l'activité plateau et être force de proposition",
    ),
    (
        "Assurer le management de proximité d'une équipe de conseillers client",
        "Participer au recrutement et à l'intégration de conseillers client  "
        "Professionnaliser et faire monter en compétence l'équipe de conseillers client  "
        "Entretenir la motivation de l'équipe de conseillers client  "
        "Dynamiser le plateau en initiant et mettant en place une action collective",
    ),
)
BLOCS_2011 = (
    "Gérer l'ensemble des moyens nécessaires aux activités d'une équipe de conseillers (ères) clientèle à distance",
    "Manager une équipe de conseillers (ères) clientèle à distance",
    "Contribuer à l'amélioration des activités d'un centre de relation client à distance",
)
# The successor's blocs (made up): bloc 1 counts for the 2018 bloc 2, bloc 2 for the 2018
# bloc 1; bloc 3 is new.
BLOCS_SUCCESSOR = (
    (
        "Manager une équipe de conseillers client à distance (inventé)",
        "- Recruter et intégrer des conseillers client\n- Animer l'équipe au quotidien",
    ),
    (
        "Piloter l'activité d'un centre de relation client (inventé)",
        "* Suivre les indicateurs de performance      * Rendre compte de l'activité",
    ),
    (
        "Accompagner le changement en relation client (inventé)",
        "Conduire un projet d'amélioration\nFormer les conseillers aux nouveaux outils",
    ),
)


def _element(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{escape(value)}</{tag}>"


def _codes(container: str, item: str, codes: list[tuple[str, str]]) -> str:
    inner = "".join(
        f"<{item}><CODE>{escape(c)}</CODE><LIBELLE>{escape(label)}</LIBELLE></{item}>"
        for c, label in codes
    )
    return f"<{container}>{inner}</{container}>"


def _blocs(number: str, blocs: list[tuple[str, str]], codes: bool = True) -> str:
    inner = "".join(
        "<BLOC_COMPETENCES>"
        + (f"<CODE>{number}BC{i:02d}</CODE>" if codes else "")
        + f"<LIBELLE>{escape(label)}</LIBELLE>"
        + f"<LISTE_COMPETENCES>{escape(competences)}</LISTE_COMPETENCES>"
        + "<MODALITES_EVALUATION>Mise en situation professionnelle (inventé)</MODALITES_EVALUATION>"
        + "</BLOC_COMPETENCES>"
        for i, (label, competences) in enumerate(blocs, start=1)
    )
    return f"<BLOCS_COMPETENCES>{inner}</BLOCS_COMPETENCES>"


def made_up_fiche(
    number: str,
    title: str,
    *,
    active: bool,
    effet: str | None,
    fin: str | None,
    creation: str | None,
    nsf: list[tuple[str, str]],
    rome: list[tuple[str, str]],
    blocs: list[tuple[str, str]],
    formacodes: list[tuple[str, str]] = (),  # type: ignore[assignment]
    bloc_codes: bool = True,
    former: list[str] = (),  # type: ignore[assignment]
    newer: list[str] = (),  # type: ignore[assignment]
    correspondences: list[tuple[list[str], str, list[str]]] = (),  # type: ignore[assignment]
) -> str:
    """One made-up ``FICHE`` of a titre professionnel, in the export's element order."""
    parts = [
        f"<FICHE><!-- {MADE_UP} -->",
        "<ID_FICHE>990001</ID_FICHE>",
        f"<NUMERO_FICHE>{number}</NUMERO_FICHE>",
    ]
    if newer:
        parts.append(
            "<NOUVELLES_CERTIFICATIONS>"
            + "".join(
                f"<NOUVELLE_CERTIFICATION><ID_FICHE_NOUVELLE_CERTIFICATION>{n}"
                "</ID_FICHE_NOUVELLE_CERTIFICATION></NOUVELLE_CERTIFICATION>"
                for n in newer
            )
            + "</NOUVELLES_CERTIFICATIONS>"
        )
    if former:
        parts.append(
            "<ANCIENNES_CERTIFICATIONS>"
            + "".join(
                f"<ANCIENNE_CERTIFICATION><ID_FICHE_ANCIENNE_CERTIFICATION>{n}"
                "</ID_FICHE_ANCIENNE_CERTIFICATION></ANCIENNE_CERTIFICATION>"
                for n in former
            )
            + "</ANCIENNES_CERTIFICATIONS>"
        )
    parts += [
        _element("INTITULE", title),
        "<ABREGE><CODE>TP</CODE><LIBELLE>Titre professionnel</LIBELLE></ABREGE>",
        _element("ETAT_FICHE", "Publiée" if active else "Dépubliée/Archivée"),
        "<NOMENCLATURE_EUROPE><NIVEAU>NIV5</NIVEAU><LIBELLE>Niveau 5</LIBELLE></NOMENCLATURE_EUROPE>",
        _codes("CODES_NSF", "NSF", nsf),
        "<CERTIFICATEURS><CERTIFICATEUR><SIRET_CERTIFICATEUR>11000007200014</SIRET_CERTIFICATEUR>"
        "<NOM_CERTIFICATEUR>MINISTERE DU TRAVAIL (inventé)</NOM_CERTIFICATEUR>"
        "<ETAT_CERTIFICATEUR>Actif</ETAT_CERTIFICATEUR></CERTIFICATEUR></CERTIFICATEURS>",
        _codes("CODES_ROME", "ROME", rome),
        _codes("FORMACODES", "FORMACODE", formacodes) if formacodes else "",
        "<REGLEMENTATIONS_ACTIVITES>Sans objet</REGLEMENTATIONS_ACTIVITES>",
    ]
    if creation is not None:
        parts.append(
            "<PUBLICATION_DECRET_CREATION><PUBLICATION_JO>"
            f"<TITRE>{escape(creation)}</TITRE><DATE_PUBLICATION_JO>01/01/2019"
            "</DATE_PUBLICATION_JO></PUBLICATION_JO></PUBLICATION_DECRET_CREATION>"
        )
    parts += [
        _element("DATE_FIN_ENREGISTREMENT", fin),
        _element("DATE_EFFET", effet),
        "<TYPE_ENREGISTREMENT>Enregistrement de droit</TYPE_ENREGISTREMENT>",
        _blocs(number, blocs, bloc_codes),
        _element("OBJECTIFS_CONTEXTE", MADE_UP),
        _element("ACTIF", "Oui" if active else "Non"),
    ]
    if correspondences:
        rows = []
        for sources, fiche, destinations in correspondences:
            rows.append(
                "<CORRESPONDANCE>"
                + (
                    "<SOURCE>"
                    + "".join(
                        f"<BLOC_COMPETENCES><CODE>{c}</CODE></BLOC_COMPETENCES>" for c in sources
                    )
                    + "</SOURCE>"
                    if sources
                    else ""
                )
                + f"<DESTINATION><NUMERO_FICHE>{fiche}</NUMERO_FICHE>"
                + "".join(
                    f"<BLOC_COMPETENCES><CODE>{c}</CODE></BLOC_COMPETENCES>" for c in destinations
                )
                + "</DESTINATION></CORRESPONDANCE>"
            )
        parts.append(f"<CORRESPONDANCES>{''.join(rows)}</CORRESPONDANCES>")
    parts.append("</FICHE>")
    return "\n".join(p for p in parts if p)


# RNCP38665's Formacodes, as FACTS.md gives them (section « Versions of the title »); one is
# written with a space, as a person may type it, to exercise the import's normalisation.
FORMACODES_RNCP38665 = (
    ("34026", "Développement sens commercial"),
    ("34 027", "Service après-vente"),
    ("34507", "Vente à distance"),
    ("34076", "Gestion relation client"),
)

SUCCESSOR_CREATION = (
    "Arrêté du 20 mars 2024 modifiant l'arrêté du 23 février 2024 relatif au titre "
    "professionnel de manager d'équipe relation client à distance"
)


def lineage_fiches(
    *,
    successor: bool = True,
    rome_label_m1401: str = "Conduite d'enquêtes",
    successor_creation: str | None = SUCCESSOR_CREATION,
    successor_correspondences: bool = True,
) -> list[str]:
    """The lineage, made up: the 2011 fiche, the inactive 2018 fiche and its successor.

    ``successor_correspondences=False``: the successor's fiche has no ``CORRESPONDANCES``.
    """
    fiche_2011 = made_up_fiche(
        "RNCP12505",
        "Superviseur(se) relation client à distance",
        active=False,
        effet="12/05/2012",
        fin="12/05/2017",
        creation=None,
        nsf=[("312t", "Négociation et vente")],
        rome=[("D1408", "Téléconseil et télévente"), ("M1401", rome_label_m1401)],
        blocs=[(title, "") for title in BLOCS_2011],
        bloc_codes=False,
    )
    fiche_2018 = made_up_fiche(
        FICHE_2018,
        "Manager d'équipe relation client à distance",
        active=False,
        effet="12/05/2019",
        fin="12/05/2024",
        creation="Arrêté du 11 décembre 2018 relatif au titre professionnel de manager "
        "d'équipe relation client à distance",
        nsf=[("312t", "Négociation et vente")],
        rome=[
            ("D1408", "Téléconseil et télévente"),
            ("M1401", rome_label_m1401),
            ("M1704", "Management relation clientèle"),
        ],
        blocs=list(BLOCS_2018),
        newer=[SUCCESSOR] if successor else [],
    )
    fiches = [fiche_2011, fiche_2018]
    if successor:
        fiches.append(
            made_up_fiche(
                SUCCESSOR,
                "Manager d'équipe relation client à distance",
                active=True,
                effet="12/05/2024",
                fin="12/05/2029",
                creation=successor_creation,
                nsf=[("312t", "Négociation et vente")],
                rome=[
                    ("D1408", "Téléconseil et télévente"),
                    ("M1704", "Management relation clientèle"),
                    ("E1999", "Métier inventé pour les tests"),
                ],
                formacodes=list(FORMACODES_RNCP38665),
                blocs=list(BLOCS_SUCCESSOR),
                former=[FICHE_2018],
                correspondences=[
                    ([], FICHE_2018, []),
                    ([f"{SUCCESSOR}BC01"], FICHE_2018, [f"{FICHE_2018}BC02"]),
                    ([f"{SUCCESSOR}BC02"], FICHE_2018, [f"{FICHE_2018}BC01"]),
                ]
                if successor_correspondences
                else [],
            )
        )
    return fiches


def sample_fiches() -> list[str]:
    """The real fiches of the sample, as they are written there."""
    text = SAMPLE.read_text(encoding="utf-8")
    return re.findall(r"<FICHE>.*?</FICHE>", text, flags=re.DOTALL)


def write_export(path: Path, fiches: list[str]) -> Path:
    """An export of ``fiches`` at ``path``: the sample's fiches around them, as the registry does."""
    unrelated = sample_fiches()
    middle = len(unrelated) // 2
    body = "\n".join([*unrelated[:middle], *fiches, *unrelated[middle:]])
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f"<!-- {MADE_UP}: the lineage's fiches -->\n"
        f"<FICHES>\n<VERSION_FLUX>4.1</VERSION_FLUX>\n{body}\n</FICHES>\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------- hostile shapes

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<FICHES>\n<VERSION_FLUX>4.1</VERSION_FLUX>\n'
# Each shape, and the size of it the issue measured (« No file lost, no input trusted »).
HOSTILE_SHAPES = {
    "one text": "one text node of MB in an unrelated fiche, then the lineage",
    "other elements": "MB of elements that are not FICHE under the root, then the lineage",
    "wrapped": "MB of the sample's fiches, the lineage among them, all in another element",
    "links": "fiches of 10 links each (MB ÷ 1.1 kB of them), then the lineage",
    "deep": "nesting MB ÷ 7 bytes deep (<a>…</a>) under the root",
    "lineage": "MB ÷ 3 kB fiches, all of this title's lineage",
}
ISSUE_SIZES_MB = {
    "one text": 300,
    "other elements": 20,
    "wrapped": 80,
    "links": 1000,  # 900,000 fiches
    "deep": 21,  # 3,000,000 deep
    "lineage": 60,  # 20,000 fiches
}


def write_hostile(path: Path, shape: str, size_mb: float) -> Path:  # noqa: C901  (one per shape)
    """Write at ``path`` an export of ``shape`` (see HOSTILE_SHAPES), about ``size_mb`` MB.

    Written as it is generated, a piece at a time: nothing of its size is held in memory.
    """
    size = int(size_mb * 1_000_000)
    lineage = "\n".join(lineage_fiches()) + "\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        if shape == "one text":
            out.write("<FICHE><NUMERO_FICHE>RNCP900001</NUMERO_FICHE><OBJECTIFS_CONTEXTE>")
            _repeat(out, "Texte sans fin. " * 4096, size)
            out.write("</OBJECTIFS_CONTEXTE></FICHE>\n" + lineage)
        elif shape == "other elements":
            _pieces(out, "<AUTRE><VALEUR>une valeur</VALEUR></AUTRE>\n", size)
            out.write(lineage)
        elif shape == "wrapped":
            out.write("<LOT>\n")
            written, fiches, number = 0, sample_fiches(), 900_000
            while written < size:
                for fiche in fiches:
                    renumbered = re.sub(
                        r"<NUMERO_FICHE>[^<]+</NUMERO_FICHE>",
                        f"<NUMERO_FICHE>RNCP{number}</NUMERO_FICHE>",
                        fiche,
                    )
                    out.write(renumbered + "\n")
                    written += len(renumbered)
                    number += 1
                if lineage and written >= size // 2:
                    out.write(lineage)
                    lineage = ""
            out.write(lineage + "</LOT>\n")
        elif shape == "links":
            for number in range(100_000, 100_000 + max(1, size // 1100)):
                named = "".join(
                    "<ANCIENNE_CERTIFICATION><ID_FICHE_ANCIENNE_CERTIFICATION>"
                    f"RNCP{(number * 7 + k) % 900_000 + 100_000}"
                    "</ID_FICHE_ANCIENNE_CERTIFICATION></ANCIENNE_CERTIFICATION>"
                    for k in range(10)
                )
                out.write(
                    f"<FICHE><NUMERO_FICHE>RNCP{number}</NUMERO_FICHE>"
                    f"<ANCIENNES_CERTIFICATIONS>{named}</ANCIENNES_CERTIFICATIONS></FICHE>\n"
                )
            out.write(lineage)
        elif shape == "deep":
            depth = max(1, size // 7)
            _repeat(out, "<a>" * 10_000, 3 * depth)
            _repeat(out, "</a>" * 10_000, 4 * depth)
        elif shape == "lineage":
            fiche = made_up_fiche(
                "RNCP{}",
                "Manager d'équipe relation client à distance",
                active=False,
                effet="12/05/2019",
                fin="12/05/2024",
                creation=None,
                nsf=[],
                rome=[],
                blocs=list(BLOCS_2018),
            )
            for number in range(100_000, 100_000 + max(1, size // len(fiche))):
                out.write(fiche.replace("RNCP{}", f"RNCP{number}") + "\n")
        else:
            raise ValueError(f"no such shape {shape!r}: one of {', '.join(HOSTILE_SHAPES)}")
        out.write("</FICHES>\n")
    return path


def _repeat(out: Any, piece: str, size: int) -> None:
    """Write ``piece`` again and again, ``size`` characters in all (the last one cut)."""
    while size > 0:
        out.write(piece[:size])
        size -= len(piece)


def _pieces(out: Any, piece: str, size: int) -> None:
    """Write ``piece`` whole, again and again, until at least ``size`` characters."""
    while size > 0:
        out.write(piece)
        size -= len(piece)
