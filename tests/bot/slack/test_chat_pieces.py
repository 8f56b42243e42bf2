"""Small pieces of the chat front end: intents, Slack markup in and out, delivery claims,
Block Kit, the manifest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import hosho.bot.slack.app
from hosho.bot.slack.blocks import blocks_for, escape, fallback_text, parse_topic_value
from hosho.bot.slack.markup import plain_text
from hosho.core.chat.dedup import claim, forget_older_than
from hosho.core.chat.intents import Intent, parse
from hosho.core.chat.replies import Reply, UserRef
from hosho.core.store.db import get_engine
from hosho.core.store.models import utcnow


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("認証キー等のお知らせ ０１２３４５６７８９", Intent("notice", "0123456789")),
        ("認証キー等のお知らせを下さい（0000000001）", Intent("notice", "0000000001")),
        ("提出状況　0000000001", Intent("status", "0000000001")),
        ("提出状況", Intent("status", "")),
        ("連携 ｃ００００１", Intent("link", "C00001")),
        ("確認コード　１２３４５６", Intent("confirm", "123456")),
        ("ヘルプ", Intent("help")),
        ("/hosho lookup 1234", Intent("admin", "lookup 1234")),
        ("認証キーとは何ですか", Intent("question", "認証キーとは何ですか")),
        ("令和6年9月1日以降が対象ですか", Intent("question", "令和6年9月1日以降が対象ですか")),
    ],
)
def test_intents(text: str, intent: Intent) -> None:
    assert parse(text) == intent


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (
            "<@UBOT> 認証キー等のお知らせを下さい（0000000001）",
            "認証キー等のお知らせを下さい（0000000001）",
        ),
        ("<@UBOT>hosho stats", "hosho stats"),
        ("link <@ULURKER|lurker> C00001", "link ULURKER C00001"),
        ("hosho unlink <@W0LURKER>", "hosho unlink W0LURKER"),
        (
            "<!here> 質問 &lt;a&gt; &amp;amp; <https://example.jp|例> <#C1|general>",
            "質問 <a> &amp; 例 #general",
        ),
        ("<https://example.jp/x>", "https://example.jp/x"),
    ],
)
def test_slack_markup_reaches_core_as_plain_text(text: str, plain: str) -> None:
    assert plain_text(text, bot_user="UBOT") == plain


def test_a_mention_of_the_bot_is_not_part_of_the_intent() -> None:
    text = plain_text("<@UBOT> 提出状況 0000000001", bot_user="UBOT")
    assert parse(text) == Intent("status", "0000000001")
    assert parse(plain_text("<@UBOT> /hosho link <@U1|a> C1", bot_user="UBOT")) == Intent(
        "admin", "link U1 C1"
    )


def test_claim_once_then_forget(db_url: str) -> None:
    engine = get_engine(db_url)
    assert claim(engine, "slack:event:Ev1")
    assert not claim(engine, "slack:event:Ev1")
    assert forget_older_than(engine, timedelta(hours=1)) == 0
    assert forget_older_than(engine, timedelta(0), now=utcnow() + timedelta(seconds=1)) == 1
    assert claim(engine, "slack:event:Ev1")


def test_blocks_escape_text_render_users_and_carry_topics() -> None:
    parts = ("a < b & ", UserRef("U1"), " <@U2>")
    reply = Reply("fallback", "a < b & U1 <@U2>", suggestions=(("t1", "題"), ("t2", "題2")))
    blocks = blocks_for(Reply(reply.kind, reply.text, reply.suggestions, parts=parts))
    assert blocks[0]["text"]["text"] == "a &lt; b &amp; <@U1> &lt;@U2&gt;"
    assert blocks_for(reply)[0]["text"]["text"] == "a &lt; b &amp; U1 &lt;@U2&gt;"
    named = Reply.naming("admin", (UserRef("U1"), " を連携しました。"))
    assert named.text == "U1 を連携しました。" and fallback_text(named) == "<@U1> を連携しました。"
    buttons = blocks[-1]["elements"]
    assert [parse_topic_value(b["value"]) for b in buttons] == [("t1", "題"), ("t2", "題2")]
    assert escape("<!channel>") == "&lt;!channel&gt;"
    long = blocks_for(Reply("answer", "\n".join(["あ" * 1000] * 7)))
    assert len(long) >= 3 and all(len(b["text"]["text"]) <= 3000 for b in long)


def test_manifest_declares_what_the_app_uses() -> None:
    text = Path(hosho.bot.slack.app.__file__).with_name("manifest.yml").read_text(encoding="utf-8")
    wanted_scopes = {"chat:write", "commands", "im:history", "im:write", "files:write"}
    try:
        import yaml
    except ImportError:  # PyYAML is not a dependency: check the text instead
        for needle in (
            "- app_mention",
            "- message.im",
            "command: /hosho",
            "socket_mode_enabled: true",
        ):
            assert needle in text
        assert all(f"- {scope}" in text for scope in wanted_scopes)
        return
    manifest = yaml.safe_load(text)
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["socket_mode_enabled"] is True
    assert manifest["features"]["slash_commands"][0]["command"] == "/hosho"
    assert wanted_scopes <= set(manifest["oauth_config"]["scopes"]["bot"])
