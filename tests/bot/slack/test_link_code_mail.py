"""Linking by code with the real mail path: the code goes out over SMTP (aiosmtpd on
loopback) through ``hosho.mailbox.outgoing``, the same way ``hosho bot``/``chat`` send it."""

from __future__ import annotations

import email
import re
import socket
from email import policy

import pytest

from hosho.bot.conversation import SLACK, build_conversation
from hosho.core.runtime import Runtime
from hosho.core.settings import get_settings
from tests.bot.payloads import LURKER, MINE

pytestmark = pytest.mark.smtp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_link_code_by_smtp(chat_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("hosho.mailbox.outgoing", reason="the mail front end is absent")
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Keep(Sink):
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            self.messages.append(envelope.content)
            return "250 OK"

    handler = Keep()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for name, value in {
            "HOSHO_SMTP_HOST": "127.0.0.1",
            "HOSHO_SMTP_PORT": str(port),
            "HOSHO_SMTP_SECURITY": "none",
            "HOSHO_MAIL_FROM": "hosho@town.example.jp",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        chat = build_conversation(Runtime.open(get_settings()), SLACK)
        assert chat.send_mail is not None
        chat.handle(LURKER, "連携 C00001")
        [raw] = handler.messages
        message = email.message_from_bytes(raw, policy=policy.default)
        assert "info1@aya-kensetsu.example.jp" in str(message["To"])
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        match = re.search(r"確認コード: (\d{6})", body.get_content())
        assert match
        [done] = chat.handle(LURKER, f"確認コード {match.group(1)}")
        assert done.text.startswith("連携しました")
        assert chat.handle(LURKER, f"認証キー等のお知らせ {MINE}")[0].kind == "notice"
    finally:
        controller.stop()
