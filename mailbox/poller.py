"""The poller: take every new message from the inbox once, check it, record it, answer.

Fetch, decide and act are separate steps (as in paperless-ngx's mail consumer):
``scan`` lists what waits in the inbox; messages whose place (folder/UIDVALIDITY/UID) is
already recorded are only moved; the others are fetched in batches, parsed, checked and
recorded by :func:`hosho.core.submissions.recording.record_batch` (one transaction per
batch) and answered (:mod:`hosho.mailbox.replies`); only then is the batch moved to
hosho/registered or hosho/rejected. A crash anywhere leaves every message either
unrecorded (taken again) or recorded (only moved again): exactly once.

``Poller.run_once()`` is ``hosho poll --once``; ``Poller.run_forever()`` is the
long-running mode (IDLE when offered, else a poll every HOSHO_POLL_SECONDS; reconnect
with exponential backoff and jitter). ``Poller.stop()`` ends it from another thread.

For ``hosho run`` (the poller beside the chat bot in one process)::

    poller = Poller(runtime)            # source, mailer and PDF workers from the settings
    thread = poller.start_thread()      # run_forever in a daemon thread
    ...                                 # on SIGTERM:
    poller.stop(); thread.join(10)      # returns within about a second

Each new submission owes its staff messages in the outbox (written with its row,
``hosho.core.submissions.outbox``; Slack and the staff mail deliver them) and is published
as a ``hosho.core.events.SubmissionEvent`` for the terminal's live view.

A shared inbox (a section's everyday address) also holds ordinary mail. A message that is
not a submission (``hosho.core.submissions.claim``) is recorded as ``ignored`` and left
exactly where it was: not moved, its flags untouched (bodies are fetched with BODY.PEEK),
no reply, no event. It is not read again: an IMAP folder is scanned above a UID watermark
(``MailboxState.last_uid`` per folder and UIDVALIDITY), a Maildir's looked-at file names
are remembered (``hosho.core.submissions.left_alone``).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from hosho.core.documents.ocr import OcrLimits
from hosho.core.documents.reader import WARM_UP_PDF, ParsedDocument
from hosho.core.documents.worker import PdfWorker
from hosho.core.events import publish
from hosho.core.runtime import Runtime
from hosho.core.submissions.checks import Examined, IncomingMail, Outcome, PdfParser, examine_safely
from hosho.core.submissions.claim import terms_of
from hosho.core.submissions.failures import (
    MAX_TRIES,
    note_failure,
    record_set_aside,
    record_set_aside_file,
)
from hosho.core.submissions.left_alone import leave, left_names
from hosho.core.submissions.listing import recorded_locations
from hosho.core.submissions.outbox import outcome_event, ring, staff_channels
from hosho.core.submissions.rechecking import Recheck
from hosho.core.submissions.recording import record_batch
from hosho.core.submissions.statuses import TOO_LARGE, Status
from hosho.core.submissions.waiting import register_waiting
from hosho.mailbox.errors import MailError
from hosho.mailbox.lock import inbox_lock
from hosho.mailbox.maildir_source import base_name
from hosho.mailbox.mime import parse_headers, parse_message
from hosho.mailbox.outgoing import Mailer, mailer_from_settings
from hosho.mailbox.replies import Replies
from hosho.mailbox.source import Fetched, Pending, Source

log = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
#: A fetched message, its checks' view, its pending checks.
Prepared = tuple[Fetched, IncomingMail, "Future[Examined]"]
BACKOFF_MAX = 300.0


@dataclass
class PollStats:
    """What one pass did."""

    seen: int = 0
    processed: int = 0
    already: int = 0
    replied: int = 0
    #: Messages that could not be recorded (left for the next pass, or set aside).
    failed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def source_from_runtime(runtime: Runtime) -> Source:
    """IMAP when HOSHO_IMAP_HOST is set, else the Maildir at HOSHO_MAILDIR."""
    if runtime.settings.imap_host:
        from hosho.mailbox.imap_source import ImapSource

        return ImapSource(runtime.settings, runtime.engine)
    from hosho.mailbox.maildir_source import MaildirSource

    return MaildirSource(runtime.settings.maildir)


def _batches(items: list[Pending], max_bytes: int, count: int, budget: int) -> list[list[Pending]]:
    out: list[list[Pending]] = []
    current: list[Pending] = []
    size = 0
    for item in items:
        cost = min(item.size, max_bytes)
        if current and (len(current) >= count or size + cost > budget):
            out.append(current)
            current, size = [], 0
        current.append(item)
        size += cost
    if current:
        out.append(current)
    return out


class Poller:
    """Takes mail from one source into the submissions table."""

    def __init__(
        self,
        runtime: Runtime,
        source: Source | None = None,
        *,
        mailer: Mailer | None | bool = True,
        parse: PdfParser | None = None,
        batch_messages: int = 200,
        batch_bytes: int = 16 * 1024 * 1024,
        commit_every: int = 50,
        pdf_workers: int = 2,
        stop: threading.Event | None = None,
    ) -> None:
        self.runtime = runtime
        self.source = source or source_from_runtime(runtime)
        if mailer is True:
            mailer = mailer_from_settings(runtime.settings)
        lease = timedelta(seconds=runtime.settings.outbox_lease_seconds)
        self.replies = (
            Replies(runtime.engine, mailer, runtime.profile.contact, lease=lease)
            if mailer
            else None
        )
        self.staff = staff_channels(runtime.settings)
        self.parse: PdfParser = parse or self._parse_in_worker
        self.pdf_workers = pdf_workers
        self._local = threading.local()
        self._workers: list[PdfWorker] = []
        self.max_bytes = int(runtime.settings.max_message_mb * 1024 * 1024)
        self.batch_messages = batch_messages
        self.batch_bytes = batch_bytes
        self.commit_every = commit_every
        self._executor: ThreadPoolExecutor | None = None
        self._stop = stop or threading.Event()
        self._lock = threading.Lock()
        self._connected = False
        self.terms = terms_of(runtime.profile)
        #: Maildir: the folder's path and the file names looked at and left alone.
        self._left_folder = ""
        self._left: set[str] | None = None
        #: The lowest UID that failed in this pass (the watermark stays below it).
        self._hold: int | None = None

    # -- one pass -----------------------------------------------------------------------

    def run_once(self) -> PollStats:
        """Take everything waiting now; return counts. Connection errors propagate."""
        stats = PollStats()
        self._hold = None
        if not self._connected:
            self.source.open()
            self._connected = True
        pending = self._not_left(self.source.scan())
        self._tell_set_aside()
        stats.seen = len(pending)
        known: dict[int, str] = {}
        uids = [p.uid for p in pending if p.uid is not None]
        if uids and pending[0].uidvalidity is not None:
            known = recorded_locations(
                self.runtime.engine, pending[0].folder, pending[0].uidvalidity, uids
            )
        redo = [(p, known[p.uid] == "registered") for p in pending if p.uid in known]
        if redo:  # recorded before a crash or by another poller, not moved yet
            left = [p for p, _ in redo if known[p.uid] == Status.IGNORED]
            moved = [(p, ok) for p, ok in redo if known[p.uid] != Status.IGNORED]
            self._finish(moved, [p for p, _ in redo], left)
            stats.already += len(redo)
        todo = [p for p in pending if p.uid is None or p.uid not in known]
        # A one-chunk pipeline: chunk k+1 is parsed (its PDFs read by the workers) while
        # chunk k is recorded, answered and moved.
        waiting: list[Prepared] | None = None
        for chunk in self._chunks(todo):
            prepared = self.prepare(chunk)
            if waiting is not None:
                self._conclude(waiting, stats)
            waiting = prepared
        if waiting is not None:
            self._conclude(waiting, stats)
        self.register_waiting()
        if self.replies is not None:
            self.replies.retry(self._stop)
        return stats

    def register_waiting(self) -> list[Outcome]:
        """Notices that waited for their contract, now imported (ledger mode: every waiting
        one), decided again on their kept files; their senders get the 受付 reply now."""
        settings = self.runtime.settings
        how = Recheck(self.runtime.profile, "mail", settings.register_unknown, self.staff)
        changed = register_waiting(self.runtime.engine, how, self.parse)
        if changed:
            ring()
        for outcome in changed:
            if self.replies is not None:
                self.replies.send(outcome.submission)
        return changed

    def _chunks(self, todo: list[Pending]) -> Iterator[list[Fetched]]:
        for batch in _batches(todo, self.max_bytes, self.batch_messages, self.batch_bytes):
            if self._stop.is_set():
                return
            fetched = self.source.fetch(batch, self.max_bytes)
            self._tell_set_aside()
            for start in range(0, len(fetched), self.commit_every):
                yield fetched[start : start + self.commit_every]

    def _conclude(self, prepared: list[Prepared], stats: PollStats) -> None:
        try:
            outcomes = self.conclude(prepared)
        except Exception as err:
            if isinstance(err, (OSError, MailError, *_transient_errors())):
                raise  # the server or the database went away: the whole pass is retried
            self._failed(prepared, stats, err)
            return
        done: list[tuple[Pending, bool]] = []
        left: list[Pending] = []
        for (fetched, _, _), outcome in zip(prepared, outcomes, strict=True):
            if outcome.status == Status.IGNORED:
                left.append(fetched.pending)  # not a submission: stays where it is
            else:
                done.append((fetched.pending, outcome.registered))
            if outcome.created:
                stats.processed += 1
                stats.by_status[outcome.status] = stats.by_status.get(outcome.status, 0) + 1
                stats.replied += int(outcome.submission.replied)
            else:
                stats.already += 1
        self._finish(done, [f.pending for f, _, _ in prepared], left)

    def _failed(self, prepared: list[Prepared], stats: PollStats, err: Exception) -> None:
        """Recording failed for a reason of one message's own: record the others one by
        one; note the failure of the one (``core.submissions.failures``), which stays in the
        inbox for the next pass and is set aside after MAX_TRIES: then an ``error`` row and a
        staff message say where."""
        if len(prepared) > 1:
            for item in prepared:
                self._conclude([item], stats)
            return
        fetched, incoming, _ = prepared[0]
        why = f"{type(err).__name__}: {err}"
        tries = note_failure(self.runtime.engine, incoming.message_key, why)
        stats.failed += 1
        log.error(
            "message %s not recorded (try %d of %d): %s",
            incoming.message_key,
            tries,
            MAX_TRIES,
            why,
            exc_info=err,
        )
        pending = fetched.pending
        if tries < MAX_TRIES:
            if pending.uid is not None:  # the watermark stays below it: seen again
                self._hold = min(pending.uid, self._hold or pending.uid)
            return
        with inbox_lock(self.runtime.engine, f"{self.source.kind}:{pending.folder}"):
            self.source.shunt([pending])
        place = self.source.error_place(pending)
        event = record_set_aside(
            self.runtime.engine, incoming, place=place, tries=tries, staff=self.staff
        )
        if event is not None:  # staff are told (the outbox) and see it in the list
            ring()
            publish(event)

    def _tell_set_aside(self) -> None:
        """Files the source set aside unopened (Maildir: a link, a FIFO): each an ``error``
        row and a staff message (``failures.record_set_aside_file``)."""
        take = getattr(self.source, "take_set_aside", None)
        if take is None:
            return
        place = self.source.error_place(Pending("", "", None, None, 0))
        for name, why in take():
            event = record_set_aside_file(
                self.runtime.engine, self.source.kind, name, why, place=place, staff=self.staff
            )
            if event is not None:
                ring()
                publish(event)

    def _finish(
        self,
        done: list[tuple[Pending, bool]],
        looked: list[Pending] | None = None,
        left: list[Pending] | None = None,
    ) -> None:
        """Move the processed messages, one poller at a time (see ``inbox_lock``); remember
        the ones ``left`` alone, and that everything ``looked`` at was taken care of."""
        if done:
            name = f"{self.source.kind}:{done[0][0].folder}"
            with inbox_lock(self.runtime.engine, name):
                self.source.finish(done)
        names = [base_name(str(p.ref)) for p in left or [] if p.uid is None]
        if names and self._left is not None:
            leave(self.runtime.engine, self._left_folder, names)
            self._left.update(names)
        note = getattr(self.source, "note_progress", None)
        uids = [p.uid for p in looked or [p for p, _ in done] if p.uid is not None]
        if self._hold is not None:  # never past a message that failed and waits to be retried
            uids = [u for u in uids if u < self._hold]
        if note is not None and uids:
            note(max(uids))

    def _not_left(self, pending: list[Pending]) -> list[Pending]:
        """Without the Maildir files looked at and left alone before (read once per run)."""
        if self.source.kind != "maildir":
            return pending
        if self._left is None:
            self._left_folder = str(Path(getattr(self.source, "path", "")).resolve())
            self._left = left_names(self.runtime.engine, self._left_folder)
        return [p for p in pending if base_name(str(p.ref)) not in self._left]

    def to_incoming(self, fetched: Fetched) -> IncomingMail:
        """The checks' view of a fetched message."""
        item = fetched.pending
        refused = None
        if fetched.headers_only:
            mail = parse_headers(fetched.data, item.size)
            refused = TOO_LARGE.format(
                size_mb=item.size / 1_048_576,
                limit_mb=self.runtime.settings.max_message_mb,
            )
        else:
            mail = parse_message(fetched.data)
        return IncomingMail(
            message_key=mail.message_key,
            message_id=mail.message_id,
            sender=mail.sender,
            sender_count=mail.sender_count,
            subject=mail.subject,
            received_at=item.received_at or mail.date,
            attachments=mail.attachments,
            source=self.source.kind,
            folder=item.folder,
            uidvalidity=item.uidvalidity,
            uid=item.uid,
            refused=refused,
            recipients=mail.recipients,
            text=mail.text,
            headers=mail.headers,
        )

    def handle(self, fetched: Fetched) -> Outcome:
        """Record one message; for a new row, answer the sender and publish the event."""
        return self.handle_many([fetched])[0]

    def handle_many(self, items: list[Fetched]) -> list[Outcome]:
        """Parse, check and record messages (one transaction), then answer and publish."""
        return self.conclude(self.prepare(items))

    def prepare(self, items: list[Fetched]) -> list[Prepared]:
        """Parse each message's MIME here and hand its checks (PDF reading, in isolated
        worker processes, one per helper thread) to the helper threads."""
        pool = self._pool()
        prepared: list[Prepared] = []
        for fetched in items:
            incoming = self.to_incoming(fetched)
            future = pool.submit(examine_safely, incoming, self.parse, self.terms)
            prepared.append((fetched, incoming, future))
        return prepared

    def conclude(self, prepared: list[Prepared]) -> list[Outcome]:
        """Record prepared messages in one transaction; answer and publish the new ones."""
        examined = [(incoming, future.result()) for _, incoming, future in prepared]
        settings = self.runtime.settings
        outcomes = record_batch(
            self.runtime.engine,
            examined,
            self.runtime.profile,
            staff=self.staff,
            reply_limit=settings.reply_limit_per_hour,
            own=(settings.mail_from or "",),
            register_unknown=settings.register_unknown,
        )
        ring()  # the staff messages just owed go out now
        for outcome in outcomes:
            if outcome.created and outcome.status != Status.IGNORED:
                if self.replies is not None:
                    self.replies.send(outcome.submission)
                self._publish(outcome)
        return outcomes

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self.pdf_workers, thread_name_prefix="hosho-pdf"
            )
        return self._executor

    def warm_up(self) -> None:
        """Start the PDF worker processes now rather than at the first message."""
        if self.parse != self._parse_in_worker:
            return
        pool = self._pool()
        barrier = threading.Barrier(self.pdf_workers)

        def start() -> None:
            barrier.wait(timeout=60)  # one task per helper thread
            self._parse_in_worker(WARM_UP_PDF)

        for future in [pool.submit(start) for _ in range(self.pdf_workers)]:
            future.result()

    def _parse_in_worker(self, data: bytes) -> ParsedDocument:
        """parse_pdf in this helper thread's own isolated worker process."""
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = self._local.worker = PdfWorker(ocr=OcrLimits.of(self.runtime.settings))
            with self._lock:
                self._workers.append(worker)
        return worker.parse(data)

    def _publish(self, outcome: Outcome) -> None:
        publish(outcome_event(outcome))

    # -- long-running -------------------------------------------------------------------

    def stop(self) -> None:
        """Ask run_forever to end (returns at once; the loop ends within about a second)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once stop() was called."""
        return self._stop.is_set()

    def close(self) -> None:
        """Disconnect from the inbox."""
        self._connected = False
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()
        self._local = threading.local()
        try:
            self.source.close()
        except Exception:  # noqa: BLE001
            log.debug("closing the inbox failed", exc_info=True)

    def run_forever(self) -> None:
        """Poll until stop(): IDLE or HOSHO_POLL_SECONDS between passes; on any connection
        error, reconnect after an exponential backoff with jitter (1 s doubling to 5 min).
        Meanwhile the replies owed go out within seconds (``Replies.run_until``)."""
        backoff = BACKOFF_FIRST
        seconds = self.runtime.settings.poll_seconds
        answering = self._answer_meanwhile()
        while not self._stop.is_set():
            try:
                stats = self.run_once()
                if stats.seen:
                    log.info("poll: %s", stats)
                backoff = BACKOFF_FIRST
                if not self._stop.is_set():
                    self.source.wait(self._stop, seconds)
            except Exception as err:  # noqa: BLE001 - the loop must outlive any failure
                self.close()
                delay = backoff * random.uniform(0.5, 1.5)
                if isinstance(err, (OSError, MailError, EOFError, *_transient_errors())):
                    log.warning(
                        "inbox error (%s: %s); reconnecting in %.1f s",
                        type(err).__name__,
                        err,
                        delay,
                    )
                else:
                    log.exception("poller failed; retrying in %.1f s", delay)
                self._stop.wait(delay)
                backoff = min(backoff * 2, BACKOFF_MAX)
        self.close()
        if answering is not None:
            answering.join(10)

    def _answer_meanwhile(self) -> threading.Thread | None:
        """Replies owed while the loop waits for mail (IDLE may wait minutes), e.g. by a
        decision staff made in Slack: sent from a thread within seconds, until stop()."""
        if self.replies is None:
            return None
        thread = threading.Thread(
            target=self.replies.run_until, args=(self._stop,), name="hosho-replies", daemon=True
        )
        thread.start()
        return thread

    def start_thread(self) -> threading.Thread:
        """Run forever in a daemon thread (``hosho run``); stop it with ``stop()``."""
        thread = threading.Thread(target=self.run_forever, name="hosho-poller", daemon=True)
        thread.start()
        return thread


def _transient_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean "the server or the database went away": retried quietly."""
    import imaplib

    from imapclient.exceptions import IMAPClientError
    from sqlalchemy.exc import OperationalError

    return (IMAPClientError, imaplib.IMAP4.abort, imaplib.IMAP4.error, OperationalError)
