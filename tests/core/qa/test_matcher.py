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
    assert lexicon.normalize("How do I submit the Auth Key?") == "提出|認証キー?"  # words apart
    assert lexicon.normalize("keyboard") == "keyboard"  # whole words only
    assert lexicon.normalize("Ｄ－Ｓｕｒｅ") == "D-Sure"  # NFKC, unknown words kept


def test_english_plurals_follow_the_spelling_of_the_word() -> None:
    lexicon = Lexicon({}, {"surety": "保証", "key": "認証キー", "step": "STEP"}, frozenset())
    assert lexicon.normalize("sureties") == "保証"  # -y after a consonant: -ies
    assert lexicon.normalize("keys") == "認証キー"  # -y after a vowel: -s
    assert lexicon.normalize("steps") == "STEP"


def test_no_feature_spans_two_words_of_an_english_question() -> None:
    lexicon = Lexicon({}, {"town": "町", "received": "届いた"}, frozenset({"has", "the"}))
    feats = features(lexicon.normalize("Has the town received the STEP3 PDF?"))
    assert "町届" not in feats and "w:step3pdf" not in feats
    assert {"届い", "w:step3", "w:pdf"} <= feats.keys()


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


def test_a_latin_reject_word_decides_only_as_a_whole_word() -> None:
    login = Item(id="login", title="ログイン", answer="a", keywords=("パスワード", "ログイン"))
    other = Item(id="it", reject=True, keywords=("Windows", "tax", "PC"))
    index = _index(login, other)
    assert index.vetoed_by("Windowsのパスワードを忘れた") is not None
    assert index.vetoed_by("How do I reset my Windows password?") is not None
    assert index.vetoed_by("What is the syntax of the password?") is None  # not tax
    assert index.vetoed_by("PCが遅い") is None  # shorter than LATIN_VETO_MIN: a feature only


def test_an_item_that_requires_a_cue_is_answered_only_with_one(aya: Profile) -> None:
    why = answer("なぜ電子証書のPDFではだめなのですか", aya)
    assert why.item_id == "why_notice"
    assert "D-Sure" in why.answer and "保証契約番号と認証キー" in why.answer
    assert answer("電子証書のPDFではだめ？", aya).item_id == "wrong_file"
    assert answer("提出するのは電子証書？認証キー？", aya).item_id != "why_notice"
    assert answer("認証キーってなんですか", aya).item_id == "auth_key"  # なんで(すか) is no why
    assert answer("なんで認証キーを提出するの", aya).item_id == "why_notice"


def test_cues_choose_between_close_topics_never_whether_to_answer() -> None:
    staff_view = "職員|担当者+閲覧|確認"
    view = Item(
        id="view",
        title="電子証書の閲覧",
        answer="a",
        questions=("電子証書を閲覧したい", "電子証書の内容を確認"),
        cues=("印刷|保存",),
        against=(staff_view,),
    )
    dsure = Item(
        id="dsure",
        title="D-Sure",
        answer="b",
        questions=("担当者は電子証書をD-Sureで開く",),
        cues=(staff_view,),
    )
    received = Item(
        id="received", title="届いたお知らせ", answer="c", questions=("届いたお知らせの処理",)
    )

    def bare(item: Item) -> Item:
        return Item(**{**item.model_dump(), "cues": (), "against": ()})

    index = _index(view, dsure, received)
    plain = _index(bare(view), bare(dsure), received)
    only_against = _index(view, bare(dsure), received)
    question = "担当者として電子証書を閲覧したい"
    assert plain.rank(question)[0].item.id == "view"
    assert index.rank(question)[0].item.id == "dsure"  # a staff word and a viewing word
    assert only_against.rank(question)[0].item.id == "dsure"
    assert index.rank("電子証書を閲覧して印刷したい")[0].item.id == "view"
    for question in ("担当者として電子証書を閲覧したい", "職員の閲覧", "こんにちは", "住民票"):
        cued, unchanged = index.rank(question), plain.rank(question)
        assert [s.score for s in cued][:1] == [s.score for s in unchanged][:1]  # no surer


def test_staff_and_contractor_words_tell_the_two_sides_apart(aya: Profile) -> None:
    """Fresh phrasings, not in any test set: who asks decides which side is answered."""
    assert answer("役場の職員は電子証書をどうやって閲覧しますか", aya).item_id == "dsure"
    assert answer("受注者ですが電子証書を印刷して保存したい", aya).item_id == "view_cert"
    assert answer("業者から届いたお知らせはどう処理すればいい", aya).item_id == "staff_received"
    assert answer("業者から届いた認証キーがD-Sureで通らない", aya).item_id == "key_not_working"
    assert answer("お知らせを違う部署のアドレスに送ってしまった", aya).item_id == "wrong_address"
    assert answer("STEP3の画面のファイルを間違えて送ってしまった", aya).item_id == "wrong_file"


def test_a_bare_term_shared_by_topics_goes_to_the_one_whose_title_is_closest() -> None:
    get = Item(id="get", title="認証キーの取得（STEP4）", answer="a", keywords=("認証キー", "取得"))
    what = Item(id="what", title="認証キーとは", answer="b", keywords=("認証キー", "暗証番号"))
    ranked = _index(get, what).rank("認証キー？")
    assert ranked[0].score == ranked[1].score == 1.0  # both hold the term as a keyword
    assert ranked[0].item.id == "what"  # not the earlier item: the term is asked about
    assert _index(get, what).rank("認証キーの取得")[0].item.id == "get"
