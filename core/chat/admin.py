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
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func
from sqlmodel import select

from hosho.core.chat.replies import Part, Reply, UserRef, local_time
from hosho.core.contracts.authkey import redact
from hosho.core.contracts.contractors import link_user, unlink_user
from hosho.core.contracts.importing import import_contracts
from hosho.core.contracts.ledger import find_contract
from hosho.core.dsure import (
    certificate_view,
    find_notice_record,
    lookup,
    notice_view,
    registration_of,
)
from hosho.core.errors import HoshoError
from hosho.core.rules.profile import Profile
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import ChatLink, Contract, Contractor, DsureRegistration, Submission
from hosho.core.submissions.statuses import STATUSES, label_of

if TYPE_CHECKING:
    from hosho.core.submissions.rechecking import Recheck

DENIED = "このコマンドは管理者のみが使えます。"
HELP = """管理者コマンド:
/hosho lookup 保証契約番号 [認証キー] — D-Sure照会（キーなし: 受付済みなら電子証書、なければ未提出）
/hosho submissions [status] — 最近の提出メール（status: {statuses}）
/hosho submissions show ID — 提出1件の内容と添付（認証キーは表示しません）
/hosho submissions accept ID 保証契約番号 認証キー — 読み取れなかった提出を受付（D-Sure登録）
/hosho submissions reject ID 理由 — 担当者の理由で差戻し（送信者へ通知）
/hosho submissions retry ID — 保存したファイルをもう一度確認
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
    if view.get("note"):  # ledger mode: from the notice alone
        lines.append(str(view["note"]))
    return "\n".join(lines)


@dataclass
class AdminCommands:
    """``run(actor, text)`` parses and runs one command for an admin chat user."""

    engine: Engine
    profile: Profile
    admins: frozenset[str]
    platform: str
    reload_faq: Callable[[], None] | None = None
    register_unknown: bool = False
    staff: tuple[str, ...] = ()

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
                target=redact(target),  # a key typed in the wrong place never reaches it
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
            noted = find_notice_record(session, number) if contract is None else None
            if noted is not None:  # ledger mode: known from the notice alone
                return certificate_text(notice_view(noted)), "ok"
            if contract is None:
                return f"保証契約番号 {redact(number)} の契約は登録されていません。", "unknown"
            if registration_of(session, contract) is None:
                return f"保証契約番号 {contract.contract_number}: 未提出", "not_submitted"
            return certificate_text(certificate_view(session, contract)), "ok"

    def _cmd_submissions(
        self, actor: str, args: list[str], attachment: bytes | None
    ) -> tuple[str, str]:
        if args and args[0] in SUBMISSION_ACTIONS:
            return self._submission_action(actor, args[0], args[1:])
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

    def _submission_action(self, actor: str, action: str, args: list[str]) -> tuple[str, str]:
        """``submissions show|accept|reject|retry ID …`` (core.submissions.staff_actions)."""
        from hosho.core.documents.reader import parse_pdf
        from hosho.core.submissions import staff_actions as act

        usage = SUBMISSION_ACTIONS[action]
        if not args or (action in ("accept", "reject") and len(args) < 2):
            return f"使い方: {usage}", "usage"
        ident = act.submission_id(args[0])
        how = self._recheck(actor)
        if action == "show":
            view = act.show(self.engine, ident, parse_pdf)
            return submission_text(view), "ok"
        if action == "accept":
            number, key = _number_and_key(args[1:])
            outcome = act.accept(self.engine, ident, number, key, how)
            row = outcome.submission
            return (
                f"提出 #{ident} を受け付けました（保証契約番号 {row.contract_number}、D-Sure登録）。"
                "送信者へ受付の返信を送ります。",
                "ok",
            )
        if action == "reject":
            act.reject(self.engine, ident, " ".join(args[1:]), how)
            return f"提出 #{ident} を差し戻しました。送信者へ理由を返信します。", "ok"
        outcome = act.retry(self.engine, ident, parse_pdf, how)
        row = outcome.submission
        again = "" if outcome.created else "（変わりません）"
        return f"提出 #{ident}: {label_of(row.status)}{again}\n{row.reason}", "ok"

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
        waited = self._register_waiting(actor)
        return (
            f"取込みました: {result.rows}行（新規 {result.created}、更新 {result.updated}、"
            f"受注者の新規 {result.contractors_created}、認証キー生成 {result.keys_generated}）"
            + (f"\n契約を待っていた提出 {waited}件を受け付けました。" if waited else ""),
            "ok",
        )

    def _register_waiting(self, actor: str) -> int:
        """The notices that waited for the imported contracts: registered now (their 受付
        replies are owed; the poller sends them). Returns how many were registered."""
        from hosho.core.documents.reader import parse_pdf
        from hosho.core.submissions.waiting import register_waiting

        how = self._recheck(actor)
        return sum(o.registered for o in register_waiting(self.engine, how, parse_pdf))

    def _recheck(self, actor: str) -> Recheck:
        """How an admin's decision on a submission is made (this admin, ledger mode, the
        staff's channels)."""
        from hosho.core.submissions.rechecking import Recheck

        return Recheck(self.profile, f"{self.platform}:{actor}", self.register_unknown, self.staff)

    def _cmd_faq(self, actor: str, args: list[str], attachment: bytes | None) -> tuple[str, str]:
        if args[:1] != ["reload"]:
            return "使い方: /hosho faq reload", "usage"
        if self.reload_faq is not None:
            self.reload_faq()
        else:
            from hosho.core.qa.answers import reload

            reload()
        return "Q&Aを再読込しました。", "ok"


#: The admins' actions on one submission, with their usage line.
SUBMISSION_ACTIONS = {
    "show": "/hosho submissions show ID",
    "accept": "/hosho submissions accept ID 保証契約番号 認証キー",
    "reject": "/hosho submissions reject ID 理由",
    "retry": "/hosho submissions retry ID",
}


def _number_and_key(words: list[str]) -> tuple[str, str]:
    """Number and key from ``N K`` or ``--number N --key K`` (the key never echoed)."""
    named = {"--number": "", "--key": ""}
    rest: list[str] = []
    it = iter(words)
    for word in it:
        if word in named:
            named[word] = next(it, "")
        else:
            rest.append(word)
    number = named["--number"] or (rest[0] if rest else "")
    key = named["--key"] or "".join(rest[1:] if not named["--number"] else rest)
    if not number or not key:
        raise HoshoError("使い方: " + SUBMISSION_ACTIONS["accept"])
    return number, key


def submission_text(view: dict[str, Any]) -> str:
    """A submission (``staff_actions.show``) as lines; it never holds the key."""
    lines = [
        f"提出 #{view['id']}: {view['label']} ({view['status']})",
        f"保証契約番号: {view['contract_number'] or '-'}",
        f"差出人: {view['sender']} / 件名: {view['subject']}",
        f"受信: {view['received_at'] or '-'}",
    ]
    if view["reason"]:
        lines.append(f"理由: {view['reason']}")
    if not view["verified"]:
        lines.append("照合: 通知書のみ（契約データ未照合）")
    if view["decided_by"]:
        lines.append(f"判断: {view['decided_by']}")
    for kept in view["files"]:
        state = "" if kept["kept"] else "（削除済み）"
        lines.append(f"添付: {kept['filename']} {kept['size']} bytes{state}")
        parsed = kept.get("parsed")
        if parsed:
            key = "認証キーあり" if parsed["auth_key_read"] else "認証キーなし"
            lines.append(f"  読取: {parsed['document']} {parsed['contract_number'] or '-'} {key}")
    return "\n".join(lines)
