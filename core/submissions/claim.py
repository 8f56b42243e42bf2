"""Which messages of a shared inbox are hosho's (claimed) and which are left alone.

A town's submission address is usually a section's everyday address (綾町's zaisei@ is
the 財政課's). A message is a submission (提出) when one of its PDFs reads as the
認証キー等のお知らせ (STEP4 notice) or the 電子証書 (STEP3 certificate view), or when its
subject, text or attachment names use a submission term: the defaults below (電子保証,
electronic surety; 電子証書; 認証キー, auth key; 保証契約番号, surety contract number; D-Sure)
and the town's own (``[submission] terms`` of the profile). 「保証」 or 「前払金」 alone is not
enough: 契約保証金 and 信用保証協会 appear in ordinary contract mail. Anything else is
``ignored``: left where it is, never answered, never posted.

Texts and terms are compared after NFKC, hyphen folding, dropping spaces and case folding,
so Ｄ－Ｓｕｒｅ, d-sure and 認証 キー all match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hosho.core.documents.reader import ParsedDocument
from hosho.core.rules.profile import Profile
from hosho.core.text import normalize_number

#: Terms that make a message a submission in every town.
DEFAULT_TERMS: tuple[str, ...] = ("電子保証", "電子証書", "認証キー", "保証契約番号", "D-Sure")
#: What a PDF of a submission reads as (see ``hosho.core.documents.reader``).
SUBMISSION_DOCUMENTS = frozenset({"auth_key_notice", "certificate"})


def fold(text: str) -> str:
    """The form texts and terms are compared in (NFKC, hyphens, no spaces, case folded)."""
    return normalize_number(text).casefold()


@dataclass(frozen=True)
class Terms:
    """The submission terms of one town, folded once."""

    folded: tuple[str, ...]

    @classmethod
    def of(cls, extra: Iterable[str] = ()) -> Terms:
        """The default terms and ``extra`` ones (a town's own)."""
        words = dict.fromkeys(fold(t) for t in (*DEFAULT_TERMS, *extra) if t.strip())
        return cls(tuple(words))

    def named_in(self, *texts: str) -> bool:
        """True when any text uses a submission term."""
        return any(term in fold(text) for text in texts if text for term in self.folded)


#: The terms of a town that adds none.
DEFAULT = Terms.of()


def terms_of(profile: Profile) -> Terms:
    """The submission terms of ``profile``'s town."""
    return Terms.of(profile.submission_terms) if profile.submission_terms else DEFAULT


def reads_as_submission(documents: Iterable[ParsedDocument]) -> bool:
    """True when a PDF reads as a notice or a certificate (even without a number)."""
    return any(d.document in SUBMISSION_DOCUMENTS for d in documents)
