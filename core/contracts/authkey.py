"""認証キー (auth key): the secret the orderer types into D-Sure with the 保証契約番号.

Keys are 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown in
groups of four: ``XXXX-XXXX-XXXX-XXXX``.
"""

from __future__ import annotations

import hmac
import re
import secrets

from hosho.core.text import normalize_number

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_KEY_RE = re.compile(rf"^[{ALPHABET}]{{16}}$")


def generate_key() -> str:
    """A new random key, formatted XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return group_key(raw)


def group_key(raw: str) -> str:
    """16 characters written in groups of four: XXXX-XXXX-XXXX-XXXX (not checked)."""
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalize_key(text: str) -> str:
    """Canonical form of a key as typed: NFKC, upper case, hyphens/spaces ignored.

    A 16-character key comes back grouped (XXXX-XXXX-XXXX-XXXX); anything else comes back
    compacted, so that it simply fails to match.
    """
    compact = normalize_number(text).replace("-", "")
    return group_key(compact) if len(compact) == 16 else compact


def is_well_formed(key: str) -> bool:
    """True when the key uses 16 characters of the alphabet (after normalising)."""
    return bool(_KEY_RE.match(normalize_key(key).replace("-", "")))


def keys_equal(stored: str, given: str) -> bool:
    """Constant-time comparison of two keys after normalising both."""
    a = normalize_key(stored).encode("utf-8")
    b = normalize_key(given).encode("utf-8")
    return hmac.compare_digest(a, b)


_ANY_KEY_RE = re.compile(
    rf"(?<![0-9A-Za-z])[{ALPHABET}]{{4}}[-\s]?[{ALPHABET}]{{4}}[-\s]?[{ALPHABET}]{{4}}[-\s]?[{ALPHABET}]{{4}}(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Mask anything shaped like an auth key (for logs): XXXX-XXXX-XXXX-XXXX → ****."""
    return _ANY_KEY_RE.sub("[認証キー省略]", text)
