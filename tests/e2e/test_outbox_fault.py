"""Fault test of the staff messages (issue 13): 20 mails waiting at start-up plus 20
arriving, a Slack Web API that takes 0.5 s a post and an SMTP server that takes 0.5 s a
mail, and ``hosho run --chat slack`` killed with SIGKILL five times at random moments and
restarted. Every submission's staff post and staff mail arrive; duplicates are at most one
per kill (the message in flight). The figures are printed (run with -s)."""

from __future__ import annotations

import email
import email.policy
import mailbox
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from hosho.core.store.db import get_engine
from hosho.core.submissions import outbox
from tests.bot.fake_slack import BOT_TOKEN, FakeSlack
from tests.bot.payloads import SECRET
from tests.e2e.conftest import STAFF_CHANNEL, HoshoProcess
from tests.mailbox.town import TOWN, notice_message
from tests.servers import SmtpSink, smtp_server

pytestmark = [pytest.mark.smtp, pytest.mark.slow]

WAITING, ARRIVING, KILLS = 20, 20, 5
TOTAL = WAITING + ARRIVING
STAFF = "kanri@town.aya.lg.jp"
SLOW = 0.5
NUMBER = re.compile(r"保証契約番号: (\d{10})")


@pytest.fixture
def slow_slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API, 0.5 s a chat.postMessage (the post counts once it arrived)."""
    fake = FakeSlack()
    answer = fake._answer

    def slow(method: str, args: dict[str, object]) -> dict[str, object]:
        if method == "chat.postMessage":
            time.sleep(SLOW)
        return answer(method, args)

    fake._answer = slow  # type: ignore[method-assign]
    fake._server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # a killed client
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def slow_smtp() -> Iterator[SmtpSink]:
    """aiosmtpd taking 0.5 s before it accepts each message (kept once it arrived)."""
    with smtp_server(delay=SLOW) as sink:
        yield sink


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_staff_messages_survive_five_kills(  # type: ignore[no-untyped-def]
    town, slow_slack: FakeSlack, slow_smtp: SmtpSink, tmp_path: Path
) -> None:
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    for n in range(1, WAITING + 1):
        inbox.add(notice_message(n, subject=f"提出{n}"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HOSHO_", "SLACK_"))}
    env = {
        **base,
        "HOSHO_DATABASE_URL": town,
        "HOSHO_MAILDIR": str(tmp_path / "inbox"),
        "HOSHO_POLL_SECONDS": "0.5",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "HOSHO_SLACK_API_URL": slow_slack.api_url,
        "HOSHO_STAFF_CHANNEL": STAFF_CHANNEL,
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_PORT": str(slow_smtp.port),
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": TOWN,
        "HOSHO_STAFF_EMAIL": STAFF,
        "HOSHO_OUTBOX_LEASE_SECONDS": "2",
    }
    rng = random.Random(int(os.environ.get("HOSHO_FAULT_SEED", "20261130")))

    def arrive() -> None:  # 20 more mails while hosho runs (and is killed)
        for n in range(WAITING + 1, TOTAL + 1):
            time.sleep(0.25)
            inbox.add(notice_message(n, subject=f"提出{n}"))

    started = time.monotonic()
    arriving = threading.Thread(target=arrive)
    arriving.start()
    kills = 0
    for round_ in range(KILLS):
        process = HoshoProcess(env, tmp_path, f"run-{round_}")
        time.sleep(rng.uniform(1.0, 3.0))
        process.proc.kill()  # SIGKILL: no clean-up at all
        process.proc.wait(30)
        process.out.close()
        kills += 1
    arriving.join()
    last = HoshoProcess(env, tmp_path, "run-last")
    engine = get_engine(town)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if len(submissions(engine)) == TOTAL and outbox.pending(engine) == 0:
                break
            time.sleep(0.2)
    finally:
        assert last.stop() == 0
    elapsed = time.monotonic() - started

    posts = Counter(
        number
        for call in slow_slack.named("chat.postMessage")
        if call.args.get("channel") == STAFF_CHANNEL
        for number in NUMBER.findall(str(call.args.get("text", "")))
    )
    mails = Counter(
        str(email.message_from_bytes(content, policy=email.policy.default)["Message-ID"])
        for _, rcpts, content in slow_smtp.messages
        if rcpts == [STAFF]
    )
    post_dups = sum(posts.values()) - len(posts)
    mail_dups = sum(mails.values()) - len(mails)
    print(
        f"\noutbox fault test: {TOTAL} submissions ({WAITING} waiting + {ARRIVING} arriving), "
        f"{kills} × SIGKILL, {elapsed:.1f} s\n"
        f"  Slack staff posts: {len(posts)}/{TOTAL} delivered, {post_dups} duplicated "
        f"({post_dups / kills:.1f} per kill)\n"
        f"  staff e-mails:     {len(mails)}/{TOTAL} delivered, {mail_dups} duplicated "
        f"({mail_dups / kills:.1f} per kill)"
    )
    assert sorted(submissions(engine)) == sorted(posts) and len(posts) == TOTAL
    assert len(mails) == TOTAL
    assert post_dups <= kills and mail_dups <= kills


def submissions(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT contract_number FROM submission").all()
    return [row[0] for row in rows]
