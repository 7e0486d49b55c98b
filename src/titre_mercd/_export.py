"""Exports: the whole data set as JSON, as CSV tables, as schema.org JSON-LD, and as graphs.

- JSON: every record through :func:`titre_mercd.to_dict`, with ``DATA_VERSION``, the lineage's
  intervals no text covers and its fiches registered but not in the data, and the source of
  every fact; ``schemas/dataset.schema.json`` in the package describes it.
- CSV: the tables a spreadsheet user wants (:data:`CSV_TABLES`); the main one,
  ``competences``, has one row per bloc and capacité.
- JSON-LD: one schema.org ``EducationalOccupationalCredential`` per version.
- Mermaid and Graphviz DOT: the lineage of the versions and the correspondence tables as one
  graph, for READMEs and documentation.

Every function here is pure: it returns text or plain data and writes nothing but to the
stream it is given.
"""

from __future__ import annotations

import textwrap
from typing import IO, TYPE_CHECKING, Any, Callable

import attrs

from . import _records
from ._fields import held_in_tuple, record_class, rendered_by
from ._referentiel import dataset, source_of, versions

if TYPE_CHECKING:
    import datetime as dt

    from ._format import SourceKey
    from ._records import Block, CertificationVersion, Correspondence, LegalText

__all__ = [
    "CSV_TABLES",
    "MAIN_TABLE",
    "csv_table",
    "dataset_document",
    "dot",
    "jsonld_document",
    "mermaid",
    "render",
    "write_csv",
]

CSV_TABLES = ("competences", "versions", "blocks", "codes", "correspondences")
"""The CSV tables, the main one first."""

MAIN_TABLE = "competences"
"""The table written when none is named: one row per bloc and capacité attestée."""

LIST_SEPARATOR = " | "
"""What joins the items of a list inside one CSV cell."""

_GRAPH_LABEL_WIDTH = 40


# ---------------------------------------------------------------- JSON


def dataset_document() -> dict[str, Any]:
    """The whole data set as plain data: versions, tables, nomenclatures and sources.

    >>> document = dataset_document()
    >>> [v["key"] for v in document["versions"]]
    ['2007-04-27', '2011-06-01', '2018-12-11']
    >>> document["correspondence_tables"][0]["rows"][1]["new"]["number"]
    2
    """
    import titre_mercd

    from ._converter import to_dict

    data = dataset()
    return {
        "data_version": data.data_version,
        "titre_mercd_version": titre_mercd.__version__,
        "versions": [to_dict(v) for v in data.versions],
        "correspondence_tables": [
            {"old_key": old, "new_key": new, "rows": [to_dict(row) for row in rows]}
            for (old, new), rows in _tables()
        ],
        "rome_codes": [to_dict(c) for c in data.rome_by_code.values()],
        "nsf_codes": [to_dict(c) for c in data.nsf_by_code.values()],
        "levels": [to_dict(level) for level in data.levels],
        "gaps": [to_dict(gap) for gap in data.gaps],
        "registered": [to_dict(fiche) for fiche in data.registered_by_rncp.values()],
        "sources": _sources(to_dict),
        "other_wordings": [
            {"block": f"{key}/{number}", "title": title, "source": to_dict(source)}
            for (key, number), wordings in sorted(data.other_wordings.items())
            for title, source in wordings
        ],
        "contradictions": [
            {
                "record": at.record,
                "key": at.key,
                "field": at.field,
                "reads": r,
                "source": to_dict(s),
            }
            for at, readings in sorted(data.contradictions.items(), key=_source_order)
            for r, s in readings
        ],
    }


def _source_order(item: tuple[SourceKey, object]) -> tuple[str, str, str]:
    return (item[0].record, item[0].key, item[0].field)


def _tables() -> list[tuple[tuple[str, str], tuple[Correspondence, ...]]]:
    """Every correspondence table, in the order of the versions."""
    order = {v.key: i for i, v in enumerate(versions())}
    return sorted(dataset().tables.items(), key=lambda item: (order[item[0][0]], order[item[0][1]]))


