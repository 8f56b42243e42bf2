"""The checks of a submission (提出) that need no database.

The mail front end turns a message into an :class:`IncomingMail`; :func:`examine` checks
the sender's address (email-validator, no DNS) and that a PDF is attached, readable, and
is the 認証キー等のお知らせ (STEP4 notice) rather than the 電子証書 (STEP3 certificate
view). What needs the database (a known 保証契約番号, the matching 認証キー, the town's
rules, not already registered) is decided in :mod:`hosho.core.submissions.decision`.
Whether the message is a submission at all is decided first
(:mod:`hosho.core.submissions.claim`); an ordinary message ends as ``ignored``. Nothing
here knows IMAP.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from hosho.core.documents.ocr import MIN_PHOTO_BYTES, PHOTO_TYPES, looks_like_image
from hosho.core.documents.reader import ParsedDocument, looks_like_pdf
from hosho.core.rules.profile import Profile
from hosho.core.store.models import Contract, Contractor, NoticeRecord, Submission
from hosho.core.submissions.answering import (
    BAD_SENDER,
    NOT_A_SUBMISSION,
    OWN_ADDRESS,
    MailHeaders,
    why_not_answered,
)
from hosho.core.submissions.archives import encrypted_zip
from hosho.core.submissions.claim import DEFAULT, Terms, reads_as_submission
from hosho.core.submissions.statuses import ENCRYPTED_ZIP, RICH_TEXT, SEVERAL_NOTICES, Status

log = logging.getLogger(__name__)

#: PDFs (then photos) read per message at most (each may take the reader's whole time limit).
MAX_PDFS = 10
#: Photos read per message at most (OCR takes 1-3 s a page).
MAX_PHOTOS = 3

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

    @property
    def looks_like_photo(self) -> bool:
        """A scan or photo of a page (JPEG or PNG, not a tiny logo): read by OCR."""
        photo = looks_like_image(self.data) or self.content_type in PHOTO_TYPES
        return photo and len(self.data) >= MIN_PHOTO_BYTES and not self.looks_like_pdf


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
    #: The body text (text/plain or HTML parts, also of forwarded messages).
    text: str = ""
    #: What the reply decision reads (automatic mail, threads, DMARC).
    headers: MailHeaders = field(default_factory=MailHeaders)


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
    #: Ledger mode: the record made from the notice alone (no contract was imported).
    notice_record: NoticeRecord | None = None

    @property
    def status(self) -> str:
        """The submission's status."""
        return self.submission.status

    @property
    def registered(self) -> bool:
        """True when this message registered its notice (goes to hosho/registered)."""
        return self.submission.status == Status.REGISTERED


#: A local part whose only fault is where its dots are (``taro..yamada.``): addresses of
#: that shape were given out by Japanese mobile carriers (docomo, au, SoftBank) before
#: 2009, are still in use, and their mail is delivered; RFC 5322 keeps them as obsolete
#: syntax. Only the characters of a dot-atom are allowed.
_LOOSE_DOTS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")


@lru_cache(maxsize=4096)  # the same contractors write again and again
def sender_valid(address: str) -> bool:
    """Syntax check of an e-mail address with email-validator, without DNS; a local part
    with dots in odd places (``_LOOSE_DOTS``, a Japanese carrier's old address) is valid
    when the rest is."""
    if not address or len(address) > 320:
        return False
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        local, at, domain = address.rpartition("@")
        if not at or not _LOOSE_DOTS.fullmatch(local) or "." not in local:
            return False
        tidy = ".".join(p for p in local.split(".") if p)  # its dots tidied
        if not tidy:
            return False
        try:  # is the rest valid?
            validate_email(f"{tidy}@{domain}", check_deliverability=False)
        except EmailNotValidError:
            return False
    return True


def _japanese(text: str) -> str:
    """The Japanese half of a parser reason written ``日本語 / English``."""
    return text.split(" / ", 1)[0].strip().rstrip("。") or "形式が不明です"


