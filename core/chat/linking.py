"""Linking a chat user to a contractor (受注者) by a one-time code sent by e-mail.

「連携 お客様ID」 e-mails a 6-digit code to the address registered for that お客様ID
(customer ID at the surety company); 「確認コード 123456」 from the same chat user
completes the link. Only a salted hash of the code is stored; a code lives CODE_TTL and
allows MAX_ATTEMPTS wrong tries. A chat user may make MAX_REQUESTS requests per hour,
whatever the お客様ID (counted in the audit log, so an unknown ID counts the same); a
contractor gets at most one code mail per CODE_TTL, whoever asks (a request meanwhile is
answered as usual and mails nothing).

The reply to a request never says whether the お客様ID exists (no way to learn IDs): the
same words, and the same limit, for an existing and an unknown one.
Mail goes through a ``send(to, subject, body)`` callable given by the front end, since
core does not know SMTP.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from hosho.core.contracts.contractors import find_contractor, link_user
from hosho.core.rules.profile import Profile
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import AuditLog, Contractor, LinkCode, utcnow
from hosho.core.text import normalize_number

log = logging.getLogger(__name__)

SendMail = Callable[[str, str, str], None]
CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
MAX_REQUESTS = 5
_ITERATIONS = 20_000

REQUESTED = (
    "お客様IDが登録されていれば、登録されているメールアドレスに確認コード（6桁、15分間有効）を"
    "お送りしました。届いたら「確認コード 123456」の形で送ってください。"
)
NO_MAIL = (
    "メールを送れない設定のため、コードによる連携はできません。管理者に連携を依頼してください。"
)
TOO_MANY = "確認コードの請求が多すぎます。しばらくしてからお試しください。"
LINKED = (
    "連携しました（{name}）。「認証キー等のお知らせ 保証契約番号」でお知らせPDFをお送りできます。"
)
BAD_CODE = (
    "確認コードが正しくないか、有効期限が切れています。「連携 お客様ID」からやり直してください。"
)


def _hash(code: str, salt: str) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), _ITERATIONS)
    return f"pbkdf2${salt}${digest.hex()}"


def _matches(code: str, stored: str) -> bool:
    try:
        _, salt, _digest = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(_hash(code, salt), stored)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def request_code(
    engine: Engine,
    user_id: str,
    customer_id: str,
    *,
    profile: Profile,
    send: SendMail | None,
    platform: str,
    now: datetime | None = None,
) -> str:
    """Issue a code for (user, お客様ID) and mail it; returns the reply text (always neutral)."""
    if send is None:
        return NO_MAIL
    now = now or utcnow()
    customer_id = normalize_number(customer_id)[:64]
    code = f"{secrets.randbelow(1_000_000):06d}"
    actor = f"{platform}:{user_id}"[:64]
    with session_scope(engine) as session:
        asked = session.exec(
            select(AuditLog.id)
            .where(AuditLog.actor == actor)
            .where(AuditLog.action == "link.request")
            .where(AuditLog.result != "limited")
            .where(AuditLog.at >= now - timedelta(hours=1))
        ).all()
        if len(asked) >= MAX_REQUESTS:
            record(
                session, actor=actor, action="link.request", target=customer_id, result="limited"
            )
            return TOO_MANY
        contractor = find_contractor(session, customer_id)
        if contractor is None:
            record(
                session, actor=actor, action="link.request", target=customer_id, result="unknown"
            )
            return REQUESTED
        assert contractor.id is not None
        mailed = session.exec(
            select(LinkCode.id)
            .where(LinkCode.contractor_id == contractor.id)
            .where(LinkCode.created_at > now - CODE_TTL)
        ).first()
        if mailed is not None:  # one code mail per contractor per CODE_TTL
            record(session, actor=actor, action="link.request", target=customer_id, result="held")
            return REQUESTED
        earlier = session.exec(
            select(LinkCode)
            .where(LinkCode.platform == platform)
            .where(LinkCode.user_id == user_id)
            .where(LinkCode.used_at == None)  # noqa: E711 - SQL comparison
        ).all()
        for old in earlier:  # a new code replaces any earlier one
            old.used_at = now
        session.add(
            LinkCode(
                contractor_id=contractor.id,
                platform=platform,
                user_id=user_id,
                code_hash=_hash(code, secrets.token_hex(16)),
                expires_at=now + CODE_TTL,
                created_at=now,
            )
        )
        record(session, actor=actor, action="link.request", target=customer_id, result="sent")
        address, name = contractor.email, contractor.name
    body = (
        f"{name} 様\n\n{profile.name}の電子保証チャットで、お客様ID {customer_id} との連携が"
        f"求められました。\n確認コード: {code}\n（15分間有効です。お心当たりがない場合は"
        f"このメールを破棄してください。）\n\nお問い合わせ先: {profile.contact}\n"
    )
    try:
        send(address, f"【{profile.name} 電子保証】チャット連携の確認コード", body)
    except Exception:  # noqa: BLE001 - a mail failure must not reveal that the ID exists
        log.exception("could not send a link code")
    return REQUESTED


def confirm_code(
    engine: Engine,
    user_id: str,
    code: str,
    *,
    platform: str,
    now: datetime | None = None,
) -> str:
    """Check the user's newest live code; link on a match. Returns the reply text."""
    now = now or utcnow()
    code = normalize_number(code)
    customer_id = ""
    with session_scope(engine) as session:
        row = session.exec(
            select(LinkCode)
            .where(LinkCode.platform == platform)
            .where(LinkCode.user_id == user_id)
            .where(LinkCode.used_at == None)  # noqa: E711 - SQL comparison
            .order_by(LinkCode.created_at.desc())  # type: ignore[attr-defined]
        ).first()
        live = row is not None and _aware(row.expires_at) > now and row.attempts < MAX_ATTEMPTS
        if row is None or not live:
            record(session, actor=user_id, action="link.confirm", result="no_code")
            return BAD_CODE
        if not (len(code) == 6 and code.isdigit() and _matches(code, row.code_hash)):
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:
                row.used_at = now
            record(session, actor=user_id, action="link.confirm", result="wrong")
            return BAD_CODE
        row.used_at = now
        contractor = session.get(Contractor, row.contractor_id)
        assert contractor is not None
        customer_id = contractor.customer_id
    linked = link_user(engine, customer_id, user_id, by=f"code:{user_id}", platform=platform)
    return LINKED.format(name=linked.name)
