"""Pages and diagrams drawn from the shipped data each time the docs are built.

Three directives, all working through the public API of the installed ``titre_mercd``:

``mercd-sources``
    every version, every fact, the text it is read in, the article and the verbatim excerpt,
    the other wordings of a bloc and the facts the texts contradict, then the texts
    themselves and what no source gives;
``mercd-timeline``
    the versions, their validity windows, the correspondence tables that link them and the
    intervals no text covers, drawn with matplotlib into an SVG image;
``mercd-correspondence``
    every correspondence table the data holds, as a table and as a Graphviz graph.

Nothing is fetched: images are drawn locally, and Graphviz runs at build time.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import textwrap
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
from docutils import nodes
from sphinx.ext.graphviz import figure_wrapper, graphviz
from sphinx.util.docutils import SphinxDirective

import titre_mercd as tm

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from sphinx.application import Sphinx

# Facts a reader of a version looks for first come first.
VERSION_FIELDS = [f.name for f in attrs.fields(tm.CertificationVersion)]
BLOCK_FIELDS = ["number", "title", "competences", "rncp_code"]
LEVEL_FIELDS = ["france_1969", "france_2019", "eqf"]


# ------------------------------------------------------------------ small docutils helpers


def _paragraph(*children: nodes.Node | str) -> nodes.paragraph:
    paragraph = nodes.paragraph()
    for child in children:
        paragraph += nodes.Text(child) if isinstance(child, str) else child
    return paragraph


def _bullets(items: Iterable[nodes.Node | str], *, enumerated: bool = False) -> nodes.Element:
    listing: nodes.Element = nodes.enumerated_list() if enumerated else nodes.bullet_list()
    for item in items:
        entry = nodes.list_item()
        entry += _paragraph(item) if isinstance(item, str) else item
        listing += entry
    return listing


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
) -> nodes.table:
    table = nodes.table(classes=["mercd-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row(headers)
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += _row(cells)
    group += body
    return table


def _row(cells: Sequence[Any]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        if isinstance(cell, str):
            entry += _paragraph(cell)
        elif isinstance(cell, nodes.Node):
            entry += cell
        else:
            entry.extend(cell)
        row += entry
    return row


def _field_list(fields: Iterable[tuple[str, object]]) -> nodes.field_list:
    listing = nodes.field_list(classes=["mercd-fields"])
    for name, value in fields:
        body = nodes.field_body()
        body += _describe(value)
        listing += nodes.field("", nodes.field_name(text=name), body)
    return listing


def _section(title: str, ident: str) -> nodes.section:
    section = nodes.section(ids=[nodes.make_id(ident)])
    section += nodes.title(text=title)
    return section


NOT_KNOWN = "not known: no shipped source gives it"
NONE = "none: the text says there is none"


def _no_source(text: str = NOT_KNOWN) -> nodes.paragraph:
    return _paragraph(nodes.emphasis(text=text))


def _is_unknown(record: object, field: str) -> bool:
    """Whether no source gives ``record.field`` (rather than the text saying it is empty)."""
    if isinstance(record, tm.CertificationVersion):
        return field in record.unknown_fields
    return True  # a bloc or a code that lacks a value: no source gives it


# ------------------------------------------------------------------ facts as text


def _short_cite(text: tm.LegalText) -> str:
    if text.nor is not None:
        return f"{text.kind} {text.nor}" + (f" ({text.date.isoformat()})" if text.date else "")
    if text.date is not None:
        return f"{text.kind} du {text.date.isoformat()}"
    return f"{text.kind} « {text.title} »"


def _cite(text: tm.LegalText) -> str:
    """A short name for a text (kind and NOR, or date, or title), with its title if needed.

    Two shipped texts can share a NOR: the 2007 arrêté as first published and as modified in
    2011. Their titles tell them apart.
    """
    short = _short_cite(text)
    if sum(_short_cite(other) == short for other in _all_texts()) > 1 and text.title not in short:
        return f"{short}, « {text.title.rstrip('.')} »"
    return short


def _text_id(text: tm.LegalText) -> str:
    return f"text-{_all_texts().index(text) + 1}"


def _describe(value: object, *, unknown: bool = True) -> nodes.Node | list[nodes.Node]:
    """A shipped value as a reader wants to see it, without adding anything to it."""
    if value is None or value in ((), frozenset()):
        return _no_source(NOT_KNOWN if unknown else NONE)
    if isinstance(value, frozenset):  # unknown_fields: field names
        return _paragraph(", ".join(sorted(value)))
    if isinstance(value, tuple):
        return _bullets(_describe_one(item) for item in value)
    if isinstance(value, str) and "\n" in value:  # a summary: one paragraph per line
        return [_paragraph(line) for line in value.split("\n")]
    return _paragraph(_describe_one(value))


def _describe_one(value: object) -> str:
    for kind, describe in _DESCRIBERS:
        if isinstance(value, kind):
            return describe(value)
    return str(value)


def _describe_window(window: tm.ValidityWindow) -> str:
    if window.last_day is None:
        return f"from {window.start.isoformat()}, end not known"
    return f"from {window.start.isoformat()} to {window.last_day.isoformat()} (last day)"


def _describe_level(level: tm.Level) -> str:
    old = level.france_1969 or "none"
    return f"1969 nomenclature: {old}; 2019 framework: {level.france_2019}; EQF: {level.eqf}"


_DESCRIBERS: list[tuple[type, Callable[[Any], str]]] = [
    ((tm.RomeCode, tm.NsfCode), lambda c: f"{c.code} {c.label or '(label: no source gives it)'}"),
    (tm.Block, lambda b: f"{b.number}. {b.title}"),
    (tm.ValidityWindow, _describe_window),
    (tm.Level, _describe_level),
    (tm.LegalText, lambda t: f"{_short_cite(t)}: {t.title}"),
    (dt.date, lambda d: d.isoformat()),
]


def _excerpt(source: tm.Source) -> nodes.Element:
    """The excerpt exactly as the text writes it, line by line."""
    lines = nodes.line_block(classes=["mercd-excerpt"])
    for line in source.excerpt.split("\n"):
        lines += nodes.line(text=line.strip())
    return lines


def _source_cell(record: object, field: str) -> list[nodes.Node]:
    source = _source_or_none(record, field)
    if source is None:
        if field == "unknown_fields":
            return [_no_source("the fields no shipped source gives")]
        return [_no_source(NOT_KNOWN if _is_unknown(record, field) else "no excerpt recorded")]
    where = nodes.reference("", _cite(source.text), internal=True, refid=_text_id(source.text))
    return [_paragraph(nodes.strong(text=source.location), " of ", where), _excerpt(source)]


def _fact_table(record: object, fields: Sequence[str]) -> nodes.table:
    rows = [
        [
            _paragraph(nodes.literal(text=field)),
            _describe(getattr(record, field), unknown=_is_unknown(record, field)),
            _source_cell(record, field),
        ]
        for field in fields
    ]
    return _table(["Field", "Value", "Source: where, then the excerpt"], rows, [14, 40, 46])


def _data_file(name: str) -> Any:
    """A shipped data file, read only to enumerate the codes of a nomenclature."""
    return json.loads(files("titre_mercd").joinpath("data", *name.split("/")).read_text("utf-8"))


def _codes() -> list[tuple[str, list[tm.RomeCode] | list[tm.NsfCode]]]:
    """Every ROME and NSF code the data knows, looked up through the public API."""
    rome = [tm.rome(raw["code"]) for raw in _data_file("nomenclatures/rome.json")["codes"]]
    nsf = [tm.nsf(raw["code"]) for raw in _data_file("nomenclatures/nsf.json")["codes"]]
    return [("ROME", rome), ("NSF", nsf)]


def _levels() -> list[tm.Level]:
    raw_levels = _data_file("nomenclatures/levels.json")["levels"]
    return [tm.from_dict(tm.Level, raw) for raw in raw_levels]


def _sourced() -> Iterator[tuple[object, Sequence[str]]]:
    """Every shipped record that carries sources, with the fields to look them up for."""
    for v in tm.versions():
        yield v, VERSION_FIELDS
        for block in v.blocks:
            yield block, BLOCK_FIELDS
    for _, _, rows in _tables():
        for row in rows:
            yield row, ["new"]
    for _, codes in _codes():
        for code in codes:
            yield code, ["code", "label"]
    yield _levels()[0], LEVEL_FIELDS


@functools.cache
def _all_texts() -> list[tm.LegalText]:
    """Every text a fact is read in, by date (texts without one last), then title."""
    found = {text: None for record, fields in _sourced() for text in _texts_of(record, fields)}
    return sorted(found, key=lambda t: (t.date or dt.date.max, t.title))


def _table_given(old_key: str, new_key: str) -> tuple[tm.Correspondence, ...]:
    """The table from ``old_key`` to ``new_key``; empty when no source gives one (undecided)."""
    try:
        return tm.correspondences(old_key, new_key)
    except tm.UndecidedError:
        return ()


def _tables() -> list[tuple[tm.CertificationVersion, tm.CertificationVersion, tuple[Any, ...]]]:
    """Every (old, new, rows) pair the data holds a correspondence table for."""
    found = []
    for i, old in enumerate(tm.versions()):
        for new in tm.versions()[i + 1 :]:
            rows = _table_given(old.key, new.key)
            if rows:
                found.append((old, new, rows))
    return found


def _block_name(block: tm.Block | None) -> str:
    if block is None:
        return "Aucune correspondance"
    return f"{block.ref} {block.title}"


def _correspondence_table(rows: Sequence[tm.Correspondence]) -> nodes.table:
    body = [[_block_name(row.old), _block_name(row.new), _source_cell(row, "new")] for row in rows]
    return _table(["Holders of", "are deemed to have", "Source"], body, [30, 30, 40])


class _DataDirective(SphinxDirective):
    """A directive whose output changes whenever a shipped data file changes."""

    def note_data_dependencies(self) -> None:
        data = files("titre_mercd").joinpath("data")
        manifest = json.loads(data.joinpath("MANIFEST.json").read_text("utf-8"))
        for name in ["MANIFEST.json", *manifest["files"]]:
            self.env.note_dependency(os.fspath(Path(str(data)) / name))


# ------------------------------------------------------------------ « Where the data comes from »


class SourcesDirective(_DataDirective):
    """Every version, every fact with its source, the texts, and what no source gives."""

    def run(self) -> list[nodes.Node]:
        self.note_data_dependencies()
        output: list[nodes.Node] = [
            _paragraph(
                f"Data version {tm.DATA_VERSION}, shipped with titre-mercd {tm.__version__}. "
                "Every value below is what the library returns; its source is what ",
                nodes.literal(text="titre_mercd.source_of(record, field)"),
                " returns.",
            )
        ]
        output.extend(self._version_section(v) for v in tm.versions())
        output.append(self._tables_section())
        output.append(self._nomenclatures_section())
        output.append(self._texts_section())
        output.append(self._gaps_section())
        return output

    def _version_section(self, v: tm.CertificationVersion) -> nodes.section:
        section = _section(f"Version {v.key}: {v.title}", f"version {v.key}")
        section += _paragraph(
            "Made by the ",
            _short_cite(v.legal_text),
            f", « {v.legal_text.title.rstrip('.')} ». In Python: ",
            nodes.literal(text=f"titre_mercd.version({v.key!r})"),
            ".",
        )
        section += _fact_table(v, VERSION_FIELDS)
        contradicted = [(f, tm.contradictions(v, f)) for f in _sourced_fields(v)]
        for field, others in contradicted:
            if others:
                section += _paragraph(
                    "The texts contradict each other on ",
                    nodes.literal(text=field),
                    ": the value above follows its source; ",
                    nodes.literal(text="titre_mercd.contradictions(version, field)"),
                    " gives the other reading:",
                )
                section += _table(
                    ["Other reading: where, then the excerpt"],
                    [[_source_cell_of(other)] for other in others],
                    [100],
                )
        wordings = _other_wordings(v)
        for block in v.blocks:
            block_section = _section(
                f"{v.key}, bloc {block.number}: {block.title}", f"bloc {block.ref}"
            )
            block_section += _fact_table(block, BLOCK_FIELDS)
            others = wordings.get(str(block.number), [])
            if others:
                block_section += _paragraph(
                    "Other wordings of this bloc in the texts, each accepted by ",
                    nodes.literal(text="titre_mercd.find_block"),
                    ":",
                )
                block_section += _table(
                    ["Wording", "Source: where, then the excerpt"],
                    [[entry["title"], _source_cell_of(_raw_source(entry["source"]))]
                     for entry in others],
                    [40, 60],
                )  # fmt: skip
            section += block_section
        return section

    def _tables_section(self) -> nodes.section:
        section = _section("Correspondence tables", "sources correspondence tables")
        for old, new, rows in _tables():
            section += _paragraph(f"From {old.key} to {new.key}:")
            section += _correspondence_table(rows)
        return section

    def _nomenclatures_section(self) -> nodes.section:
        section = _section("Nomenclatures", "sources nomenclatures")
        for name, codes in _codes():
            section += _paragraph(f"{name} codes the data knows:")
            rows = [
                [
                    _paragraph(nodes.literal(text=code.code)),
                    _describe(code.label),
                    _source_cell(code, "label"),
                ]
                for code in codes
            ]
            section += _table(["Code", "Label", "Source of the label"], rows, [12, 30, 58])
        levels = _levels()
        section += _paragraph("Levels: 1969 nomenclature, 2019 national framework, EQF.")
        rows = [[_describe(getattr(level, f)) for f in LEVEL_FIELDS] for level in levels]
        section += _table(["1969", "2019", "EQF"], rows, [33, 33, 34])
        section += _paragraph("The sources of the three columns:")
        section += _fact_table(levels[0], LEVEL_FIELDS)
        return section

    def _texts_section(self) -> nodes.section:
        section = _section("The texts", "sources texts")
        section += _paragraph(
            "Every text the facts above are read in, with its shipped copy (",
            nodes.literal(text="titre_mercd.text_of(text)"),
            "), reproduced as published. The texts quoted through FACTS.md share that file as "
            "their copy.",
        )
        shown: dict[str, tm.LegalText] = {}
        for text in _all_texts():
            entry = nodes.section(ids=[_text_id(text)])
            entry += nodes.title(text=_cite(text))
            fields = [
                ("kind", text.kind),
                ("title", text.title),
                ("date", text.date),
                ("NOR", text.nor),
                ("consolidated on", text.consolidated_on),
            ]
            entry += _field_list(fields)
            content = tm.text_of(text)
            if content in shown:
                entry += _paragraph(
                    "Shipped copy: the same file as the ",
                    nodes.reference(
                        "", _cite(shown[content]), internal=True, refid=_text_id(shown[content])
                    ),
                    ", above.",
                )
            else:
                shown[content] = text
                entry += nodes.raw(
                    "", "<details><summary>Shipped copy (click to open)</summary>", format="html"
                )
                entry += nodes.literal_block(content, content, classes=["mercd-text"])
                entry += nodes.raw("", "</details>", format="html")
            section += entry
        return section

    def _gaps_section(self) -> nodes.section:
        section = _section("What the data does not give", "sources gaps")
        section += _paragraph(
            "Computed from the data. « Not known » is a fact no shipped source gives (a "
            "version's unknown_fields); « none » is a field the text itself says is empty. "
            "Neither is a guess."
        )
        items: list[str] = []
        for v in tm.versions():
            unknown = sorted(v.unknown_fields)
            for field in BLOCK_FIELDS:
                numbers = [str(b.number) for b in v.blocks if getattr(b, field) in (None, ())]
                if numbers:
                    unknown.append(f"{field} of bloc(s) {', '.join(numbers)}")
            if unknown:
                items.append(f"{v.key}, not known: " + "; ".join(unknown) + ".")
            empty = [
                f
                for f in VERSION_FIELDS
                if getattr(v, f) in (None, (), frozenset())
                and f not in v.unknown_fields
                and f != "unknown_fields"
            ]
            if empty:
                items.append(f"{v.key}, none (the text says so): " + "; ".join(empty) + ".")
        ordered = tm.versions()
        items.extend(
            f"No correspondence table from {old.key} to {new.key}: not known."
            for old, new in zip(ordered, ordered[1:])
            if not _table_given(old.key, new.key)
        )
        items.extend(
            f"No text found covers {gap.start.isoformat()} to {gap.last_day.isoformat()}: "
            "whether a version is in force on those days is not known."
            for gap in tm.validity_gaps()
        )
        items.extend(
            f"{fiche.rncp}, the registered successor of {fiche.successor_of}: its title, arrêté, "
            "start date, validity window and blocs are not known (not a version in the data)."
            for fiche in tm.registered_fiches()
        )
        section += _bullets(items)
        return section


def _sourced_fields(v: tm.CertificationVersion) -> list[str]:
    return [f for f in VERSION_FIELDS if _source_or_none(v, f) is not None]


def _source_cell_of(source: tm.Source) -> list[nodes.Node]:
    where = nodes.reference("", _cite(source.text), internal=True, refid=_text_id(source.text))
    return [_paragraph(nodes.strong(text=source.location), " of ", where), _excerpt(source)]


@functools.cache
def _texts_by_id() -> dict[str, tm.LegalText]:
    return {
        entry["id"]: tm.from_dict(tm.LegalText, entry["legal_text"])
        for entry in _data_file("texts.json")["texts"]
    }


def _raw_source(raw: dict[str, str]) -> tm.Source:
    """A source as a data file writes it (text id, location, excerpt), as a record."""
    return tm.Source(_texts_by_id()[raw["text"]], raw["location"], raw["excerpt"])


def _other_wordings(v: tm.CertificationVersion) -> dict[str, list[dict[str, Any]]]:
    """A bloc's other wordings, read from the version's data file (``other_wordings``)."""
    found: dict[str, list[dict[str, Any]]] = _data_file(f"versions/{v.key}.json").get(
        "other_wordings", {}
    )
    return found


def _texts_of(record: object, fields: Iterable[str]) -> list[tm.LegalText]:
    return [source.text for source in (_source_or_none(record, f) for f in fields) if source]


def _source_or_none(record: object, field: str) -> tm.Source | None:
    try:
        return tm.source_of(record, field)
    except LookupError:
        return None


# ------------------------------------------------------------------ « Versions and validity »


class TimelineDirective(_DataDirective):
    """The versions on a time axis: each arrêté, and the validity window where it is known."""

    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        self.note_data_dependencies()
        target = _image_path(self.env.app, "timeline.svg")
        _draw_timeline(target, today=dt.date.today())
        uri = os.path.relpath(target, Path(self.env.doc2path(self.env.docname)).parent)
        image = nodes.image(
            uri=Path(uri).as_posix(),
            alt="Timeline of the versions: for each one the date of its arrêté and, where a "
            "source gives it, the window during which it is in force.",
            classes=["mercd-timeline"],
        )
        figure = nodes.figure("", image)
        figure += nodes.caption(
            text="Drawn from titre_mercd.versions() when these pages were built "
            f"({dt.date.today().isoformat()})."
        )
        return [figure, self._window_table()]

    def _window_table(self) -> nodes.table:
        rows = []
        tables = {new.key: table for _, new, table in _tables()}
        for v in tm.versions():
            window = v.validity
            table = tables.get(v.key)
            rows.append(
                [
                    _paragraph(nodes.literal(text=v.key)),
                    v.title,
                    "not known" if window is None else window.start.isoformat(),
                    "not known"
                    if window is None or window.last_day is None
                    else window.last_day.isoformat(),
                    _source_cell(v, "validity"),
                    "none (first version)"
                    if v == tm.versions()[0]
                    else "not known"
                    if table is None
                    else f"{_cite(table[0].source.text)}, {table[0].source.location}",
                ]
            )
        rows.extend(
            [
                _paragraph("(no text)"),
                "No text found covers these days: whether a version is in force is not known",
                gap.start.isoformat(),
                gap.last_day.isoformat(),
                _source_cell(gap, "start"),
            ]
            for gap in tm.validity_gaps()
        )
        rows.extend(
            [
                _paragraph(nodes.literal(text=fiche.rncp)),
                (
                    f"Registered successor of {fiche.successor_of}, not a version in the "
                    "data: `titre-mercd registry import` brings it"
                ),
                "not known",
                f"not known (échéance {fiche.registered_until}, as the registry gives it)",
                _source_cell(fiche, "registered_until"),
            ]
            for fiche in tm.registered_fiches()
        )
        return _table(
            ["Version", "Title", "First day", "Last day", "Source", "Table from the previous"],
            rows,
            [10, 18, 10, 10, 32, 20],
        )


def _image_path(app: Sphinx, name: str) -> Path:
    folder = Path(app.doctreedir) / "mercd-images"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _draw_timeline(target: Path, *, today: dt.date) -> None:
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    versions = tm.versions()
    figure, axes = plt.subplots(figsize=(10, 1.0 + 1.1 * len(versions)), layout="constrained")

    def note(text: str, day: dt.date, row: float, offset: tuple[int, int], **style: Any) -> None:
        axes.annotate(
            text, (mdates.date2num(day), row), xytext=offset, textcoords="offset points",
            **{"fontsize": 10, **style},
        )  # fmt: skip

    ends = [v.validity.end for v in versions if v.validity and v.validity.end]
    first = min(dt.date.fromisoformat(v.key) for v in versions)
    registered = [f.registered_until for f in tm.registered_fiches() if f.registered_until]
    last = max([today, *ends, *registered])
    for row, v in enumerate(reversed(versions)):
        made = dt.date.fromisoformat(v.key)
        axes.plot([mdates.date2num(made)], [row], marker="D", color="#333333", zorder=3)
        note(f"arrêté {v.key}", made, row, (-6, -22), color="#333333")
        window = v.validity
        if window is None:
            note("validity window: not known (no source gives it)", made, row, (12, -4),
                 color="#777777", style="italic")  # fmt: skip
            continue
        end = window.end or last
        axes.barh(
            row, mdates.date2num(end) - mdates.date2num(window.start),
            left=mdates.date2num(window.start), height=0.32, color="#2a7ab0",
        )  # fmt: skip
        last_day = window.last_day.isoformat() if window.last_day else "(end not known)"
        note(f"in force {window.start.isoformat()} to {last_day}", window.start, row, (0, 14),
             color="#1c5d8a")  # fmt: skip
    rows = {v.key: row for row, v in enumerate(reversed(versions))}
    for old, new, table in _tables():
        # the table links the versions where the later one's arrêté makes it
        made = mdates.date2num(dt.date.fromisoformat(new.key))
        axes.annotate(
            "", xy=(made, rows[new.key] - 0.12), xytext=(made, rows[old.key] + 0.12),
            arrowprops={"arrowstyle": "->", "color": "#7a5195", "linewidth": 1.4},
        )  # fmt: skip
        article = table[0].source.location.split(" (")[0]
        note(f"table: {_short_cite(table[0].source.text)}, {article}",
             dt.date.fromisoformat(new.key), (rows[old.key] + rows[new.key]) / 2, (6, -4),
             color="#7a5195", fontstyle="italic")  # fmt: skip
    for gap in tm.validity_gaps():  # days no text covers: whether a version is in force is unknown
        axes.axvspan(
            mdates.date2num(gap.start), mdates.date2num(gap.end), color="#bbbbbb", alpha=0.35,
            hatch="//", linewidth=0,
        )  # fmt: skip
        note(f"no text found:\nnot known\n{gap.start.isoformat()} to\n{gap.last_day.isoformat()}",
             gap.start, -0.75, (2, 0), color="#555555", fontsize=8)  # fmt: skip
    for fiche in tm.registered_fiches():  # a successor registered, of which no version is shipped
        predecessor = tm.version(fiche.successor_of).validity
        start = predecessor.end if predecessor is not None and predecessor.end else last
        until = f"\néchéance {fiche.registered_until.isoformat()}" if fiche.registered_until else ""
        note(f"then {fiche.rncp} registered{until}:\nnot in the data (not known)", start,
             rows[fiche.successor_of], (4, -34), color="#777777", style="italic",
             fontsize=9)  # fmt: skip
    axes.axvline(mdates.date2num(today), color="#c0392b", linewidth=1, linestyle="--")
    note(f"docs built {today.isoformat()}", today, len(versions) - 0.55, (-5, 0), ha="right",
         color="#c0392b")  # fmt: skip
    axes.set_yticks(range(len(versions)))
    axes.set_yticklabels(
        [f"{v.key}\n{textwrap.fill(v.title, 26)}" for v in reversed(versions)], fontsize=10
    )
    axes.set_ylim(-0.9, len(versions) - 0.35)
    axes.set_xlim(
        mdates.date2num(dt.date(first.year - 1, 1, 1)),
        mdates.date2num(dt.date(last.year + 4, 1, 1)),
    )
    axes.xaxis.set_major_locator(mdates.YearLocator(2))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes.tick_params(axis="x", labelsize=10)
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="x", color="#e3e3e3")
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    figure.savefig(target, format="svg", metadata={"Date": None})
    plt.close(figure)


# ------------------------------------------------------------------ « Correspondence »


class CorrespondenceDirective(_DataDirective):
    """All the correspondence tables as one graph of the blocs, then each one as a table."""

    def run(self) -> list[nodes.Node]:
        self.note_data_dependencies()
        node = graphviz()
        node["code"] = lineage_dot()
        node["options"] = {"docname": self.env.docname}
        node["alt"] = (
            "Graph of the blocs of every version, with an arrow from each bloc to the bloc "
            "its holders are deemed to have in the next version."
        )
        graph = _section("The graph", "correspondence graph")
        graph += figure_wrapper(
            self,
            node,
            "The blocs of each version, one frame per version. An arrow reads « the holders of "
            "this bloc are deemed to have that one », labelled with its article; a dashed bloc "
            "leads nowhere (« Aucune correspondance »). Drawn by Graphviz when these pages "
            "were built.",
        )
        output: list[nodes.Node] = [graph]
        for old, new, rows in _tables():
            section = _section(f"From {old.key} to {new.key}", f"table {old.key} {new.key}")
            section += _paragraph(
                nodes.literal(text=f"titre_mercd.correspondences({old.key!r}, {new.key!r})"),
                ": the table of the ",
                _cite(rows[0].source.text),
                f", {rows[0].source.location}, in the law's order.",
            )
            section += _correspondence_table(rows)
            output.append(section)
        return output


def _dot_label(text: str) -> str:
    """``text`` as the inside of a quoted DOT string, line breaks as ``\\n``."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def lineage_dot() -> str:
    """The versions, their blocs and every correspondence row, in the DOT language."""
    lines = [
        "digraph correspondence {",
        '  graph [rankdir=LR, fontname="DejaVu Sans", fontsize=13, nodesep=0.2, ranksep=0.7];',
        (
            '  node [shape=box, style="rounded,filled", fillcolor="#eef5fb", color="#2a7ab0",'
            ' fontname="DejaVu Sans", fontsize=12, margin="0.12,0.06"];'
        ),
        '  edge [color="#2a7ab0", fontname="DejaVu Sans", fontsize=11];',
    ]
    no_match = {row.old for _, _, rows in _tables() for row in rows if row.new is None}
    ordered = tm.versions()
    for i, v in enumerate(ordered):
        label = f"{v.key}\n{textwrap.fill(v.title, 28)}"
        later = ordered[i + 1] if i + 1 < len(ordered) else None
        if later is not None and not _table_given(v.key, later.key):
            label += "\n" + textwrap.fill(f"(no correspondence table to {later.key} is known)", 28)
        lines.append(f'  subgraph "cluster_{v.key}" {{')
        lines.append(f'    label="{_dot_label(label)}"; color="#999999"; style="rounded";')
        for block in v.blocks:
            title = _dot_label(f"{block.number}. {textwrap.fill(block.title, 26)}")
            style = ' style="rounded,dashed" fillcolor="#f6f6f6"' if block in no_match else ""
            lines.append(f'    "{block.ref}" [label="{title}"{style}];')
        lines.append("  }")
    for _, _, rows in _tables():
        for row in rows:
            if row.new is not None:
                location = _dot_label(row.source.location)
                lines.append(f'  "{row.old.ref}" -> "{row.new.ref}" [label="{location}"];')
    for old, new in zip(ordered, ordered[1:]):
        if old.blocks and new.blocks and not _table_given(old.key, new.key):
            # Keeps the versions in order, left to right, without drawing a relation.
            lines.append(f'  "{old.blocks[0].ref}" -> "{new.blocks[0].ref}" [style=invis];')
    lines.append("}")
    return "\n".join(lines)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives."""
    app.add_directive("mercd-sources", SourcesDirective)
    app.add_directive("mercd-timeline", TimelineDirective)
    app.add_directive("mercd-correspondence", CorrespondenceDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
