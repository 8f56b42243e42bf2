"""Staff messages owed before the Slack app started are posted when it starts: mails
recorded by an earlier ``hosho poll`` and mails waiting when ``hosho run --chat slack``
starts (its poller runs before the Slack app is connected) give one staff post each; the
messages wait in the outbox, not in memory."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from hosho.bot.main_job import MainJob
from hosho.core.submissions import outbox
from hosho.mailbox.poller import Poller
from tests.bot.fake_slack import BOT_TOKEN, FakeSlack
from tests.bot.payloads import SECRET
from tests.mailbox.conftest import use_env
from tests.mailbox.town import notice_message, number

WAITING = 20


def test_messages_owed_before_the_start_are_posted(  # type: ignore[no-untyped-def]
    town, fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    for n in range(1, WAITING + 1):
        inbox.add(notice_message(n, subject=f"提出{n}"))
    runtime = use_env(
        monkeypatch,
        {
            "HOSHO_MAILDIR": str(tmp_path / "inbox"),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "HOSHO_SLACK_API_URL": fake_slack.api_url,
            "HOSHO_STAFF_CHANNEL": "CSTAFF",
        },
    )
    earlier = Poller(runtime, mailer=None)  # `hosho poll` while no Slack app runs
    try:
        earlier.run_once()
    finally:
        earlier.close()
    for n in range(WAITING + 1, 2 * WAITING + 1):  # waiting when `hosho run` starts
        inbox.add(notice_message(n, subject=f"提出{n}"))
    job = MainJob(runtime, chat="slack", http_port=0, host="127.0.0.1")
    job.start()
    try:
        posts = fake_slack.wait_for("chat.postMessage", 2 * WAITING, timeout=60)
    finally:
        job.stop()
    assert len(fake_slack.named("chat.postMessage")) == 2 * WAITING
    assert {p.args["channel"] for p in posts} == {"CSTAFF"}
    for n in range(1, 2 * WAITING + 1):
        assert sum(number(n) in p.args["text"] for p in posts) == 1
    assert outbox.pending(runtime.engine) == 0
