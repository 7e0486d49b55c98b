"""HTML tables for notebooks: what ``_repr_html_`` of a version, a block or a table shows.

Jupyter, VS Code and other notebook front ends call ``_repr_html_`` on the value of a cell;
these functions give them a plain ``<table>`` (no script, no external style) with every
text escaped, so a title such as « conseillers (ères) » shows exactly as the arrêté writes it.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ._records import Block, CertificationVersion, CorrespondenceTable, LegalText

__all__ = ["block_html", "correspondence_table_html", "version_html"]

_TABLE = '<table class="titre-mercd" style="border-collapse:collapse">'
_CELL = 'style="text-align:left;vertical-align:top;padding:2px 8px"'
_NOT_KNOWN = "<em>not known (no source gives it)</em>"
_NONE = "<em>none</em>"  # the text says there is none


def _list(items: Iterable[str], tag: str = "ul") -> str:
    inner = "".join(f"<li>{escape(item)}</li>" for item in items)
    return f"<{tag}>{inner}</{tag}>" if inner else _NONE


def _rows(pairs: Sequence[tuple[str, str]]) -> str:
    return "".join(
        f"<tr><th {_CELL}>{escape(name)}</th><td {_CELL}>{html}</td></tr>" for name, html in pairs
    )


def _text_or_unknown(value: str | None) -> str:
    return _NOT_KNOWN if value is None else escape(value)


def _legal_text(text: LegalText) -> str:
    details = [text.kind]
    if text.date is not None:
        details.append(f"of {text.date.isoformat()}")
    if text.nor is not None:
        details.append(f"NOR {text.nor}")
    if text.consolidated_on is not None:
        details.append(f"consolidated on {text.consolidated_on.isoformat()}")
    return f"{escape(text.title)}<br><small>{escape(', '.join(details))}</small>"


def version_html(version: CertificationVersion) -> str:
    """A version of the title as an HTML table, one row per field.

    >>> from titre_mercd import version
    >>> html = version_html(version("2018-12-11"))
    >>> html.startswith("<table"), "MTRD1833181A" in html
    (True, True)
    >>> "not known (no source gives it)" in version_html(version("2007-04-27"))
    True
    """
    window = version.validity
    if window is None:
        validity = _NOT_KNOWN
    else:
        last_day = window.last_day
        validity = escape(
            f"from {window.start.isoformat()} to {last_day.isoformat()} (last day)"
            if last_day is not None
            else f"from {window.start.isoformat()}, end not known"
        )
    level = version.level
    blocks = "".join(
        f"<li>{escape(b.title)}{_list(b.competences) if b.competences else ''}</li>"
        for b in version.blocks
    )
    unknown = version.unknown_fields

    def listed(name: str, items: Iterable[str]) -> str:
        return _NOT_KNOWN if name in unknown else _list(items)

    def text(name: str, value: str | None) -> str:
        if value is None:
            return _NOT_KNOWN if name in unknown else _NONE
        return "<br>".join(escape(p) for p in value.split("\n"))

    pairs = [
        ("key", escape(version.key)),
        ("former titles", listed("former_titles", version.former_titles)),
        ("legal text", _legal_text(version.legal_text)),
        ("validity", validity),
        (
            "level",
            (_NOT_KNOWN if "level" in unknown else _NONE)
            if level is None
            else escape(
                f"{level.france_1969 or '–'} (1969 nomenclature), "
                f"{level.france_2019} (2019 national framework), EQF {level.eqf}"
            ),
        ),
        (
            "NSF",
            listed(
                "nsf_codes",
                (f"{c.code} {c.label or '(label not known)'}" for c in version.nsf_codes),
            ),
        ),
        ("ROME", listed("rome_codes", (f"{c.code} {c.label}" for c in version.rome_codes))),
        ("RNCP", text("rncp", version.rncp)),
        ("blocs de compétences (CCP)", f"<ol>{blocks}</ol>" if blocks else listed("blocks", ())),
        (
            "compétences transversales",
            listed("transversal_competences", version.transversal_competences),
        ),
        ("sectors", listed("sectors", version.sectors)),
        ("sectors (the text's words)", text("sectors_text", version.sectors_text)),
        ("job titles", listed("job_titles", version.job_titles)),
        ("summary", text("summary", version.summary)),
        ("certifying authority", text("certifying_authority", version.certifying_authority)),
        ("regulation", text("regulation", version.regulation)),
        ("legal bases", listed("legal_bases", version.legal_bases)),
    ]
    caption = f"<caption><b>{escape(version.title)}</b></caption>"
    return f"{_TABLE}{caption}<tbody>{_rows(pairs)}</tbody></table>"


def block_html(block: Block) -> str:
    """A bloc de compétences as an HTML table: its version, number, title and capacités.

    >>> from titre_mercd import find_block
    >>> "Manager une équipe" in block_html(find_block("2011-06-01/2"))
    True
    """
    pairs = [
        ("version", escape(block.version_key)),
        ("number", str(block.number)),
        ("title", escape(block.title)),
        ("capacités attestées", _list(block.competences, "ol")),
        ("RNCP bloc code", _text_or_unknown(block.rncp_code)),
    ]
    caption = f"<caption><b>CCP {block.number} · {escape(block.version_key)}</b></caption>"
    return f"{_TABLE}{caption}<tbody>{_rows(pairs)}</tbody></table>"


def correspondence_table_html(table: CorrespondenceTable) -> str:
    """A correspondence table as HTML: one row per old CCP, the new one it counts as, the source.

    >>> from titre_mercd import correspondence_table
    >>> html = correspondence_table_html(correspondence_table("2011-06-01", "2018-12-11"))
    >>> html.count("<tr>"), "Aucune correspondance" in html
    (4, True)
    """
    head = "".join(
        f"<th {_CELL}>{escape(name)}</th>"
        for name in (f"CCP {table.old_key}", f"deemed to be CCP {table.new_key}", "source")
    )
    body = []
    for row in table.rows:
        new = (
            "<em>Aucune correspondance</em>"
            if row.new is None
            else f"{row.new.number}. {escape(row.new.title)}"
        )
        source = f"{escape(row.source.location)}<br><small>{escape(row.source.text.title)}</small>"
        body.append(
            f"<tr><td {_CELL}>{row.old.number}. {escape(row.old.title)}</td>"
            f"<td {_CELL}>{new}</td><td {_CELL}>{source}</td></tr>"
        )
    if not body:
        body.append(f'<tr><td {_CELL} colspan="3"><em>no text gives a table</em></td></tr>')
    caption = f"<caption><b>{escape(table.old_key)} → {escape(table.new_key)}</b></caption>"
    return f"{_TABLE}{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
