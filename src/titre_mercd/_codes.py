"""Parsing and normalisation: ROME, NSF, Formacode, RNCP and bloc codes, labels, keys, dates.

Each ``normalize_*`` function takes what a person may type and returns the canonical form the
data uses, or raises :class:`~titre_mercd.InvalidCodeError` (malformed) or
:class:`~titre_mercd.ArgumentTypeError` (not a string).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .exceptions import ArgumentTypeError, InvalidCodeError

# Patterns, compiled on first use (by ``re``'s cache): most runs need one or two of them.
_ROME = r"[A-N][0-9]{4}"
_NSF = r"[0-9]{3}[a-z]?"
_FORMACODE = r"[0-9]{5}"
_RNCP = r"(?:RNCP)?([0-9]{1,6})"
_RNCP_BLOCK = r"(RNCP[0-9]{1,6})BC([0-9]{2})"
# N has at most nine digits: a million digits would make int() slow, then refuse it.
_BLOCK_REF = r"([0-9]{4}-[0-9]{2}-[0-9]{2})\s*/\s*([0-9]{1,9})"
# An inclusive form in parentheses: « conseillers (ères) », « superviseur(se) »,
# « téléconseillers (téléconseillères) »: one word alone between parentheses.
_INCLUSIVE_FORM = r"\s*\(\s*[a-z]+\s*\)"
_NOT_WORD = r"[^a-z0-9]+"
_ASCII_NOT_WORD = {
    code: " " for code in range(128) if not chr(code).isdigit() and not "a" <= chr(code) <= "z"
}


_LONGEST_DESCRIPTION = 80  # characters of a given value an error message shows
_LARGEST_INT_SHOWN = 128  # bits; a larger int is described by its size, not written out


def describe(value: object) -> str:
    """What was given, in a few words for an error message: its type and a short form of it.

    A record is shown by the fields that identify it (never its whole text); anything else by
    a repr cut to a few dozen characters.

    >>> describe(["2018-12-11", 2018])
    "list ['2018-12-11', 2018]"
    >>> len(describe("x" * 10_000)) < 100
    True
    """
    kind = type(value).__name__
    if hasattr(type(value), "__attrs_attrs__"):  # a record: its key fields, never all
        from ._records import brief

        return brief(value)
    if isinstance(value, int) and value.bit_length() > _LARGEST_INT_SHOWN:
        return f"{kind} of {value.bit_length()} bits"
    import reprlib

    shorter = reprlib.Repr()  # bounded work and length, whatever the size of ``value``
    shorter.maxstring = shorter.maxother = 90
    shorter.maxlist = shorter.maxtuple = shorter.maxset = shorter.maxdict = 4
    try:
        shown = repr(value) if isinstance(value, str) else shorter.repr(value)
    except Exception:  # noqa: BLE001  (a broken __repr__ must not hide the error being reported)
        return kind
    if len(shown) > _LONGEST_DESCRIPTION:
        shown = shown[: _LONGEST_DESCRIPTION - 1] + "…"
    return f"{kind} {shown}"


def _integer(value: object) -> int | None:
    """``value`` as an ``int`` if it is an integer (an ``int`` or numpy's), never a ``bool``."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy's bool too
        return None
    if isinstance(value, int):
        return int(value)
    from numbers import Integral

    return int(value) if isinstance(value, Integral) else None


# Integers from which an RNCP or NSF code is made: more digits than a code has are malformed,
# and never turned into text (Python refuses to write an int of more than 4300 digits).
_LARGEST_CODE_NUMBER = 999_999


def _compact(value: object, what: str, accepted: str, *, integer: bool = False) -> str:
    """``value`` without any white space, or a typed error naming ``what`` was expected.

    With ``integer``, an ``int`` is taken as the code's digits (``312`` is ``"312"``).
    """
    if isinstance(value, str):
        return "".join(value.split())  # every white space (as \s), at C speed
    number = _integer(value) if integer else None
    if number is not None:
        return str(number) if 0 <= number <= _LARGEST_CODE_NUMBER else "-"
    forms = f"a string or an int such as {accepted}" if integer else f"a string such as {accepted}"
    raise ArgumentTypeError(f"{what} must be {forms}, not {describe(value)}")


def given(code: object) -> str:
    """The code as a message quotes it: a string's repr, an int's digits, cut short."""
    return repr(code)[:_LONGEST_DESCRIPTION] if isinstance(code, str) else describe(code)


def normalize_rome(code: object) -> str:
    """The canonical ROME code: one letter A to N and four digits.

    >>> normalize_rome(" d 1408 ")
    'D1408'
    """
    compact = _compact(code, "a ROME code", "'D1408'").upper()
    if not re.fullmatch(_ROME, compact):
        raise InvalidCodeError(
            f"malformed ROME code {given(code)}: "
            "expected one letter A to N and four digits, e.g. 'D1408'"
        )
    return compact


def normalize_nsf(code: object) -> str:
    """The canonical NSF code: three digits, optionally one lower-case letter.

    An ``int`` is taken as the three digits of a group.

    >>> normalize_nsf("312 T"), normalize_nsf("312"), normalize_nsf(312)
    ('312t', '312', '312')
    """
    compact = _compact(code, "an NSF code", "'312t' or 312", integer=True).lower()
    if not re.fullmatch(_NSF, compact):
        raise InvalidCodeError(
            f"malformed NSF code {given(code)}: expected three digits and an optional letter, "
            "e.g. '312t' or '312'"
        )
    return compact


def normalize_formacode(code: object) -> str:
    """The canonical Formacode: five digits.

    An ``int`` is taken as the five digits.

    >>> normalize_formacode(" 34 076 "), normalize_formacode(34076)
    ('34076', '34076')
    """
    compact = _compact(code, "a Formacode", "'34076' or 34076", integer=True)
    if not re.fullmatch(_FORMACODE, compact):
        raise InvalidCodeError(
            f"malformed Formacode {given(code)}: expected five digits, e.g. '34076'"
        )
    return compact


def normalize_rncp(code: object) -> str:
    """The canonical RNCP fiche number, ``"RNCP"`` and digits (given with or without ``"RNCP"``).

    An ``int`` is taken as the digits.

    >>> normalize_rncp("rncp 12505"), normalize_rncp("12505"), normalize_rncp(12505)
    ('RNCP12505', 'RNCP12505', 'RNCP12505')
    """
    compact = _compact(code, "an RNCP number", "'RNCP12505' or 12505", integer=True).upper()
    match = re.fullmatch(_RNCP, compact)
    if match is None:
        raise InvalidCodeError(
            f"malformed RNCP number {given(code)}: expected 'RNCP' and up to six digits, "
            "or the digits alone, e.g. 'RNCP12505' or '12505'"
        )
    return f"RNCP{match.group(1)}"


def parse_rncp_block_code(text: str) -> str | None:
    """The canonical RNCP bloc code (``"RNCP12505BC01"``) if ``text`` is one, else ``None``.

    >>> parse_rncp_block_code("rncp12505bc01"), parse_rncp_block_code("Manager")
    ('RNCP12505BC01', None)
    """
    match = re.fullmatch(_RNCP_BLOCK, "".join(text.split()).upper())  # str.split: C speed
    return None if match is None else f"{match.group(1)}BC{match.group(2)}"


def parse_block_ref(text: str) -> tuple[str, int] | None:
    """The version key and number of a ``"KEY/N"`` reference, else ``None``.

    >>> parse_block_ref(" 2011-06-01/2 ")
    ('2011-06-01', 2)
    """
    match = re.fullmatch(_BLOCK_REF, text.strip())
    return None if match is None else (match.group(1), int(match.group(2)))


def normalize_version_key(key: object) -> str:
    """A version key with surrounding spaces removed.

    Raises :class:`~titre_mercd.ArgumentTypeError` for a non-string; a string that is not a
    known key is for the caller to reject (a :class:`~titre_mercd.CertificationVersion` given
    for a key is taken by :func:`~titre_mercd.version`, which checks it against the data).

    >>> normalize_version_key(" 2018-12-11 ")
    '2018-12-11'
    """
    if not isinstance(key, str):
        raise ArgumentTypeError(
            "a version key must be a string such as '2018-12-11' or a CertificationVersion, "
            f"not {describe(key)}"
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
    without_forms = re.sub(_INCLUSIVE_FORM, "", folded) if "(" in folded else folded
    if without_forms.isascii():  # the same as the expression below, at C speed
        return " ".join(without_forms.translate(_ASCII_NOT_WORD).split())
    return re.sub(_NOT_WORD, " ", without_forms).strip()


def require_date(value: object, name: str) -> dt.date:
    """``value`` as a day: a ``datetime.date``, or a ``datetime.datetime`` taken as its date.

    A timezone-aware ``datetime`` is taken in its own zone (its ``.date()``), never converted:
    11 May 2024 at 23:30 in Paris is 11 May 2024, although it is 12 May in Nouméa.

    >>> require_date(dt.datetime(2024, 5, 11, 23, 30), "on")
    datetime.date(2024, 5, 11)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise ArgumentTypeError(
            f"{name} must be a datetime.date such as date(2020, 1, 1) (or a datetime), "
            f"not {describe(value)}"
        )
    return value
