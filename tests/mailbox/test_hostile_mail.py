"""Mail written to hurt: a key typed into the subject is never echoed (reply, staff
message, ``submissions list``); a subject that looks like Slack markup pings nobody."""

from __future__ import annotations

import email
import json
import mailbox
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hosho.bot.slack.staff import staff_text
from hosho.core.events import SubmissionEvent, subscribe
from hosho.core.store.db import get_engine
from hosho.core.store.models import Submission
from hosho.core.submissions.listing import list_submissions
from hosho.core.submissions.staff_actions import show
from hosho.core.submissions.staff_note import plain_staff_text
from hosho.mailbox.maildir_source import MaildirSource
from hosho.mailbox.outgoing import Mailer
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.town import message, notice, notice_message

KEY_IN_SUBJECT = "認証キー SH2K-TJJD-Q45B-Q7HN を送ります <@U0MAYOR> & co"


@pytest.mark.smtp
def test_a_key_in_the_subject_is_masked_everywhere_it_is_shown(  # type: ignore[no-untyped-def]
    town, smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    mailbox.Maildir(tmp_path / "inbox", create=True).add(
        message(
            subject=KEY_IN_SUBJECT,
            sender="SH2KTJJDQ45BQ7HN@aya-kensetsu.example.jp",
            attachments=[("SH2K-TJJD-Q45B-Q7HN.pdf", notice(1), "application/pdf")],
        )
    )
    events: list[SubmissionEvent] = []
    unsubscribe = subscribe(events.append)
    poller = Poller(
        runtime,
        MaildirSource(tmp_path / "inbox"),
        mailer=Mailer("127.0.0.1", port=smtp.port, security="none"),
    )
    try:
        poller.run_once()
    finally:
        poller.close()
        unsubscribe()
    (sent,) = smtp.wait(1)
    reply = email.message_from_bytes(sent[2], policy=policy.default)
    body = reply.get_body().get_content()  # type: ignore[union-attr]
    (row,) = list_submissions(runtime.engine)
    (event,) = events
    with Session(runtime.engine) as session:
        ident = session.exec(select(Submission.id)).one()
    assert ident is not None
    (kept,) = show(runtime.engine, ident)["files"]  # `hosho submissions show`
    shown = [str(row), plain_staff_text(event), staff_text(event), kept["filename"]]
    for text in [body, *shown]:  # the reply quotes nothing the sender wrote
        assert "SH2K" not in text and "Q7HN" not in text and "SH2KTJJD" not in text, text
    for text in shown:
        assert "[認証キー省略]" in text
    assert sent[1] == ["SH2KTJJDQ45BQ7HN@aya-kensetsu.example.jp"]  # answered where it came from
    slack = staff_text(event)
    assert "<@U0MAYOR>" not in slack and "&lt;@U0MAYOR&gt; &amp; co" in slack


def test_a_poisoned_maildir_is_shunted_and_the_good_mail_goes_on(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, cli
) -> None:
    inbox = tmp_path / "var" / "inbox"
    inbox.parent.mkdir()
    box = mailbox.Maildir(inbox, create=True)
    box.add(notice_message(1, subject="good"))
    (inbox / "new" / "0000.poison").symlink_to("/proc/self/mem")
    (inbox / "new" / "0001.outside").symlink_to(tmp_path / "secret.eml")
    (tmp_path / "secret.eml").write_bytes(notice_message(2, subject="outside"))
    os.mkfifo(inbox / "new" / "0002.fifo")
    done = cli("poll", "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "processed 1" in done.stdout
    listed = list_submissions(get_engine(town))
    assert [r["subject"] for r in listed if r["status"] != "error"] == ["good"]
    # Each file set aside is shown to staff: an error row naming it and where it went.
    errors = list_submissions(get_engine(town), "error")
    assert len(errors) == 3 and all(".hosho.error" in r["reason"] for r in errors)
    assert sorted(r["reason"].split("（")[1].split("、")[0] for r in errors) == [
        "0000.poison",
        "0001.outside",
        "0002.fifo",
    ]
    shunted = sorted(p.name for p in (inbox / ".hosho.error" / "cur").iterdir())
    assert shunted == ["0000.poison:2,S", "0001.outside:2,S", "0002.fifo:2,S"]
    assert (inbox / ".hosho.error" / "cur" / "0000.poison:2,S").is_symlink()  # moved, unread
    assert (tmp_path / "secret.eml").exists()
    assert not list((inbox / "new").iterdir())


def test_a_rename_never_overwrites_a_message(town, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "var" / "inbox"
    inbox.parent.mkdir()
    mailbox.Maildir(inbox, create=True)
    (inbox / "new" / "X").write_bytes(notice_message(1, subject="new one"))
    (inbox / "cur" / "X:2,S").write_bytes(notice_message(2, subject="cur one"))
    done = cli("poll", "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "processed 2" in done.stdout
    kept = inbox / ".hosho.registered" / "cur"
    subjects = sorted(email.message_from_bytes(p.read_bytes())["Subject"] for p in kept.iterdir())
    assert subjects == ["cur one", "new one"]


def test_control_characters_from_mail_never_stop_intake(town, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """A NUL in the subject, sender, Message-ID or a file name (PostgreSQL's text refuses
    it) is replaced; the poisoned mail and the good one beside it are both recorded."""
    inbox = tmp_path / "var" / "inbox"
    inbox.parent.mkdir()
    box = mailbox.Maildir(inbox, create=True)
    poison = notice_message(2, subject="POISON", message_id="<p@aya-kensetsu.example.jp>")
    poison = poison.replace(b"POISON", b"=?utf-8?q?a=00b?=").replace(b"<p@", b"<p\x00@")
    box.add(poison.replace(b"From: ", b"From: =?utf-8?q?=00?= ", 1))
    box.add(notice_message(1, subject="good"))
    done = cli("poll", "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "processed 2" in done.stdout
    subjects = sorted(r["subject"] for r in list_submissions(get_engine(town)))
    assert subjects == ["a\ufffdb", "good"]


def test_a_key_shaped_name_is_masked_in_what_a_command_prints(town, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real console script: a warning (a link set aside) and an error line never show
    anything key-shaped."""
    hosho = str(Path(sys.executable).with_name("hosho"))
    inbox = tmp_path / "var" / "inbox"
    inbox.parent.mkdir()
    mailbox.Maildir(inbox, create=True)
    (inbox / "new" / "SH2K-TJJD-Q45B-Q7HN").symlink_to("/proc/self/mem")
    env = {**os.environ, "HOSHO_DATABASE_URL": town}
    done = subprocess.run(
        [hosho, "poll", "--once"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "moved to hosho/error" in done.stderr and "SH2K" not in done.stderr
    (shown,) = list_submissions(get_engine(town), "error")
    assert "[認証キー省略]" in shown["reason"] and "SH2K" not in json.dumps(shown)
    wrong = subprocess.run(
        [hosho, "notice", "issue", "SH2K-TJJD-Q45B-Q7HN", "--out", str(tmp_path / "n.pdf")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert wrong.returncode == 1 and wrong.stderr.startswith("error: ")
    assert "SH2K" not in wrong.stderr and "Q7HN" not in wrong.stderr
