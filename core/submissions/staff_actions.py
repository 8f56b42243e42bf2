"""A person in the loop (担当者の判断): what town staff do with a submission hosho could not
decide, from the CLI (``hosho submissions …``) or chat (``/hosho submissions …``).

- ``show``: the row, its kept files and what they read as (the 認証キー never shown);
- ``accept``: register what hosho could not read, with the 保証契約番号 and 認証キー staff
  read off the file; checked against the ledger like a mail (``decide``); audited, the key
  never echoed, logged or stored outside the register;
- ``reject``: status ``rejected`` with the staff's own reason, told to the sender;
- ``retry``: read the kept file again through the same checks and decision.

Each refuses bad input with one line: an unknown ID, a key where the number goes, a number
where the key goes, accepting what is registered already, taking back a person's decision.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from hosho.core.contracts.authkey import redact
from hosho.core.documents.finding import checked_key
from hosho.core.documents.reader import ParsedDocument, looks_like_pdf
from hosho.core.errors import DocumentError, HoshoError, NotFound
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import Submission
from hosho.core.submissions.checks import Examined, Outcome, PdfParser
from hosho.core.submissions.kept_files import files_of
from hosho.core.submissions.outbox import notify_outcomes
from hosho.core.submissions.rechecking import (
    Recheck,
    decide_again,
    examine_again,
    locked_row,
    mail_of,
    owe_reply,
)
from hosho.core.submissions.statuses import Status, label_of
from hosho.core.text import normalize_number

#: A 保証契約番号: digits with inner hyphens, after an optional short letter prefix.
_NUMBER = re.compile(r"(?:[A-Z]{1,3}-?)?[0-9](?:[0-9]|-(?=[0-9])){3,62}")
#: Something shaped like a 認証キー: 16 letters or digits, at least one a letter.
_KEY_SHAPE = re.compile(r"(?=[0-9A-Z-]*[A-Z])[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}")
#: What the sender and the staff are told when number and key do not match the ledger
#: (a wrong number and a wrong key look the same).
NO_MATCH = "保証契約番号または認証キーが契約台帳と一致しません。"


def submission_id(text: str) -> int:
    """The submission ID a person typed (``12`` or ``#12``)."""
    value = text.strip().lstrip("#")
    if not value.isdigit() or len(value) > 12:
        raise HoshoError(f"提出IDは数字で指定してください: {redact(text)[:40]}")
    return int(value)


def contract_number_of(text: str) -> str:
    """A 保証契約番号 as typed, normalised; refuses a key typed in its place."""
    number = normalize_number(text)
    if _KEY_SHAPE.fullmatch(number):
        raise HoshoError(
            "保証契約番号の欄に認証キーのような値があります。番号とキーを確かめてください。"
        )
    if not _NUMBER.fullmatch(number):
        raise HoshoError("保証契約番号の形式ではありません（数字とハイフン）。")
    return number


def auth_key_of(text: str) -> str:
    """A 認証キー as typed, as XXXX-XXXX-XXXX-XXXX; refuses a number typed in its place.
    The message never repeats what was typed."""
    if _NUMBER.fullmatch(normalize_number(text)):
        raise HoshoError(
            "認証キーの欄に保証契約番号のような値があります。番号とキーを確かめてください。"
        )
    try:
        return checked_key(text)
    except DocumentError:
        raise HoshoError(
            "認証キーの形式ではありません（英数字16文字、XXXX-XXXX-XXXX-XXXX）。"
        ) from None


def _row(session: Session, ident: int) -> Submission:
    row = locked_row(session, ident)
    if row is None:
        raise NotFound(f"提出 #{ident} は見つかりません。")
    return row


def _not_registered(row: Submission) -> None:
    if row.status == Status.REGISTERED:
        raise HoshoError(f"提出 #{row.id} はすでに受付済みです（D-Sure登録済み）。")


def show(engine: Engine, ident: int, parse: PdfParser | None = None) -> dict[str, Any]:
    """One submission: its row, its kept files and, with ``parse``, what each kept PDF
    reads as (whether a key was read, never the key)."""
    with session_scope(engine) as session:
        row = _row(session, ident)
        files = files_of(session, ident)
    view: dict[str, Any] = {
        "id": row.id,
        "message_id": row.message_id and redact(row.message_id),
        "sender": redact(row.sender),
        "subject": row.subject,
        "received_at": row.received_at.isoformat() if row.received_at else None,
        "processed_at": row.processed_at.isoformat(),
        "contract_number": row.contract_number,
        "document": row.document,
        "status": row.status,
        "label": label_of(row.status),
        "reason": row.reason,
        "verified": row.verified,
        "decided_by": row.decided_by,
        "replied": row.replied,
        "no_reply": row.no_reply,
        "files": [],
    }
    for kept in files:
        item: dict[str, Any] = {
            "filename": kept.filename,
            "content_type": kept.content_type,
            "size": kept.size,
            "sha256": kept.sha256,
            "kept": kept.data is not None,
        }
        if parse is not None and kept.data is not None:
            parsed = parse(kept.data)
            item["parsed"] = {
                "document": parsed.document,
                "contract_number": parsed.contract_number,
                "auth_key_read": parsed.auth_key is not None,
                "source": parsed.source,
                "reason": parsed.reason,
            }
        view["files"].append(item)
    return view


def kept_pdf(engine: Engine, ident: int) -> bytes:
    """The PDF received with a submission, byte for byte (the first one kept)."""
    with session_scope(engine) as session:
        _row(session, ident)
        files = files_of(session, ident)
    pdfs = [f for f in files if f.data is not None and looks_like_pdf(f.data)]
    if not pdfs:
        purged = any(f.data is None for f in files)
        why = "保存期間を過ぎて削除されています" if purged else "PDFは届いていません"
        raise HoshoError(f"提出 #{ident} のPDFはありません（{why}）。")
    data = pdfs[0].data
    assert data is not None
    return data


def accept(engine: Engine, ident: int, number: str, key: str, how: Recheck) -> Outcome:
    """Register submission ``ident`` with the number and key a person read off its file.

    Checked like a mail (known number, matching key, covered, not registered yet; in
    ledger mode an unknown number is recorded from what was typed); refused with one line
    otherwise, and nothing changes."""
    number, key = contract_number_of(number), auth_key_of(key)
    notice = ParsedDocument("auth_key_notice", number, key, source="staff")
    examined = Examined(True, None, "", "auth_key_notice", notice)
    with session_scope(engine) as session:
        row = _row(session, ident)
        _not_registered(row)
        outcome = decide_again(session, row, examined, how, decided_by=how.by)
        if row.status in (Status.UNKNOWN_CONTRACT, Status.KEY_MISMATCH):
            raise HoshoError(NO_MATCH)
        if row.status == Status.DUPLICATE:
            raise HoshoError(f"保証契約番号 {number} はすでに受付済みです（D-Sure登録済み）。")
        if row.status != Status.REGISTERED:
            raise HoshoError(f"受け付けできません: {label_of(row.status)} — {row.reason}")
        record(session, actor=how.by, action="submissions.accept", target=f"#{ident}", result="ok")
    return outcome


def reject(engine: Engine, ident: int, reason: str, how: Recheck) -> Submission:
    """Reject submission ``ident`` with the staff's own reason (told to the sender)."""
    text = " ".join(reason.split())
    if not text:
        raise HoshoError("差戻しの理由を書いてください（--reason）。")
    if redact(text) != text:
        raise HoshoError("理由に認証キーのような値があります。キーは書かないでください。")
    with session_scope(engine) as session:
        row = _row(session, ident)
        _not_registered(row)
        before = row.status
        row.status = Status.REJECTED.value
        row.reason = Status.REJECTED.reason(detail=text[:1000], contact=how.profile.contact)
        row.decided_by = how.by[:64]
        owe_reply(row)
        session.add(row)
        notify_outcomes(session, [Outcome(row, True, True)], how.staff)
        record(
            session,
            actor=how.by,
            action="submissions.reject",
            target=f"#{ident}",
            result="ok",
            before=before,
        )
    return row


def retry(engine: Engine, ident: int, parse: PdfParser, how: Recheck) -> Outcome:
    """Read the kept file of submission ``ident`` again and decide again, as for a new
    mail; a person's decision is never taken back."""
    with session_scope(engine) as session:
        row = _row(session, ident)
        _not_registered(row)
        if row.decided_by:
            raise HoshoError(
                f"提出 #{ident} は担当者が判断済みです（{label_of(row.status)}）。"
                "取り消すときは accept か reject を使ってください。"
            )
        mail = mail_of(session, row)
    if not mail.attachments:
        raise HoshoError(f"提出 #{ident} には読み直せるファイルが保存されていません。")
    examined = examine_again(mail, parse)
    with session_scope(engine) as session:
        row = _row(session, ident)
        _not_registered(row)
        outcome = decide_again(session, row, examined, how)
        record(
            session, actor=how.by, action="submissions.retry", target=f"#{ident}", result=row.status
        )
    return outcome
