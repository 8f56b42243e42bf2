"""The chat dispatcher both front ends call: (user, text) → replies.

``hosho chat`` (terminal) and the Slack app are thin adapters over ``Conversation``; every
rule lives here or in the use cases it calls:

* a question → the Q&A answer (or the honest fallback with the town's contact);
* 「認証キー等のお知らせ 保証契約番号」 → the notice PDF, only for a chat user linked to the
  contract's 受注者 (contractor); anyone else and any unknown number get the very same
  neutral REFUSAL, so nobody can learn which numbers exist;
* 「提出状況 保証契約番号」 → whether the town has registered that notice (owner only);
* 「連携 お客様ID」 / 「確認コード 123456」 → linking by a one-time code (``linking``);
* ``/hosho …`` → admin commands (``admin``), for the users in HOSHO_ADMIN_USER_IDS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session, select

from hosho.core.chat.admin import AdminCommands
from hosho.core.chat.intents import Intent, is_code, parse
from hosho.core.chat.linking import SendMail, confirm_code, request_code
from hosho.core.chat.replies import Document, Reply, local_time
from hosho.core.contracts.contractors import owns_contract
from hosho.core.contracts.ledger import find_contract
from hosho.core.documents.issuing import notice_filename
from hosho.core.dsure import registration_of
from hosho.core.errors import DocumentError
from hosho.core.rules.eligibility import contract_reason
from hosho.core.rules.profile import Profile
from hosho.core.store.db import session_scope
from hosho.core.store.models import Contract, Contractor, Submission

log = logging.getLogger(__name__)

#: The one reply to a contract request that cannot be served, whatever the cause
#: (unlinked user, another contractor's number, unknown number).
REFUSAL = (
    "ご指定の保証契約番号についてはお答えできません。保証契約番号をご確認のうえ、"
    "お客様IDと連携済みのアカウントからご依頼ください（連携は「連携 お客様ID」）。"
)
NEED_NUMBER = "保証契約番号を添えて送ってください（例: 「提出状況 0123456789」）。"
HELP = (
    "電子保証についてのご質問にお答えします。次の形でもご依頼いただけます。\n"
    "・「認証キー等のお知らせ 保証契約番号」: 提出用PDFをDMでお送りします（連携済みの方）\n"
    "・「提出状況 保証契約番号」: {town}での受付状況をお知らせします（連携済みの方）\n"
    "・「連携 お客様ID」: 登録メールアドレスに確認コードを送り、アカウントを連携します\n"
    "・「確認コード 123456」: 届いたコードで連携を完了します"
)


class AnswerLike(Protocol):
    """What ``hosho.core.qa.answers.answer`` returns (matched, answer, suggestions)."""

    matched: bool
    answer: str
    suggestions: list[tuple[str, str]]


Answerer = Callable[[str, Profile], AnswerLike]
NoticeRenderer = Callable[[Contract, Contractor, Profile], bytes]


def _default_answer(question: str, profile: Profile) -> AnswerLike:
    from hosho.core.qa.answers import answer

    return answer(question, profile)


def _default_render(contract: Contract, contractor: Contractor, profile: Profile) -> bytes:
    from hosho.core.documents.notice import render_notice

    return bytes(render_notice(contract, contractor, profile))


@dataclass
class Conversation:
    """The dispatcher for one chat platform (its users are ``(platform, user_id)``).

    ``send_mail(to, subject, body)`` mails link codes (None: no mail).
    """

    engine: Engine
    profile: Profile
    platform: str
    admins: frozenset[str] = frozenset()
    send_mail: SendMail | None = None
    answerer: Answerer = _default_answer
    render_notice: NoticeRenderer = _default_render
    reload_faq: Callable[[], None] | None = None
    #: Ledger mode and the staff's channels, for the admins' decisions on submissions.
    register_unknown: bool = False
    staff: tuple[str, ...] = ()

    @property
    def admin(self) -> AdminCommands:
        """The admin use cases, sharing this dispatcher's engine and profile."""
        return AdminCommands(
            self.engine,
            self.profile,
            self.admins,
            self.platform,
            reload_faq=self.reload_faq,
            register_unknown=self.register_unknown,
            staff=self.staff,
        )

    def handle(self, user_id: str, text: str, attachment: bytes | None = None) -> list[Reply]:
        """Answer one message. ``attachment`` is a file sent with it (a CSV for import)."""
        intent = parse(text)
        try:
            return self._dispatch(user_id, intent, attachment)
        except Exception:
            log.exception("chat dispatch failed (intent %s)", intent.kind)
            return [Reply("error", "申し訳ありません、処理中にエラーが起きました。")]

    def wants_attachment(self, user_id: str, text: str) -> bool:
        """True when this message needs its attached file (an admin's CSV import)."""
        intent = parse(text)
        command = intent.argument.split()[:1]
        return intent.kind == "admin" and command == ["import"] and user_id in self.admins

    def _dispatch(self, user_id: str, intent: Intent, attachment: bytes | None) -> list[Reply]:
        kind, arg = intent.kind, intent.argument
        if kind == "admin":  # answered privately even when asked in a channel
            replies = self.admin.run(user_id, arg, attachment=attachment)
            return [replace(reply, private=True) for reply in replies]
        if kind == "help":
            return [Reply("help", HELP.format(town=self.profile.name))]
        if kind == "notice":
            return [self.notice(user_id, arg)]
        if kind == "status":
            return [self.status(user_id, arg) if arg else Reply("status", NEED_NUMBER)]
        if kind == "link":
            if not arg:
                return [Reply("link", "お客様IDを添えて送ってください（例: 「連携 C00001」）。")]
            text = request_code(
                self.engine,
                user_id,
                arg,
                profile=self.profile,
                send=self.send_mail,
                platform=self.platform,
            )
            return [Reply("link", text, private=True)]
        if kind == "confirm":
            if not is_code(arg):
                return [Reply("link", "確認コードは6桁の数字です（例: 「確認コード 123456」）。")]
            text = confirm_code(self.engine, user_id, arg, platform=self.platform)
            return [Reply("link", text, private=True)]
        return [self.question(arg)]

    def question(self, text: str) -> Reply:
        """The Q&A answer (kind ``answer``) or the fallback (kind ``fallback``)."""
        result = self.answerer(text, self.profile)
        return Reply(
            "answer" if result.matched else "fallback",
            result.answer,
            suggestions=tuple((str(i), str(t)) for i, t in result.suggestions),
        )

    def topic(self, item_id: str, title: str) -> Reply:
        """The answer of a suggested topic (a suggestion button): asked by its title."""
        return self.question(title or item_id)

    def _owned(self, session: Session, user_id: str, number: str) -> Contract | None:
        contract = find_contract(session, number)
        if contract is None or not owns_contract(session, user_id, contract, self.platform):
            return None
        return contract

    def notice(self, user_id: str, number: str) -> Reply:
        """The 認証キー等のお知らせ PDF of the user's own contract, or REFUSAL."""
        with session_scope(self.engine) as session:
            contract = self._owned(session, user_id, number)
            contractor = session.get(Contractor, contract.contractor_id) if contract else None
        if contract is None or contractor is None:
            log.info("notice refused for %s", user_id)
            return Reply("refusal", REFUSAL, private=True)
        try:
            content = self.render_notice(contract, contractor, self.profile)
        except DocumentError as err:  # e.g. 契約保証予約 has no electronic certificate
            return Reply("error", f"お知らせを作れませんでした: {err}", private=True)
        return Reply(
            "notice",
            self.where_to_send(contract),
            document=Document(
                filename=notice_filename(contract),
                title=f"認証キー等のお知らせ（保証契約番号 {contract.contract_number}）",
                content=content,
            ),
            private=True,
        )

    def where_to_send(self, contract: Contract) -> str:
        """Where and how the notice goes to the town, with the STEP3 warning."""
        profile = self.profile
        lines = [
            f"保証契約番号 {contract.contract_number}（{contract.project_name}）の"
            "「認証キー等のお知らせ」をお送りします。",
            f"このPDFを{profile.name}（{profile.submission_section}）へ電子メールでご提出ください。"
            f"送付先: {profile.address_for(contract.kind)}",
        ]
        if profile.subject_rule is not None:
            lines.append(f"件名: {profile.subject_rule.example(contract.project_name)}")
        lines.append(
            "【ご注意】STEP3で印刷・保存した電子証書の画面のファイルは提出書類ではありません。"
            "必ずこの「認証キー等のお知らせ」のPDFをご提出ください。"
        )
        reason = contract_reason(contract, profile)
        if reason:
            lines.append(
                f"※ この契約は{profile.name}の電子保証の対象外の可能性があります: {reason}"
            )
        return "\n".join(lines)

    def status(self, user_id: str, number: str) -> Reply:
        """Whether the town has registered the notice of the user's own contract."""
        with session_scope(self.engine) as session:
            contract = self._owned(session, user_id, number)
            if contract is None:
                return Reply("refusal", REFUSAL, private=True)
            registration = registration_of(session, contract)
            latest = session.exec(
                select(Submission)
                .where(Submission.contract_number == contract.contract_number)
                .order_by(Submission.processed_at.desc())  # type: ignore[attr-defined]
            ).first()
        town, number = self.profile.name, contract.contract_number
        if registration is not None:
            when = local_time(registration.registered_at)
            text = f"保証契約番号 {number} の認証キー等のお知らせは{town}で受付済みです（{when}）。"
        elif latest is not None:
            text = (
                f"保証契約番号 {number} について{local_time(latest.processed_at)}に届いたメールは"
                f"受け付けられませんでした: {latest.reason or latest.status}"
            )
        else:
            text = f"保証契約番号 {number} の認証キー等のお知らせは、まだ{town}に届いていません（未提出）。"
        return Reply("status", text, private=True)
