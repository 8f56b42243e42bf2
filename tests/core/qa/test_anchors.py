"""Words that name the service (the knowledge base's ``anchors``): a question holding one
is answered at a lower confidence, since a long mail about 電子保証 explains little of
itself with any one item yet is about the service. Close-by procedures stay refused."""

from __future__ import annotations

import dataclasses

import pytest

from hosho.core.errors import ConfigError
from hosho.core.qa.answers import ANCHORED_THRESHOLD, THRESHOLD, answer, index_for
from hosho.core.qa.index import Index
from hosho.core.qa.knowledge import load_knowledge, parse_knowledge
from hosho.core.rules.profile import Profile, load_profile


@pytest.fixture(scope="module")
def aya() -> Profile:
    return load_profile("aya")


@pytest.mark.parametrize(
    "question",
    [
        "でんしほしょうって？",  # kana, read through the knowledge base's readings
        "補償契約番号はどこに書いてある",  # a conversion slip (補償 for 保証)
        "What is an auth key?",  # English, through the shared lexicon
        "denshi hosho tte nani",  # ローマ字
        "Ｄ－Ｓｕｒｅで見られますか",  # full-width
        "このボットは何ができるの",
    ],
)
def test_these_name_the_service(aya: Profile, question: str) -> None:
    assert index_for(aya).names_service(question)


@pytest.mark.parametrize(
    "question",
    ["住民票の取り方", "契約保証金の免除について", "前払金の請求はどうする", "電子入札の操作方法"],
)
def test_these_do_not(aya: Profile, question: str) -> None:
    assert not index_for(aya).names_service(question)


def test_a_long_mail_about_the_service_is_answered_below_the_usual_threshold(
    aya: Profile,
) -> None:
    question = (
        "お世話になっております。来月から山の上の現場が始まるので段取りを詰めているところ"
        "ですが、社内の若手にも分かるように資料を作る必要がありまして、電子保証の仕組みを"
        "教えていただけますか。"
    )
    reply = answer(question, aya)
    assert reply.matched and reply.item_id == "what_is"
    assert ANCHORED_THRESHOLD <= reply.score < THRESHOLD  # answered only because anchored

    kb = load_knowledge(aya)
    plain = Index(dataclasses.replace(kb, anchors=()))
    assert not plain.names_service(question)


def test_a_close_by_procedure_is_refused_even_beside_an_anchor(aya: Profile) -> None:
    reply = answer("電子保証ではなく前払金の請求書の出し方を教えて", aya)
    assert not reply.matched and "分かりません" in reply.answer


def test_a_blank_anchor_is_a_config_error(aya: Profile) -> None:
    data = {
        "anchors": ["電子保証", " "],
        "item": [{"id": "a", "title": "t", "answer": "x", "questions": ["q"]}],
    }
    with pytest.raises(ConfigError, match="anchors"):
        parse_knowledge(data, aya)
