"""The core conversation wired with this process's settings, for any chat front end.

A chat user is a platform and the plain id there: SLACK users (``hosho bot``, ``/hosho
link``, ``hosho contractors link --slack-user``) and TERMINAL users (``hosho chat``, the
demo user) are linked apart, so a link on one never lets the same id in on the other.
"""

from __future__ import annotations

from hosho.core.chat.conversation import Conversation
from hosho.core.chat.linking import SendMail
from hosho.core.documents.issuing import notice_renderer
from hosho.core.runtime import Runtime
from hosho.core.settings import Settings
from hosho.core.submissions.outbox import staff_channels

SLACK = "slack"
TERMINAL = "terminal"


def mail_sender(settings: Settings) -> SendMail | None:
    """``send(to, subject, body)`` over the SMTP settings, or None when no SMTP host."""
    from hosho.mailbox.outgoing import mailer_from_settings

    mailer = mailer_from_settings(settings)
    return None if mailer is None else mailer.send


def build_conversation(runtime: Runtime, platform: str) -> Conversation:
    """The dispatcher for ``platform`` with this process's settings (admins, link-code mail)."""
    return Conversation(
        engine=runtime.engine,
        profile=runtime.profile,
        platform=platform,
        admins=runtime.settings.admins,
        send_mail=mail_sender(runtime.settings),
        render_notice=notice_renderer(runtime.settings.pdf_font),
        register_unknown=runtime.settings.register_unknown,
        staff=staff_channels(runtime.settings),
    )
