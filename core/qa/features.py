"""Turning Japanese questions into matchable features for the Q&A matcher.

Questions arrive in every form: full-width or half-width letters, katakana or hiragana,
with or without spaces, polite (ですか) or casual (って何), sometimes all in kana
(でんしほしょう = 電子保証) or with a typo. The matcher compares *character features*, so
nothing depends on word boundaries:

* ``fold`` applies NFKC, lower-cases, turns katakana into hiragana, spells the long
  vowel mark (ほしょー → ほしょう) and drops spaces, hyphens and middle dots (so
  ``Ｄ－Ｓｕｒｅ``, ``d sure`` and ``D-Sure`` agree);
* ``features`` yields character bigrams (weighted by script: 漢字 and カタカナ pairs carry
  meaning, ひらがな pairs are mostly grammar; none across the edge of a Latin word),
  single 漢字, and whole Latin words;
* ``strip_courtesy`` removes business-mail formulas (お世話になっております "thank you for
  your continued support", 株式会社…の…です "this is … of … Ltd.", よろしくお願いいたします
  "best regards") and filler adverbs (結局 "after all") that would otherwise drown a
  question sent by e-mail;
* ``KanaRewriter`` rewrites a question typed in kana (でんしほしょう) into the 漢字 form
  of the knowledge base's words (電子保証), using their readings (``qa_readings``).
  Questions are never tokenized, which keeps a lookup well under a millisecond.
"""

from __future__ import annotations

import re
import unicodedata

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
#: The weight of a ひらがな pair: features weighing no more than this are grammar.
KANA_PAIR_WEIGHT = _PAIR_WEIGHT["HH"]
_OTHER_PAIR = 0.4
_KANJI_UNIGRAM = 0.3
_WORD = 2.0
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


#: カタカナ → ひらがな (ァ..ヶ to ぁ..ゖ), for str.translate.
_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


# The vowel a prolonged sound mark (ー) stands for after each kana, as it is usually
# spelled in hiragana (ほしょー → ほしょう, きー → きい).
_LONG = {
    **dict.fromkeys("あかさたなはまやらわがざだばぱぁゃゎ", "あ"),
    **dict.fromkeys("いきしちにひみりぎじぢびぴぃえけせてねへめれげぜでべぺぇ", "い"),
    **dict.fromkeys("うくすつぬふむゆるぐずづぶぷぅゅおこそとのほもよろをごぞどぼぽぉょ", "う"),
}


def _spell_long_vowels(text: str) -> str:
    """The text (already in ひらがな) with each ー after a kana spelled as its vowel."""
    if "ー" not in text:
        return text
    chars = list(text)
    for i in range(1, len(chars)):
        if chars[i] == "ー":
            chars[i] = _LONG.get(chars[i - 1], "ー")
    return "".join(chars)


def fold(text: str) -> str:
    """NFKC, lower case, katakana → hiragana, no spaces, hyphens or middle dots."""
    text = _DROP_RE.sub("", unicodedata.normalize("NFKC", text).lower())
    return _spell_long_vowels(text.translate(_HIRAGANA))


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

    scripts = scripts_of(norm)
    folded = _spell_long_vowels(norm.translate(_HIRAGANA))
    for i, script in enumerate(scripts):
        if script == "K":
            put(folded[i], _KANJI_UNIGRAM)
        if i + 1 < len(norm) and script != " " and scripts[i + 1] != " ":
            pair = script + scripts[i + 1]
            if "A" in pair and pair != "AA":
                continue  # a Latin word's edge (Sureと, 4で) is no feature: the word is one
            put(folded[i] + folded[i + 1], _PAIR_WEIGHT.get(pair, _OTHER_PAIR))
    for word in _LATIN_RE.findall(norm):
        put("w:" + word, _WORD)
    return out


def is_written(text: str) -> bool:
    """True when the text has a 漢字 or a カタカナ (a word worth reading from kana)."""
    return any(_script(ch) in ("K", "T") for ch in text)


