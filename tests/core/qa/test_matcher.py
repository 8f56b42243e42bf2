"""The matcher's general means of robustness: the shared lexicon (conversion slips,
English), kana keywords read as words, reject words that decide alone, and items that
need a cue word."""

from __future__ import annotations

import re

import pytest

from hosho.core.errors import ConfigError
from hosho.core.qa.answers import answer
from hosho.core.qa.features import features
from hosho.core.qa.index import Index
from hosho.core.qa.knowledge import Item, KnowledgeBase
from hosho.core.qa.lexicon import Lexicon, parse_lexicon, shared_lexicon
from hosho.core.rules.profile import Profile, load_profile


@pytest.fixture(scope="module")
def aya() -> Profile:
    return load_profile("aya")


def test_lexicon_corrects_conversion_slips_and_reads_english_as_the_kb_terms() -> None:
    lexicon = Lexicon(
        {"補償": "保証", "人称": "認証"},
        {"auth key": "認証キー", "key": "鍵", "submit": "提出"},
        frozenset({"the", "how", "do", "i"}),
    )
    assert lexicon.normalize("電子補償の人称キー") == "電子保証の認証キー"
    assert lexicon.normalize("How do I submit the Auth Key?").split() == ["提出", "認証キー?"]
    assert lexicon.normalize("keyboard") == "keyboard"  # whole words only
    assert lexicon.normalize("Ｄ－Ｓｕｒｅ") == "D-Sure"  # NFKC, unknown words kept


def test_lexicon_drops_phrases_that_only_seem_to_hold_a_cue() -> None:
    lexicon = Lexicon({}, {}, frozenset(), ("なんです",))
    assert "なんで" not in lexicon.cue_text("にんしょうきいってなんですか")
    assert "なんで" in lexicon.cue_text("なんでにんしょうきいをだすの")


def test_the_shared_lexicon_is_packaged_and_reads_english_questions() -> None:
    normalized = shared_lexicon().normalize("Where should I send the auth key notice?")
    assert "認証キー等のお知らせ" in normalized and "どこ" in normalized
    assert "should" not in normalized


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"spellings": {"補償": 1}}, "[spellings] must map words to words"),
        ({"english": ["key"]}, "[english] must map words to words"),
        ({"english_stop": {"words": "the"}}, "[english_stop] words must be a list"),
        ({"not_cues": "なんです"}, "[not_cues] words must be a list"),
    ],
)
def test_a_malformed_lexicon_is_a_config_error_naming_the_table(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_lexicon(data)


@pytest.mark.parametrize(
    ("question", "item_id"),
    [
        ("電子補償とはなんでしょう", "what_is"),  # 補償 for 保証
        ("人称キーの取得方法", "get_auth_key"),  # 人称 for 認証
        ("What is an auth key?", "auth_key"),
        ("Where should I send the auth key notice?", "submission"),
        ("Can I download the notice again?", "lost_notice"),
    ],
)
def test_slips_and_english_reach_the_topic(aya: Profile, question: str, item_id: str) -> None:
    reply = answer(question, aya)
    assert reply.matched and reply.item_id == item_id, (reply.item_id, reply.score)


def test_no_feature_across_the_edge_of_a_latin_word() -> None:
    assert "eと" not in features("D-Sureとは") and "w:dsure" in features("D-Sureとは")


def _index(*items: Item) -> Index:
    return Index(KnowledgeBase(name="test", items=items))


def test_a_kana_keyword_weighs_as_a_word() -> None:
    start = Item(id="start", title="開始日", answer="9月1日", keywords=("開始日", "いつから"))
    use = Item(id="use", title="使い方", answer="手順", keywords=("使える", "使い方"))
    index = _index(start, use)
    assert "k:いつから" in index.features("いつから使えるの")
    assert index.rank("いつから使えるの")[0].item.id == "start"  # as ひらがな pairs: use


def test_kana_keywords_are_found_longest_first_never_inside_another() -> None:
    address = Item(id="address", title="宛先", answer="a", keywords=("アドレス",))
    which = Item(id="which", title="どれ", answer="b", keywords=("どれ",))
    feats = _index(address, which).features("どのアドレスに送れば")
    assert "k:あどれす" in feats and "k:どれ" not in feats


def test_a_reject_word_decides_alone_unless_an_answerable_item_uses_it() -> None:
    contact = Item(
        id="contact", title="問い合わせ", answer="役場へ", keywords=("相談", "電話で相談")
    )
    other = Item(
        id="other",
        reject=True,
        keywords=("年金", "前払金の請求", "相談窓口"),
        decides=("保証証書の原本",),
    )
    certs = Item(id="certs", title="対象", answer="c", keywords=("前払金保証", "保証証書"))
    index = _index(contact, certs, other)
    assert index.rank("年金の相談")[0].item.id == "other"
    assert index.vetoed_by("前払金の請求について") is not None
    assert index.vetoed_by("前払金保証の対象は") is None
    assert index.vetoed_by("保証証書の原本はどうする") is not None
    assert index.vetoed_by("保証証書の種類") is None  # a decides word is no keyword
    assert index.vetoed_by("電話で相談窓口") is not None
    assert index.vetoed_by("相談したい") is None  # 相談 alone is the contact item's


def test_an_item_that_requires_a_cue_is_answered_only_with_one(aya: Profile) -> None:
    why = answer("なぜ電子証書のPDFではだめなのですか", aya)
    assert why.item_id == "why_notice"
    assert "D-Sure" in why.answer and "保証契約番号と認証キー" in why.answer
    assert answer("電子証書のPDFではだめ？", aya).item_id == "wrong_file"
    assert answer("提出するのは電子証書？認証キー？", aya).item_id != "why_notice"
    assert answer("認証キーってなんですか", aya).item_id == "auth_key"  # なんで(すか) is no why
    assert answer("なんで認証キーを提出するの", aya).item_id == "why_notice"
