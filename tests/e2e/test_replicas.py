"""Two `hosho run` replicas on one PostgreSQL database and one IMAP inbox: every message is
processed exactly once, its staff post and staff mail sent once, every Slack event answered
once (Slack may retry an event to either replica)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hosho.core.contracts.contractors import link_user
from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.issuing import issue_notice
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine, upgrade
from hosho.core.store.models import DsureRegistration, Submission
from hosho.mailbox.compose import submission_message
from tests.bot.payloads import message_event
from tests.conftest import _reset_postgres
from tests.e2e.conftest import STAFF_CHANNEL, HoshoProcess, run_env
from tests.e2e.test_flow import post
from tests.factories import contract_csv, contract_row

pytestmark = [pytest.mark.imap, pytest.mark.smtp, pytest.mark.postgres]

MESSAGES = 40
STAFF_EMAIL = "kanri@town.aya.lg.jp"


def test_two_replicas_share_the_work_exactly_once(  # type: ignore[no-untyped-def]
    postgres_server_url, dovecot, slack, smtp, tmp_path: Path
) -> None:
    url = postgres_server_url
    _reset_postgres(url)
    upgrade(url)
    engine = get_engine(url)
    import_contracts(engine, contract_csv(contract_row(n) for n in range(1, MESSAGES + 1)))
    link_user(engine, "C00001", "UOWNER", by="test", platform="slack")
    profile = load_profile("aya")
    mails = []
    for n in range(1, MESSAGES + 1):
        pdf, contract = issue_notice(engine, profile, f"0{n:09d}")
        mails.append(
            submission_message(
                sender=f"info{n % 50}@aya-kensetsu.example.jp",
                to=profile.submission_address,
                subject=f"認証キー等のお知らせ {contract.contract_number}",
                pdf=pdf,
                filename="notice.pdf",
            ).as_bytes()
        )
    env = {**run_env(url, dovecot, slack, smtp), "HOSHO_STAFF_EMAIL": STAFF_EMAIL}
    first = HoshoProcess(env, tmp_path, "replica-a")
    second = HoshoProcess(env, tmp_path, "replica-b")
    try:
        dovecot.append(mails)
        deadline = time.monotonic() + 180
        while True:
            with Session(engine) as session:
                done = len(session.exec(select(Submission.id)).all())
            if done >= MESSAGES or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        staff = slack.wait_for("chat.postMessage", MESSAGES, timeout=120)
        smtp.wait(2 * MESSAGES, timeout=120)  # the replies and the staff mails
        time.sleep(2)  # let any double processing show up

        # The same Slack event delivered to both replicas (a retry to the other one).
        event = message_event("UOWNER", "電子保証とは何ですか")
        body = json.dumps(event)
        for replica in (first, second):
            assert post(replica.url, body, "application/json") == 200
        slack.wait_for("chat.postMessage", 1)
        time.sleep(2)
    finally:
        assert first.stop() == 0 and second.stop() == 0

    with Session(engine) as session:
        rows = session.exec(select(Submission)).all()
        registrations = session.exec(select(DsureRegistration)).all()
    assert len(rows) == MESSAGES
    assert {r.status for r in rows} == {"registered"}
    assert len({r.contract_number for r in rows}) == MESSAGES
    assert len(registrations) == MESSAGES
    staff = [c for c in slack.named("chat.postMessage") if c.args.get("channel") == STAFF_CHANNEL]
    assert len(staff) == MESSAGES  # one staff message per submission, not per replica
    answers = [c for c in slack.named("chat.postMessage") if c.args.get("channel") == "DOWNER"]
    assert len(answers) == 1  # one answer for the event, though both replicas received it
    replies = [m for m in smtp.messages if m[1] != [STAFF_EMAIL]]
    staff_mails = [m for m in smtp.messages if m[1] == [STAFF_EMAIL]]
    assert len(replies) == MESSAGES
    assert len(staff_mails) == MESSAGES  # one staff mail per submission, not per replica
    assert dovecot.count("hosho/registered") == MESSAGES and dovecot.count("INBOX") == 0
    logs = [(tmp_path / f"replica-{x}.log").read_text() for x in "ab"]
    worked = [
        sum(1 for line in log.splitlines() if '"poll:' in line or "poll: " in line) for log in logs
    ]
    assert all(worked), f"both replicas should have polled: {worked}"
