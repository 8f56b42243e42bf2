"""Outgoing mail over SMTP: replies to senders, and link codes for the chat front end.

``mailer_from_settings(settings)`` gives a :class:`Mailer` with ``send(to, subject, body)``,
or None when no ``HOSHO_SMTP_HOST`` is set (then hosho sends no mail at all).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate

from hosho.core.settings import Settings
from hosho.core.submissions.answering import own_message_id
from hosho.mailbox.errors import MailError

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class Mailer:
    """Sends plain-text UTF-8 mail through one SMTP server (a connection per message)."""

    def __init__(
        self,
        host: str,
        *,
        port: int | None = None,
        security: str = "starttls",
        user: str | None = None,
        password: str | None = None,
        sender: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        if security not in DEFAULT_PORTS:
            raise MailError(f"invalid setting HOSHO_SMTP_SECURITY: {security!r}")
        self.host = host
        self.port = port or DEFAULT_PORTS[security]
        self.security = security
        self.user = user
        self.password = password
        self.sender = sender or f"hosho@{host}"
        self.timeout = timeout

    @property
    def domain(self) -> str:
        """The sender's domain, the right-hand side of every Message-ID hosho writes."""
        return self.sender.rpartition("@")[2] or "hosho.invalid"

    def new_message_id(self) -> str:
        """A fresh Message-ID in the sender's domain, ``<hosho.<random>@<domain>>`` (a reply
        to hosho's own mail is recognised by the prefix: ``answering.is_own_message_id``)."""
        return own_message_id(self.domain)

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        *,
        message_id: str | None = None,
        auto_submitted: str = "auto-replied",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send one message; MailError (one line) when the server refuses or is away.
        Returning means the server accepted it. ``message_id`` when a resend must keep the
        first try's (a rare duplicate is then recognisable), else a fresh one; ``headers``
        adds more (In-Reply-To, References of a reply)."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = message_id or self.new_message_id()
        msg["Auto-Submitted"] = auto_submitted
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(body, charset="utf-8")
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=context)
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(msg)
        except (OSError, smtplib.SMTPException) as err:
            raise MailError(
                f"could not send mail via {self.host}:{self.port}: {type(err).__name__}: {err}"
            ) from None
        log.info("mail sent to %s: %s", to, subject)


def mailer_from_settings(settings: Settings) -> Mailer | None:
    """The mailer of the HOSHO_SMTP_* settings, or None when no SMTP host is set."""
    if not settings.smtp_host:
        return None
    return Mailer(
        settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        user=settings.smtp_user,
        password=settings.smtp_password,
        sender=settings.mail_from,
        timeout=settings.smtp_timeout,
    )