def _sources(to_dict: Callable[[object], dict[str, Any]]) -> list[dict[str, Any]]:
    """The source of every fact that has one, named by record, key and field."""
    data = dataset()
    named: list[tuple[str, str | None, attrs.AttrsInstance]] = []
    for v in data.versions:
        named.append(("version", v.key, v))
        named.extend(("block", b.ref, b) for b in v.blocks)
    named.extend(("rome", c.code, c) for c in data.rome_by_code.values())
    named.extend(("nsf", c.code, c) for c in data.nsf_by_code.values())
    if data.levels:  # the level table has one source per column, for all its rows
        named.append(("levels", None, data.levels[0]))
    named.extend(("registered", f.rncp, f) for f in data.registered_by_rncp.values())
    entries = []
    for kind, key, record in named:
        for field in attrs.fields(type(record)):
            try:
                source = source_of(record, field.name)
            except LookupError:
                continue
            entries.append(
                {"record": kind, "key": key, "field": field.name, "source": to_dict(source)}
            )
    return entries


# ---------------------------------------------------------------- CSV


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (tuple, frozenset)):
        items = sorted(value) if isinstance(value, frozenset) else value
        return LIST_SEPARATOR.join(_text(item) for item in items)
    return str(value)


def _competence_rows(v: CertificationVersion) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for b in v.blocks:
        numbered: list[tuple[int | None, str | None]] = [*enumerate(b.competences, 1)]
        numbered = numbered or [(None, None)]
        rows.extend(
            (v.key, v.title, str(b.number), b.title, _text(n), _text(c)) for n, c in numbered
        )
    return rows


def _columns(cls: type, prefix: str = "") -> list[tuple[str, Callable[[Any], object]]]:
    """The CSV columns of a record class, each with what reads its cell from a record.

    A record held in a field spreads over one column per field of its own (``legal_text_nor``);
    a list of codes is its codes (the ``codes`` table gives their labels), a list of blocs their
    count (the ``blocks`` table gives them).
    """
    columns: list[tuple[str, Callable[[Any], object]]] = []
    for name, declared in rendered_by(cls, "csv"):
        header = prefix + (declared.column or name)  # the column it declares, or its name
        held = record_class(cls, name)
        if held is not None and not held_in_tuple(cls, name):
            columns.extend((h, _read(name, read)) for h, read in _columns(held, header + "_"))
        elif held is not None:  # a list of blocs: their count; of codes: the codes
            count = held is _records.Block
            columns.append((header, _read(name, len if count else _code_list)))
        else:
            columns.append((header, _read(name)))
    return columns


