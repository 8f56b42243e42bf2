"""Held-out paraphrases: questions written apart from the knowledge base's examples.

None of these sentences is in ``core/knowledge/aya.toml``; they vary politeness, script
(kana-only, half-width, full-width), spacing and wording, and include typos. The test
asserts per-question results and an overall accuracy, so a matcher that memorises its own
examples but does not generalise fails here.
"""

from __future__ import annotations

import pytest

from hosho.core.profile import load_profile
from hosho.core.qa import answer

IN_SCOPE: list[tuple[str, str]] = [
    # what_is
    ("電子保証ってなんですか？", "what_is"),
    ("でんしほしょうとは", "what_is"),
    ("電子保証　とは　なに", "what_is"),
    ("電子証書というのは何のことでしょうか", "what_is"),
    ("電子保証がよくわからないので説明してほしい", "what_is"),
    ("電子保障とは何ですか", "what_is"),
    # requirement
    ("電子保証を使いたいのですが、事前に何をすればいいですか", "requirement"),
    ("e-Net保証に登録済みなら追加の手続きはいらない？", "requirement"),
    ("ｅ－Ｎｅｔ保証のＩＤを持っていますが申請は要りますか", "requirement"),
    ("電子保証の利用に必要なものは", "requirement"),
    ("電子保証を利用する条件を教えていただけますか", "requirement"),
    # covered_certs
    ("どの保証証書が電子化の対象ですか", "covered_certs"),
    ("契約保証予約も電子証書でもらえますか", "covered_certs"),
    ("中間前払金保証は電子になる？", "covered_certs"),
    ("すべての保証証書が電子でもらえるのですか", "covered_certs"),
    ("前払金保証の証書も電子でいける？", "covered_certs"),
    # covered_projects
    ("綾町の電子保証の対象となる案件は", "covered_projects"),
    ("建設コンサルタント業務の契約も電子保証の対象になりますか", "covered_projects"),
    ("おととし契約した工事も電子保証を使えますか", "covered_projects"),
    ("令和5年に契約した工事は対象？", "covered_projects"),
    ("対象になる案件を知りたいです", "covered_projects"),
    # submission
    ("認証キーの提出方法は？", "submission"),
    ("認証キー等のお知らせはどこへ送りますか", "submission"),
    ("綾町への提出はメールですか", "submission"),
    ("認証キーを郵送で出してもいいですか", "submission"),
    ("認証キーのＰＤＦの送り先アドレス", "submission"),
    ("認証キーは窓口に持っていくのですか", "submission"),
    # other_docs
    ("保証料計算書も電子で交付されますか", "other_docs"),
    ("保証料一括納付制度を利用しているのですが書類はどうなりますか", "other_docs"),
    ("保証証書のほかにも電子になる書類はありますか", "other_docs"),
    ("保証料計算書は紙でもらえる？", "other_docs"),
    # how_to_apply
    ("電子交付ってどこで選ぶの", "how_to_apply"),
    ("保証の申込のとき受取方法はどれを選べばいいですか", "how_to_apply"),
    ("e-Net保証での申込手順を教えてください", "how_to_apply"),
    ("電子交付を希望するにチェックする場所", "how_to_apply"),
    ("電子で受け取りたい場合の申し込み方", "how_to_apply"),
    # notice_email
    ("保証契約を結んだあとに何かメールが届きますか", "notice_email"),
    ("電子証書・認証キー登録のお知らせのメールはいつ来ますか", "notice_email"),
    ("登録のお知らせメールが来たら次は何をしますか", "notice_email"),
    ("契約締結後の通知について", "notice_email"),
    # login
    ("電子証書の確認画面にログインするパスワードは？", "login"),
    ("電子証書を見るときのIDはe-Net保証と同じですか", "login"),
    ("ろぐいんのIDとぱすわーどは何を入れますか", "login"),
    ("電子証書の確認はこちらを押したあとのログイン", "login"),
    # view_cert
    ("電子証書の内容はどこで確認できますか", "view_cert"),
    ("電子証書をプリントアウトしたい", "view_cert"),
    ("電子証書は印刷や保存ができますか", "view_cert"),
    ("電子証書を見る方法", "view_cert"),
    # get_auth_key
    ("認証キーはどうやって取得しますか", "get_auth_key"),
    ("認証キー等のお知らせのPDFをダウンロードしたい", "get_auth_key"),
    ("認証キーの表示ってどこを押すの", "get_auth_key"),
    ("認証キーの入手方法", "get_auth_key"),
    # wrong_file
    ("STEP3で保存したファイルを提出してもいいですか", "wrong_file"),
    ("電子証書の画面を保存したPDFを送ればいい？", "wrong_file"),
    ("提出するファイルを間違えないための注意", "wrong_file"),
    ("どっちのPDFを出せばいいの", "wrong_file"),
    # dsure
    ("D-Sureとは何ですか", "dsure"),
    ("Ｄ－Ｓｕｒｅについて教えて", "dsure"),
    ("発注者用保証確認サービスとは", "dsure"),
    ("dsureってなんですか", "dsure"),
    # auth_key
    ("認証キーってなに？", "auth_key"),
    ("認証キーは何のための番号ですか", "auth_key"),
    ("にんしょうきーとは", "auth_key"),
    ("認証キーの役割を教えて", "auth_key"),
    # benefits
    ("電子保証のメリットを教えて", "benefits"),
    ("電子保証にすると何がいいの", "benefits"),
    ("電子保証を使う利点は何でしょうか", "benefits"),
    ("電子化で業務は効率化しますか", "benefits"),
    # start_date
    ("綾町はいつから電子保証を始めましたか", "start_date"),
    ("電子保証の運用開始日を教えて", "start_date"),
    ("電子保証はいつスタートしたの", "start_date"),
    # provider
    ("e-Net保証ってどこの会社のサービス？", "provider"),
    ("保証会社のホームページを教えてください", "provider"),
    ("西日本建設業保証のURLは", "provider"),
    # flow
    ("電子保証の手続きの流れをざっくり教えて", "flow"),
    ("申込から提出までの流れ", "flow"),
    # contact
    ("電子保証について問い合わせたい", "contact"),
    ("担当の部署はどこですか", "contact"),
    # bot_notice
    ("ボットから認証キー等のお知らせをもらうには", "bot_notice"),
    ("チャットで認証キーのPDFを受け取れますか", "bot_notice"),
    ("hoshoでお知らせPDFを取得したい", "bot_notice"),
    # bot_status
    ("提出状況を知りたい", "bot_status"),
    ("送った認証キーが受付されたか確認できますか", "bot_status"),
    ("町が受け取ったかどうか確認する方法", "bot_status"),
    # bot_link
    ("アカウント連携のやり方", "bot_link"),
    ("お客様IDとチャットを紐づけたい", "bot_link"),
    ("確認コードの送り方", "bot_link"),
    # bot_help
    ("このボットで何ができるの", "bot_help"),
    ("hoshoの使い方を教えて", "bot_help"),
]

