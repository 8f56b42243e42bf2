"""One bad message never stops intake: a message whose recording fails (a fault injected
into record_batch for that message alone) is noted, left for the next pass while the
others are recorded and moved, and set aside in hosho/error after MAX_TRIES passes. Set
aside, it is shown to staff: an ``error`` row in ``submissions list --status error`` and a
staff message saying where, never with a key, and no reply to the sender."""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
from pathlib import Path

import pytest

from hosho.core.store.db import get_engine
from hosho.core.submissions import failures
from hosho.core.submissions.listing import list_submissions
from hosho.mailbox import poller as poller_module
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.town import SENDER, TOWN, all_keys, notice_message

real_record_batch = poller_module.record_batch


def _poison_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def record_batch(engine, examined, profile, **kw):  # type: ignore[no-untyped-def]
        if any("poison" in mail.subject for mail, _ in examined):
            raise ValueError("cannot record this one")
        return real_record_batch(engine, examined, profile, **kw)

    monkeypatch.setattr(poller_module, "record_batch", record_batch)


def _subjects(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r["subject"] for r in list_submissions(runtime.engine))


def _set_aside(runtime, place: str) -> dict:  # type: ignore[no-untyped-def]
    """The one ``error`` row of the message set aside, which says where it went."""
    (row,) = list_submissions(runtime.engine, "error")
    assert row["id"] is not None and row["status"] == "error"
    assert place in row["reason"] and "取り分けました" in row["reason"]
    return row


def test_maildir_poison_is_retried_then_shunted(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_fails(monkeypatch)
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    box.add(notice_message(1, subject="before"))
    box.add(notice_message(2, subject="poison"))
    box.add(notice_message(3, subject="after"))
    for n in range(1, failures.MAX_TRIES + 1):
        poller = Poller(runtime, mailer=None, commit_every=50)
        try:
            stats = poller.run_once()  # never raises
        finally:
            poller.close()
        assert stats.failed == 1
        (failure,) = failures.failures(runtime.engine)
        assert failure.tries == n and "cannot record this one" in failure.last_error
        left = len(box)
        assert left == (1 if n < failures.MAX_TRIES else 0)
        if n < failures.MAX_TRIES:  # still to be tried: not shown as an error yet
            assert _subjects(runtime) == ["after", "before"]
            assert list_submissions(runtime.engine, "error") == []
    assert failure.shunted_at is not None
    shunted = list((tmp_path / "inbox" / ".hosho.error" / "cur").iterdir())
    assert len(shunted) == 1 and b"poison" in shunted[0].read_bytes()
    assert _subjects(runtime) == ["after", "before", "poison"]
    _set_aside(runtime, ".hosho.error")


@pytest.mark.imap
def test_imap_poison_is_retried_then_moved_to_hosho_error(  # type: ignore[no-untyped-def]
    town, dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_fails(monkeypatch)
    dovecot.append(
        [
            notice_message(1, subject="before"),
            notice_message(2, subject="poison"),
            notice_message(3, subject="after"),
        ]
    )
    runtime = use_env(monkeypatch, dovecot.env())
    for n in range(1, failures.MAX_TRIES + 1):
        poller = Poller(runtime, mailer=None)
        try:
            stats = poller.run_once()
        finally:
            poller.close()
        assert stats.failed == 1
        assert dovecot.count("INBOX") == (1 if n < failures.MAX_TRIES else 0)
    assert dovecot.count("hosho/registered") == 2
    (moved,) = dovecot.messages("hosho/error")
    assert b"poison" in moved
    assert _subjects(runtime) == ["after", "before", "poison"]
    row = _set_aside(runtime, "hosho/error")
    assert row["sender"] == SENDER
    # The next passes leave it where it is and list it once.
    poller = Poller(runtime, mailer=None)
    try:
        assert poller.run_once().failed == 0
    finally:
        poller.close()
    assert dovecot.count("hosho/error") == 1 and len(list_submissions(runtime.engine, "error")) == 1


STAFF = "kanri@town.aya.lg.jp"
KEY = "SH2K-TJJD-Q45B-Q7HN"


@pytest.mark.smtp
def test_set_aside_is_listed_and_told_to_staff_by_mail_never_the_key(  # type: ignore[no-untyped-def]
    town, smtp, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_fails(monkeypatch)
    env = {
        "HOSHO_MAILDIR": str(tmp_path / "inbox"),
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_PORT": str(smtp.port),
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": TOWN,
        "HOSHO_STAFF_EMAIL": STAFF,
    }
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    box.add(notice_message(2, subject=f"poison 認証キー {KEY} を送ります"))
    for _ in range(failures.MAX_TRIES):
        assert cli("poll", "--once", env=env).returncode == 0
    assert len(box) == 0
    listed = cli("submissions", "list", "--status", "error", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "error" and ".hosho.error" in row["reason"]
    assert "poison" in row["subject"] and KEY not in listed.stdout
    text = cli("submissions", "list", "--status", "error", env=env).stdout
    assert "poison" in text and "error" in text
    shown = cli("submissions", "show", str(row["id"]), env=env).stdout
    assert "no_reply: 記録できずに取り分けた" in shown
    (told,) = smtp.wait(1)  # the staff mail, and no reply to the sender
    assert told[1] == [STAFF]
    mail = email.message_from_bytes(told[2], policy=email.policy.default)
    body = mail.get_content()  # type: ignore[attr-defined]
    assert "(error)" in body and ".hosho.error" in body and "取り分けました" in body
    everything = told[2].decode("utf-8", "replace") + body
    assert not any(key in everything for key in [KEY, *all_keys(3)])
    assert KEY.replace("-", "") not in everything


def test_a_row_that_cannot_be_written_falls_back_to_a_bare_one_then_to_the_failure(  # type: ignore[no-untyped-def]
    town, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_fails(monkeypatch)
    real_row = failures._error_row
    broken: set[bool] = {False}  # which rows (bare or not) cannot be written

    def error_row(mail, key, place, tries, *, bare):  # type: ignore[no-untyped-def]
        if bare in broken:
            raise ValueError("cannot write this row either")
        return real_row(mail, key, place, tries, bare=bare)

    monkeypatch.setattr(failures, "_error_row", error_row)
    env = {"HOSHO_MAILDIR": str(tmp_path / "inbox")}
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    box.add(notice_message(1, subject="poison one"))
    for _ in range(failures.MAX_TRIES):
        assert cli("poll", "--once", env=env).returncode == 0
    (bare,) = json.loads(cli("submissions", "list", "--status", "error", "--json", env=env).stdout)
    assert bare["id"] is not None and bare["sender"] == "" and bare["subject"] == ""
    assert ".hosho.error" in bare["reason"]

    broken.add(True)  # now no row at all: the failure row alone lists it
    box.add(notice_message(2, subject="poison two"))
    for _ in range(failures.MAX_TRIES):
        assert cli("poll", "--once", env=env).returncode == 0
    assert len(box) == 0
    listed = cli("submissions", "list", "--status", "error", "--json", env=env)
    first, second = json.loads(listed.stdout)
    assert first == bare
    assert second["id"] is None and isinstance(second["mail_failure"], int)
    assert second["status"] == "error" and "hosho/error" in second["reason"]
    text = cli("submissions", "list", "--status", "error", env=env)
    assert text.returncode == 0 and f"mailfailure #{second['mail_failure']}" in text.stdout
    # Not in the list of every submission (it has no row), and its failure says shunted.
    assert [r["subject"] for r in list_submissions(get_engine(town))] == [""]
    assert all(f.shunted_at is not None for f in failures.failures(get_engine(town)))
