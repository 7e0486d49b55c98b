"""``registry import`` moves, replaces or deletes nothing but what an import wrote.

Written as the probes were: a real second process, a real reader, a real signal, a file the
user put in the directory. The directory swap itself is tested in ``test_directory_swap.py``
and, in any order of imports, readers, user files and signals, in
``test_directory_swap_machine.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from registry_exports import lineage_fiches, write_export
from test_cli import LAUNCHERS, error, run

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = LAUNCHERS["python -m titre_mercd"]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and links")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    return write_export(folder / "export_fiches_RNCP_V4_1_2026-12-01.xml", lineage_fiches())


def import_into(target: Path, export: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(PROGRAM, "registry", "import", str(export), "-o", str(target), *extra)


def everything(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (links followed) and its content."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_force_refuses_a_directory_holding_the_users_files_and_deletes_nothing(
    export: Path, tmp_path: Path
) -> None:
    target = tmp_path / "data"
    assert import_into(target, export).returncode == 0
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    (target / "texts" / "extra.txt").write_text("mine too", encoding="utf-8")
    before = everything(tmp_path)
    message = error(import_into(target, export, "--force"), 2, "notes.txt", "texts/extra.txt")
    assert "nothing was deleted" in message
    assert everything(tmp_path) == before


def test_an_export_inside_the_target_is_refused_before_it_is_read(
    export: Path, tmp_path: Path
) -> None:
    target = tmp_path / "data"
    assert import_into(target, export).returncode == 0
    inside = target / export.name
    shutil.copyfile(export, inside)
    before = everything(tmp_path)
    error(import_into(target, inside, "--force"), 2, "inside")
    # a second name for it (a hard link) is the same file
    linked = tmp_path / "elsewhere.xml"
    os.link(inside, linked)
    error(import_into(target, linked, "--force", "--export-date", "2026-12-01"), 2, "inside")
    linked.unlink()
    assert everything(tmp_path) == before


def test_a_fifo_named_as_the_manifest_does_not_hang_the_import(
    export: Path, tmp_path: Path
) -> None:
    target = tmp_path / "data"
    assert import_into(target, export).returncode == 0
    manifest = target / "MANIFEST.json"
    manifest.unlink()
    os.mkfifo(manifest)
    error(import_into(target, export, "--force"), 2, "not written by")
    assert stat.S_ISFIFO(manifest.lstat().st_mode)


def test_two_imports_to_one_target_cannot_both_succeed(export: Path, tmp_path: Path) -> None:
    target = tmp_path / "data"
    command = [*PROGRAM, "registry", "import", str(export), "-o", str(target)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = sorted((p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes)
    for process in processes:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert [status for status, _ in outcomes] == [0, 2], outcomes
    assert outcomes[1][1].startswith("titre-mercd: registry import: ")
    assert import_into(target, export, "--force").returncode == 0


READER = """
import os, sys, time
from titre_mercd._loading import load_directory
from titre_mercd.exceptions import DataError
loads = errors = 0
give_up = time.monotonic() + 120
while not os.path.exists(sys.argv[2]) and time.monotonic() < give_up:
    try:
        load_directory(sys.argv[1])
    except DataError as exc:
        errors += 1
        print(exc, file=sys.stderr)
    loads += 1
print(loads, errors)
"""


def test_a_reader_during_re_imports_gets_the_old_data_or_the_new(
    export: Path, tmp_path: Path
) -> None:
    target = tmp_path / "data"
    assert import_into(target, export).returncode == 0
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(target), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(5):
            result = import_into(target, export, "--force")
            assert result.returncode == 0, result.stderr
    finally:
        stop.touch()
    out, err = reader.communicate(timeout=180)
    loads, errors = map(int, out.split())
    assert (errors, err) == (0, "")
    assert loads > 0


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 0.9, 1.2, 1.6])
def test_a_signal_at_any_moment_leaves_the_old_directory_or_the_new_one_whole(
    export: Path, tmp_path: Path, delay: float
) -> None:
    target = tmp_path / "data"
    assert import_into(target, export).returncode == 0
    (tmp_path / "mine.txt").write_text("mine", encoding="utf-8")
    process = subprocess.Popen(
        [*PROGRAM, "registry", "import", str(export), "-o", str(target), "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    # killed before the handlers are in place (the interpreter starting), ended by the
    # signal (143), or done before it came (0)
    assert process.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM, 0), stderr
    assert b"Traceback" not in stderr
    checked = run(PROGRAM, "--data", str(target), "versions", "--json")
    assert checked.returncode == 0, checked.stderr
    # a later run finishes what the signal cut short: one copy is left, the current one
    assert import_into(target, export, "--force").returncode == 0
    store = tmp_path / ".data.versions"
    assert sorted(p.name for p in store.iterdir()) == sorted([target.readlink().name, "lock"])
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "mine"


def test_imported_directories_and_files_follow_the_umask(export: Path, tmp_path: Path) -> None:
    target = tmp_path / "data"
    result = subprocess.run(
        [*PROGRAM, "registry", "import", str(export), "-o", str(target)],
        capture_output=True,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    real = target.resolve()
    modes = {stat.S_IMODE(path.stat().st_mode) for path in [real, *real.rglob("*")]}
    assert modes == {0o755, 0o644}
    manifest = json.loads((target / "MANIFEST.json").read_text(encoding="utf-8"))
    assert "import" in manifest
