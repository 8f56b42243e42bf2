"""Linking by a one-time code e-mailed to the contractor, through the core dispatcher, and
the staff-channel subscriber."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, select

from hosho.bot.conversation import SLACK
from hosho.bot.slack.staff import StaffChannel
from hosho.core.chat import linking
from hosho.core.chat.conversation import Conversation
from hosho.core.events import SubmissionEvent
from hosho.core.runtime import Runtime
from hosho.core.store.db import get_engine, session_scope
from hosho.core.store.models import LinkCode, utcnow
from hosho.core.submissions import outbox as staff_outbox
from tests.bot.fake_slack import FakeSlack
from tests.bot.payloads import LURKER, MINE


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def __call__(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))

    def code(self) -> str:
        match = re.search(r"確認コード: (\d{6})", self.sent[-1][2])
        assert match
        return match.group(1)


def conversation(runtime: Runtime, outbox: Outbox | None) -> Conversation:
    return Conversation(runtime.engine, runtime.profile, SLACK, send_mail=outbox)


def test_link_by_code_then_notice(runtime: Runtime) -> None:
    outbox = Outbox()
    chat = conversation(runtime, outbox)
    [asked] = chat.handle(LURKER, "連携　ｃ００００１")
    assert asked.text == linking.REQUESTED
    to, subject, body = outbox.sent[-1]
    assert to == "info1@aya-kensetsu.example.jp" and "確認コード" in subject + body
    with Session(runtime.engine) as session:
        row = session.exec(select(LinkCode)).one()
    assert outbox.code() not in row.code_hash
    [done] = chat.handle(LURKER, f"確認コード {outbox.code()}")
    assert done.text.startswith("連携しました")
    [notice] = chat.handle(LURKER, f"認証キー等のお知らせ {MINE}")
    assert notice.kind == "notice" and notice.document is not None
    [again] = chat.handle(LURKER, f"確認コード {outbox.code()}")
    assert again.text == linking.BAD_CODE  # a code works once


def test_unknown_customer_gets_the_same_reply_and_no_mail(runtime: Runtime) -> None:
    outbox = Outbox()
    [reply] = conversation(runtime, outbox).handle(LURKER, "連携 C99999")
    assert reply.text == linking.REQUESTED
    assert outbox.sent == []


def test_wrong_codes_burn_the_code(runtime: Runtime) -> None:
    outbox = Outbox()
    chat = conversation(runtime, outbox)
    chat.handle(LURKER, "連携 C00001")
    good = outbox.code()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for _ in range(linking.MAX_ATTEMPTS):
        assert chat.handle(LURKER, f"確認コード {wrong}")[0].text == linking.BAD_CODE
    assert chat.handle(LURKER, f"確認コード {good}")[0].text == linking.BAD_CODE


def test_expired_code_and_request_limit(runtime: Runtime) -> None:
    outbox = Outbox()
    later = utcnow() + linking.CODE_TTL + timedelta(seconds=1)
    engine, profile = runtime.engine, runtime.profile
    linking.request_code(engine, LURKER, "C00001", profile=profile, send=outbox, platform=SLACK)
    reply = linking.confirm_code(engine, LURKER, outbox.code(), platform=SLACK, now=later)
    assert reply == linking.BAD_CODE
    for _ in range(linking.MAX_REQUESTS):
        linking.request_code(engine, LURKER, "C00001", profile=profile, send=outbox, platform=SLACK)
    text = linking.request_code(
        engine, LURKER, "C00001", profile=profile, send=outbox, platform=SLACK
    )
    assert text == linking.TOO_MANY


def test_without_smtp_linking_by_code_is_unavailable(runtime: Runtime) -> None:
    [reply] = conversation(runtime, None).handle(LURKER, "連携 C00001")
    assert reply.text == linking.NO_MAIL


def test_staff_channel_gets_one_message_per_event_without_key(
    runtime: Runtime, fake_slack: FakeSlack, db_url: str
) -> None:
    from slack_sdk import WebClient

    engine = get_engine(db_url)
    with session_scope(engine) as session:  # owed in the outbox, as recording writes them
        for event in (
            SubmissionEvent(
                submission_id=None,
                status="registered",
                reason="",
                sender="info1@aya-kensetsu.example.jp",
                subject="認証キー等のお知らせ",
                contract_number=MINE,
                contractor_name="綾建設株式会社1",
                project_name="町道南俣線道路改良工事（第1工区）",
                kind="前払金保証",
            ),
            SubmissionEvent(None, "wrong_document", "電子証書の画面です", "a@example.jp", "x"),
        ):
            staff_outbox.notify_staff(session, event, [staff_outbox.SLACK])
    staff = StaffChannel(WebClient(token="xoxb-x", base_url=fake_slack.api_url), "CSTAFF", engine)
    try:
        fake_slack.wait_for("chat.postMessage", 2)
    finally:
        staff.close()
    assert staff_outbox.pending(engine) == 0
    posts = fake_slack.wait_for("chat.postMessage", 2)
    assert len(posts) == 2 and {p.args["channel"] for p in posts} == {"CSTAFF"}
    first = posts[0].args["text"]
    assert MINE in first and "registered" in first and "第1工区" in first
    with Session(get_engine(db_url)) as session:
        from hosho.core.store.models import Contract

        keys = session.exec(select(Contract.auth_key)).all()
    assert all(k not in p.args["text"] for k in keys for p in posts)
