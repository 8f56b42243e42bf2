"""A local Maildir as the inbox (default ``var/inbox``): hosho works with no mail server.

The folder is created with the standard library's ``mailbox.Maildir``; processed messages
are renamed (atomic on one file system) into the Maildir++ sub-folders
``.hosho.registered`` and ``.hosho.rejected``. Messages have no UIDs here, so exactly-once
rests on the message key (Message-ID or hash of the bytes).
"""

from __future__ import annotations

import mailbox
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from hosho.mailbox.source import REGISTERED_FOLDER, REJECTED_FOLDER, Fetched, Pending


class MaildirSource:
    """The Maildir at ``path``; ``new/`` and ``cur/`` are the inbox."""

    kind = "maildir"
    supports_idle = False

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.folder = "maildir"

    def _target(self, registered: bool) -> Path:
        name = REGISTERED_FOLDER if registered else REJECTED_FOLDER
        return self.path / ("." + name.replace("/", "."))

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(self.path, create=True)
        for registered in (True, False):
            if not self._target(registered).exists():
                box.add_folder(self._target(registered).name[1:])

    def close(self) -> None:
        return None

    def scan(self) -> list[Pending]:
        found: list[Pending] = []
        for sub in ("new", "cur"):
            folder = self.path / sub
            if not folder.is_dir():
                continue
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name.startswith(".") or not entry.is_file():
                    continue
                stat = entry.stat()
                found.append(
                    Pending(
                        ref=f"{sub}/{entry.name}",
                        folder=self.folder,
                        uidvalidity=None,
                        uid=None,
                        size=stat.st_size,
                        received_at=datetime.fromtimestamp(stat.st_mtime, UTC),
                    )
                )
        return found

    def fetch(self, items: list[Pending], max_bytes: int) -> list[Fetched]:
        out: list[Fetched] = []
        for item in items:
            path = self.path / str(item.ref)
            try:
                with open(path, "rb") as handle:
                    if item.size > max_bytes:
                        out.append(Fetched(item, _headers(handle, 256 * 1024), True))
                    else:
                        out.append(Fetched(item, handle.read()))
            except FileNotFoundError:  # taken by another poller meanwhile
                continue
        return out

    def finish(self, done: list[tuple[Pending, bool]]) -> None:
        for item, registered in done:
            name = str(item.ref).split("/", 1)[1]
            base = name.split(":", 1)[0]
            target = self._target(registered) / "cur" / f"{base}:2,S"
            try:
                os.rename(self.path / str(item.ref), target)
            except FileNotFoundError:
                continue

    def wait(self, stop: threading.Event, seconds: float) -> None:
        stop.wait(seconds)


def _headers(handle: object, limit: int) -> bytes:
    """The header block (up to the first blank line) of a file, at most ``limit`` bytes."""
    data = handle.read(limit)  # type: ignore[attr-defined]
    for sep in (b"\r\n\r\n", b"\n\n"):
        end = data.find(sep)
        if end >= 0:
            return bytes(data[: end + len(sep)])
    return bytes(data)
