"""The topics of both sides of the flow: what the town's staff do, what to do after a
mistake, why the notice is sent, and the close-by procedures hosho refuses. Answers use
the flyer's screen words (STEP numbers, 「認証キー」の表示) and the profile's facts."""

from __future__ import annotations

import pytest

from hosho.core.qa.answers import answer
from hosho.core.rules.profile import Profile, load_profile

AYA_ADDRESS = "zaisei@town.aya.lg.jp"


@pytest.fixture(scope="module")
def aya() -> Profile:
    return load_profile("aya")


@pytest.mark.parametrize(
    ("question", "item_id", "must"),
    [
        # the town staff's side
        (
            "役場の担当者はどうやって電子証書を確認するのですか",
            "dsure",
            ["D-Sure", "保証契約番号と認証キー", "/hosho lookup"],
        ),
        (
            "業者から届いた認証キー等のお知らせは担当者がどう処理しますか",
            "staff_received",
            ["D-Sure", "保証期間", "hosho submissions accept", "要確認"],
        ),
        (
            "届いた提出の一覧を職員が見るコマンドは",
            "staff_inbox",
            ["hosho submissions list", "hosho submissions show", "/hosho submissions"],
        ),
        (
            "hoshoは町の担当者に代わって何をチェックしますか",
            "staff_hosho",
            ["STEP3", "保証契約番号と認証キー", AYA_ADDRESS, "令和6年9月1日"],
        ),
        (
            "D-Sureに認証キーを入れても通らないのですが",
            "key_not_working",
            ["STEP4", "「認証キー」の表示", "最新", "同じ表示"],
        ),
        # after a mistake
        (
            "STEP3で保存したPDFを町に送っちゃいました",
            "wrong_file",
            ["STEP4", "「認証キー」の表示", "送り直して", AYA_ADDRESS],
        ),
        (
            "宛先のアドレスを間違えて送信してしまいました",
            "wrong_address",
            [AYA_ADDRESS, "提出状況"],
        ),
        (
            "認証キー等のお知らせのPDFを紛失しました",
            "lost_notice",
            ["STEP4", "「認証キー」の表示", "電子証書の確認はこちら", "保証契約番号"],
        ),
        ("同じ認証キーのお知らせを二重に送ってしまいました", "sent_twice", ["重複", "不要"]),
        (
            "認証キーのお知らせを紙で持参してもいいですか",
            "submission",
            [AYA_ADDRESS, "持参・郵送する必要はありません", "D-Sure"],
        ),
        # why, with the reason
        (
            "どうして電子証書ではなく認証キー等のお知らせを出すのですか",
            "why_notice",
            ["D-Sure", "保証契約番号と認証キー", "STEP4", "STEP3"],
        ),
    ],
)
def test_topic_answers_say_what_to_do_in_the_flyer_s_words(
    aya: Profile, question: str, item_id: str, must: list[str]
) -> None:
    reply = answer(question, aya)
    assert reply.matched and reply.item_id == item_id, (reply.item_id, reply.score)
    missing = [m for m in must if m not in reply.answer]
    assert not missing, reply.answer


@pytest.mark.parametrize(
    "question",
    [
        "前払金の請求書はどこに出せばいいですか",
        "入札参加資格の申請について教えて",
        "完成検査の日程を教えてください",
        "契約保証金の免除の要件は",
        "住民票を取りに行きたい",
        "保証証書の原本はいつ返してもらえますか",
    ],
)
def test_close_by_procedures_get_the_honest_fallback_with_the_contact(
    aya: Profile, question: str
) -> None:
    reply = answer(question, aya)
    assert not reply.matched and reply.item_id is None, (question, reply.score)
    assert "分かりません" in reply.answer and AYA_ADDRESS in reply.answer


def test_staff_answers_carry_another_town_s_facts() -> None:
    city = load_profile("sample-city")
    reply = answer("hoshoは町の担当者に代わって何をチェックしますか", city)
    assert reply.item_id == "staff_hosho"
    assert "kaikei@city.mihon.example.lg.jp" in reply.answer and "令和7年4月1日" in reply.answer
    assert AYA_ADDRESS not in reply.answer
