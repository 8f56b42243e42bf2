"""``hosho run`` (MainJob) outlives a Slack that is down at start-up, and a second signal
while it stops is quiet."""

from __future__ import annotations

import mailbox
import signal
import time
from pathlib import Path

import pytest

from hosho.bot import main_job
from hosho.bot.main_job import MainJob, Shutdown
from hosho.core.submissions.listing import list_submissions
from tests.bot.fake_slack import BOT_TOKEN, FakeSlack
from tests.bot.payloads import SECRET
from tests.mailbox.conftest import use_env
from tests.mailbox.town import notice_message
from tests.servers import free_port


def test_slack_down_at_start_up_the_poller_runs_and_slack_is_retried(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_job, "SLACK_RETRY_FIRST", 0.2)
    port = free_port()  # nobody listens yet: auth.test fails at once
    mailbox.Maildir(tmp_path / "inbox", create=True).add(notice_message(1, subject="while down"))
    runtime = use_env(
        monkeypatch,
        {
            "HOSHO_MAILDIR": str(tmp_path / "inbox"),
            "HOSHO_POLL_SECONDS": "1",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "HOSHO_SLACK_API_URL": f"http://127.0.0.1:{port}/api/",
        },
    )
    job = MainJob(runtime, chat="slack", http_port=0, host="127.0.0.1")
    job.start()  # does not raise
    slack = None
    try:
        deadline = time.monotonic() + 30
        while not list_submissions(runtime.engine) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [r["subject"] for r in list_submissions(runtime.engine)] == ["while down"]
        assert job.slack is None
        slack = FakeSlack(port).start()  # Slack is back
        deadline = time.monotonic() + 30
        while job.slack is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert job.slack is not None and job.slack.port
        assert slack.named("auth.test")
    finally:
        job.stop()
        if slack is not None:
            slack.stop()
    assert job.slack is None


def test_a_second_signal_while_stopping_is_quiet(runtime) -> None:  # type: ignore[no-untyped-def]
    job = MainJob(runtime, chat="terminal")
    with pytest.raises(Shutdown):  # the first leaves the blocking read
        job._on_signal(signal.SIGINT, None)
    job._on_signal(signal.SIGINT, None)  # the second, during shutdown: nothing raised
    job._on_signal(signal.SIGTERM, None)
