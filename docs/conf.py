"""Sphinx configuration: furo, MyST Markdown, autodoc, and pages drawn from the shipped data.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` (or ``nox -s docs``) after
``pip install '.[docs]'``: the pages document the installed package, and every diagram is
drawn on this machine while building, so the result is read offline and fetches nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import titre_mercd

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "titre-mercd"
author = "titre_mercd developers"
copyright = "titre_mercd developers; legal texts: official acts, reproduced as published"
release = titre_mercd.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.graphviz",
    "mercd_pages",
    "mercd_cli",
]

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "screenshots", "README.md"]
language = "en"

# MyST: ::: fences, definition lists, and anchors for headings up to level 3.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc + napoleon: Google docstrings, members in the order the source gives them.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False}
python_use_unqualified_type_names = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Graphviz runs at build time; SVG keeps the text sharp and searchable.
graphviz_output_format = "svg"

html_theme = "furo"
html_title = f"titre-mercd {release}"
html_static_path = ["_static"]
html_css_files = ["mercd.css"]
html_show_sourcelink = False
# Nothing is loaded from elsewhere: no web fonts, no analytics, and no MathJax (no page has math).
html_theme_options = {"navigation_with_keys": True}
