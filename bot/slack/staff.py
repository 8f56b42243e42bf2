"""Town staff's channel (HOSHO_STAFF_CHANNEL): one message per submission outcome.

The messages are owed in the outbox (``hosho.core.submissions.outbox``, channel ``slack``),
written with the submission itself; this adapter delivers them with ``chat.postMessage``
on one thread (order kept, the mail poller never waits for Slack), whichever process
recorded them and whenever Slack is back. Messages never carry the 認証キー.
"""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine

from hosho.bot.slack.blocks import escape
from hosho.core.events import SubmissionEvent
from hosho.core.store.models import OutboxMessage
from hosho.core.submissions.outbox import SLACK, OutboxSender, event_of
from hosho.core.submissions.staff_note import staff_lines
from hosho.core.submissions.statuses import label_of


def staff_text(event: SubmissionEvent) -> str:
    """The staff message in Slack's markup: the status label bold, the rest escaped."""
    first = f"*{label_of(event.status)}* ({event.status})"
    return "\n".join([first, *(escape(line) for line in staff_lines(event))])


class StaffChannel:
    """Delivers the outbox's Slack messages to one channel until ``close()``."""

    def __init__(
        self,
        client: WebClient,
        channel: str,
        engine: Engine,
        *,
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self.client, self.channel = client, channel
        self.sender = OutboxSender(engine, SLACK, self.post, lease=lease)
        self.sender.start_thread()

    def post(self, row: OutboxMessage) -> None:
        """Post one row; a Slack error raises (the outbox tries again later)."""
        self.client.chat_postMessage(channel=self.channel, text=staff_text(event_of(row)))

    def close(self) -> None:
        """Stop after the message in hand; the rest wait in the outbox for the next start."""
        self.sender.stop()