OUT_OF_SCOPE: list[str] = [
    "こんにちは",
    "こんばんは",
    "ありがとう",
    "お疲れさまです",
    "はじめまして",
    "今日は雨が降りますか",
    "週末の天気予報",
    "燃えるごみの日はいつですか",
    "ゴミの分別方法",
    "住民票の写しがほしい",
    "戸籍謄本の取り方",
    "マイナンバーカードの申請",
    "固定資産税の支払い方法",
    "水道料金について",
    "綾町のおすすめ観光スポット",
    "温泉はありますか",
    "保育園の申し込み",
    "町長は誰ですか",
    "図書館の開館時間",
    "入札参加資格の申請について",
    "指名競争入札の参加方法",
    "電子入札システムの使い方",
    "工事の完成検査はいつですか",
    "前払金の請求書の書き方",
    "収入印紙は必要ですか",
    "経営事項審査の申請",
    "設計変更の手続き",
    "asdfghjkl",
    "qwertyuiop",
    "12345",
    "あああああ",
    "？？？",
    "ふるさと納税の返礼品",
    "ランチのおすすめ",
]


@pytest.fixture(scope="module")
def aya():  # noqa: ANN201 - fixture
    return load_profile("aya")


@pytest.mark.parametrize(("question", "item_id"), IN_SCOPE)
def test_paraphrase_finds_its_topic(aya, question: str, item_id: str) -> None:  # noqa: ANN001
    reply = answer(question, aya)
    assert reply.matched, f"{question} → fallback (score {reply.score:.3f})"
    assert reply.item_id == item_id, f"{question} → {reply.item_id} ({reply.score:.3f})"


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_falls_back(aya, question: str) -> None:  # noqa: ANN001
    reply = answer(question, aya)
    assert not reply.matched, f"{question} → {reply.item_id} ({reply.score:.3f})"
    assert reply.item_id is None
    assert "分かりません" in reply.answer
    assert "zaisei@town.aya.lg.jp" in reply.answer  # the town's contact
