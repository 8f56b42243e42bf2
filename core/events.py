"""In-process events: the mail front end publishes one per submission outcome; the chat
front end subscribes and posts it to the staff channel. No Slack or IMAP here."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from hosho.core.store.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmissionEvent:
    """What became of one e-mail sent to the town. Never carries the auth key."""

    submission_id: int | None
    status: str
    reason: str
    sender: str
    subject: str
    contract_number: str | None = None
    contractor_name: str | None = None
    project_name: str | None = None
    kind: str | None = None
    at: datetime = field(default_factory=utcnow)
    #: False when registered from the notice alone (ledger mode): no contract to check it.
    verified: bool = True
    #: Why the sender got no reply (a robot, DMARC failed, the hourly limit); "" if answered.
    no_reply: str = ""


Handler = Callable[[SubmissionEvent], None]
_handlers: list[Handler] = []
_lock = threading.Lock()


def subscribe(handler: Handler) -> Callable[[], None]:
    """Call ``handler`` for every event; returns a function that unsubscribes it."""
    with _lock:
        _handlers.append(handler)

    def unsubscribe() -> None:
        with _lock:
            if handler in _handlers:
                _handlers.remove(handler)

    return unsubscribe


def publish(event: SubmissionEvent) -> None:
    """Deliver an event to every subscriber; a failing subscriber is logged, not raised."""
    with _lock:
        handlers = list(_handlers)
    for handler in handlers:
        try:
            handler(event)
        except Exception:  # noqa: BLE001 - one broken subscriber must not stop the poller
            log.exception("submission event handler failed")
