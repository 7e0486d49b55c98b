"""The gates: ``nox`` runs them all (``.ci/run`` does), ``nox -s tests-3.12`` runs one.

``tests-3.9`` … ``tests-3.13``
    the suite against the built wheel, installed with its ``test`` extra in a fresh virtual
    environment and run from a directory where the source tree is not importable, so a file
    missing from the wheel fails here before it fails a user;
``lint``
    ruff check and ruff format --check;
``typecheck``
    mypy --strict on ``src``, then on ``typing_tests`` against the installed wheel;
``docs``
    the Sphinx site built with ``-W`` (warnings are errors), then checked to load nothing from
    the network.

``libreoffice``
    the tests marked ``libreoffice`` (``tests/test_libreoffice_*.py``: LibreOffice opens the
    workbooks and the CSV files the tool writes), after installing LibreOffice where it is
    missing and can be (Debian, as root); skipped, saying why, elsewhere.

``screenshots`` (not run by default) builds the docs, photographs three pages with headless
Chromium into ``docs/screenshots/``, and checks that no page's body scrolls sideways at 400 px
wide (code blocks and tables may scroll inside themselves).

The wheel and the sdist are built once per nox run, into ``.nox/_dist``. pyenv's shims hide the
interpreters it has not activated, so the ones under ``$PYENV_ROOT/versions`` are put on
``PATH`` under their versioned names (``python3.9``...) for virtualenv to find.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nox

ROOT = Path(__file__).resolve().parent
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
# Sphinx 9 and the current myst-parser need Python 3.11 or later.
TOOLS_PYTHON = "3.12"
# Exact versions: a new ruff or mypy release adds checks, and CI must not fail on its own.
RUFF = "ruff==0.17.6"
MYPY = "mypy==2.4.1"
# The same for the docs: a new Sphinx may warn about what this one accepts, and -W fails on it.
DOCS_PINS = ["sphinx==9.0.4", "furo==2025.12.19", "myst-parser==5.2.0", "matplotlib==3.11.2"]
DIST = ROOT / ".nox" / "_dist"
DOCS_OUT = ROOT / "docs" / "_build" / "html"
SCREENSHOTS = {"index": "tour", "versions": "timeline", "correspondence": "correspondence-graph"}

nox.options.sessions = [
    *(f"tests-{v}" for v in PYTHONS),
    "lint",
    "typecheck",
    "docs",
    "libreoffice",
]
nox.options.error_on_missing_interpreters = True


def _expose_pyenv_interpreters() -> None:
    """Link each wanted pyenv interpreter into one folder, first on ``PATH``."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    links = ROOT / ".nox" / "_interpreters"
    for wanted in PYTHONS:
        name = f"python{wanted}"
        found = sorted(
            versions.glob(f"{wanted}.*/bin/{name}"),
            key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-3])],
        )
        if not found:
            continue
        links.mkdir(parents=True, exist_ok=True)
        link = links / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(found[-1])
    if links.is_dir():
        os.environ["PATH"] = f"{links}{os.pathsep}{os.environ.get('PATH', '')}"


_expose_pyenv_interpreters()
_built: list[Path] = []  # the wheel and sdist of this nox run, once built


def _dist(session: nox.Session) -> Path:
    """The folder holding the wheel and the sdist, built on first use in this nox run."""
    if not _built:
        shutil.rmtree(DIST, ignore_errors=True)
        session.install("build")
        session.run("python", "-m", "build", "--outdir", str(DIST), str(ROOT))
        _built.append(DIST)
    return _built[0]


def _wheel(session: nox.Session) -> Path:
    wheels = sorted(_dist(session).glob("titre_mercd-*.whl"))
    if len(wheels) != 1:
        session.error(f"expected one wheel in {DIST}, found {[w.name for w in wheels]}")
    return wheels[0]


