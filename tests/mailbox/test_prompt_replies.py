"""A reply owed by a decision staff make elsewhere (Slack's ``/hosho submissions accept``,
``/hosho import`` registering waiting notices: the core calls the chat front end makes,
which send no mail) is sent by the running poller within seconds, not after the retry
wait of a failed send, while the poller waits in IMAP IDLE (real Dovecot, real aiosmtpd):
once each, never to a robot."""

from __future__ import annotations

import json
import time

import pytest

from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.reader import parse_pdf
from hosho.core.submissions import staff_actions
from hosho.core.submissions.listing import list_submissions
from hosho.core.submissions.outbox import staff_channels
from hosho.core.submissions.rechecking import Recheck
from hosho.core.submissions.waiting import register_waiting
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.town import SENDER, TOWN, contracts_csv, key_for, message, notice_message, number

pytestmark = [pytest.mark.imap, pytest.mark.smtp]

BROKEN_PDF = b"%PDF-1.4\n" + bytes(range(256))
ROBOT = "robot@aya-kensetsu.example.jp"


def test_replies_owed_by_a_slack_decision_go_out_from_the_running_poller_at_once(  # type: ignore[no-untyped-def]
    db_url: str, dovecot, smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = use_env(
        monkeypatch,
        {
            **dovecot.env(),
            "HOSHO_DATABASE_URL": db_url,
            "HOSHO_SMTP_HOST": "127.0.0.1",
            "HOSHO_SMTP_PORT": str(smtp.port),
            "HOSHO_SMTP_SECURITY": "none",
            "HOSHO_MAIL_FROM": TOWN,
        },
    )
    import_contracts(runtime.engine, contracts_csv(3), actor="test")
    scan = message(subject="電子保証", attachments=[("scan.pdf", BROKEN_PDF, "application/pdf")])
    robot = b"Auto-Submitted: auto-generated\n" + notice_message(4, sender=ROBOT)
    dovecot.append([scan, notice_message(5), robot])
    poller = Poller(runtime)
    thread = poller.start_thread()
    try:
        first = smtp.wait(2)  # unreadable, and 確認中 for a number not imported yet
        assert sorted(to for _, (to,), _ in first) == [SENDER, SENDER]
        rows = {r["contract_number"]: r for r in list_submissions(runtime.engine)}
        assert rows[None]["status"] == "unreadable"
        assert rows[number(5)]["status"] == rows[number(4)]["status"] == "unknown_contract"

        # As the Slack front end does (core.chat.admin): decide, send nothing itself.
        how = Recheck(runtime.profile, "slack:U0STAFF", False, staff_channels(runtime.settings))
        staff_actions.accept(runtime.engine, rows[None]["id"], number(3), key_for(3), how)
        smtp.wait(3, timeout=10)  # REPLY_RETRY_AFTER is 2 minutes and IDLE waits 9
        to, subject, text = smtp.texts()[2]
        assert to == SENDER and "【受付】" in subject and key_for(3) not in text

        import_contracts(runtime.engine, contracts_csv(5), actor="slack:U0STAFF")
        changed = register_waiting(runtime.engine, how, parse_pdf)
        assert sorted(o.submission.contract_number or "" for o in changed) == [number(4), number(5)]
        smtp.wait(4, timeout=10)
        to, subject, text = smtp.texts()[3]
        assert to == SENDER and "【受付】" in subject and number(5) in text
        time.sleep(3)  # the poller's loop and its passes: nothing sent twice, no robot answered
        assert len(smtp.messages) == 4
        assert ROBOT not in json.dumps(smtp.texts())
    finally:
        poller.stop()
        thread.join(15)
    assert not thread.is_alive()
