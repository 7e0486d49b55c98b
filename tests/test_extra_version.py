"""A new version is a data-only change: a version file and a correspondence file, no code."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib.resources import files
from typing import TYPE_CHECKING

import pytest

import titre_mercd
from titre_mercd._manifest import write_manifest
from titre_mercd._referentiel import _use_data_directory

if TYPE_CHECKING:
    from pathlib import Path

NEW_KEY = "2029-01-15"  # made up for this test: no such arrêté is known


@pytest.fixture
def data_with_a_successor(tmp_path: Path) -> Path:
    """A copy of the shipped data plus a made-up version after 2018 and its table."""
    root = tmp_path / "data"
    shutil.copytree(str(files("titre_mercd").joinpath("data")), root)
    payload = json.loads((root / "versions/2018-12-11.json").read_text(encoding="utf-8"))
    version = payload["version"]
    version["key"] = NEW_KEY
    version["legal_text"] = {**version["legal_text"], "date": NEW_KEY, "nor": "TEST0000000A"}
    version["validity"] = {"start": "2029-05-12", "end": None}
    version["blocks"] = [
        {**block, "version_key": NEW_KEY, "title": f"Bloc {block['number']} du titre de test"}
        for block in version["blocks"]
    ]
    # The made-up blocs are quoted from a made-up text shipped with them, in this copy only.
    titles = "\n".join(block["title"] for block in version["blocks"])
    (root / "texts/test-2029.txt").write_text(titles + "\n", encoding="utf-8")
    texts = json.loads((root / "texts.json").read_text(encoding="utf-8"))
    texts["texts"].append(
        {
            "id": "test-2029",
            "file": "texts/test-2029.txt",
            "legal_text": {
                "kind": "test",
                "date": None,
                "title": "Made-up text for a test",
                "nor": None,
                "consolidated_on": None,
            },
            "source": "made up for a test",
        }
    )
    (root / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    for block in version["blocks"]:
        quoted = {"text": "test-2029", "location": "test", "excerpt": block["title"]}
        payload["block_sources"][str(block["number"])].update(number=quoted, title=quoted)
    (root / f"versions/{NEW_KEY}.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    excerpt = "Piloter la performance d'une équipe de conseillers client"
    table = {
        "header": {"source": "made up for a test"},
        "old_key": "2018-12-11",
        "new_key": NEW_KEY,
        "rows": [
            {"old": 1, "new": 2, "source": {"text": "arrete-2018", "location": "article 4", "excerpt": excerpt}},
            {"old": 2, "new": None, "source": {"text": "arrete-2018", "location": "article 4", "excerpt": excerpt}},
        ],
    }  # fmt: skip
    (root / f"correspondences/2018-12-11_{NEW_KEY}.json").write_text(
        json.dumps(table, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    write_manifest(root, "test")
    return root


def test_the_new_version_is_picked_up_everywhere(data_with_a_successor: Path) -> None:
    with _use_data_directory(data_with_a_successor):
        assert [v.key for v in titre_mercd.versions()][-2:] == ["2018-12-11", NEW_KEY]
        assert titre_mercd.current(dt.date(2030, 1, 1)).key == NEW_KEY  # type: ignore[union-attr]
        assert titre_mercd.current(dt.date(2020, 1, 1)).key == "2018-12-11"  # type: ignore[union-attr]
        assert titre_mercd.current(dt.date(2029, 1, 1)) is None
        assert titre_mercd.successor("2018-12-11").key == NEW_KEY  # type: ignore[union-attr]
        assert titre_mercd.DATA_VERSION == "test"
        # 2011/3 → 2018/1 (article 4 of 2018) → new/2: the tables chain.
        chained = titre_mercd.deemed_obtained(["2011-06-01/3"], NEW_KEY)
        assert [b.ref for b in chained] == [f"{NEW_KEY}/2"]
        # 2011/2 → 2018/2 → nothing in the new version.
        assert titre_mercd.deemed_obtained(["2011-06-01/2"], NEW_KEY) == ()
        assert [b.number for b in titre_mercd.missing_blocks(["2018-12-11/1"], NEW_KEY)] == [1]
        assert titre_mercd.find_block("bloc 1 du titre de test").ref == f"{NEW_KEY}/1"
    # Outside the block, the shipped data answers again.
    assert titre_mercd.versions()[-1].key == "2018-12-11"
