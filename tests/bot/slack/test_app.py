"""The Slack app through its real entry point (``app.dispatch`` of signed requests) against
the fake Web API: Q&A, the notice upload, authorization, retries, mentions, buttons."""

from __future__ import annotations

import json
import threading
import time

from slack_bolt import App

from hosho.bot.slack.app import create_app
from hosho.bot.slack.chat import SlackChat
from hosho.core.chat.conversation import REFUSAL
from hosho.core.runtime import Runtime
from tests.bot.fake_slack import FakeSlack
from tests.bot.payloads import (
    LURKER,
    MINE,
    OTHER,
    OWNER,
    THEIRS,
    UNKNOWN,
    action_request,
    event_request,
    mention_event,
    message_event,
)

QUESTION = "綾町では認証キーをどうやって提出すればいいですか"


def settle(seconds: float = 0.4) -> None:
    """Give lazy listeners (other threads) time to do something they should not."""
    time.sleep(seconds)


def test_question_gets_the_answer_with_topic_buttons(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    response = app.dispatch(event_request(message_event(OWNER, QUESTION)))
    assert response.status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "DOWNER"
    assert "zaisei@town.aya.lg.jp" in post.args["text"]
    kinds = [b["type"] for b in post.args["blocks"]]
    assert kinds[0] == "section" and kinds[-1] == "actions" and kinds.count("actions") == 1
    buttons = post.args["blocks"][-1]["elements"]
    assert 1 <= len(buttons) <= 3
    assert all(json.loads(b["value"])["id"] for b in buttons)


def test_unknown_question_gets_fallback_with_contact(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    app.dispatch(event_request(message_event(LURKER, "明日の天気を教えて")))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert "分かりません" in post.args["text"]
    assert "zaisei@town.aya.lg.jp" in post.args["text"]


def test_owner_gets_notice_pdf_in_dm_with_full_width_digits(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    wide = MINE.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = app.dispatch(event_request(message_event(OWNER, f"認証キー等のお知らせ {wide}")))
    assert response.status == 200
    [done] = fake_slack.wait_for("files.completeUploadExternal")
    [opened] = fake_slack.named("conversations.open")
    assert opened.args["users"] == OWNER
    [upload] = fake_slack.named("file.upload")
    assert upload.args["data"].startswith(b"%PDF")
    assert done.args["channel_id"] == "DOWNER"
    comment = done.args["initial_comment"]
    assert "zaisei@town.aya.lg.jp" in comment and "STEP3" in comment
    assert MINE in json.loads(done.args["files"])[0]["title"]
    assert upload.args["size"] > 1000
    assert not fake_slack.named("chat.postMessage")


def test_refusal_is_identical_for_stranger_other_contractor_and_unknown_number(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    cases = [
        (LURKER, f"認証キー等のお知らせ {MINE}"),  # not linked at all
        (OTHER, f"認証キー等のお知らせ {MINE}"),  # someone else's contract
        (OWNER, f"認証キー等のお知らせ {UNKNOWN}"),  # a number that does not exist
        (OTHER, f"提出状況 {MINE}"),
        (OWNER, f"提出状況 {UNKNOWN}"),
        (LURKER, f"提出状況 {THEIRS}"),
    ]
    for user, text in cases:
        app.dispatch(event_request(message_event(user, text)))
    posts = fake_slack.wait_for("chat.postMessage", len(cases))
    texts = {p.args["text"] for p in posts}
    assert texts == {REFUSAL}
    blocks = {json.dumps(p.args["blocks"], sort_keys=True) for p in posts}
    assert len(blocks) == 1
    settle()
    assert not fake_slack.named("files.getUploadURLExternal")


def test_status_for_the_owner(slack_app: tuple[App, SlackChat], fake_slack: FakeSlack) -> None:
    app, _ = slack_app
    app.dispatch(event_request(message_event(OWNER, f"提出状況　{MINE}")))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert "未提出" in post.args["text"] and MINE in post.args["text"]


def test_retried_delivery_never_replies_twice(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    payload = message_event(OWNER, f"認証キー等のお知らせ {MINE}")
    assert app.dispatch(event_request(payload)).status == 200
    assert app.dispatch(event_request(payload, retry=1)).status == 200
    fake_slack.wait_for("files.completeUploadExternal")
    assert app.dispatch(event_request(payload, retry=2)).status == 200
    settle(0.8)
    assert len(fake_slack.named("files.completeUploadExternal")) == 1
    assert len(fake_slack.named("file.upload")) == 1


def test_same_event_on_two_replicas_is_answered_once(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    first, _ = create_app(runtime)
    second, _ = create_app(Runtime.open(runtime.settings))
    payload = message_event(OWNER, QUESTION)
    first.dispatch(event_request(payload))
    second.dispatch(event_request(payload, retry=1))
    fake_slack.wait_for("chat.postMessage")
    settle(0.8)
    assert len(fake_slack.named("chat.postMessage")) == 1


def test_ack_comes_before_the_slow_work(runtime: Runtime, fake_slack: FakeSlack) -> None:
    app, chat = create_app(runtime)

    released, rendered = threading.Event(), threading.Event()

    def slow_render(*_: object) -> bytes:
        released.wait(10)  # held until the ack is back (an ack that waited would take 10 s)
        rendered.set()
        return b"%PDF-1.4 slow"

    chat.conversation.render_notice = slow_render
    response = app.dispatch(event_request(message_event(OWNER, f"認証キー等のお知らせ {MINE}")))
    acked_before_render = not rendered.is_set()
    released.set()
    assert response.status == 200 and acked_before_render
    fake_slack.wait_for("files.completeUploadExternal")
    assert rendered.is_set()


def test_mention_in_channel_sends_notice_to_dm_only(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    app.dispatch(event_request(mention_event(OWNER, f"認証キー等のお知らせ {MINE}")))
    [done] = fake_slack.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == "DOWNER"
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "CPUBLIC" and "DM" in post.args["text"]
    assert "thread_ts" in post.args


def test_mention_question_is_answered_in_thread(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    payload = mention_event(LURKER, QUESTION)
    app.dispatch(event_request(payload))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "CPUBLIC"
    assert post.args["thread_ts"] == payload["event"]["ts"]


def test_bot_messages_and_edits_are_ignored(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    app.dispatch(event_request(message_event(OWNER, QUESTION, bot_id="BBOT")))
    app.dispatch(event_request(message_event(OWNER, QUESTION, subtype="message_changed")))
    settle()
    assert not fake_slack.named("chat.postMessage")


def test_topic_button_posts_that_topic(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    value = json.dumps({"id": "submission_method", "t": "綾町への認証キーの提出方法"})
    assert app.dispatch(action_request(OWNER, value)).status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "DOWNER"
    assert "zaisei@town.aya.lg.jp" in post.args["text"]


def test_bad_or_stale_signature_is_401(slack_app: tuple[App, SlackChat]) -> None:
    app, _ = slack_app
    payload = message_event(OWNER, QUESTION)
    assert app.dispatch(event_request(payload, secret="wrong")).status == 401
    assert app.dispatch(event_request(payload, age=600)).status == 401
