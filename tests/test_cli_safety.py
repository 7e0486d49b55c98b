"""The command line never destroys a user's file, and ends every run with one line and a status.

Each reproduction of the output-safety report, run against the installed program in a real
process: after it, every file that existed is byte-identical and no file was added, unless the
run succeeded. Signals are sent to real processes; a full disk is a small tmpfs where this
machine lets the tests mount one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest

from test_cli import LAUNCHERS, SCRIPT, error, run
from titre_mercd import versions

CONVERT = ["convert", "--from", "2011-06-01", "--to", "2018-12-11"]
HEADER = b"id,ccp\n"
ROW = b"%d,2011-06-01/2 | Mystery bloc\n"


@pytest.fixture(params=sorted(LAUNCHERS))
def launcher(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "titre-mercd" and not SCRIPT.exists():
        pytest.skip(f"the titre-mercd script is not installed next to {sys.executable}")
    return LAUNCHERS[request.param]


def snapshot(*roots: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under ``roots`` (links not followed): kind, content or target, mode."""
    seen: dict[str, tuple[Any, ...]] = {}
    for root in roots:
        for directory, names, files in os.walk(root):
            for name in [*names, *files]:
                path = Path(directory, name)
                status = path.lstat()
                if stat.S_ISLNK(status.st_mode):
                    seen[str(path)] = ("link", str(path.readlink()))
                elif stat.S_ISREG(status.st_mode):
                    seen[str(path)] = ("file", path.read_bytes(), status.st_mode)
                else:
                    seen[str(path)] = (stat.S_IFMT(status.st_mode), status.st_mode)
    return seen


