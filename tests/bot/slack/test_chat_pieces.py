"""Small pieces of the chat front end: intents, delivery claims, Block Kit, the manifest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import hosho.bot.slack.app
from hosho.bot.slack.blocks import blocks_for, escape, parse_topic_value
from hosho.core.chat.dedup import claim, forget_older_than
from hosho.core.chat.intents import Intent, parse
from hosho.core.chat.replies import Reply
from hosho.core.store.db import get_engine
from hosho.core.store.models import utcnow


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("認証キー等のお知らせ ０１２３４５６７８９", Intent("notice", "0123456789")),
        ("<@UBOT> 認証キー等のお知らせを下さい（0000000001）", Intent("notice", "0000000001")),
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


def test_claim_once_then_forget(db_url: str) -> None:
    engine = get_engine(db_url)
    assert claim(engine, "slack:event:Ev1")
    assert not claim(engine, "slack:event:Ev1")
    assert forget_older_than(engine, timedelta(hours=1)) == 0
    assert forget_older_than(engine, timedelta(0), now=utcnow() + timedelta(seconds=1)) == 1
    assert claim(engine, "slack:event:Ev1")


def test_blocks_escape_text_and_carry_topics() -> None:
    reply = Reply("fallback", "a < b & <@U1>", suggestions=(("t1", "題"), ("t2", "題2")))
    blocks = blocks_for(reply)
    assert blocks[0]["text"]["text"] == "a &lt; b &amp; <@U1>"
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
