"""One bad message never stops intake: a message whose recording fails (a fault injected
into record_batch for that message alone) is noted, left for the next pass while the
others are recorded and moved, and set aside in hosho/error after MAX_TRIES passes."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from hosho.core.submissions import failures
from hosho.core.submissions.listing import list_submissions
from hosho.mailbox import poller as poller_module
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.town import notice_message

real_record_batch = poller_module.record_batch


def _poison_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def record_batch(engine, examined, profile, **kw):  # type: ignore[no-untyped-def]
        if any(mail.subject == "poison" for mail, _ in examined):
            raise ValueError("cannot record this one")
        return real_record_batch(engine, examined, profile, **kw)

    monkeypatch.setattr(poller_module, "record_batch", record_batch)


def _subjects(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r["subject"] for r in list_submissions(runtime.engine))


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
        assert _subjects(runtime) == ["after", "before"]
        (failure,) = failures.failures(runtime.engine)
        assert failure.tries == n and "cannot record this one" in failure.last_error
        left = len(box)
        assert left == (1 if n < failures.MAX_TRIES else 0)
    assert failure.shunted_at is not None
    shunted = list((tmp_path / "inbox" / ".hosho.error" / "cur").iterdir())
    assert len(shunted) == 1 and b"poison" in shunted[0].read_bytes()


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
        assert _subjects(runtime) == ["after", "before"]
        assert dovecot.count("INBOX") == (1 if n < failures.MAX_TRIES else 0)
    assert dovecot.count("hosho/registered") == 2
    (moved,) = dovecot.messages("hosho/error")
    assert b"poison" in moved
