"""Q&A: answer a contractor's question about 電子保証 from the town's knowledge base.

``answer(question, profile)`` returns the best item's answer when the matcher is
confident enough, otherwise an honest 「分かりません」 ("I don't know") with the town's
contact (from the profile) and the nearest topics. The index is built once per profile
and cached; ``reload()`` drops the cache (``/hosho faq reload``) after the knowledge file
changed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from hosho.core.qa.index import Index, Scored
from hosho.core.qa.knowledge import load_knowledge
from hosho.core.qa.lexicon import shared_lexicon
from hosho.core.qa.readings import load_seed
from hosho.core.rules.profile import Profile

#: Below this score (0–1) the question is not answered.
THRESHOLD = 0.22
#: The same for a question that names the service (an ``anchors`` word of the knowledge
#: base: 電子保証, 認証キー…): a long mail about it explains little of itself with any one
#: item, yet it is about this service, not about 住民票 or the weather.
ANCHORED_THRESHOLD = 0.10
#: How many nearest topics a fallback offers.
SUGGESTIONS = 3
#: A topic less near than this is not offered as "もしかして" (starter topics are instead).
SUGGEST_MIN = 0.12
#: Only this many characters of a question are read (a pasted e-mail is not a question).
MAX_QUESTION = 500

_lock = threading.Lock()
_indexes: dict[str, Index] = {}


@dataclass(frozen=True)
class Answer:
    """The reply to one question.

    ``matched`` is False for the fallback; ``item_id`` is the matched item (None when not
    matched); ``score`` the confidence (0–1) in the best topic hosho answers (for the
    fallback: the nearest one, below the threshold or beaten by an out-of-scope topic);
    ``suggestions`` holds (item_id, short title) of the nearest other topics, for buttons
    or a 「もしかして」 line.
    """

    matched: bool
    item_id: str | None
    score: float
    answer: str
    suggestions: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """The JSON form of ``hosho ask --json``: matched, item_id, score, answer."""
        return {
            "matched": self.matched,
            "item_id": self.item_id,
            "score": round(self.score, 4),
            "answer": self.answer,
        }

    def to_json_line(self) -> str:
        """``to_json()`` as one line of JSON (Japanese kept readable)."""
        return json.dumps(self.to_json(), ensure_ascii=False)


def index_for(profile: Profile) -> Index:
    """The cached index of a profile's knowledge base (built on first use)."""
    key = f"{profile.id}:{profile.knowledge}"
    index = _indexes.get(key)
    if index is None:
        with _lock:
            index = _indexes.get(key)
            if index is None:
                index = Index(load_knowledge(profile))
                _indexes[key] = index
    return index


def reload() -> None:
    """Forget every built index; the next question re-reads the knowledge files (and the
    shared lexicon)."""
    with _lock:
        _indexes.clear()
        load_seed.cache_clear()
        shared_lexicon.cache_clear()


def fallback_text(profile: Profile, nearest: list[tuple[str, str]]) -> str:
    """The honest "I don't know" reply: what hosho answers, the contact, nearby topics."""
    text = (
        "申し訳ありません、そのご質問への答えは分かりません。"
        f"このボットは{profile.name}の電子保証（電子証書・認証キーの提出など）についての"
        f"ご質問にお答えしています。お問い合わせ先: {profile.contact}"
    )
    if nearest:
        topics = "」「".join(title for _, title in nearest)
        text += f"\nもしかして:「{topics}」"
    return text


def decide(
    ranked: list[Scored],
    profile: Profile,
    threshold: float = THRESHOLD,
    starters: list[tuple[str, str]] | None = None,
) -> Answer:
    """Turn ranked items into an Answer: the best real item above threshold, else the fallback.

    The fallback offers the nearest topics that are at least SUGGEST_MIN near, topped up
    from ``starters`` (id, title) when fewer than two are.
    """
    starters = starters or []
    nearest = [(s.item.id, s.item.title) for s in ranked if not s.item.reject]
    best = ranked[0] if ranked else None
    if best is not None and not best.item.reject and best.score >= threshold:
        return Answer(True, best.item.id, best.score, best.item.answer, nearest[1:SUGGESTIONS])
    real = [s.score for s in ranked if not s.item.reject]
    score = real[0] if real else 0.0  # confidence in the nearest topic hosho does answer
    suggestions = [pair for pair, s in zip(nearest, real, strict=True) if s >= SUGGEST_MIN]
    for pair in starters:  # near nothing: offer where to start instead
        if len(suggestions) >= SUGGESTIONS - 1:
            break
        if pair not in suggestions:
            suggestions.append(pair)
    suggestions = suggestions[:SUGGESTIONS]
    return Answer(False, None, score, fallback_text(profile, suggestions), suggestions)


def answer(question: str, profile: Profile) -> Answer:
    """Answer one question for the profile's town (see the module docstring)."""
    index = index_for(profile)
    question = question.strip()[:MAX_QUESTION]
    ranked = index.rank(question, top=SUGGESTIONS + 2)
    threshold = ANCHORED_THRESHOLD if index.names_service(question) else THRESHOLD
    return decide(ranked, profile, threshold, starters=index.starters)
