"""Composing mail: hosho's reply to a sender, and the e-mail a contractor sends the town.

The reply (:func:`reply_to`) is one a town can send from its own address: it threads in
the sender's mail program (``Re:``, In-Reply-To and References from the original
Message-ID), says it is automatic (``Auto-Submitted: auto-replied``, RFC 3834, set by the
mailer) and quotes nothing the sender wrote: the subject is hosho's own fixed text, the
body the status's reason. Whether a reply is sent at all is decided in
``hosho.core.submissions.answering``.

``submission_message`` is used by ``hosho demo mail`` (to drop a submission into the local
Maildir) and by tests.
"""

from __future__ import annotations

import mailbox
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from hosho.core.store.models import Submission
from hosho.core.submissions.statuses import reply_body, reply_subject

#: Prefixed to hosho's own subject so mail programs show the reply as one.
REPLY_PREFIX = "Re: "


@dataclass(frozen=True)
class Reply:
    """What hosho answers one submission: subject, body, and the threading headers."""

    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def reply_to(row: Submission, *, contact: str) -> Reply:
    """The reply to ``row``'s sender (never an auth key; nothing the sender wrote)."""
    headers: dict[str, str] = {}
    original = row.message_id or ""
    if original.isascii() and original.startswith("<") and original.endswith(">"):
        headers = {"In-Reply-To": original, "References": original}
    return Reply(
        REPLY_PREFIX + reply_subject(row.status),
        reply_body(row.reason, contact=contact),
        headers,
    )


def submission_message(
    *, sender: str, to: str, subject: str, pdf: bytes, filename: str, body: str | None = None
) -> EmailMessage:
    """A message as a contractor's mail program would write it (UTF-8, PDF attached)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "hosho.local")
    message.set_content(
        body
        or "ご担当者様\n\n電子保証の認証キー等のお知らせを送付します。\nご確認をお願いいたします。\n"
    )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message


def drop_into_maildir(folder: Path, message: EmailMessage) -> str:
    """Deliver a message into a Maildir (created when missing); returns its key."""
    box = mailbox.Maildir(str(folder), create=True)
    try:
        return box.add(message)
    finally:
        box.close()
