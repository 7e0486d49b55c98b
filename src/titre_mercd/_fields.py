"""What each record declares, once, about each of its fields, for every renderer.

A record field is declared with :func:`about` (an ``attrs.field`` carrying its metadata): its
human label, its CSV column, whether it can be unknown, how its source is cited, and the
renderers that leave it out on purpose, with the reason. The renderers (CSV and XLSX exports,
notebook HTML, ``show``, JSON, JSON-LD) loop over :func:`fields_of` rather than naming fields,
so a field added to a record reaches every one of them; ``tests/test_fields.py`` fails when one
leaves out a field that the metadata does not exclude.

Only ``attrs`` is imported here: the records import this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CITED",
    "RENDERERS",
    "About",
    "about",
    "fields_of",
    "held_in_tuple",
    "record_class",
    "rendered_by",
]

RENDERERS = ("csv", "html", "show", "json", "jsonld")
"""The renderers a field may be left out of. The XLSX export's sheets are the CSV tables."""

CITED = {
    "source": "source_of(record, field) gives its own source, whenever it has a value",
    "holder": "the source of the field of the record that holds this one cites it",
    "identity": "names or describes a record or a text: not a fact with a source",
}
"""How a field's source is cited: the values of :attr:`About.cited`."""

_KEY = "titre_mercd"


class About:
    """What a field declares of itself: see :func:`about`."""

    def __init__(
        self,
        label: str,
        column: str | None,
        unknowable: bool,
        cited: str,
        omitted: Mapping[str, str],
        section: bool,
        brief: tuple[str, ...] | None,
        schema: Mapping[str, Any],
    ) -> None:
        self.label = label
        self.column = column
        self.unknowable = unknowable
        self.cited = cited
        self.omitted = omitted
        self.section = section
        self.brief = brief
        self.schema = schema


def about(
    label: str,
    *,
    column: str | None = None,
    unknowable: bool = False,
    cited: str = "source",
    omitted: Mapping[str, str] | None = None,
    section: bool = False,
    brief: tuple[str, ...] | None = None,
    schema: Mapping[str, Any] | None = None,
    **field: Any,
) -> Any:
    """An ``attrs.field`` (given ``field``'s arguments) that declares what renderers need.

    Args:
        label: the human label (``show``, notebook HTML, JSON-LD's property names).
        column: the CSV column (a prefix for a record's columns); the field's name by default.
        unknowable: whether ``unknown_fields`` may name it (no shipped source gives it).
        cited: how its source is cited, one of :data:`CITED`.
        omitted: the renderers (of :data:`RENDERERS`) that leave it out, each with the reason.
        section: a text renderer shows it as a section of its own rather than one line.
        brief: a record held here is shown by these of its fields only (its own table or
            section shows it whole).
        schema: JSON Schema keywords its values obey (a code's ``pattern``, a level's
            bounds), for ``schemas/dataset.schema.json`` (see :mod:`._schema`).
        **field: what ``attrs.field`` takes (``default``, ...).
    """
    if cited not in CITED:
        raise ValueError(f"cited={cited!r}; accepted: {', '.join(CITED)}")
    unknown = set(omitted or ()) - set(RENDERERS)
    if unknown:
        raise ValueError(f"omitted names {sorted(unknown)}; renderers: {', '.join(RENDERERS)}")
    metadata = {
        _KEY: About(label, column, unknowable, cited, omitted or {}, section, brief, schema or {}),
    }
    return attrs.field(metadata=metadata, **field)


def fields_of(cls: type) -> tuple[tuple[str, About], ...]:
    """Each field of the record class ``cls``, in order, with what it declares."""
    return tuple((f.name, f.metadata[_KEY]) for f in attrs.fields(cls))


def rendered_by(cls: type, renderer: str) -> tuple[tuple[str, About], ...]:
    """The fields of ``cls`` that ``renderer`` shows: every field it does not leave out.

    A value the record derives from a field (a window's last day, from its end) follows that
    field, or comes last when the renderer leaves the field out.
    """
    shown = [(name, a) for name, a in fields_of(cls) if renderer not in a.omitted]
    for derived, after, label in getattr(cls, "_derived", ()):
        at = next((i + 1 for i, (name, _) in enumerate(shown) if name == after), len(shown))
        declared = About(label, None, False, "holder", {}, False, None, {})  # noqa: FBT003
        shown.insert(at, (derived, declared))
    return tuple(shown)


def _field_type(cls: type, name: str) -> Any:
    attrs.resolve_types(cls)  # the annotations are strings until resolved (kept by attrs)
    field = attrs.fields_dict(cls).get(name)
    return None if field is None else field.type  # None: a value the record derives


def _args(type_: Any) -> tuple[Any, ...]:
    return tuple(arg for arg in getattr(type_, "__args__", ()) if arg is not type(None))


def record_class(cls: type, name: str) -> type | None:
    """The record class that field ``name`` of ``cls`` holds (alone, or as a tuple of them)."""
    type_ = _field_type(cls, name)
    for candidate in (type_, *_args(type_)):
        if attrs.has(candidate):
            return candidate
    return None


def held_in_tuple(cls: type, name: str) -> bool:
    """Whether field ``name`` of ``cls`` is a tuple of records."""
    type_ = _field_type(cls, name)
    return getattr(type_, "__origin__", None) is tuple and any(attrs.has(a) for a in _args(type_))
