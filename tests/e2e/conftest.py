"""Fixtures of the end-to-end tests: `hosho run` as a real process against a real Dovecot,
a real SMTP server (aiosmtpd), the fake Slack Web API over HTTP, SQLite or PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.fake_slack import BOT_TOKEN, FakeSlack
from tests.bot.payloads import SECRET
from tests.mailbox import dovecot as dovecot_module
from tests.servers import SmtpSink, free_port

ADMIN = "UADMIN"
STAFF_CHANNEL = "CSTAFF"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


class HoshoProcess:
    """One `hosho run` replica: the Slack Events API on ``port`` and the IMAP poller."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str) -> None:
        self.port = free_port()
        self.log = cwd / f"{name}.log"
        self.out = open(cwd / f"{name}.out", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                "hosho",
                "run",
                "--chat",
                "slack",
                "--http",
                str(self.port),
                "--host",
                "127.0.0.1",
                "--log-file",
                str(self.log),
            ],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"hosho run exited: {(cwd / f'{name}.out').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("hosho run did not listen")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        return self.proc.returncode


def run_env(
    db_url: str, dovecot: dovecot_module.Mailbox, slack: FakeSlack, smtp: SmtpSink
) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HOSHO_", "SLACK_"))}
    return {
        **base,
        **dovecot.env(),
        "HOSHO_DATABASE_URL": db_url,
        "HOSHO_POLL_SECONDS": "1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "HOSHO_SLACK_API_URL": slack.api_url,
        "HOSHO_ADMIN_USER_IDS": ADMIN,
        "HOSHO_STAFF_CHANNEL": STAFF_CHANNEL,
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_PORT": str(smtp.port),
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": "zaisei@town.aya.lg.jp",
    }
