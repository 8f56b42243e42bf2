"""The daily digest (日報) mailed to staff at HOSHO_DIGEST_AT (town time): yesterday's
submissions by status, and what waits for a person (``needs_review``, and notices of a
contract not imported yet, ``unknown_contract``). Never carries the 認証キー.

It goes out through the outbox (:mod:`hosho.core.submissions.outbox`) as one row keyed by
its date, so with several replicas the first one to write it wins and it is sent once.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from hosho.core.chat.replies import local_time
from hosho.core.settings import Settings
from hosho.core.store.db import session_scope
from hosho.core.store.models import OutboxMessage, Submission, utcnow
from hosho.core.submissions.outbox import DIGEST, EMAIL
from hosho.core.submissions.statuses import Status, label_of
from hosho.core.wareki import JST, to_wareki

log = logging.getLogger(__name__)

#: Statuses that wait for a person.
WAITING = (Status.NEEDS_REVIEW.value, Status.UNKNOWN_CONTRACT.value)
#: At most this many waiting submissions are listed one by one.
LIST_AT_MOST = 50


def digest_day(digest_at: str, now: datetime) -> date | None:
    """The town date whose digest is due at ``now``: today, once HH:MM town time has come."""
    hour, minute = (int(part) for part in digest_at.split(":"))
    local = now.astimezone(JST)
    return local.date() if (local.hour, local.minute) >= (hour, minute) else None


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), JST).astimezone(UTC)
    return start, start + timedelta(days=1)


def digest_text(session: Session, day: date) -> tuple[str, str]:
    """The subject and text of the digest sent on ``day`` (about the day before)."""
    yesterday = day - timedelta(days=1)
    start, end = _day_bounds(yesterday)
    counts = session.exec(
        select(Submission.status, func.count())
        .where(Submission.processed_at >= start, Submission.processed_at < end)  # type: ignore[arg-type]
        .where(Submission.status != Status.IGNORED.value)
        .group_by(Submission.status)
    ).all()
    waiting = session.exec(
        select(Submission)
        .where(col(Submission.status).in_(WAITING))
        .order_by(col(Submission.id))
        .limit(LIST_AT_MOST + 1)
    ).all()
    waiting_total = session.exec(
        select(func.count()).select_from(Submission).where(col(Submission.status).in_(WAITING))
    ).one()
    total = sum(count for _, count in counts)
    lines = [f"{to_wareki(yesterday)}（{yesterday.isoformat()}）に処理したメール: {total} 件"]
    lines += [
        f"  {label_of(status)} ({status}): {count} 件"
        for status, count in sorted(counts, key=lambda c: (-c[1], c[0]))
    ]
    lines += ["", f"職員の確認を待っているもの: {waiting_total} 件"]
    for row in waiting[:LIST_AT_MOST]:
        lines.append(
            f"  #{row.id} {label_of(row.status)} 保証契約番号 {row.contract_number or '-'}"
            f" / 差出人 {row.sender} / {local_time(row.processed_at)}"
        )
    if waiting_total > LIST_AT_MOST:
        lines.append(f"  ほか {waiting_total - LIST_AT_MOST} 件（hosho submissions list）")
    subject = f"[hosho] 電子保証 日報 {to_wareki(yesterday)}"
    return subject, "\n".join(lines) + "\n"


def owe_digest(engine: Engine, settings: Settings, now: datetime | None = None) -> bool:
    """Write today's digest into the outbox once it is due (True when this call wrote it).

    Keyed by its date: a second call, or another replica, finds it written and does nothing.
    """
    if not settings.digest_at or not settings.staff_addresses:
        return False
    day = digest_day(settings.digest_at, now or utcnow())
    if day is None:
        return False
    key = f"{EMAIL}:{DIGEST}:{day.isoformat()}"
    try:
        with session_scope(engine) as session:
            if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first():
                return False
            subject, text = digest_text(session, day)
            payload = json.dumps({"subject": subject, "text": text}, ensure_ascii=False)
            session.add(OutboxMessage(key=key, channel=EMAIL, kind=DIGEST, payload=payload))
    except IntegrityError:  # another replica wrote it first
        return False
    log.info("daily digest for %s owed to staff", day.isoformat())
    return True


def digest_of(message: OutboxMessage) -> tuple[str, str]:
    """The subject and text an outbox row of kind ``digest`` carries."""
    data = json.loads(message.payload)
    return str(data["subject"]), str(data["text"])
