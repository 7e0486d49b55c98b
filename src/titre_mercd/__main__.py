"""``python -m titre_mercd``: the same program as the ``titre-mercd`` command."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
