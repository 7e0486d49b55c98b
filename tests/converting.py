"""``titre-mercd convert`` run in a child process, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def convert_cli(
    *args: str, cwd: Path, stdin: bytes | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m titre_mercd convert ARGS`` run in ``cwd``, its output decoded from UTF-8."""
    result = subprocess.run(
        [sys.executable, "-m", "titre_mercd", "convert", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        check=False,
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )
