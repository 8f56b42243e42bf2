"""Real servers for the tests that need them, as pytest fixtures (loaded by tests/conftest.py):
a private Dovecot IMAP server (one per run, a fresh mailbox per test) and an SMTP server
(aiosmtpd), both on loopback."""

from __future__ import annotations

import asyncio
import email
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy

import pytest

from tests.conftest import require_or_skip
from tests.mailbox import dovecot as dovecot_module
from tests.mailbox.dovecot import free_port

__all__ = ["SmtpSink", "dovecot", "dovecot_server", "free_port", "private_dovecot", "smtp"]


def _require_dovecot() -> None:
    if not dovecot_module.available():
        require_or_skip(
            f"{dovecot_module.DOVECOT} is not installed (apt-get install dovecot-imapd)"
        )


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[dovecot_module.Dovecot]:
    """One Dovecot for the whole run (IMAP, and IMAPS/STARTTLS with a self-signed
    certificate); skipped (or failed in CI) without dovecot."""
    _require_dovecot()
    tls = shutil.which("openssl") is not None  # the TLS tests need it
    server = dovecot_module.Dovecot(tls=tls)  # under /tmp: pytest's tmp_path is private to root
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
def dovecot(dovecot_server: dovecot_module.Dovecot) -> Iterator[dovecot_module.Mailbox]:
    """A fresh user with an empty INBOX on the run's Dovecot. A test may stop or restart the
    server (``stop``, ``start``, ``restart``): it is running again for the next test."""
    if not dovecot_server.listening():
        dovecot_server.start()
    mailbox = dovecot_server.add_user()
    yield mailbox
    if not dovecot_server.listening():
        dovecot_server.start()
    mailbox.remove()


@pytest.fixture
def private_dovecot() -> Iterator[dovecot_module.Dovecot]:
    """A Dovecot of the test's own (user ``town``), for a test that leaves the server in a
    state the next test must not see (a failed login delays the next ones from the address)."""
    _require_dovecot()
    server = dovecot_module.Dovecot()
    server.start()
    yield server
    server.cleanup()


@dataclass
class SmtpSink:
    """What the SMTP server received: (envelope sender, recipients, content bytes)."""

    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    def wait(self, count: int, timeout: float = 30.0) -> list[tuple[str, list[str], bytes]]:
        """The messages, once at least ``count`` have arrived."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"
        return self.messages

    def texts(self) -> list[tuple[str, str, str]]:
        """(first recipient, subject, plain text) of every message received."""
        out = []
        for _, rcpt, content in self.messages:
            mail = email.message_from_bytes(content, policy=policy.default)
            body = mail.get_body(("plain",))
            assert body is not None
            out.append((rcpt[0], str(mail["Subject"]), body.get_content()))
        return out


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where nothing listens, for as long as the block runs: it is held
    bound but not listening, so a connection is refused, and no server another test starts
    meanwhile (the tests run on several workers) can take it, as it could a ``free_port``."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


@contextmanager
def smtp_server(delay: float = 0.0) -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message as it arrives,
    then waits ``delay`` seconds before it says 250 (a slow server, or one that stalls)."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        require_or_skip("aiosmtpd is not installed (pip install -e '.[test]')")
    sink = SmtpSink(free_port())

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            if delay:
                await asyncio.sleep(delay)
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop(no_assert=bool(delay))  # a client killed mid-send leaves a task


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message."""
    with smtp_server() as sink:
        yield sink
