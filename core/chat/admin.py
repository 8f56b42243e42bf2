"""Admin commands of the chat front ends (``/hosho …``), as core use cases.

Only the chat users in HOSHO_ADMIN_USER_IDS may run them; everyone else is refused. Every
call, allowed or not, is written to the audit log (``admin.<command>``), never with a key.
A user argument (``link USER お客様ID``) is the plain id the front end passed in; the
replies name users as ``UserRef`` for the front end to render.

``lookup NUMBER [KEY]`` is the D-Sure (発注者用保証確認サービス, the orderer's certificate
lookup) check: with the 認証キー it is the register's own lookup; without it, the
certificate when the town has registered the notice, else 未提出 (not submitted yet).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import select

from hosho.core.chat.replies import Part, Reply, UserRef, local_time
from hosho.core.contracts.contractors import link_user, unlink_user
from hosho.core.contracts.importing import import_contracts
from hosho.core.contracts.ledger import find_contract
from hosho.core.dsure import certificate_view, lookup, registration_of
from hosho.core.errors import HoshoError
from hosho.core.rules.profile import Profile
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import ChatLink, Contract, Contractor, DsureRegistration, Submission
from hosho.core.submissions.statuses import STATUSES

DENIED = "このコマンドは管理者のみが使えます。"
HELP = """管理者コマンド:
/hosho lookup 保証契約番号 [認証キー] — D-Sure照会（キーなし: 受付済みなら電子証書、なければ未提出）
/hosho submissions [status] — 最近の提出メール（status: {statuses}）
/hosho stats — 件数の集計
/hosho link @ユーザー お客様ID — チャットユーザーを受注者に連携
/hosho unlink @ユーザー — 連携を解除
/hosho import — 契約CSVの取込（ボットへのDMにCSVを添付し「hosho import」と送信）
/hosho faq reload — Q&Aの再読込
/hosho help — この一覧"""
_USER_RE = re.compile(r"^@?([A-Za-z0-9][A-Za-z0-9._-]{0,63})$")
CERT_FIELDS = (
    ("title", "証書"),
    ("contract_number", "保証契約番号"),
    ("kind", "保証の種類"),
    ("contractor_name", "受注者"),
    ("orderer", "発注者"),
    ("project_name", "工事名"),
    ("work_type", "業務の種類"),
    ("contract_date", "契約日"),
    ("contract_amount", "請負代金額"),
    ("guarantee_amount", "保証金額"),
    ("period_start", "保証期間（始）"),
    ("period_end", "保証期間（終）"),
)


def chat_user(text: str) -> str | None:
    """The plain user id of a command argument (``U123``, or ``@U123`` as the help shows)."""
    match = _USER_RE.match(text.strip())
    return match.group(1) if match else None


def certificate_text(view: dict[str, Any]) -> str:
    """A certificate view as lines (never the key: views carry none)."""
    lines = [f"{label}: {view[name]}" for name, label in CERT_FIELDS if name in view]
    if view.get("registered_at"):
        lines.append(f"受付: {view['registered_at']}")
    return "\n".join(lines)


@dataclass
class AdminCommands:
    """``run(actor, text)`` parses and runs one command for an admin chat user."""

    engine: Engine
    profile: Profile
    admins: frozenset[str]
    platform: str
    reload_faq: Callable[[], None] | None = None

    def run(self, actor: str, text: str, *, attachment: bytes | None = None) -> list[Reply]:
        """Run ``text`` (e.g. ``lookup 0123456789``); refusals and errors are replies."""
        words = text.split()
        command = words[0].lower() if words else "help"
        args = words[1:]
        if actor not in self.admins:
            self._audit(actor, command, "", "denied")
            return [Reply("refusal", DENIED)]
        handler = getattr(self, f"_cmd_{command}", None)
        if handler is None:
            self._audit(actor, command, "", "unknown")
            return [Reply("admin", f"不明なコマンドです: {command}\n\n{self._help()}")]
        target = args[0] if args else ""
        try:
            text, result = handler(actor, args, attachment)
        except HoshoError as err:
            self._audit(actor, command, target, "failed")
            return [Reply("admin", f"エラー: {err}")]
        self._audit(actor, command, target, result)
        return [Reply.naming("admin", (text,) if isinstance(text, str) else text)]

    def _audit(self, actor: str, command: str, target: str, result: str) -> None:
        with session_scope(self.engine) as session:
            record(
                session,
                actor=actor,
                action=f"admin.{command[:40]}",
                target=target,
                result=result,
                platform=self.platform,
            )

    def _help(self) -> str:
        return HELP.format(statuses=", ".join(STATUSES))

    def _cmd_help(self, actor: str, args: list[str], attachment: bytes | None) -> tuple[str, str]:
        return self._help(), "ok"

    def _cmd_lookup(self, actor: str, args: list[str], attachment: bytes | None) -> tuple[str, str]:
        if not args:
            return "使い方: /hosho lookup 保証契約番号 [認証キー]", "usage"
        number = args[0]
        if len(args) > 1:
            view = lookup(self.engine, number, "".join(args[1:]), actor=f"{self.platform}:{actor}")
            return certificate_text(view), "ok"
        with session_scope(self.engine) as session:
            contract = find_contract(session, number)
            if contract is None:
                return f"保証契約番号 {number} の契約は登録されていません。", "unknown"
            if registration_of(session, contract) is None:
                return f"保証契約番号 {contract.contract_number}: 未提出", "not_submitted"
            return certificate_text(certificate_view(session, contract)), "ok"

    def _cmd_submissions(
        self, actor: str, args: list[str], attachment: bytes | None
    ) -> tuple[str, str]:
        status = args[0] if args else None
        if status is not None and status not in STATUSES:
            return f"status は次のいずれかです: {', '.join(STATUSES)}", "usage"
        query = select(Submission).order_by(Submission.processed_at.desc()).limit(20)  # type: ignore[attr-defined]
        if status is not None:
            query = query.where(Submission.status == status)
        with session_scope(self.engine) as session:
            rows = session.exec(query).all()
        if not rows:
            return "該当する提出メールはありません。", "ok"
        lines = [
            f"{local_time(r.processed_at)} {r.status} {r.contract_number or '-'} {r.sender}"
            + (f" — {r.reason}" if r.reason and r.status != "registered" else "")
            for r in rows
        ]
        return "最近の提出メール（新しい順、最大20件）:\n" + "\n".join(lines), "ok"

    def _cmd_stats(self, actor: str, args: list[str], attachment: bytes | None) -> tuple[str, str]:
        with session_scope(self.engine) as session:

            def count(model: Any) -> int:
                return int(session.exec(select(func.count()).select_from(model)).one())

            contracts, contractors = count(Contract), count(Contractor)
            links, registered = count(ChatLink), count(DsureRegistration)
            by_status = session.exec(
                select(Submission.status, func.count()).group_by(Submission.status)
            ).all()
        lines = [
            f"契約: {contracts}件 / 受注者: {contractors} / 連携ユーザー: {links}",
            f"受付済み（D-Sure登録）: {registered}件",
            "提出メール: "
            + (", ".join(f"{s} {n}" for s, n in sorted(by_status)) if by_status else "なし"),
        ]
        return "\n".join(lines), "ok"

    def _cmd_link(
        self, actor: str, args: list[str], attachment: bytes | None
    ) -> tuple[tuple[Part, ...] | str, str]:
        user = chat_user(args[0]) if args else None
        if user is None or len(args) != 2:
            return "使い方: /hosho link @ユーザー お客様ID", "usage"
        contractor = link_user(
            self.engine, args[1], user, by=f"{self.platform}:{actor}", platform=self.platform
        )
        linked = f" を {contractor.customer_id}（{contractor.name}）に連携しました。"
        return (UserRef(user), linked), "ok"

    def _cmd_unlink(
        self, actor: str, args: list[str], attachment: bytes | None
    ) -> tuple[tuple[Part, ...] | str, str]:
        user = chat_user(args[0]) if args else None
        if user is None:
            return "使い方: /hosho unlink @ユーザー", "usage"
        if unlink_user(self.engine, user, by=f"{self.platform}:{actor}", platform=self.platform):
            return (UserRef(user), " の連携を解除しました。"), "ok"
        return (UserRef(user), " は連携されていません。"), "none"

    def _cmd_import(self, actor: str, args: list[str], attachment: bytes | None) -> tuple[str, str]:
        if attachment is None:
            return (
                "契約CSVをボットへのDMに添付し、メッセージに「hosho import」と書いて送ってください。",
                "usage",
            )
        result = import_contracts(self.engine, attachment, actor=f"{self.platform}:{actor}")
        return (
            f"取込みました: {result.rows}行（新規 {result.created}、更新 {result.updated}、"
            f"受注者の新規 {result.contractors_created}、認証キー生成 {result.keys_generated}）",
            "ok",
        )

    def _cmd_faq(self, actor: str, args: list[str], attachment: bytes | None) -> tuple[str, str]:
        if args[:1] != ["reload"]:
            return "使い方: /hosho faq reload", "usage"
        if self.reload_faq is not None:
            self.reload_faq()
        else:
            from hosho.core.qa.answers import reload

            reload()
        return "Q&Aを再読込しました。", "ok"