class _Scripts(dict[int, str]):
    """Code point → its ``_script`` letter (" " for a break), filled as characters are met,
    so ``text.translate(_SCRIPTS)`` classifies a whole text at C speed."""

    def __missing__(self, code: int) -> str:
        letter = _script(chr(code)) or " "
        self[code] = letter
        return letter


_SCRIPTS = _Scripts()


def scripts_of(text: str) -> str:
    """One letter per character of ``text``: K, H, T, A or " " (see ``_script``)."""
    return text.translate(_SCRIPTS)


def kana_bigrams(kana: str) -> set[str]:
    """Bigram keys of a (folded) kana reading, for matching kana-only questions."""
    scripts = scripts_of(kana)
    return {
        kana[i : i + 2] for i in range(len(kana) - 1) if scripts[i] != " " and scripts[i + 1] != " "
    }


class KanaRewriter:
    """Rewrites kana spellings of known words as written (でんしほしょう → 電子保証, めりっと → メリット).

    Built from (kana reading, surface) pairs of the knowledge base's words. ``rewrite``
    scans the folded question once, taking the longest known reading at each position;
    a candidate list per leading kana pair keeps that fast for large vocabularies.
    """

    def __init__(self, vocabulary: dict[str, str], min_len: int = 3) -> None:
        self._by_start: dict[str, list[tuple[str, str]]] = {}
        for kana, surface in vocabulary.items():
            if len(kana) >= min_len and is_written(surface):
                self._by_start.setdefault(kana[:2], []).append((kana, surface))
        for candidates in self._by_start.values():
            candidates.sort(key=lambda pair: -len(pair[0]))

    def rewrite(self, text: str) -> str:
        """The folded text with every known kana word replaced by its surface form."""
        return self.rewrite_folded(fold(text))

    def rewrite_folded(self, folded: str) -> str:
        """``rewrite`` of a text already folded."""
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


# Courtesy phrases of business mail and chat, and filler adverbs: they say nothing about
# what the question is about.
_COURTESY_RE = re.compile(
    "|".join(
        [
            r"(いつも|大変)?お世話に(なって|な)(おり|い)ます",
            r"お(疲|つか)れ(様|さま)です",
            r"(どうぞ|何卒|なにとぞ)?(よろしく|宜しく)お(願|ねが)い(いた|致)?(します|申し上げます)",
            r"(ご担当(者)?|担当者)(様|さま)",
            r"[^。！？!?\n]{0,30}(株式会社|有限会社|\(株\)|\(有\))[^。！？!?\n]{0,30}です",
            # A clerk introducing themselves (綾町財政課の山田です, 担当の佐藤と申します).
            r"[^。、！？!?\n]{0,20}(課|係|室)の[^。、！？!?\n]{0,12}(です|でございます|と申します)",
            r"[^。、！？!?\n]{0,20}と申します",
            # …建設の事務員です, 町の担当です, 財政課の者です: who writes, not what is asked.
            r"[^。、！？!?\n]{0,20}の(者|事務員|事務担当|担当者?|社長|経理|職員|現場代理人)(です|でございます)",
            r"(社長|専務|常務|部長|課長|係長|主任)の[^。、！？!?\n]{1,8}(です|でございます)",
            r"(こんにちは|こんばんは|おはようございます|はじめまして)",
            r"(すみません|すいません|恐れ入りますが|恐縮ですが|失礼します|失礼いたします)",
            r"(ありがとうございます|ありがとうございました)",
            # Filler adverbs that say how, not what, is asked.
            r"(結局|一体|具体的に|簡単に|詳しく|改めて|実際(のところ)?|そもそも|ちなみに|念のため|一応)",
        ]
    )
)


def strip_courtesy(text: str) -> str:
    """The question without greetings, self-introductions, closing formulas and fillers.

    A message made only of courtesy is returned unchanged (so a bare greeting is still
    recognised as one and answered honestly, not as an empty question).
    """
    norm = unicodedata.normalize("NFKC", text)
    stripped = _COURTESY_RE.sub(" ", norm)
    return stripped if any(_script(ch) for ch in stripped) else text
