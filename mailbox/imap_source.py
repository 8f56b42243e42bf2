"""The town inbox over IMAP (imapclient): ssl, starttls or none, with socket timeouts.

UIDVALIDITY is read on every select and stored with the UIDs (``MailboxState``, and each
submission's folder/UIDVALIDITY/UID). ``RFC822.SIZE`` is fetched first; a message over
the limit is never downloaded, only its header block. Bodies come with ``BODY.PEEK[]``
(the \\Seen flag stays as it was) in batches. Processed messages are moved to
hosho/registered or hosho/rejected (MOVE when offered, else COPY + \\Deleted + UID
EXPUNGE), or flagged with a keyword when HOSHO_IMAP_KEYWORD_ONLY is set.

Messages that are not submissions stay in the folder untouched, so ``scan`` lists only
UIDs above the folder's watermark (``MailboxState.last_uid``, kept per UIDVALIDITY; the
poller advances it once every message up to it was taken care of): ordinary mail is
looked at once, not on every pass.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
import threading
import time
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hosho.core.settings import Settings
from hosho.core.store.db import session_scope
from hosho.core.store.models import MailboxState, utcnow
from hosho.mailbox.errors import MailError
from hosho.mailbox.source import (
    ERROR_FOLDER,
    ERROR_KEYWORD,
    REGISTERED_FOLDER,
    REGISTERED_KEYWORD,
    REJECTED_FOLDER,
    REJECTED_KEYWORD,
    Fetched,
    Pending,
)

log = logging.getLogger(__name__)

#: IDLE is renewed after this many seconds (servers drop it after 30 minutes).
IDLE_RENEW = 9 * 60
#: Messages and bytes fetched per FETCH command.
BATCH_MESSAGES = 200
BATCH_BYTES = 16 * 1024 * 1024
#: HOSHO_IMAP_KEYWORD_ONLY: the keyword set instead of moving, for registered (True),
#: rejected (False) and set aside (None).
_KEYWORDS = {True: REGISTERED_KEYWORD, False: REJECTED_KEYWORD, None: ERROR_KEYWORD}


class ImapSource:
    """One IMAP folder of one account."""

    kind = "imap"

    def __init__(self, settings: Settings, engine: Engine) -> None:
        if not settings.imap_host:
            raise MailError("HOSHO_IMAP_HOST is not set")
        self.settings = settings
        self.engine = engine
        self.folder = settings.imap_folder
        self.keyword_only = settings.imap_keyword_only
        default = 993 if settings.imap_security == "ssl" else 143
        self.port = settings.imap_port or default
        self.name = f"imap://{settings.imap_user or ''}@{settings.imap_host}:{self.port}"
        self.client: IMAPClient | None = None
        self.uidvalidity = 0
        self.supports_idle = False
        self._can_move = False
        self._uidplus = False
        #: registered (True), rejected (False), set aside (None): the folder to move to.
        self._targets: dict[bool | None, str] = {}

    # -- connection ---------------------------------------------------------------------

    def open(self) -> None:
        """Connect, log in, select the folder, note UIDVALIDITY, create target folders."""
        self.close()
        s = self.settings
        context = ssl.create_default_context()
        try:
            client = IMAPClient(
                s.imap_host,
                port=self.port,
                ssl=s.imap_security == "ssl",
                ssl_context=context if s.imap_security == "ssl" else None,
                timeout=s.imap_timeout,
            )
            self.client = client  # closed below if anything fails
            if s.imap_security == "starttls":
                client.starttls(context)
            client.login(s.imap_user or "", s.imap_password or "")
            caps = set(client.capabilities())
            self.supports_idle = b"IDLE" in caps
            self._can_move = b"MOVE" in caps
            self._uidplus = b"UIDPLUS" in caps
            if not self.keyword_only:
                self._targets = {
                    True: self._ensure_folder(REGISTERED_FOLDER),
                    False: self._ensure_folder(REJECTED_FOLDER),
                    None: self._ensure_folder(ERROR_FOLDER),
                }
            info = client.select_folder(self.folder)
        except (IMAPClientError, OSError) as err:
            self.close()
            raise MailError(f"IMAP {self.name}: {type(err).__name__}: {err}") from None
        self.uidvalidity = int(info.get(b"UIDVALIDITY", 0))
        self._note_uidvalidity()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be dead
            with contextlib.suppress(Exception):
                client.shutdown()

    def _need(self) -> IMAPClient:
        if self.client is None:
            raise MailError(f"IMAP {self.name}: not connected")
        return self.client

    def _ensure_folder(self, name: str) -> str:
        client = self._need()
        listed = client.list_folders("", "")
        delimiter = listed[0][1] if listed and listed[0][1] else b"/"
        sep = delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter)
        real = name.replace("/", sep)
        if not client.folder_exists(real):
            try:
                client.create_folder(real)
            except IMAPClientError:  # created by another poller meanwhile?
                if not client.folder_exists(real):
                    raise
            with contextlib.suppress(IMAPClientError):
                client.subscribe_folder(real)
        return real

    def _state(self, session: Session) -> MailboxState | None:
        """This folder's row of the MailboxState table."""
        return session.exec(
            select(MailboxState)
            .where(MailboxState.source == self.name[:200])
            .where(MailboxState.folder == self.folder[:200])
        ).first()

    def _note_uidvalidity(self) -> None:
        """Store UIDVALIDITY; a change is logged (stored UIDs then name other messages)."""
        for _attempt in range(3):
            try:
                with session_scope(self.engine) as session:
                    state = self._state(session)
                    if state is None:
                        state = MailboxState(source=self.name[:200], folder=self.folder[:200])
                        session.add(state)
                    elif state.uidvalidity not in (None, self.uidvalidity):
                        log.warning(
                            "UIDVALIDITY of %s changed (%s -> %s): messages are matched by "
                            "Message-ID/hash from now on",
                            self.folder,
                            state.uidvalidity,
                            self.uidvalidity,
                        )
                        state.last_uid = 0
                    state.uidvalidity = self.uidvalidity
                    state.updated_at = utcnow()
                return
            except IntegrityError:  # two pollers created the row at once
                continue

    def watermark(self) -> int:
        """The highest UID taken care of in this folder (0 after a UIDVALIDITY change)."""
        with session_scope(self.engine) as session:
            state = self._state(session)
            if state is None or state.uidvalidity != self.uidvalidity:
                return 0
            return state.last_uid

    def note_progress(self, last_uid: int) -> None:
        """Remember the highest UID taken care of (``scan`` lists only the UIDs above it)."""
        with session_scope(self.engine) as session:
            state = self._state(session)
            if state is not None and last_uid > state.last_uid:
                state.last_uid = last_uid
                state.updated_at = utcnow()

    # -- messages -----------------------------------------------------------------------

    def scan(self) -> list[Pending]:
        """The messages above the watermark still in the folder (processed ones were moved
        or flagged; ordinary mail at or below the watermark was looked at already)."""
        client = self._need()
        last = self.watermark()
        criteria: list[Any] = ["NOT", "DELETED", "UID", f"{last + 1}:*"]
        if self.keyword_only:
            for keyword in _KEYWORDS.values():
                criteria += ["NOT", "KEYWORD", keyword]
        # "n:*" also matches the highest UID when it is below n (RFC 3501): filter it out.
        uids = sorted(u for u in client.search(criteria) if u > last)
        found: list[Pending] = []
        for start in range(0, len(uids), 1000):
            chunk = uids[start : start + 1000]
            answer = client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
            for uid in chunk:
                data = answer.get(uid)
                if data is None:  # expunged meanwhile
                    continue
                found.append(
                    Pending(
                        ref=uid,
                        folder=self.folder,
                        uidvalidity=self.uidvalidity,
                        uid=uid,
                        size=int(data.get(b"RFC822.SIZE", 0)),
                        received_at=_utc(data.get(b"INTERNALDATE")),
                    )
                )
        return found

    def fetch(self, items: list[Pending], max_bytes: int) -> list[Fetched]:
        """Bodies of small messages (BODY.PEEK[]), header blocks of oversize ones."""
        client = self._need()
        small = [int(i.ref) for i in items if i.size <= max_bytes]
        large = [int(i.ref) for i in items if i.size > max_bytes]
        got: dict[int, Fetched] = {}
        by_uid = {int(i.ref): i for i in items}
        if small:
            for uid, data in client.fetch(small, ["BODY.PEEK[]"]).items():
                body = data.get(b"BODY[]")
                if uid in by_uid and body is not None:
                    got[uid] = Fetched(by_uid[uid], bytes(body))
        if large:
            for uid, data in client.fetch(large, ["BODY.PEEK[HEADER]"]).items():
                head = data.get(b"BODY[HEADER]")
                if uid in by_uid and head is not None:
                    got[uid] = Fetched(by_uid[uid], bytes(head), headers_only=True)
        return [got[int(i.ref)] for i in items if int(i.ref) in got]

    def finish(self, done: list[tuple[Pending, bool]]) -> None:
        """Move (or flag) processed messages; a UID already gone is simply skipped.

        Call it under ``inbox_lock``: it first asks which UIDs are still there (another
        poller may have moved some), then moves only those.
        """
        client = self._need()
        client.noop()  # take in expunges made by other sessions
        wanted = [int(p.ref) for p, _ in done]
        still = set(client.search(["UID", ",".join(str(u) for u in wanted)])) if wanted else set()
        for registered in (True, False):
            uids = [int(p.ref) for p, ok in done if ok is registered and int(p.ref) in still]
            if uids:
                self._settle(uids, registered)

    def shunt(self, items: list[Pending]) -> None:
        """Set messages that cannot be recorded aside: moved to hosho/error (or flagged
        HoshoError in keyword mode). Call it under ``inbox_lock``."""
        self._settle([int(p.ref) for p in items], None)

    def error_place(self, item: Pending) -> str:
        """Where ``shunt`` puts a message, as staff are told."""
        if self.keyword_only:
            return f"{item.folder}（キーワード {ERROR_KEYWORD}）"
        return ERROR_FOLDER

    def _settle(self, uids: list[int], registered: bool | None) -> None:
        """Move or flag ``uids``; when another poller took some first (the server answers
        NO, e.g. [EXPUNGEISSUED]), retry with the ones still there, one by one."""
        try:
            self._settle_now(uids, registered)
            return
        except IMAPClientError as err:
            if isinstance(err, imaplib.IMAP4.abort):
                raise
            log.info("settling %d messages: %s; retrying one by one", len(uids), err)
        still = set(self._need().search(["UID", ",".join(str(u) for u in uids)]))
        for uid in uids:
            if uid not in still:
                continue
            try:
                self._settle_now([uid], registered)
            except IMAPClientError as err:
                if isinstance(err, imaplib.IMAP4.abort):
                    raise
                log.info("UID %s not settled (gone?): %s", uid, err)

    def _settle_now(self, uids: list[int], registered: bool | None) -> None:
        client = self._need()
        if self.keyword_only:
            client.add_flags(uids, [_KEYWORDS[registered]], silent=True)
        elif self._can_move:
            client.move(uids, self._targets[registered])
        else:
            client.copy(uids, self._targets[registered])
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            if self._uidplus:
                client.uid_expunge(uids)
            else:
                client.expunge()

    def wait(self, stop: threading.Event, seconds: float) -> None:
        """Until new mail may be there: IDLE (renewed every 9 minutes) or a plain sleep."""
        if not self.supports_idle:
            stop.wait(seconds)
            return
        client = self._need()
        client.idle()
        deadline = time.monotonic() + IDLE_RENEW
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                responses = client.idle_check(timeout=1.0)
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    break
        finally:
            client.idle_done()


def _utc(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    # imapclient gives naive local times by default; astimezone reads a naive time as local.
    return value.astimezone(UTC)
