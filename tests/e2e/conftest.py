"""Fixtures of the end-to-end tests: `hosho run` as a real process against a real Dovecot,
a real SMTP server (aiosmtpd), the fake Slack Web API over HTTP, SQLite or PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.chat.fake_slack import BOT_TOKEN, FakeSlack
from tests.chat.payloads import SECRET
from tests.conftest import require_or_skip
from tests.mail import dovecot as dovecot_module

ADMIN = "UADMIN"
STAFF_CHANNEL = "CSTAFF"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpSink:
    """What the SMTP server received: (envelope sender, recipients, content bytes)."""

    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    def wait(self, count: int, timeout: float = 30.0) -> list[tuple[str, list[str], bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} replies arrived"
        return self.messages


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that keeps every message."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink(free_port())

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def dovecot() -> Iterator[dovecot_module.Dovecot]:
    if not dovecot_module.available():
        require_or_skip(
            f"{dovecot_module.DOVECOT} is not installed (apt-get install dovecot-imapd)"
        )
    server = dovecot_module.Dovecot()
    server.start()
    yield server
    server.cleanup()


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
    db_url: str, dovecot: dovecot_module.Dovecot, slack: FakeSlack, smtp: SmtpSink
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