def examine(
    mail: IncomingMail, parse: PdfParser, terms: Terms = DEFAULT, *, claimed: bool = False
) -> Examined:
    """Run the checks that need no database (call it outside a transaction: it parses PDFs).

    A message that names no submission term and has no PDF reading as a notice or a
    certificate is ``ignored`` (not a submission: left alone), unless it was ``claimed``
    as one before (a recorded submission checked again)."""
    ok = mail.sender_count == 1 and sender_valid(mail.sender)
    names = (a.filename for a in mail.attachments)
    named = claimed or terms.named_in(mail.subject, mail.text, *names)
    if mail.refused:  # only the headers were read
        if not named:
            return Examined(ok, Status.IGNORED, Status.IGNORED.reason())
        return Examined(ok, Status.UNREADABLE, mail.refused)
    pdfs = [a for a in mail.attachments if a.looks_like_pdf]
    photos = [a for a in mail.attachments if a.looks_like_photo][:MAX_PHOTOS]
    pdfs = (pdfs + photos)[:MAX_PDFS]
    parsed = [] if named and not ok else [parse(a.data) for a in pdfs]
    if not named and not reads_as_submission(parsed):
        return Examined(ok, Status.IGNORED, Status.IGNORED.reason())
    if not ok:
        return Examined(
            False, Status.REJECTED_SENDER, Status.REJECTED_SENDER.reason(sender=mail.sender)
        )
    if not pdfs:
        if _any_encrypted_zip(mail.attachments):
            return Examined(True, Status.UNREADABLE, ENCRYPTED_ZIP)
        # Outlook's rich text with nothing taken out of it (its files would be beside it)
        files = [a.filename.lower() for a in mail.attachments]
        rich = "winmail.dat" in files and all(f == "winmail.dat" for f in files)
        why = RICH_TEXT if rich else Status.NO_ATTACHMENT.reason()
        return Examined(True, Status.NO_ATTACHMENT, why)
    notices = [p for p in parsed if p.document == "auth_key_notice" and p.contract_number]
    if any(n.source != "ocr" for n in notices):  # the PDF itself beats a photo of it
        notices = [n for n in notices if n.source != "ocr"]
    if not notices:
        if any(p.document == "certificate" for p in parsed):
            wrong = Status.WRONG_DOCUMENT
            return Examined(True, wrong, wrong.reason(), "certificate")
        if _any_encrypted_zip(mail.attachments):  # the notice is likely inside it
            return Examined(True, Status.UNREADABLE, ENCRYPTED_ZIP, "unknown")
        detail = _japanese(parsed[0].reason)
        unreadable = Status.UNREADABLE
        return Examined(True, unreadable, unreadable.reason(detail=detail), "unknown")
    if len({n.contract_number for n in notices}) > 1:
        return Examined(True, Status.WRONG_DOCUMENT, SEVERAL_NOTICES, "auth_key_notice")
    return Examined(True, None, "", "auth_key_notice", notices[0])


def _any_encrypted_zip(attachments: list[Attachment]) -> bool:
    """A password-protected ZIP among the files (told by its bytes, whatever its name)."""
    return any(encrypted_zip(a.data) for a in attachments)


def examine_safely(
    mail: IncomingMail, parse: PdfParser, terms: Terms = DEFAULT, *, claimed: bool = False
) -> Examined:
    """``examine``, with an unexpected failure turned into status ``error``."""
    try:
        return examine(mail, parse, terms, claimed=claimed)
    except Exception:  # noqa: BLE001 - a bug or a parser crash must not lose the message
        log.exception("checking message %s failed", mail.message_key)
        return Examined(sender_valid(mail.sender), Status.ERROR, "")


def why_no_reply(mail: IncomingMail, examined: Examined, profile: Profile) -> str:
    """Why the sender gets no answer (a Japanese reason staff see), ``""`` when one is due:
    only a submission from a valid address of a person, not the town's own address (hosho's
    From is checked with the hourly limit, ``reply_limit``), not a robot or a reply to hosho
    (see ``answering``)."""
    if examined.status == Status.IGNORED:
        return NOT_A_SUBMISSION
    if not examined.sender_ok:
        return BAD_SENDER
    mine = {address.lower() for address in profile.all_addresses if address}
    if mail.sender.lower() in mine:
        return OWN_ADDRESS
    return why_not_answered(mail.headers, mail.sender)
