"""``/hosho submissions show|accept|reject|retry`` through signed slash commands, and the
notices waiting for their contract registered by an admin's CSV import from a DM: the key
never in a response or the audit log."""

from __future__ import annotations

from slack_bolt import App
from sqlmodel import Session, select

from hosho.bot.slack.chat import SlackChat
from hosho.core.chat.admin import DENIED
from hosho.core.documents.reader import read_pdf
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine
from hosho.core.store.models import AuditLog, Contract, Submission
from hosho.core.submissions.checks import Attachment, IncomingMail, examine_safely
from hosho.core.submissions.recording import record_batch
from hosho.core.submissions.staff_actions import NO_MATCH
from tests.bot.fake_slack import FakeSlack
from tests.bot.payloads import ADMIN, MINE, OWNER, event_request, message_event
from tests.bot.slack.test_admin import run
from tests.factories import contract_csv
from tests.mailbox.town import key_for, notice, row

BROKEN_PDF = b"%PDF-1.4\n" + bytes(range(256))


def recorded(db_url: str, *files: tuple[str, bytes]) -> list[int]:
    mails = [
        IncomingMail(
            message_key=f"<slack-{i}@x>",
            sender="info1@aya-kensetsu.example.jp",
            subject="認証キー等のお知らせ",
            attachments=[Attachment(name, data, "application/pdf")],
        )
        for i, (name, data) in enumerate(files)
    ]
    items = [(m, examine_safely(m, read_pdf)) for m in mails]
    outcomes = record_batch(get_engine(db_url), items, load_profile("aya"))
    return [o.submission.id for o in outcomes if o.submission.id is not None]


def status_of(db_url: str, ident: int) -> str:
    with Session(get_engine(db_url)) as session:
        found = session.get(Submission, ident)
        assert found is not None
        return found.status


def test_admins_decide_submissions_from_slack(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack, db_url: str
) -> None:
    app, _ = slack_app
    scan, other = recorded(db_url, ("scan.pdf", BROKEN_PDF), ("scan2.pdf", BROKEN_PDF))
    with Session(get_engine(db_url)) as session:
        key = session.exec(select(Contract.auth_key).where(Contract.contract_number == MINE)).one()
    assert "受付" in run(app, fake_slack, ADMIN, "help")
    shown = run(app, fake_slack, ADMIN, f"submissions show {scan}")
    assert f"提出 #{scan}" in shown and "scan.pdf" in shown and "認証キーなし" in shown
    assert run(app, fake_slack, OWNER, f"submissions accept {scan} {MINE} {key}") == DENIED
    assert status_of(db_url, scan) == "unreadable"  # a non-admin changed nothing
    wrong = run(app, fake_slack, ADMIN, f"submissions accept {scan} {MINE} {key_for(77)}")
    assert NO_MATCH in wrong and key_for(77) not in wrong
    swapped = run(app, fake_slack, ADMIN, f"submissions accept {scan} {key} {MINE}")
    assert "認証キーのような値" in swapped and key not in swapped
    accepted = run(app, fake_slack, ADMIN, f"submissions accept {scan} --number {MINE} --key {key}")
    assert "受け付けました" in accepted and key not in accepted
    assert status_of(db_url, scan) == "registered"
    assert "すでに受付済み" in run(
        app, fake_slack, ADMIN, f"submissions accept {scan} {MINE} {key}"
    )
    assert "差し戻しました" in run(app, fake_slack, ADMIN, f"submissions reject {other} 別件です")
    assert "担当者が判断済み" in run(app, fake_slack, ADMIN, f"submissions retry {other}")
    assert "見つかりません" in run(app, fake_slack, ADMIN, "submissions show 9999")
    assert "使い方" in run(app, fake_slack, ADMIN, f"submissions accept {other}")
    with Session(get_engine(db_url)) as session:
        audit = session.exec(select(AuditLog)).all()
    assert any(a.action == "submissions.accept" and a.actor == f"slack:{ADMIN}" for a in audit)
    assert all(key not in f"{a.target} {a.detail}" for a in audit)


def test_an_admin_s_csv_import_registers_the_notices_that_waited(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack, db_url: str
) -> None:
    app, _ = slack_app
    (waiting,) = recorded(db_url, ("n.pdf", notice(3)))
    assert status_of(db_url, waiting) == "unknown_contract"
    data = contract_csv([row(3)])
    url = fake_slack.add_file("contracts.csv", data)
    files = [{"id": "F1", "name": "contracts.csv", "size": len(data), "url_private": url}]
    app.dispatch(
        event_request(message_event(ADMIN, "hosho import", subtype="file_share", files=files))
    )
    [post] = fake_slack.wait_for("chat.postMessage")
    assert "契約を待っていた提出 1件を受け付けました" in post.args["text"]
    assert status_of(db_url, waiting) == "registered"


def test_lookup_of_a_number_known_only_from_a_notice_says_so(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack, db_url: str
) -> None:
    from hosho.core.dsure import FROM_NOTICE_ALONE

    app, _ = slack_app
    mail = IncomingMail(
        message_key="<ledger@x>",
        sender="info1@aya-kensetsu.example.jp",
        subject="認証キー等のお知らせ",
        attachments=[Attachment("n.pdf", notice(8), "application/pdf")],
    )
    examined = [(mail, examine_safely(mail, read_pdf))]
    record_batch(get_engine(db_url), examined, load_profile("aya"), register_unknown=True)
    without_key = run(app, fake_slack, ADMIN, "lookup 0000000008")
    with_key = run(app, fake_slack, ADMIN, f"lookup 0000000008 {key_for(8)}")
    for shown in (without_key, with_key):
        assert FROM_NOTICE_ALONE in shown and "綾町" in shown and key_for(8) not in shown


def test_a_key_typed_where_an_id_goes_never_reaches_the_audit_log(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack, db_url: str
) -> None:
    app, _ = slack_app
    key = key_for(1)
    for text in (f"submissions {key}", f"submissions show {key}", f"lookup {key}"):
        assert key not in run(app, fake_slack, ADMIN, text)
    with Session(get_engine(db_url)) as session:
        audit = session.exec(select(AuditLog)).all()
    assert audit and all(key not in f"{a.target} {a.detail}" for a in audit)
