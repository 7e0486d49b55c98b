"""Shared test configuration: hypothesis profiles.

``ci`` (the default) keeps the suite quick on two cores while every law still sees a hundred
varied examples; ``thorough`` is for a run before a release:
``HYPOTHESIS_PROFILE=thorough python -m pytest``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _user_directories(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test answers from, or writes to, a developer's own update or cache.

    The user's data and cache directories (platformdirs', which the search rule and
    ``registry update`` use) point at empty temporary directories, for every test and every
    program a test runs.
    """
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