def _code_list(codes: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(c.code for c in codes)


def _read(name: str, then: Callable[[Any], object] | None = None) -> Callable[[Any], object]:
    """What reads field ``name`` of a record, then ``then`` of its value unless it is ``None``."""
    if then is None:
        return lambda record: getattr(record, name)
    return lambda record: None if getattr(record, name) is None else then(getattr(record, name))


def _cells(columns: list[tuple[str, Callable[[Any], object]]], record: Any) -> tuple[str, ...]:
    return tuple(_text(read(record)) for _, read in columns)


def _code_fields() -> list[tuple[str, str]]:
    """The version fields that list codes, with the system each names (its label)."""
    from ._records import CertificationVersion

    return [
        (name, declared.label)
        for name, declared in rendered_by(CertificationVersion, "csv")
        if held_in_tuple(CertificationVersion, name)
        and "code" in attrs.fields_dict(record_class(CertificationVersion, name) or object)
    ]


def _code_rows(v: CertificationVersion) -> list[tuple[str, ...]]:
    """One row per code a version lists, with its label, then its fiche RNCP."""
    rows: list[tuple[str, ...]] = [
        (v.key, system, c.code, _text(c.label))
        for name, system in _code_fields()
        for c in getattr(v, name)
    ]
    if v.rncp is not None:
        rows.append((v.key, "RNCP", v.rncp, ""))
    return rows


def _correspondence_row(row: Correspondence, new_key: str) -> tuple[str, ...]:
    """A row of a table: the old bloc, the new one it counts as (if any), and the source."""
    new: Block | None = row.new
    return (
        row.old.version_key,
        str(row.old.number),
        row.old.title,
        new_key if new is None else new.version_key,
        "" if new is None else str(new.number),
        "" if new is None else new.title,
        row.source.text.title,
        row.source.location,
        row.source.excerpt,
    )


_HEADERS = {
    "competences": (
        "version_key",
        "version_title",
        "bloc_number",
        "bloc_title",
        "competence_number",
        "competence",
    ),
    "codes": ("version_key", "system", "code", "label"),
    "correspondences": (
        "old_key",
        "old_number",
        "old_title",
        "new_key",
        "new_number",
        "new_title",
        "source_text",
        "source_location",
        "source_excerpt",
    ),
}


def csv_table(name: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The header and rows of the CSV table ``name`` (one of :data:`CSV_TABLES`).

    Lists are joined with ``" | "``. An empty cell is either a fact no source gives or one
    the text says is empty: the ``versions`` table's ``unknown_fields`` column names the
    fields no source gives, so an empty cell of a field it does not name is « none ».

    Raises:
        KeyError: ``name`` is not one of :data:`CSV_TABLES`.

    >>> header, rows = csv_table("codes")
    >>> header, rows[0]
    (('version_key', 'system', 'code', 'label'), ('2007-04-27', 'NSF', '312w', ''))
    """
    from ._records import Block, CertificationVersion

    if name in ("versions", "blocks"):
        columns = _columns(CertificationVersion if name == "versions" else Block)
        if name == "versions":
            at = next(i for i, (h, _) in enumerate(columns) if h.startswith("validity_")) + 1
            while columns[at][0].startswith("validity_"):
                at += 1
            columns.insert(at, ("validity_not_known", _not_known_after))
        records = versions() if name == "versions" else [b for v in versions() for b in v.blocks]
        return tuple(h for h, _ in columns), [_cells(columns, r) for r in records]
    if name == "correspondences":
        rows = [_correspondence_row(row, new_key) for (_, new_key), t in _tables() for row in t]
        return _HEADERS[name], rows
    per_version = {"competences": _competence_rows, "codes": _code_rows}[name]
    return _HEADERS[name], [row for v in versions() for row in per_version(v)]


def _not_known_after(v: CertificationVersion) -> str | None:
    """The days after ``v``'s window that no text covers, « START/LAST_DAY », or ``None``.

    On those days whether ``v`` is in force is not known (SPEC rule 1), not « no ».
    """
    window = v.validity
    if window is None or window.end is None:
        return None
    return next(
        (f"{gap.start}/{gap.last_day}" for gap in dataset().gaps if gap.start == window.end),
        None,
    )


def write_csv(name: str, stream: IO[str], sep: str = ",") -> None:
    """Write the CSV table ``name`` to ``stream`` (opened with ``newline=""``).

    A cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return) is written with a ``'`` before it
    (:func:`titre_mercd._cells.csv_text`): the JSON export gives every value exactly.

    >>> import io
    >>> out = io.StringIO(newline="")
    >>> write_csv("blocks", out, ";")
    >>> out.getvalue().splitlines()[0]
    'version_key;number;title;competences;rncp_code'
    """
    import csv

    from ._cells import csv_text

    header, rows = csv_table(name)
    writer = csv.writer(stream, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_text(cell) for cell in row] for row in rows)


# ---------------------------------------------------------------- JSON-LD, schema.org terms


def _defined_term(name: str, code: str | None, term_set: str) -> dict[str, Any]:
    term: dict[str, Any] = {"@type": "DefinedTerm", "name": name}
    if code is not None:
        term["termCode"] = code
    term["inDefinedTermSet"] = {"@type": "DefinedTermSet", "name": term_set}
    return term


def _duration(start: dt.date, end: dt.date) -> str:
    """An ISO 8601 duration from ``start`` to ``end``: whole years when it is, else days."""
    years = end.year - start.year
    if years > 0 and (end.month, end.day) == (start.month, start.day):
        return f"P{years}Y"
    return f"P{(end - start).days}D"


def _legislation(text: LegalText) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "Legislation",
        "name": text.title,
        "legislationType": text.kind,
    }
    if text.date is not None:
        node["legislationDate"] = text.date.isoformat()
    if text.nor is not None:
        node["legislationIdentifier"] = text.nor
    if text.consolidated_on is not None:
        node["legislationDateVersion"] = text.consolidated_on.isoformat()
    return node


def _competencies(v: CertificationVersion) -> list[Any]:
    """Each bloc as a term, each capacité as a term of its bloc's set, then the transversal ones."""
    required: list[Any] = []
    for b in v.blocks:
        required.append(
            {
                "@type": "DefinedTerm",
                "name": b.title,
                "termCode": b.rncp_code or b.ref,
                "identifier": b.ref,
            }
        )
        required.extend(
            {
                "@type": "DefinedTerm",
                "name": competence,
                "inDefinedTermSet": {"@type": "DefinedTermSet", "name": b.title},
            }
            for competence in b.competences
        )
    required.extend(v.transversal_competences)
    return required


def _levels(v: CertificationVersion) -> list[dict[str, Any]]:
    level = v.level
    if level is None:
        return []
    return [
        _defined_term(f"{prefix} {code}", code, term_set)
        for prefix, code, term_set in (
            ("niveau", level.france_1969, "Nomenclature de 1969"),
            (
                "niveau",
                str(level.france_2019),
                "Cadre national des certifications professionnelles (décret n° 2019-14)",
            ),
            ("EQF", str(level.eqf), "European Qualifications Framework (EQF)"),
        )
        if code is not None
    ]


def _occupations(v: CertificationVersion) -> list[dict[str, Any]]:
    occupations: list[dict[str, Any]] = [
        {
            "@type": "Occupation",
            "name": c.label,
            "occupationalCategory": {
                "@type": "CategoryCode",
                "codeValue": c.code,
                "name": c.label,
                "inCodeSet": {
                    "@type": "CategoryCodeSet",
                    "name": "ROME (répertoire opérationnel des métiers et des emplois)",
                },
            },
        }
        for c in v.rome_codes
    ]
    occupations.extend({"@type": "Occupation", "name": title} for title in v.job_titles)
    return occupations


def _credential(v: CertificationVersion) -> dict[str, Any]:
    identifiers = [{"@type": "PropertyValue", "propertyID": "titre_mercd key", "value": v.key}]
    if v.rncp is not None:
        identifiers.append({"@type": "PropertyValue", "propertyID": "RNCP", "value": v.rncp})
    node: dict[str, Any] = {
        "@type": "EducationalOccupationalCredential",
        "name": v.title,
        "alternateName": list(v.former_titles),
        "description": v.summary,
        "inLanguage": "fr",
        "identifier": identifiers,
        "credentialCategory": {"@type": "DefinedTerm", "name": "titre professionnel"},
        "isBasedOn": _legislation(v.legal_text),
        # The version exists from its window's first day (2018: « créée pour cinq ans à
        # compter du 12 mai 2019 », article 1), not from the arrêté's date (``isBasedOn``).
        "dateCreated": None if v.validity is None else v.validity.start.isoformat(),
        "educationalLevel": _levels(v),
        "about": [
            _defined_term(
                c.label or c.code, c.code, "NSF (nomenclature des spécialités de formation)"
            )
            for c in v.nsf_codes
        ],
        "competencyRequired": _competencies(v),
        **_validity(v),
        "recognizedBy": None
        if v.certifying_authority is None
        else {"@type": "Organization", "name": v.certifying_authority},
        # An Occupation names the credentials it needs in its ``qualifications``: read
        # backwards from the credential, that is where its occupations go.
        "@reverse": {"qualifications": _occupations(v)},
    }
    if not node["@reverse"]["qualifications"]:
        del node["@reverse"]
    until = None if v.validity is None else v.validity.registered_until
    node["additionalProperty"] = [
        *_property(
            "unknown_fields",
            "Fields no shipped source gives (titre_mercd field names)",
            sorted(v.unknown_fields),
        ),
        *_property(
            "validity_not_known",
            "Days on which whether it is in force is not known (no text found covers them)",
            _not_known_after(v),
        ),
        *_property(
            "registered_until",
            "Date d'échéance de l'enregistrement, as the RNCP registry gives it",
            None if until is None else until.isoformat(),
        ),
        *_other_fields(v),
    ]
    # What no source gives is left out rather than written as null or an empty list.
    return {name: value for name, value in node.items() if value not in (None, [])}


# The version fields :func:`_credential` gives a schema.org term; every other field goes
# into ``additionalProperty`` under its name and label (:func:`_other_fields`).
_SCHEMA_ORG_TERMS = frozenset(
    {
        "key",  # identifier
        "title",  # name
        "former_titles",  # alternateName
        "legal_text",  # isBasedOn
        "validity",  # temporalCoverage, validFor, dateCreated (and registered_until)
        "level",  # educationalLevel
        "nsf_codes",  # about
        "rome_codes",  # occupations' qualifications
        "rncp",  # identifier
        "blocks",  # competencyRequired
        "transversal_competences",  # competencyRequired
        "job_titles",  # occupations' qualifications
        "summary",  # description
        "certifying_authority",  # recognizedBy
        "unknown_fields",  # additionalProperty of its own
    }
)


def _property(property_id: str, name: str, value: object) -> list[dict[str, Any]]:
    """A ``PropertyValue`` (in a list), or none when ``value`` is not given or empty."""
    if value in (None, []):
        return []
    return [{"@type": "PropertyValue", "propertyID": property_id, "name": name, "value": value}]


def _other_fields(v: CertificationVersion) -> list[dict[str, Any]]:
    """The fields schema.org has no term for, each as a ``PropertyValue``, when not empty."""
    from ._converter import CONVERTER
    from ._records import CertificationVersion

    return [
        found  # plain data: texts, codes and labels
        for name, declared in rendered_by(CertificationVersion, "jsonld")
        if name not in _SCHEMA_ORG_TERMS and getattr(v, name) not in (None, ())
        for found in _property(name, declared.label, CONVERTER.unstructure(getattr(v, name)))
    ]


def _validity(v: CertificationVersion) -> dict[str, str]:
    window = v.validity
    if window is None:
        return {}
    last_day = window.last_day
    validity = {"temporalCoverage": f"{window.start}/{'..' if last_day is None else last_day}"}
    if window.end is not None:
        validity["validFor"] = _duration(window.start, window.end)
    return validity


def jsonld_document() -> dict[str, Any]:
    """The versions as schema.org JSON-LD: one ``EducationalOccupationalCredential`` each.

    Name, category (« titre professionnel »), level (1969, 2019 and EQF), competencies (the
    blocs and their capacités), occupations (ROME fiches and job titles, which name the
    credential among their ``qualifications``), validity (``temporalCoverage`` and
    ``validFor``), the certifying authority (``recognizedBy``) and the legal text
    (``isBasedOn``, a ``Legislation``), the first day of the version (``dateCreated``, from
    its validity window) and the fields no source gives (``additionalProperty``
    ``unknown_fields``, absent when every field is known). Facts no source gives are left
    out; facts the text says are empty too, and ``unknown_fields`` tells the two apart.

    >>> document = jsonld_document()
    >>> document["@context"], len(document["@graph"])
    ('https://schema.org', 3)
    >>> document["@graph"][2]["validFor"], document["@graph"][2]["temporalCoverage"]
    ('P5Y', '2019-05-12/2024-05-11')
    """
    return {"@context": "https://schema.org", "@graph": [_credential(v) for v in versions()]}


# ---------------------------------------------------------------- graphs


def _lines(text: str) -> list[str]:
    return textwrap.wrap(text, _GRAPH_LABEL_WIDTH, break_on_hyphens=False) or [""]


def _graph_parts() -> tuple[list[CertificationVersion], list[tuple[str, str, Correspondence]]]:
    """The versions, and each row of each table with the keys of its table."""
    rows = [(old, new, row) for (old, new), table in _tables() for row in table]
    return list(versions()), rows


_MERMAID_ESCAPES = str.maketrans(
    {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;"}
)


def _mermaid_text(text: str) -> str:
    return text.translate(_MERMAID_ESCAPES)


def _mermaid_label(text: str) -> str:
    return "<br>".join(_mermaid_text(line) for line in _lines(text))


def _mermaid_id(*parts: object) -> str:
    return "_".join(str(p).replace("-", "_") for p in parts)


def mermaid() -> str:
    """The lineage of the versions and the correspondence tables as a Mermaid flowchart.

    Each version is a box holding its blocs; thick arrows join the versions in order, plain
    arrows lead from an old bloc to the new one it counts as (labelled with the article),
    dotted ones to « Aucune correspondance ».

    >>> print(mermaid().splitlines()[0])
    flowchart LR
    """
    all_versions, rows = _graph_parts()
    lines = ["flowchart LR", f"  %% titre_mercd data {dataset().data_version}"]
    for v in all_versions:
        title = _mermaid_label(f"{v.key} · {v.title}")
        lines.append(f'  subgraph {_mermaid_id("v", v.key)}["{title}"]')
        for b in v.blocks:
            label = _mermaid_label(f"CCP {b.number} · {b.title}")
            lines.append(f'    {_mermaid_id("b", b.version_key, b.number)}["{label}"]')
        lines.append("  end")
    lines.extend(
        f"  {_mermaid_id('v', old.key)} ==> {_mermaid_id('v', new.key)}"
        for old, new in zip(all_versions, all_versions[1:])
    )
    for old_key, new_key, row in rows:
        start = _mermaid_id("b", row.old.version_key, row.old.number)
        location = _mermaid_text(row.source.location)
        if row.new is None:
            none = _mermaid_id("none", old_key, new_key, row.old.number)
            lines.append(f'  {start} -.->|{location}| {none}["Aucune correspondance"]')
        else:
            end = _mermaid_id("b", row.new.version_key, row.new.number)
            lines.append(f"  {start} -->|{location}| {end}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_label(text: str) -> str:
    return "\\n".join(_dot_text(line) for line in _lines(text))


def dot() -> str:
    """The lineage of the versions and the correspondence tables as a Graphviz DOT digraph.

    Each version is a cluster titled with its title, holding its key and its blocs; bold
    arrows join the versions' keys in order, plain arrows lead from an old bloc to the new one
    it counts as (labelled with the article), dashed ones to « Aucune correspondance ».

    >>> print(dot().splitlines()[0])
    digraph titre_mercd {
    """
    all_versions, rows = _graph_parts()
    lines = [
        "digraph titre_mercd {",
        (
            f'  graph [rankdir=LR, fontname="Helvetica", fontsize=11, '
            f'label="titre_mercd data {_dot_text(dataset().data_version)}", labelloc=b];'
        ),
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for v in all_versions:
        lines.append(f'  subgraph "cluster_{v.key}" {{')
        lines.append('    style=rounded; color="#888888"; labelloc=t;')
        lines.append(f'    label="{_dot_label(v.title)}";')
        lines.append(f'    "{v.key}" [label="{_dot_text(v.key)}", shape=plaintext, fontsize=12];')
        lines.extend(
            f'    "{b.ref}" [label="{_dot_label(f"CCP {b.number} · {b.title}")}"];'
            for b in v.blocks
        )
        lines.append("  }")
    lines.extend(
        f'  "{old.key}" -> "{new.key}" [style=bold, penwidth=2];'
        for old, new in zip(all_versions, all_versions[1:])
    )
    for old_key, new_key, row in rows:
        location = _dot_text(row.source.location)
        if row.new is None:
            none = f"none {old_key} {new_key} {row.old.number}"
            lines.append(f'  "{none}" [label="Aucune correspondance", shape=plaintext];')
            lines.append(f'  "{row.old.ref}" -> "{none}" [style=dashed, label="{location}"];')
        else:
            lines.append(f'  "{row.old.ref}" -> "{row.new.ref}" [label="{location}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(format_name: str) -> str:
    r"""The export in ``format_name`` (``json``, ``jsonld``, ``mermaid`` or ``dot``) as text.

    Raises:
        KeyError: another format (CSV tables are written by :func:`write_csv`).

    >>> render("jsonld").startswith('{\n  "@context": "https://schema.org"')
    True
    """
    import json

    renderers: dict[str, Callable[[], str]] = {
        "json": lambda: json.dumps(dataset_document(), ensure_ascii=False, indent=2) + "\n",
        "jsonld": lambda: json.dumps(jsonld_document(), ensure_ascii=False, indent=2) + "\n",
        "mermaid": mermaid,
        "dot": dot,
    }
    return renderers[format_name]()
