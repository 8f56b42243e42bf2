"""HOSHO_SMTP_TIMEOUT is the SMTP socket timeout (it used to borrow HOSHO_IMAP_TIMEOUT)."""

from __future__ import annotations

import socket
import time

import pytest

from hosho.mailbox.errors import MailError
from hosho.mailbox.outgoing import mailer_from_settings
from tests.mailbox.conftest import set_env


def test_a_server_that_never_greets_times_out_after_hosho_smtp_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as silent:  # accepts (backlog), never says 220
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings = set_env(
            monkeypatch,
            {
                "HOSHO_SMTP_HOST": "127.0.0.1",
                "HOSHO_SMTP_PORT": str(silent.getsockname()[1]),
                "HOSHO_SMTP_SECURITY": "none",
                "HOSHO_SMTP_TIMEOUT": "1",
                "HOSHO_IMAP_TIMEOUT": "120",
            },
        )
        mailer = mailer_from_settings(settings)
        assert mailer is not None and mailer.timeout == 1
        started = time.monotonic()
        with pytest.raises(MailError, match="timed out"):
            mailer.send("a@example.jp", "s", "b")
        assert time.monotonic() - started < 60  # not the IMAP timeout's 120 s