def rows(count: int, bad_at: int | None = None) -> bytes:
    """A CSV file of ``count`` rows; the row ``bad_at`` holds a byte that is not UTF-8."""
    body = (b"%d,\xff\n" % i if i == bad_at else ROW % i for i in range(count))
    return HEADER + b"".join(body)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A directory with an input file, an old output, and a file a link points to."""
    (tmp_path / "in.csv").write_bytes(rows(3))
    (tmp_path / "old.csv").write_bytes(b"old output, keep me\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "target.csv").write_bytes(b"the link's target, keep me\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "elsewhere" / "target.csv")
    return tmp_path


# ---------------------------------------------------------------- what -o names


def test_a_failed_run_through_a_symlink_with_force_keeps_link_and_target(
    launcher: list[str], work: Path
) -> None:
    # The bad byte comes after several chunks have been written to the output.
    (work / "in.csv").write_bytes(rows(20_000, bad_at=15_000))
    before = snapshot(work)
    result = run(launcher, *CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "link.csv",
                 "--force", cwd=work)  # fmt: skip
    error(result, 2, "not UTF-8")
    assert snapshot(work) == before


def test_force_replaces_the_symlink_itself_never_its_target(
    launcher: list[str], work: Path
) -> None:
    before = snapshot(work / "elsewhere")
    run(launcher, *CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "link.csv", "--force",
        cwd=work)  # fmt: skip
    assert not (work / "link.csv").is_symlink()
    assert (work / "link.csv").read_bytes().startswith(b"id,ccp,deemed obtained")
    assert snapshot(work / "elsewhere") == before


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: p.symlink_to("/dev/null"), "device"),
        (lambda p: p.symlink_to("/dev/stdout"), "link"),  # a pipe or a device, never unlinked
        (os.mkfifo, "FIFO"),
        (lambda p: p.mkdir(), "directory"),
    ],
)
@pytest.mark.parametrize("command", ["convert", "export"])
def test_devices_fifos_and_directories_are_refused_even_with_force(
    launcher: list[str], work: Path, make: Callable[[Path], None], kind: str, command: str
) -> None:
    make(work / "special")
    before = snapshot(work)
    args = (
        [*CONVERT, "--csv", "in.csv", "--column", "ccp"]
        if command == "convert"
        else ["export", "--format", "json"]
    )
    result = run(launcher, *args, "-o", "special", "--force", cwd=work)
    error(result, 2, "special", kind)
    assert snapshot(work) == before


def test_a_device_named_directly_is_never_unlinked(launcher: list[str]) -> None:
    before = Path("/dev/null").lstat()
    error(run(launcher, "export", "--format", "json", "-o", "/dev/null", "--force"), 2, "device")
    after = Path("/dev/null").lstat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


def test_dash_is_standard_output(launcher: list[str], work: Path) -> None:
    before = snapshot(work)
    result = run(launcher, *CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "-", cwd=work)
    assert result.returncode == 1  # the Mystery bloc is not converted
    assert result.stdout.startswith("id,ccp,deemed obtained")
    assert snapshot(work) == before


@pytest.mark.parametrize("how", ["same name", "hard link", "symlink", "dot path"])
def test_the_input_is_never_the_output(launcher: list[str], work: Path, how: str) -> None:
    (work / "big.csv").write_bytes(rows(5_000))
    os.link(work / "big.csv", work / "hard.csv")
    (work / "soft.csv").symlink_to("big.csv")
    target = {"same name": "big.csv", "hard link": "hard.csv",
              "symlink": "soft.csv", "dot path": "./elsewhere/../big.csv"}[how]  # fmt: skip
    before = snapshot(work)
    result = run(launcher, *CONVERT, "--csv", "big.csv", "--column", "ccp", "-o", target,
                 "--force", cwd=work)  # fmt: skip
    error(result, 2, "is the input file itself")
    assert snapshot(work) == before


def test_stdin_redirected_from_the_output_file_is_refused(launcher: list[str], work: Path) -> None:
    """``$C --csv - -o in.csv --force < in.csv``: the very redirection of the report."""
    (work / "in.csv").write_bytes(rows(5_000))
    before = snapshot(work)
    with (work / "in.csv").open("rb") as stdin:
        result = subprocess.run(
            [*launcher, *CONVERT, "--csv", "-", "--column", "ccp", "-o", "in.csv", "--force"],
            stdin=stdin, capture_output=True, cwd=work, check=False, timeout=120,
        )  # fmt: skip
    assert result.returncode == 2
    assert b"is the input file itself" in result.stderr
    assert snapshot(work) == before


def test_a_failed_run_with_force_keeps_the_old_output(launcher: list[str], work: Path) -> None:
    (work / "in.csv").write_bytes(rows(20_000, bad_at=19_000))
    before = snapshot(work)
    result = run(launcher, *CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "old.csv",
                 "--force", cwd=work)  # fmt: skip
    error(result, 2, "not UTF-8")
    assert snapshot(work) == before


def test_an_existing_output_without_force_is_refused_before_reading(
    launcher: list[str], work: Path
) -> None:
    before = snapshot(work)
    result = run(launcher, *CONVERT, "--csv", "in.csv", "--column", "ccp", "-o", "old.csv",
                 cwd=work)  # fmt: skip
    error(result, 2, "old.csv exists", "--force")
    assert snapshot(work) == before


# ---------------------------------------------------------------- signals


def _wait_for_temporary(directory: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the run has written part of its output to a temporary file in ``directory``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the run ended early: {process.returncode}")
        partial = [p for p in directory.iterdir() if p.name.startswith(".")]
        if partial and partial[0].stat().st_size > 0:
            return
        time.sleep(0.02)
    pytest.fail("no partial output appeared")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("target", ["old.csv", "new.csv", "link.csv"])
def test_a_signal_during_a_conversion_leaves_every_file_as_it_was(
    launcher: list[str], work: Path, signum: int, target: str
) -> None:
    before = snapshot(work)
    process = subprocess.Popen(
        [*launcher, *CONVERT, "--csv", "-", "--column", "ccp", "-o", target, "--force"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work,
    )  # fmt: skip
    assert process.stdin is not None
    # Enough rows for a chunk to reach the temporary file, and the input kept open.
    process.stdin.write(rows(30_000))
    process.stdin.flush()
    _wait_for_temporary(work, process)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    expected = (
        "interrupted" if signum == signal.SIGINT else f"ended by {signal.Signals(signum).name}"
    )
    assert stderr.decode() == f"titre-mercd: {expected}\n"
    assert stdout == b""
    assert snapshot(work) == before


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_an_export_to_stdout(launcher: list[str], signum: int) -> None:
    process = subprocess.Popen(
        [*launcher, *CONVERT, "--csv", "-", "--column", "ccp"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(rows(10))
    process.stdin.flush()
    process.stdout.read(10)  # it has started converting, and waits for more rows
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert stderr.decode() == f"titre-mercd: ended by {signal.Signals(signum).name}\n"


_TRAP = """
import os, signal, sys
class Trap:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Trap())
sys.argv[1:] = ["rome", "D1408"]
{start}
"""
_STARTS = {
    "python -m titre_mercd": "import runpy; runpy.run_module('titre_mercd', run_name='__main__')",
    "titre-mercd": "from titre_mercd._cli import main; sys.exit(main())",  # the console script
}


@pytest.mark.parametrize("how", sorted(_STARTS))
@pytest.mark.parametrize(
    "module",
    [
        "titre_mercd._cli._process",  # before the handlers are in place
        "titre_mercd._write",
        "titre_mercd._cli._app",
        "argparse",
        "titre_mercd._queries",
        "attr",
        "titre_mercd._loading",
        "titre_mercd._cli._nomenclature",
    ],
)
def test_ctrl_c_while_the_package_imports_is_one_line(how: str, module: str) -> None:
    """A Ctrl-C delivered exactly while ``module`` is being imported, from the entry point on."""
    code = _TRAP.format(module=module, start=_STARTS[how])
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=False, timeout=120
    )
    assert (result.returncode, result.stderr) == (130, b"titre-mercd: interrupted\n")
    assert result.stdout == b""


# ---------------------------------------------------------------- standard streams


def _run_with_closed(
    launcher: list[str], fd: int, *args: str
) -> subprocess.CompletedProcess[bytes]:
    streams: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE,
                               "stderr": subprocess.PIPE}  # fmt: skip
    return subprocess.run(
        [*launcher, *args], preexec_fn=lambda: os.close(fd),
        check=False, timeout=120, **streams,
    )  # fmt: skip


def test_closed_stdout_is_one_line_and_status_2(launcher: list[str]) -> None:
    """``titre-mercd rome D1408 >&-``."""
    result = _run_with_closed(launcher, 1, "rome", "D1408")
    assert result.returncode == 2
    assert (
        result.stderr == b"titre-mercd: standard output is closed; redirect it to a file "
        b"or to /dev/null\n"
    )


def test_closed_stdout_is_refused_before_any_file_is_written(
    launcher: list[str], work: Path
) -> None:
    before = snapshot(work)
    result = _run_with_closed(launcher, 1, *CONVERT, "--csv", str(work / "in.csv"),
                              "--column", "ccp", "-o", str(work / "out.csv"))  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(b"titre-mercd: standard output is closed")
    assert snapshot(work) == before


def test_closed_stderr_keeps_the_status(launcher: list[str]) -> None:
    """``titre-mercd rome D14 2>&-`` exits 2 (bad input), ``rome D1408 2>&-`` 0."""
    assert _run_with_closed(launcher, 2, "rome", "D14").returncode == 2
    assert _run_with_closed(launcher, 2, "rome", "ZZ999").returncode in (1, 2)
    found = _run_with_closed(launcher, 2, "rome", "D1408")
    assert found.returncode == 0
    assert found.stdout.startswith(b"D1408")


def test_closed_stdin_is_a_clear_message(launcher: list[str], work: Path) -> None:
    before = snapshot(work)
    result = _run_with_closed(launcher, 0, *CONVERT, "--csv", "-", "--column", "ccp",
                              "-o", str(work / "out.csv"))  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr == b"titre-mercd: standard input is closed: give a file name, "
        b"or pipe the file in\n"
    )
    assert snapshot(work) == before


RNCP = next(v.rncp for v in versions() if v.rncp is not None)
EVERY_COMMAND = [
    [],
    ["show"],
    ["versions"],
    ["on", "2020-01-01"],
    [*CONVERT, "2011-06-01/2"],
    ["rome", "D1408"],
    ["nsf", "312t"],
    ["rncp", RNCP],
    ["export", "--format", "json"],
    ["export", "--format", "csv"],
    ["--help"],
    ["--version"],
]


@pytest.mark.parametrize("args", EVERY_COMMAND, ids=lambda a: " ".join(a) or "(none)")
def test_a_broken_pipe_ends_quietly_with_141(launcher: list[str], args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        result = subprocess.run(
            [*launcher, *args], stdout=write_end, stderr=subprocess.PIPE, check=False, timeout=120
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, b"")


def test_a_broken_pipe_during_a_bulk_conversion(launcher: list[str], work: Path) -> None:
    (work / "big.csv").write_bytes(rows(50_000))
    before = snapshot(work)
    process = subprocess.Popen(
        [*launcher, *CONVERT, "--csv", "big.csv", "--column", "ccp"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.read(100)
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(timeout=60)
    assert (process.returncode, stderr) == (141, b"")
    assert snapshot(work) == before


def test_a_full_standard_output_is_one_line(launcher: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this machine")
    with Path("/dev/full").open("wb") as full:
        result = subprocess.run(
            [*launcher, "export", "--format", "json"],
            stdout=full, stderr=subprocess.PIPE, check=False, timeout=120,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == b"titre-mercd: cannot write standard output: No space left on device\n"


# ---------------------------------------------------------------- a directory of tables

TABLES = ["competences.csv", "versions.csv", "blocks.csv", "codes.csv", "correspondences.csv"]


def test_a_directory_in_the_way_leaves_the_tables_as_they_were(
    launcher: list[str], tmp_path: Path
) -> None:
    tables = tmp_path / "t"
    tables.mkdir()
    for name in TABLES[:2]:
        (tables / name).write_bytes(b"old " + name.encode())
    (tables / "codes.csv").mkdir()  # in the way
    before = snapshot(tmp_path)
    result = run(launcher, "export", "--format", "csv", "-o", "t", "--force", cwd=tmp_path)
    error(result, 2, "codes.csv", "directory")
    assert snapshot(tmp_path) == before


def test_a_symlink_in_the_directory_is_never_written_through(
    launcher: list[str], tmp_path: Path
) -> None:
    """``export --format csv -o t2`` where ``t2/codes.csv`` links to ``../outside.csv``."""
    (tmp_path / "t2").mkdir()
    (tmp_path / "t2" / "codes.csv").symlink_to("../outside.csv")
    before = snapshot(tmp_path)
    result = run(launcher, "export", "--format", "csv", "-o", "t2", cwd=tmp_path)
    error(result, 2, "codes.csv exists", "--force")
    assert snapshot(tmp_path) == before
    run(launcher, "export", "--format", "csv", "-o", "t2", "--force", cwd=tmp_path)
    assert not (tmp_path / "outside.csv").exists()
    assert not (tmp_path / "t2" / "codes.csv").is_symlink()
    assert sorted(p.name for p in (tmp_path / "t2").iterdir()) == sorted(TABLES)


def test_an_output_directory_that_is_a_symlink_is_refused(
    launcher: list[str], tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "t").symlink_to("real")
    before = snapshot(tmp_path)
    error(run(launcher, "export", "--format", "csv", "-o", "t", "--force", cwd=tmp_path), 2,
          "symbolic link")  # fmt: skip
    assert snapshot(tmp_path) == before


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: str) -> Any:
    """A tmpfs of ``size`` mounted under ``tmp_path``, or a skip saying why there is none."""
    if not sys.platform.startswith("linux"):
        pytest.skip("a small tmpfs is mounted only on Linux")
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None:
        pytest.skip("no mount command on this machine")
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    mounted = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run([umount, str(mount_point)], check=False, capture_output=True)


def test_a_full_disk_during_a_conversion_leaves_the_old_output(
    launcher: list[str], tmp_path: Path
) -> None:
    (tmp_path / "in.csv").write_bytes(rows(20_000))
    with small_disk(tmp_path, "256k") as disk:
        (disk / "old.csv").write_bytes(b"old output, keep me\n")
        before = snapshot(disk)
        result = run(launcher, *CONVERT, "--csv", str(tmp_path / "in.csv"), "--column", "ccp",
                     "-o", str(disk / "old.csv"), "--force")  # fmt: skip
        error(result, 2, "No space left on device")
        assert snapshot(disk) == before


def test_a_full_disk_during_an_export_leaves_the_directory_as_it_was(
    launcher: list[str], tmp_path: Path
) -> None:
    with small_disk(tmp_path, "64k") as disk:
        (disk / "filler").write_bytes(b"x" * 56 * 1024)  # about 8 kB left: less than the tables
        (disk / "t").mkdir()
        (disk / "t" / "versions.csv").write_bytes(b"old tables, keep me\n")
        before = snapshot(disk)
        result = run(launcher, "export", "--format", "csv", "-o", str(disk / "t"), "--force")
        error(result, 2, "No space left on device")
        assert snapshot(disk) == before
