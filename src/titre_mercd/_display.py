"""What people read: a record as lines for the terminal (``show``) and as HTML for notebooks.

Both go through the fields each record declares (:mod:`._fields`), in order, under their
labels: a field added to a record shows in both without a line here. An empty field reads
« not known (no source gives it) » when its record's ``unknown_fields`` names it, « none »
otherwise (the text says there is none).

Jupyter, VS Code and other notebook front ends call ``_repr_html_`` on the value of a cell.
Importing this module gives every record class one (:func:`register`); the package imports
it the first time a public name is asked for, so the records themselves know no screen. The
HTML is a plain ``<table>`` (no script, no external style), every text escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from . import _records
from ._fields import rendered_by
from ._records import (
    Block,
    CertificationVersion,
    CorrespondenceTable,
    LegalText,
    Level,
    Source,
    ValidityWindow,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "NONE",
    "NOT_KNOWN",
    "html",
    "level_phrase",
    "phrases",
    "record_lines",
    "register",
    "window_phrase",
]

NOT_KNOWN = "not known (no source gives it)"
NONE = "none"  # the text says there is none

_TABLE = '<table class="titre-mercd" style="border-collapse:collapse">'
_CELL = 'style="text-align:left;vertical-align:top;padding:2px 8px"'


def _escape(text: str) -> str:
    from html import escape  # not at import: html.entities is a large table

    return escape(text)


# ---------------------------------------------------------------- one value, in words


def window_phrase(window: ValidityWindow) -> str:
    """``from START to LAST_DAY (last day)``, or ``from START, end not known``."""
    last_day = window.last_day
    if last_day is None:
        return f"from {window.start.isoformat()}, end not known"
    return f"from {window.start.isoformat()} to {last_day.isoformat()} (last day)"


def level_phrase(level: Level) -> str:
    """``III (nomenclature de 1969) · niveau 5 · EQF 5``, the 1969 part only when known."""
    old = f"{level.france_1969} (nomenclature de 1969) · " if level.france_1969 else ""
    return f"{old}niveau {level.france_2019} · EQF {level.eqf}"


def phrases(value: Any) -> list[str]:  # noqa: PLR0911  (one return per kind of value)
    """A value that is not empty, in words: one line per item of a list or part of a record.

    A code with its label (``D1408  Téléconseil et télévente``), a legal text as its title and
    its details, a window as its days, a level in its three nomenclatures.
    """
    if isinstance(value, (tuple, frozenset)):
        items = sorted(value) if isinstance(value, frozenset) else value
        return [line for item in items for line in phrases(item)]
    if isinstance(value, LegalText):
        details = [value.kind + (f" of {value.date.isoformat()}" if value.date else "")]
        details.append(f"NOR {value.nor}" if value.nor else "NOR not known")
        if value.consolidated_on is not None:
            details.append(f"consolidated on {value.consolidated_on.isoformat()}")
        return [value.title, ", ".join(details)]
    if isinstance(value, ValidityWindow):
        until = value.registered_until
        given = f"registered until {until} (the registry's échéance, as given)" if until else ""
        return [window_phrase(value), *([given] if given else [])]
    if isinstance(value, Level):
        return [level_phrase(value)]
    if isinstance(value, Block):  # a bloc named outside its version: by its reference
        return [f"{value.ref}. {value.title}" + _rncp_code(value)]
    if isinstance(value, Source):
        return [f"{value.text.title}, {value.location}", f"« {value.excerpt} »"]
    if attrs.has(type(value)) and "code" in attrs.fields_dict(type(value)):
        label = value.label or "label not known"
        return [f"{value.code}  {label}"]
    if hasattr(value, "isoformat"):
        return [value.isoformat()]
    return [str(value)]


def _rncp_code(block: Block) -> str:
    return "" if block.rncp_code is None else f" ({block.rncp_code})"


def _empty(record: Any, name: str) -> str:
    """Why a field is empty: « not known », or « none » when the text says so.

    A version tells the two apart (``unknown_fields``); other records hold only what a source
    gives, so an empty field of theirs is not known.
    """
    unknown = getattr(record, "unknown_fields", None)
    return NOT_KNOWN if unknown is None or name in unknown else NONE


def _is_empty(value: object) -> bool:
    return value is None or value in ((), frozenset(), "")


# ---------------------------------------------------------------- terminal lines


def record_lines(  # noqa: PLR0913  (keyword-only: the layout the command gives)
    record: Any,
    *,
    field: Callable[[str, Sequence[str]], list[str]],
    wrap: Callable[[str, int], list[str]],
    width: int,
    empty: Callable[[str], str] | None = None,
    replace: Mapping[str, list[str]] | None = None,
    after: Mapping[str, list[str]] | None = None,
    before_sections: Sequence[str] = (),
) -> list[str]:
    """The fields of ``record`` that ``show`` shows, as lines ``width`` columns wide.

    One ``field(label, lines)`` row per short field, in order, then a section (its label, its
    lines indented) per field declared ``section``. ``empty(name)`` says why a field is empty
    (by default « not known … » or « none »); ``replace`` gives some fields' lines instead;
    ``after`` gives rows that follow a field's row; ``before_sections`` comes between the rows
    and the sections. The record's ``title`` (a
    version's) is its heading, not a row.
    """
    replace = replace or {}
    say = empty or (lambda name: _empty(record, name))
    rows: list[str] = []
    sections: list[str] = []
    for name, declared in rendered_by(type(record), "show"):
        if name == "title":
            continue
        value = getattr(record, name)
        if not declared.section:
            shown = replace.get(name) or ([say(name)] if _is_empty(value) else phrases(value))
            rows.extend(field(declared.label, shown))
            rows.extend((after or {}).get(name, ()))
            continue
        sections.extend(["", declared.label])
        if name in replace:
            sections.extend(replace[name])
        elif _is_empty(value):
            sections.append("  " + say(name))
        elif isinstance(value, str):
            sections.extend("  " + line if line else "" for line in wrap(value, width - 2))
        else:
            sections.extend(_section_items(value, wrap, width))
    heading = [record.title, "=" * len(record.title)] if hasattr(record, "title") else []
    return [*heading, *rows, *before_sections, *sections]


def _section_items(
    items: tuple[Any, ...], wrap: Callable[[str, int], list[str]], width: int
) -> list[str]:
    """Each item bulleted; a bloc numbered, its capacités bulleted under it."""
    lines = []
    for item in items:
        if isinstance(item, Block):
            title = item.title + _rncp_code(item)
            lines.extend(_bullet(title, f"{item.number}. ", wrap, width))
            for competence in item.competences:
                lines.extend(_bullet(competence, "- ", wrap, width, indent=5))
        else:
            lines.extend(_bullet(phrases(item)[0], "- ", wrap, width))
    return lines


def _bullet(
    text: str, mark: str, wrap: Callable[[str, int], list[str]], width: int, indent: int = 2
) -> list[str]:
    wrapped = wrap(text, width - indent - len(mark))
    lines = [" " * indent + mark + wrapped[0]]
    lines.extend(" " * (indent + len(mark)) + line for line in wrapped[1:])
    return lines


# ---------------------------------------------------------------- notebook HTML


def _cell_html(value: Any) -> str:
    if isinstance(value, (tuple, frozenset)):
        items = []
        for item in sorted(value) if isinstance(value, frozenset) else value:
            if isinstance(item, Block):  # a bloc of the version shown: by its number
                inner = _escape(f"{item.number}. {item.title}{_rncp_code(item)}")
                inner += _list(item.competences) if item.competences else ""
            else:
                inner = "<br>".join(_escape(line) for line in phrases(item))
            items.append(f"<li>{inner}</li>")
        return f"<ul>{''.join(items)}</ul>"
    if isinstance(value, str):
        return "<br>".join(_escape(line) for line in value.split("\n"))
    lines = phrases(value)
    details = "".join(f"<br><small>{_escape(line)}</small>" for line in lines[1:])
    return _escape(lines[0]) + details


def _list(items: Sequence[str]) -> str:
    return "<ol>" + "".join(f"<li>{_escape(item)}</li>" for item in items) + "</ol>"


def _caption(record: Any) -> str:
    if isinstance(record, CertificationVersion):
        return record.title
    if isinstance(record, Block):
        return f"CCP {record.number} · {record.version_key}"
    return _records.brief(record)


def html(record: Any) -> str:
    """A record as an HTML table, one row per field, under its caption.

    >>> from titre_mercd import version
    >>> markup = html(version("2018-12-11"))
    >>> markup.startswith("<table"), "MTRD1833181A" in markup
    (True, True)
    >>> "not known (no source gives it)" in html(version("2007-04-27"))
    True
    """
    if isinstance(record, CorrespondenceTable):
        return _correspondence_table(record)
    rows = []
    for name, declared in rendered_by(type(record), "html"):
        if isinstance(record, CertificationVersion) and name == "title":
            continue  # the caption
        value = getattr(record, name)
        cell = f"<em>{_empty(record, name)}</em>" if _is_empty(value) else _cell_html(value)
        label = _escape(declared.label)
        rows.append(f"<tr><th {_CELL}>{label}</th><td {_CELL}>{cell}</td></tr>")
    caption = f"<caption><b>{_escape(_caption(record))}</b></caption>"
    return f"{_TABLE}{caption}<tbody>{''.join(rows)}</tbody></table>"


def _correspondence_table(table: CorrespondenceTable) -> str:
    """One row per old CCP: the old CCP, the new one it counts as, and the source."""
    head = "".join(
        f"<th {_CELL}>{_escape(name)}</th>"
        for name in (f"CCP {table.old_key}", f"deemed to be CCP {table.new_key}", "source")
    )
    body = []
    for row in table.rows:
        new = (
            "<em>Aucune correspondance</em>"
            if row.new is None
            else f"{_escape(row.new.ref)}. {_escape(row.new.title)}"
        )
        source = row.source
        cited = (
            f"{_escape(source.location)}<br><small>{_escape(source.text.title)}</small>"
            f"<br><small>« {_escape(source.excerpt)} »</small>"
        )
        body.append(
            f"<tr><td {_CELL}>{_escape(row.old.ref)}. {_escape(row.old.title)}</td>"
            f"<td {_CELL}>{new}</td><td {_CELL}>{cited}</td></tr>"
        )
    if not body:
        body.append(f'<tr><td {_CELL} colspan="3"><em>no text gives a table</em></td></tr>')
    caption = f"<caption><b>{_escape(table.old_key)} → {_escape(table.new_key)}</b></caption>"
    return f"{_TABLE}{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _repr_html_(self: Any) -> str:
    """This record as an HTML table, for notebooks."""
    return html(self)


def register() -> None:
    """Give every record class its ``_repr_html_`` (done once, when this module is imported)."""
    for name in _records.__all__:
        cls = getattr(_records, name)
        if "_repr_html_" not in vars(cls):
            cls._repr_html_ = _repr_html_


register()
