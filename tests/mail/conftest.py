"""Fixtures of the mail tests: a real Dovecot on loopback, a real SMTP server (aiosmtpd),
and a town database (SQLite, and PostgreSQL when HOSHO_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hosho.core.contracts import import_contracts
from hosho.core.db import get_engine
from hosho.core.runtime import Runtime
from hosho.core.settings import get_settings
from tests.conftest import require_or_skip
from tests.mail import dovecot as dovecot_module
from tests.mail.town import contracts_csv

CONTRACTS = 40


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[dovecot_module.Dovecot]:
    """A private Dovecot with user ``town``; skipped (or failed in CI) without dovecot."""
    if not dovecot_module.available():
        require_or_skip(
            f"{dovecot_module.DOVECOT} is not installed (apt-get install dovecot-imapd)"
        )
    server = dovecot_module.Dovecot()  # under /tmp: pytest's tmp_path is private to root
    server.start()
    yield server
    server.cleanup()


@dataclass
class SmtpSink:
    """What the SMTP server received: (envelope sender, recipients, content bytes)."""

    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        require_or_skip("aiosmtpd is not installed (pip install -e '.[test]')")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    sink = SmtpSink(port)

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def town(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The database with contracts 1..CONTRACTS and the special ones; HOSHO_DATABASE_URL set."""
    monkeypatch.setenv("HOSHO_DATABASE_URL", db_url)
    get_settings.cache_clear()
    import_contracts(get_engine(db_url), contracts_csv(CONTRACTS), actor="test")
    return db_url


def use_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> Runtime:
    """Set settings in the environment and open a runtime on them."""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return Runtime.open(get_settings())
