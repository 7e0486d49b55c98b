"""Parsing and normalisation: ROME, NSF, RNCP and bloc codes, block labels, version keys, dates.

Each ``normalize_*`` function takes what a person may type and returns the canonical form the
data uses, or raises :class:`~titre_mercd.InvalidCodeError` (malformed) or
:class:`~titre_mercd.ArgumentTypeError` (not a string).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .exceptions import ArgumentTypeError, InvalidCodeError

_ROME = re.compile(r"[A-N][0-9]{4}")
_NSF = re.compile(r"[0-9]{3}[a-z]?")
_RNCP = re.compile(r"(?:RNCP)?([0-9]{1,6})")
_RNCP_BLOCK = re.compile(r"(RNCP[0-9]{1,6})BC([0-9]{2})")
# N has at most nine digits: a million digits would make int() slow, then refuse it.
_BLOCK_REF = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\s*/\s*([0-9]{1,9})")
_WHITESPACE = re.compile(r"\s+")
# An inclusive form in parentheses: « conseillers (ères) », « superviseur(se) »,
# « téléconseillers (téléconseillères) »: one word alone between parentheses.
_INCLUSIVE_FORM = re.compile(r"\s*\(\s*[a-z]+\s*\)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ASCII_NOT_WORD = {
    code: " " for code in range(128) if not chr(code).isdigit() and not "a" <= chr(code) <= "z"
}


def _compact(value: object, what: str, accepted: str) -> str:
    """``value`` without any white space, or a typed error naming ``what`` was expected."""
    if not isinstance(value, str):
        raise ArgumentTypeError(
            f"{what} must be a string such as {accepted}, not {type(value).__name__} {value!r:.200}"
        )
    return _WHITESPACE.sub("", value)


def normalize_rome(code: object) -> str:
    """The canonical ROME code: one letter A to N and four digits.

    >>> normalize_rome(" d 1408 ")
    'D1408'
    """
    compact = _compact(code, "a ROME code", "'D1408'").upper()
    if not _ROME.fullmatch(compact):
        raise InvalidCodeError(
            f"malformed ROME code {code!r:.200}: "
            "expected one letter A to N and four digits, e.g. 'D1408'"
        )
    return compact


def normalize_nsf(code: object) -> str:
    """The canonical NSF code: three digits, optionally one lower-case letter.

    >>> normalize_nsf("312 T"), normalize_nsf("312")
    ('312t', '312')
    """
    compact = _compact(code, "an NSF code", "'312t' or '312'").lower()
    if not _NSF.fullmatch(compact):
        raise InvalidCodeError(
            f"malformed NSF code {code!r:.200}: expected three digits and an optional letter, "
            "e.g. '312t' or '312'"
        )
    return compact


def normalize_rncp(code: object) -> str:
    """The canonical RNCP fiche number, ``"RNCP"`` and digits.

    >>> normalize_rncp("rncp 12505"), normalize_rncp("12505")
    ('RNCP12505', 'RNCP12505')
    """
    compact = _compact(code, "an RNCP number", "'RNCP12505' or '12505'").upper()
    match = _RNCP.fullmatch(compact)
    if match is None:
        raise InvalidCodeError(
            f"malformed RNCP number {code!r:.200}: expected 'RNCP' and up to six digits, "
            "or the digits alone, e.g. 'RNCP12505' or '12505'"
        )
    return f"RNCP{match.group(1)}"


def parse_rncp_block_code(text: str) -> str | None:
    """The canonical RNCP bloc code (``"RNCP12505BC01"``) if ``text`` is one, else ``None``.

    >>> parse_rncp_block_code("rncp12505bc01"), parse_rncp_block_code("Manager")
    ('RNCP12505BC01', None)
    """
    match = _RNCP_BLOCK.fullmatch("".join(text.split()).upper())  # str.split: C speed
    return None if match is None else f"{match.group(1)}BC{match.group(2)}"


def parse_block_ref(text: str) -> tuple[str, int] | None:
    """The version key and number of a ``"KEY/N"`` reference, else ``None``.

    >>> parse_block_ref(" 2011-06-01/2 ")
    ('2011-06-01', 2)
    """
    match = _BLOCK_REF.fullmatch(text.strip())
    return None if match is None else (match.group(1), int(match.group(2)))


def normalize_version_key(key: object) -> str:
    """A version key with surrounding spaces removed, checked to look like an ISO date.

    Raises :class:`~titre_mercd.ArgumentTypeError` for a non-string; a string that is not a
    known key is for the caller to reject.

    >>> normalize_version_key(" 2018-12-11 ")
    '2018-12-11'
    """
    if not isinstance(key, str):
        raise ArgumentTypeError(
            "a version key must be a string such as '2018-12-11', "
            f"not {type(key).__name__} {key!r:.200}"
        )
    return key.strip()


def normalize_label(text: str) -> str:
    """A block title reduced for matching: no accents, case, punctuation or inclusive forms.

    >>> normalize_label("Manager une équipe de conseillers (ères) clientèle à distance.")
    'manager une equipe de conseillers clientele a distance'
    >>> normalize_label("MANAGER une equipe de conseillers clientele  a distance")
    'manager une equipe de conseillers clientele a distance'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = (
        decomposed  # nothing to strip: the common case, and ten times faster on a long text
        if decomposed.isascii()
        else "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    folded = ascii_text.casefold().replace("œ", "oe").replace("æ", "ae")
    without_forms = _INCLUSIVE_FORM.sub("", folded) if "(" in folded else folded
    if without_forms.isascii():  # the same as the expression below, at C speed
        return " ".join(without_forms.translate(_ASCII_NOT_WORD).split())
    return _NOT_WORD.sub(" ", without_forms).strip()


def require_date(value: object, name: str) -> dt.date:
    """``value`` if it is a ``datetime.date`` (and not a ``datetime``), else a typed error."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ArgumentTypeError(
            f"{name} must be a datetime.date such as date(2020, 1, 1), "
            f"not {type(value).__name__} {value!r:.200}"
        )
    return value
