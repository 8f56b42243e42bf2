"""Staff who work by e-mail (HOSHO_STAFF_EMAIL; many town offices inside LGWAN have mail
and no Slack): the outbox's ``email`` channel delivered over SMTP.

One mail per submission outcome with the staff channel's text
(:func:`hosho.core.submissions.staff_note.plain_staff_text`, never the 認証キー), and the
daily digest (:mod:`hosho.core.submissions.digest`) at HOSHO_DIGEST_AT. Each outbox row has
one Message-ID, the same on a resend, so the rare duplicate after a crash is recognisable.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from hosho.core.runtime import Runtime
from hosho.core.store.models import OutboxMessage
from hosho.core.submissions.digest import digest_of, owe_digest
from hosho.core.submissions.outbox import DIGEST, EMAIL, OutboxSender, event_of, staff_channels
from hosho.core.submissions.staff_note import plain_staff_text
from hosho.core.submissions.statuses import label_of
from hosho.mailbox.outgoing import Mailer, mailer_from_settings


class StaffMail:
    """Sends outbox rows of the ``email`` channel to the staff addresses, one message each."""

    def __init__(self, mailer: Mailer, addresses: list[str]) -> None:
        self.mailer, self.addresses = mailer, addresses

    def message_id(self, row: OutboxMessage) -> str:
        """The row's own Message-ID (the same at every try)."""
        digest = hashlib.sha256(row.key.encode()).hexdigest()[:24]
        return f"<hosho.staff.{digest}@{self.mailer.domain}>"

    def content(self, row: OutboxMessage) -> tuple[str, str]:
        """Subject and text of the row's mail."""
        if row.kind == DIGEST:
            return digest_of(row)
        event = event_of(row)
        number = event.contract_number or "-"
        return f"[hosho] {label_of(event.status)} 保証契約番号 {number}", plain_staff_text(event)

    def deliver(self, row: OutboxMessage) -> None:
        """Send it; raises MailError when the SMTP server did not accept it."""
        subject, text = self.content(row)
        self.mailer.send(
            ", ".join(self.addresses),
            subject,
            text,
            message_id=self.message_id(row),
            auto_submitted="auto-generated",
        )


def staff_mail_sender(runtime: Runtime, mailer: Mailer | None = None) -> OutboxSender | None:
    """The sender of the staff mail and the digest, or None when HOSHO_STAFF_EMAIL or an SMTP
    host is not set."""
    settings = runtime.settings
    if EMAIL not in staff_channels(settings):
        return None
    mailer = mailer or mailer_from_settings(settings)
    if mailer is None:
        return None
    return OutboxSender(
        runtime.engine,
        EMAIL,
        StaffMail(mailer, settings.staff_addresses).deliver,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        before_pass=lambda: owe_digest(runtime.engine, settings),
    )
