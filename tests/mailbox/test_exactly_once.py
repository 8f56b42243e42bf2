"""Exactly once against a real Dovecot: two pollers at once, a crash between commit and
move followed by a UIDVALIDITY change, keyword mode, COPY+delete, oversize, restart."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlmodel import func, select

from hosho.core.store.db import session_scope
from hosho.core.store.models import DsureRegistration, Submission
from hosho.mailbox.imap_source import ImapSource
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.town import bulk, message
from tests.servers import closed_port

pytestmark = pytest.mark.imap


def poll_cmd() -> list[str]:
    return [sys.executable, "-m", "hosho.bot.cli", "poll", "--once"]


def child_env(dovecot, db_url: str, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSHO_")}
    env.update(dovecot.env(), HOSHO_DATABASE_URL=db_url, **extra)
    return env


def counts(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(rows, distinct message keys, D-Sure registrations)."""
    with session_scope(engine) as session:
        rows = session.exec(select(func.count()).select_from(Submission)).one()
        keys = session.exec(select(func.count(func.distinct(Submission.message_key)))).one()
        regs = session.exec(select(func.count()).select_from(DsureRegistration)).one()
    return int(rows), int(keys), int(regs)


def assert_all_done(dovecot, engine, total: int, contracts: int) -> None:  # type: ignore[no-untyped-def]
    rows, keys, regs = counts(engine)
    assert (rows, keys) == (total, total)
    assert regs == contracts
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("hosho/registered") == contracts
    assert dovecot.count("hosho/registered") + dovecot.count("hosho/rejected") == total
    with session_scope(engine) as session:
        registered = session.exec(
            select(func.count()).select_from(Submission).where(Submission.status == "registered")
        ).one()
    assert registered == contracts


