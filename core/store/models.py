"""Database tables (SQLModel). Alembic migrations in ``migrations/`` create them.

Glossary of the domain terms used as column names:
- お客様ID (``customer_id``): the contractor's ID at the surety company (e-Net保証).
- 保証契約番号 (``contract_number``): the surety contract number; text, leading zeros kept.
- 認証キー (``auth_key``): the key the orderer needs on D-Sure to view the certificate.
- 発注者 (``orderer``): the municipality that ordered the work. 工事名: ``project_name``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware (SQLModel stores and returns datetimes as UTC)."""
    return datetime.now(UTC)


class Contractor(SQLModel, table=True):
    """受注者: a contractor known by its お客様ID."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ChatLink(SQLModel, table=True):
    """A chat user (``platform`` e.g. "slack" or "terminal", and its id there) linked to a
    contractor; one contractor, many users."""

    __table_args__ = (UniqueConstraint("platform", "user_id", name="uq_chatlink_user"),)

    id: int | None = Field(default=None, primary_key=True)
    contractor_id: int = Field(foreign_key="contractor.id", index=True)
    platform: str = Field(max_length=20)
    user_id: str = Field(max_length=64)
    linked_by: str = Field(max_length=64)
    linked_at: datetime = Field(default_factory=utcnow)


class LinkCode(SQLModel, table=True):
    """A one-time code e-mailed to a contractor so a chat user can link itself."""

    id: int | None = Field(default=None, primary_key=True)
    contractor_id: int = Field(foreign_key="contractor.id", index=True)
    platform: str = Field(max_length=20)
    user_id: str = Field(max_length=64, index=True)
    code_hash: str = Field(max_length=128)
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Contract(SQLModel, table=True):
    """A surety contract with its certificate (電子証書) data and 認証キー."""

    id: int | None = Field(default=None, primary_key=True)
    contract_number: str = Field(index=True, unique=True, max_length=64)
    kind: str = Field(max_length=20)
    contractor_id: int = Field(foreign_key="contractor.id", index=True)
    orderer: str = Field(max_length=200)
    project_name: str = Field(max_length=400)
    work_type: str = Field(max_length=40)
    contract_date: date
    contract_amount: int
    guarantee_amount: int
    period_start: date
    period_end: date
    auth_key: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """One e-mail taken from the town inbox and what became of it (exactly one row each).

    ``message_key`` is the Message-ID, or ``sha256:<hash of the raw message>`` when there is
    none; (folder, uidvalidity, uid) is where the poller found it.
    """

    __table_args__ = (
        UniqueConstraint("message_key", name="uq_submission_message"),
        UniqueConstraint("folder", "uidvalidity", "uid", name="uq_submission_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(max_length=998)
    message_id: str | None = Field(default=None, max_length=998)
    source: str = Field(default="imap", max_length=20)
    folder: str = Field(default="", max_length=200)
    uidvalidity: int | None = None
    uid: int | None = None
    sender: str = Field(default="", max_length=998)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    received_at: datetime | None = None
    contract_number: str | None = Field(default=None, max_length=64, index=True)
    document: str | None = Field(default=None, max_length=40)
    status: str = Field(max_length=32, index=True)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: The sender is owed an answer (受付 or the reason); ``replied`` once it was sent.
    reply_due: bool = False
    replied: bool = False
    #: The reply's Message-ID, made once at the first try and reused on a resend; while
    #: ``reply_lease_until`` is in the future one process is sending it (``mailbox.replies``).
    reply_message_id: str | None = Field(default=None, max_length=998)
    reply_lease_until: datetime | None = None
    #: Why the sender is not answered (a robot, a mailing list, DMARC failed, the hourly
    #: limit; ``hosho.core.submissions.answering``); shown to staff. "" when answered.
    no_reply: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    processed_at: datetime = Field(default_factory=utcnow, index=True)
    #: False when registered from the notice alone (ledger mode, no imported contract).
    verified: bool = True
    #: Who decided by hand (``submissions accept``/``reject``); None: hosho decided.
    decided_by: str | None = Field(default=None, max_length=64)
    #: The town's own submission addresses (the profile's ``all_addresses``) found in the
    #: mail's To/Cc, lower-case, comma-separated; never anyone else's. "" when none (and on
    #: rows recorded before migration 0007). The address rule reads it when deciding again.
    sent_to: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ReceivedFile(SQLModel, table=True):
    """A file received with a submission (the notice PDF, or what was sent instead), kept
    byte for byte so staff can open it later; ``data`` is None once purged."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    filename: str = Field(default="", max_length=400)
    content_type: str = Field(default="application/octet-stream", max_length=200)
    sha256: str = Field(max_length=64)
    size: int
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    purged_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """A staff notification owed to one channel (``slack`` or ``email``), written in the same
    transaction as what it tells (``core.submissions.outbox``). ``key`` names it once
    (``submission:12:slack``, ``digest:2026-11-29:email``); a process claims it until
    ``lease_until``, delivers it, and sets ``delivered_at``; a failed try waits ``due_at``."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("key", name="uq_outbox_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    channel: str = Field(max_length=20, index=True)
    kind: str = Field(max_length=20)
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    #: JSON: what the message says (a ``SubmissionEvent``, or the digest's subject and text).
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    due_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    lease_until: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=100)
    delivered_at: datetime | None = Field(default=None, index=True)
    last_error: str = Field(default="", max_length=300)


class MailFailure(SQLModel, table=True):
    """A message that could not be recorded (status ``error``): how many passes failed on
    it and the last error; set aside (``shunted_at``) after a few tries, like Mailman's
    shunt queue (``core.submissions.failures``)."""

    __table_args__ = (UniqueConstraint("message_key", name="uq_mailfailure_key"),)

    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(max_length=998)
    tries: int = 0
    last_error: str = Field(default="", max_length=300)
    first_at: datetime = Field(default_factory=utcnow)
    last_at: datetime = Field(default_factory=utcnow)
    shunted_at: datetime | None = None


class DsureRegistration(SQLModel, table=True):
    """D-Sure register: the notice of this contract reached the town (once per contract)."""

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", unique=True)
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    registered_at: datetime = Field(default_factory=utcnow)
    registered_by: str = Field(default="mail", max_length=64)


class NoticeRecord(SQLModel, table=True):
    """Ledger mode (HOSHO_REGISTER_UNKNOWN): a contract the town knows only from the notice a
    contractor sent, registered for D-Sure lookup as the notice says (unverified)."""

    id: int | None = Field(default=None, primary_key=True)
    contract_number: str = Field(index=True, unique=True, max_length=64)
    auth_key: str = Field(max_length=32)
    kind: str | None = Field(default=None, max_length=20)
    orderer: str | None = Field(default=None, max_length=200)
    project_name: str | None = Field(default=None, max_length=400)
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    registered_at: datetime = Field(default_factory=utcnow)
    registered_by: str = Field(default="mail", max_length=64)


class LookupAttempt(SQLModel, table=True):
    """One D-Sure lookup attempt (for the lock-out rule). Never stores the key tried."""

    id: int | None = Field(default=None, primary_key=True)
    contract_number: str = Field(max_length=64, index=True)
    actor: str = Field(max_length=64, index=True)
    success: bool
    at: datetime = Field(default_factory=utcnow, index=True)


class AuditLog(SQLModel, table=True):
    """Who did what, when, with what result. Never holds an auth key."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    target: str = Field(default="", max_length=200)
    result: str = Field(default="", max_length=64)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class MailboxState(SQLModel, table=True):
    """Per-folder IMAP state: the UIDVALIDITY the stored UIDs belong to."""

    __table_args__ = (UniqueConstraint("source", "folder", name="uq_mailbox_folder"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)
    folder: str = Field(max_length=200)
    uidvalidity: int | None = None
    last_uid: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class LeftMessage(SQLModel, table=True):
    """A message of a local Maildir that hosho looked at and left where it was (not a
    submission: status ``ignored``), by its file name without flags, so that it is not
    read again. (IMAP folders need no such record: the poller keeps a UID watermark in
    ``MailboxState.last_uid``.)"""

    __table_args__ = (UniqueConstraint("folder", "name", name="uq_leftmessage_name"),)

    id: int | None = Field(default=None, primary_key=True)
    folder: str = Field(max_length=400)
    name: str = Field(max_length=255)
    at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """A chat event already handled (Slack event_id / retry dedup across replicas)."""

    event_key: str = Field(primary_key=True, max_length=200)
    at: datetime = Field(default_factory=utcnow)
