"""The checks of a submission (提出) that need no database.

The mail front end turns a message into an :class:`IncomingMail`; :func:`examine` checks
the sender's address (email-validator, no DNS) and that a PDF is attached, readable, and
is the 認証キー等のお知らせ (STEP4 notice) rather than the 電子証書 (STEP3 certificate
view). What needs the database (a known 保証契約番号, the matching 認証キー, the town's
rules, not already registered) is decided in :mod:`hosho.core.submissions.decision`.
Nothing here knows IMAP.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from hosho.core.documents.reader import ParsedDocument, looks_like_pdf
from hosho.core.rules.profile import Profile
from hosho.core.store.models import Contract, Contractor, Submission
from hosho.core.submissions.statuses import SEVERAL_NOTICES, Status

log = logging.getLogger(__name__)

#: PDFs read per message at most (each may take the reader's whole time limit).
MAX_PDFS = 10

PdfParser = Callable[[bytes], ParsedDocument]


@dataclass(frozen=True)
class Attachment:
    """One attached file: its name as sent, its bytes, its declared MIME type."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"

    @property
    def looks_like_pdf(self) -> bool:
        """PDF bytes, or declared as PDF by type or name."""
        return (
            looks_like_pdf(self.data)
            or self.content_type == "application/pdf"
            or self.filename.lower().endswith(".pdf")
        )


@dataclass
class IncomingMail:
    """One message as the checks need it. ``refused`` (a Japanese reason) marks a message
    that was not downloaded (too large); it is recorded as ``unreadable``."""

    message_key: str
    sender: str
    subject: str = ""
    message_id: str | None = None
    received_at: datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)
    source: str = "imap"
    folder: str = ""
    uidvalidity: int | None = None
    uid: int | None = None
    sender_count: int = 1
    refused: str | None = None
    recipients: list[str] = field(default_factory=list)
    #: An automatic message (bounce, auto-reply): never answered, to avoid mail loops.
    auto_submitted: bool = False


@dataclass(frozen=True)
class Examined:
    """The checks that need no database: sender, attachments, PDF reading."""

    sender_ok: bool
    status: Status | None = None
    reason: str = ""
    document: str | None = None
    notice: ParsedDocument | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of a message. ``created`` is False when it had been recorded before."""

    submission: Submission
    created: bool
    sender_ok: bool
    contract: Contract | None = None
    contractor: Contractor | None = None

    @property
    def status(self) -> str:
        """The submission's status."""
        return self.submission.status

    @property
    def registered(self) -> bool:
        """True when this message registered its notice (goes to hosho/registered)."""
        return self.submission.status == Status.REGISTERED


@lru_cache(maxsize=4096)  # the same contractors write again and again
def sender_valid(address: str) -> bool:
    """Syntax check of an e-mail address with email-validator, without DNS."""
    if not address or len(address) > 320:
        return False
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _japanese(text: str) -> str:
    """The Japanese half of a parser reason written ``日本語 / English``."""
    return text.split(" / ", 1)[0].strip().rstrip("。") or "形式が不明です"


def examine(mail: IncomingMail, parse: PdfParser) -> Examined:
    """Run the checks that need no database (call it outside a transaction: it parses PDFs)."""
    ok = mail.sender_count == 1 and sender_valid(mail.sender)
    if mail.refused:
        return Examined(ok, Status.UNREADABLE, mail.refused)
    if not ok:
        return Examined(
            False, Status.REJECTED_SENDER, Status.REJECTED_SENDER.reason(sender=mail.sender)
        )
    pdfs = [a for a in mail.attachments if a.looks_like_pdf][:MAX_PDFS]
    if not pdfs:
        return Examined(True, Status.NO_ATTACHMENT, Status.NO_ATTACHMENT.reason())
    parsed = [parse(a.data) for a in pdfs]
    notices = [p for p in parsed if p.document == "auth_key_notice" and p.contract_number]
    if not notices:
        if any(p.document == "certificate" for p in parsed):
            wrong = Status.WRONG_DOCUMENT
            return Examined(True, wrong, wrong.reason(), "certificate")
        detail = _japanese(parsed[0].reason)
        unreadable = Status.UNREADABLE
        return Examined(True, unreadable, unreadable.reason(detail=detail), "unknown")
    if len({n.contract_number for n in notices}) > 1:
        return Examined(True, Status.WRONG_DOCUMENT, SEVERAL_NOTICES, "auth_key_notice")
    return Examined(True, None, "", "auth_key_notice", notices[0])


def examine_safely(mail: IncomingMail, parse: PdfParser) -> Examined:
    """``examine``, with an unexpected failure turned into status ``error``."""
    try:
        return examine(mail, parse)
    except Exception:  # noqa: BLE001 - a bug or a parser crash must not lose the message
        log.exception("checking message %s failed", mail.message_key)
        return Examined(sender_valid(mail.sender), Status.ERROR, "")


def reply_due(mail: IncomingMail, examined: Examined, profile: Profile) -> bool:
    """Whether the sender gets an answer: a valid address, a person (not an automatic
    message), and not the town's own address (no mail loops)."""
    own = {address.lower() for address in profile.all_addresses}
    return examined.sender_ok and not mail.auto_submitted and mail.sender.lower() not in own
