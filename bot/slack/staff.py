"""Town staff's channel (HOSHO_STAFF_CHANNEL): one message per submission outcome.

Subscribes to ``hosho.core.events``; posting runs on one worker thread so the mail poller
never waits for Slack, and messages keep their order. Events never carry the 認証キー.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient

from hosho.bot.slack.blocks import escape
from hosho.core.events import SubmissionEvent, subscribe
from hosho.core.submissions.staff_note import staff_lines
from hosho.core.submissions.statuses import label_of

log = logging.getLogger(__name__)


def staff_text(event: SubmissionEvent) -> str:
    """The staff message in Slack's markup: the status label bold, the rest escaped."""
    first = f"*{label_of(event.status)}* ({event.status})"
    return "\n".join([first, *(escape(line) for line in staff_lines(event))])


class StaffChannel:
    """Posts every SubmissionEvent to one channel until ``close()``."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self.client, self.channel = client, channel
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hosho-staff")
        self._unsubscribe: Callable[[], None] = subscribe(self._on_event)

    def _on_event(self, event: SubmissionEvent) -> None:
        self._pool.submit(self._post, event)

    def _post(self, event: SubmissionEvent) -> None:
        try:
            self.client.chat_postMessage(channel=self.channel, text=staff_text(event))
        except Exception:  # noqa: BLE001 - a Slack outage must not stop the poller
            log.exception("could not post a submission to the staff channel")

    def close(self, wait: bool = True) -> None:
        """Stop listening; with ``wait``, let queued messages go out first."""
        self._unsubscribe()
        self._pool.shutdown(wait=wait)
