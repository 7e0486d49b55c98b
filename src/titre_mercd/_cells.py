"""Text from the data written into a CSV cell: read by a spreadsheet as text, never as a formula.

A spreadsheet application opening a CSV file reads a cell that starts with ``=``, ``+``, ``-``
or ``@`` as a formula, and skips a tab or a carriage return before one: a bloc title
``=HYPERLINK(…)`` from an imported export would become a live link in a centre's sheet. As
OWASP advises against CSV injection, every cell the tool writes from the data and that starts
with one of those characters is written with a ``'`` before it. Cells copied from an input are
never changed; the JSON export gives every value exactly.
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "csv_text"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a CSV cell as a formula."""


def csv_text(text: str) -> str:
    """``text`` as a CSV cell written from the data: with a ``'`` first when it would be a formula.

    >>> print(csv_text('=HYPERLINK("https://example.com", "x")'))
    '=HYPERLINK("https://example.com", "x")
    >>> csv_text("-1"), csv_text("Piloter la performance"), csv_text("")
    ("'-1", 'Piloter la performance', '')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text
