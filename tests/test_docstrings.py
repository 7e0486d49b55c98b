"""Every example in the installed package's docstrings runs as a doctest."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import titre_mercd

MODULES = sorted(
    ["titre_mercd"] + [f"titre_mercd.{m.name}" for m in pkgutil.iter_modules(titre_mercd.__path__)]
)


@pytest.mark.parametrize("name", [m for m in MODULES if m != "titre_mercd.__main__"])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
