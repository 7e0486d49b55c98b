"""Every code example in the documentation runs against the installed package.

In ``docs/**/*.md``:

- a ``pycon`` block is a doctest; the blocks of one page share their names, in page order,
  as in a reader's session;
- a ``console`` block runs each ``$ titre-mercd ...`` command and compares what it prints
  (stdout, then stderr; ``...`` matches anything) and its exit status: 0, or the ``N`` of a
  last line ``[exit status N]``;
- a ``{code-block}`` whose ``:caption:`` is a file name is written to that file first, so the
  commands after it can read it;
- a ``python`` block is refused: an example that is not run can go stale.

Each page runs in its own empty directory. The package's docstrings are run by
``test_docstrings.py``.
"""

from __future__ import annotations

import doctest
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(
    page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md") if "_build" not in page.parts
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

FENCE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>```+)(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ ]*$",
    re.MULTILINE | re.DOTALL,
)
# The file name a ``{code-block}`` shows in its caption, e.g. ``:caption: candidates.csv``.
CAPTION_FILE = re.compile(r"^:caption:\s*(?P<name>[\w.-]+\.\w+)\s*$")


def _blocks(text: str) -> list[tuple[int, str, str]]:
    """The fenced blocks of a page: (line number, info string, body without indentation)."""
    found = []
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        body = "".join(line[indent:] for line in match["body"].splitlines(keepends=True))
        line = text.count("\n", 0, match.start()) + 1
        found.append((line, match["info"].strip(), body))
    return found


def _run_pycon(body: str, globs: dict[str, object], name: str, line: int) -> None:
    test = doctest.DocTestParser().get_doctest(body, globs, name, name, line)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    result = runner.run(test, out=report.append, clear_globs=False)
    globs.update(test.globs)  # the DocTest ran on a copy: later blocks see these names
    assert result.failed == 0, f"{name}, block at line {line}:\n" + "".join(report)


def _commands(body: str) -> list[tuple[str, str]]:
    """``$ command`` lines of a console block, each with the output shown under it."""
    commands: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"console block starts with output, not '$ ': {line!r}")
    return [(command, "\n".join(shown).strip() + "\n") for command, shown in commands]


def _run_console(body: str, name: str, line: int) -> None:
    checker = doctest.OutputChecker()
    for command, expected in _commands(body):
        words = shlex.split(command)
        assert words[0] == "titre-mercd", (
            f"{name}, line {line}: console blocks run the package's own command; "
            f"show other commands in a 'sh' block: {command!r}"
        )
        completed = subprocess.run(
            [sys.executable, "-m", "titre_mercd", *words[1:]],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        shown, status = _split_status(expected)
        printed = completed.stdout + completed.stderr
        assert completed.returncode == status, (
            f"{name}, line {line}: $ {command}\nexit status {completed.returncode}, "
            f"the docs show {status}\n--- printed\n{printed}"
        )
        assert checker.check_output(shown, printed, FLAGS), (
            f"{name}, line {line}: $ {command}\n"
            f"--- shown in the docs\n{shown}--- printed\n{printed}"
        )


def _split_status(expected: str) -> tuple[str, int]:
    """The output a command shows, and the exit status its last line names (0 by default)."""
    lines = expected.rstrip("\n").split("\n")
    match = re.fullmatch(r"\[exit status (\d+)\]", lines[-1])
    if match is None:
        return expected, 0
    return "\n".join(lines[:-1]).strip() + "\n", int(match[1])


def _write_file(info: str, body: str, directory: Path) -> None:
    options = []
    lines = body.splitlines(keepends=True)
    while lines and lines[0].startswith(":"):
        options.append(lines.pop(0).strip())
    names = [m["name"] for m in map(CAPTION_FILE.match, options) if m is not None]
    if names and info.startswith("{code-block}"):
        content = "".join(lines).lstrip("\n")
        (directory / names[0]).write_text(content, encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (DOCS / page).read_text(encoding="utf-8")
    globs: dict[str, object] = {"__name__": f"docs/{page}"}
    for line, info, body in _blocks(text):
        language = info.split()[0] if info else ""
        assert language != "python", (
            f"{page}, line {line}: write Python examples as 'pycon' sessions so they run"
        )
        if language == "pycon":
            _run_pycon(body, globs, f"docs/{page}", line)
        elif language == "console":
            _run_console(body, f"docs/{page}", line)
        else:
            _write_file(info, body, tmp_path)


def test_the_pages_hold_examples() -> None:
    """The harness finds the examples: the tour and the tutorials are not silently skipped."""
    for page in ["index.md", *(p for p in PAGES if p.startswith("tutorials/"))]:
        infos = [info for _, info, _ in _blocks((DOCS / page).read_text(encoding="utf-8"))]
        assert infos.count("pycon") >= 3, page


def test_console_commands_are_parsed() -> None:
    body = textwrap.dedent(
        """\
        $ titre-mercd rome D1408
        D1408 ...

        $ titre-mercd nsf 999
        [exit status 1]
        """
    )
    assert _commands(body) == [
        ("titre-mercd rome D1408", "D1408 ...\n"),
        ("titre-mercd nsf 999", "[exit status 1]\n"),
    ]
    assert _split_status("D1408 ...\n") == ("D1408 ...\n", 0)
    assert _split_status("no such code\n[exit status 1]\n") == ("no such code\n", 1)


def test_every_public_name_is_in_the_api_reference() -> None:
    import titre_mercd

    reference = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = [name for name in titre_mercd.__all__ if f"titre_mercd.{name}" not in reference]
    assert missing == []


def test_the_command_line_page_is_generated_from_the_parser() -> None:
    """docs/cli.md holds no hand-written reference: the directive walks the program's parser."""
    pytest.importorskip("sphinx", reason="the docs extension needs Sphinx (extra 'docs')")
    import argparse
    import sys

    from titre_mercd._cli._app import _COMMANDS, _parser

    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import mercd_cli
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "```{mercd-cli}" in page
    assert "```{mercd-cli-schemas}" in page
    parser = _parser([])
    listed = {name: sub for name, _, sub in mercd_cli._subcommands(parser)}
    assert list(listed) == [row[0] for row in _COMMANDS]
    for sub in listed.values():
        table = mercd_cli._arguments_table(sub, top=False)
        shown = table.astext() if table is not None else ""
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            assert mercd_cli._name(action) in shown, (sub.prog, action)
