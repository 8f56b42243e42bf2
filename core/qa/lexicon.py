"""The shared lexicon: spellings and English words read as the knowledge base's terms.

``data/lexicon.shared.toml`` holds, for every knowledge base alike:

* ``spellings``: slips of kana-kanji conversion (変換ミス, henkan miss: the input method
  picked a homophone, 補償 or 保障 for 保証 "surety", 人称 for 認証 "authentication") and
  colloquial short forms (メアド for メールアドレス "mail address"), each with the word meant;
* ``english``: English words and phrases with the Japanese term of the knowledge base
  (auth key → 認証キー), so an English question meets the same features as a Japanese one;
* ``english_stop``: English words that say nothing about the topic (the, is, how…);
* ``not_cues``: phrases that hold a cue word (an item's ``requires``) without meaning it:
  なんですか "what is it" holds なんで "why".

``Lexicon.normalize`` applies them to a question and to the knowledge base's own texts,
so both sides are read alike. In a text holding Latin letters (English, or ``STEP3 PDF``)
the spaces between words become WORD_BREAK, so no feature spans two words. Two regular expressions per text: a few microseconds.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

from hosho.core.errors import ConfigError
from hosho.core.qa.features import fold

_LATIN_RE = re.compile(r"[A-Za-z]")
_POSSESSIVE_RE = re.compile(r"(?<=[A-Za-z])['’]s\b")
_SPACES_RE = re.compile(r"\s+")
#: What the spaces between the words of a text holding Latin letters become: a
#: character no feature spans (features drop spaces, which would join the words).
WORD_BREAK = "|"


def _plural(word: str) -> str:
    """The English plural of a word or phrase's last word: steps, sureties (not keys)."""
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


class Lexicon:
    """Rewrites misspellings and English words of a text into the knowledge base's terms."""

    def __init__(
        self,
        spellings: dict[str, str],
        english: dict[str, str],
        stop: frozenset[str],
        not_cues: tuple[str, ...] = (),
    ) -> None:
        self._spellings = {unicodedata.normalize("NFKC", k): v for k, v in spellings.items()}
        self._english = {k.lower(): v for k, v in english.items()}
        for key, value in list(self._english.items()):  # plurals: certificates, sureties
            if key[-1].isalpha() and not key.endswith("s"):
                self._english.setdefault(_plural(key), value)
        self._spelling_re = (
            re.compile(_alternation(list(self._spellings))) if self._spellings else None
        )
        words = list(self._english) + sorted(stop - self._english.keys())
        self._stop = stop
        folded = sorted({fold(w) for w in not_cues}, key=lambda w: (-len(w), w))
        self._not_cues = re.compile("|".join(re.escape(w) for w in folded)) if folded else None
        # Whole words only: no letter or digit on either side (hyphens belong to words).
        self._english_re = (
            re.compile(rf"(?<![a-z0-9'-])(?:{_alternation(words)})(?![a-z0-9'-])", re.IGNORECASE)
            if words
            else None
        )

    def _english_word(self, match: re.Match[str]) -> str:
        word = match.group(0).lower()
        return " " if word in self._stop and word not in self._english else self._english[word]

    def normalize(self, text: str) -> str:
        """NFKC text with known misspellings corrected and English words read as Japanese."""
        text = unicodedata.normalize("NFKC", text)
        if self._spelling_re is not None:
            text = self._spelling_re.sub(lambda m: self._spellings[m.group(0)], text)
        if self._english_re is not None and _LATIN_RE.search(text):
            text = _POSSESSIVE_RE.sub("", text)  # the orderer's → the orderer
            text = self._english_re.sub(self._english_word, text)
            # Words stay apart: 町 届いた gives no pair 町届, STEP3 PDF no word step3pdf.
            text = _SPACES_RE.sub(WORD_BREAK, text.strip())
        return text

    def cue_text(self, folded: str) -> str:
        """A folded text without the phrases that only seem to hold a cue word."""
        return self._not_cues.sub("|", folded) if self._not_cues is not None else folded


def _words(data: dict[str, Any], name: str) -> tuple[str, ...]:
    table = data.get(name, {})
    words = table.get("words", []) if isinstance(table, dict) else None
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise ConfigError(f"lexicon: [{name}] words must be a list of words")
    return tuple(words)


def _table(data: dict[str, Any], name: str) -> dict[str, str]:
    table = data.get(name, {})
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in table.items()
    ):
        raise ConfigError(f"lexicon: [{name}] must map words to words")
    return table


def parse_lexicon(data: dict[str, Any]) -> Lexicon:
    """A Lexicon from the parsed TOML; a malformed table is a ConfigError naming it."""
    return Lexicon(
        _table(data, "spellings"),
        _table(data, "english"),
        frozenset(w.lower() for w in _words(data, "english_stop")),
        _words(data, "not_cues"),
    )


@lru_cache(maxsize=1)
def shared_lexicon() -> Lexicon:
    """The packaged lexicon (``data/lexicon.shared.toml``), read once."""
    path = resources.files("hosho.core.qa").joinpath("data", "lexicon.shared.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"lexicon: cannot read lexicon.shared.toml: {err}") from None
    return parse_lexicon(data)
