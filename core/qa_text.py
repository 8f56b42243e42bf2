"""Turning Japanese questions into matchable features for the Q&A matcher.

Questions arrive in every form: full-width or half-width letters, katakana or hiragana,
with or without spaces, polite (ですか) or casual (って何), sometimes all in kana
(でんしほしょう = 電子保証) or with a typo. The matcher compares *character features*, so
nothing depends on word boundaries:

* ``fold`` applies NFKC, lower-cases, turns katakana into hiragana, spells the long
  vowel mark (ほしょー → ほしょう) and drops spaces, hyphens and middle dots (so
  ``Ｄ－Ｓｕｒｅ``, ``d sure`` and ``D-Sure`` agree);
* ``features`` yields character bigrams (weighted by script: 漢字 and カタカナ pairs carry
  meaning, ひらがな pairs are mostly grammar), single 漢字, and whole Latin words;
* ``reading_tokens`` (janome, a pure-Python tokenizer with a packaged dictionary) gives
  the kana reading of knowledge-base words, so the matcher can rewrite a question typed
  in kana (でんしほしょう) into its 漢字 form (電子保証). Only knowledge-base texts are
  tokenized, once per index build (and cached); questions never are, which keeps a
  lookup well under a millisecond.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

# Characters removed outright (joiners inside words), and white space.
_DROP_RE = re.compile(r"[\s\-‐‑‒–—―−・･_'’]+")

#: Feature weight by the script of the two characters of a bigram (K 漢字, T カタカナ,
#: H ひらがな, A Latin letters and digits).
_PAIR_WEIGHT = {
    "KK": 1.0,
    "TT": 1.0,
    "AA": 0.4,
    "KT": 0.8,
    "TK": 0.8,
    "KH": 0.5,
    "HK": 0.5,
    "TH": 0.5,
    "HT": 0.5,
    "HH": 0.3,
}
_OTHER_PAIR = 0.4
_KANJI_UNIGRAM = 0.3
_WORD = 1.2
_LATIN_RE = re.compile(r"[a-z0-9]{2,}")


def _script(ch: str) -> str:
    """K 漢字, H ひらがな, T カタカナ (incl. ー), A Latin letter or digit, or '' (a break)."""
    code = ord(ch)
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or ch in "々〆ヶ":
        return "K"
    if 0x3041 <= code <= 0x309F:
        return "H"
    if 0x30A1 <= code <= 0x30FF:
        return "T"
    if ch.isascii() and ch.isalnum():
        return "A"
    return ""


def _to_hiragana(ch: str) -> str:
    code = ord(ch)
    return chr(code - 0x60) if 0x30A1 <= code <= 0x30F6 else ch


# The vowel a prolonged sound mark (ー) stands for after each kana, as it is usually
# spelled in hiragana (ほしょー → ほしょう, きー → きい).
_LONG = {
    **dict.fromkeys("あかさたなはまやらわがざだばぱぁゃゎ", "あ"),
    **dict.fromkeys("いきしちにひみりぎじぢびぴぃえけせてねへめれげぜでべぺぇ", "い"),
    **dict.fromkeys("うくすつぬふむゆるぐずづぶぷぅゅおこそとのほもよろをごぞどぼぽぉょ", "う"),
}


def _spell_long_vowels(chars: list[str]) -> list[str]:
    """Replace each ー after a kana by the vowel it lengthens (in place) and return the list."""
    for i in range(1, len(chars)):
        if chars[i] == "ー":
            chars[i] = _LONG.get(chars[i - 1], "ー")
    return chars


def fold(text: str) -> str:
    """NFKC, lower case, katakana → hiragana, no spaces, hyphens or middle dots."""
    text = _DROP_RE.sub("", unicodedata.normalize("NFKC", text).lower())
    return "".join(_spell_long_vowels([_to_hiragana(ch) for ch in text]))


def features(text: str) -> dict[str, float]:
    """Weighted character features of a text (feature key → weight, the largest seen).

    Keys are folded (hiragana, lower case), weights come from the original scripts, so
    カタカナ words weigh like 漢字 words while ひらがな grammar weighs little.
    """
    norm = _DROP_RE.sub("", unicodedata.normalize("NFKC", text).lower())
    out: dict[str, float] = {}

    def put(key: str, weight: float) -> None:
        if out.get(key, 0.0) < weight:
            out[key] = weight

    scripts = [_script(ch) for ch in norm]
    folded = _spell_long_vowels([_to_hiragana(ch) for ch in norm])
    for i, script in enumerate(scripts):
        if script == "K":
            put(folded[i], _KANJI_UNIGRAM)
        if i + 1 < len(norm) and script and scripts[i + 1]:
            pair = script + scripts[i + 1]
            put(folded[i] + folded[i + 1], _PAIR_WEIGHT.get(pair, _OTHER_PAIR))
    for word in _LATIN_RE.findall(norm):
        put("w:" + word, _WORD)
    return out


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from janome.tokenizer import Tokenizer  # imported lazily: ~0.2 s to load the dictionary

    return Tokenizer()


def reading_tokens(text: str) -> list[tuple[str, str]]:
    """(surface, kana reading) of each word of a text (janome), readings folded to hiragana.

    Words janome does not know keep their surface as reading.
    """
    out = []
    for token in _tokenizer().tokenize(text):
        kana = token.reading if token.reading and token.reading != "*" else token.surface
        out.append((token.surface, fold(kana)))
    return out


def _cache_path() -> Path:
    from janome import __version__ as janome_version  # small module, no dictionary load

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hosho" / f"readings-v3-janome-{janome_version}.json"


def readings(texts: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """``reading_tokens`` of many texts, kept in a per-user cache file between runs.

    Loading janome's dictionary and reading a knowledge base takes ~0.3 s; the cache
    (``$XDG_CACHE_HOME/hosho/``, keyed by janome's version) makes later starts instant.
    The cache is an optimisation only: if it cannot be read or written, readings are
    computed again.
    """
    wanted = set(texts)
    path = _cache_path()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(cached, dict):
            cached = {}
    except (OSError, ValueError):
        cached = {}
    missing = [t for t in wanted if not isinstance(cached.get(t), list)]
    if missing:
        cached.update({t: reading_tokens(t) for t in missing})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    return {t: [(str(a), str(b)) for a, b in cached[t]] for t in wanted}


def has_kanji(text: str) -> bool:
    """True when the text has at least one 漢字."""
    return any(_script(ch) == "K" for ch in text)


def kana_bigrams(kana: str) -> set[str]:
    """Bigram keys of a (folded) kana reading, for matching kana-only questions."""
    return {
        kana[i : i + 2] for i in range(len(kana) - 1) if _script(kana[i]) and _script(kana[i + 1])
    }


class KanaRewriter:
    """Rewrites kana spellings of known words into their 漢字 form (でんしほしょう → 電子保証).

    Built from (kana reading, surface) pairs of the knowledge base's words. ``rewrite``
    scans the folded question once, taking the longest known reading at each position;
    a candidate list per leading kana pair keeps that fast for large vocabularies.
    """

    def __init__(self, vocabulary: dict[str, str], min_len: int = 3) -> None:
        self._by_start: dict[str, list[tuple[str, str]]] = {}
        for kana, surface in vocabulary.items():
            if len(kana) >= min_len and has_kanji(surface):
                self._by_start.setdefault(kana[:2], []).append((kana, surface))
        for candidates in self._by_start.values():
            candidates.sort(key=lambda pair: -len(pair[0]))

    def rewrite(self, text: str) -> str:
        """The folded text with every known kana word replaced by its surface form."""
        folded = fold(text)
        if not self._by_start:
            return folded
        out: list[str] = []
        i = 0
        while i < len(folded):
            for kana, surface in self._by_start.get(folded[i : i + 2], ()):
                if folded.startswith(kana, i):
                    out.append(surface)
                    i += len(kana)
                    break
            else:
                out.append(folded[i])
                i += 1
        return "".join(out)
