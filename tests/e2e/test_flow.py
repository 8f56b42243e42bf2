"""The whole flow with the real parts: `hosho run` (a process) + Dovecot + aiosmtpd + the
fake Slack Web API, signed Events API requests over a real socket.

A linked contractor asks in a DM for the notice → gets the PDF (files_upload_v2) → e-mails
it to the town inbox → the poller registers it → the staff channel gets a message → an
admin's `/hosho lookup` shows the certificate → the contractor's 「提出状況」 says it arrived.
Then the STEP3 certificate instead: rejected, and the SMTP reply names the right document.
"""

from __future__ import annotations

import email
import json
import urllib.request
from email import policy
from pathlib import Path
from typing import Any

import pytest

from hosho.core.contracts.contractors import link_user
from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.issuing import render_certificate_for
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine
from hosho.mailbox.compose import submission_message
from tests.bot.fake_slack import FakeSlack
from tests.bot.payloads import command_body, message_event, signed_headers
from tests.e2e.conftest import ADMIN, STAFF_CHANNEL, HoshoProcess, run_env
from tests.factories import contract_csv, contract_row

pytestmark = [pytest.mark.imap, pytest.mark.smtp]

OWNER = "UOWNER"
KEY = "ABCD-EFGH-JKMN-PQRS"
NUMBER = "0000000001"
CONTRACTOR_MAIL = "info1@aya-kensetsu.example.jp"


def plain_text(content: bytes) -> str:
    """The text part of an e-mail (the SMTP reply)."""
    reply = email.message_from_bytes(content, policy=policy.default)
    return reply.get_body(("plain",)).get_content()  # type: ignore[union-attr,no-any-return]


def post(url: str, body: str, ctype: str) -> int:
    request = urllib.request.Request(url, data=body.encode(), headers=signed_headers(body, ctype))
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def dm(url: str, user: str, text: str) -> dict[str, Any]:
    payload = message_event(user, text)
    assert post(url, json.dumps(payload), "application/json") == 200
    return payload


def slash(url: str, user: str, text: str, slack: FakeSlack) -> None:
    assert post(url, command_body(user, text, slack), "application/x-www-form-urlencoded") == 200


def texts(slack: FakeSlack, method: str, **match: str) -> list[str]:
    found = []
    for call in slack.named(method):
        if all(call.args.get(k) == v for k, v in match.items()):
            found.append(json.dumps(call.args, ensure_ascii=False))
    return found


def wait_until(check: Any, timeout: float = 30.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def wait_text(
    slack: FakeSlack, method: str, needle: str, timeout: float = 60.0, **match: str
) -> str:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for text in texts(slack, method, **match):
            if needle in text:
                return text
        time.sleep(0.1)
    raise AssertionError(f"no {method} with {needle!r}: {texts(slack, method, **match)}")


@pytest.fixture
def town(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'town.db'}"
    from hosho.core.store.db import upgrade

    upgrade(url)
    engine = get_engine(url)
    rows = [contract_row(1, auth_key=KEY), contract_row(2), contract_row(3, kind="契約保証")]
    import_contracts(engine, contract_csv(rows))
    link_user(engine, "C00001", OWNER, by="test", platform="slack")
    return url


def uploaded_pdf(slack: FakeSlack) -> bytes:
    (upload,) = slack.wait_for("file.upload", 1, timeout=60)
    data: bytes = upload.args["data"]
    start = data.find(b"%PDF")
    assert start >= 0, "the upload is not a PDF"
    return data[start : data.rfind(b"%%EOF") + 5]


def test_notice_from_chat_to_registration_and_lookup(town, dovecot, slack, smtp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hosho = HoshoProcess(run_env(town, dovecot, slack, smtp), tmp_path, "replica")
    try:
        # 1. The linked contractor asks for the notice of their own contract, full-width digits.
        dm(hosho.url, OWNER, "認証キー等のお知らせ ００００００００01")
        pdf = uploaded_pdf(slack)
        assert slack.named("conversations.open")[0].args["users"] == OWNER
        done = slack.wait_for("files.completeUploadExternal")[0]
        assert done.args["channel_id"] == "DOWNER"
        assert KEY.encode() not in json.dumps(done.args).encode()  # the key only inside the PDF

        # 2. They e-mail it to the town inbox; the poller registers it.
        mail = submission_message(
            sender=CONTRACTOR_MAIL,
            to="zaisei@town.aya.lg.jp",
            subject="認証キー等のお知らせ",
            pdf=pdf,
            filename="認証キー等のお知らせ.pdf",
        )
        dovecot.append([mail.as_bytes()])
        staff = wait_text(slack, "chat.postMessage", "registered", channel=STAFF_CHANNEL)
        assert NUMBER in staff and KEY not in staff

        # 3. The sender gets the 受付 reply by SMTP, without the key.
        _, recipients, content = smtp.wait(1)[0]
        assert recipients == [CONTRACTOR_MAIL]
        body = plain_text(content)
        assert NUMBER in body and KEY not in body and "ABCD" not in body

        # 4. An admin looks it up on the D-Sure register (number and key).
        slash(hosho.url, ADMIN, f"lookup {NUMBER} {KEY}", slack)
        shown = wait_text(slack, "response_url", "前払金保証証書")
        assert NUMBER in shown and KEY not in shown
        slash(hosho.url, "UNOBODY", f"lookup {NUMBER} {KEY}", slack)
        refused = wait_text(slack, "response_url", "管理者")
        assert "前払金保証証書" not in refused

        # 5. The contractor asks whether it arrived.
        dm(hosho.url, OWNER, f"提出状況 {NUMBER}")
        wait_text(slack, "chat.postMessage", "受付済み", channel="DOWNER")

        # 6. The message was filed into hosho/registered.
        wait_until(lambda: dovecot.count("hosho/registered") == 1)
        assert dovecot.count("INBOX") == 0
    finally:
        assert hosho.stop() == 0
    log = hosho.log.read_text()
    assert KEY not in log and "ABCDEFGHJKMNPQRS" not in log


def test_step3_certificate_is_rejected_with_the_right_advice(
    town, dovecot, slack, smtp, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    certificate, _ = render_certificate_for(get_engine(town), load_profile("aya"), NUMBER)
    hosho = HoshoProcess(run_env(town, dovecot, slack, smtp), tmp_path, "replica")
    try:
        mail = submission_message(
            sender=CONTRACTOR_MAIL,
            to="zaisei@town.aya.lg.jp",
            subject="電子証書",
            pdf=certificate,
            filename="電子証書.pdf",
        )
        dovecot.append([mail.as_bytes()])
        staff = wait_text(slack, "chat.postMessage", "wrong_document", channel=STAFF_CHANNEL)
        assert "STEP3" in staff
        _, recipients, content = smtp.wait(1)[0]
        assert recipients == [CONTRACTOR_MAIL]
        body = plain_text(content)
        assert "認証キー等のお知らせ" in body and "STEP4" in body and "STEP3" in body
        assert KEY not in body
        wait_until(lambda: dovecot.count("hosho/rejected") == 1)
        # Not registered: the contractor is told it has not arrived.
        dm(hosho.url, OWNER, f"提出状況 {NUMBER}")
        wait_text(slack, "chat.postMessage", "未提出", channel="DOWNER")
    finally:
        assert hosho.stop() == 0
