"""The loader under hostile data directories and hostile process states (issue 11, item 4).

A data directory is untrusted input. Put in the place of a data file, a FIFO, a device or a
file far too big is refused without blocking and without reading it; JSON nested deeper than
any parser goes is a :class:`DataError` naming the file, not a ``RecursionError``. And a child
forked while another thread of its parent holds the load lock does not wait for it forever.

Each case that would hang if it regressed runs in a subprocess with a timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import titre_mercd
from titre_mercd import DataError, Referentiel
from titre_mercd._loading import MAX_FILE_SIZE
from titre_mercd._manifest import write_manifest

TEXT_2018 = "texts/arrete-2018-12-11-MTRD1833181A.txt"
V2018 = "versions/2018-12-11.json"
TIMEOUT = 60  # seconds: a hang is a failure, not a stuck suite

needs_posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices are POSIX")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    import importlib.resources

    root = tmp_path / "data"
    shipped = Path(str(importlib.resources.files("titre_mercd") / "data"))
    shutil.copytree(shipped, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def load_in_a_child(directory: Path) -> str:
    """Load ``directory`` in a fresh interpreter; its DataError message (it must raise one)."""
    program = textwrap.dedent(
        f"""
        import titre_mercd
        try:
            titre_mercd.use_data({str(directory)!r})
        except titre_mercd.DataError as exc:
            print(exc)
        else:
            print("loaded")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.strip()


@needs_posix
@pytest.mark.parametrize("name", [TEXT_2018, V2018, "MANIFEST.json"])
def test_a_fifo_in_the_place_of_a_data_file_is_refused_at_once(data_copy: Path, name: str) -> None:
    (data_copy / name).unlink()
    os.mkfifo(data_copy / name)  # no writer: a blocking open would wait forever
    message = load_in_a_child(data_copy)
    assert message.startswith(f"data directory {str(data_copy)!r}: {name}: "), message
    assert "not a regular file" in message


@needs_posix
@pytest.mark.parametrize("device", ["/dev/urandom", "/dev/zero"])
def test_a_device_linked_in_the_place_of_a_data_file_is_refused(
    data_copy: Path, device: str
) -> None:
    """A symlink to an endless character device: reading it would never end."""
    if not Path(device).exists():
        pytest.skip(f"no {device} on this system")
    (data_copy / TEXT_2018).unlink()
    (data_copy / TEXT_2018).symlink_to(device)
    message = load_in_a_child(data_copy)
    assert f": {TEXT_2018}: " in message, message
    assert "not a regular file" in message


def test_a_file_far_too_big_is_refused_unread(data_copy: Path) -> None:
    path = data_copy / TEXT_2018
    with path.open("r+b") as file:  # sparse: no disk is spent on it
        file.truncate(MAX_FILE_SIZE + 1)
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert f": {TEXT_2018}: " in str(raised.value)
    assert f"larger than {MAX_FILE_SIZE} bytes" in str(raised.value)


def test_a_directory_in_the_place_of_a_data_file_is_refused(data_copy: Path) -> None:
    (data_copy / TEXT_2018).unlink()
    (data_copy / TEXT_2018).mkdir()
    with pytest.raises(DataError, match=f": {TEXT_2018}: .*cannot be read"):
        Referentiel(data_copy)


def test_a_symlink_to_a_regular_file_is_read(data_copy: Path, tmp_path: Path) -> None:
    """Links are not refused as such (a packager may use them): what they lead to is checked."""
    elsewhere = tmp_path / "elsewhere.txt"
    shutil.move(str(data_copy / TEXT_2018), elsewhere)
    (data_copy / TEXT_2018).symlink_to(elsewhere)
    assert Referentiel(data_copy).versions() == titre_mercd.versions()


@pytest.mark.parametrize("name", ["MANIFEST.json", V2018])
def test_nesting_deeper_than_the_parser_goes_is_a_data_error(data_copy: Path, name: str) -> None:
    (data_copy / name).write_text("[" * 200_000, encoding="utf-8")
    if name != "MANIFEST.json":
        write_manifest(data_copy, "nested")
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert f": {name}: invalid JSON: " in str(raised.value)


def test_nesting_that_parses_but_repeats_a_key_is_a_data_error(data_copy: Path) -> None:
    """The second reading that finds where a key repeats must not overflow either."""
    depth = 50_000
    nested = '{"a":' * depth + "1" + "}" * depth
    (data_copy / V2018).write_text(f'{{"header": {nested}, "header": 1}}', encoding="utf-8")
    write_manifest(data_copy, "nested")
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert f": {V2018}: " in str(raised.value)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe not UTF-8", b"", b'{"data_version": 1e999999}', b"1" * 5000, b"NaN"],
    ids=["not UTF-8", "empty", "huge float", "huge int", "NaN"],
)
def test_every_parser_failure_of_the_manifest_is_a_data_error(
    data_copy: Path, content: bytes
) -> None:
    (data_copy / "MANIFEST.json").write_bytes(content)
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert ": MANIFEST.json: " in str(raised.value)


FORK_WHILE_LOCKED = """
import os, sys, threading, time
import titre_mercd
from titre_mercd import _referentiel

{prepare}
held, release = threading.Event(), threading.Event()

def hold_the_lock():
    with _referentiel._lock:
        held.set()
        release.wait()

threading.Thread(target=hold_the_lock, daemon=True).start()
held.wait()
pid = os.fork()
if pid == 0:  # the child: the thread holding the lock does not exist here
    try:
        {child}
    except BaseException as exc:
        print("child failed:", exc, flush=True)
        os._exit(1)
    os._exit(0)
deadline = time.monotonic() + 20
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        print("the child is stuck")
        sys.exit(1)
    time.sleep(0.01)
release.set()
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this system")
@pytest.mark.parametrize(
    ("prepare", "child"),
    [
        ("", "print(titre_mercd.versions()[-1].key, flush=True)"),
        (
            "titre_mercd.preload()",
            "print(titre_mercd.use_data(None).versions()[-1].key, flush=True)",
        ),
    ],
    ids=["first use in the child", "switch in the child"],
)
def test_a_child_forked_while_the_lock_is_held_does_not_wait_for_it(
    prepare: str, child: str
) -> None:
    program = FORK_WHILE_LOCKED.format(prepare=prepare, child=child)
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", program],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert result.stdout == "2018-12-11\n"