# Run inside the test environment: the package must come from site-packages, not from src/.
CHECK_INSTALLED = """
import pathlib, sysconfig, titre_mercd
where = pathlib.Path(titre_mercd.__file__).resolve()
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
assert site in where.parents, f"titre_mercd imported from {where}, not from {site}"
print("testing the installed wheel:", where.parent)
"""


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole suite against the built wheel, on one Python, one worker per CPU."""
    dist = _dist(session)
    session.install(f"{_wheel(session)}[test]", "pytest-xdist")
    _pytest_installed(session, "--numprocesses=auto", env={"TITRE_MERCD_DIST": str(dist)})


def _pytest_installed(session: nox.Session, *args: str, env: dict[str, str]) -> None:
    """pytest on tests/ against the installed wheel, from a scratch folder removed after.

    A short folder of the system's temporary directory, not one under .nox: some tests print
    the paths they write to and check that the output fits 80 columns.
    """
    scratch = Path(tempfile.mkdtemp(prefix="tm-"))
    try:
        session.chdir(scratch)
        session.run("python", "-c", CHECK_INSTALLED)
        session.run(
            "python",
            "-m",
            "pytest",
            str(ROOT / "tests"),
            "-p",
            "no:cacheprovider",
            f"--basetemp={scratch / 't'}",
            *args,
            *session.posargs,
            env=env,
        )
    finally:
        session.chdir(ROOT)
        shutil.rmtree(scratch, ignore_errors=True)


def _soffice(session: nox.Session) -> str | None:
    """LibreOffice's ``soffice``, installed from Debian's packages if missing and possible."""
    found = shutil.which("soffice")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=env)
        session.run(
            "apt-get", "install", "-y", "-qq", "libreoffice-calc-nogui", external=True, env=env
        )
        found = shutil.which("soffice")
    return found


@nox.session(python=TOOLS_PYTHON)
def libreoffice(session: nox.Session) -> None:
    """LibreOffice opens what the tool writes (XLSX and CSV): ``pytest -m libreoffice``."""
    if _soffice(session) is None:
        session.skip(
            "LibreOffice's soffice is not installed, and can be installed here only from "
            "Debian's packages as root (apt-get install libreoffice-calc-nogui)"
        )
    session.install(f"{_wheel(session)}[test]")
    # A test that finds no soffice fails here instead of skipping: it was installed.
    _pytest_installed(session, "-m", "libreoffice", env={"TITRE_MERCD_REQUIRE_SOFFICE": "1"})


@nox.session(python=TOOLS_PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check, as configured in pyproject.toml."""
    session.install(RUFF)
    session.chdir(ROOT)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=TOOLS_PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the source, then on typing_tests as a user's code sees the wheel."""
    session.install(MYPY, "typing_extensions", f"{_wheel(session)}")
    session.chdir(ROOT)
    session.run("mypy", "--strict", "src")
    session.chdir(session.create_tmp())
    session.run(
        "mypy",
        "--strict",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        ".mypy_cache",
        str(ROOT / "typing_tests"),
    )


@nox.session(python=TOOLS_PYTHON)
def docs(session: nox.Session) -> None:
    """The docs, built from the installed wheel with warnings as errors, and checked offline."""
    if shutil.which("dot") is None:
        session.error(
            "Graphviz's dot is needed to draw the docs' graphs (apt-get install graphviz)"
        )
    session.install(f"{_wheel(session)}[docs]", *DOCS_PINS)
    shutil.rmtree(DOCS_OUT.parent, ignore_errors=True)
    session.chdir(ROOT)
    session.run("python", "-m", "sphinx", "-W", "--keep-going", "-b", "html", "docs", str(DOCS_OUT))
    problems = _remote_loads(DOCS_OUT)
    if problems:
        session.error("pages load resources from the network:\n" + "\n".join(problems))
    session.log(f"docs: {DOCS_OUT / 'index.html'} loads nothing from the network")


# Tags whose attribute the browser fetches as it renders a page; plain links (<a href>) are
# fetched only if a reader clicks them.
FETCHED = {
    "script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
    "video": "src", "embed": "src", "object": "data", "image": "href",
}  # fmt: skip
FETCHED_LINKS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "manifest"}
CSS_REMOTE = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.IGNORECASE)


def _is_remote(url: str | None) -> bool:
    return url is not None and url.strip().lower().startswith(("http:", "https:", "//"))


