"""The command line: ``titre-mercd`` and ``python -m titre_mercd`` are the same program.

One module per command group (``_versions``, ``_nomenclature``, ``_convert``, ``_export``),
what they share in ``_common`` and ``_files``, and the parser and dispatch in ``_app``.
Human output fits an 80-column terminal; ``--json`` gives machine-readable output on every
subcommand. Nothing is written anywhere but standard output, standard error and the file or
directory an explicit ``-o`` names.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported: the signal handlers come first
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (``sys.argv[1:]`` when ``None``); return the exit status.

    >>> main(["rome", "d1408"])
    D1408  Téléconseil et télévente
    <BLANKLINE>
    Versions that list it:
    2011-06-01  superviseur(se) relation client à distance
    2018-12-11  manager d'équipe relation client à distance
    0

    Signal handlers are installed first (see :mod:`._process`), before anything heavy is
    imported. When ``argv`` is given (a caller inside a larger program), the previous handlers
    are put back at the end; the program itself keeps them to its last instruction.
    """
    try:
        from ._process import failure, install, refuse_closed_output

        handlers = install(program=argv is None)
    except KeyboardInterrupt:  # Ctrl-C before the handlers are in place
        import sys

        sys.stderr.write("titre-mercd: interrupted\n")
        return 130
    try:
        refuse_closed_output()
        from ._app import run

        return run(argv)
    except BaseException as exc:  # noqa: BLE001  (interrupted while importing, or after the run)
        return failure(exc)
    finally:
        if argv is None:
            handlers.finish()
        else:
            handlers.restore()