def test_two_pollers_at_once(town, dovecot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    total, contracts = 400, 20
    for raw in bulk(total, contracts, "two"):
        dovecot.deliver(raw)
    env = child_env(dovecot, town)
    procs = [
        subprocess.Popen(poll_cmd(), env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    runtime = use_env(monkeypatch, dovecot.env())
    assert_all_done(dovecot, runtime.engine, total, contracts)


def test_crash_before_move_then_uidvalidity_change(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    total, contracts = 60, 10
    for raw in bulk(total, contracts, "uv"):
        dovecot.deliver(raw)
    runtime = use_env(monkeypatch, dovecot.env())
    first = Poller(runtime, mailer=None)
    first.source.finish = lambda done: None  # type: ignore[method-assign]  # "crash" before moving
    assert first.run_once().processed == total
    first.close()
    assert dovecot.count("INBOX") == total
    # A new UIDVALIDITY: drop Dovecot's UID list and indexes while it is down.
    dovecot.stop()
    for path in dovecot.maildir.iterdir():
        if path.name.startswith("dovecot"):
            path.unlink()
    time.sleep(1.1)  # UIDVALIDITY is a time stamp
    dovecot.start()
    second = Poller(runtime, mailer=None)
    stats = second.run_once()
    second.close()
    assert second.source.uidvalidity != first.source.uidvalidity  # type: ignore[attr-defined]
    assert stats.processed == 0 and stats.already == total
    assert_all_done(dovecot, runtime.engine, total, contracts)


def test_keyword_mode_leaves_messages(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for raw in bulk(30, 5, "kw"):
        dovecot.deliver(raw)
    runtime = use_env(monkeypatch, {**dovecot.env(), "HOSHO_IMAP_KEYWORD_ONLY": "1"})
    poller = Poller(runtime, mailer=None)
    assert poller.run_once().processed == 30
    assert poller.run_once().seen == 0  # flagged ones are not taken again
    client = dovecot.imap()
    client.select_folder("INBOX")
    assert len(client.search(["KEYWORD", "HoshoRegistered"])) == 5
    assert len(client.search(["KEYWORD", "HoshoRejected"])) == 25
    client.logout()
    poller.close()
    assert dovecot.count("INBOX") == 30
    assert counts(runtime.engine)[0] == 30


def test_copy_and_delete_without_move(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for raw in bulk(20, 4, "copy"):
        dovecot.deliver(raw)
    runtime = use_env(monkeypatch, dovecot.env())
    sent: list[str] = []
    real_copy, real_expunge = IMAPClient.copy, IMAPClient.uid_expunge

    def copy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append("COPY")
        return real_copy(self, *args, **kwargs)

    def uid_expunge(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append("UID EXPUNGE")
        return real_expunge(self, *args, **kwargs)

    def move(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("MOVE sent to a server without MOVE")

    monkeypatch.setattr(IMAPClient, "copy", copy)
    monkeypatch.setattr(IMAPClient, "uid_expunge", uid_expunge)
    monkeypatch.setattr(IMAPClient, "move", move)
    source = ImapSource(runtime.settings, runtime.engine)
    poller = Poller(runtime, source, mailer=None)
    source.open()
    source._can_move = False  # as on a server without MOVE
    poller._connected = True
    assert poller.run_once().processed == 20
    poller.close()
    # COPY, each followed by the expunge of the copied UIDs; never MOVE
    assert len(sent) >= 4 and sent == ["COPY", "UID EXPUNGE"] * (len(sent) // 2)
    assert_all_done(dovecot, runtime.engine, 20, 4)


def test_oversize_is_refused_without_download(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    big = message(
        subject="認証キー等のお知らせ（大きい添付）",
        attachments=[("big.pdf", b"%PDF-1.4\n" + os.urandom(400_000), "application/pdf")],
    )
    dovecot.deliver(big)
    # Only its headers are read, so an oversize mail is a submission by its subject alone:
    # this one (drawings for another procedure) is left in the inbox.
    other = message(
        subject="図面の送付",
        attachments=[("zumen.pdf", b"%PDF-1.4\n" + os.urandom(400_000), "application/pdf")],
    )
    dovecot.deliver(other)
    runtime = use_env(monkeypatch, {**dovecot.env(), "HOSHO_MAX_MESSAGE_MB": "0.2"})
    source = ImapSource(runtime.settings, runtime.engine)
    fetched_sizes: list[int] = []
    real_fetch = source.fetch

    def spy(items, max_bytes):  # type: ignore[no-untyped-def]
        got = real_fetch(items, max_bytes)
        fetched_sizes.extend(len(f.data) for f in got)
        return got

    source.fetch = spy  # type: ignore[method-assign]
    poller = Poller(runtime, source, mailer=None)
    poller.run_once()
    poller.close()
    assert fetched_sizes and max(fetched_sizes) < 5_000  # headers only
    with session_scope(runtime.engine) as session:
        rows = {r.status: r for r in session.exec(select(Submission)).all()}
    row = rows["unreadable"]
    assert "大きすぎる" in row.reason
    assert row.subject == "認証キー等のお知らせ（大きい添付）"
    assert rows["ignored"].subject == "図面の送付"
    assert dovecot.count("hosho/rejected") == 1
    assert dovecot.count("INBOX") == 1


def test_dovecot_restart_mid_run(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    total, contracts = 600, 20
    for raw in bulk(total, contracts, "restart"):
        dovecot.deliver(raw)
    runtime = use_env(monkeypatch, {**dovecot.env(), "HOSHO_POLL_SECONDS": "0.5"})
    poller = Poller(runtime, mailer=None, batch_messages=20)
    monkeypatch.setattr("hosho.mailbox.poller.BACKOFF_FIRST", 0.2)
    thread = poller.start_thread()
    try:
        deadline = time.monotonic() + 30
        while counts(runtime.engine)[0] < 50 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert counts(runtime.engine)[0] < total, "finished before the restart"
        dovecot.restart()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if counts(runtime.engine)[0] == total and dovecot.count("INBOX") == 0:
                break
            time.sleep(0.2)
    finally:
        poller.stop()
        thread.join(timeout=15)
    assert not thread.is_alive()
    assert_all_done(dovecot, runtime.engine, total, contracts)


def test_stop_ends_idle_quickly(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runtime = use_env(monkeypatch, dovecot.env())
    poller = Poller(runtime, mailer=None)
    thread = poller.start_thread()
    time.sleep(1.0)
    assert poller.source.supports_idle
    dovecot.deliver(bulk(1, 1, "idle")[0])  # IDLE wakes the poller
    deadline = time.monotonic() + 10
    while counts(runtime.engine)[0] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counts(runtime.engine)[0] == 1
    started = time.monotonic()
    poller.stop()
    thread.join(timeout=5)
    assert not thread.is_alive() and time.monotonic() - started < 3


def test_wrong_password_and_no_server_are_one_line_errors(town, private_dovecot, cli) -> None:  # type: ignore[no-untyped-def]
    server = private_dovecot  # a failed login slows the next logins from 127.0.0.1
    done = cli("poll", "--once", env={**server.env(), "HOSHO_IMAP_PASSWORD": "wrong"})
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "IMAP imap://town@" in done.stderr
    with closed_port() as nobody:  # no server listens there
        env = {**server.env(), "HOSHO_IMAP_PORT": str(nobody), "HOSHO_IMAP_TIMEOUT": "2"}
        done = cli("poll", "--once", env=env)
    assert done.returncode == 1 and "ConnectionRefusedError" in done.stderr


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_with_certificate_checks(town, dovecot, cli, security: str) -> None:  # type: ignore[no-untyped-def]
    if not dovecot.ssl_port:
        from tests.conftest import require_or_skip

        require_or_skip("openssl is needed for the TLS test (a self-signed certificate)")
    for raw in bulk(5, 2, f"tls-{security}"):
        dovecot.deliver(raw)
    port = dovecot.ssl_port if security == "ssl" else dovecot.port
    env = {**dovecot.env(), "HOSHO_IMAP_SECURITY": security, "HOSHO_IMAP_PORT": str(port)}
    untrusted = cli("poll", "--once", env=env)
    assert untrusted.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
    done = cli("poll", "--once", env={**env, "SSL_CERT_FILE": str(dovecot.cert)})  # trusted
    assert done.returncode == 0, done.stderr
    assert dovecot.count("INBOX") == 0 and dovecot.count("hosho/registered") == 2


def test_idle_is_renewed(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("hosho.mailbox.imap_source.IDLE_RENEW", 1.0)  # 9 minutes in real life
    runtime = use_env(monkeypatch, dovecot.env())
    calls = {"open": 0, "wait": 0}
    for name in calls:
        real = getattr(ImapSource, name)

        def spy(self, *args, _real=real, _name=name):  # type: ignore[no-untyped-def]
            calls[_name] += 1
            return _real(self, *args)

        monkeypatch.setattr(ImapSource, name, spy)
    poller = Poller(runtime, mailer=None)
    thread = poller.start_thread()
    try:
        # Several IDLE renewals (a renewal a second; the first pass may be slow on a busy
        # machine, so wait for them rather than for a fixed time).
        deadline = time.monotonic() + 20
        while calls["wait"] < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert calls["wait"] >= 3 and calls["open"] == 1  # renewed, never reconnected
        dovecot.deliver(bulk(1, 1, "renew")[0])
        deadline = time.monotonic() + 10
        while counts(runtime.engine)[0] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert counts(runtime.engine)[0] == 1
    finally:
        poller.stop()
        thread.join(timeout=5)
    assert not thread.is_alive()
