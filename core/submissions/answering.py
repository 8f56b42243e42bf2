"""Whether a sender is answered, and why not: one rule for every reply hosho sends.

RFC 3834 says an automatic reply must never answer an automatic message; a town's
address must not be used to answer robots, mailing lists, forged senders or hosho's
own mail (mail loops). Each "no" carries a Japanese reason that town staff see in the
staff message (the sender sees nothing). The per-address hourly limit needs the database
and is applied when the submission is recorded (``hosho.core.submissions.recording``).

The mail front end fills :class:`MailHeaders` from the raw message; nothing here knows
MIME or IMAP.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

#: Local parts of addresses that never read replies.
NO_REPLY_LOCAL_PARTS = frozenset(
    {
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "bounce",
        "bounces",
    }
)
#: Every Message-ID hosho writes starts with this (``<hosho.<random>@<domain>>``), so a
#: reply to one of hosho's own messages is recognised by its In-Reply-To / References.
OWN_ID_PREFIX = "hosho."
_DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)
_IDS = re.compile(r"<([^<>\s]+)>")

NOT_A_SUBMISSION = "提出ではないメールのため返信しません"
BAD_SENDER = "差出人のアドレスが正しくないため返信しません"
OWN_ADDRESS = "町の送信用アドレスからのメールのため返信しません（メールの往復を防ぐため）"
OWN_THREAD = "hoshoが送ったメールへの返信のため返信しません（メールの往復を防ぐため）"
AUTOMATIC = "自動送信のメール（{header}）のため返信しません"
DELIVERY_REPORT = "配送エラーの通知のため返信しません"
EMPTY_RETURN_PATH = "差出人のないメール（Return-Path: <>）のため返信しません"
NO_REPLY_ADDRESS = "返信を受け付けないアドレス（{local}）のため返信しません"
DMARC_FAIL = (
    "受信サーバーの送信元認証（DMARC）が失敗しています（なりすましの恐れ）。返信しません。"
    "差出人を確かめてください"
)
RATE_LIMITED = "同じアドレスへの返信が1時間に{limit}通に達したため返信しません"
SET_ASIDE = "記録できずに取り分けたメールのため返信しません（担当者が確認してください）"


@dataclass(frozen=True)
class MailHeaders:
    """The headers the reply decision reads, as the mail front end found them.

    ``return_path`` is None when absent and ``""`` for ``<>``; ``authentication_results``
    is the top-most such header (the one the receiving server added); ``threads`` are the
    Message-IDs of In-Reply-To and References.
    """

    auto_submitted: str = ""
    precedence: str = ""
    list_header: str = ""
    autoreply_header: str = ""
    delivery_report: bool = False
    return_path: str | None = None
    threads: tuple[str, ...] = ()
    authentication_results: str = ""


def message_ids(value: str) -> tuple[str, ...]:
    """The ``<id>`` values of an In-Reply-To or References header."""
    return tuple(f"<{m}>" for m in _IDS.findall(value or ""))


def own_message_id(domain: str) -> str:
    """A new Message-ID for a message hosho sends (recognisable by ``is_own_message_id``)."""
    return f"<{OWN_ID_PREFIX}{secrets.token_hex(12)}@{domain or 'hosho.local'}>"


def is_own_message_id(message_id: str) -> bool:
    """True for a Message-ID written by ``own_message_id``."""
    return message_id.strip().lstrip("<").lower().startswith(OWN_ID_PREFIX)


def why_not_answered(headers: MailHeaders, sender: str) -> str:
    """Why an automatic or forged message gets no reply; ``""`` when it may get one."""
    if headers.auto_submitted and headers.auto_submitted.strip().lower() != "no":
        return AUTOMATIC.format(header=f"Auto-Submitted: {headers.auto_submitted.strip()}")
    if headers.precedence.strip().lower() in ("bulk", "list", "junk"):
        return AUTOMATIC.format(header=f"Precedence: {headers.precedence.strip()}")
    if headers.list_header:
        return AUTOMATIC.format(header=headers.list_header)
    if headers.autoreply_header:
        return AUTOMATIC.format(header=headers.autoreply_header)
    local = sender.rpartition("@")[0].lower()
    if headers.delivery_report or local in ("mailer-daemon", "postmaster"):
        return DELIVERY_REPORT
    if headers.return_path is not None and headers.return_path.strip() in ("", "<>"):
        return EMPTY_RETURN_PATH
    if local in NO_REPLY_LOCAL_PARTS or local.startswith(("noreply", "no-reply")):
        return NO_REPLY_ADDRESS.format(local=local)
    if any(is_own_message_id(i) for i in headers.threads):
        return OWN_THREAD
    if _DMARC_FAIL.search(headers.authentication_results):
        return DMARC_FAIL
    return ""


#: HOSHO_REPLY_LIMIT_PER_HOUR's default: replies to one address per hour.
DEFAULT_REPLY_LIMIT = 3
