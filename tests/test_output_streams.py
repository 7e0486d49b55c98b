"""Streams named as files, broken pipes, and a pipe given as an export.

``-o /dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` mean that stream;
``--force`` never replaces anything under ``/dev`` or ``/proc``. The ``--force`` cases run in
a private mount namespace with a tmpfs on ``/dev``, never against the machine's own ``/dev``.
A broken pipe ends every command with 141, whatever its verdict would have been.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import LAUNCHERS, error, run

PROGRAM = LAUNCHERS["python -m titre_mercd"]
SAMPLE = Path(__file__).parent / "data" / "export_fiches_RNCP_V4_1_sample.xml"

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not Path("/proc/self/fd").is_dir(),
    reason="/dev/fd and /proc/self/fd are POSIX (Linux) names",
)


def expected_json() -> bytes:
    result = subprocess.run(
        [*PROGRAM, "export", "--format", "json"], capture_output=True, check=True, timeout=120
    )
    return result.stdout


@pytest.mark.parametrize("name", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1", "/dev//stdout"])
def test_o_naming_standard_output_writes_to_it(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out.json"
    with out.open("wb") as sink:
        result = subprocess.run(
            [*PROGRAM, "export", "--format", "json", "-o", name],
            stdout=sink,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
        )
    assert (result.returncode, result.stderr) == (0, b"")
    assert out.read_bytes() == expected_json()  # the export alone, no « Wrote » line


def test_o_naming_standard_error_writes_to_it() -> None:
    result = subprocess.run(
        [*PROGRAM, "export", "--format", "json", "-o", "/dev/stderr"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0
    assert result.stderr == expected_json()


@pytest.mark.parametrize("prefix", ["/dev/fd/", "/proc/self/fd/"])
def test_o_naming_another_descriptor_writes_to_it(tmp_path: Path, prefix: str) -> None:
    out = tmp_path / "fd.json"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        result = subprocess.run(
            [*PROGRAM, "export", "--format", "json", "-o", f"{prefix}{fd}"],
            capture_output=True,
            check=False,
            pass_fds=(fd,),
            timeout=120,
        )
    finally:
        os.close(fd)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == expected_json()


def test_o_naming_a_closed_descriptor_is_one_line() -> None:
    error(run(PROGRAM, "export", "--format", "json", "-o", "/dev/fd/97"), 2, "/dev/fd/97")


NAMESPACE_SCRIPT = """
set -e
mount -t tmpfs tmpfs /dev
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
printf kept > /dev/made
"$@" export --format json -o /dev/stdout --force > "$OUT"
echo "stdout: $?"
[ -L /dev/stdout ] && echo "still a link: $(readlink /dev/stdout)"
set +e
"$@" export --format json -o /dev/made --force 2> "$ERR"
echo "made: $? $(cat /dev/made)"
"$@" export --format json -o /dev/new > /dev/null 2>> "$ERR"
echo "new: $?"
before=$(ls -A /dev | tr '\n' ' ')
"$@" registry import "$SAMPLE" --export-date 2026-08-16 -o /dev/data --force 2>> "$ERR"
echo "import: $? $([ "$(ls -A /dev | tr '\n' ' ')" = "$before" ] && echo untouched)"
"""


def test_force_never_replaces_anything_under_dev(tmp_path: Path) -> None:
    """In a private mount namespace with a writable tmpfs on /dev, as in a container."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is not installed")
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", "mount -t tmpfs tmpfs /dev"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.decode().strip()}")
    out, err = tmp_path / "out.json", tmp_path / "err.txt"
    result = subprocess.run(
        [unshare, "-rm", "sh", "-c", NAMESPACE_SCRIPT, "sh", *PROGRAM],
        capture_output=True,
        check=False,
        env={**os.environ, "OUT": str(out), "ERR": str(err), "SAMPLE": str(SAMPLE)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == [
        "stdout: 0",
        "still a link: /proc/self/fd/1",
        "made: 2 kept",
        "new: 0",
        "import: 2 untouched",
    ]
    assert out.read_bytes() == expected_json()
    assert "/dev/made" in err.read_text()
    assert "Traceback" not in err.read_text()


# ---------------------------------------------------------------- broken pipes


def closed_pipe_run(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run with a standard output whose reader is gone before the first write."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [*PROGRAM, *args], stdout=write_end, stderr=subprocess.PIPE, check=False, timeout=120
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        ["on", "2018-06-01"],  # not known: 1
        ["--json", "on", "2018-06-01"],
        ["--json", "rome", "D9999"],  # not found: 1
        ["--json", "rncp", "RNCP99999"],
        ["registry", "check", str(SAMPLE)],  # differences: 1
    ],
    ids=" ".join,
)
def test_a_broken_pipe_ends_a_negative_verdict_with_141(args: list[str]) -> None:
    result = closed_pipe_run(*args)
    assert (result.returncode, result.stderr) == (141, b"")


def test_no_write_is_cut_short_quietly() -> None:
    """``export --format json | head -c 10``: the rest of one large write cannot be dropped."""
    process = subprocess.Popen(
        [*PROGRAM, "export", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert len(process.stdout.read(10)) == 10
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    process.wait(timeout=60)
    assert (process.returncode, stderr) == (141, b"")


# ---------------------------------------------------------------- a pipe as the export


@pytest.mark.parametrize("action", ["check", "import"])
def test_an_export_read_from_a_pipe_gets_a_message_about_the_input(
    tmp_path: Path, action: str
) -> None:
    extra = ["-o", str(tmp_path / "d"), "--export-date", "2026-08-16"] if action == "import" else []
    result = run(
        PROGRAM, "registry", action, "/dev/stdin", *extra, stdin=SAMPLE.read_bytes()[:100_000]
    )
    message = error(result, 2, "/dev/stdin", "pipe")
    assert "standard output" not in message
    assert not (tmp_path / "d").exists()


def test_an_export_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "export_2026-12-01.xml"
    os.mkfifo(fifo)
    error(run(PROGRAM, "registry", "check", str(fifo)), 2, "pipe")
