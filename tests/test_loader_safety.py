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
    program = f"""
        import titre_mercd
        try:
            titre_mercd.use_data({str(directory)!r})
        except titre_mercd.DataError as exc:
            print(exc)
        else:
            print("loaded")
        """
    return run_in_a_child(program).strip()


def run_in_a_child(program: str) -> str:
    """What ``program`` prints in a fresh interpreter, which must end well and say nothing else."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(program)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


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


# ---------------------------------------------------------------- issue 19, item 9 and « Data at the door »


def reseal(root: Path) -> None:
    """Record the files' hashes (under a new data version each time)."""
    import json

    history = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))["history"]
    write_manifest(root, f"hostile.{len(history)}")


def test_a_file_named_many_times_is_read_once_and_the_total_is_capped(data_copy: Path) -> None:
    """texts.json naming one big file sixty times costs one reading of it, within the cap."""
    import json

    from titre_mercd._loading import MAX_TOTAL_SIZE

    texts = json.loads((data_copy / "texts.json").read_text(encoding="utf-8"))
    big = "texts/big.txt"
    (data_copy / big).write_bytes(b"x" * (MAX_FILE_SIZE - 1))
    first = texts["texts"][0]
    for i in range(60):
        entry = json.loads(json.dumps(first))
        entry.update(id=f"big-{i}", file=big)
        entry["legal_text"].update(title=f"Big {i}")
        texts["texts"].append(entry)
    (data_copy / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    reseal(data_copy)
    assert Referentiel(data_copy).versions() == titre_mercd.versions()
    (data_copy / "texts/big2.txt").write_bytes(b"y" * (MAX_FILE_SIZE - 1))
    (data_copy / "texts/big3.txt").write_bytes(b"z" * (MAX_FILE_SIZE - 1))
    for i, name in ((1, "texts/big2.txt"), (2, "texts/big3.txt")):
        texts["texts"][-i]["file"] = name
    (data_copy / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    reseal(data_copy)
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert f"past the {MAX_TOTAL_SIZE} bytes all the files of a data directory" in str(raised.value)


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/hostname", "texts/../../outside.txt"])
def test_a_manifest_name_leaving_the_directory_is_refused_without_its_digest(
    data_copy: Path, name: str
) -> None:
    import json

    outside = data_copy.parent / "outside.txt"
    outside.write_text("a file outside the data directory\n", encoding="utf-8")
    manifest = json.loads((data_copy / "MANIFEST.json").read_text(encoding="utf-8"))
    manifest["files"][name] = "0" * 64
    (data_copy / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    message = str(raised.value)
    assert "MANIFEST.json: $.files: " in message
    assert "is not a name inside the data directory" in message
    assert "sha256" not in message


def test_a_texts_name_leaving_the_directory_is_refused(data_copy: Path) -> None:
    import json

    texts = json.loads((data_copy / "texts.json").read_text(encoding="utf-8"))
    texts["texts"][0]["file"] = "../outside.txt"
    (data_copy / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    reseal(data_copy)
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert "texts.json: $.texts[0].file: '../outside.txt' is not a name inside" in str(raised.value)


@pytest.mark.parametrize("control", ["\x1b", "\x07", "\x00", "\x0c", "\x08"])
def test_a_control_character_in_a_string_is_refused_with_the_file_and_field(
    data_copy: Path, control: str
) -> None:
    import json

    payload = json.loads((data_copy / V2018).read_text(encoding="utf-8"))
    payload["version"]["title"] += f"{control}]0;pwned"
    (data_copy / V2018).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    reseal(data_copy)
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert f"{V2018}: $.version.title: holds the control character {control!r}" in str(raised.value)


def test_a_control_character_in_a_text_file_is_refused_with_its_line(data_copy: Path) -> None:
    path = data_copy / TEXT_2018
    path.write_text(path.read_text(encoding="utf-8") + "\x1b[2J\n", encoding="utf-8")
    reseal(data_copy)
    lines = path.read_text(encoding="utf-8").count("\n")
    with pytest.raises(DataError) as raised:
        Referentiel(data_copy)
    assert f"{TEXT_2018}: line {lines}: holds the control character '\\x1b'" in str(raised.value)


def test_cr_and_crlf_are_read_as_newlines_not_refused(data_copy: Path) -> None:
    import json

    path = data_copy / TEXT_2018
    content = path.read_text(encoding="utf-8")
    path.write_bytes(content.replace("\n", "\r\n").encode("utf-8"))
    payload = json.loads((data_copy / V2018).read_text(encoding="utf-8"))
    summary = payload["version"]["summary"]
    assert "\n" in summary
    payload["version"]["summary"] = summary.replace("\n", "\r\n")
    payload["sources"]["summary"]["excerpt"] = payload["sources"]["summary"]["excerpt"].replace(
        "\n", "\r"
    )
    (data_copy / V2018).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    reseal(data_copy)
    loaded = Referentiel(data_copy)
    assert loaded.versions() == titre_mercd.versions()
    assert loaded.version("2018-12-11").summary == summary


@needs_posix
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_the_import_reads_its_target_manifest_without_hanging(tmp_path: Path, kind: str) -> None:
    """A FIFO or an endless device as the target's MANIFEST.json: refused at once."""
    target = tmp_path / "target"
    target.mkdir()
    if kind == "fifo":
        os.mkfifo(target / "MANIFEST.json")
    elif Path(kind).exists():
        (target / "MANIFEST.json").symlink_to(kind)
    else:
        pytest.skip(f"no {kind} on this system")
    program = f"""
        from titre_mercd._registry_import import _files_of_earlier_import
        print(_files_of_earlier_import({str(target)!r}))
        """
    assert run_in_a_child(program) == "None\n"  # not an earlier import's: refused, unread
