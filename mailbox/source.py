"""The small interface every inbox source offers the poller (IMAP, local Maildir)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

#: Where processed messages go (``/`` is replaced by the server's hierarchy delimiter).
REGISTERED_FOLDER = "hosho/registered"
REJECTED_FOLDER = "hosho/rejected"
#: Where a message that cannot be taken is set aside (a shunt queue, as in Mailman).
ERROR_FOLDER = "hosho/error"
#: The keywords set instead of moving (HOSHO_IMAP_KEYWORD_ONLY).
REGISTERED_KEYWORD = "HoshoRegistered"
REJECTED_KEYWORD = "HoshoRejected"
ERROR_KEYWORD = "HoshoError"


@dataclass(frozen=True)
class Pending:
    """A message waiting in the inbox: where it is and how big it is."""

    ref: str | int  # the UID (IMAP) or the file name (Maildir)
    folder: str
    uidvalidity: int | None
    uid: int | None
    size: int
    received_at: datetime | None = None


@dataclass(frozen=True)
class Fetched:
    """A pending message with its bytes; ``headers_only`` when it was too large to fetch."""

    pending: Pending
    data: bytes
    headers_only: bool = False


class Source(Protocol):
    """An inbox. ``scan`` lists what waits; ``finish`` moves (or flags) processed ones."""

    kind: str  # "imap" or "maildir" (the submission's ``source`` column)
    supports_idle: bool

    def open(self) -> None: ...

    def close(self) -> None: ...

    def scan(self) -> list[Pending]: ...

    def fetch(self, items: list[Pending], max_bytes: int) -> list[Fetched]: ...

    def finish(self, done: list[tuple[Pending, bool]]) -> None: ...

    def shunt(self, items: list[Pending]) -> None: ...

    def error_place(self, item: Pending) -> str: ...

    def wait(self, stop: threading.Event, seconds: float) -> None: ...
