"""Peak memory as a test instrument: the command line run in a child process, and its peak read.

A process's peak resident memory is read from ``getrusage(RUSAGE_CHILDREN)`` by its parent once
it has ended. The parent here is a fresh interpreter that runs the command and reports: the
test process's own earlier children (other tests) do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MB", "Peak", "peak"]

MB = 1 << 20

_REPORTER = """
import json, resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, stdin=subprocess.DEVNULL)
factor = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kB on Linux
print(json.dumps({
    "status": result.returncode,
    "stdout": result.stdout.decode("utf-8", "replace"),
    "stderr": result.stderr.decode("utf-8", "replace"),
    "peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * factor,
}))
"""


class Peak:
    """How a run of the command line ended, what it said, and its peak memory in bytes."""

    def __init__(self, status: int, stdout: str, stderr: str, peak: int) -> None:
        self.status, self.stdout, self.stderr, self.peak = status, stdout, stderr, peak

    def __repr__(self) -> str:
        return f"Peak(status={self.status}, peak={self.peak / MB:.1f} MB, stderr={self.stderr!r})"


def peak(*args: str, cwd: Path | None = None, timeout: float = 300) -> Peak:
    """Run ``python -m titre_mercd ARGS`` in a child process; its exit, output and peak memory."""
    command = [sys.executable, "-c", _REPORTER, sys.executable, "-m", "titre_mercd", *args]
    reported = subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, timeout=timeout, check=True
    )
    fields = json.loads(reported.stdout)
    return Peak(fields["status"], fields["stdout"], fields["stderr"], fields["peak"])
