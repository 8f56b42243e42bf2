"""Q&A: knowledge-base validation, profile facts, matching robustness, fallback, CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from hosho.core.errors import ConfigError
from hosho.core.qa import readings as qa_readings
from hosho.core.qa.answers import Answer, answer, index_for, reload
from hosho.core.qa.features import KanaRewriter, features, fold, strip_courtesy
from hosho.core.qa.knowledge import MAX_ANSWER, load_knowledge, parse_knowledge
from hosho.core.qa.readings import load_seed, readings, seed_texts
from hosho.core.rules.profile import available_profiles, load_profile

AYA_ADDRESS = "zaisei@town.aya.lg.jp"


def _aya_data() -> dict[str, Any]:
    text = resources.files("hosho.core.qa").joinpath("data", "aya.toml").read_text("utf-8")
    return tomllib.loads(text)


# --- knowledge base ---------------------------------------------------------------


@pytest.mark.parametrize("name", available_profiles())
def test_every_profile_has_a_valid_knowledge_base(name: str) -> None:
    kb = load_knowledge(load_profile(name))
    items = [i for i in kb.items if not i.reject]
    assert len(items) >= 20
    for item in items:
        assert 0 < len(item.answer) <= MAX_ANSWER, item.id
        assert "{" not in item.answer and "}" not in item.answer, item.id


def test_flyer_and_flow_topics_are_all_there() -> None:
    ids = {i.id for i in load_knowledge(load_profile("aya")).items}
    wanted = {
        "what_is", "requirement", "covered_certs", "covered_projects", "submission",
        "other_docs", "how_to_apply", "notice_email", "login", "view_cert", "get_auth_key",
        "wrong_file", "dsure", "auth_key", "benefits", "start_date", "provider",
        "bot_notice", "bot_status", "bot_link",
    }  # fmt: skip
    assert wanted <= ids


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["item"][0].update(answer="{nowhere}です"), "unknown placeholder {nowhere}"),
        (lambda d: d["item"][1].update(id=d["item"][0]["id"]), "duplicate id"),
        (lambda d: d["item"][0].pop("answer"), "missing title or answer"),
        (lambda d: d["item"][0].update(answer="長" * (MAX_ANSWER + 1)), "characters (max"),
        (lambda d: d["item"][0].update(questions="電子保証とは"), "questions must be a list"),
        (lambda d: d["item"][0].pop("id"), "has no id"),
        (lambda d: d.update(item=[]), "no [[item]]"),
        (lambda d: d.update(starters=["town_services"]), "starters must list ids"),
        (lambda d: d.update(version=2), "unsupported version 2"),
    ],
)
def test_bad_knowledge_base_is_a_config_error_naming_the_problem(change: Any, message: str) -> None:
    data = _aya_data()
    change(data)
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        parse_knowledge(data, load_profile("aya"), source="aya")
    assert "knowledge aya" in str(err.value)


def test_missing_knowledge_file_is_a_config_error() -> None:
    profile = load_profile("aya").model_copy(update={"knowledge": "nope"})
    with pytest.raises(ConfigError, match="nope.toml"):
        load_knowledge(profile)


# --- town facts come from the profile ---------------------------------------------


def test_aya_answers_carry_aya_facts() -> None:
    aya = load_profile("aya")
    reply = answer("綾町における認証キーの提出方法を教えてください", aya)
    assert reply.item_id == "submission" and AYA_ADDRESS in reply.answer
    dates = answer("運用はいつ始まりましたか", aya).answer
    assert "令和6年9月1日" in dates and "2024年9月1日" in dates


def test_sample_city_gets_its_own_facts_from_the_same_items() -> None:
    city = load_profile("sample-city")
    submit = answer("見本市への認証キーの提出先を教えてください", city)
    assert submit.item_id == "submission"
    assert "kaikei@city.mihon.example.lg.jp" in submit.answer  # 前払金 address
    assert "keiyaku@city.mihon.example.lg.jp" in submit.answer  # 契約保証 address
    assert "電子保証認証キー:" in submit.answer  # its subject rule
    assert AYA_ADDRESS not in submit.answer and "綾町" not in submit.answer
    projects = answer("対象になる案件は？", city)
    assert projects.item_id == "covered_projects"
    assert "令和7年4月1日" in projects.answer and "見本市" in projects.answer
    assert "建設コンサルタント業務は対象外" in projects.answer  # only 工事 there
    fallback = answer("粗大ごみの出し方", city)
    assert not fallback.matched and "keiyaku@city.mihon.example.lg.jp" in fallback.answer


def test_aya_covers_consultancy_work() -> None:
    text = answer("建設コンサルタント業務も対象ですか", load_profile("aya")).answer
    assert "建設コンサルタント業務が" in text and "対象外です。建設" not in text


# --- matching -----------------------------------------------------------------------


def test_folding_ignores_width_script_spaces_and_hyphens() -> None:
    assert fold("Ｄ－Ｓｕｒｅ") == fold("d sure") == "dsure"
    assert fold("ニンショウキー") == fold("にんしょうきい") == "にんしょうきい"
    assert fold("でんしほしょー") == fold("デンシホショウ") == "でんしほしょう"
    assert features("電子 保証") == features("電子保証")


def test_kana_rewriter_reads_known_words() -> None:
    rewriter = KanaRewriter({"でんしほしょう": "電子保証", "きー": "キー"})
    assert rewriter.rewrite("でんしほしょうとは") == "電子保証とは"
    assert rewriter.rewrite("ほしょう") == "ほしょう"  # unknown word stays


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("電子保証とは何ですか", "でんしほしょうとはなんですか"),
        ("認証キーとは何ですか", "ニンショウキーって何？"),
        ("D-Sureとは", "ｄ－ｓｕｒｅ　とは"),
        ("電子証書は印刷できますか", "電子証書は 印刷 できますか"),
    ],
)
def test_same_topic_whatever_the_spelling(a: str, b: str) -> None:
    aya = load_profile("aya")
    first, second = answer(a, aya), answer(b, aya)
    assert first.matched and second.matched
    assert first.item_id == second.item_id


def test_typo_still_matches() -> None:
    reply = answer("電子証明の印刷はできますか", load_profile("aya"))  # 証書 → 証明
    assert reply.item_id == "view_cert"


@pytest.mark.parametrize("question", ["", "   ", "？！", "。。。"])
def test_empty_or_punctuation_only_falls_back(question: str) -> None:
    reply = answer(question, load_profile("aya"))
    assert not reply.matched and reply.score == 0.0


def test_fallback_is_honest_gives_contact_and_nearest_topics() -> None:
    reply = answer("図書館の開館時間を教えて", load_profile("aya"))
    assert not reply.matched and reply.item_id is None
    assert "分かりません" in reply.answer and AYA_ADDRESS in reply.answer
    assert 1 <= len(reply.suggestions) <= 3
    ids = {i.id for i in load_knowledge(load_profile("aya")).items if not i.reject}
    for item_id, title in reply.suggestions:
        assert item_id in ids and title in reply.answer


def test_fallback_far_from_everything_offers_the_starter_topics() -> None:
    reply = answer("qwertyuiop", load_profile("aya"))
    assert not reply.matched
    assert [i for i, _ in reply.suggestions] == ["what_is", "flow"]
    assert "電子保証とは" in reply.answer


@pytest.mark.parametrize(
    ("message", "item_id"),
    [
        (
            "いつもお世話になっております。有限会社綾土木の佐藤です。"
            "認証キー等のお知らせはどちらへ送付すればよいでしょうか。何卒よろしくお願い申し上げます。",
            "submission",
        ),
        ("お疲れさまです。保証料計算書も電子で届きますか？よろしくお願いします。", "other_docs"),
        ("ご担当者様\n契約保証予約は電子証書の対象でしょうか。", "covered_certs"),
    ],
)
def test_mail_courtesy_does_not_drown_the_question(message: str, item_id: str) -> None:
    reply = answer(message, load_profile("aya"))
    assert reply.matched and reply.item_id == item_id


def test_courtesy_alone_is_not_a_question() -> None:
    assert strip_courtesy("お世話になっております。電子保証とは？").strip("。 ") == "電子保証とは?"
    reply = answer("お世話になっております。よろしくお願いいたします。", load_profile("aya"))
    assert not reply.matched


def test_bot_topics_name_the_commands() -> None:
    aya = load_profile("aya")
    notice = answer("ボットで認証キー等のお知らせのPDFをもらうには", aya)
    assert notice.item_id == "bot_notice" and "認証キー等のお知らせ 保証契約番号" in notice.answer
    status = answer("町が受け付けたか確認したい", aya)
    assert status.item_id == "bot_status" and "提出状況 保証契約番号" in status.answer
    link = answer("アカウントを連携したい", aya)
    assert link.item_id == "bot_link"
    assert "連携 お客様ID" in link.answer and "確認コード 123456" in link.answer


def test_answer_json_has_exactly_the_documented_keys() -> None:
    reply = answer("電子保証とは", load_profile("aya"))
    assert isinstance(reply, Answer)
    assert set(reply.to_json()) == {"matched", "item_id", "score", "answer"}
    assert 0.0 <= reply.score <= 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.matched = False  # type: ignore[misc]


def test_index_is_cached_per_profile_and_reload_rebuilds() -> None:
    aya, city = load_profile("aya"), load_profile("sample-city")
    first = index_for(aya)
    assert index_for(aya) is first
    assert index_for(city) is not first
    reload()
    assert index_for(aya) is not first


def test_reading_seed_covers_every_title_and_keyword() -> None:
    missing = seed_texts("aya") - load_seed("aya").keys()
    assert not missing, f"stale seed, run: python -m hosho.core.qa.readings ({sorted(missing)[:5]})"
    assert dict(load_seed("aya")["電子保証"]) == {"電子": "デンシ", "保証": "ホショウ"}


def test_reading_cache_is_written_reused_and_optional(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = readings(["保証料計算書"])
    assert "".join(k for _, k in first["保証料計算書"]) == "ホショウリョウケイサンショ"
    assert list((tmp_path / "cache" / "hosho").glob("readings-*.json"))

    def broken(text: str) -> None:
        raise AssertionError("janome should not be needed: the cache has it")

    monkeypatch.setattr(qa_readings, "reading_tokens", broken)
    assert readings(["保証料計算書"]) == first
    monkeypatch.undo()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # the cache cannot be written
    assert readings(["電子証書"])["電子証書"] == [("電子", "デンシ"), ("証書", "ショウショ")]


# --- CLI ------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HOSHO_", "SLACK_"))}
    return {**clean, **extra}


def test_cli_ask_text_and_json(cli) -> None:  # type: ignore[no-untyped-def]
    plain = cli("ask", "認証キーの提出方法は？")
    assert plain.returncode == 0 and AYA_ADDRESS in plain.stdout
    as_json = cli("ask", "認証キーの提出方法は？", "--json")
    data = json.loads(as_json.stdout)
    assert set(data) == {"matched", "item_id", "score", "answer"}
    assert data["matched"] is True and data["item_id"] == "submission"


def test_cli_ask_uses_the_configured_municipality(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("ask", "認証キーの提出方法は？", "--json", env={"HOSHO_MUNICIPALITY": "sample-city"})
    assert "keiyaku@city.mihon.example.lg.jp" in json.loads(out.stdout)["answer"]


def test_cli_ask_without_question_is_one_line_error(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("ask")
    assert out.returncode == 1 and out.stderr.count("\n") == 1


def test_cli_jsonl_answers_each_line_as_it_arrives() -> None:
    proc = subprocess.Popen(
        ["hosho", "ask", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for question, matched in [("電子保証とは", True), ("おはようございます", False)]:
            proc.stdin.write(question + "\n")
            proc.stdin.flush()
            reply = json.loads(proc.stdout.readline())  # would hang without a flush per line
            assert reply["matched"] is matched
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()


def test_an_item_built_in_code_needs_no_profile_but_may_hold_no_placeholder() -> None:
    from pydantic import ValidationError

    from hosho.core.qa.knowledge import Item

    item = Item(id="x", title="題", answer="答え", questions=("質問",), keywords=("語",))
    assert item.answer == "答え" and item.questions == ("質問",)
    with pytest.raises(ValidationError, match="unknown placeholder"):
        Item(id="y", title="題", answer="{town}の窓口へ")


def test_a_clerk_s_self_introduction_is_courtesy_but_still_says_who_asks() -> None:
    text = "綾町財政課の山田です。電子証書の閲覧方法は？"
    assert strip_courtesy(text).strip("。 ") == "電子証書の閲覧方法は?"
    assert strip_courtesy("担当の佐藤と申します。D-Sureとは").strip("。 ") == "D-Sureとは"
    reply = answer(
        "お世話になります。綾町財政課の田中です。電子証書はどうやって閲覧しますか",
        load_profile("aya"),
    )
    assert reply.item_id == "dsure"  # the section said in the greeting: the town's side
