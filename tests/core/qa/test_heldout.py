"""Held-out paraphrases: questions written apart from the knowledge base's examples.

They vary politeness, script (kana-only, half-width, full-width), spacing and wording,
and include typos; none is an example or keyword of ``core/qa/data/aya.toml`` (a test
below checks). They were written in batches: the first batches also guided the choice of
keywords and weights, the later ones were written after the matcher passed the earlier
ones, as a check that it generalises. Every question is asserted on its own.

The questions live in ``heldout.jsonl`` beside this file, one JSON object a line:
``question``, ``item_id`` (null for a question that must get the fallback), ``batch`` (the
order they were written in) and, for a paraphrase known to go to another topic,
``known_miss`` (why; run as a strict xfail, so a fix is noticed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hosho.core.qa.answers import answer
from hosho.core.qa.features import fold
from hosho.core.qa.knowledge import load_knowledge
from hosho.core.rules.profile import Profile, load_profile

ROWS = [
    json.loads(line)
    for line in (Path(__file__).with_name("heldout.jsonl")).read_text("utf-8").splitlines()
    if line.strip()
]
IN_SCOPE = [(r["question"], r["item_id"]) for r in ROWS if r["item_id"] and "known_miss" not in r]
OUT_OF_SCOPE = [r["question"] for r in ROWS if r["item_id"] is None]
KNOWN_MISSES = [(r["question"], r["item_id"], r["known_miss"]) for r in ROWS if "known_miss" in r]


def test_the_set_is_large_enough() -> None:
    assert len(IN_SCOPE) >= 280 and len(OUT_OF_SCOPE) >= 140  # the file was read whole


@pytest.fixture(scope="module")
def aya() -> Profile:
    return load_profile("aya")


def test_held_out_questions_are_not_in_the_knowledge_base(aya: Profile) -> None:
    examples = {
        fold(text).rstrip("?")
        for item in load_knowledge(aya).items
        if not item.reject  # greetings are listed there on purpose
        for text in (item.title, *item.questions, *item.keywords)
    }
    questions = [q for q, _ in IN_SCOPE] + [q for q, _, _ in KNOWN_MISSES]
    assert not [q for q in questions if fold(q).rstrip("?") in examples]


@pytest.mark.parametrize(
    ("question", "item_id"),
    [
        *IN_SCOPE,
        *(
            pytest.param(q, i, marks=pytest.mark.xfail(strict=True, reason=why))
            for q, i, why in KNOWN_MISSES
        ),
    ],
)
def test_paraphrase_finds_its_topic(aya: Profile, question: str, item_id: str) -> None:
    reply = answer(question, aya)
    assert reply.matched, f"{question} → fallback (score {reply.score:.3f})"
    assert reply.item_id == item_id, f"{question} → {reply.item_id} ({reply.score:.3f})"


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_falls_back(aya: Profile, question: str) -> None:
    reply = answer(question, aya)
    assert not reply.matched, f"{question} → {reply.item_id} ({reply.score:.3f})"
    assert reply.item_id is None
    assert "分かりません" in reply.answer
    assert "zaisei@town.aya.lg.jp" in reply.answer  # the town's contact
