"""Normalising Japanese input: NFKC, the many hyphens, spaces between characters."""

from __future__ import annotations

import re
import unicodedata

#: Hyphen look-alikes that NFKC leaves alone (minus sign, dashes, katakana prolonged mark
#: used as a hyphen in numbers, etc.). In a *number* they all mean "-".
HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u30fc\uff70\u02d7"
_HYPHEN_RE = re.compile(f"[{HYPHENS}]")
_SPACE_RE = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """NFKC-normalise (full-width letters/digits → ASCII, half-width kana → full-width)."""
    return unicodedata.normalize("NFKC", text)


def normalize_number(text: str) -> str:
    """Normalise an identifier such as a 保証契約番号 (surety contract number).

    Full-width digits and any hyphen look-alike become ASCII, spaces are removed,
    letters are upper-cased. Leading zeros are kept: numbers are text.
    """
    value = _HYPHEN_RE.sub("-", nfkc(text))
    return _SPACE_RE.sub("", value).upper()


def squeeze(text: str) -> str:
    """NFKC and drop every white space (pypdf puts spaces between CJK characters)."""
    return _SPACE_RE.sub("", nfkc(text))
