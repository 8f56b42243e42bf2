"""Paraphrase robustness, measured on questions written apart from the knowledge base.

``paraphrases.jsonl`` holds 25 questions for every topic of ``aya.toml``, written before
the matcher and the knowledge base were tuned for this round, from many angles:
contractor and town clerk, casual and keigo, kana only, typos and kana-kanji conversion
slips (補償 for 保証), loan words, one word or a whole mail, English. The rule for what is
held out was fixed before tuning: within each topic, every 5th question (the 5th, 10th,
… of its lines) is ``heldout`` and was never looked at while tuning (only its count of
hits was). The other four fifths were tuned on.

``out_of_scope.jsonl`` holds questions hosho must refuse: close-by procedures of the
same contracts (前払金の請求, 入札参加資格, 完成検査, 契約保証金の免除), other town
services (住民票, ごみ), chit-chat, in Japanese and English.

The scores are asserted as floors at what the matcher honestly reaches (a strict xfail
marks the 97% goal the held-out fifth does not reach yet, so reaching it is noticed).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from hosho.core.qa.answers import answer
from hosho.core.qa.features import fold
from hosho.core.qa.knowledge import load_knowledge
from hosho.core.rules.profile import Profile, load_profile

HERE = Path(__file__).parent
ROWS = [
    json.loads(line)
    for line in (HERE / "paraphrases.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
OUT_OF_SCOPE = [
    json.loads(line)["question"]
    for line in (HERE / "out_of_scope.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
HELD_OUT = [r for r in ROWS if r["heldout"]]
TUNING = [r for r in ROWS if not r["heldout"]]

#: Questions the matcher gets right now (of 155 held out, of 620 tuned on): floors, so
#: a change that loses one fails. 97% is the goal.
HELD_OUT_HITS = 147
TUNING_HITS = 604
GOAL = 0.97


@pytest.fixture(scope="module")
def aya() -> Profile:
    return load_profile("aya")


def _hits(rows: list[dict[str, object]], profile: Profile) -> tuple[int, list[str]]:
    misses = []
    for row in rows:
        reply = answer(str(row["question"]), profile)
        if not (reply.matched and reply.item_id == row["item_id"]):
            misses.append(f"{row['question']} → {reply.item_id} ({reply.score:.3f})")
    return len(rows) - len(misses), misses


def test_every_topic_has_25_paraphrases_with_every_fifth_held_out(aya: Profile) -> None:
    topics = {item.id for item in load_knowledge(aya).items if not item.reject}
    counts = Counter(r["item_id"] for r in ROWS)
    assert set(counts) == topics
    assert min(counts.values()) >= 25
    by_topic: dict[str, list[bool]] = defaultdict(list)
    for row in ROWS:
        by_topic[row["item_id"]].append(row["heldout"])
    for topic, flags in by_topic.items():
        assert flags == [n % 5 == 0 for n in range(1, len(flags) + 1)], topic


def test_held_out_questions_are_not_the_knowledge_base_s_own_examples(aya: Profile) -> None:
    """No held-out or out-of-scope question is an example or keyword of an answerable
    item (tuning questions may be: that is what tuning on them means)."""
    examples = {
        fold(text).rstrip("?")
        for item in load_knowledge(aya).items
        if not item.reject
        for text in (*item.questions, *item.keywords)
    }
    assert len({r["question"] for r in ROWS}) == len(ROWS)
    questions = [r["question"] for r in HELD_OUT] + OUT_OF_SCOPE
    assert not [q for q in questions if fold(q).rstrip("?？") in examples]


def test_held_out_score_floor(aya: Profile) -> None:
    hits, _ = _hits(HELD_OUT, aya)
    assert hits >= HELD_OUT_HITS, f"{hits}/{len(HELD_OUT)} (misses not shown: held out)"


def test_tuning_score_floor(aya: Profile) -> None:
    hits, misses = _hits(TUNING, aya)
    assert hits >= TUNING_HITS, f"{hits}/{len(TUNING)}:\n" + "\n".join(misses)


@pytest.mark.xfail(strict=True, reason="the held-out fifth is below the 97% goal")
def test_held_out_score_reaches_the_goal(aya: Profile) -> None:
    hits, _ = _hits(HELD_OUT, aya)
    assert hits / len(HELD_OUT) >= GOAL, f"{hits}/{len(HELD_OUT)}"


def test_the_out_of_scope_set_is_large_enough() -> None:
    assert len(OUT_OF_SCOPE) >= 150


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_is_refused_with_the_town_contact(aya: Profile, question: str) -> None:
    reply = answer(question, aya)
    assert not reply.matched, f"{question} → {reply.item_id} ({reply.score:.3f})"
    assert "分かりません" in reply.answer and "zaisei@town.aya.lg.jp" in reply.answer
