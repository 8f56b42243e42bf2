"""A local Maildir as the inbox (default ``var/inbox``): hosho works with no mail server.

The folder is created with the standard library's ``mailbox.Maildir``; processed messages
are renamed (atomic on one file system) into the Maildir++ sub-folders
``.hosho.registered`` and ``.hosho.rejected``. Messages have no UIDs here, so exactly-once
rests on the message key (Message-ID or hash of the bytes).

Hostile files are shunted, like Mailman's shunt queue, into ``.hosho.error`` and intake
goes on: a symbolic link (never followed: it could point out of the Maildir, at
``/proc/self/mem``), anything that is not a regular file, a file that cannot be read. A
rename never overwrites: ``new/X`` beside ``cur/X:2,S`` keeps both (hard link, then
unlink; a numbered name when the first is taken).

Mail that is no submission stays in ``new/`` or ``cur/`` under its own name (the poller
remembers it was looked at). A waiting poller looks at the two folders every
``LOOK_EVERY`` seconds and takes a dropped message at once.
"""

from __future__ import annotations

import logging
import mailbox
import os
import re
import stat
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from hosho.mailbox.source import (
    ERROR_FOLDER,
    REGISTERED_FOLDER,
    REJECTED_FOLDER,
    Fetched,
    Pending,
)

log = logging.getLogger(__name__)

#: Seconds between two looks at a waiting Maildir (HOSHO_POLL_SECONDS is the longest wait).
LOOK_EVERY = 0.5


