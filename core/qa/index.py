"""The Q&A index: which knowledge-base item a question is about, and how sure we are.

Every item becomes a bag of character features (from its title, example questions,
keywords and their kana readings; its answer counts half). A question's features are
weighted by script and by rarity across items (IDF). Two measures are combined:

* *coverage*: the share of the question's weight that the item explains. A question
  about something else (ごみ garbage, 入札参加資格 bidding qualification, 天気 weather) is
  mostly made of features no item has,
  so its coverage stays low whatever it shares by chance.
* *closest example*: the best overlap with one example question (or keyword), relative to the larger
  of the two (so a long example matching a short question does not win by size).

The score is their mean, between 0 and 1. Lookups walk an inverted index for coverage,
then compare the examples of the CANDIDATES best-covered items only. In a large
knowledge base, features found in more than 5% of the items (particles, common 漢字) are
stop features and ignored, which keeps lookups fast without changing the ranking much.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from hosho.core.qa.features import (
    KANA_PAIR_WEIGHT,
    KanaRewriter,
    features,
    fold,
    kana_bigrams,
    strip_courtesy,
)
from hosho.core.qa.knowledge import Item, KnowledgeBase
from hosho.core.qa.lexicon import Lexicon, shared_lexicon
from hosho.core.qa.readings import readings

#: Credit of a feature found only in an item's answer text (not its questions/keywords).
ANSWER_CREDIT = 0.5
#: Features in more items than this share of a large KB are stop features: ignored.
COMMON_SHARE = 0.05
#: ...but only above this many items (small KBs use every feature).
COMMON_MIN = 60
#: Extra weight of a content feature (漢字, カタカナ, Latin) that no item has: a question
#: about something else (移住, 税務課, パスポート) is mostly made of such words.
UNSEEN_CONTENT_BOOST = 1.5
#: Items (best coverage first) whose examples are compared with a question.
CANDIDATES = 10
#: Prefix of the feature of a ひらがな keyword found as a whole word.
KANA_WORD = "k:"
#: Rarity given to a ひらがな pair no item has: in a paraphrase such pairs are mostly
#: filler (よくわからないので), unlike an unknown 漢字 word (住民票), which gets the most.
UNSEEN_KANA_IDF = 1.0


@dataclass(frozen=True)
class Scored:
    """An item with its score (0–1) for one question."""

    item: Item
    score: float


def _kana_of_terms(kb: KnowledgeBase) -> dict[str, str]:
    """The folded kana reading of every title and keyword of the knowledge base."""
    texts = (t for item in kb.items for t in (item.title, *item.keywords) if t)
    return {
        text: fold("".join(r for _, r in tokens))
        for text, tokens in readings(texts, kb.name).items()
    }


def _vocabulary(kb: KnowledgeBase) -> dict[str, str]:
    """Kana reading → written form, for every title, keyword and word of two or more characters."""
    texts = (t for item in kb.items for t in (item.title, *item.keywords) if t)
    vocabulary: dict[str, str] = {}
    for text, tokens in readings(texts, kb.name).items():
        vocabulary.setdefault(fold("".join(r for _, r in tokens)), text)
        for surface, reading in tokens:
            if len(surface) >= 2:
                vocabulary.setdefault(fold(reading), surface)
    return vocabulary


def _is_kana_word(word: str) -> bool:
    return len(word) >= 2 and all("\u3041" <= ch <= "\u309f" for ch in word)


def _kana_word_features(folded: str, words: tuple[str, ...]) -> dict[str, float]:
    """A word feature (weight 1) for each of ``words`` (ひらがな keywords) in a folded text.

    いつから "since when", なぜ "why", なくした "lost" say what is asked, but as ひらがな
    pairs they would weigh like grammar (KANA_PAIR_WEIGHT); as keywords they weigh as words.
    """
    return {KANA_WORD + word: 1.0 for word in words if word in folded}


def _credits(
    item: Item, kana: dict[str, str], lexicon: Lexicon, kana_words: tuple[str, ...]
) -> dict[str, float]:
    """Feature → credit for one item: 1 from its title, questions, keywords and their
    readings; ANSWER_CREDIT for features found only in its answer."""
    core: dict[str, float] = {}
    for text in (item.title, *item.questions, *item.keywords):
        normalized = lexicon.normalize(text)
        for key in (*features(normalized), *_kana_word_features(fold(normalized), kana_words)):
            core[key] = 1.0
    for text in (item.title, *item.keywords):
        for key in kana_bigrams(kana.get(text, "")):
            core[key] = 1.0
    for key in features(lexicon.normalize(item.answer)):
        core.setdefault(key, ANSWER_CREDIT)
    return core


class Index:
    """An inverted index over one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.items = kb.items
        titles = {item.id: item.title for item in kb.items}
        #: (id, title) of the topics offered when a question is near none.
        self.starters = [(i, titles[i]) for i in kb.starters if i in titles]
        n = len(self.items)
        kana = _kana_of_terms(kb)
        self._lexicon = lexicon = shared_lexicon()
        self._rewriter = KanaRewriter(_vocabulary(kb))
        #: ひらがな keywords (いつから, なぜ, なくした), matched as whole words.
        self._kana_words = tuple(
            sorted(
                {fold(k) for item in self.items for k in item.keywords if _is_kana_word(fold(k))}
            )
        )
        credits = [_credits(item, kana, lexicon, self._kana_words) for item in self.items]
        self._word_chars = {
            fold(k) for item in self.items for k in item.keywords if len(fold(k)) == 1
        }
        examples = [
            (i, self._text_features(lexicon.normalize(text)))
            for i, item in enumerate(self.items)
            for text in (*item.questions, item.title, *item.keywords)
            if text
        ]
        df: dict[str, int] = {}
        for core in credits:
            for key in core:
                df[key] = df.get(key, 0) + 1
        self._idf_unseen = math.log((n + 1) / 0.5)
        self._idf = {key: math.log((n + 1) / (count + 0.5)) for key, count in df.items()}
        limit = max(COMMON_MIN, int(n * COMMON_SHARE))
        self._common = {key for key, count in df.items() if count > limit}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, core in enumerate(credits):
            for key, credit in core.items():
                if key not in self._common:
                    self._postings.setdefault(key, []).append((i, credit))
        #: Per item: (features kept, their total weight) of each example question/keyword.
        self._examples: list[list[tuple[frozenset[str], float]]] = [[] for _ in self.items]
        for i, feats in examples:
            kept = frozenset(key for key in feats if key not in self._common)
            total = sum(feats[key] * self.idf(key) for key in kept)
            self._examples[i].append((kept, total))

    def idf(self, key: str) -> float:
        """Rarity of a feature across items (an unseen feature is rarest)."""
        return self._idf.get(key, self._idf_unseen)

    def _weight(self, key: str, weight: float) -> float:
        """A question feature's script weight times its rarity, with these adjustments.

        A single 漢字 that is itself a keyword (紙, 雨, 犬) weighs as a word, not as a part
        of a longer one; a ひらがな pair that no item has is filler (よくわからないので) and
        weighs little; any other feature no item has weighs UNSEEN_CONTENT_BOOST times more.
        """
        known = self._idf.get(key)
        if known is not None:
            if len(key) == 1 and key in self._word_chars:
                weight = 1.0
            return weight * known
        if len(key) > 1 and weight <= KANA_PAIR_WEIGHT:
            return weight * UNSEEN_KANA_IDF
        return weight * self._idf_unseen * UNSEEN_CONTENT_BOOST

    def features(self, question: str) -> dict[str, float]:
        """The question's features: misspellings and English words read as the knowledge
        base's terms (the shared lexicon), kana spellings of known words as their 漢字."""
        question = self._lexicon.normalize(question)
        rewritten = self._rewriter.rewrite(question)
        return self._text_features(rewritten if rewritten != fold(question) else question)

    def _text_features(self, text: str) -> dict[str, float]:
        """``features`` of a text plus its ひらがな keywords as words."""
        return {**features(text), **_kana_word_features(fold(text), self._kana_words)}

    def _closest_example(
        self, i: int, weights: dict[str, float], asked: frozenset[str], total: float
    ) -> float:
        """Best overlap of the question (``asked``: its keys) with one example of item ``i``."""
        best = 0.0
        for keys, ex_total in self._examples[i]:
            common = keys & asked
            if common:
                shared = sum([weights[key] for key in common])
                best = max(best, shared / max(total, ex_total))
        return best

    def rank(self, question: str, top: int = 4) -> list[Scored]:
        """The ``top`` best items for a question, best first (empty for an empty question)."""
        common = self._common
        raw = self.features(strip_courtesy(question))
        weights = {key: self._weight(key, w) for key, w in raw.items() if key not in common}
        total = sum(weights.values())
        if total <= 0:
            return []
        cover: dict[int, float] = {}
        anchored: set[int] = set()
        for key, weight in weights.items():
            content = raw[key] > KANA_PAIR_WEIGHT or len(key) == 1  # not just grammar
            for i, credit in self._postings.get(key, ()):
                cover[i] = cover.get(i, 0.0) + weight * credit
                if content:
                    anchored.add(i)
        candidates = heapq.nlargest(CANDIDATES, anchored, key=cover.__getitem__)
        asked = frozenset(weights)
        scores = [
            (0.5 * cover[i] / total + 0.5 * self._closest_example(i, weights, asked, total), i)
            for i in candidates
        ]
        scores.sort(key=lambda pair: (-pair[0], pair[1]))  # ties: the earlier item
        return [Scored(self.items[i], min(1.0, s)) for s, i in scores[:top]]
