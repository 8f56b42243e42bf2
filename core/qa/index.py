"""The Q&A index: which knowledge-base item a question is about, and how sure we are.

Every item becomes a bag of character features (from its title, example questions,
keywords and their kana readings; a feature found only in its answer gets ANSWER_CREDIT,
one found only in the questions people asked, ``Item.asked``, ASKED_CREDIT).
Both the knowledge base's texts and the question are first read through the shared
lexicon (conversion slips such as 補償 for 保証, English words as the knowledge base's
terms); a kana keyword (いつから, なぜ, メリット) found in a text is also one word feature.
A question's features are weighted by script and by rarity across items (IDF). Two
measures are combined:

* *coverage*: the share of the question's weight that the item explains. A question
  about something else (ごみ garbage, 入札参加資格 bidding qualification, 天気 weather) is
  mostly made of features no item has, so its coverage stays low whatever it shares by
  chance.
* *closest example*: the best overlap with one example question (or keyword), relative
  to the larger of the two (so a long example matching a short question does not win by
  size).

The score is their weighted mean (COVERAGE_SHARE), between 0 and 1. Two rules of the
knowledge base come on top: a written keyword (or ``decides`` phrase) of a ``[[reject]]``
topic that no answerable item uses sends the question to that topic whatever else it
shares (年金の相談 is about pensions, not the contact item's 相談); an item with
``requires`` words is a candidate only for a question holding one (the "why" topic).
Then two rules choose between the best: among items tied first, the one whose title is
closest to the question (``_by_title``), and an item's ``cues``/``against`` move it up or
down among close topics (``_by_cues``); neither changes whether a question is answered.

Lookups walk an inverted index for coverage, then compare the examples of the CANDIDATES
best-covered items only, through per-item postings of their examples. In a large
knowledge base, features found in more than 5% of the items (particles, common 漢字) are
stop features and ignored, which keeps lookups fast without changing the ranking much.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from hosho.core.qa.features import (
    KANA_PAIR_WEIGHT,
    KanaRewriter,
    features,
    fold,
    is_written,
    kana_bigrams,
    strip_courtesy,
)
from hosho.core.qa.knowledge import Item, KnowledgeBase
from hosho.core.qa.lexicon import shared_lexicon
from hosho.core.qa.readings import readings

#: Credit of a feature found only in an item's answer text (not its questions/keywords).
ANSWER_CREDIT = 0.3
#: Credit of a feature found only in questions people asked (``Item.asked``): they teach
#: the ways a topic is asked as examples, but a long mail's every word is not the topic's.
ASKED_CREDIT = 0.3
#: Features in more items than this share of a large KB are stop features: ignored.
COMMON_SHARE = 0.05
#: ...but only above this many items (small KBs use every feature).
COMMON_MIN = 60
#: Extra weight of a content feature (漢字, カタカナ, Latin) that no item has: a question
#: about something else (移住, 税務課, パスポート) is mostly made of such words.
UNSEEN_CONTENT_BOOST = 1.5
#: Share of coverage in the score (the rest is the closest example).
COVERAGE_SHARE = 0.6
#: Items (best coverage first) whose examples are compared with a question.
CANDIDATES = 10
#: Shortest Latin word of a ``[[reject]]`` topic that vetoes (tax, windows, outlook); it
#: vetoes as a whole word only (not tax in syntax, bus in business).
LATIN_VETO_MIN = 3
#: Prefix of the feature of a kana keyword found as a whole word.
KANA_WORD = "k:"
#: Scores closer than this are a tie (see ``_by_title``).
TIE = 1e-6
#: How far an item's cue (or ``against``) moves it among close topics (see ``_by_cues``).
CUE_BONUS = 0.08
#: Rarity given to a ひらがな pair no item has: in a paraphrase such pairs are mostly
#: filler (よくわからないので), unlike an unknown 漢字 word (住民票), which gets the most.
UNSEEN_KANA_IDF = 1.0


#: A cue: one pattern per ``+``-part, each of the part's ``|``-alternatives.
Cue = tuple[re.Pattern[str], ...]


def _cue(text: str, normalize: Callable[[str], str]) -> Cue:
    """A cue ``a|b+c|d`` (the question holds a or b, and c or d), folded like a question."""
    parts = []
    for part in text.split("+"):
        words = {fold(normalize(w)) for w in part.split("|") if w.strip()}
        ordered = sorted(words, key=lambda w: (-len(w), w))
        parts.append(re.compile("|".join(re.escape(w) for w in ordered)))
    return tuple(parts)


def _holds(text: str, cues: tuple[Cue, ...]) -> bool:
    """True when the folded text holds every part of one of the cues."""
    return any(all(part.search(text) for part in cue) for cue in cues)


@dataclass(frozen=True)
class Scored:
    """An item with its score (0–1) for one question."""

    item: Item
    score: float


def _kana_of_terms(kb: KnowledgeBase) -> tuple[dict[str, str], dict[str, str]]:
    """The folded kana reading of every title and keyword of the knowledge base, and the
    vocabulary: kana reading → written form, for every title, keyword and word of two or
    more characters in them."""
    texts = (t for item in kb.items for t in (item.title, *item.keywords) if t)
    kana: dict[str, str] = {}
    vocabulary: dict[str, str] = {}
    for text, tokens in sorted(readings(texts, kb.name).items()):
        kana[text] = reading = fold("".join(r for _, r in tokens))
        vocabulary.setdefault(reading, text)
        for surface, word in tokens:
            if len(surface) >= 2:
                vocabulary.setdefault(fold(word), surface)
    return kana, vocabulary


def _is_kana_word(word: str) -> bool:
    """A keyword of two or more kana (ひらがな or カタカナ) and nothing else."""
    word = unicodedata.normalize("NFKC", word)
    return len(word) >= 2 and all("\u3041" <= ch <= "\u30ff" for ch in word)


def _longest_first(words: set[str]) -> re.Pattern[str] | None:
    """One pattern for folded words, longest first (あどれす before どれ)."""
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))))


def _kana_word_features(folded: str, words: re.Pattern[str] | None) -> dict[str, float]:
    """A word feature (weight 1) for each kana keyword found in a folded text.

    いつから "since when", なぜ "why", なくした "lost" say what is asked, but as ひらがな
    pairs they would weigh like grammar (KANA_PAIR_WEIGHT); as keywords they weigh as
    words. Found left to right, longest first, never overlapping: アドレス holds no どれ.
    """
    if words is None:
        return {}
    return {KANA_WORD + m.group(0): 1.0 for m in words.finditer(folded)}


def _veto_pattern(word: str) -> str:
    """The pattern of one veto word: a Latin word only as a whole word (windows, not the
    tax of syntax); any other as it is found."""
    if word.isascii() and word.isalnum():
        return rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])"
    return re.escape(word)


def _credits(
    item: Item,
    kana: dict[str, str],
    featured: dict[str, dict[str, float]],
    answer_features: dict[str, float],
) -> dict[str, float]:
    """Feature → credit for one item: 1 from its title, questions, keywords (``featured``)
    and their readings; ANSWER_CREDIT for features found only in its answer."""
    core: dict[str, float] = {}
    for text in (item.title, *item.questions, *item.keywords):
        core.update(dict.fromkeys(featured[text], 1.0))
    for text in (item.title, *item.keywords):
        for key in kana_bigrams(kana.get(text, "")):
            core[key] = 1.0
    for text in item.asked:
        for key in featured[text]:
            core.setdefault(key, ASKED_CREDIT)
    for key in answer_features:
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
        kana, vocabulary = _kana_of_terms(kb)
        self._lexicon = lexicon = shared_lexicon()
        self._rewriter = KanaRewriter(vocabulary)
        #: Kana keywords (いつから, なぜ, なくした, メリット), matched as whole words.
        self._kana_words = _longest_first(
            {fold(k) for item in self.items for k in item.keywords if _is_kana_word(k)}
        )
        texts = {
            t
            for item in self.items
            for t in (item.title, *item.questions, *item.keywords, *item.asked)
        }
        #: Each text of the knowledge base as the lexicon reads it, and its features.
        normalized = {text: lexicon.normalize(text) for text in texts}
        featured = {text: self._text_features(normalized[text]) for text in texts}
        credits = [
            _credits(item, kana, featured, features(lexicon.normalize(item.answer)))
            for item in self.items
        ]
        self._word_chars = {
            k for k in (fold(k) for item in self.items for k in item.keywords) if len(k) == 1
        }
        examples = [
            (i, featured[text])
            for i, item in enumerate(self.items)
            for text in (*item.questions, item.title, *item.keywords, *item.asked)
            if text
        ]
        df: dict[str, float] = {}
        for core in credits:
            for key, credit in core.items():
                df[key] = df.get(key, 0) + credit
        self._idf_unseen = math.log((n + 1) / 0.5)
        self._idf = {key: math.log((n + 1) / (count + 0.5)) for key, count in df.items()}
        limit = max(COMMON_MIN, int(n * COMMON_SHARE))
        self._common = {key for key, count in df.items() if count > limit}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, core in enumerate(credits):
            for key, credit in core.items():
                if key not in self._common:
                    self._postings.setdefault(key, []).append((i, credit))
        self._veto_items, self._veto_re = self._vetoes(normalized)
        #: The knowledge base's words naming the service, folded (see ``names_service``).
        anchors = {fold(lexicon.normalize(word)) for word in kb.anchors}
        self._anchor_re = _longest_first({a for a in anchors if a})
        #: Items answered only when the question holds one of their ``requires`` words.
        self._requires = {
            i: re.compile("|".join(re.escape(fold(lexicon.normalize(w))) for w in item.requires))
            for i, item in enumerate(self.items)
            if item.requires
        }
        #: Per item: its title's features (common ones left out) and their total weight.
        self._titles = []
        for item in self.items:
            kept = [key for key in featured.get(item.title, {}) if key not in self._common]
            size = sum(featured[item.title][key] * self.idf(key) for key in kept) if kept else 0.0
            self._titles.append((kept, size))
        #: Items with ``cues`` or ``against`` (answerable ones only): item → (cues, against).
        self._cues = {
            i: (
                tuple(_cue(c, lexicon.normalize) for c in item.cues),
                tuple(_cue(c, lexicon.normalize) for c in item.against),
            )
            for i, item in enumerate(self.items)
            if (item.cues or item.against) and not item.reject
        }
        #: Per item: the total weight of each example question/keyword, and for each
        #: feature the examples holding it (so only examples sharing a feature are met).
        self._example_totals: list[list[float]] = [[] for _ in self.items]
        self._example_postings: list[dict[str, list[int]]] = [{} for _ in self.items]
        for i, feats in examples:
            kept = [key for key in feats if key not in self._common]
            number = len(self._example_totals[i])
            self._example_totals[i].append(sum(feats[key] * self.idf(key) for key in kept))
            for key in kept:
                self._example_postings[i].setdefault(key, []).append(number)

    def _vetoes(self, normalized: dict[str, str]) -> tuple[dict[str, int], re.Pattern[str] | None]:
        """The words of ``[[reject]]`` topics that decide a question on their own.

        A written word (漢字 or カタカナ, two characters or more, or a Latin word of
        LATIN_VETO_MIN letters or more) of a topic hosho must not answer (年金 pension,
        入札 bidding, 祭り festival, Outlook), found in no answerable item's
        title, questions or keywords: a question holding it is about that topic, however
        much else it shares with an item (年金の相談 is not the contact item's 相談). The
        topic's ``decides`` words veto alike without being features of the topic.
        ``normalized``: every title, question and keyword as the lexicon reads it.
        """
        answerable = "|".join(
            fold(normalized[text])
            for item in self.items
            if not item.reject
            for text in (item.title, *item.questions, *item.keywords)
        )
        vetoes: dict[str, int] = {}
        for i, item in enumerate(self.items):
            for word in (*item.keywords, *item.decides) if item.reject else ():
                folded = fold(normalized.get(word) or self._lexicon.normalize(word))
                kana_only = not any("\u4e00" <= ch <= "\u9fff" for ch in word)
                if kana_only and len(folded) < 3:  # バス would veto 延ばす
                    continue
                latin = len(folded) >= LATIN_VETO_MIN and folded.isascii() and folded.isalnum()
                if len(folded) >= 2 and (is_written(word) or latin) and folded not in answerable:
                    vetoes.setdefault(folded, i)
        if not vetoes:
            return vetoes, None
        words = sorted(vetoes, key=lambda w: (-len(w), w))
        return vetoes, re.compile("|".join(_veto_pattern(w) for w in words))

    def vetoed_by(self, question: str) -> int | None:
        """The reject item whose veto word the question holds (see ``_vetoes``), if any."""
        return self._vetoed_in(fold(self._lexicon.normalize(question)))

    def _vetoed_in(self, folded: str) -> int | None:
        if self._veto_re is None:
            return None
        found = self._veto_re.search(folded)
        return self._veto_items[found.group(0)] if found else None

    def names_service(self, question: str) -> bool:
        """True when the question holds one of the knowledge base's ``anchors`` (電子保証,
        認証キー, D-Sure…), written or in kana (でんしほしょう), after the shared lexicon
        (補償 → 保証, auth key → 認証キー): whatever else it says, it is about the service."""
        if self._anchor_re is None:
            return False
        folded = fold(self._lexicon.normalize(question))
        if self._anchor_re.search(folded):
            return True
        return self._anchor_re.search(fold(self._rewriter.rewrite_folded(folded))) is not None

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
        normalized = self._lexicon.normalize(question)
        return self._read(normalized, fold(normalized))

    def _read(self, normalized: str, folded: str) -> dict[str, float]:
        """``features`` of a normalized question (``folded``: the same, folded)."""
        rewritten = self._rewriter.rewrite_folded(folded)
        if rewritten == folded:
            return {**features(normalized), **_kana_word_features(folded, self._kana_words)}
        return self._text_features(rewritten)

    def _text_features(self, text: str) -> dict[str, float]:
        """``features`` of a text plus its kana keywords as words."""
        return {**features(text), **_kana_word_features(fold(text), self._kana_words)}

    def _closest_example(self, i: int, weights: dict[str, float], total: float) -> float:
        """Best overlap of the question (its feature ``weights``) with one example of item
        ``i``, relative to the larger of the two."""
        postings = self._example_postings[i]
        shared: dict[int, float] = {}
        for key, weight in weights.items():
            for number in postings.get(key, ()):
                shared[number] = shared.get(number, 0.0) + weight
        if not shared:
            return 0.0
        totals = self._example_totals[i]
        return max(s / (total if total > totals[n] else totals[n]) for n, s in shared.items())

    def rank(self, question: str, top: int = 4) -> list[Scored]:
        """The ``top`` best items for a question, best first (empty for an empty question)."""
        common = self._common
        normalized = self._lexicon.normalize(strip_courtesy(question))
        folded = fold(normalized)
        raw = self._read(normalized, folded)
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
        if self._requires:
            cues = self._lexicon.cue_text(folded)
            anchored -= {i for i, cue in self._requires.items() if not cue.search(cues)}
        candidates = heapq.nlargest(CANDIDATES, anchored, key=cover.__getitem__)
        scores = [
            (
                COVERAGE_SHARE * cover[i] / total
                + (1 - COVERAGE_SHARE) * self._closest_example(i, weights, total),
                i,
            )
            for i in candidates
        ]
        scores.sort(key=lambda pair: (-pair[0], pair[1]))  # ties: the earlier item
        if len(scores) > 1 and min(1.0, scores[0][0]) - scores[1][0] < TIE:
            scores = self._by_title(scores, weights, total)
        if self._cues and scores:  # who asks may be said in a greeting: read it all
            scores = self._by_cues(scores, fold(self._lexicon.normalize(question)))
        vetoed = self._vetoed_in(folded)
        if vetoed is not None:  # the reject topic comes first, whatever the others score
            scores = [(1.0, vetoed), *((s, i) for s, i in scores if i != vetoed)]
        return [Scored(self.items[i], min(1.0, s)) for s, i in scores[:top]]

    def _by_title(
        self, scores: list[tuple[float, int]], weights: dict[str, float], total: float
    ) -> list[tuple[float, int]]:
        """The ranked pairs with, among those tied first, the item whose title is closest
        to the question first: a bare term (認証キー？) is a keyword of several items, and
        asks what the term is (認証キーとは), not one step with it (認証キーの取得)."""
        best = scores[0][0]
        tied = [pair for pair in scores if min(1.0, best) - pair[0] < TIE]  # 1 is the most

        def closeness(i: int) -> float:
            feats, size = self._titles[i]
            shared = sum(weights.get(key, 0.0) for key in feats)
            return shared / max(total, size) if size else 0.0

        chosen = max(tied, key=lambda pair: (closeness(pair[1]), -pair[1]))[1]
        if chosen == scores[0][1]:
            return scores
        return [(best, chosen), *(pair for pair in scores if pair[1] != chosen)]

    def _by_cues(self, scores: list[tuple[float, int]], folded: str) -> list[tuple[float, int]]:
        """The ranked (score, item) pairs with the topic the cues point to first.

        Among the answerable items, each ranks CUE_BONUS higher when the question holds
        one of its ``cues`` and CUE_BONUS lower when it holds one of its ``against``; the
        best of them comes first, with the best score of all (the confidence that the
        question is one hosho answers is unchanged: cues choose between close topics,
        never whether to answer). When a reject item ranks first, nothing moves.
        """
        best, first = scores[0]
        if self.items[first].reject:
            return scores
        text = folded + "|" + fold(self._rewriter.rewrite_folded(folded))

        def shifted(pair: tuple[float, int]) -> float:
            score, i = min(1.0, pair[0]), pair[1]
            cues = self._cues.get(i)
            if cues is None:
                return score
            bonus = CUE_BONUS if _holds(text, cues[0]) else 0.0
            return score + bonus - (CUE_BONUS if _holds(text, cues[1]) else 0.0)

        answerable = [
            (shifted(pair), -rank, pair[1])  # ties: the one ranked first
            for rank, pair in enumerate(scores)
            if not self.items[pair[1]].reject
        ]
        chosen = max(answerable)[2]
        if chosen == first:
            return scores
        return [(best, chosen), *(pair for pair in scores if pair[1] != chosen)]