class MaildirSource:
    """The Maildir at ``path``; ``new/`` and ``cur/`` are the inbox."""

    kind = "maildir"
    supports_idle = False

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.folder = "maildir"
        self._stamp_at_scan: tuple[tuple[int, int] | None, ...] = ()
        #: Files set aside by scan and fetch (file name, why) that staff are not told of yet.
        self._set_aside: list[tuple[str, str]] = []

    def _target(self, registered: bool) -> Path:
        return self._folder(REGISTERED_FOLDER if registered else REJECTED_FOLDER)

    def _folder(self, name: str) -> Path:
        return self.path / ("." + name.replace("/", "."))

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(self.path, create=True)
        for name in (REGISTERED_FOLDER, REJECTED_FOLDER, ERROR_FOLDER):
            if not self._folder(name).exists():
                box.add_folder(self._folder(name).name[1:])

    def close(self) -> None:
        return None

    def scan(self) -> list[Pending]:
        self._stamp_at_scan = self._stamp()
        entries: list[tuple[str, os.DirEntry[str]]] = []
        for sub in ("new", "cur"):
            folder = self.path / sub
            if folder.is_dir():
                entries.extend((sub, entry) for entry in os.scandir(folder))
        entries.sort(key=lambda pair: arrival_order(pair[1].name))
        found: list[Pending] = []
        for sub, entry in entries:
            if entry.name.startswith("."):
                continue
            if not entry.is_file(follow_symlinks=False):  # a link, a FIFO, a folder
                self._shunt(f"{sub}/{entry.name}", "not a regular file")
                continue
            info = entry.stat(follow_symlinks=False)
            found.append(
                Pending(
                    ref=f"{sub}/{entry.name}",
                    folder=self.folder,
                    uidvalidity=None,
                    uid=None,
                    size=info.st_size,
                    received_at=datetime.fromtimestamp(info.st_mtime, UTC),
                )
            )
        return found

    def fetch(self, items: list[Pending], max_bytes: int) -> list[Fetched]:
        out: list[Fetched] = []
        for item in items:
            path = self.path / str(item.ref)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except FileNotFoundError:  # taken by another poller meanwhile
                continue
            except OSError as err:  # a link swapped in since the scan, no permission
                self._shunt(str(item.ref), err.strerror or type(err).__name__)
                continue
            try:
                with open(fd, "rb") as handle:
                    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                        raise OSError("not a regular file")
                    if item.size > max_bytes:
                        out.append(Fetched(item, _headers(handle, 256 * 1024), True))
                    else:  # never more than the size allows, whatever the file says
                        data = handle.read(max_bytes + 1)
                        if len(data) > max_bytes:
                            out.append(Fetched(item, _headers(handle, 0, data[: 256 * 1024]), True))
                        else:
                            out.append(Fetched(item, data))
            except OSError as err:
                self._shunt(str(item.ref), str(err))
        return out

    def finish(self, done: list[tuple[Pending, bool]]) -> None:
        for item, registered in done:
            self._move(str(item.ref), self._target(registered))

    def shunt(self, items: list[Pending]) -> None:
        """Set messages that cannot be recorded aside, in ``.hosho.error``."""
        for item in items:  # the poller tells staff of these itself
            log.warning("maildir: %s moved to %s (could not be recorded)", item.ref, ERROR_FOLDER)
            self._move(str(item.ref), self._folder(ERROR_FOLDER))

    def take_set_aside(self) -> list[tuple[str, str]]:
        """The files scan and fetch set aside since the last call: (file name, why)."""
        taken, self._set_aside = self._set_aside, []
        return taken

    def error_place(self, item: Pending) -> str:
        """Where ``shunt`` puts a message, as staff are told (the Maildir++ folder)."""
        return self._folder(ERROR_FOLDER).name

    def _shunt(self, ref: str, why: str) -> None:
        """Set a file that cannot be taken aside in ``.hosho.error`` (the link itself,
        never what it points to)."""
        log.warning("maildir: %s moved to %s (%s)", ref, ERROR_FOLDER, why)
        self._move(ref, self._folder(ERROR_FOLDER))
        self._set_aside.append((ref.rpartition("/")[2], why))

    def _move(self, ref: str, folder: Path) -> None:
        """Rename ``ref`` into ``folder``/cur without overwriting anything there."""
        source = self.path / ref
        base = base_name(ref)
        (folder / "cur").mkdir(parents=True, exist_ok=True)
        for n in range(1000):
            target = folder / "cur" / (f"{base}:2,S" if n == 0 else f"{base}.{n}:2,S")
            try:
                os.link(source, target, follow_symlinks=False)
            except FileExistsError:
                continue
            except FileNotFoundError:  # taken by another poller meanwhile
                return
            except OSError:  # a file system without hard links: rename if the name is free
                if target.exists() or target.is_symlink():
                    continue
                os.rename(source, target)
                return
            try:
                os.unlink(source)
            except FileNotFoundError:  # another poller moved it at the same time: one copy
                os.unlink(target)
            return
        raise OSError(f"no free name for {ref} in {folder}")

    def wait(self, stop: threading.Event, seconds: float) -> None:
        """Until ``new/`` or ``cur/`` changed since the last scan (looked at every
        LOOK_EVERY seconds: one stat per folder, so a dropped message is taken within about
        a second), ``seconds`` passed, or ``stop`` is set."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and self._stamp() == self._stamp_at_scan:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            stop.wait(min(LOOK_EVERY, left))

    def _stamp(self) -> tuple[tuple[int, int] | None, ...]:
        """The modification time and inode of ``new/`` and ``cur/``: a message delivered,
        renamed or removed changes them."""
        out: list[tuple[int, int] | None] = []
        for sub in ("new", "cur"):
            try:
                info = os.stat(self.path / sub)
            except OSError:
                out.append(None)
                continue
            out.append((info.st_mtime_ns, info.st_ino))
        return tuple(out)


_SECONDS = re.compile(r"^(\d+)\.")
_MICROS = re.compile(r"M(\d+)")
_COUNT = re.compile(r"Q(\d+)")


def arrival_order(name: str) -> tuple[int, int, int, str]:
    """Sort key of a Maildir file name in the order it was delivered.

    A name is ``SECONDS.M<microseconds>P<pid>Q<count>.host`` (Python, Dovecot) or similar;
    the microseconds are not zero-padded, so a plain string sort puts ``M99999`` after
    ``M100000`` of the same second. Names of another form sort after, by name."""
    seconds = _SECONDS.match(name)
    if seconds is None:
        return (1 << 62, 0, 0, name)
    middle = name[seconds.end() :].split(".", 1)[0]
    micros = _MICROS.search(middle)
    count = _COUNT.search(middle)
    return (
        int(seconds.group(1)),
        int(micros.group(1)) if micros else 0,
        int(count.group(1)) if count else 0,
        name,
    )


def base_name(ref: str) -> str:
    """A message file's name without its folder and flags (``new/X:2,S`` → ``X``): the
    name it keeps when moved, and the one a poller remembers it by."""
    return ref.rpartition("/")[2].split(":", 1)[0]


def _headers(handle: object, limit: int, data: bytes = b"") -> bytes:
    """The header block (up to the first blank line) of a file, at most ``limit`` bytes
    (or of ``data`` already read)."""
    data = data or handle.read(limit)  # type: ignore[attr-defined]
    for sep in (b"\r\n\r\n", b"\n\n"):
        end = data.find(sep)
        if end >= 0:
            return bytes(data[: end + len(sep)])
    return bytes(data)
