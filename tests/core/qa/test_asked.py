"""Questions people asked (``NAME.asked.toml``): examples of how a topic is asked, added
to the items of the knowledge base by id, with a smaller credit than authored words."""

from __future__ import annotations

import pytest

from hosho.core.errors import ConfigError
from hosho.core.qa.answers import decide
from hosho.core.qa.index import ASKED_CREDIT, Index
from hosho.core.qa.knowledge import add_asked, load_knowledge, parse_knowledge
from hosho.core.rules.profile import Profile, load_profile


@pytest.fixture(scope="module")
def aya() -> Profile:
    return load_profile("aya")


def _kb(profile: Profile):  # type: ignore[no-untyped-def]
    return parse_knowledge(
        {
            "item": [
                {"id": "lost", "title": "なくしたとき", "answer": "再取得", "keywords": ["紛失"]},
                {"id": "send", "title": "提出先", "answer": "メール", "keywords": ["提出先"]},
            ]
        },
        profile,
    )


def test_every_answerable_topic_has_questions_people_asked(aya: Profile) -> None:
    items = [item for item in load_knowledge(aya).items if not item.reject]
    assert min(len(item.asked) for item in items) >= 15
    assert all(not item.asked for item in load_knowledge(aya).items if item.reject)


def test_an_asked_question_teaches_its_topic(aya: Profile) -> None:
    question = "パソコン入れ替えたらPDFがどっかいった"
    plain = Index(_kb(aya))
    taught = Index(
        add_asked(_kb(aya), {"asked": {"lost": ["パソコン入れ替えたらPDFがどっかいった"]}})
    )
    assert not decide(plain.rank(question), aya).matched
    reply = decide(taught.rank(question), aya)
    assert reply.matched and reply.item_id == "lost"


def test_a_word_only_asked_weighs_less_than_an_authored_one(aya: Profile) -> None:
    kb = add_asked(_kb(aya), {"asked": {"lost": ["提出先がわからない"]}})
    index = Index(kb)
    assert ASKED_CREDIT < 1
    best = index.rank("提出先")[0]
    assert best.item.id == "send"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"asked": {"nothing": ["質問"]}}, "no item with id 'nothing'"),
        ({"asked": {"lost": [" "]}}, "asked.lost"),
        ({"version": 2, "asked": {}}, "version"),
        ({"asked": {}, "extra": 1}, "extra"),
    ],
)
def test_a_bad_asked_file_is_one_config_error(
    aya: Profile, data: dict[str, object], says: str
) -> None:
    with pytest.raises(ConfigError, match=says) as err:
        add_asked(_kb(aya), data, source="aya.asked")
    assert "\n" not in str(err.value)