class _RemoteLoads(HTMLParser):
    """Collects the URLs an HTML or SVG page would fetch from another host while rendering."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get(FETCHED.get(tag, ""))
        if tag == "link" and FETCHED_LINKS & set((values.get("rel") or "").lower().split()):
            url = values.get("href")
        if tag == "image":
            url = values.get("href") or values.get("xlink:href")
        if _is_remote(url):
            self.found.append(f"<{tag}> {url}")


def _remote_loads(root: Path) -> list[str]:
    """Every place in the built site that would load something from another host."""
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".html", ".css", ".svg"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        where = path.relative_to(root)
        problems.extend(f"{where}: {m.group(0)}" for m in CSS_REMOTE.finditer(text))
        if path.suffix != ".css":
            parser = _RemoteLoads()
            parser.feed(text)
            problems.extend(f"{where}: {found}" for found in parser.found)
    return problems


@nox.session(python=TOOLS_PYTHON, default=False)
def screenshots(session: nox.Session) -> None:
    """Photograph three pages with headless Chromium, and check every page at 400 px wide.

    At 400 px wide, the body of no page may scroll sideways: only code blocks and tables may
    scroll inside themselves (see :data:`NARROW_CHECK`). A page that fails is named with the
    elements that stick out.
    """
    chromium = shutil.which("chromium") or session.error("needs Debian's chromium")
    docs(session)
    target = ROOT / "docs" / "screenshots"
    target.mkdir(exist_ok=True)
    profile = session.create_tmp()
    for page, name in SCREENSHOTS.items():
        session.run(
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            f"--screenshot={target / f'{name}.png'}",
            "--window-size=1280,1600",
            (DOCS_OUT / f"{page}.html").as_uri(),
            external=True,
        )
    pages = sorted(p for p in DOCS_OUT.rglob("*.html") if "_static" not in p.parts)
    measured = _measure_pages(chromium, pages, NARROW)
    wide = {page: found for page, found in measured.items() if found["problems"]}
    for page, found in measured.items():
        session.log(
            f"{page.relative_to(DOCS_OUT)} at {NARROW} px: body scroll width "
            f"{found['scrollWidth']} px, page width {found['width']} px"
        )
    if wide:
        session.error(
            f"pages that scroll sideways at {NARROW} px wide:\n"
            + "\n".join(
                f"{page.relative_to(DOCS_OUT)}: {'; '.join(found['problems'])}"
                for page, found in wide.items()
            )
        )


NARROW = 400  # px: a small phone held upright
# Run in each page at NARROW px wide: what makes the body wider than the window. An element
# outside any scrolling box whose right edge passes the window, or a scrolling box that is not
# a code block or a table yet scrolls (furo's ``div.content`` scrolls: the whole page would).
# Fixed boxes are left out: furo's table-of-contents drawer waits off-screen, on purpose.
NARROW_CHECK = """(() => {
  const width = document.documentElement.clientWidth;
  const mayScroll = (el) => el.matches("pre, div.highlight, div.table-wrapper, table, .mercd-text");
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const problems = [];
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (style.position === "fixed" || style.display === "none") continue;
    let inside = null;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.position === "fixed") { inside = "fixed"; break; }
      if (ps.overflowX === "auto" || ps.overflowX === "scroll") { inside = p; break; }
    }
    if (inside === "fixed") continue;
    const box = el.getBoundingClientRect();
    if (inside === null && box.width > 0 && box.right > width + 1)
      problems.push(name(el) + " reaches " + Math.round(box.right) + " px");
    const x = style.overflowX;
    if ((x === "auto" || x === "scroll") && el.scrollWidth > el.clientWidth + 1 && !mayScroll(el))
      problems.push(name(el) + " scrolls sideways (" + el.scrollWidth + " px wide)");
  }
  const scrollWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (scrollWidth > width) problems.push("the body is " + scrollWidth + " px wide");
  return {width: width, scrollWidth: scrollWidth, problems: problems.slice(0, 5)};
})()"""


class _Chromium:
    """Headless Chromium driven through the DevTools protocol on a pipe (no port, no library).

    ``--window-size`` cannot go below 500 px in headless mode; the protocol's device metrics
    emulation can. Messages are JSON, ended by a NUL byte, on file descriptors 3 (to Chromium)
    and 4 (from it).
    """

    def __init__(self, chromium: str, profile: str) -> None:
        import subprocess

        to_child, self._to_chromium = os.pipe()
        self._from_chromium, from_child = os.pipe()

        def pipes_on_3_and_4() -> None:
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self._process = subprocess.Popen(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--remote-debugging-pipe", f"--user-data-dir={profile}", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "about:blank",
            ],
            preexec_fn=pipes_on_3_and_4,  # noqa: PLW1509  (single-threaded here)
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_child)
        os.close(from_child)
        self._unread = b""
        self._last_id = 0
        self._events: list[dict[str, object]] = []

    def _receive(self) -> dict[str, object]:
        import json

        while b"\0" not in self._unread:
            chunk = os.read(self._from_chromium, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._unread += chunk
        message, self._unread = self._unread.split(b"\0", 1)
        return json.loads(message)  # type: ignore[no-any-return]

    def call(self, method: str, session: str | None = None, **params: object) -> dict[str, Any]:
        import json

        self._last_id += 1
        message: dict[str, object] = {"id": self._last_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_chromium, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]  # type: ignore[return-value]
            self._events.append(reply)

    def wait_for(self, event: str, session: str) -> None:
        while True:
            for index, seen in enumerate(self._events):
                if seen.get("method") == event and seen.get("sessionId") == session:
                    del self._events[index]
                    return
            self._events.append(self._receive())

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.call("Browser.close")
        self._process.wait(timeout=60)
        os.close(self._to_chromium)
        os.close(self._from_chromium)


def _measure_pages(chromium: str, pages: list[Path], width: int) -> dict[Path, dict[str, Any]]:
    """Each page, loaded at ``width`` px wide, measured by :data:`NARROW_CHECK`."""
    with tempfile.TemporaryDirectory() as profile:
        browser = _Chromium(chromium, profile)
        try:
            target = browser.call("Target.createTarget", url="about:blank")["targetId"]
            session = browser.call("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                session,
                width=width,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            browser.call("Page.enable", session)
            measured = {}
            for page in pages:
                browser.call("Page.navigate", session, url=page.as_uri())
                browser.wait_for("Page.loadEventFired", session)
                value = browser.call(
                    "Runtime.evaluate", session, expression=NARROW_CHECK, returnByValue=True
                )
                measured[page] = value["result"]["value"]
            return measured
        finally:
            browser.close()
