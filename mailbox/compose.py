"""Composing the e-mail a contractor sends the town: a short Japanese note and the PDF.

Used by ``hosho demo mail`` (to drop a submission into the local Maildir) and by tests.
"""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path


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
