"""The « Command line » reference, generated from the program's own argument parser.

The directive ``mercd-cli`` walks ``titre_mercd._cli._app._parser([])`` (the parser the
program runs, with every subcommand built) and writes, for the program and for each
subcommand: its description, its usage line as argparse prints it, a table of its arguments
(name, value, help, choices and default) and its epilog. The directive ``mercd-cli-schemas``
lists the JSON Schemas of the ``--json`` outputs shipped under ``titre_mercd/schemas/cli/``,
with the description each gives. A new subcommand, option or schema appears here on the next
build, and a changed help text with it: the page cannot drift from the program.
"""

from __future__ import annotations

import argparse
import json
import re
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from titre_mercd._cli import _app

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx

PROG = "titre-mercd"


# What a reader types, shown as code (and so kept from smart quotes, which would make
# « --json » an en dash): `code` spans of a schema's description, and options in help texts.
_CODE = re.compile(r"`([^`]+)`|(?<![\w-])(--?[a-z][a-z-]*|-o)(?![\w-])")


def _inline(text: str) -> list[nodes.Node]:
    """``text`` as docutils nodes, `code` spans and option names as literals."""
    parts: list[nodes.Node] = []
    position = 0
    for match in _CODE.finditer(text):
        if match.start() > position:
            parts.append(nodes.Text(text[position : match.start()]))
        parts.append(nodes.literal(text=match.group(1) or match.group(2)))
        position = match.end()
    if position < len(text):
        parts.append(nodes.Text(text[position:]))
    return parts


def _paragraph(text: str) -> nodes.paragraph:
    paragraph = nodes.paragraph()
    paragraph.extend(_inline(text))
    return paragraph


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str, Any]]:
    """Each subcommand of ``parser``: its name, its one-line help and its parser, in order."""
    for action in parser._actions:  # noqa: SLF001  (argparse keeps them nowhere public)
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            helps = {a.dest: a.help or "" for a in action._choices_actions}  # noqa: SLF001
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def _name(action: argparse.Action) -> str:
    """An option's spellings, or a positional argument as the usage line writes it."""
    if action.option_strings:
        return ", ".join(action.option_strings)
    return _value(action, positional=True)


def _value(action: argparse.Action, *, positional: bool = False) -> str:
    """What the argument takes: its metavar, its choices, or nothing for a flag."""
    if action.nargs == 0 or (not action.option_strings and not positional):
        return ""
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
        return " | ".join(str(c) for c in action.choices)
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    if action.nargs in ("*", argparse.REMAINDER):
        return f"[{metavar} …]"
    if action.nargs == "+":
        return f"{metavar} …"
    if action.nargs == "?":
        return f"[{metavar}]"
    return metavar


def _details(action: argparse.Action) -> str:
    notes = []
    if action.option_strings and action.required:
        notes.append("required")
    if (
        action.nargs != 0
        and action.default not in (None, argparse.SUPPRESS)
        and action.default is not False
    ):
        notes.append(f"default: {action.default}")
    return "; ".join(notes)


def _arguments_table(parser: argparse.ArgumentParser, *, top: bool) -> nodes.table | None:
    """The arguments of ``parser``; ``-h`` only for the program (every command takes it)."""
    subparsers, help_action = argparse._SubParsersAction, argparse._HelpAction  # noqa: SLF001
    skipped = (subparsers,) if top else (subparsers, help_action)
    actions = [
        a
        for a in parser._actions  # noqa: SLF001
        if a.help != argparse.SUPPRESS and not isinstance(a, skipped)
    ]
    if not actions:
        return None
    table = nodes.table(classes=["mercd-table", "mercd-cli-arguments"])
    group = nodes.tgroup(cols=3)
    table += group
    for width in (22, 18, 60):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row([nodes.Text("argument"), nodes.Text("value"), nodes.Text("what it does")])
    group += head
    body = nodes.tbody()
    for action in actions:
        help_text = (action.help or "") % {"prog": parser.prog, "default": action.default}
        details = _details(action)
        if details:
            help_text = f"{help_text} ({details})" if help_text else details
        value = _value(action)
        body += _row(
            [
                nodes.literal(text=_name(action)),
                nodes.literal(text=value) if value else nodes.Text(""),
                *[_paragraph(help_text)],
            ]
        )
    group += body
    return table


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        if isinstance(cell, nodes.paragraph):
            entry += cell
        else:
            paragraph = nodes.paragraph()
            paragraph += cell
            entry += paragraph
        row += entry
    return row


def _usage(parser: argparse.ArgumentParser) -> nodes.literal_block:
    usage = parser.format_usage().strip()
    block = nodes.literal_block(usage, usage, classes=["mercd-cli-usage"])
    block["language"] = "text"
    return block


def _parser_section(
    title: str, ident: str, parser: argparse.ArgumentParser, summary: str = ""
) -> nodes.section:
    section = nodes.section(ids=[nodes.make_id(ident)])
    section += nodes.title(text=title)
    description = parser.description or summary
    if description:
        section += _paragraph(description)
    section += _usage(parser)
    table = _arguments_table(parser, top=parser.prog == PROG)
    if table is not None:
        section += table
    if parser.epilog:
        section += _paragraph(parser.epilog)
    return section


class CommandLineDirective(SphinxDirective):
    """The program and each of its subcommands, from the parser the program runs."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(_app.__file__)
        parser = _app._parser([])  # noqa: SLF001  (every subcommand is built for an empty argv)
        output: list[nodes.Node] = [_parser_section(PROG, "cli-program", parser)]
        for name, summary, sub in _subcommands(parser):
            section = _parser_section(f"{PROG} {name}", f"cli-{name}", sub, summary)
            for inner, inner_summary, inner_parser in _subcommands(sub):
                section += _parser_section(
                    f"{PROG} {name} {inner}", f"cli-{name}-{inner}", inner_parser, inner_summary
                )
            output.append(section)
        return output


class SchemasDirective(SphinxDirective):
    """The JSON Schema of each ``--json`` output, as shipped in the package."""

    def run(self) -> list[nodes.Node]:
        folder = files("titre_mercd").joinpath("schemas", "cli")
        listing = nodes.bullet_list()
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if not path.name.endswith(".schema.json"):
                continue
            schema = json.loads(path.read_text(encoding="utf-8"))
            item = nodes.list_item()
            paragraph = nodes.paragraph()
            paragraph += nodes.literal(text=f"schemas/cli/{path.name}")
            paragraph += nodes.Text(": ")
            paragraph.extend(_inline(schema.get("description", "")))
            item += paragraph
            listing += item
        return [listing]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives."""
    app.add_directive("mercd-cli", CommandLineDirective)
    app.add_directive("mercd-cli-schemas", SchemasDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
